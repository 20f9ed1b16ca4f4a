"""Name and address normalization for duplicate detection (pure)."""

import re
import unicodedata

_LEGAL_SUFFIXES = {"ag", "sa", "sarl", "gmbh", "ltd", "inc", "srl", "spa", "bv", "nv", "sas", "llc", "plc"}


def normalize_name(name: str) -> str:
    """'Thales Alenia Space S.A.' and 'thales-alenia  space' both give 'thales alenia space'."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace(".", "")
    words = re.findall(r"[a-z0-9]+", text)
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def normalize_email(address: str) -> str:
    return (address or "").strip().lower()


def email_domain(address: str) -> str:
    return normalize_email(address).rpartition("@")[2]


def normalize_domain(domain: str) -> str:
    domain = (domain or "").strip().lower().removeprefix("@")
    return domain.removeprefix("www.")

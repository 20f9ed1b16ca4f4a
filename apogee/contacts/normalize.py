"""Name and address normalization for duplicate detection (pure)."""

import re
import unicodedata

_LEGAL_SUFFIXES = {
    "ag",
    "sa",
    "sarl",
    "gmbh",
    "ltd",
    "inc",
    "srl",
    "spa",
    "bv",
    "nv",
    "sas",
    "llc",
    "plc",
    "se",
    "ab",
    "kg",
    "oy",
    "as",
    "asa",
    "corp",
    "co",
    "limited",
}


def normalize_name(name: str) -> str:
    """'Thales Alenia Space S.A.' and 'thales-alenia  space' both give 'thales alenia space'."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace(".", "")
    # Letters of any script: with [a-z0-9] only, every Cyrillic or Chinese name became "" and all
    # of them looked like duplicates of one another.
    words = re.findall(r"[^\W_]+", text)
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    # NFKD can lengthen a name (one ligature, many letters); the column holds 200.
    return " ".join(words)[:200]


def normalize_email(address: str) -> str:
    return (address or "").strip().lower()


def email_domain(address: str) -> str:
    return normalize_email(address).rpartition("@")[2]


def normalize_domain(domain: str) -> str:
    domain = (domain or "").strip().lower().removeprefix("@")
    return domain.removeprefix("www.")

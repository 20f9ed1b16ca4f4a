"""Text folding for the search index: the one rule both the stored text and the query go through.

Pure: no Django. Lower case, accents stripped (NFKD, combining marks dropped), every
run of punctuation a single space. Folding in Python rather than in the database
makes "Zurich" find "Zürich" on SQLite and on PostgreSQL alike, without the unaccent
extension, and leaves only letters and digits in a query: nothing a full-text
query syntax could read as an operator.
"""

import re
import unicodedata

# \w keeps letters and digits of every script; the underscore is punctuation here.
_NOT_A_WORD = re.compile(r"[\W_]+")
# Bounds on what one query may ask of the index.
MAX_TOKENS = 8
MAX_TOKEN_LENGTH = 64


def fold(text: str | None) -> str:
    """'Zürich — Büro-Gebäude' → 'zurich buro gebaude'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_A_WORD.sub(" ", stripped).strip()


def query_tokens(query: str | None) -> list[str]:
    """The words of a query, folded, without repeats, at most MAX_TOKENS of them."""
    tokens: list[str] = []
    for token in fold(query).split():
        token = token[:MAX_TOKEN_LENGTH]
        if token not in tokens:
            tokens.append(token)
    return tokens[:MAX_TOKENS]


def compact(text: str | None) -> str:
    """Letters and digits only, e.g. 'CHE-123.456.789' → 'che123456789', so a VAT number or
    a phone number is also found when typed without its separators."""
    return "".join(fold(text).split())


_WORD = re.compile(r"[^\W_]+")


def highlight(text: str, tokens: list[str]) -> list[tuple[str, bool]]:
    """The text cut into (part, matched) pieces: a word is matched when its folded form starts with
    one of the (folded) query tokens. 'Zürich Office', ['zur'] → [('Zürich', True), (' Office', False)]."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for word in _WORD.finditer(text or ""):
        folded = fold(word.group())
        if tokens and any(folded.replace(" ", "").startswith(token) for token in tokens):
            if word.start() > position:
                parts.append((text[position : word.start()], False))
            parts.append((word.group(), True))
            position = word.end()
    if position < len(text or ""):
        parts.append((text[position:], False))
    return parts

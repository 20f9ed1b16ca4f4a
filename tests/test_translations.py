"""The French catalogue is complete and compiled: every marked string has a reviewed translation."""

import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "apogee" / "locale" / "fr" / "LC_MESSAGES"


def _entries(text: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n", text) if "msgid" in block]


def test_every_french_entry_is_translated_and_none_is_fuzzy():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = _entries(text)[1:]  # the first entry is the header

    untranslated = [
        block.split("\n")[-2:]
        for block in entries
        if re.search(r'^msgstr(\[\d\])? ""\Z', block.strip(), re.M)
    ]
    fuzzy = [block for block in entries if "#, fuzzy" in block and not block.lstrip().startswith("#~")]
    assert len(entries) > 600
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_is_not_older_than_its_source():
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    # git checkouts set both times to the checkout time; a stale .mo is older than its .po in a work tree.
    assert mo.stat().st_mtime >= po.stat().st_mtime - 1

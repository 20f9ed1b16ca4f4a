"""Folding: the one rule the index and the query share (pure, no database)."""

from apogee.search.backends import fts5_match, tsquery
from apogee.search.folding import MAX_TOKENS, compact, fold, highlight, query_tokens


def test_fold_lowers_strips_accents_and_turns_punctuation_into_spaces():
    assert fold("Zürich — Büro-Gebäude, S.A.") == "zurich buro gebaude s a"
    assert fold("ÉCOLE Polytechnique Fédérale") == "ecole polytechnique federale"
    assert fold("Straße") == "strasse"
    assert fold("anna_muller@ruag.ch") == "anna muller ruag ch"
    assert fold(None) == "" and fold("") == ""


def test_compact_keeps_letters_and_digits_only():
    assert compact("CHE-123.456.789 MWST") == "che123456789mwst"
    assert compact("+41 21 555 12 34") == "41215551234"


def test_query_tokens_are_folded_without_repeats_and_bounded():
    assert query_tokens('  "Zürich"  zurich AND (ruag*) ') == ["zurich", "and", "ruag"]
    assert query_tokens('---  *** "" ()') == []
    assert len(query_tokens(" ".join(f"w{i}" for i in range(50)))) == MAX_TOKENS


def test_query_syntax_of_either_database_cannot_survive_folding():
    tokens = query_tokens("x\" OR 1=1 -- NEAR(a b) title:* '; DROP TABLE")
    assert all(token.isalnum() for token in tokens)
    assert fts5_match(["zur", "ruag"]) == '"zur"* AND "ruag"*'
    assert tsquery(["zur", "ruag"]) == "'zur':* & 'ruag':*"


def test_highlight_marks_the_words_the_query_matched():
    assert highlight("Zürich Space Office", ["zur", "off"]) == [
        ("Zürich", True),
        (" Space ", False),
        ("Office", True),
    ]
    assert highlight("No match here", ["zz"]) == [("No match here", False)]
    assert highlight("", ["a"]) == []

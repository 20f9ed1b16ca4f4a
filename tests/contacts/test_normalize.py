"""Name, e-mail and domain normalization for duplicate detection (contacts/normalize.py): pure."""

import pytest

from apogee.contacts.normalize import email_domain, normalize_domain, normalize_email, normalize_name


@pytest.mark.parametrize(
    ("_case", "a", "b"),
    [
        ("legal suffix, dots, hyphen, spaces", "Thales Alenia Space S.A.", "thales-alenia  space"),
        ("accents", "Société Générale SA", "societe generale"),
        ("GmbH", "OHB System GmbH", "OHB System"),
        ("two suffixes", "Nordlys Microsystems AB Ltd.", "nordlys microsystems ab"),
        ("full-width letters", "ＥＳＡ", "esa"),
    ],
)
def test_names_that_normalize_alike(_case, a, b):
    assert normalize_name(a) == normalize_name(b)


def test_normalized_form_of_the_example():
    assert normalize_name("Thales Alenia Space S.A.") == "thales alenia space"


def test_a_name_that_is_only_a_suffix_keeps_it():
    assert normalize_name("SA") == "sa"
    assert normalize_name("Plc Ltd") == "plc"


@pytest.mark.parametrize(
    ("name", "normalized"),
    [("Иван Петров", "иван петров"), ("李明", "李明"), ("Ørsted A/S", "ørsted a s")],
)
def test_letters_of_every_script_are_kept(name, normalized):
    assert normalize_name(name) == normalized


def test_names_in_other_scripts_are_not_all_alike():
    assert normalize_name("Иван Петров") != normalize_name("李明")


def test_the_normalized_name_fits_its_column_even_when_ligatures_expand():
    assert len(normalize_name("\ufdfa" * 200)) == 200


def test_emails_and_domains():
    assert normalize_email("  Anke.deVries@ESA.int ") == "anke.devries@esa.int"
    assert email_domain("Anke.deVries@ESA.int") == "esa.int"
    assert normalize_domain(" @WWW.Esa.INT ") == "esa.int"
    assert normalize_name("") == normalize_email(None) == ""

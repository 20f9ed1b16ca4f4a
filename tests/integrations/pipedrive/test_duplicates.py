"""Suspected duplicates for the dry-run report, without a database."""

import random

import pytest

from apogee.integrations.pipedrive.duplicates import DuplicateFinder, Suspect, organization_key, person_key
from apogee.integrations.pipedrive.records import Contact


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Thales Alenia Space", "thales alenia space"),
        ("THALES ALENIA SPACE France", "thales alenia space"),
        ("Thales Alenia Space Italia S.p.A.", "thales alenia space"),
        ("Airbus Defence and Space GmbH", "airbus defence and space"),
        ("Airbus Defence & Space", "airbus defence and space"),
        ("Airbus Defence and Space GmbH & Co. KG", "airbus defence and space"),
        ("Beyond Gravity Schweiz AG", "beyond gravity"),
        ("Écublens Précision S.à r.l.", "ecublens precision"),
        ("Ørsted A/S", "ørsted"),
        ("The Aerospace Corporation", "aerospace"),
        ("Space Applications Ltd. (UK)", "space applications"),
        ("Acme Holdings United Kingdom", "acme holdings"),
        ("Université de Genève", "universite de geneve"),
        ("France", "france"),  # never folded to nothing
        ("Straße AG", "strasse"),
    ],
)
def test_organization_keys_fold_case_accents_punctuation_legal_forms_and_countries(name, key):
    assert organization_key(name) == key


def test_person_keys_ignore_word_order_titles_and_accents():
    assert person_key("Dr. Dubois, Marc") == person_key("marc DUBOIS") == "dubois marc"
    assert person_key("Élodie Müller") == person_key("elodie muller")


def organizations(*names: str, existing: tuple[str, ...] = ()) -> list[Suspect]:
    finder = DuplicateFinder()
    for number, name in enumerate(names, start=1):
        finder.add_organization(str(number), name)
    for number, name in enumerate(existing, start=101):
        finder.add_organization(str(number), name, existing=True)
    return finder.suspects()


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        ("Thales Alenia Space", "THALES ALENIA SPACE France", "same_name"),
        ("Airbus Defence and Space GmbH", "Airbus Defence & Space", "same_name"),
        ("Space Systems", "Space Systems Finland", "same_name"),  # a country word at the end
        ("Space Systems", "Space Systems Engineering", "similar_name"),  # two words in common
        ("Thales", "Thales Alenia Space", "similar_name"),  # one distinctive word
        ("Airbus Space", "Airbus Defence and Space", "similar_name"),  # a subset, not a prefix
        ("Université de Genève", "Universite Geneve", "similar_name"),  # same words, a stop word apart
    ],
)
def test_examples_are_suspected(first, second, reason):
    assert organizations(first, second) == [Suspect("organization", "2", "1", False, reason)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Université de Genève", "Université de Lausanne"),
        ("Space", "Space Systems"),
        ("University", "University of Bern"),
        ("Agency", "Agency for Space Affairs"),
        ("The Group", "Group Alpha"),
        ("Systems", "Systems Kepler"),
        ("Technologies", "Technologies Vega"),
        ("Space Agency", "European Space Agency"),  # not the same first word
        ("ESA", "ESA ESTEC"),  # one word, too short to tell
        ("2019", "2019 Tenders Consortium"),
        ("Thales Alenia Space", "Thales Group Holding"),  # neither a subset of the other
    ],
)
def test_generic_or_partial_likeness_is_not_suspected(first, second):
    assert organizations(first, second) == []


def test_incoming_records_are_paired_with_existing_ones_and_existing_ones_never_together():
    suspects = organizations(
        "Thales Alenia Space",
        "Airbus DS",
        existing=("THALES ALENIA SPACE France", "Thales Alenia Space Italia", "Thales"),
    )
    assert suspects == [
        # The first existing record of the group stands for it; "Thales" ~ it is existing–existing.
        Suspect("organization", "1", "101", True, "same_name"),
    ]
    finder = DuplicateFinder()
    finder.add_organization("9", "Thales Alenia Space", existing=True)
    finder.add_organization("9", "Thales")  # the same id, incoming: another record
    assert finder.suspects() == [Suspect("organization", "9", "9", True, "similar_name")]


def test_a_group_of_alike_names_is_reported_against_one_representative():
    suspects = organizations(
        "Thales Alenia Space", "THALES ALENIA SPACE France", "Thales Alenia Space Italia"
    )
    assert suspects == [
        Suspect("organization", "2", "1", False, "same_name"),
        Suspect("organization", "3", "1", False, "same_name"),
    ]
    with_existing = organizations("Thales Alenia Space", "Thales Alenia Space SAS", existing=("Thales",))
    assert with_existing == [  # in the order of the incoming records
        Suspect("organization", "1", "101", True, "similar_name"),
        Suspect("organization", "2", "1", False, "same_name"),
    ]


def test_persons_with_an_email_in_common_or_the_same_name_in_the_same_organization():
    finder = DuplicateFinder()
    finder.add_person("1", "Marc Dubois", ["marc.dubois@tas.example"], "thales alenia space")
    finder.add_person("2", "M. Dubois", [Contact("Marc.Dubois@TAS.example", "work", True)], "42")
    finder.add_person("3", "Dubois, Marc", [], "thales alenia space")
    finder.add_person("4", "Marc Dubois", ["marc@other.example"], "airbus defence and space")
    finder.add_person("5", "Marc Dubois", [], None)  # no organization: a name alone is too common
    finder.add_person("6", "Léa Rochat", ["lea@x.example", ""], "ohb", existing=True)
    finder.add_person("7", "Lea ROCHAT", ["lea@x.example"], "ohb")  # both reasons: reported once
    assert finder.suspects() == [
        Suspect("person", "2", "1", False, "same_email"),
        Suspect("person", "3", "1", False, "same_name_same_organization"),
        Suspect("person", "7", "6", True, "same_email"),
    ]


def test_organizations_and_persons_are_listed_apart_in_the_order_they_came():
    finder = DuplicateFinder()
    finder.add_person("p1", "Anne Keller", ["anne@x.example"], None)
    finder.add_organization("o1", "Kepler Dynamics SA")
    finder.add_person("p2", "Anne Keller", ["ANNE@x.example"], None)
    finder.add_organization("o2", "Kepler Dynamics GmbH")
    assert [(s.entity, s.source_id) for s in finder.suspects()] == [("organization", "o2"), ("person", "p2")]


def test_the_same_feed_gives_the_same_suspects():
    rng = random.Random(5)
    names = [
        f"{rng.choice(['Nova', 'Vega', 'Kepler Orbit'])} {rng.choice(['Space', 'Systems SA', ''])}"
        for _ in range(300)
    ]

    def run() -> list[Suspect]:
        finder = DuplicateFinder()
        for number, name in enumerate(names):
            finder.add_organization(str(number), name, existing=number % 7 == 0)
        return finder.suspects()

    first = run()
    assert first and first == run()
    assert len({frozenset((s.source_id, s.other_id, s.other_is_existing)) for s in first}) == len(first)


STEMS = ("ka", "lo", "mi", "ra", "ve", "to", "su", "ne", "di", "fa", "ri", "zo", "pe", "gra", "sto", "bel")
WORDS = ("Space", "Systems", "Engineering", "Technologies", "Group", "University of", "Research", "Labs")
LEGAL = ("SA", "AG", "GmbH", "S.p.A.", "Ltd", "Inc.", "Sàrl", "", "", "")
COUNTRY = ("France", "Italia", "Schweiz", "", "", "", "", "")


def test_a_hundred_thousand_organizations_are_not_compared_all_pairs():
    rng = random.Random(11)
    vocabulary = sorted(
        {"".join(rng.choice(STEMS) for _ in range(rng.randint(2, 3))).capitalize() for _ in range(3000)}
    )
    n = 100_000
    finder = DuplicateFinder()
    for number in range(n):
        words = rng.sample(vocabulary, rng.choice((1, 1, 2, 2, 3)))
        if rng.random() < 0.6:
            words.append(rng.choice(WORDS))
        name = " ".join((*words, rng.choice(COUNTRY), rng.choice(LEGAL))).strip()
        finder.add_organization(str(number), name, existing=number % 10 == 0)
    finder.add_organization("planted", "Thales Alenia Space")
    finder.add_organization("planted-too", "THALES ALENIA SPACE France")
    suspects = finder.suspects()
    assert Suspect("organization", "planted-too", "planted", False, "same_name") in suspects
    assert finder.comparisons < 20 * n
    assert finder.probes < 64 * n
    assert len(suspects) <= finder.comparisons

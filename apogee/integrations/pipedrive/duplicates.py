"""Suspected duplicates for the dry-run report: organizations and persons that look alike. Pure.

    finder = DuplicateFinder()
    finder.add_organization("12", "THALES ALENIA SPACE France")
    finder.add_organization("7", "Thales Alenia Space", existing=True)     # already in Apogee
    finder.add_person("40", "Marc Dubois", ["marc@tas.example"], "12")
    finder.suspects()  # [Suspect("organization", "12", "7", True, "same_name"), …]

Organizations are compared by `organization_key`: case, accents and punctuation folded, "&" read
as "and", legal forms (SA, GmbH, S.p.A., Ltd…) and country words (France, Italia, Schweiz…) at the
end left out. Reasons (codes; the UI words them):
- same_name: the keys are equal ("Airbus Defence and Space GmbH", "Airbus Defence & Space").
- similar_name: the significant words (the key's words but "the", "and", "de"…) of one are a
  subset of the other's, both start with the same word, and they share two words or more, or the
  shorter is one distinctive word (4 letters or more, not a generic word like "space",
  "university", "systems"): "Space Systems" ~ "Space Systems Engineering", "Thales" ~ "Thales
  Alenia Space", but not "Université de Genève" ~ "Université de Lausanne" nor "Space" ~ "Space
  Systems".
Persons: same_email (any address in common, case folded), same_name_same_organization (the
same name, word order and case aside, with the same organization as the caller gives it: a key
or an id, compared as given; persons without an organization are not compared by name).

What is reported
- Only pairs with an incoming record: `source_id` is incoming; `other_id` is another incoming
  record or an existing one (`other_is_existing`). Two existing records are never paired.
- Records alike are reported against one representative — the first existing record of the
  group, else the first added — not pairwise: five organizations of one name give four suspects,
  so the report stays linear. A pair is reported once, with the first reason that holds (in the
  order above); suspects come in the order the records were added.

Cost
Nothing is compared all-pairs. Keys are grouped by value; for similar names every distinct key
looks up, in an index by (first word, set of words), each subset of its own first
`MAX_SUBSET_WORDS` words that starts with its first word — at most 2^(MAX_SUBSET_WORDS − 1)
look-ups, whatever the number of records. `probes` counts those look-ups and `comparisons` the
candidate pairs they (and the groups) yield, both for the last `suspects()` call.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

REASONS = ("same_name", "similar_name", "same_email", "same_name_same_organization")
MAX_SUBSET_WORDS = 7
DISTINCTIVE_LENGTH = 4

# fmt: off
LEGAL_FORMS = frozenset({
    "sa", "ag", "gmbh", "sarl", "sas", "sasu", "spa", "srl", "ltd", "limited", "inc",
    "incorporated", "bv", "nv", "ab", "as", "oy", "oyj", "plc", "llc", "llp", "lp", "co",
    "corp", "corporation", "company", "kg", "ohg", "ug", "se", "sl", "sro", "aps", "asa",
    "bvba", "sprl", "sagl", "ev", "kft", "pty", "pvt", "gie", "eurl", "scs", "sca",
})
COUNTRIES = frozenset({
    "france", "italy", "italia", "germany", "deutschland", "uk", "switzerland", "suisse",
    "schweiz", "svizzera", "spain", "espana", "netherlands", "nederland", "belgium", "belgique",
    "belgie", "sweden", "sverige", "finland", "suomi", "norway", "norge", "denmark", "danmark",
    "austria", "osterreich", "portugal", "poland", "polska", "luxembourg", "ireland", "usa",
})
COUNTRY_PHRASES = (("united", "kingdom"), ("united", "states"), ("great", "britain"), ("czech", "republic"))
STOPWORDS = frozenset({
    "the", "and", "of", "de", "du", "des", "la", "le", "les", "l", "d", "di", "del", "della",
    "degli", "der", "die", "das", "den", "und", "et", "e", "y", "for", "fur", "von", "van",
    "zu", "a", "an", "at", "in", "on", "en", "au", "aux", "per",
})
# Words many unrelated organizations share: alone, they make no pair.
GENERIC = frozenset({
    "university", "universite", "universitat", "universita", "universidad", "college", "school",
    "ecole", "institute", "institut", "instituto", "istituto", "space", "spatial", "aerospace",
    "aeronautics", "agency", "agence", "systems", "system", "technologies", "technology",
    "tech", "technik", "group", "groupe", "gruppe", "engineering", "solutions", "services",
    "service", "international", "industries", "industry", "research", "labs", "lab",
    "laboratory", "laboratoire", "center", "centre", "zentrum", "consulting", "partners",
    "holding", "holdings", "global", "european", "europe", "national", "association",
    "foundation", "fondation", "stiftung", "department", "ministry", "office", "bank",
    "hospital", "hopital", "clinic", "electronics", "dynamics", "components", "precision",
    "mechanics", "mechatronics", "microtechnique", "innovation", "innovations", "ventures",
    "capital", "energy", "motors", "automotive", "aviation", "defence", "defense", "science",
    "sciences", "scientific", "manufacturing", "products", "management", "trading", "network",
    "networks", "software", "digital", "design", "development",
})
# Left at the end of a name once its legal form is gone ("GmbH & Co. KG").
TRAILING_JOINERS = frozenset({"and", "und", "et"})
PERSON_TITLES = frozenset({
    "dr", "prof", "mr", "mrs", "ms", "mme", "mlle", "m", "herr", "frau", "dipl", "ing",
})
# fmt: on

_SARL = re.compile(r"\bs\.?\s?a\.?\s?r\.?\s?l\b\.?")
_INITIALISM = re.compile(r"\b(?:[^\W\d_]\.\s?)+[^\W\d_]\b\.?")  # S.p.A., B. V., e.V.
_SLASHED = re.compile(r"\b([^\W\d_])/([^\W\d_])\b")  # A/S
_NON_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    text = str(text)
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _key_words(name: str) -> list[str]:
    text = _fold(name).replace("&", " and ")
    if "." in text or "/" in text:
        text = _SARL.sub(" sarl ", text)
        text = _SLASHED.sub(r"\1\2", text)
        text = _INITIALISM.sub(lambda match: re.sub(r"[.\s]", "", match.group()) + " ", text)
    words = _NON_WORD.sub(" ", text).split()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    while len(words) > 1:
        if len(words) > 2 and tuple(words[-2:]) in COUNTRY_PHRASES:
            del words[-2:]
        elif words[-1] in LEGAL_FORMS or words[-1] in COUNTRIES or words[-1] in TRAILING_JOINERS:
            words.pop()
        else:
            break
    return words


def organization_key(name: str) -> str:
    """How organization names are compared: "THALES ALENIA SPACE France" → "thales alenia space"."""
    return " ".join(_key_words(name))


def person_key(name: str) -> str:
    """How person names are compared: "Dr. Dubois, Marc" → "dubois marc" (words sorted)."""
    words = [w for w in _NON_WORD.sub(" ", _fold(name)).split() if w not in PERSON_TITLES]
    return " ".join(sorted(words))


@dataclass(frozen=True)
class Suspect:
    entity: str  # organization or person
    source_id: str  # an incoming record
    other_id: str
    other_is_existing: bool
    reason: str  # one of REASONS


@dataclass(slots=True)
class _Entry:
    seq: int
    source_id: str
    existing: bool


@dataclass(slots=True)
class _Organization(_Entry):
    key: str
    first: str  # the first significant word ("" when none)
    rest: tuple[str, ...]  # the other significant words, sorted, each once
    head: tuple[str, ...]  # those of them among the first MAX_SUBSET_WORDS, sorted


@dataclass(slots=True)
class _Person(_Entry):
    name_key: str
    emails: tuple[str, ...]
    organization: str


def _distinctive(word: str) -> bool:
    return len(word) >= DISTINCTIVE_LENGTH and word not in GENERIC and not word.isdigit()


def _representative(members: list) -> _Entry:
    return next((m for m in members if m.existing), members[0])


class _Pairs:
    """Suspects of one entity, each pair once, incoming side as the source."""

    def __init__(self, entity: str) -> None:
        self.entity = entity
        self.seen: set[tuple] = set()
        self.found: list[tuple[int, int, bool, str, str, str]] = []

    def add(self, a: _Entry, b: _Entry, reason: str) -> None:
        if a.existing and b.existing:
            return
        if a.existing or (not b.existing and b.seq > a.seq):
            a, b = b, a
        pair = (a.seq, b.seq)
        if a.seq == b.seq or pair in self.seen:
            return
        self.seen.add(pair)
        self.found.append((a.seq, b.seq, b.existing, a.source_id, b.source_id, reason))

    def suspects(self) -> list[Suspect]:
        return [
            Suspect(self.entity, source_id, other_id, other_is_existing, reason)
            for _, _, other_is_existing, source_id, other_id, reason in sorted(self.found)
        ]


class DuplicateFinder:
    """Fed records one by one (incoming and existing ones, any order), then asked for suspects."""

    def __init__(self) -> None:
        self._organizations: dict[tuple[bool, str], _Organization] = {}
        self._persons: dict[tuple[bool, str], _Person] = {}
        self._seq = 0
        self.comparisons = 0
        self.probes = 0

    def _place(self, known: _Entry | None) -> int:
        if known is not None:
            return known.seq
        self._seq += 1
        return self._seq

    def add_organization(self, source_id: str, name: str, existing: bool = False) -> None:
        """Adding the same (source_id, existing) again replaces the name and keeps the place."""
        identity = (existing, str(source_id))
        words = _key_words(name)
        significant = list(dict.fromkeys(w for w in words if w not in STOPWORDS))
        rest = tuple(sorted(significant[1:]))
        self._organizations[identity] = _Organization(
            self._place(self._organizations.get(identity)),
            str(source_id),
            existing,
            " ".join(words),
            significant[0] if significant else "",
            rest,
            rest if len(significant) <= MAX_SUBSET_WORDS else tuple(sorted(significant[1:MAX_SUBSET_WORDS])),
        )

    def add_person(
        self,
        source_id: str,
        name: str,
        emails: Iterable[object] = (),
        organization: str | None = None,
        existing: bool = False,
    ) -> None:
        """`emails`: strings or `records.Contact`s; `organization`: an organization key or id."""
        identity = (existing, str(source_id))
        addresses = (str(getattr(e, "value", e) or "").strip().casefold() for e in emails or ())
        self._persons[identity] = _Person(
            self._place(self._persons.get(identity)),
            str(source_id),
            existing,
            person_key(name),
            tuple(dict.fromkeys(a for a in addresses if a)),
            str(organization).strip() if organization is not None else "",
        )

    def suspects(self) -> list[Suspect]:
        self.comparisons = 0
        self.probes = 0
        return self._organization_suspects().suspects() + self._person_suspects().suspects()

    def _grouped(self, pairs: _Pairs, groups: dict[object, list], reason: str) -> None:
        for members in groups.values():
            if len(members) < 2:
                continue
            representative = _representative(members)
            for member in members:
                if member is not representative:
                    self.comparisons += 1
                    pairs.add(member, representative, reason)

    def _organization_suspects(self) -> _Pairs:
        pairs = _Pairs("organization")
        by_key: dict[str, list[_Organization]] = {}
        for org in sorted(self._organizations.values(), key=lambda o: o.seq):
            if org.key:
                by_key.setdefault(org.key, []).append(org)
        self._grouped(pairs, by_key, "same_name")
        # One representative per key, indexed by (first word, the other words sorted).
        representatives = [_representative(members) for members in by_key.values()]
        index: dict[tuple[str, tuple[str, ...]], list[_Organization]] = {}
        for org in representatives:
            if org.first:
                index.setdefault((org.first, org.rest), []).append(org)
        for org in representatives:
            if not org.first:
                continue
            smallest = 0 if _distinctive(org.first) else 1
            wanted = [
                combo for size in range(smallest, len(org.head) + 1) for combo in combinations(org.head, size)
            ]
            if org.head is not org.rest:
                wanted.append(org.rest)
            self.probes += len(wanted)
            for combo in wanted:
                for other in index.get((org.first, combo), ()):
                    if other is not org:
                        self.comparisons += 1
                        pairs.add(org, other, "similar_name")
        return pairs

    def _person_suspects(self) -> _Pairs:
        pairs = _Pairs("person")
        by_email: dict[str, list[_Person]] = {}
        by_name: dict[tuple[str, str], list[_Person]] = {}
        for person in sorted(self._persons.values(), key=lambda p: p.seq):
            for email in person.emails:
                by_email.setdefault(email, []).append(person)
            if person.name_key and person.organization:
                by_name.setdefault((person.name_key, person.organization), []).append(person)
        self._grouped(pairs, by_email, "same_email")
        self._grouped(pairs, by_name, "same_name_same_organization")
        return pairs

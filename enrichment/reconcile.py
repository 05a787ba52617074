"""Finding authors who are one person twice, and proposing to merge them (never merging).

Two live authors (not redirects) are proposed for merging (`AuthorMerge`, status PROPOSED) when
- they hold the same external id (Open Library, Wikidata, Goodreads, VIAF, ISNI), compared in
  the sources' own normal form (`author_matching.normalize_author_id`): SHARED_ID; or
- their names agree once transliterated and put in one order (`author_matching`'s name rule:
  "Le Guin, Ursula K." / "Ursula K. Le Guin", "Сергей Лукьяненко" / "Sergei Lukyanenko") AND
  they share a work: credited on the same work, on works with the same normalized title, or on
  works whose editions share an ISBN-13: NAME_AND_WORK. A generic title ("Poems", "Collected
  Stories", "Œuvres complètes": catalog.generic_titles) is no shared work: countless authors
  have a book of that name. Two people share a name more often than a name and a book, so a
  name alone proposes nothing, and ids of one kind that differ (two Wikidata items; not two
  Open Library keys, a source that holds one person twice: author_matching.ids_say_two_people,
  the rule matching a record follows too), birth
  or death years that differ (author matching's year rule: Richard Matheson, 1926, and his son
  Richard Christian Matheson, 1953), one's death before the other's birth, or an organisation's
  name beside a person's (`S. Norwell
  (Firm)` / `S. Norwell`: author_state.names_an_organisation), say they are two.

Names that agree but say two generations of a family (author matching's generation rule: Dumas
père and Dumas fils, Jr. and Sr., II and III) are two people whatever else agrees: never
proposed, not even for a shared id (a wrong id on one of them). "Alexandre Dumas", who says
no generation, may be either.

A reviewer merges or dismisses each proposal (`enrichment.author_merges`). A pair that was
ever proposed is not proposed again: an open proposal waits, and a dismissal or a revert is the
reviewer's word.

The search reads the catalog in a few grouped passes (credits, shared titles, ids), never
comparing every author with every other: names are compared only within a shared id or a
shared work.
"""

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.db.models import Count, Q

from catalog import isbn as isbn_module
from catalog.generic_titles import is_generic_title
from catalog.models import Author, Edition, Work, WorkAuthor
from catalog.selectors import names_merged_into
from enrichment.author_candidates import AUTHOR_ID_FIELDS
from enrichment.author_dates import died_before_born, held_life_years, years_conflict
from enrichment.author_matching import (
    NAME_AGREES,
    ids_say_two_people,
    normalize_author_id,
    one_name_two_generations,
    score_author_names,
)
from enrichment.author_names import name_blocks
from enrichment.author_state import names_an_organisation
from enrichment.models import AuthorMerge

Reason = AuthorMerge.Reason

#: The name score (author_matching.score_author_name, 0–5) from which two names are one: the
#: same name in another order or romanisation, or with a middle name or initial on one side.
NAME_MATCH_MIN = NAME_AGREES
#: Authors of one shared title compared pair by pair; beyond this ("Requiem", "Inferno") only
#: those whose surnames start alike are.
PAIRWISE_GROUP_MAX = 50
#: Values per `IN (…)` (SQLite refuses very long lists).
IN_CHUNK = 900
#: Titles, ISBNs and ids kept in a proposal's evidence.
EVIDENCE_MAX = 10
#: The task that records proposals (author_duplicates_propose): its daily schedule (migration
#: 0012) and the merges list's "Look for duplicates now" button queue it.
PROPOSE_TASK = "enrichment.tasks.propose_author_merges"
#: pg_advisory_xact_lock key of the search's recording step: "authdup" as a number.
PROPOSE_LOCK_KEY = int.from_bytes(b"authdup", "big")


@dataclass(frozen=True, slots=True)
class Person:
    """What reconciliation reads of one live author."""

    pk: int
    name: str
    sort_name: str = ""
    ids: dict[str, str] = field(default_factory=dict)  # AUTHOR_ID_FIELDS' kinds -> normal form
    credits: int = 0
    birth_year: int | None = None
    death_year: int | None = None
    # The author's date says the year is a guess ("c. 1200": author_dates.life_date).
    birth_year_approximate: bool = False
    death_year_approximate: bool = False
    # The names of the authors merged into this one (redirects): still names of this person.
    merged_names: tuple[str, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.sort_name, *self.merged_names)

    @property
    def has_openlibrary_key(self) -> bool:
        return bool(self.ids.get("openlibrary_author"))


@dataclass(frozen=True, slots=True)
class SharedWork:
    """Works the authors of `work_ids` share: one work, one title, or one ISBN-13."""

    work_ids: frozenset[int]
    title: str  # as shown (the first work's title)
    isbn13: str = ""


@dataclass(slots=True)
class DuplicatePair:
    kept: Person
    duplicate: Person
    reason: str
    evidence: dict


@dataclass(slots=True)
class ReconcileResult:
    proposed: int = 0
    by_reason: Counter = field(default_factory=Counter)
    # Pairs found again that a proposal already covers (open, dismissed, merged or reverted).
    already_proposed: int = 0
    # Name and work agreed, but they hold different ids of one kind: two people.
    conflicting_ids: int = 0
    # Name and work agreed, but their birth or death years differ: two people.
    conflicting_years: int = 0
    # Their names say two generations of a family (père / fils, Jr. / Sr.): two people.
    different_generations: int = 0
    # Name and work agreed, but one is an organisation's name (`S. Norwell (Firm)`), the other
    # a person's (`S. Norwell`): two.
    person_and_organisation: int = 0

    def as_json(self) -> dict:
        return {
            "proposed": self.proposed,
            "by_reason": {reason: self.by_reason.get(reason, 0) for reason in Reason.values},
            "already_proposed": self.already_proposed,
            "conflicting_ids": self.conflicting_ids,
            "conflicting_years": self.conflicting_years,
            "different_generations": self.different_generations,
            "person_and_organisation": self.person_and_organisation,
        }


# --- pure rules over plain data ------------------------------------------------------------


def kept_and_duplicate(a: Person, b: Person) -> tuple[Person, Person]:
    """Which author a merge keeps: the one with more credits, then the one with an Open Library
    key, then the older (lower pk)."""
    kept, duplicate = sorted((a, b), key=lambda p: (-p.credits, not p.has_openlibrary_key, p.pk))
    return kept, duplicate


def shared_ids(a: Person, b: Person) -> dict[str, str]:
    return {kind: value for kind, value in a.ids.items() if value and b.ids.get(kind) == value}


def conflicting_ids(a: Person, b: Person) -> dict[str, list[str]]:
    """Ids of one kind that both hold, differently: {"wikidata": ["Q1", "Q2"]}."""
    return {
        kind: [value, b.ids[kind]]
        for kind, value in a.ids.items()
        if value and b.ids.get(kind) and b.ids[kind] != value
    }


def conflicting_years(a: Person, b: Person) -> dict[str, list]:
    """Birth or death years that say two people: {"birth_year": [1926, 1953]}."""
    return {
        what: [ours, theirs]
        for what, ours, theirs, approximate in (
            (
                "birth_year",
                a.birth_year,
                b.birth_year,
                a.birth_year_approximate or b.birth_year_approximate,
            ),
            (
                "death_year",
                a.death_year,
                b.death_year,
                a.death_year_approximate or b.death_year_approximate,
            ),
        )
        if years_conflict(ours, theirs, approximate=approximate)
    }


def lifetimes_apart(a: Person, b: Person) -> bool:
    """Whether one of them died before the other was born (author_dates.died_before_born): a
    namesake of another century, known by a birth year on one side and a death year on the
    other."""
    return died_before_born(
        a.birth_year,
        b.death_year,
        approximate=a.birth_year_approximate or b.death_year_approximate,
    ) or died_before_born(
        b.birth_year,
        a.death_year,
        approximate=b.birth_year_approximate or a.death_year_approximate,
    )


def name_agreement(a: Person, b: Person) -> tuple[int, str]:
    """The name score (author_matching's rule) of both authors' names: name, sort name and the
    names merged into them ("Leo Tolstoy" who took in "Лев Толстой" is named so too)."""
    return score_author_names(a.all_names, b.all_names)


def generations_of_a_family(a: Person, b: Person) -> bool:
    """Whether their names (name, sort name, the names merged into them) are one name said of
    two generations of a family (author matching's rule): Dumas père and Dumas fils, or
    "Alexandre Dumas" once Dumas fils was merged into him and Dumas père."""
    return one_name_two_generations(a.all_names, b.all_names)


def person_and_organisation(a: Person, b: Person) -> bool:
    """Whether one of them is named as an organisation and the other not (`S. Norwell (Firm)`
    and `S. Norwell`): author matching reads a name without its bracketed qualifier, so their
    names agree, and a firm and a person credited on one book are two."""
    return names_an_organisation(a.name) != names_an_organisation(b.name)


def _pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def pairs_sharing_ids(people: Iterable[Person]) -> dict[tuple[int, int], dict[str, str]]:
    """(pk, pk) -> the ids the two hold alike: one pass, grouped by each normalized id; each
    author of a group is paired with the group's best author (who would be kept)."""
    groups: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for person in people:
        for kind, value in person.ids.items():
            if value:
                groups[kind, value].append(person)
    pairs: dict[tuple[int, int], dict[str, str]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        best = min(members, key=lambda p: (-p.credits, not p.has_openlibrary_key, p.pk))
        for other in members:
            if other.pk != best.pk:
                pairs[_pair_key(best.pk, other.pk)] = shared_ids(best, other)
    return pairs


def _blocks(person: Person) -> set[str]:
    return name_blocks(person.name) or name_blocks(person.sort_name) or {""}


def pairs_sharing_works(
    shared: Iterable[SharedWork], authors_of: dict[int, set[int]], people: dict[int, Person]
) -> dict[tuple[int, int], list[SharedWork]]:
    """(pk, pk) -> the works they share, for the authors of each shared work; a crowded
    group (a common title) is paired only within the same surname initial, or first word's
    of a name that may be written family name first (author_names.name_blocks)."""
    pairs: dict[tuple[int, int], list[SharedWork]] = defaultdict(list)
    for works in shared:
        pks = sorted({pk for work_id in works.work_ids for pk in authors_of.get(work_id, ())})
        if len(pks) < 2:
            continue
        if len(pks) <= PAIRWISE_GROUP_MAX:
            blocks: Iterable[list[int]] = [pks]
        else:
            by_initial: dict[str, list[int]] = defaultdict(list)
            for pk in pks:
                for initial in _blocks(people[pk]):
                    by_initial[initial].append(pk)
            blocks = by_initial.values()
        # A pair under two initials ("Murakami Haruki" and "Haruki Murakami") is one pair.
        paired = {pair for block in blocks for pair in itertools.combinations(block, 2)}
        for a, b in sorted(paired):
            pairs[a, b].append(works)
    return pairs


def name_and_work_pair(
    a: Person, b: Person, works: list[SharedWork], name: tuple[int, str]
) -> DuplicatePair:
    """The NAME_AND_WORK proposal for two authors whose names agree (`name`, from
    name_agreement) and who share `works`."""
    kept, duplicate = kept_and_duplicate(a, b)
    titles = list(dict.fromkeys(w.title for w in works if w.title))
    isbns = list(dict.fromkeys(w.isbn13 for w in works if w.isbn13))
    evidence = {
        "names": {"kept": kept.name, "duplicate": duplicate.name},
        "name_score": name[0],
        "name_reason": name[1],
        "works": titles[:EVIDENCE_MAX],
        **({"isbns": isbns[:EVIDENCE_MAX]} if isbns else {}),
    }
    if conflicts := conflicting_ids(kept, duplicate):  # two Open Library records of one person
        evidence["conflicting_ids"] = conflicts
    return DuplicatePair(kept, duplicate, Reason.NAME_AND_WORK, evidence)


def shared_id_pair(a: Person, b: Person, ids: dict[str, str]) -> DuplicatePair:
    kept, duplicate = kept_and_duplicate(a, b)
    score, _why = name_agreement(a, b)
    evidence = {
        "ids": ids,
        "names": {"kept": kept.name, "duplicate": duplicate.name},
        "name_score": score,
    }
    conflicts = conflicting_ids(kept, duplicate)
    if conflicts:
        # One of the two ids is wrong (ours or a source's): the reviewer sees both.
        evidence["conflicting_ids"] = conflicts
    years = conflicting_years(kept, duplicate)
    if years:
        evidence["conflicting_years"] = years
    return DuplicatePair(kept, duplicate, Reason.SHARED_ID, evidence)


# --- reading the catalog --------------------------------------------------------------------


def _batches(values: Iterable, size: int = IN_CHUNK) -> Iterator[list]:
    iterator = iter(values)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _live_authors():
    return Author.objects.filter(merged_into__isnull=True)


def _person(row: tuple, credits: Counter) -> Person:
    pk, name, sort_name, birth_year, death_year, birth_date, death_date, *values = row
    born, died = held_life_years(name, birth_year, death_year, birth_date or "", death_date or "")
    ids = {
        kind: normalize_author_id(kind, value or "")
        for kind, value in zip(AUTHOR_ID_FIELDS, values, strict=True)
    }
    return Person(
        pk,
        name,
        sort_name,
        {k: v for k, v in ids.items() if v},
        credits[pk],
        born.year,
        died.year,
        birth_year_approximate=born.approximate,
        death_year_approximate=died.approximate,
    )


_PERSON_COLUMNS = (
    "pk",
    "name",
    "sort_name",
    "birth_year",
    "death_year",
    "birth_date",
    "death_date",
    *AUTHOR_ID_FIELDS.values(),
)


def _load_credits() -> tuple[dict[int, set[int]], Counter]:
    """work id -> its live authors, and each live author's number of credits (one pass)."""
    authors_of: dict[int, set[int]] = defaultdict(set)
    credits: Counter = Counter()
    rows = WorkAuthor.objects.filter(author__merged_into__isnull=True).values_list(
        "author_id", "work_id"
    )
    for author_id, work_id in rows.iterator(chunk_size=5000):
        authors_of[work_id].add(author_id)
        credits[author_id] += 1
    return authors_of, credits


def _people_with_ids(credits: Counter) -> list[Person]:
    any_id = Q(pk__in=[])
    for name in AUTHOR_ID_FIELDS.values():
        any_id |= Q(**{f"{name}__isnull": False}) & ~Q(**{name: ""})
    rows = _live_authors().filter(any_id).values_list(*_PERSON_COLUMNS)
    return [_person(row, credits) for row in rows.iterator(chunk_size=2000)]


def _load_people(pks: Iterable[int], credits: Counter) -> dict[int, Person]:
    people: dict[int, Person] = {}
    for batch in _batches(sorted(set(pks))):
        for row in _live_authors().filter(pk__in=batch).values_list(*_PERSON_COLUMNS):
            people[row[0]] = _person(row, credits)
    return _with_merged_names(people)


def _with_merged_names(people: dict[int, Person]) -> dict[int, Person]:
    """Each person with the names of the authors merged into them (catalog's rule)."""
    merged = names_merged_into(people)
    return {
        pk: replace(person, merged_names=tuple(merged[pk])) if pk in merged else person
        for pk, person in people.items()
    }


def _shared_works(authors_of: dict[int, set[int]]) -> list[SharedWork]:
    """Every work credited to two live authors or more; every title held by two works or more
    (placeholder titles are keys, not titles, and generic titles name no one's book); every
    ISBN-13 two works' editions hold (one as an ISBN-10 only: ISBN-13s are unique)."""
    titles: dict[int, str] = {}
    multi = [work_id for work_id, pks in authors_of.items() if len(pks) > 1]
    for batch in _batches(multi):
        titles.update(Work.objects.filter(pk__in=batch).values_list("pk", "title"))
    shared = [SharedWork(frozenset([work_id]), titles.get(work_id, "")) for work_id in multi]

    works = Work.objects.filter(title_is_placeholder=False).exclude(title_normalized="")
    repeated = (
        works.values("title_normalized")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("title_normalized", flat=True)
    )
    by_title: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for batch in _batches([title for title in repeated if not is_generic_title(title)]):
        for pk, normalized, title in works.filter(title_normalized__in=batch).values_list(
            "pk", "title_normalized", "title"
        ):
            by_title[normalized].append((pk, title))
    shared += [
        SharedWork(frozenset(pk for pk, _t in members), min(members)[1])
        for members in by_title.values()
    ]

    short_only = Edition.objects.filter(isbn13__isnull=True).exclude(isbn10="")
    by_isbn13: dict[str, set[int]] = defaultdict(set)
    for work_id, isbn10 in short_only.values_list("work_id", "isbn10").iterator(chunk_size=2000):
        isbn13 = isbn_module.to_isbn13(isbn10)
        if isbn13:
            by_isbn13[isbn13].add(work_id)
    for batch in _batches(list(by_isbn13)):
        for work_id, held in Edition.objects.filter(isbn13__in=batch).values_list(
            "work_id", "isbn13"
        ):
            if held:
                by_isbn13[held].add(work_id)
    isbn_works = {isbn13: ids for isbn13, ids in by_isbn13.items() if len(ids) > 1}
    for batch in _batches({pk for ids in isbn_works.values() for pk in ids} - set(titles)):
        titles.update(Work.objects.filter(pk__in=batch).values_list("pk", "title"))
    shared += [
        SharedWork(frozenset(ids), titles.get(min(ids), ""), isbn13)
        for isbn13, ids in isbn_works.items()
    ]
    return shared


def _decided_pairs() -> set[tuple[int, int]]:
    return {
        _pair_key(kept, duplicate)
        for kept, duplicate in AuthorMerge.objects.values_list("kept_id", "duplicate_id")
    }


def find_duplicate_pairs() -> tuple[list[DuplicatePair], Counter[str]]:
    """Every pair of live authors that looks like one person (SHARED_ID first: an id is the
    stronger evidence), and how many pairs of names and works were left out for holding
    different ids of one kind, for different birth or death years, for names of two
    generations of a family, and for a person's name beside an organisation's."""
    authors_of, credits = _load_credits()
    found: dict[tuple[int, int], DuplicatePair] = {}
    conflicts: Counter[str] = Counter()
    two_generations: set[tuple[int, int]] = set()
    with_ids = _with_merged_names({person.pk: person for person in _people_with_ids(credits)})
    for (a, b), ids in pairs_sharing_ids(with_ids.values()).items():
        if generations_of_a_family(with_ids[a], with_ids[b]):
            two_generations.add((a, b))  # father and son: one of them holds a wrong id
            continue
        found[a, b] = shared_id_pair(with_ids[a], with_ids[b], ids)

    shared = _shared_works(authors_of)
    in_groups = {pk for works in shared for w in works.work_ids for pk in authors_of.get(w, ())}
    people = _load_people(in_groups, credits)
    for (a, b), works in pairs_sharing_works(shared, authors_of, people).items():
        if (a, b) in found or a not in people or b not in people:
            continue
        if generations_of_a_family(people[a], people[b]):
            two_generations.add((a, b))  # Dumas père and Dumas fils, on one play
            continue
        name = name_agreement(people[a], people[b])
        if name[0] < NAME_MATCH_MIN:
            continue  # a shared work without the name: co-authors, relatives
        if ids_say_two_people(people[a].ids, people[b].ids):
            conflicts["ids"] += 1  # the sources say two people (two Wikidata items...)
            continue
        if conflicting_years(people[a], people[b]) or lifetimes_apart(people[a], people[b]):
            conflicts["years"] += 1  # a father and son of one name, born decades apart
            continue
        if person_and_organisation(people[a], people[b]):
            conflicts["organisation"] += 1
            continue
        found[a, b] = name_and_work_pair(people[a], people[b], works, name)
    conflicts["generations"] = len(two_generations)
    return list(found.values()), conflicts


# --- recording proposals ----------------------------------------------------------------------


def _still_live(pks: set[int]) -> set[int]:
    """Those of these authors that are still live (not merged into another, not deleted)."""
    live: set[int] = set()
    for batch in _batches(sorted(pks)):
        live.update(_live_authors().filter(pk__in=batch).values_list("pk", flat=True))
    return live


def _wait_for_another_search() -> None:
    """Inside the recording transaction: a second search (the button clicked twice, the daily
    search while a librarian starts one) waits here until the first has committed, then reads
    its proposals as already made instead of failing on the one-open-proposal constraint.
    SQLite's IMMEDIATE transactions already record one search at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROPOSE_LOCK_KEY])


def author_duplicates_propose() -> ReconcileResult:
    """Find duplicate authors and record a PROPOSED AuthorMerge for each pair not proposed
    before. Merges nothing."""
    pairs, conflicts = find_duplicate_pairs()
    result = ReconcileResult(
        conflicting_ids=conflicts["ids"],
        conflicting_years=conflicts["years"],
        different_generations=conflicts["generations"],
        person_and_organisation=conflicts["organisation"],
    )
    with transaction.atomic():
        _wait_for_another_search()
        decided = _decided_pairs()
        live = _still_live({pk for pair in pairs for pk in (pair.kept.pk, pair.duplicate.pk)})
        new = []
        for pair in pairs:
            if pair.kept.pk not in live or pair.duplicate.pk not in live:
                continue  # merged into another or deleted while the search read the catalog
            if _pair_key(pair.kept.pk, pair.duplicate.pk) in decided:
                result.already_proposed += 1
                continue
            new.append(
                AuthorMerge(
                    kept_id=pair.kept.pk,
                    duplicate_id=pair.duplicate.pk,
                    reason=pair.reason,
                    evidence=pair.evidence,
                )
            )
            result.by_reason[pair.reason] += 1
        AuthorMerge.objects.bulk_create(new, batch_size=500)
    result.proposed = len(new)
    return result

"""The writes of one batch: new works and editions, empty fields filled on matched books (never
overwritten), and the credits and series of the works the batch creates or names."""

import dataclasses
import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from catalog import bulk, text
from catalog.importers import NormalizedRow
from catalog.importers.base import Credit
from catalog.models import Author, Edition, Work, WorkAuthor, WorkSeries
from catalog.person_names import life_years_conflict
from catalog.selectors import redirects_followed
from catalog.services.index import _chunks, _one_of


def _new_work(row: NormalizedRow, title_key: str) -> Work:
    # Inserted without save(), so the lookup key (`text.normalize_title`) is set here.
    return bulk.new_instance(
        Work,
        title=row.title,
        title_normalized=title_key[:500],
        title_is_placeholder=row.title_is_placeholder,
        subtitle=row.subtitle,
        series=row.series,
        series_number=row.series_number,
        # Only a source's original year: an edition's year (a 1996 Moby-Dick) is not the
        # work's, and a false year would hide the real one from enrichment.
        first_published_year=row.first_published_year,
        openlibrary_work_key=row.openlibrary_work_key or None,  # unique: NULL when unknown
    )


def _edition_values(row: NormalizedRow) -> dict[str, Any]:
    values: dict[str, Any] = {
        "isbn10": row.isbn10,
        "asin": row.asin,
        "publisher": row.publisher,
        "page_count": row.page_count,
        "format": row.format,
        "goodreads_book_id": row.goodreads_book_id,
        "subtitle": row.subtitle,
        "librarything_id": row.librarything_id,
        "google_books_id": row.google_books_id,
        "openlibrary_edition_key": row.openlibrary_edition_key or None,  # unique: NULL if unknown
        "language": row.language,
    }
    if row.publication_year:
        values["publication_date"] = _year_start(row.publication_year)
        values["publication_date_precision"] = Edition.DatePrecision.YEAR
    return values


def _year_start(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def _new_edition(work: Work, row: NormalizedRow) -> Edition:
    # A placeholder title is the work's stand-in, not this edition's title.
    title = "" if row.title_is_placeholder else row.title
    edition = bulk.new_instance(
        Edition, isbn13=row.isbn13 or None, title=title, **_edition_values(row)
    )
    bulk.relate(edition, "work", work)
    return edition


def _fill_empty(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if value not in ("", None) and getattr(obj, name) in ("", None):
            setattr(obj, name, value)
            changed = True
    return changed


def _fill_empty_edition(edition: Edition, row: NormalizedRow) -> bool:
    return _fill_empty(edition, _edition_values(row))


def _fill_empty_work(work: Work, row: NormalizedRow) -> bool:
    titled = _replace_placeholder_title(work, row)
    return titled | _fill_empty(
        work,
        {
            "subtitle": row.subtitle,
            "series": row.series,
            "series_number": row.series_number,
            "first_published_year": row.first_published_year,
            "openlibrary_work_key": row.openlibrary_work_key or None,
        },
    )


def _replace_placeholder_title(work: Work, row: NormalizedRow) -> bool:
    """A placeholder title (an Open Library key) counts as empty: the first row that names the
    book's real title gives it, and the work is no longer a placeholder. A row with a
    placeholder of its own never replaces a title."""
    if not work.title_is_placeholder or row.title_is_placeholder:
        return False
    work.title = row.title
    work.title_normalized = text.normalize_title(row.title)[:500]
    work.title_is_placeholder = False
    return True


EDITION_FILL_FIELDS = [
    "isbn10",
    "asin",
    "publisher",
    "page_count",
    "format",
    "goodreads_book_id",
    "subtitle",
    "publication_date",
    "publication_date_precision",
    "librarything_id",
    "google_books_id",
    "openlibrary_edition_key",
    "language",
    "updated_at",
]
WORK_FILL_FIELDS = [
    "title",
    "title_normalized",
    "title_is_placeholder",
    "subtitle",
    "series",
    "series_number",
    "first_published_year",
    "openlibrary_work_key",
    "synthetic",
    "discovery",
    "updated_at",
]


def _save_dirty(works: Iterable[Work], editions: Iterable[Edition]) -> None:
    now = timezone.now()
    existing_works = [w for w in works if w.pk]
    existing_editions = [e for e in editions if e.pk]
    for obj in (*existing_works, *existing_editions):
        obj.updated_at = now
    if existing_works:
        Work.objects.bulk_update(existing_works, WORK_FILL_FIELDS)
    if existing_editions:
        Edition.objects.bulk_update(existing_editions, EDITION_FILL_FIELDS)


def _create_credits(credits_for: dict[int, list[Credit]], works: list[Work]) -> None:
    # A new author takes the first spelling the batch gives (`Martin Rhonheimer`, then
    # `Martin. Rhonheimer`), as a later batch finds the author the first one created; and the
    # first sort name and life years given, which a row crediting the person as a co-author
    # lacks. One name whose life years differ (`Dumas, Alexandre, 1802-1870` and `…,
    # 1824-1895`: catalog.person_names) is two people, credited apart.
    people: dict[str, list[Credit]] = {}
    person_of: dict[int, tuple[str, int]] = {}  # id(credit) -> its person (name key, index)
    for credits in credits_for.values():
        for credit in credits:
            key = text.normalize_person_name(credit.name)
            if not key:
                continue
            namesakes = people.setdefault(key, [])
            index: int | None
            if namesakes and not _has_years(credit):
                index = 0  # no years: no one's differ (nearly every credit, without a search)
            else:
                index = next(
                    (i for i, p in enumerate(namesakes) if not _lives_differ(p, credit)), None
                )
            if index is None:
                index = len(namesakes)
                namesakes.append(dataclasses.replace(credit))
            else:
                _fill_empty(namesakes[index], _person_fields(credit))
            person_of[id(credit)] = (key, index)
    if not people:
        return
    chosen = _authors_of_people(people)
    unheld = [(slot, person) for slot, person in _each_person(people) if slot not in chosen]
    missing = [
        bulk.new_instance(
            Author, **_person_fields(person), name=person.name, name_normalized=slot[0][:255]
        )
        for slot, person in unheld
    ]
    bulk.insert_new(missing)
    chosen.update((slot, created) for (slot, _), created in zip(unheld, missing, strict=True))
    now = bulk.db_datetime(timezone.now())
    links = []
    for work in works:
        work_pk, seen = work.pk, set()  # each `.pk` is a call: once a work, once a credit
        for position, credit in enumerate(credits_for.get(id(work), [])):
            author = chosen.get(person_of.get(id(credit), ("", 0)))
            if author is None:
                continue
            credited = (author.pk, credit.role)
            if credited in seen:
                continue
            seen.add(credited)
            links.append((now, now, work_pk, *credited, position))
    bulk.insert_many(
        WorkAuthor, ["created_at", "updated_at", "work", "author", "role", "position"], links
    )


def _person_fields(credit: Credit) -> dict[str, Any]:
    return {
        "sort_name": credit.sort_name[:255],
        "birth_year": credit.birth_year,
        "death_year": credit.death_year,
    }


def _lives_differ(person: Credit | Author, credit: Credit) -> bool:
    return life_years_conflict(
        (person.birth_year, person.death_year), (credit.birth_year, credit.death_year)
    )


def _each_person(people: dict[str, list[Credit]]) -> Iterable[tuple[tuple[str, int], Credit]]:
    for key, namesakes in people.items():
        for index, person in enumerate(namesakes):
            yield (key, index), person


def _authors_of_people(people: dict[str, list[Credit]]) -> dict[tuple[str, int], Author]:
    """Each person's author: the one holding the name (authors_credited), or for a person
    whose life years contradict its years another live author of that name whose years do
    not; none when every one's do (a new author). The authors found get the sort name and life
    years they lack (`_fill_empty`: never replacing one)."""
    held = authors_credited(people)
    dated = [key for key, namesakes in people.items() if any(_has_years(p) for p in namesakes)]
    namesakes_held: dict[str, list[Author]] = {key: [held[key]] for key in dated if key in held}
    live = Author.objects.filter(merged_into__isnull=True).only(*_AUTHOR_COLUMNS)
    for chunk in _chunks(dated):
        for author in live.filter(_one_of(Author, "name_normalized", chunk)):
            holders = namesakes_held.setdefault(author.name_normalized, [])
            if all(author.pk != other.pk for other in holders):
                holders.append(author)
    chosen: dict[tuple[str, int], Author] = {}
    filled: dict[int, Author] = {}
    for (key, index), person in _each_person(people):
        found: Author | None = held.get(key)
        if _has_years(person):  # one whose years agree first, then one who has none
            fitting = [a for a in namesakes_held.get(key, []) if not _lives_differ(a, person)]
            found = min(fitting, key=lambda a: not _has_years(a), default=None)
        if found is None:
            continue
        chosen[key, index] = found
        if _fill_empty(found, _person_fields(person)):
            filled[found.pk] = found
    if filled:
        now = timezone.now()
        for author in filled.values():
            author.updated_at = now
        Author.objects.bulk_update(
            filled.values(), ["sort_name", "birth_year", "death_year", "updated_at"]
        )
    return chosen


def _has_years(person: Credit | Author) -> bool:
    return person.birth_year is not None or person.death_year is not None


def works_credit(credits: Iterable[tuple[Work, list[Credit]]]) -> None:
    """Credit saved works with these people, in order, by the import's own rule
    (`_create_credits`): a name an author holds goes to that author (a redirect's to the author
    it was merged into), a name nobody holds creates an author. For writers outside the import's
    batches (the catalog backfill), so that both credit people the same way."""
    pairs = list(credits)
    _create_credits({id(work): names for work, names in pairs}, [work for work, _ in pairs])


#: What the import reads of the authors it credits (another field is a query per author).
_AUTHOR_COLUMNS = (
    "id", "name_normalized", "merged_into_id", "sort_name", "birth_year", "death_year"
)  # fmt: skip


def authors_credited(keys: Iterable[str]) -> dict[str, Author]:
    """Name key -> the author a credit under that name goes to: the author holding the name,
    or, for a redirect (an author merged into another), the author it was merged into.

    The authors hold their key columns only (id, name key, redirect, sort name, years): a batch
    credits hundreds of them, and building every field of each cost more than the query.
    Another field read from one is a query of its own."""
    found: dict[str, Author] = {}
    for chunk in _chunks(keys):
        rows = Author.objects.filter(_one_of(Author, "name_normalized", chunk))
        # In pk order: of two live authors of one name (one name, two lives) the older wins.
        for values in rows.order_by("pk").values_list(*_AUTHOR_COLUMNS):
            loaded = dict(zip(_AUTHOR_COLUMNS, values, strict=True))
            author = bulk.loaded_instance(Author, loaded)
            held = found.get(author.name_normalized)
            # A live author holding the name wins over a redirect holding it too.
            if held is None or (held.merged_into_id and not author.merged_into_id):
                found[author.name_normalized] = author
    # The same rule as a search reads a redirect's name by (catalog.selectors).
    return redirects_followed(found, columns=_AUTHOR_COLUMNS)


def _create_series(planned: Iterable[tuple[Work, list[tuple[str, str]]]]) -> None:
    """Every series of each work, the primary one (Work.series) at position 0."""
    now = bulk.db_datetime(timezone.now())
    bulk.insert_many(
        WorkSeries,
        ["created_at", "updated_at", "work", "name", "number", "position"],
        (
            (now, now, work.pk, name, number, position)
            for work, entries in planned
            for position, (name, number) in enumerate(entries)
        ),
    )

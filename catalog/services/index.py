"""The batch's view of the catalog, and the rules that say two books are the same.

Rows match the catalog by ISBN-13, then Goodreads book id, then ASIN, then LibraryThing id, then
Open Library edition key, then Open Library work key, then normalized title + primary author
(strict). Every lookup is a bulk query: a fixed handful of statements per batch, whatever its
size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from catalog import text
from catalog.importers import NormalizedRow
from catalog.importers.base import Credit
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor, WorkSeries

#: A book that holds Open Library keys: a work or an edition.
_Book = TypeVar("_Book", Work, Edition)

# Title + author matching must be strict: a wrong book is worse than a duplicate
AUTHOR_MATCH_MIN = 90
SUBTITLE_MATCH_MIN = 85


# (NormalizedRow attribute, Edition field, ImportRow.MatchedBy).
EDITION_KEYS = [
    ("isbn13", "isbn13", ImportRow.MatchedBy.ISBN),
    ("goodreads_book_id", "goodreads_book_id", ImportRow.MatchedBy.GOODREADS_ID),
    ("asin", "asin", ImportRow.MatchedBy.ASIN),
    ("librarything_id", "librarything_id", ImportRow.MatchedBy.LIBRARYTHING_ID),
    ("openlibrary_edition_key", "openlibrary_edition_key", ImportRow.MatchedBy.OPENLIBRARY_ID),
]
# Values per `IN (…)`: SQLite refuses very long lists and deep expression trees (Django ticket
# #36116: a prefetch over 1,000 works became one OR per author), whatever the batch size.
IN_CHUNK = 900


def _chunks(values: Iterable) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


#: Joins `_one_of`'s values on PostgreSQL: the unit separator, a control character that no
#: lookup key holds and an identifier only from a damaged cell (then the values go as a list).
_ARRAY_SEPARATOR = "\x1f"


def _one_of(model, field_name: str, values: list[str]) -> RawSQL:
    """`<field> IN (values)` for a filter, the values passed as they are: text already in the
    column's form (identifiers, lookup keys). The ORM's `__in` prepares each value through the
    field, which cost a tenth of the import's time for the batch's lookups. On PostgreSQL one
    array parameter (`= ANY(%s)`, the plan of an IN list): psycopg parses a statement's text for
    its placeholders in Python, and does not cache that for long statements. The array goes as
    one text split by the server (`_ARRAY_SEPARATOR`): psycopg writes a list's array literal in
    Python, quoting value after value (half a millisecond for a thousand), where a join is done
    at C speed; the split is folded into the same constant array before planning."""
    qn = connection.ops.quote_name
    column = f"{qn(model._meta.db_table)}.{qn(model._meta.get_field(field_name).column)}"
    if connection.vendor == "postgresql":
        joined = _ARRAY_SEPARATOR.join(values)
        # Only when the split gives back these values: none empty, none holding the separator.
        if values and all(values) and joined.count(_ARRAY_SEPARATOR) == len(values) - 1:
            sql = f"{column} = ANY(string_to_array(%s, chr({ord(_ARRAY_SEPARATOR)})))"
            return RawSQL(sql, [joined], output_field=BooleanField())
        return RawSQL(f"{column} = ANY(%s)", [list(values)], output_field=BooleanField())
    placeholders = ", ".join(["%s"] * len(values))
    return RawSQL(f"{column} IN ({placeholders})", values, output_field=BooleanField())


@contextmanager
def _plan_off(method: str) -> Iterator[None]:
    """PostgreSQL: this plan method (`enable_<method>`) off in this transaction for what runs
    inside; elsewhere nothing.

    `seqscan`: an import batch looks the catalog up by identifiers and keys that indexes hold,
    up to IN_CHUNK values a statement. On tables the import is filling, the planner's statistics
    trail the rows: at 100,000 editions it planned each edition lookup as a parallel hash join of
    both whole tables (20 ms a statement, 8 s of a 100,000-row import) where index probes take
    a millisecond or two. `bitmapscan`: the trigram GIN index on works' titles (the search's,
    migration 0014) answers `=` too, and the planner took it for the batch's IN of exact titles
    (2 s a statement at 10,000 works, against milliseconds by the btree); a GIN index is only
    read by bitmap scans."""
    if connection.vendor != "postgresql":
        yield
        return
    setting = f"enable_{method}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(%s), set_config(%s, 'off', true)", [setting, setting]
        )
        [(previous, _off)] = cursor.fetchall()
        try:
            yield
        finally:
            cursor.execute("SELECT set_config(%s, %s, true)", [setting, previous])


def _load_works_of(editions: list[Edition]) -> None:
    """Each edition's work (`edition.work`), a work instance per edition as `select_related`
    gives. Loaded by the works' keys after the editions, not joined to their lookup: with the
    tables analyzed, the planner answered that join by reading every edition in its work's order
    and filtering each by the batch's identifiers, a statement's time growing with the table
    (12 ms at 50,000 editions; 2.5 s of the server's time in a 100,000-row import)."""
    columns = [f.attname for f in Work._meta.concrete_fields]
    pk_at = columns.index(Work._meta.pk.attname)
    by_pk = {}
    for chunk in _chunks({edition.work_id for edition in editions}):
        for values in Work.objects.filter(pk__in=chunk).order_by().values_list(*columns):
            by_pk[values[pk_at]] = values
    work_field = Edition._meta.get_field("work")
    for edition in editions:
        work = Work.from_db(connection.alias, columns, by_pk[edition.work_id])
        work_field.set_cached_value(edition, work)


def author_redirect_names(author_ids: Iterable[int]) -> dict[int, list[str]]:
    """Author id -> the normalized names of the authors merged into it (now redirects)."""
    names: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(author_ids):
        merged = Author.objects.filter(merged_into_id__in=chunk)
        for kept_id, normalized in merged.values_list("merged_into_id", "name_normalized"):
            names[kept_id].append(normalized)
    return names


def _work_key(work: Work) -> tuple:
    """A work's identity in one batch: its pk, or the object for a work not saved yet."""
    return ("pk", work.pk) if work.pk is not None else ("new", id(work))


@dataclass(slots=True)
class _TitleCandidate:
    """A work that rows with its normalized title may belong to, and what must agree."""

    work: Work
    author: str  # normalized primary author
    title: str  # without series and subtitle
    subtitle: str
    # The names of authors merged into the primary author (redirects): rows naming them are
    # theirs too.
    author_aliases: tuple[str, ...] = ()

    def full_title(self) -> str:
        return text.normalize_whole_title(self.title, self.subtitle)


@dataclass(slots=True)
class _Person:
    name: str
    normalized: str
    role: str
    aliases: tuple[str, ...] = ()  # normalized names of the authors merged into this one


class _CatalogIndex:
    """The batch's view of the catalog: existing books found by a few bulk queries (each a
    fixed number of statements per thousand rows, never one per row), plus the ones this batch
    creates, so that a book twice in one file is created once."""

    def __init__(self):
        self.by_key: dict[str, dict[str, Edition]] = {attr: {} for attr, _f, _k in EDITION_KEYS}
        self.by_title: dict[str, list[_TitleCandidate]] = defaultdict(list)
        self.people: dict[tuple, list[_Person]] = {}  # work key -> credits, in order
        self.new_credits: dict[tuple, list[Credit]] = {}  # the same for works not saved yet
        self.identified: set[tuple] = set()  # work keys with an edition an identifier finds
        self.with_series: set[tuple] = set()  # work keys whose series are known or planned
        self.made_by_this_job: set[tuple] = set()  # ("edition" | "work", pk)
        # Open Library keys are unique in the catalog: who holds each key the batch names.
        self.openlibrary_works: dict[str, Work] = {}
        self.openlibrary_editions: dict[str, Edition] = {}
        # Row title -> its lookup key, as the reading worker computed them (`title_key`).
        self.title_keys: dict[str, str] = {}

    @classmethod
    def load(
        cls,
        rows: list[NormalizedRow],
        *,
        job: ImportJob | None = None,
        title_keys: dict[str, str] | None = None,
    ) -> _CatalogIndex:
        index = cls()
        index.title_keys = title_keys or {}
        with _plan_off("seqscan"):
            index._load(rows, job)
        return index

    def _load(self, rows: list[NormalizedRow], job: ImportJob | None) -> None:
        unmatched = rows
        editions = Edition.objects.order_by()
        for attribute, field_name, _key in EDITION_KEYS:
            found = self.by_key[attribute]
            values = {getattr(row, attribute) for row in unmatched} - {""}
            for chunk in _chunks(values):
                for edition in editions.filter(_one_of(Edition, field_name, chunk)):
                    found.setdefault(getattr(edition, field_name), edition)
            unmatched = [row for row in unmatched if getattr(row, attribute) not in found]
        _load_works_of([edition for found in self.by_key.values() for edition in found.values()])
        # Only rows that no identifier found are matched by title, and never by a placeholder
        # title (an Open Library key standing in for the unknown title), theirs or the work's.
        titles = {self.title_key(row) for row in unmatched if not row.title_is_placeholder}
        with _plan_off("bitmapscan"):
            title_works = [
                work
                for chunk in _chunks(titles)
                for work in Work.objects.filter(
                    _one_of(Work, "title_normalized", chunk), title_is_placeholder=False
                )
            ]
        matched_works = {
            edition.work.pk: edition.work
            for found in self.by_key.values()
            for edition in found.values()
        }
        self._load_openlibrary_keys(rows)
        work_ids = (
            {work.pk for work in title_works}
            | set(matched_works)
            | {work.pk for work in self.openlibrary_works.values()}
        )
        self._load_people(work_ids)
        self._load_identified([work.pk for work in title_works])
        if any(row.series_entries for row in rows):
            self._load_series(work_ids)
        if job is not None and job.created_count:
            edition_ids = {e.pk for found in self.by_key.values() for e in found.values()}
            self._load_made_by(job, edition_ids, [work.pk for work in title_works])
        for work in title_works:
            main, subtitle = text.split_subtitle(text.split_series_entries(work.title)[0])
            subtitle = work.subtitle or subtitle  # a title stored whole before subtitles split
            people = self.people.get(_work_key(work), [])
            self.by_title[work.title_normalized].append(
                _TitleCandidate(
                    work=work,
                    author=people[0].normalized if people else "",
                    title=main,
                    subtitle=subtitle,
                    author_aliases=people[0].aliases if people else (),
                )
            )

    def _load_people(self, work_ids: set[int]) -> None:
        credits = WorkAuthor.objects.order_by("work_id", "position").values_list(
            "work_id", "author_id", "author__name", "author__name_normalized", "role"
        )
        rows = [row for chunk in _chunks(work_ids) for row in credits.filter(work_id__in=chunk)]
        aliases = author_redirect_names({author_id for _w, author_id, *_rest in rows})
        for work_id, author_id, name, normalized, role in rows:
            person = _Person(name, normalized, role, tuple(aliases.get(author_id, ())))
            self.people.setdefault(("pk", work_id), []).append(person)
        # Title matching compares primary authors: those credited as authors, first.
        for people in self.people.values():
            people.sort(key=lambda person: person.role != WorkAuthor.Role.AUTHOR)

    def _load_openlibrary_keys(self, rows: list[NormalizedRow]) -> None:
        """The works and editions holding the batch's Open Library keys: a work is matched by
        its key, and no key is given to a second book (the database would refuse it)."""
        work_keys = {row.openlibrary_work_key for row in rows} - {""}
        for chunk in _chunks(work_keys):
            works = Work.objects.in_bulk(chunk, field_name="openlibrary_work_key")
            self.openlibrary_works.update(works)
        edition_keys = {row.openlibrary_edition_key for row in rows} - {""}
        for chunk in _chunks(edition_keys):
            editions = Edition.objects.in_bulk(chunk, field_name="openlibrary_edition_key")
            self.openlibrary_editions.update(editions)

    def _load_identified(self, work_ids: list[int]) -> None:
        fields = [field_name for _attr, field_name, _key in EDITION_KEYS]
        for chunk in _chunks(work_ids):
            for work_id, *values in Edition.objects.filter(work_id__in=chunk).values_list(
                "work_id", *fields
            ):
                if any(values):
                    self.identified.add(("pk", work_id))

    def _load_series(self, work_ids: set[int]) -> None:
        for chunk in _chunks(work_ids):
            series = WorkSeries.objects.filter(work_id__in=chunk).values_list("work_id", flat=True)
            self.with_series.update(("pk", work_id) for work_id in series.distinct())

    def _load_made_by(self, job: ImportJob, edition_ids: set[int], work_ids: list[int]) -> None:
        """Which of the books found were created by an earlier batch of this same job."""
        made = job.rows.filter(status=ImportRow.Status.CREATED)
        for chunk in _chunks(edition_ids):
            ids = made.filter(edition_id__in=chunk).values_list("edition_id", flat=True)
            self.made_by_this_job.update(("edition", pk) for pk in ids)
        for chunk in _chunks(work_ids):
            ids = made.filter(work_id__in=chunk).values_list("work_id", flat=True)
            self.made_by_this_job.update(("work", pk) for pk in ids)

    def title_key(self, row: NormalizedRow) -> str:
        """The row's title as a lookup key (`text.normalize_title`), computed once a row."""
        key = self.title_keys.get(row.title)
        return text.normalize_title(row.title) if key is None else key

    def edition_for(self, row: NormalizedRow) -> tuple[Edition | None, str]:
        """-> (the edition one of the row's identifiers finds, that key's MatchedBy value)."""
        for attribute, _field, key in EDITION_KEYS:
            value = getattr(row, attribute)
            if value and value in self.by_key[attribute]:
                return self.by_key[attribute][value], key
        return None, ""

    def work_for(self, row: NormalizedRow) -> Work | None:
        """The work this row is another edition of: same normalized title, same primary author
        (spelling variants only), same volume, agreeing subtitles; and when the row and the
        work both carry identifiers (ISBNs, Goodreads ids), which tell two books apart, the
        same whole title. A work that
        holds the row's Open Library work key is the row's work, whatever its title."""
        if row.openlibrary_work_key in self.openlibrary_works:
            return self.openlibrary_works[row.openlibrary_work_key]
        if row.title_is_placeholder:
            return None  # a key standing in for a title names no book by title
        author = text.normalize_person_name(row.primary_author)
        if not author:
            return None  # a title alone is not enough to call two books the same
        for candidate in self.by_title.get(self.title_key(row), []):
            work = candidate.work
            same_author = any(
                fuzz.token_sort_ratio(author, known) >= AUTHOR_MATCH_MIN
                for known in (candidate.author, *candidate.author_aliases)
                if known
            )
            same_volume = not (work.series_number and row.series_number) or (
                work.series_number == row.series_number
            )
            if not (same_author and same_volume):
                continue
            if not _subtitles_agree(candidate.subtitle, row.subtitle):
                continue
            # Both sides name their own edition (ISBN, Goodreads id, ...): only the same whole
            # title makes them one work ("Axt – Best Of" and "Axt - Urlaub ..." are two books).
            whole_title = text.normalize_whole_title(row.title, row.subtitle)
            if (
                _identified(row)
                and _work_key(work) in self.identified
                and candidate.full_title() != whole_title
            ):
                continue
            return work
        return None

    def matched_by(self, edition: Edition, key: str) -> str:
        if edition.pk is None or ("edition", edition.pk) in self.made_by_this_job:
            return ImportRow.MatchedBy.EARLIER_ROW
        return key

    def matched_by_work(self, work: Work, row: NormalizedRow) -> str:
        if work.pk is None or ("work", work.pk) in self.made_by_this_job:
            return ImportRow.MatchedBy.EARLIER_ROW
        if _same_book(self.openlibrary_works.get(row.openlibrary_work_key), work):
            return ImportRow.MatchedBy.OPENLIBRARY_ID
        return ImportRow.MatchedBy.TITLE_AUTHOR

    def settle_openlibrary_keys(
        self, row: NormalizedRow, *, work: Work | None = None, edition: Edition | None = None
    ) -> None:
        """Give the row's Open Library keys to this work / edition only when no other book
        holds them (each key is unique in the catalog), with a warning otherwise; a key given
        is held from now on, so later rows find the book by it."""
        if work is not None:
            _settle_key(row, "openlibrary_work_key", self.openlibrary_works, work)
        if edition is not None:
            key = _settle_key(row, "openlibrary_edition_key", self.openlibrary_editions, edition)
            if key:
                self.by_key["openlibrary_edition_key"].setdefault(key, edition)

    def disagreements(self, row: NormalizedRow, edition: Edition, key: str) -> list[str]:
        """A warning when the book an identifier found is plainly not the row's: neither title
        is the other (or a decorated form of it) and no author is shared. The identifier stays
        the key; the librarian is told both books."""
        work = edition.work
        if row.title_is_placeholder or work.title_is_placeholder:
            return []  # one side has no title yet (Open Library's key-only reading log)
        title = self.title_key(row)
        if _titles_agree(title, work.title_normalized) or (
            edition.title and _titles_agree(title, text.normalize_title(edition.title))
        ):
            return []
        theirs = self._people_of(work)
        ours = [text.normalize_person_name(credit.name) for credit in row.credits]
        if any(
            fuzz.token_sort_ratio(a, b.normalized) >= AUTHOR_MATCH_MIN
            for a in ours
            if a
            for b in theirs
        ):
            return []
        attribute = next((attr for attr, _field, k in EDITION_KEYS if k == key), "")
        return [
            _(
                "%(key)s %(value)s is already in the catalog as %(book)s; this row says "
                "%(row_book)s."
            )
            % {
                "key": ImportRow.MatchedBy(key).label,
                "value": getattr(row, attribute, ""),
                "book": _book_label(work.title, [p.name for p in theirs]),
                "row_book": _book_label(row.title, [c.name for c in row.credits]),
            }
        ]

    def _people_of(self, work: Work) -> list[_Person]:
        key = _work_key(work)
        if key not in self.people and key in self.new_credits:
            self.people[key] = [
                _Person(c.name, text.normalize_person_name(c.name), c.role)
                for c in self.new_credits[key]
            ]
        return self.people.get(key, [])

    def plan_series(self, work: Work, row: NormalizedRow, series_for: dict) -> bool:
        """Plan the row's series for a work that has none yet, in the catalog or from the row
        that created it (the work's own primary series stays first). Returns True when the
        work gains series."""
        key = _work_key(work)
        if not row.series_entries or key in self.with_series:
            return False
        self.with_series.add(key)
        entries = list(row.series_entries)
        if work.series:
            names = {work.series.casefold()}
            entries = [(work.series, work.series_number)] + [
                entry for entry in entries if entry[0].casefold() not in names
            ]
        series_for[id(work)] = (work, entries)
        return True

    def remember_work(self, work: Work, row: NormalizedRow) -> None:
        key = _work_key(work)
        self.new_credits[key] = row.credits  # normalized only if a disagreement is checked
        if row.series_entries:
            self.with_series.add(key)
        self._remember_title(work, row)

    def name_work(
        self,
        work: Work,
        row: NormalizedRow,
        credits_for: dict[int, list[Credit]],
        credited_works: dict[int, Work],
    ) -> None:
        """A work known by its Open Library key only has just taken this row's real title: it
        also takes the row's credits when it has none (the key-only reading log names nobody),
        and later rows may find it by title and author."""
        key = _work_key(work)
        if not (self.people.get(key) or self.new_credits.get(key)) and row.credits:
            self.new_credits[key] = row.credits
            credits_for[id(work)] = row.credits
            if work.pk is not None:  # a new work's credits are written with it
                credited_works[id(work)] = work
        self._remember_title(work, row)

    def _remember_title(self, work: Work, row: NormalizedRow) -> None:
        if work.title_is_placeholder:
            return  # never matched by title
        self.by_title[work.title_normalized].append(
            _TitleCandidate(
                work=work,
                author=text.normalize_person_name(row.primary_author),
                title=row.title,
                subtitle=row.subtitle,
            )
        )

    def remember_edition(self, edition: Edition, work: Work) -> None:
        """A new edition of `work` (given: reading `edition.work` is a descriptor's lookup)."""
        identified = False
        for attribute, field_name, _key in EDITION_KEYS:
            value = getattr(edition, field_name)
            if value:
                self.by_key[attribute].setdefault(value, edition)
                identified = True
        if identified:
            self.identified.add(_work_key(work))


def _settle_key(row: NormalizedRow, attribute: str, holders: dict[str, _Book], book: _Book) -> str:
    """The row's key (`attribute`) for this book, now held by it ("" when it names none, or
    another book holds it: then the row loses it, with a warning)."""
    key = getattr(row, attribute)
    if not key:
        return ""
    holder = holders.get(key)
    if holder is not None and not _same_book(holder, book):
        setattr(row, attribute, "")
        if getattr(book, attribute) == key:  # a new book took it from the row
            setattr(book, attribute, None)
        row.warnings.append(
            _(
                "Open Library key %(key)s already belongs to %(book)s; it was not given to "
                "this book."
            )
            % {"key": key, "book": _book_label(_title_of(holder), [])}
        )
        return ""
    if getattr(book, attribute) in (None, "", key):
        holders[key] = book
        return key
    return ""


def _same_book(a, b) -> bool:
    """The same work or edition, whichever query loaded it."""
    return a is not None and (a is b or (a.pk is not None and a.pk == b.pk))


def _title_of(book: Work | Edition) -> str:
    return book.title or (book.work.title if isinstance(book, Edition) else "")


def _identified(row: NormalizedRow) -> bool:
    """The row names an edition of its own: an identifier that would tell it apart."""
    return any(getattr(row, attribute) for attribute, _field, _key in EDITION_KEYS)


def _titles_agree(a: str, b: str) -> bool:
    """Normalized titles of the same book: equal, or one is the other with words around it
    ("the subtle knife" / "his dark materials the subtle knife")."""
    return a == b or bool(a and b and (f" {a} " in f" {b} " or f" {b} " in f" {a} "))


def _book_label(title: str, authors: list[str]) -> str:
    if not authors:
        return _("'%(title)s'") % {"title": title}
    return _("'%(title)s' by %(author)s") % {"title": title, "author": authors[0]}


def _subtitles_agree(a: str, b: str) -> bool:
    if not a or not b:
        return True
    return fuzz.ratio(text.normalize_text(a), text.normalize_text(b)) >= SUBTITLE_MATCH_MIN

"""Read-side queries for the catalog (writes live in services/)."""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from django.db import connection
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.text import smart_split, unescape_string_literal

from catalog import isbn
from catalog.models import Author, Edition, Work, WorkAuthor

#: Values per `IN (…)` (SQLite refuses more than 999 bound values).
IN_CHUNK = 900

# "A work has a cover" lives here and only here: the work or one of its editions holds a cover
# image. Only fetched and checked bytes, or a librarian's own upload, ever fill `cover`; the
# `verified=True` variants also require `cover_verified_at` (set when the bytes were checked).


def _cover_q(*, verified: bool = False) -> Q:
    own = ~Q(cover="")
    return own & Q(cover_verified_at__isnull=False) if verified else own


def editions_with_cover_q(*, verified: bool = False) -> Q:
    """A filter on Edition: it holds a cover (whose bytes were checked, with `verified`)."""
    return _cover_q(verified=verified)


def names_merged_into(author_ids: Iterable[int]) -> dict[int, list[str]]:
    """Author id -> the names of the authors merged into it (its redirects): still names of
    that person, so "Alexandre Dumas" once "Alexandre Dumas fils" was merged into him says
    fils wherever an author's names are read (reconciliation, merges, enrichment). One query
    per IN_CHUNK authors."""
    ids = sorted(set(author_ids))
    merged: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), IN_CHUNK):
        rows = Author.objects.filter(merged_into_id__in=ids[start : start + IN_CHUNK])
        for kept_id, name in rows.order_by("pk").values_list("merged_into_id", "name"):
            merged[kept_id].append(name)
    return dict(merged)


#: How many merges in a row a redirect is followed through: a merge repoints the duplicate's
#: own redirects to the kept author, so a chain is rare, and a loop must still end.
REDIRECT_HOPS_MAX = 10

AuthorKey = TypeVar("AuthorKey", bound=Hashable)


def redirects_followed(
    authors: Mapping[AuthorKey, Author], *, columns: Sequence[str] = ("id", "merged_into_id")
) -> dict[AuthorKey, Author]:
    """Key -> the author each of `authors` stands for: itself when live, else the author it was
    merged into, through a chain of merges (at most REDIRECT_HOPS_MAX; a redirect whose target
    is gone stands for itself). Where imports credit a name (services.writes.authors_credited)
    and where a search reads one (work_search_q). One query a hop, the authors reached loaded
    with `columns` only."""
    followed = dict(authors)
    loaded = Author.objects.only(*columns)
    for _hop in range(REDIRECT_HOPS_MAX):
        targets = {author.merged_into_id for author in followed.values() if author.merged_into_id}
        if not targets:
            break
        by_pk = loaded.in_bulk(targets)
        followed = {
            key: by_pk.get(author.merged_into_id, author) if author.merged_into_id else author
            for key, author in followed.items()
        }
    return followed


def works_with_cover_q(*, verified: bool = False) -> Q:
    """A filter on Work: its own cover or one of its editions' (negate it for the missing)."""
    # IN (an uncorrelated subquery): both databases build its set once, where a correlated
    # EXISTS is probed for every work (3-4x slower on 100,000 works inside COUNT ... FILTER).
    covered_editions = Edition.objects.filter(_cover_q(verified=verified)).values("work_id")
    return _cover_q(verified=verified) | Q(pk__in=covered_editions)


def works_missing_metadata_q() -> Q:
    """A filter on Work: it lacks key metadata when its title is only a placeholder (an Open
    Library key), or it has no description, no first publication year, no subjects, or no
    edition with a publisher and a page count. Enrichment queues these; the API lists them."""
    complete_edition = Edition.objects.filter(work=OuterRef("pk")).exclude(publisher="")
    complete_edition = complete_edition.exclude(page_count__isnull=True)
    return (
        Q(title_is_placeholder=True)
        | Q(description="")
        | Q(first_published_year__isnull=True)
        | Q(subjects=[])
        | ~Q(Exists(complete_edition))
    )


def work_has_cover(work: Work) -> bool:
    """The same rule on one work; reads prefetched editions when there are some (no query)."""
    if work.cover:
        return True
    if "editions" in getattr(work, "_prefetched_objects_cache", {}):
        return any(edition.cover for edition in work.editions.all())
    return work.editions.exclude(cover="").exists()


def cover_holder(work: Work) -> Work | Edition | None:
    """What holds the cover a work shows: the work itself, else its first (lowest id) edition
    with a cover (as Work.display_cover picks it); reads prefetched editions when there are some."""
    if work.cover:
        return work
    if "editions" in getattr(work, "_prefetched_objects_cache", {}):
        covered = [edition for edition in work.editions.all() if edition.cover]
        return min(covered, key=lambda e: e.pk) if covered else None
    return work.editions.exclude(cover="").order_by("pk").first()


#: The annotation works_with_cover_source adds. Named through a plain `str`: the type checker's
#: Django plugin knows model fields, not annotations.
COVER_SOURCE: str = "verified_cover_source"


def works_with_cover_source(queryset: QuerySet[Work] | None = None) -> QuerySet[Work]:
    """Works annotated with `verified_cover_source`, the source of the verified cover they show:
    their own verified cover's, else their first (lowest id) verified edition cover's. "" when
    the source is unknown, None when the work has no verified cover. Each work counts once."""
    queryset = Work.objects.all() if queryset is None else queryset
    verified_edition = (
        Edition.objects.filter(_cover_q(verified=True), work=OuterRef("pk"))
        .order_by("pk")
        .values("cover_source")[:1]
    )
    return queryset.annotate(
        verified_cover_source=Case(
            When(_cover_q(verified=True), then=F("cover_source")),
            default=Subquery(verified_edition),
        )
    )


def works_by_cover_source() -> dict[str, int]:
    """How many works show a verified cover from each source ("" when it was not recorded):
    works_with_cover_source's rule, counted by two grouped queries in one rather than a subquery
    per work: the works' own verified covers, then for the others their first verified edition's."""
    verified = _cover_q(verified=True)
    own = Work.objects.filter(verified)
    first_verified = (
        Edition.objects.filter(verified).values("work_id").annotate(first=Min("pk")).values("first")
    )
    inherited = Edition.objects.filter(pk__in=first_verified).exclude(work_id__in=own.values("pk"))
    own_rows = own.values_list("cover_source").annotate(n=Count("pk")).order_by()
    inherited_rows = inherited.values_list("cover_source").annotate(n=Count("pk")).order_by()
    totals: Counter[str] = Counter()
    for source, n in own_rows.union(inherited_rows, all=True):  # one query
        totals[source] += n
    return dict(totals)


def works_showing_cover_from(
    source: str | None, queryset: QuerySet[Work] | None = None
) -> QuerySet[Work]:
    """Works whose shown verified cover came from `source` ("": not recorded); any verified
    cover when `source` is None (see works_with_cover_source)."""
    lookup: dict[str, object] = (
        {f"{COVER_SOURCE}__isnull": False} if source is None else {COVER_SOURCE: source}
    )
    return works_with_cover_source(queryset).filter(**lookup)


def works_with_display_cover(queryset: QuerySet[Work] | None = None) -> QuerySet[Work]:
    """Works annotated with their first covered edition's image names, for `display_cover`
    without a query per row."""
    queryset = Work.objects.all() if queryset is None else queryset
    covered = Edition.objects.filter(_cover_q(), work=OuterRef("pk")).order_by("id")
    return queryset.annotate(
        edition_cover_name=Subquery(covered.values("cover")[:1]),
        edition_thumbnail_name=Subquery(covered.values("cover_thumbnail")[:1]),
    )


def works_with_listed_isbn(queryset: QuerySet[Work] | None = None) -> QuerySet[Work]:
    """Works annotated with `listed_isbn`, the ISBN a list shows for them: the ISBN-13 of their
    first (lowest id) edition that has one, else the first ISBN-10; None without either."""
    queryset = Work.objects.all() if queryset is None else queryset
    editions = Edition.objects.filter(work=OuterRef("pk")).order_by("id")
    return queryset.annotate(
        listed_isbn=Coalesce(
            Subquery(editions.filter(isbn13__gt="").values("isbn13")[:1]),
            Subquery(editions.exclude(isbn10="").values("isbn10")[:1]),
        )
    )


def isbn_filter(term: str, *, prefix: str = "") -> Q | None:
    """A filter matching editions by any spelling of an ISBN (hyphens, spaces, ISBN-10 or 13),
    or None when the term is not an ISBN. `prefix` reaches editions from another model."""
    parsed = isbn.parse_isbn(term)
    if parsed is None:
        return None
    condition = Q(**{f"{prefix}isbn13": parsed.isbn13})
    if parsed.isbn10:
        condition |= Q(**{f"{prefix}isbn10": parsed.isbn10})
    return condition


# --- Text search ------------------------------------------------------------------------------
# The admin's search of works (title, subtitle, series, an author's name) through an index at any
# catalog size (catalog migration 0015), with the meaning of Django's own search kept: each word
# of the search is a case-insensitive substring. SQLite: FTS5 tables with the trigram tokenizer;
# PostgreSQL: trigram indexes on the expressions below. A word under 3 characters has no trigram:
# it is compared row by row, as before.

WORK_SEARCH_FTS = "catalog_work_search"
AUTHOR_SEARCH_FTS = "catalog_author_search"
WORK_SEARCH_SQL = "lower(title || ' ' || subtitle || ' ' || series)"
AUTHOR_SEARCH_SQL = "lower(name)"
TRIGRAM = 3


def search_terms(search_term: str) -> list[str]:
    """The words of an admin search, as Django's own search splits them: by spaces, a quoted
    phrase kept whole ("Le Guin"). A quote left open is no part of a word (`"Le Guin` is Le and
    Guin): Django's unquoting refused it, a 500. Composed (NFC), the form typed text and nearly
    every export and provider give: an accent typed as a combining mark (`e` + U+0301) found no
    `é`. Text stored decomposed is found too: each word is searched in both forms
    (`term_spellings`)."""
    terms = []
    for bit in smart_split(unicodedata.normalize("NFC", search_term)):
        if bit[:1] in ("'", '"'):
            closed = len(bit) > 1 and bit[-1] == bit[0]
            bit = unescape_string_literal(bit) if closed else bit[1:]
        if bit.strip():
            terms.append(bit)
    return terms


def term_spellings(term: str) -> list[str]:
    """A search word as stored text may hold it: composed (as `search_terms` gives it), and
    decomposed (NFD: `e` + U+0301) where that differs, as an export saved on macOS is imported
    and kept. Searching both finds such a title without rewriting the stored rows."""
    return list(dict.fromkeys([term, unicodedata.normalize("NFD", term)]))


def fts_substrings_query(terms: list[str]) -> str:
    """An FTS5 trigram MATCH of rows holding every term as a substring (`"omens" AND "good"`,
    `("café" OR "café") AND …` for either spelling), each term quoted so that none of its
    characters is read as FTS5 syntax."""
    matches = []
    for term in terms:
        quoted = ['"{}"'.format(spelling.replace('"', '""')) for spelling in term_spellings(term)]
        matches.append(quoted[0] if len(quoted) == 1 else "({})".format(" OR ".join(quoted)))
    return " AND ".join(matches)


def _like_pattern(term: str) -> str:
    return "%{}%".format(re.sub(r"([\\%_])", r"\\\1", term.lower()))


def _text_holds_every_q(
    terms: list[str], *, fts: str, table: str, text_sql: str, columns: tuple[str, ...]
) -> Q:
    """A filter on the model of `table`: its text holds every term. One index lookup for all the
    terms (an FTS5 AND or a trigram bitmap AND: a word in every row, such as "book", costs
    little beside a rare one), and a row-by-row comparison of the terms too short for it."""
    indexed = [term for term in terms if len(term) >= TRIGRAM]
    short = [term for term in terms if len(term) < TRIGRAM]
    condition = Q()
    if indexed and connection.vendor == "sqlite":
        sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"
        condition &= Q(pk__in=RawSQL(sql, [fts_substrings_query(indexed)]))
    elif indexed and connection.vendor == "postgresql":
        spellings = [term_spellings(term) for term in indexed]
        where = " AND ".join(
            "({})".format(" OR ".join([f"{text_sql} LIKE %s"] * len(each))) for each in spellings
        )
        sql = f"SELECT id FROM {table} WHERE {where}"
        params = [_like_pattern(spelling) for each in spellings for spelling in each]
        condition &= Q(pk__in=RawSQL(sql, params))
    else:
        short = terms
    for term in short:
        condition &= _text_columns_hold_q(term, columns)
    return condition


def authors_named_q(terms: list[str]) -> Q:
    """A filter on Author: its name holds every term, through the name index."""
    return _text_holds_every_q(
        terms,
        fts=AUTHOR_SEARCH_FTS,
        table="catalog_author",
        text_sql=AUTHOR_SEARCH_SQL,
        columns=("name",),
    )


def _work_text_holds_every_q(terms: list[str]) -> Q:
    return _text_holds_every_q(
        terms,
        fts=WORK_SEARCH_FTS,
        table="catalog_work",
        text_sql=WORK_SEARCH_SQL,
        columns=("title", "subtitle", "series"),
    )


def _text_columns_hold_q(term: str, columns: tuple[str, ...]) -> Q:
    """Row by row: one of `columns` holds `term` (for rows an index already narrowed)."""
    either = Q()
    for column in columns:
        for spelling in term_spellings(term):
            either |= Q(**{f"{column}__icontains": spelling})
    return either


def work_search_q(search_term: str) -> Q:
    """A filter on Work for the admin's search, as Django's search of title, subtitle, series
    and the authors' names has it: every word of the term is in one of them. Through the
    indexes: the works whose own text holds every word (one index lookup), and for each word
    some author's name holds (one query each to know), that author's works that hold the other
    words either way (compared row by row: a few works). A redirect's name (a duplicate merged
    into another author) stands for the author it was merged into: when a word is in some
    author's name, one query more finds the redirects among them, and one a hop follows them.
    One `id IN (… UNION …)`: an OR of subqueries would have both databases scan every work; no
    join repeats a work, so the list needs no DISTINCT."""
    terms = search_terms(search_term)
    if not terms:
        return Q()
    work_columns = ("title", "subtitle", "series")
    by_author = {}
    for term in terms:
        authors = Author.objects.filter(authors_named_q([term]))
        if term not in by_author and authors.exists():
            credited = authors.order_by().values("pk")
            # A merged duplicate's name ("Лев Толстой" → "Leo Tolstoy") holds no credits:
            # they moved to the author it was merged into. (A UNION: an OR of the two would
            # have PostgreSQL read every credit.)
            if kept := _authors_merged_into(authors):
                kept_authors = Author.objects.filter(pk__in=kept).order_by().values("pk")
                credited = credited.union(kept_authors)
            credits = WorkAuthor.objects.filter(author_id__in=credited)
            by_author[term] = Q(pk__in=credits.values("work_id"))
    branches = [Work.objects.filter(_work_text_holds_every_q(terms)).order_by().values("pk")]
    for term, its_authors in by_author.items():
        works = Work.objects.filter(its_authors)
        for other in terms:
            if other != term:
                held = _text_columns_hold_q(other, work_columns)
                works = works.filter(held | by_author[other] if other in by_author else held)
        branches.append(works.order_by().values("pk"))
    if len(branches) == 1:
        return Q(pk__in=branches[0])
    compiled = [branch.query.sql_with_params() for branch in branches]
    union = " UNION ".join(
        f"SELECT branch{i}.pk FROM ({sql}) AS branch{i}" for i, (sql, _) in enumerate(compiled)
    )
    return Q(pk__in=RawSQL(union, [param for _, params in compiled for param in params]))


#: The redirects of one search word followed to their kept authors: a word in more of them
#: (a letter or two, compared row by row) reads the first this many.
SEARCH_REDIRECTS_MAX = IN_CHUNK


def _authors_merged_into(authors: QuerySet[Author]) -> list[int]:
    """The ids of the authors the redirects among `authors` stand for (redirects_followed): one
    query through the merged_into index (few authors are redirects), none more when there are
    none, else one a hop."""
    redirects = authors.filter(merged_into__isnull=False).order_by().only("id", "merged_into_id")
    followed = redirects_followed({r.pk: r for r in redirects[:SEARCH_REDIRECTS_MAX]})
    return sorted({author.pk for author in followed.values()})


def edition_languages() -> list[str]:
    """The languages editions name (never ""), each once, in code order: a loose index scan,
    one index probe per language on catalog_edition_language_idx (catalog migration 0016)
    rather than a DISTINCT over every edition."""
    sql = """
        WITH RECURSIVE languages(code) AS (
            SELECT MIN(language) FROM catalog_edition WHERE language > ''
            UNION ALL
            SELECT (SELECT MIN(language) FROM catalog_edition WHERE language > code)
            FROM languages WHERE code IS NOT NULL
        )
        SELECT code FROM languages WHERE code IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [code for (code,) in cursor.fetchall()]

"""One book once: discovered books among themselves (`distinct_books`), and against the catalog
before any provider is asked (`catalog_duplicates`).

Two books are the same when they share an ISBN or an Open Library work, or when their normalized
titles are at least 60 % alike (the source documents' threshold) with the same numbers in them,
and their authors agree (or one of them names no author). "Alike" is pg_trgm's trigram
similarity on both databases (`catalog.similarity.trigram_similarity` is the same measure in
Python):
an edit ratio would call a series' volumes one book ("Harry Potter and the Chamber of Secrets" /
"… Prisoner of Azkaban": 68 % by rapidfuzz, 0.45 by trigrams). The authors are checked because
60 % alone would merge different books of a common title; the numbers, because volumes differ
by them ("Book 1" / "Book 2" are 0.56 alike). Two books of different Open Library works are
different books: Open Library says so.

Against the catalog, the same rules in a fixed handful of queries for a whole month: its ISBNs in
one `IN (…)`, its Open Library works in another; titles by pg_trgm's `%` on PostgreSQL (the GIN
index of migration catalog 0014), over the works of the book's authors on SQLite. A synthetic
work is a work: a month run again finds the ones it wrote the first time.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from rapidfuzz import fuzz

from catalog import isbn, similarity, text
from catalog.models import Edition, Work, WorkAuthor

# The import's bounded `IN (…)` lists: SQLite refuses very long ones.
from catalog.services.index import _chunks, author_redirect_names
from catalog.services.writes import authors_credited
from enrichment.backfill.books import DiscoveredBook
from enrichment.pg_trgm import trigram_threshold

#: Titles at least this alike (0–1, pg_trgm's similarity of the normalized titles) may be the
#: same book.
TITLE_SIMILARITY = 0.6
#: Two author names this alike (token_sort_ratio, 0–100) are the same person.
AUTHOR_SIMILARITY = 85


def titles_alike(a: str, b: str) -> bool:
    a, b = text.normalize_title(a), text.normalize_title(b)
    return (
        bool(a and b)
        and similarity.title_numbers(a) == similarity.title_numbers(b)
        and similarity.trigram_similarity(a, b) >= TITLE_SIMILARITY
    )


def authors_agree(a: Iterable[str], b: Iterable[str]) -> bool:
    """True when any name of `a` is a name of `b` (normalized, token order ignored)."""
    names_b = [text.normalize_person_name(name) for name in b]
    return any(
        fuzz.token_sort_ratio(text.normalize_person_name(name), other) >= AUTHOR_SIMILARITY
        for name in a
        for other in names_b
        if other
    )


def same_discovered_book(a: DiscoveredBook, b: DiscoveredBook) -> bool:
    if set(a.isbns) & set(b.isbns):
        return True
    if a.openlibrary_work_key and b.openlibrary_work_key:
        return a.openlibrary_work_key == b.openlibrary_work_key
    if not titles_alike(a.title, b.title):
        return False
    return not a.authors or not b.authors or authors_agree(a.authors, b.authors)


def distinct_books(books: Iterable[DiscoveredBook]) -> list[DiscoveredBook]:
    """Each book once, in the order first named; a later mention lends what the first lacked."""
    kept: list[DiscoveredBook] = []
    for book in books:
        same = next((seen for seen in kept if same_discovered_book(seen, book)), None)
        if same is None:
            kept.append(book)
        else:
            _absorb(same, book)
    return kept


def _absorb(kept: DiscoveredBook, other: DiscoveredBook) -> None:
    for source in (other.source, *other.also_from):
        if source and source != kept.source and source not in kept.also_from:
            kept.also_from.append(source)
    kept.isbns.extend(isbn for isbn in other.isbns if isbn not in kept.isbns)
    kept.openlibrary_work_key = kept.openlibrary_work_key or other.openlibrary_work_key
    kept.authors = kept.authors or list(other.authors)
    kept.year = kept.year or other.year
    kept.description = kept.description or other.description
    kept.genres = kept.genres or list(other.genres)
    if kept.edition_count is None:
        kept.edition_count = other.edition_count
    for key, value in other.extra.items():
        if isinstance(value, list) and isinstance(kept.extra.get(key), list):
            kept.extra[key] += [item for item in value if item not in kept.extra[key]]
        else:
            kept.extra.setdefault(key, value)


# --- Against the catalog -----------------------------------------------------------------------

#: Why a discovered book was dropped: an edition holds its ISBN; the catalog holds another
#: edition of its work (another of its ISBNs, or its Open Library work); or a work's title is
#: alike and its authors agree.
ISBN, RELATED_ISBN, TITLE_AUTHOR = "isbn", "related_isbn", "title_author"
#: Works compared per book on PostgreSQL, the most alike first (a short common title can be
#: alike to many).
TRIGRAM_CANDIDATES_MAX = 50
#: A book's candidates on PostgreSQL: `%` (similarity >= pg_trgm.similarity_threshold) is what
#: the GIN index catalog_work_title_trgm_idx answers. Parameters: title, title, limit.
TRIGRAM_SQL = (
    "SELECT id FROM catalog_work WHERE title_normalized %% %s AND NOT title_is_placeholder "
    "ORDER BY similarity(title_normalized, %s) DESC, id LIMIT %s"
)


@dataclass(slots=True)
class DuplicateFound:
    """A discovered book the catalog already holds, as work `work_id`, found by `reason`."""

    book: DiscoveredBook
    work_id: int
    reason: str


def catalog_duplicates(
    books: list[DiscoveredBook],
) -> tuple[list[DiscoveredBook], list[DuplicateFound]]:
    """(the books the catalog does not hold, in their order; the duplicates found)."""
    by_isbn = isbn_holders(value for book in books for value in book_isbns(book))
    by_key = openlibrary_key_holders(book.openlibrary_work_key for book in books)
    kept: list[DiscoveredBook] = []
    duplicates: list[DuplicateFound] = []
    for book in books:
        found = _held_by_identifier(book, by_isbn, by_key)
        if found is not None:
            duplicates.append(found)
        else:
            kept.append(book)
    if not kept:
        return kept, duplicates
    by_title = _held_by_title_and_author(kept)
    duplicates += by_title.values()
    return [book for i, book in enumerate(kept) if i not in by_title], duplicates


def book_isbns(book: DiscoveredBook) -> list[str]:
    """The book's valid ISBNs as ISBN-13s, in the source's order (the first: its edition)."""
    return list(dict.fromkeys(filter(None, (isbn.to_isbn13(raw) for raw in book.isbns))))


def isbn_holders(isbn13s: Iterable[str]) -> dict[str, int]:
    """ISBN-13 -> the work whose edition holds it, for those of `isbn13s` the catalog holds."""
    holders: dict[str, int] = {}
    for chunk in _chunks(set(isbn13s) - {""}):
        editions = Edition.objects.filter(isbn13__in=chunk).values_list("isbn13", "work_id")
        holders.update((value, work_id) for value, work_id in editions if value)
    return holders


def openlibrary_key_holders(keys: Iterable[str]) -> dict[str, int]:
    """Open Library work key -> the work that holds it, for those of `keys` the catalog holds."""
    holders: dict[str, int] = {}
    for chunk in _chunks(set(keys) - {""}):
        works = Work.objects.filter(openlibrary_work_key__in=chunk)
        holders.update(
            (key, pk) for key, pk in works.values_list("openlibrary_work_key", "pk") if key
        )
    return holders


def _held_by_identifier(
    book: DiscoveredBook, by_isbn: dict[str, int], by_key: dict[str, int]
) -> DuplicateFound | None:
    isbns = book_isbns(book)
    if isbns and isbns[0] in by_isbn:
        return DuplicateFound(book, by_isbn[isbns[0]], ISBN)
    for other in isbns[1:]:
        if other in by_isbn:
            return DuplicateFound(book, by_isbn[other], RELATED_ISBN)
    if book.openlibrary_work_key in by_key:
        return DuplicateFound(book, by_key[book.openlibrary_work_key], RELATED_ISBN)
    return None


# --- Title and author ---


@dataclass(slots=True)
class _CatalogWork:
    pk: int
    title: str
    title_normalized: str
    authors: list[str]  # the names credited as authors, and of the redirects merged into them


def _held_by_title_and_author(books: list[DiscoveredBook]) -> dict[int, DuplicateFound]:
    """Index in `books` -> the work that holds it by title and author."""
    if connection.vendor == "postgresql":
        candidates = _trigram_candidates(books)
    else:
        candidates = _name_and_title_candidates(books)
    works = _catalog_works({pk for pks in candidates.values() for pk in pks})
    found: dict[int, DuplicateFound] = {}
    for i, book in enumerate(books):
        for pk in candidates.get(i, []):
            work = works.get(pk)
            if work is not None and _same_book(book, work):
                found[i] = DuplicateFound(book, work.pk, TITLE_AUTHOR)
                break
    return found


def _same_book(book: DiscoveredBook, work: _CatalogWork) -> bool:
    """A catalog work with an alike title is the book when their authors agree; a book naming
    no author is a work only of its very title (a title alone is no match)."""
    if not book.authors:
        return text.normalize_title(book.title) == work.title_normalized
    if not titles_alike(book.title, work.title):
        return False  # pg_trgm's candidates pass the similarity, not always the numbers
    return authors_agree(book.authors, work.authors)


def _trigram_candidates(books: list[DiscoveredBook]) -> dict[int, list[int]]:
    """Per book, the works whose normalized title is at least TITLE_SIMILARITY alike by
    pg_trgm's similarity: `%` with the threshold set for this transaction only, so that the GIN
    index catalog_work_title_trgm_idx serves it (a similarity() >= x filter reads every row)."""
    candidates: dict[int, list[int]] = {}
    with trigram_threshold(TITLE_SIMILARITY) as cursor:
        for i, book in enumerate(books):
            title = text.normalize_title(book.title)
            if not title:
                continue
            cursor.execute(TRIGRAM_SQL, [title, title, TRIGRAM_CANDIDATES_MAX])
            candidates[i] = [pk for (pk,) in cursor.fetchall()]
    return candidates


def _name_and_title_candidates(books: list[DiscoveredBook]) -> dict[int, list[int]]:
    """Per book, the works credited to one of its authors (by their normalized names, an index
    lookup; a redirect's works are the author's it points to) and the works of its very title:
    never a scan of every work."""
    names = {
        i: {key for name in book.authors if (key := text.normalize_person_name(name))}
        for i, book in enumerate(books)
    }
    authors = authors_credited({key for keys in names.values() for key in keys})
    works_of_author: dict[int, list[int]] = defaultdict(list)
    author_ids = {author.pk for author in authors.values()}
    for chunk in _chunks(author_ids):
        credits = WorkAuthor.objects.filter(author_id__in=chunk, role=WorkAuthor.Role.AUTHOR)
        for author_id, work_id in credits.values_list("author_id", "work_id").order_by("work_id"):
            works_of_author[author_id].append(work_id)
    titles = {i: text.normalize_title(book.title) for i, book in enumerate(books)}
    works_of_title: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(set(titles.values()) - {""}):
        same_title = Work.objects.filter(title_normalized__in=chunk, title_is_placeholder=False)
        for title, pk in same_title.values_list("title_normalized", "pk").order_by("pk"):
            works_of_title[title].append(pk)
    candidates: dict[int, list[int]] = {}
    for i in range(len(books)):
        pks = list(works_of_title.get(titles[i], []))
        for key in names[i]:
            author = authors.get(key)
            if author is not None:
                pks += works_of_author.get(author.pk, [])
        candidates[i] = list(dict.fromkeys(pks))
    return candidates


def _catalog_works(pks: set[int]) -> dict[int, _CatalogWork]:
    """The candidate works with the names of their authors (and of those merged into them)."""
    works: dict[int, _CatalogWork] = {}
    for chunk in _chunks(pks):
        rows = Work.objects.filter(pk__in=chunk, title_is_placeholder=False)
        for pk, title, normalized in rows.values_list("pk", "title", "title_normalized"):
            works[pk] = _CatalogWork(pk, title, normalized, [])
    credits: list[tuple[int, int, str]] = []
    for chunk in _chunks(works):
        credits += WorkAuthor.objects.filter(
            work_id__in=chunk, role=WorkAuthor.Role.AUTHOR
        ).values_list("work_id", "author_id", "author__name")
    aliases = author_redirect_names({author_id for _work, author_id, _name in credits})
    for work_id, author_id, name in credits:
        works[work_id].authors += [name, *aliases.get(author_id, ())]
    return works

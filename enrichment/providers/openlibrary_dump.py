"""Open Library from a local dump (`manage.py load_openlibrary_dump`): no HTTP, no limits.

Answers ISBN lookups from the dump tables, a whole batch in a few queries, with Candidates
shaped like the online Open Library client's. The cover follows the chain edition -> work ->
sibling edition of the same work, and `Candidate.notes` says which step gave it. Not configured
(and so skipped by the cascade) until a dump is loaded.

Title searches (`search`) answer from the works' title index that the loader builds, with
Candidates shaped like the online search.json's (a work, its authors, its editions' ISBNs), so
that the cascade's matching decides exactly as for Open Library's answers. A dump loaded before
that index existed answers NOT_CONFIGURED (skipped: the search goes online) until it is reloaded.

`authors` answers author ids from the authors table, a batch in one query, read by the online
client's parser (the dump's lines are the API's records).
"""

import contextlib
import functools
import gc
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import msgspec
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from catalog import isbn, text
from catalog.isbn import isbn13_check_digit
from enrichment.author_candidates import AuthorCandidate
from enrichment.candidate_notes import Note, note
from enrichment.candidates import Candidate, Contributor, CoverRef, LookupResult, LookupStatus
from enrichment.dump import lookup
from enrichment.dump.isbn_keys import isbns_of_keys
from enrichment.providers import fields, openlibrary_authors, openlibrary_marc, settle
from enrichment.providers.base import Provider, chunks, search_key
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.publication_dates import openlibrary_iso_date

#: Cover ids offered per candidate (the first is the record's main cover).
MAX_COVERS = 3
#: Editions offered per ISBN: the same ISBN on several records is rare and usually one book.
MAX_EDITIONS_PER_ISBN = 5


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a batch, back on after (unless it was off).

    A batch of 1,000 ISBNs makes some 100,000 short-lived objects (rows, editions, candidates,
    their lists), freed by their reference counts: the collector found nothing among them, but
    its passes rescanned them and, every few batches, the whole process (every module and
    cache, ~100 ms). Paused, the batch's CPU fell by about a third (whole runs of 20 batches,
    the collections after them included). What is left is collected after the batch."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class OpenLibraryDumpProvider(Provider):
    name = "openlibrary_dump"
    label = _("Open Library (local dump)")
    supports_search = True
    fixed_batch_size = 1000
    keeps_answers = False  # read from local tables each time: no source record to show
    # Local tables: no URL, key, rate or budget of its own (the default SettingNames); its
    # records' pages and covers are Open Library's, at the URLs OpenLibraryProvider names.

    @classmethod
    def book_url(cls, ids: dict[str, str]) -> str:
        return OpenLibraryProvider.book_url(ids)  # the same records, online

    def is_configured(self) -> bool:
        return lookup.dump_is_loaded()

    @collector_paused()
    def lookup_isbns(self, isbns: Sequence[str]) -> dict[str, LookupResult]:
        """One LookupResult per asked ISBN, keyed by its ISBN-13 (an invalid ISBN: by itself).

        Local tables: no cache, throttle or circuit breaker, and no request counted. Python's
        cyclic collector is paused meanwhile (`collector_paused`).
        """
        results: dict[str, LookupResult] = {}
        wanted: dict[str, None] = {}
        for raw in isbns:
            isbn13 = canonical_isbn13(str(raw))
            if isbn13 is None:
                key = isbn.canonicalize(raw) or str(raw)
                results[key] = self._result(key, LookupStatus.NOT_FOUND, error="not a valid ISBN")
            else:
                wanted[isbn13] = None
        if not wanted:
            return results
        present = lookup.dump_tables_present()
        if not lookup.dump_is_loaded(present):
            for isbn13 in wanted:
                results[isbn13] = self._result(isbn13, LookupStatus.NOT_CONFIGURED)
            return results
        urls = record_urls()  # once a call, not twice a candidate
        for chunk in chunks(list(wanted), self.batch_size):
            matches = lookup.editions_by_isbn(chunk, present=present)
            for isbn13, candidates in settled_candidates(chunk, matches, urls).items():
                status = LookupStatus.FOUND if candidates else LookupStatus.NOT_FOUND
                results[isbn13] = self._result(isbn13, status, candidates=candidates)
        return results

    def search(self, *, title: str, author: str) -> LookupResult:
        """Works of the dump alike `title`, as Candidates (see `lookup.works_by_title`).

        Local tables: no cache, throttle or request counted. NOT_CONFIGURED (the cascade skips
        it) without a dump, or with one loaded before the title index (the error says which
        file to reload); a database error is this provider's fault, never an exception.
        """
        key = search_key(title=title, author=author)
        if not text.normalize_text(title):
            return self._result(key, LookupStatus.NOT_FOUND, error="no title to search for")
        try:
            present = lookup.dump_tables_present()
            if not lookup.dump_is_loaded(present):
                return self._result(key, LookupStatus.NOT_CONFIGURED, error="no dump loaded")
            if problem := lookup.title_search_problem(present):
                return self._result(key, LookupStatus.NOT_CONFIGURED, error=problem)
            matches = lookup.works_by_title(title=title, author=author, present=present)
            candidates = [
                settle.settle_candidate(candidate_from_title_match(match)) for match in matches
            ]
        except Exception as exc:
            return self._fault_result(key, self._internal_fault(exc))
        status = LookupStatus.FOUND if candidates else LookupStatus.NOT_FOUND
        return self._result(key, status, candidates=candidates)

    def authors(self, keys: Sequence[str]) -> dict[str, LookupResult[AuthorCandidate]]:
        """Open Library author ids ("OL23919A", "/authors/OL23919A") -> their records in the
        dump's authors table, as the online `OpenLibraryProvider.authors` answers them (keyed by
        the author id): one query for the batch, no request. NOT_CONFIGURED until the authors
        are loaded (`load_openlibrary_dump --authors`).

        The table keeps a record's name, dates and remote ids: no bio, photos or alternate
        names (the online record has them).
        """
        results: dict[str, LookupResult[AuthorCandidate]] = {}
        wanted: dict[str, int] = {}
        for key in keys:
            if author_id := openlibrary_authors.author_key(key):
                wanted[author_id] = int(author_id[2:-1])
            else:
                results[str(key)] = self._result(
                    str(key), LookupStatus.NOT_FOUND, error="not an Open Library author key"
                )
        present = lookup.dump_tables_present() if wanted else set()
        if "author" not in present:
            for author_id in wanted:
                results[author_id] = self._result(
                    f"author:{author_id}", LookupStatus.NOT_CONFIGURED
                )
            return results
        rows = lookup.authors_by_id(wanted.values(), present=present)
        base_url = OpenLibraryProvider.configured_url()
        covers_url = OpenLibraryProvider.configured_url("covers_url")
        for author_id, number in wanted.items():
            row = rows.get(number)
            candidates = []
            if row is not None:
                candidate = openlibrary_authors.author_candidate(
                    author_record(row), provider=self.name, base_url=base_url, covers_url=covers_url
                )
                candidates.append(fields.cap_author_candidate_text(candidate))
            status = LookupStatus.FOUND if candidates else LookupStatus.NOT_FOUND
            results[author_id] = self._result(f"author:{author_id}", status, candidates=candidates)
        return results


def author_record(author: lookup.DumpAuthor) -> dict:
    """A row of the authors table as the Open Library record it was loaded from (the fields
    the loader keeps), for the one parser of author records."""
    return {
        "key": f"/authors/OL{author.author_id}A",
        "type": {"key": "/type/author"},
        "name": author.name,
        "birth_date": author.birth_date,
        "death_date": author.death_date,
        "remote_ids": author.remote_ids,
    }


# The dump spells dates a few thousand ways ("1994", "December 1993"), each parsed by trying
# formats in turn: remember the answers, a batch of 1,000 repeats most of them.
iso_date = functools.lru_cache(maxsize=50_000)(openlibrary_iso_date)
year_of = functools.lru_cache(maxsize=50_000)(fields.year_of)
# A few hundred languages and formats, each spelled a few ways: remembered too.
language_code = functools.lru_cache(maxsize=10_000)(fields.language_code)
edition_format = functools.lru_cache(maxsize=10_000)(fields.edition_format)
# An author has many editions, and a campaign asks for them batch after batch.
person_name = functools.lru_cache(maxsize=50_000)(fields.person_name)


def catalogue_fields(
    edition: lookup.DumpEdition, authors: Sequence[lookup.DumpAuthor]
) -> openlibrary_marc.CatalogueFields:
    """The edition's catalogue text and its authors read by the one reader
    (`openlibrary_marc.catalogue_fields`), remembered by what it reads: most editions hold no
    series or credits, and their publisher, its places, their pagination and their authors
    repeat (a publisher's names and places are the costliest rule of a candidate). The people
    are immutable; callers copy the list."""
    return _catalogue_fields(
        edition.publisher,
        edition.page_count,
        _catalogue_key(edition.catalogue_fields),
        tuple((author.name, author.author_id) for author in authors if author.name),
    )


_catalogue_key = msgspec.json.Encoder(order="deterministic").encode


@functools.lru_cache(maxsize=50_000)
def _catalogue_fields(
    publisher: str, page_count: int | None, catalogue: bytes, authors: tuple[tuple[str, int], ...]
) -> openlibrary_marc.CatalogueFields:
    return openlibrary_marc.catalogue_fields(
        {**lookup.decode_json(catalogue), "publishers": [publisher], "number_of_pages": page_count},
        (
            Contributor(name=person_name(name), provider_id=f"OL{author_id}A")
            for name, author_id in authors
        ),
    )


class RecordUrls(NamedTuple):
    """Open Library's site and covers URLs, as configured (read once per batch)."""

    base_url: str
    covers_url: str


def record_urls() -> RecordUrls:
    return RecordUrls(
        OpenLibraryProvider.configured_url(), OpenLibraryProvider.configured_url("covers_url")
    )


def canonical_isbn13(raw: str) -> str | None:
    """`isbn.to_isbn13`, with a shortcut for what the engine sends: canonical ISBN-13s."""
    if len(raw) == 13 and raw.isascii() and raw.isdigit() and raw[:3] in ("978", "979"):
        return raw if isbn13_check_digit(raw[:12]) == raw[12] else None
    return isbn.to_isbn13(raw)


def cover_refs(cover_ids: list[int], *, covers_url: str | None = None) -> list[CoverRef]:
    """Large then medium cover by id, as the online client offers them."""
    if covers_url is None:
        covers_url = OpenLibraryProvider.configured_url("covers_url")
    return [
        CoverRef(
            provider=OpenLibraryDumpProvider.name,
            url=f"{covers_url}/b/id/{cover_id}-{size}.jpg",
            cover_id=str(cover_id),
            size_label=size,
        )
        for cover_id in cover_ids[:MAX_COVERS]
        for size in ("L", "M")
    ]


def cover_note(match: lookup.EditionMatch, made: dict | None = None) -> Note:
    """The step of the cover chain that gave the cover, for reviewers (`chain_note`)."""
    return chain_note(
        work_id=match.edition.work_id,
        cover_from=match.cover_from,
        cover_edition_id=match.cover_edition_id,
        made=made,
    )


def chain_note(
    *,
    work_id: int | str | None,
    cover_from: str,
    cover_edition_id: int | str | None,
    made: dict | None = None,
) -> Note:
    """The words for a step of the cover chain (the provider's and the campaign's; the
    campaign passes tokens for the numbers, which are only formatted): a note a reviewer reads
    among the request's candidates, in their language. A batch passes `made`, the notes it made
    already: a note is never changed once made, and two of the four steps' notes are the same
    for every candidate, so each is made once a batch (making one, its language looked up and
    its message translated, cost more than the rest of a candidate's notes)."""
    message, values = _chain_step(work_id, cover_from, cover_edition_id)
    if made is None:
        return note(message, **values)
    key = (message, *values.values())
    if (said := made.get(key)) is None:
        said = made[key] = note(message, **values)
    return said


def _chain_step(
    work_id: int | str | None, cover_from: str, cover_edition_id: int | str | None
) -> tuple[str, dict[str, str]]:
    work_key = f"OL{work_id}W"
    if cover_from == lookup.COVER_FROM_EDITION:
        return gettext_noop("cover from the edition"), {}
    if cover_from == lookup.COVER_FROM_WORK:
        return gettext_noop("cover from the work %(work)s"), {"work": work_key}
    if cover_from == lookup.COVER_FROM_SIBLING:
        return (
            gettext_noop("cover from sibling edition %(edition)s of work %(work)s"),
            {"edition": f"OL{cover_edition_id}M", "work": work_key},
        )
    return gettext_noop("no cover in the edition, its work or another edition of the work"), {}


def settled_candidates(
    isbn13s: Sequence[str], matches: dict[str, list[lookup.EditionMatch]], urls: RecordUrls
) -> dict[str, list[Candidate]]:
    """Each asked ISBN's candidates (up to MAX_EDITIONS_PER_ISBN), as every provider hands
    them on (settle.settle_candidate)."""
    # Their notes' text is English (candidate_notes.Note): one switch of language for the
    # batch, where each note switched to English and back (about half of what a note costs).
    made: dict = {}  # the batch's cover notes (`chain_note`)
    with translation.override("en"):
        return {
            isbn13: [
                settle.settle_candidate(candidate_from_match(match, urls=urls, notes_made=made))
                for match in matches.get(isbn13, [])[:MAX_EDITIONS_PER_ISBN]
            ]
            for isbn13 in isbn13s
        }


def candidate_from_match(
    match: lookup.EditionMatch, *, urls: RecordUrls | None = None, notes_made: dict | None = None
) -> Candidate:
    urls = urls or record_urls()
    edition, work = match.edition, match.work
    edition_key = f"OL{edition.edition_id}M"
    ids = {"openlibrary_edition": edition_key}
    if edition.work_id is not None:
        ids["openlibrary_work"] = f"OL{edition.work_id}W"
    isbn13s, isbn10s = isbns_of_keys(edition.isbn_keys)
    catalogue = catalogue_fields(edition, match.authors)
    return Candidate(
        provider=OpenLibraryDumpProvider.name,
        provider_ids=ids,
        isbn13=isbn13s,
        isbn10=isbn10s,
        title=edition.title or (work.title if work else ""),
        subtitle=edition.subtitle or (work.subtitle if work and not edition.title else ""),
        authors=list(catalogue.people),  # remembered: each candidate its own list
        publisher=catalogue.publisher,
        publication_date=iso_date(edition.publish_date),
        page_count=catalogue.page_count,
        series=catalogue.series,
        series_number=catalogue.series_number,
        format=edition_format(edition.physical_format),
        language=language_code(edition.language),
        description=work.description if work else "",
        subjects=fields.subjects(work.subjects) if work else [],
        covers=cover_refs(match.cover_ids, covers_url=urls.covers_url),
        queried_isbn=match.isbn13,
        first_published_year=year_of(work.first_publish_date) if work else None,
        source_url=f"{urls.base_url}/books/{edition_key}",
        notes=[cover_note(match, notes_made)],
    )


def candidate_from_title_match(match: lookup.TitleMatch) -> Candidate:
    """A work found by title, as the online search.json's doc for it reads: the work's key,
    title and authors, the ISBNs of its editions (the first published edition's first), the
    first edition's publisher and language, the work's covers."""
    work = match.work
    work_key = f"OL{work.work_id}W"
    isbn_keys = [key for edition in match.editions for key in edition.isbn_keys]
    isbn13s, isbn10s = isbns_of_keys(list(dict.fromkeys(isbn_keys)))
    first = match.editions[0] if match.editions else None
    base_url = OpenLibraryProvider.configured_url()
    return Candidate(
        provider=OpenLibraryDumpProvider.name,
        provider_ids={"openlibrary_work": work_key},
        isbn13=isbn13s,
        isbn10=isbn10s,
        title=work.title,
        subtitle=work.subtitle,
        authors=fields.unique_people(
            Contributor(name=fields.person_name(author.name), provider_id=f"OL{author.author_id}A")
            for author in match.authors
            if author.name
        ),
        publisher=fields.publisher_name(first.publisher) if first else "",
        language=fields.language_code(first.language) if first else "",
        description=work.description,
        subjects=fields.subjects(work.subjects),
        covers=cover_refs(work.cover_ids),
        first_published_year=year_of(work.first_publish_date),
        source_url=f"{base_url}/works/{work_key}",
        notes=[
            note(
                gettext_noop("found by title in the dump (%(percent)s alike)"),
                percent=f"{match.similarity:.0%}",
            )
        ],
    )

"""A month's resolved and unresolved books written into the catalog, in one transaction.

A resolved book becomes a work with one edition (its ISBN) and its authors' credits, for the
normal enrichment to complete: the orchestration queues them all in one call, so their ISBNs are
looked up in batches. A book no provider resolved becomes a *synthetic* work: the same work and
credits, no edition, `synthetic` set, what its source said kept in `discovery`, its enrichment
status "unresolved" (never shown as resolved) and its completeness low by the usual rule. The
daily retry (`enrichment.backfill.synthetic`) upgrades it in place once a provider resolves it.

What a discovery source says is written into the work's fields only for the book's identity
(title, authors) and, from catalogue sources, its first publication year and genres (as
subjects). The description is never written here: a source's description would block the one
enrichment brings with its provenance and audit entry (enrichment fills empty fields only), and
a language model's is no fact. A model's year and genres stay in `discovery` for the same
reason: its books are proposals the cascade must resolve, never catalogue data.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from catalog import isbn
from catalog.importers.base import Credit
from catalog.models import Edition, EnrichmentStatus, Work
from catalog.services.writes import works_credit
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.dedupe import (
    ISBN,
    DuplicateFound,
    isbn_holders,
    openlibrary_key_holders,
)
from enrichment.backfill.resolve import ResolvedBook
from enrichment.backfill.sources import proposing_sources
from enrichment.work_state import work_refresh

#: Genres kept as a work's subjects, at most (enrichment adds the providers' own).
SUBJECTS_FROM_GENRES_MAX = 10
SUBJECT_MAX_CHARS = 100
#: The key of `Work.discovery` that says why a synthetic work is unresolved.
UNRESOLVED = "unresolved"


@dataclass(slots=True)
class WrittenWorks:
    """The works written: resolved (to queue for enrichment) and synthetic; and the resolved
    books whose ISBN another work took meanwhile (held by it: nothing written for them)."""

    resolved_work_ids: list[int] = field(default_factory=list)
    synthetic_work_ids: list[int] = field(default_factory=list)
    already_held: list[DuplicateFound] = field(default_factory=list)


def works_from_backfill(books: list[ResolvedBook], *, month_label: str) -> WrittenWorks:
    """Write each book as a work (with its edition when resolved); see the module docstring.
    Resolved works are not queued here: the caller queues them all at once."""
    written = WrittenWorks()
    credited: list[tuple[Work, list[Credit]]] = []
    with transaction.atomic():
        held_isbns = isbn_holders(resolved.isbn13 for resolved in books)
        held_keys = openlibrary_key_holders(
            resolved.book.openlibrary_work_key for resolved in books
        )
        for resolved in books:
            if resolved.resolved and resolved.isbn13 in held_isbns:
                holder = held_isbns[resolved.isbn13]
                written.already_held.append(DuplicateFound(resolved.book, holder, ISBN))
                continue
            values = work_values(resolved, month_label=month_label)
            if values.get("openlibrary_work_key") in held_keys:
                values["openlibrary_work_key"] = None  # unique: another work holds it
            saved = _work_saved(values, isbn13=resolved.isbn13)
            if not isinstance(saved, Work):
                written.already_held.append(DuplicateFound(resolved.book, saved, ISBN))
                continue
            if resolved.resolved:
                held_isbns[resolved.isbn13] = saved.pk
                written.resolved_work_ids.append(saved.pk)
            else:
                written.synthetic_work_ids.append(saved.pk)
            if saved.openlibrary_work_key:
                held_keys[saved.openlibrary_work_key] = saved.pk
            credited.append((saved, book_credits(resolved.book)))
        works_credit(credited)
        for work, _credits in credited:
            # Completeness by the one rule (credits and edition counted); no enrichment yet.
            work_refresh(work, status=work.enrichment_status or None, touched=False)
    return written


def book_credits(book: DiscoveredBook) -> list[Credit]:
    return [Credit(name=name.strip()[:255]) for name in book.authors if name and name.strip()]


def from_catalogue(book: DiscoveredBook) -> bool:
    """Whether everything known of the book came from catalogue sources (no proposing source
    named it: merged mentions lend each other fields, so one such mention taints them)."""
    return not ({book.source, *book.also_from} & proposing_sources())


def work_values(resolved: ResolvedBook, *, month_label: str) -> dict[str, Any]:
    """The new work's fields for a resolved or an unresolved (synthetic) book."""
    book = resolved.book
    trusted = from_catalogue(book)
    values: dict[str, Any] = {
        "title": book.title.strip()[:500],
        "first_published_year": book.year if trusted else None,
        "subjects": _subjects(book.genres) if trusted else [],
        "openlibrary_work_key": book.openlibrary_work_key or None,  # unique: NULL when unknown
        "discovery": discovery_record(resolved, month_label=month_label),
    }
    if not resolved.resolved:
        values["synthetic"] = True
        values["enrichment_status"] = synthetic_status(resolved)
    return values


def synthetic_status(resolved: ResolvedBook) -> str:
    """A synthetic work's enrichment status: "No provider knows it" only when every provider
    answered and none knew it; "Waiting: providers unavailable" when some could not be asked
    (budget spent, breaker open, out of time) or failed: the daily retry asks them again."""
    return EnrichmentStatus.UNRESOLVED if resolved.final else EnrichmentStatus.WAITING


def discovery_record(resolved: ResolvedBook, *, month_label: str) -> dict[str, Any]:
    """What the work keeps of its discovery: the source's record of the book, the month, and
    who resolved it, or why nobody did."""
    record: dict[str, Any] = {**resolved.book.as_json(), "month": month_label}
    if resolved.resolved:
        record["resolved_by"] = resolved.provider
    else:
        record[UNRESOLVED] = unresolved_record(resolved)
    return record


def unresolved_record(resolved: ResolvedBook) -> dict[str, Any]:
    """Why a book is still unresolved: the providers that answered without a match, those
    unavailable and those that failed; or why nobody was asked."""
    resolution = resolved.resolution
    return {
        "not_searched": resolved.not_searched,
        "error": resolved.error,
        "asked": [o.provider for o in resolution.asked] if resolution else [],
        "unavailable": [f"{o.provider}: {o.status}" for o in resolution.skipped]
        if resolution
        else [],
        "failed": [f"{o.provider}: {o.status}" for o in resolution.failed] if resolution else [],
    }


def _subjects(genres: list[str]) -> list[str]:
    kept: dict[str, str] = {}
    for genre in genres:
        genre = " ".join(str(genre).split())[:SUBJECT_MAX_CHARS]
        if genre and genre.casefold() not in kept:
            kept[genre.casefold()] = genre
    return list(kept.values())[:SUBJECTS_FROM_GENRES_MAX]


def _work_saved(values: dict[str, Any], *, isbn13: str) -> Work | int:
    """The saved work (and its edition, for an ISBN), or the id of the work whose edition took
    the ISBN meanwhile (a concurrent import or month: the unique index refused ours)."""
    while True:
        try:
            with transaction.atomic():
                work = Work.objects.create(**values)
                if isbn13:
                    Edition.objects.create(
                        work=work, isbn13=isbn13, isbn10=isbn.isbn13_to_isbn10(isbn13) or ""
                    )
            return work
        except IntegrityError:
            holder = (
                Edition.objects.filter(isbn13=isbn13).values_list("work_id", flat=True).first()
                if isbn13
                else None
            )
            if holder is not None:
                return holder
            key = values.get("openlibrary_work_key")
            if key and Work.objects.filter(openlibrary_work_key=key).exists():
                values = {**values, "openlibrary_work_key": None}
                continue
            raise

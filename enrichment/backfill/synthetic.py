"""Synthetic works: the backfill's books no provider resolved yet, retried daily.

The daily task asks the providers again about the synthetic works tried longest ago (each try's
time and count kept in the work's `discovery`), through the same resolution as a month's books.
A work that resolves is upgraded in place: the same work gains the edition with its ISBN, is no
longer synthetic, is audited ("Synthetic work resolved") and queued for the normal enrichment.
When every provider is unavailable (budgets not reset yet, breakers open) the retry stops: the
works it did not reach keep their place for the next day.

An ISBN another work already holds is not given to the synthetic work: the two are likely the
same book, which a person must decide (merge them by hand). The work stays synthetic and its
`discovery` names the other work (`duplicate_of`).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext

from catalog import isbn
from catalog.models import Edition, EnrichmentStatus, Work, WorkAuthor
from enrichment import queue
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.resolve import ResolvedBook, books_resolve
from enrichment.backfill.works import UNRESOLVED, synthetic_status, unresolved_record
from enrichment.candidates import lookup_status_label
from enrichment.history import history_record
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.providers.base import Provider
from enrichment.providers.registry import enabled_providers, provider_label
from enrichment.work_state import work_refresh

logger = logging.getLogger(__name__)

#: Works resolved per round: what a round resolved is written before the next is asked about,
#: so a worker that stops half way loses at most one round.
RETRY_ROUND = 20
#: The keys of `Work.discovery` the retry writes.
LAST_TRY_AT, TRIES, DUPLICATE_OF = "last_try_at", "tries", "duplicate_of"
RESOLVED_BY, RESOLVED_AT = "resolved_by", "resolved_at"


@dataclass(slots=True)
class SyntheticRetryReport:
    """One daily retry: works asked about, upgraded, still synthetic; why it stopped early ("":
    it did not), the requests sent per provider, and (work, the work holding its ISBN) for
    works left to a person."""

    tried: int = 0
    upgraded: int = 0
    still_synthetic: int = 0
    stopped: str = ""
    calls: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[int, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "tried": self.tried,
            "upgraded": self.upgraded,
            "still_synthetic": self.still_synthetic,
            "stopped": self.stopped,
            "calls": dict(self.calls),
            "duplicates": [list(pair) for pair in self.duplicates],
        }


def synthetic_works_retry(
    *, limit: int | None = None, providers: list[Provider] | None = None
) -> SyntheticRetryReport:
    """Ask the providers again about up to `limit` synthetic works (BACKFILL_SYNTHETIC_RETRY_
    LIMIT), never tried or tried longest ago first; upgrade those that resolve."""
    limit = settings.BACKFILL_SYNTHETIC_RETRY_LIMIT if limit is None else limit
    providers = enabled_providers() if providers is None else providers
    report = SyntheticRetryReport()
    works = list(synthetic_works_due().prefetch_related("credits__author")[: max(limit, 0)])
    for start in range(0, len(works), RETRY_ROUND):
        chunk = works[start : start + RETRY_ROUND]
        resolutions = books_resolve([synthetic_book(work) for work in chunk], providers=providers)
        for provider, n in resolutions.calls.items():
            report.calls[provider] = report.calls.get(provider, 0) + n
        for work, resolved in zip(chunk, resolutions.books, strict=True):
            if resolved.not_tried:
                continue  # it keeps its place for the next retry
            report.tried += 1
            settled = synthetic_work_settle(work=work, resolved=resolved)
            report.upgraded += settled.upgraded
            report.still_synthetic += settled.still_synthetic
            if settled.duplicate_of is not None:
                report.duplicates.append((work.pk, settled.duplicate_of))
        if resolutions.stopped:
            report.stopped = stopped_text(resolutions.stopped_by)
            break
    logger.info("Synthetic works retried: %s", report.as_json())
    return report


@dataclass(frozen=True, slots=True)
class Settled:
    """What a search did to a synthetic work: upgraded, or still synthetic (and the work that
    holds the ISBN it resolved to, for a person to merge); neither when someone else upgraded
    it meanwhile."""

    upgraded: bool = False
    still_synthetic: bool = False
    duplicate_of: int | None = None


def synthetic_work_settle(*, work: Work, resolved: ResolvedBook) -> Settled:
    """Write what a search found of a synthetic work (a book it asked about, not one that
    waits for the providers): upgraded in place when it resolved, else the try recorded in
    its discovery (its time, count and why it is unresolved)."""
    outcome = _upgrade(work=work, resolved=resolved) if resolved.resolved else None
    if isinstance(outcome, AuditLogEntry):
        return Settled(upgraded=True)
    if resolved.resolved and outcome is None:
        return Settled()  # upgraded meanwhile by someone else
    _tried(work, resolved)
    return Settled(still_synthetic=True, duplicate_of=outcome)


def synthetic_works_among(work_ids: Iterable[int]) -> list[Work]:
    """The synthetic works among `work_ids` (a month's duplicates), ready for
    `synthetic_book`."""
    return list(
        Work.objects.filter(pk__in=set(work_ids), synthetic=True)
        .prefetch_related("credits__author")
        .order_by("pk")
    )


def synthetic_works_due():
    """Synthetic works, the never tried first, then by their last try, oldest first."""
    return (
        Work.objects.filter(synthetic=True)
        .alias(discovery_last_try=KT(f"discovery__{LAST_TRY_AT}"))
        .order_by(F("discovery_last_try").asc(nulls_first=True), "pk")
    )


def synthetic_book(work: Work) -> DiscoveredBook:
    """The book to resolve for a synthetic work: what its discovery said, with the title and
    authors the work has now (a librarian may have corrected them)."""
    record = work.discovery or {}
    credits = sorted(work.credits.all(), key=lambda credit: credit.position)  # prefetched
    authors = [c.author.name for c in credits if c.role == WorkAuthor.Role.AUTHOR]
    return DiscoveredBook(
        title=work.title,
        authors=authors or [str(name) for name in record.get("authors") or []],
        source=str(record.get("source") or ""),
        year=record.get("year"),
        month=record.get("month") if isinstance(record.get("month"), int) else None,
        description=str(record.get("description") or ""),
        genres=[str(genre) for genre in record.get("genres") or []],
        isbns=[str(value) for value in record.get("isbns") or []],
        openlibrary_work_key=str(record.get("openlibrary_work_key") or ""),
        edition_count=record.get("edition_count"),
        also_from=[str(source) for source in record.get("also_from") or []],
    )


def stopped_text(unavailable) -> str:
    """Why the retry stopped: each provider that could not be asked, and why."""
    reasons = "; ".join(
        f"{provider_label(outcome.provider)}: {lookup_status_label(outcome.status)}"
        for outcome in unavailable
    )
    if not reasons:
        return gettext("No provider that can search by title is enabled.")
    return gettext("Every provider is unavailable for now (%(reasons)s).") % {"reasons": reasons}


def synthetic_work_upgrade(
    *, work: Work, resolved: ResolvedBook, actor=None
) -> AuditLogEntry | None:
    """Upgrade a synthetic work in place, now that `resolved` gives its ISBN: the same work gains
    the edition, is no longer synthetic, is audited and queued for enrichment (one transaction,
    the work locked). None, and nothing upgraded, when another work holds the ISBN (the work's
    `discovery` names it) or the work is no longer synthetic."""
    outcome = _upgrade(work=work, resolved=resolved, actor=actor)
    return outcome if isinstance(outcome, AuditLogEntry) else None


def _upgrade(*, work: Work, resolved: ResolvedBook, actor=None) -> AuditLogEntry | int | None:
    """The upgrade's audit entry; else the id of the work holding the ISBN, or None (the work
    is no longer synthetic)."""
    isbn13 = isbn.to_isbn13(resolved.isbn13)
    if not isbn13:
        raise ValueError(f"not an ISBN: {resolved.isbn13!r}")
    with transaction.atomic():
        work = Work.objects.select_for_update().get(pk=work.pk)
        if not work.synthetic:
            return None
        holder = Edition.objects.filter(isbn13=isbn13).values_list("work_id", flat=True).first()
        if holder is not None and holder != work.pk:
            _record(work, {DUPLICATE_OF: holder, "duplicate_isbn13": isbn13})
            return holder
        edition = Edition.objects.filter(work=work, isbn13=isbn13).first()
        if edition is None:
            try:
                with transaction.atomic():
                    edition = Edition.objects.create(
                        work=work, isbn13=isbn13, isbn10=isbn.isbn13_to_isbn10(isbn13) or ""
                    )
            except IntegrityError:  # taken meanwhile by another work
                holders = Edition.objects.filter(isbn13=isbn13).values_list("work_id", flat=True)
                holder = holders.first()
                if holder is None:
                    raise
                _record(work, {DUPLICATE_OF: holder, "duplicate_isbn13": isbn13})
                return holder
        now = timezone.now()
        work.synthetic = False
        work.enrichment_status = EnrichmentStatus.NOT_ENRICHED
        work.discovery = {
            **(work.discovery or {}),
            RESOLVED_BY: resolved.provider,
            RESOLVED_AT: now.isoformat(),
        }
        work.discovery.pop(DUPLICATE_OF, None)
        work.save(update_fields=["synthetic", "enrichment_status", "discovery", "updated_at"])
        work_refresh(work, edition, touched=False)
        entry = AuditLogEntry.objects.create(
            work=work,
            edition=edition,
            action=AuditLogEntry.Action.RESOLVE,
            provider=resolved.provider,
            changes={
                "synthetic": {"old": True, "new": False, "target": "work"},
                "isbn13": {"old": "", "new": isbn13, "target": "edition"},
            },
            actor=actor,
            actor_label=AuditLogEntry.label_for(actor),
            note=f"Resolved by {provider_label(resolved.provider)} (title and author search).",
        )
        history_record(entry=entry)
        trigger = (
            EnrichmentRequest.Trigger.MANUAL_BULK if actor else EnrichmentRequest.Trigger.BACKFILL
        )
        queue.works_enqueue_enrichment(work_ids=[work.pk], trigger=trigger)
    return entry


def _tried(work: Work, resolved: ResolvedBook) -> None:
    """Record a try in the work's discovery: its time, the count, and why it is unresolved."""
    with transaction.atomic():
        locked = Work.objects.select_for_update().get(pk=work.pk)
        tries = int((locked.discovery or {}).get(TRIES) or 0) + 1
        values = {LAST_TRY_AT: timezone.now().isoformat(), TRIES: tries}
        if not resolved.resolved:
            values[UNRESOLVED] = unresolved_record(resolved)
            locked.enrichment_status = synthetic_status(resolved)
        _record(locked, values)


def _record(work: Work, values: dict[str, Any]) -> None:
    work.discovery = {**(work.discovery or {}), **values}
    work.save(update_fields=["discovery", "enrichment_status", "updated_at"])

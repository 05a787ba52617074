"""One backfill month, start to finish: discover the month's books, drop those the catalog holds,
resolve the rest to ISBNs, write them (resolved works, synthetic works) and queue the resolved
ones for the normal enrichment; then the month's metrics.

The worker holds the month by its claim token (enrichment.backfill.claims): between stages it
sends a heartbeat, and when the heartbeat says the month was cancelled or taken back it stops
there, writing nothing more. Whatever happens, the month never stays PROCESSING behind it.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from bookstore import outages
from enrichment import queue
from enrichment.backfill import claims, dedupe, months, resolve, sources, synthetic, works
from enrichment.backfill.books import Discovery
from enrichment.models import BackfillMonth, EnrichmentRequest

logger = logging.getLogger(__name__)

ENRICHMENT_TRIGGER = EnrichmentRequest.Trigger.BACKFILL


#: Share of the task timeout (Q_TIMEOUT) the title searches may use: the books still unsearched
#: then become synthetic works (not final), retried by the daily task, and the month ends in
#: time instead of being killed half-written.
SEARCH_TIME_SHARE = 0.6


class MonthTakenBack(Exception):
    """The month was cancelled or handed to another worker while this one processed it."""


#: Called after each title search of a month: (searched so far, books to search).
SearchProgress = Callable[[int, int], None]


def backfill_month_process(
    *, month_id: int, token: str, progress: SearchProgress | None = None
) -> BackfillMonth:
    """Process a month this worker claimed with `token`; returns the month as it stands after.
    A month not (or no longer) held by `token` is left alone: the task is idempotent.
    `progress` hears of each title search (the longest stage: one request per book and
    provider, at the providers' rate limits)."""
    month = BackfillMonth.objects.filter(pk=month_id).first()
    if month is None:
        raise BackfillMonth.DoesNotExist(f"Backfill month {month_id} is gone")
    try:
        _process(month, token, progress)
    except MonthTakenBack:
        logger.info("Backfill month %s was cancelled or taken back: stopped", month.label)
    except Exception as exc:  # the month goes to retry / failed, never stays processing
        if outages.went_away(exc):
            _outlast_outage(month, token, exc)
            month.refresh_from_db()
            return month
        logger.exception("Backfill month %s failed", month.label)
        claims.backfill_month_finish(
            month, token, error=gettext("Internal error: %(error)s") % {"error": exc}
        )
    month.refresh_from_db()
    return month


def _outlast_outage(month: BackfillMonth, token: str, exc: Exception) -> None:
    """The database or the broker went away under the month (bookstore.outages.went_away): no
    fault of the month's, so no retry is counted. Once the database answers again the month
    goes back to retry at once, saying why; a database still gone raises `exc` again: the task
    fails, the month is left processing, and the stale recovery gives it back."""
    logger.warning(
        "Backfill month %s stopped: the database or the broker is unavailable (%s)",
        month.label,
        exc,
    )
    if not outages.database_back(deadline=time.monotonic()):
        raise exc
    claims.backfill_month_release(
        month,
        token,
        error=gettext(
            "Stopped by an outage of the database or the task queue (%(error)s). It runs again "
            "from the start; no retry was counted, the outage was not the month's fault."
        )
        % {"error": exc},
    )


def _process(month: BackfillMonth, token: str, progress: SearchProgress | None) -> None:
    search_deadline = time.monotonic() + settings.Q_TIMEOUT * SEARCH_TIME_SHARE
    _alive(month, token)
    enabled = sources.enabled_sources()
    if not enabled:
        claims.backfill_month_finish(
            month,
            token,
            give_up=True,
            error=gettext(
                "No discovery source is enabled: BACKFILL_SOURCES names none that is set up."
            ),
        )
        return
    discovery = sources.discover_month(year=month.year, month=month.month, sources=enabled)
    source_calls = dict(discovery.calls)
    if not _any_source_answered(discovery, [source.name for source in enabled]):
        # Never a month done without a source that really answered: try it again later.
        claims.backfill_month_finish(
            month,
            token,
            metrics=months.MonthMetrics(
                provider_calls=source_calls, sources=_sources_report(discovery)
            ),
            error=gettext("No discovery source answered: %(errors)s")
            % {"errors": _errors_text(discovery)},
        )
        return
    _alive(month, token)
    new_books, duplicates = dedupe.catalog_duplicates(discovery.books)
    # The synthetic works among the duplicates (an earlier run's, when a person runs the month
    # again once a provider works) are asked about again after the new books, as the daily
    # retry would: a month run again resolves them in place instead of finding them unchanged.
    met_again = synthetic.synthetic_works_among(found.work_id for found in duplicates)
    _alive(month, token)
    to_resolve = [*new_books, *(synthetic.synthetic_book(work) for work in met_again)]
    to_search = sum(not dedupe.book_isbns(book) for book in to_resolve)
    searched = 0

    def after_each_search() -> None:
        nonlocal searched
        _alive(month, token)
        searched += 1
        if progress is not None:
            progress(searched, to_search)

    resolutions = resolve.books_resolve(
        to_resolve, after_each=after_each_search, deadline=search_deadline
    )
    new_resolved, again_resolved = (
        resolutions.books[: len(new_books)],
        resolutions.books[len(new_books) :],
    )
    _alive(month, token)  # nothing is written for a month cancelled meanwhile
    # The works, their queueing and the month's outcome commit together: a worker killed
    # between them left works nobody queued, which the month's next run found held (duplicates).
    with transaction.atomic():
        written = works.works_from_backfill(new_resolved, month_label=month.label)
        upgraded = sum(
            synthetic.synthetic_work_settle(work=work, resolved=resolved).upgraded
            for work, resolved in zip(met_again, again_resolved, strict=True)
            if not resolved.not_tried  # it keeps its place for the daily retry
        )
        queued = (
            queue.works_enqueue_enrichment(
                work_ids=written.resolved_work_ids, trigger=ENRICHMENT_TRIGGER
            )
            if written.resolved_work_ids
            else []
        )
        # A resolved book whose ISBN another work took meanwhile (or an earlier book of the same
        # month) was a duplicate after all; a synthetic work met again and upgraded was resolved by
        # this run: discovered = duplicates + resolved + synthetic.
        held = len(written.already_held)
        resolved = sum(book.resolved for book in new_resolved) - held + upgraded
        asked = len(new_books) - held + len(met_again)  # the rate's books: those needing an ISBN
        metrics = months.MonthMetrics(
            books_discovered=len(discovery.books),
            duplicates_dropped=len(duplicates) + held - upgraded,
            isbns_resolved=resolved,
            resolution_rate=round(resolved / asked, 4) if asked else None,
            synthetic_works=len(written.synthetic_work_ids),
            queued_for_enrichment=len(queued) + upgraded,
            provider_calls=months.calls_added(source_calls, resolutions.calls),
            sources=_sources_report(discovery),
        )
        # A source that failed may have named books this month now lacks: never "completed".
        error = (
            gettext("Some sources failed: %(errors)s (the month may lack their books)")
            % {"errors": _errors_text(discovery)}
            if discovery.errors
            else ""
        )
        ended = claims.backfill_month_finish(
            month, token, metrics=metrics, error=error, partly=True
        )
        if not ended:  # taken back meanwhile: its works are the newer run's to write
            raise MonthTakenBack


def _alive(month: BackfillMonth, token: str) -> None:
    if not claims.backfill_month_heartbeat(month, token):
        raise MonthTakenBack


def _any_source_answered(discovery: Discovery, names: list[str]) -> bool:
    """A source answered when it named books or said nothing went wrong (a month may really
    have no book in it)."""
    return bool(discovery.books) or any(name not in discovery.errors for name in names)


def _errors_text(discovery: Discovery) -> str:
    """ "Open Library dump: No Open Library dump is loaded…; Open Library search: HTTP 503"."""
    return "; ".join(  # each reason without its own full stop, which "; " would follow
        f"{sources.source_label(name)}: {why.rstrip('.')}" for name, why in discovery.errors.items()
    )


def _sources_report(discovery: Discovery) -> dict[str, dict]:
    names = dict.fromkeys([*discovery.found, *discovery.calls, *discovery.errors])
    return {
        name: {
            "books": discovery.found.get(name, 0),
            "calls": discovery.calls.get(name, 0),
            "error": discovery.errors.get(name, ""),
        }
        for name in names
    }

"""Backfill months held by a worker: claimed by the scheduler (or a person's "queue now"), kept
alive by the worker's heartbeat, ended by its outcome, and given back when their worker stops
answering or could not start (enrichment.backfill.months: the months themselves, ranges and what
people do with them).

A month is claimed by moving it to PROCESSING with a fresh `claim_token`; every later write of
the worker (heartbeat, outcome) is a guarded UPDATE on that token, so a month cancelled or taken
back meanwhile never receives a late outcome. Two schedulers never claim the same month:
PostgreSQL skips the rows another transaction has locked (SELECT ... FOR UPDATE SKIP LOCKED);
SQLite has no row locks, so each month is claimed by an UPDATE guarded by its status and only
a row that UPDATE changed is ours.
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext

from bookstore import outages, task_queue
from bookstore.db_clock import database_now, stamp_expired_q
from enrichment.backfill.months import (
    CLAIMABLE,
    MonthMetrics,
    chosen_months,
    metrics_over_tries,
    months_not_begun_q,
)
from enrichment.models import BackfillMonth

logger = logging.getLogger(__name__)

Status = BackfillMonth.Status
PROCESS_TASK = "enrichment.tasks.process_backfill_month"
ERROR_MAX_CHARS = 2000


def backfill_months_claim(
    *, limit: int, month_ids: Iterable[int] | None = None, now=None
) -> list[BackfillMonth]:
    """Take up to `limit` pending or retry months, newest first, for this worker: each comes
    back PROCESSING with its own fresh claim token. A month another scheduler holds or took
    first is never returned, nor is a month that has not begun (month_in_future)."""
    if limit <= 0:
        return []
    now = now or database_now()
    candidates = BackfillMonth.objects.filter(status__in=CLAIMABLE).exclude(months_not_begun_q(now))
    if month_ids is not None:
        candidates = candidates.filter(pk__in=list(month_ids))
    candidates = candidates.order_by("-year", "-month")
    tokens: dict[int, str] = {}
    # Durable: the claim is committed before anyone dispatches a task for it, so a worker that
    # starts at once sees the month as its own.
    with transaction.atomic(durable=True):
        for pk in _claim_candidates(candidates, limit):
            token = uuid.uuid4().hex
            taken = BackfillMonth.objects.filter(pk=pk, status__in=CLAIMABLE).update(
                status=Status.PROCESSING,
                claim_token=token,
                started_at=now,
                heartbeat_at=now,
                completed_at=None,
                error="",
                updated_at=now,
            )
            if taken == 1:
                tokens[pk] = token
    claimed = BackfillMonth.objects.filter(pk__in=list(tokens), status=Status.PROCESSING)
    return [m for m in claimed.order_by("-year", "-month") if m.claim_token == tokens[m.pk]]


def _claim_candidates(candidates: QuerySet[BackfillMonth], limit: int) -> list[int]:
    """The ids to try: on PostgreSQL locked for this transaction, skipping rows another
    scheduler has locked; on SQLite merely read (the guarded UPDATE decides)."""
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True)
    return list(candidates.values_list("pk", flat=True)[:limit])


def _held(month: BackfillMonth, token: str) -> QuerySet[BackfillMonth]:
    """The month, only while this token's holder is processing it."""
    return BackfillMonth.objects.filter(pk=month.pk, claim_token=token, status=Status.PROCESSING)


def backfill_month_heartbeat(month: BackfillMonth, token: str, *, now=None) -> bool:
    """The worker is alive. False: the month was cancelled or taken back meanwhile: stop, and
    write nothing more."""
    now = now or database_now()
    return _held(month, token).update(heartbeat_at=now, updated_at=now) == 1


@dataclass(frozen=True, slots=True)
class RecoveredMonths:
    retried: int = 0
    failed: int = 0
    #: Claimed, and no worker began them (their task lost): back to retry, no retry counted.
    requeued: int = 0


def _give_back(months: QuerySet[BackfillMonth], *, error: str, now, **fields) -> RecoveredMonths:
    """PROCESSING months back to RETRY (one more retry counted), or to FAILED once they have
    been retried BACKFILL_MAX_RETRIES times. `months` must select PROCESSING months only: a month
    the first UPDATE fails is no longer PROCESSING, so the second never touches it."""
    common = {"claim_token": "", "error": error[:ERROR_MAX_CHARS], "updated_at": now, **fields}
    exhausted = Q(retry_count__gte=settings.BACKFILL_MAX_RETRIES)
    failed = months.filter(exhausted).update(status=Status.FAILED, completed_at=now, **common)
    retried = months.filter(~exhausted).update(
        status=Status.RETRY, retry_count=F("retry_count") + 1, completed_at=None, **common
    )
    return RecoveredMonths(retried=retried, failed=failed)


def backfill_months_recover_stale(*, now=None, months=None) -> RecoveredMonths:
    """Months left PROCESSING by a worker that stopped answering (no heartbeat for
    BACKFILL_STALE_MINUTES) go back to retry, or to failed past BACKFILL_MAX_RETRIES; only
    among `months` when given (`manage.py backfill --now`'s range)."""
    now = now or database_now()
    silent = stamp_expired_q(  # or dated ahead: a clock set back, or restored rows
        "heartbeat_at", seconds=settings.BACKFILL_STALE_MINUTES * 60, now=now
    )
    chosen = BackfillMonth.objects.all() if months is None else chosen_months(months)
    stale = chosen.filter(status=Status.PROCESSING).filter(silent | Q(heartbeat_at__isnull=True))
    # A worker's first act is a heartbeat: one still at its claim's moment was never begun.
    requeued = stale.filter(heartbeat_at=F("started_at")).update(
        status=Status.RETRY,
        claim_token="",
        error=gettext(
            "No worker began this month: its task was lost (the task queue restarted, or the "
            "scheduler stopped before handing it over). It waits to retry, no retry counted."
        ),
        updated_at=now,
    )
    recovered = _give_back(
        stale,
        error=gettext(
            "The worker processing this month stopped answering (no sign of life for "
            "%(minutes)s minutes)."
        )
        % {"minutes": settings.BACKFILL_STALE_MINUTES},
        now=now,
    )
    if recovered.retried or recovered.failed:
        logger.warning(
            "Backfill months left by a stopped worker: %s to retry, %s failed",
            recovered.retried,
            recovered.failed,
        )
    if requeued:
        logger.warning("Backfill months whose task was lost before it began: %s to retry", requeued)
    return replace(recovered, requeued=requeued)


# --- The outcome ---------------------------------------------------------------------------------


def backfill_month_finish(
    month: BackfillMonth,
    token: str,
    *,
    metrics: MonthMetrics | None = None,
    error: str = "",
    give_up: bool = False,
    partly: bool = False,
    now=None,
) -> bool:
    """Write the month's outcome, only while `token` holds it: without `error` the month is
    completed; with one it goes back to retry (failed past BACKFILL_MAX_RETRIES), or straight
    to failed with `give_up` (retrying cannot help), or, with `partly`, it is done but partly
    failed (some sources answered, `error` says which failed: never shown as completed, and
    not taken again until a person retries it). The metrics are written either way, so a
    failed month shows what its sources said. False: the month was cancelled or taken back
    meanwhile, and nothing was written."""
    now = now or database_now()  # the clock its start and heartbeats were stamped on
    held = _held(month, token)
    fields: dict = {}
    if metrics is not None:
        calls, sources = held.values_list("provider_calls", "sources").first() or ({}, {})
        fields = metrics_over_tries(metrics, calls=calls or {}, sources=sources or {})
    if not error or partly:
        return (
            held.update(
                status=Status.PARTIAL if error else Status.COMPLETED,
                claim_token="",
                error=error[:ERROR_MAX_CHARS],
                heartbeat_at=now,
                completed_at=now,
                updated_at=now,
                **fields,
            )
            == 1
        )
    if give_up:
        return (
            held.update(
                status=Status.FAILED,
                claim_token="",
                error=error[:ERROR_MAX_CHARS],
                completed_at=now,
                updated_at=now,
                **fields,
            )
            == 1
        )
    given_back = _give_back(held, error=error, now=now, **fields)
    return bool(given_back.retried or given_back.failed)


# --- Handing claimed months to workers ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HandedOver:
    dispatched: int = 0
    #: Given back to retry because the broker was unavailable (bookstore.outages).
    broker_unavailable: int = 0


def backfill_months_hand_over(months: Iterable[BackfillMonth]) -> HandedOver:
    """One task per claimed month. A month whose task could not be queued (the broker is down)
    goes back to retry, its retry count untouched: it was never tried."""
    dispatched = broker_unavailable = 0
    for month in months:
        try:
            task_queue.enqueue(PROCESS_TASK, month.pk, month.claim_token)
        except Exception as exc:
            logger.exception("Backfill month %s could not be queued", month.label)
            backfill_month_release(
                month,
                month.claim_token,
                error=gettext("Its task could not be queued: %(error)s") % {"error": exc},
            )
            broker_unavailable += outages.is_outage(exc)
            continue
        dispatched += 1
    return HandedOver(dispatched=dispatched, broker_unavailable=broker_unavailable)


def backfill_months_dispatch(months: Iterable[BackfillMonth]) -> int:
    """backfill_months_hand_over, counting the months handed to a worker."""
    return backfill_months_hand_over(months).dispatched


def backfill_month_release(month: BackfillMonth, token: str, *, error: str) -> bool:
    """A month this holder claimed but will not finish (its task could not be queued, the
    command processing it was stopped) back to retry at once, its retry count untouched (it
    was not a failed try), rather than left processing until it is found stale. False: the
    token no longer held it."""
    now = database_now()
    released = _held(month, token).update(
        status=Status.RETRY, claim_token="", error=error[:ERROR_MAX_CHARS], updated_at=now
    )
    return released == 1


@dataclass(frozen=True, slots=True)
class SchedulerRun:
    recovered: RecoveredMonths
    claimed: int
    dispatched: int

    def as_json(self) -> dict:
        return {
            "retried": self.recovered.retried,
            "failed": self.recovered.failed,
            "requeued": self.recovered.requeued,
            "claimed": self.claimed,
            "dispatched": self.dispatched,
        }


def backfill_months_schedule(*, now=None) -> SchedulerRun:
    """The periodic scheduler: months a dead worker left go back to retry; then up to
    BACKFILL_MONTHS_PER_RUN months are in progress at a time (those still processing count), so
    that a slow month never piles more months onto the providers' shared rate limits."""
    now = now or database_now()
    recovered = backfill_months_recover_stale(now=now)
    processing = BackfillMonth.objects.filter(status=Status.PROCESSING).count()
    claimed = backfill_months_claim(limit=settings.BACKFILL_MONTHS_PER_RUN - processing, now=now)
    return SchedulerRun(
        recovered=recovered, claimed=len(claimed), dispatched=backfill_months_dispatch(claimed)
    )

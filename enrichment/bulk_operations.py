"""Bulk operations worked in the background: the selection's ids are fixed when it starts, then
a worker runs them chunk by chunk, recording progress, and queues itself again before its
task's time is up. A chunk's work and its progress commit together, so a worker killed at any
point leaves the operation as of its last whole chunk. An operation whose task the broker lost or
whose worker died (no progress for Q_RETRY seconds) is dispatched again by the sweep
(`enrichment.sweep`), or from its page.
"""

import logging
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookstore import task_queue
from bookstore.db_clock import database_now, stamp_expired_q, stamp_is_live
from bookstore.outages import is_outage
from catalog.models import Author, Work
from enrichment import queue
from enrichment.models import BulkOperation, EnrichmentRequest
from enrichment.review import (
    BULK_CHUNK_SIZE,
    NO_LONGER_EXISTS,
    BulkResult,
    authors_enrich_bulk,
    requests_approve_bulk,
    requests_dismiss_bulk,
    requests_rerun_bulk,
    works_enrich_bulk,
)

logger = logging.getLogger(__name__)

#: Bulk actions over more rows than this run on a worker, with a progress page.
BULK_INLINE_MAX = 200
#: What the works "Enrich all missing" queues lack, in words, by (covers, metadata): either
#: one when both are asked for.
MISSING_LABELS = {
    (True, True): _("a cover or metadata"),
    (True, False): _("a cover"),
    (False, True): _("metadata"),
}


@dataclass
class EnrichMissingOutcome:
    """What "Enrich all missing" did: `selected` works lacked what was asked; up to
    BULK_INLINE_MAX they were queued at once (`result`), beyond that a worker queues them
    (`operation`, with its progress)."""

    selected: int
    result: BulkResult | None = None
    operation: BulkOperation | None = None


def works_enrich_missing(
    *,
    actor,
    covers: bool = True,
    metadata: bool = True,
    trigger: str = EnrichmentRequest.Trigger.MANUAL_BULK,
) -> EnrichMissingOutcome:
    """ "Enrich all missing covers / metadata" (the admin's, the API's trigger-all): the works
    `enrich_missing` would queue; a large selection is never worked inside the web request."""
    if not (covers or metadata):
        raise ValueError("Enrich all missing needs covers, metadata or both.")
    works = queue.works_needing_enrichment(covers=covers, metadata=metadata)
    count = works.count()
    if count > BULK_INLINE_MAX:
        operation = bulk_operation_start(
            action=BulkOperation.Action.ENRICH_MISSING,
            actor=actor,
            queryset=works,
            # Stored in the starter's words, as the admin actions' selections are.
            selection=gettext("every work missing %(what)s (%(count)s)")
            % {"what": MISSING_LABELS[covers, metadata], "count": f"{count:,}"},
            options={"covers": covers, "metadata": metadata, "trigger": trigger},
        )
        return EnrichMissingOutcome(selected=count, operation=operation)
    result = works_enrich_bulk(
        queryset=works, actor=actor, covers=covers, metadata=metadata, trigger=trigger
    )
    return EnrichMissingOutcome(selected=count, result=result)


def bulk_operation_start(
    *,
    action: str,
    actor,
    queryset: QuerySet | None = None,
    selection: str = "",
    query_string: str = "",
    select_across: bool = False,
    options: dict | None = None,
) -> BulkOperation:
    """Record the selection (the ids, fixed now) and queue the worker once this commits."""
    if action == BulkOperation.Action.ENRICH_MISSING:
        options = {"covers": True, "metadata": True, **(options or {})}
        queryset = queue.works_needing_enrichment(
            covers=options["covers"], metadata=options["metadata"]
        )
    if queryset is None:  # a caller's mistake: only ENRICH_MISSING chooses its own works
        raise ValueError(f"The bulk action {action!r} needs the selected objects.")
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    operation = BulkOperation.objects.create(
        action=action,
        selection=selection[:2000],
        query_string=query_string[:2000],
        select_across=select_across,
        object_ids=ids,
        options=options or {},
        total=len(ids),
        created_by=actor,
    )
    transaction.on_commit(lambda: bulk_operation_dispatch(operation_id=operation.pk))
    return operation


def bulk_operation_dispatch(*, operation_id: int) -> None:
    task_queue.enqueue_recorded(
        "enrichment.tasks.run_bulk_operation",
        operation_id,
        task_name=f"bulk-{operation_id}-{time.monotonic_ns()}",
    )


def bulk_operation_run(*, operation_id: int, time_budget: float | None = None) -> BulkOperation:
    """Work an operation chunk by chunk for up to `time_budget` seconds, recording progress
    after each chunk; queue the rest as a new task (a task must end before Q_TIMEOUT)."""
    if time_budget is None:
        time_budget = max(5.0, min(60.0, settings.Q_TIMEOUT / 3))
    deadline = time.monotonic() + time_budget
    operation = BulkOperation.objects.get(pk=operation_id)
    if operation.is_finished:
        return operation
    now = database_now()  # progress is stamped on the clock the sweep judges it by
    BulkOperation.objects.filter(pk=operation.pk).update(
        status=BulkOperation.Status.RUNNING, started_at=operation.started_at or now, updated_at=now
    )
    try:
        while True:  # at least one chunk per run, however short the budget
            operation.refresh_from_db()
            worked = _work_one_chunk(operation)
            if worked is None:  # nothing left
                BulkOperation.objects.filter(pk=operation.pk).update(
                    status=BulkOperation.Status.COMPLETED,
                    total=F("done"),
                    finished_at=timezone.now(),
                    updated_at=timezone.now(),
                )
                break
            if worked is False:  # another worker advanced it: leave it to that one
                return BulkOperation.objects.get(pk=operation.pk)
            if time.monotonic() >= deadline:
                transaction.on_commit(lambda: bulk_operation_dispatch(operation_id=operation.pk))
                break
    except Exception as error:
        if is_outage(error):
            # Its chunks so far are committed with their progress: the sweep resumes it from
            # there once its progress is Q_RETRY old (the database or the broker back by then).
            logger.warning(
                "Bulk operation %s stopped: the database or the broker is unavailable (%s); "
                "the sweep resumes it from its progress",
                operation.pk,
                error,
            )
            return operation
        logger.exception("Bulk operation %s failed", operation.pk)
        BulkOperation.objects.filter(pk=operation.pk).update(
            status=BulkOperation.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return BulkOperation.objects.get(pk=operation.pk)


def _work_one_chunk(operation: BulkOperation) -> bool | None:
    """True: a chunk was worked; None: nothing left; False: someone else advanced it."""
    actor, options = operation.created_by, operation.options or {}
    chunk = operation.object_ids[operation.done : operation.done + BULK_CHUNK_SIZE]
    if not chunk:
        return None
    with transaction.atomic():
        advanced = _work_and_record(operation, chunk, actor, options)
        if not advanced:  # another worker worked this chunk first: its work stands, ours goes
            transaction.set_rollback(True)
    return advanced


def _work_and_record(operation: BulkOperation, chunk: list[int], actor, options) -> bool:
    Kind, size = BulkOperation.Action, len(chunk)
    if operation.action in (Kind.ENRICH_WORKS, Kind.ENRICH_MISSING):
        result = works_enrich_bulk(
            queryset=Work.objects.filter(pk__in=chunk),
            actor=actor,
            covers=options.get("covers", True),
            metadata=options.get("metadata", True),
            # Who asked: the admin's librarian, or the JSON API (its trigger-all).
            trigger=options.get("trigger", EnrichmentRequest.Trigger.MANUAL_BULK),
        )
    elif operation.action == Kind.ENRICH_AUTHORS:
        result = authors_enrich_bulk(queryset=Author.objects.filter(pk__in=chunk), actor=actor)
    else:
        queryset = EnrichmentRequest.objects.filter(pk__in=chunk)
        if operation.action == Kind.APPROVE:
            result = requests_approve_bulk(queryset=queryset, actor=actor)
        elif operation.action == Kind.DISMISS:
            reason = options.get("reason", "")
            result = requests_dismiss_bulk(queryset=queryset, actor=actor, reason=reason)
        elif operation.action == Kind.RERUN:
            result = requests_rerun_bulk(queryset=queryset, actor=actor)
        else:
            raise ValueError(f"unknown bulk action {operation.action!r}")
    # Rows that vanished since the selection was made count as unchanged.
    for _vanished in range(size - result.total):
        result.skip(NO_LONGER_EXISTS)
    reasons = Counter(operation.reasons or {})
    reasons.update(result.reasons)
    updated = BulkOperation.objects.filter(pk=operation.pk, done=operation.done).update(
        done=F("done") + size,
        changed=F("changed") + result.changed,
        unchanged=F("unchanged") + result.unchanged,
        failed=F("failed") + result.failed,
        reasons=dict(reasons),
        updated_at=database_now(),
    )
    return bool(updated)


def _stalled_seconds() -> int:
    """No progress for longer than a task may live (Q_RETRY): its task was lost by the broker
    or its worker died. Progress dated further ahead than that is no progress either (a clock
    set back, or restored rows: bookstore.db_clock.stamp_expired_q)."""
    return settings.Q_CLUSTER["retry"]


def bulk_operations_stalled(*, now=None) -> QuerySet[BulkOperation]:
    return BulkOperation.objects.filter(
        status__in=[BulkOperation.Status.PENDING, BulkOperation.Status.RUNNING]
    ).filter(stamp_expired_q("updated_at", seconds=_stalled_seconds(), now=now or database_now()))


def bulk_operation_is_stalled(operation: BulkOperation, *, now=None) -> bool:
    live = stamp_is_live(
        operation.updated_at, seconds=_stalled_seconds(), now=now or database_now()
    )
    return not operation.is_finished and not live


def bulk_operation_resume(*, operation: BulkOperation, now=None) -> bool:
    """Dispatch a stalled operation again, from its recorded progress (False when it is not
    stalled, or another sweep or click resumed it meanwhile)."""
    return _resume(operation.pk, now=now or database_now())


def _resume(operation_id: int, *, now) -> bool:
    # Guarded: the first of two sweeps (or a sweep and a click) resumes it, the other finds it
    # touched.
    if not bulk_operations_stalled(now=now).filter(pk=operation_id).update(updated_at=now):
        return False
    transaction.on_commit(lambda: bulk_operation_dispatch(operation_id=operation_id))
    return True


def bulk_operations_recover(*, now=None) -> int:
    """The sweep's part: every stalled operation is dispatched again; returns how many."""
    now = now or database_now()
    stalled = list(bulk_operations_stalled(now=now).values_list("pk", flat=True))
    resumed = sum(_resume(pk, now=now) for pk in stalled)
    if resumed:
        logger.warning("Resumed %s bulk operations whose task was lost or worker died", resumed)
    return resumed

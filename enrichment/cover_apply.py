"""The cover step of enrichment: download, verify and apply the cover a request proposed.

It runs in its own tasks (or after each batch in `enrich_missing --now`) so that slow image hosts
never hold up metadata work. Downloads happen outside any transaction; the apply is one
transaction that re-checks the request and never replaces a cover the work already has (only a
reviewer can, from the review page).

Covers are handed out the way requests are (enrichment/queue.py). Queuing marks a pending cover
(`cover_queued_at`), so no sweep queues it again while a task holds it; a worker claims it
(`cover_claim_token`) just before downloading, so no two workers download it. A task takes at
most cover_task_size() covers: even if every download runs into its deadline, the task ends well
inside Q_TIMEOUT and is never killed. A cover left claimed by a worker that stopped is queued
again after cover_stale_seconds(), and given up after MAX_COVER_ATTEMPTS claims (a download that
reached no host, offline, is no claim: the cover waits for the network); one queued that
no task claimed, after that too, unless the broker still holds tasks for a live cluster on its
queue (it waits its turn: enrichment/broker_backlog.py).

Cover tasks go to their own django-q2 queue (COVER_CLUSTER, worked by a cluster started with
`Q_CLUSTER_NAME=covers`), so downloads run while metadata batches wait on the providers' rate
limits, and never queue behind title searches. A cover queued there that no task has started
after cover_stale_seconds() while no live covers cluster works that queue is queued again on
the main cluster by the sweep: nothing waits for a cluster that is not there.
"""

import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet

from bookstore import task_queue
from bookstore.db_clock import database_now, stamp_expired_q
from enrichment import broker_backlog
from enrichment.author_photos import unfit_photo_shape
from enrichment.candidates import CoverRef
from enrichment.cover_notes import cover_note_record, image_noun
from enrichment.cover_notes import cover_note_text as cover_note_text
from enrichment.cover_notes import image_step_text as image_step_text
from enrichment.covers import assign_cover, choose_cover, store_cover
from enrichment.covers.cleanup import (
    cover_files_kept_only_if_saved,
    cover_writes_abandoned_delete,
)
from enrichment.covers.errors import RETRYABLE_REASONS, reached_no_host
from enrichment.covers.fetch import download_seconds
from enrichment.covers.store import photo_licence_values
from enrichment.history import history_record
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.request_status import request_cover_may_apply
from enrichment.targets import lock_request_targets

logger = logging.getLogger(__name__)
CoverStatus = EnrichmentRequest.CoverStatus
#: A cover is claimed at most this many times: a download that failed for a passing reason
#: (timeout, 5xx) or whose worker died is tried again until then.
MAX_COVER_ATTEMPTS = 3
#: A cover's time besides its downloads: verify, thumbnails, storage, the database (generous).
COVER_APPLY_SECONDS = 2.0
#: The share of Q_TIMEOUT a cover task may fill with worst cases: well inside the kill.
COVER_TASK_SHARE = 0.5
FETCH_TASK = "enrichment.tasks.fetch_covers_for_requests"
#: The new covers a batch's decisions queue, while covers_queued_together() collects them.
_collected_covers: ContextVar[list[int] | None] = ContextVar("collected_covers", default=None)


# --- Bounds -----


def cover_seconds() -> float:
    """The most one request's cover step takes: its downloads share one deadline, then apply."""
    return download_seconds() + COVER_APPLY_SECONDS


def cover_task_budget() -> float:
    return settings.Q_TIMEOUT * COVER_TASK_SHARE


def cover_task_size() -> int:
    """Covers per task, so that a task of worst cases still ends within cover_task_budget()."""
    return max(1, int(cover_task_budget() // cover_seconds()))


def cover_stale_seconds() -> float:
    """A queue mark or claim older than this was left by a task that is gone. Never shorter
    than one cover's step, so a live download is never taken over."""
    return max(settings.ENRICHMENT_STALE_SECONDS, cover_seconds())


def cover_write_abandoned_seconds() -> float:
    """A cover's write (CoverWrite) older than this was left by a stopped worker: its claim is
    stale by then, and django-q2 stops any task at Q_TIMEOUT."""
    return max(cover_stale_seconds(), settings.Q_TIMEOUT)


# --- Queuing and claiming -----


#: The request fields cover_mark_pending sets.
COVER_JOB_FIELDS = [
    "cover_status",
    "cover_replace",
    "cover_queued_at",
    "cover_claim_token",
    "cover_claimed_at",
    "cover_attempts",
]


def cover_mark_pending(request: EnrichmentRequest, *, replace: bool = False) -> None:
    """Make the request's cover a new download job (on the instance; the caller saves it).
    `replace`: a reviewer chose it, so it may replace the cover the work has."""
    request.cover_status = CoverStatus.PENDING
    request.cover_replace = replace
    request.cover_queued_at = None
    request.cover_claim_token = ""
    request.cover_claimed_at = None
    request.cover_attempts = 0


#: The request fields cover_withhold sets.
COVER_WITHHELD_FIELDS = [*COVER_JOB_FIELDS, "match_details"]


def cover_withhold(request: EnrichmentRequest) -> bool:
    """A decision turned the request's proposal down (request_cover_may_apply): its queued cover
    is dropped, never downloaded nor applied, and its note says why (on the instance, whose
    decision is set; the caller saves COVER_WITHHELD_FIELDS). True when a cover was queued."""
    if request.cover_status != CoverStatus.PENDING:
        return False
    request.cover_status = CoverStatus.NONE
    request.cover_queued_at = None
    request.cover_claim_token, request.cover_claimed_at = "", None
    cover_note_record(request, "not_downloaded")
    return True


def covers_due(*, now, queued_before=None) -> QuerySet[EnrichmentRequest]:
    """Pending covers that no live task holds: never queued; queued, and the mark is past the
    cutoff for unclaimed work; or claimed by a worker that died (a stale claim), and not sent
    again since, or sent again past that cutoff. `queued_before`: the cutoff for a mark no task
    claimed (the sweep's: broker_backlog), when not the stale interval. A stale claim does not
    wait for a backlog to drain: its task is gone. A mark or a claim further ahead of now
    than the stale interval holds nothing either (bookstore.db_clock.stamp_expired_q)."""
    seconds = cover_stale_seconds()
    mark_past = Q(cover_queued_at__isnull=True) | stamp_expired_q(
        "cover_queued_at", seconds=seconds, now=now, before=queued_before
    )
    unclaimed = Q(cover_claim_token="") & mark_past
    claim_left = (
        ~Q(cover_claim_token="")
        & stamp_expired_q("cover_claimed_at", seconds=seconds, now=now)
        & (Q(cover_queued_at__lte=F("cover_claimed_at")) | mark_past)
    )
    return EnrichmentRequest.objects.filter(
        cover_status=CoverStatus.PENDING, cover_attempts__lt=MAX_COVER_ATTEMPTS
    ).filter(unclaimed | claim_left)


def covers_mark_queued(
    *,
    request_ids: Sequence[int] | None = None,
    limit: int | None = None,
    now=None,
    queued_before=None,
) -> list[int]:
    """Atomically mark due covers queued (all due ones when `request_ids` is None); returns
    their ids. A cover another caller queued meanwhile is not returned, so it is queued once.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; SQLite: the IMMEDIATE transaction holds the
    write lock from the start, so two callers never read the same due rows.
    """
    now = now or database_now()
    due = covers_due(now=now, queued_before=queued_before)
    if request_ids is not None:
        due = due.filter(pk__in=list(request_ids))
    due = due.order_by("pk")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        EnrichmentRequest.objects.filter(pk__in=ids).update(cover_queued_at=now)
    return ids


def cover_queue_options(*, main_cluster: bool = False) -> dict[str, str]:
    """django-q2's options that send a cover task to the covers cluster's queue (COVER_CLUSTER),
    or to the main cluster's when `main_cluster` or when COVER_CLUSTER is empty."""
    if main_cluster or not settings.COVER_CLUSTER:
        return {}
    return {"cluster": settings.COVER_CLUSTER}


def covers_dispatch(
    *,
    request_ids: Sequence[int] | None = None,
    actor_id: int | None = None,
    limit=None,
    now=None,
    main_cluster: bool = False,
    queued_before=None,
) -> int:
    """Queue the due covers among `request_ids` (every due cover when None) in tasks of at most
    cover_task_size(), on the covers cluster (the main one with `main_cluster`); a cover already
    queued or being fetched is left alone. `actor_id`: the reviewer credited with the covers.
    Returns the number of covers queued."""
    collected = _collected_covers.get()
    # A decision's new covers (no reviewer, no sweep's options).
    plain = not (actor_id or limit or now or main_cluster or queued_before)
    if collected is not None and request_ids is not None and plain:
        # Queued with the batch's next ones (covers_queued_together), as soon as they fill a task.
        collected.extend(request_ids)
        if len(collected) < cover_task_size():
            return len(request_ids)
        request_ids, collected[:] = list(collected), []
    ids = covers_mark_queued(
        request_ids=request_ids, limit=limit, now=now, queued_before=queued_before
    )
    size = cover_task_size()
    credit = [actor_id] if actor_id else []
    options = cover_queue_options(main_cluster=main_cluster)
    for start in range(0, len(ids), size):
        # A broker that is down takes none: the sweep sends them (their `cover_queued_at`).
        if not task_queue.enqueue_recorded(
            FETCH_TASK, ids[start : start + size], *credit, group="covers", **options
        ):
            break
    return len(ids)


@contextmanager
def covers_queued_together() -> Iterator[None]:
    """Within it, the new covers that decisions queue (covers_dispatch of request ids, no
    reviewer) are collected and queued a full task (cover_task_size()) at a time, the rest at its
    end, rather than a task each: every django-q2 task costs a queue row, a result row and their
    writes (one writer at a time on SQLite), and a 1,000-book import made 950 one-cover tasks."""
    token = _collected_covers.set([])
    try:
        yield
    finally:
        ids = _collected_covers.get() or []
        _collected_covers.reset(token)
        if ids:
            covers_dispatch(request_ids=ids)


def covers_never_started(*, now, queued_before=None) -> QuerySet[EnrichmentRequest]:
    """Due covers that were queued and that no task ever claimed: the queue they were sent to is
    not being worked (or not soon enough). A cover claimed before and given back (a dead worker,
    a passing fault) has cover_attempts > 0 and is not one of them."""
    return covers_due(now=now, queued_before=queued_before).filter(
        cover_queued_at__isnull=False, cover_attempts=0
    )


def covers_dispatch_due(*, now=None) -> int:
    """The sweep's cover part: give up covers that stopped their workers too often, then queue
    every due cover (a stale one once more) on the covers cluster; but a cover that waited there
    past cover_stale_seconds() without any task starting it goes to the main cluster."""
    now = now or database_now()
    try:  # files a stopped worker wrote for no row: an unused file is harmless, the sweep is not
        abandoned_before = now - timedelta(seconds=cover_write_abandoned_seconds())
        cover_writes_abandoned_delete(before=abandoned_before)
    except Exception:
        logger.exception("Could not delete the files of covers whose workers stopped")
    covers_give_up_stale(now=now)
    most = settings.ENRICHMENT_DISPATCH_MAX
    # A mark no task claimed: lost by the broker, or (later) waiting behind a backlog.
    queued_before = broker_backlog.unclaimed_resend_cutoff(
        broker_backlog.cover_queue_name(), now=now, stale_seconds=cover_stale_seconds()
    )
    queued = 0
    if settings.COVER_CLUSTER:
        never_started = list(
            covers_never_started(now=now, queued_before=queued_before).values_list("pk", flat=True)[
                :most
            ]
        )
        if never_started:
            queued = covers_dispatch(
                request_ids=never_started, now=now, main_cluster=True, queued_before=queued_before
            )
        if queued:
            logger.warning(
                "%s covers waited %.0f s on the %r queue without a task starting them: queued on "
                "the main cluster (is a covers cluster running?)",
                queued,
                cover_stale_seconds(),
                settings.COVER_CLUSTER,
            )
    return queued + covers_dispatch(
        limit=max(most - queued, 0), now=now, queued_before=queued_before
    )


def covers_give_up_stale(*, now=None) -> int:
    """Covers whose last allowed claim was left by a worker that stopped are rejected."""
    now = now or database_now()
    given_up = 0
    candidates = (
        EnrichmentRequest.objects.filter(
            cover_status=CoverStatus.PENDING, cover_attempts__gte=MAX_COVER_ATTEMPTS
        )
        .filter(stamp_expired_q("cover_claimed_at", seconds=cover_stale_seconds(), now=now))
        .exclude(cover_claim_token="")
    )
    for pk in candidates.values_list("pk", flat=True)[: settings.ENRICHMENT_DISPATCH_MAX]:
        with transaction.atomic():
            locked = candidates.select_for_update().filter(pk=pk).first()
            if locked is None:  # finished meanwhile
                continue
            locked.cover_status = CoverStatus.REJECTED
            locked.cover_claim_token, locked.cover_claimed_at = "", None
            cover_note_record(locked, "worker_stopped", count=locked.cover_attempts)
            locked.save(
                update_fields=[
                    "cover_status",
                    "cover_claim_token",
                    "cover_claimed_at",
                    "match_details",
                    "updated_at",
                ]
            )
            given_up += 1
    if given_up:
        logger.warning("Gave up %s cover downloads that stopped their workers", given_up)
    return given_up


def cover_claim(*, request_id: int, token: str, now=None) -> EnrichmentRequest | None:
    """Take the cover for this worker if it is pending and unclaimed (or its claim is stale):
    one guarded UPDATE, atomic on both databases. Returns the request, or None. Stamped on the
    database's clock, which the sweep judges claims by (bookstore.db_clock)."""
    now = now or database_now()
    left = stamp_expired_q("cover_claimed_at", seconds=cover_stale_seconds(), now=now)
    claimed = (
        EnrichmentRequest.objects.filter(
            pk=request_id, cover_status=CoverStatus.PENDING, cover_attempts__lt=MAX_COVER_ATTEMPTS
        )
        .filter(Q(cover_claim_token="") | left)
        .update(
            cover_claim_token=token, cover_claimed_at=now, cover_attempts=F("cover_attempts") + 1
        )
    )
    if not claimed:
        return None
    return EnrichmentRequest.objects.select_related("work").get(pk=request_id)


# --- Fetching -----


def cover_refs(request: EnrichmentRequest) -> list[CoverRef]:
    cover = request.proposal.cover
    return list(cover.proposed) if cover is not None else []


def covers_fetch_task(*, request_ids: list[int], actor_id: int | None = None) -> dict[str, int]:
    """A cover task: fetch these covers within the task's budget (see requests_fetch_covers)."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return requests_fetch_covers(
        request_ids=request_ids, actor=actor, budget_seconds=cover_task_budget()
    )


def requests_fetch_covers(
    *, request_ids: Sequence[int], actor=None, budget_seconds: float | None = None
) -> dict[str, int]:
    """Claim, fetch and apply the proposed covers of these requests, one at a time; returns
    counts by outcome. A cover that is done or that another worker holds is skipped.

    With `budget_seconds` (a task), no cover is started that might not finish inside it: the
    rest go to a new task at once.
    """
    started = time.monotonic()
    token = uuid.uuid4().hex
    outcomes: Counter = Counter()
    ids = list(dict.fromkeys(request_ids))
    for index, request_id in enumerate(ids):
        elapsed = time.monotonic() - started
        if index and budget_seconds is not None and elapsed + cover_seconds() > budget_seconds:
            outcomes["handed_on"] += covers_hand_on(
                request_ids=ids[index:], actor_id=getattr(actor, "pk", None)
            )
            break
        request = cover_claim(request_id=request_id, token=token)
        if request is None:
            outcomes["not_claimed"] += 1
            continue
        outcomes[request_fetch_cover(request=request, actor=actor, claim_token=token)] += 1
    return dict(outcomes)


def covers_hand_on(*, request_ids: Sequence[int], actor_id: int | None = None) -> int:
    """A task out of time gives its remaining covers to a new task."""
    EnrichmentRequest.objects.filter(
        pk__in=list(request_ids), cover_status=CoverStatus.PENDING, cover_claim_token=""
    ).update(cover_queued_at=None)
    return covers_dispatch(request_ids=request_ids, actor_id=actor_id)


def request_fetch_cover(*, request: EnrichmentRequest, actor=None, claim_token: str = "") -> str:
    """Download the request's cover candidates in priority order and apply the first that
    verifies. `claim_token`: this worker's claim (cover_claim), checked before applying. An
    existing cover is replaced only when a reviewer chose this one (`cover_replace`). A cover
    whose proposal was dismissed or superseded is neither downloaded nor applied, even when the
    decision lands during the download (request_cover_may_apply, asked again under the lock)."""
    if not request_cover_may_apply(request):
        with transaction.atomic():
            return _cover_withheld(EnrichmentRequest.objects.select_for_update().get(pk=request.pk))
    # An author's photo must be shaped as a portrait: a group photo or a banner is refused.
    unfit_shape = unfit_photo_shape if request.author_id is not None else None
    choice = choose_cover(cover_refs(request), unfit_shape=unfit_shape)
    sha256 = choice.image.sha256 if choice.image is not None else ""
    with cover_files_kept_only_if_saved(sha256=sha256) as stored_here, transaction.atomic():
        locked = EnrichmentRequest.objects.select_for_update().get(pk=request.pk)
        if not request_cover_may_apply(locked):
            return _cover_withheld(locked)  # the download's result is dropped
        if claim_token and locked.cover_claim_token != claim_token:
            return "lost"  # given to another worker as stale: its download counts
        if locked.cover_status != CoverStatus.PENDING:
            return "already_done"  # another task got here first: idempotent
        force = locked.cover_replace
        targets = lock_request_targets(locked)
        details = locked.match_details
        details.cover_rejections = choice.rejections_seen()
        locked.match_details = details
        locked.cover_claim_token, locked.cover_claimed_at = "", None
        done_fields = [
            "cover_status",
            "cover_claim_token",
            "cover_claimed_at",
            "match_details",
            "updated_at",
        ]
        if not force and targets.has_image:
            locked.cover_status = CoverStatus.NONE
            cover_note_record(locked, "kept_existing")
            locked.save(update_fields=done_fields)
            return "kept_existing"
        if choice.image is None or choice.ref is None:
            reasons = {r.reason for r in choice.rejections}
            if choice.rejections and all(
                reached_no_host(r.reason, r.message) for r in choice.rejections
            ):
                # Offline (no host resolved or took the connection): nothing was said of the
                # image, so this claim is no attempt and the cover waits for the network.
                locked.cover_attempts = min(locked.cover_attempts, MAX_COVER_ATTEMPTS - 1)
                locked.cover_queued_at = database_now()  # the sweep's backoff, as below
                locked.save(update_fields=[*done_fields, "cover_queued_at", "cover_attempts"])
                return "retry_later"
            retry = bool(reasons & RETRYABLE_REASONS)
            if retry and locked.cover_attempts < MAX_COVER_ATTEMPTS:
                # Queued again by the sweep once this mark is stale: a backoff.
                locked.cover_queued_at = database_now()
                locked.save(update_fields=[*done_fields, "cover_queued_at"])
                return "retry_later"
            locked.cover_status = CoverStatus.REJECTED
            locked.save(update_fields=done_fields)
            return "rejected"
        image, ref = choice.image, choice.ref
        try:
            stored = store_cover(image)
            stored_here.append(stored)
        except Exception:  # whatever the storage raises (botocore, OSError): this cover alone
            return _cover_not_stored(locked, done_fields)
        # Covers belong to the edition they picture (the work shows it by inheritance), by the
        # one rule that also places the metadata; a portrait belongs to its author.
        holder, slot = targets.image_holder
        image_file = getattr(holder, slot)
        old = image_file.name if image_file else ""
        old_fields = {
            slot: old,
            f"{slot}_source": getattr(holder, f"{slot}_source"),
            f"{slot}_source_url": getattr(holder, f"{slot}_source_url"),
        }
        licence = (
            photo_licence_values(
                holder, licence=ref.licence, licence_url=ref.licence_url, artist=ref.artist
            )
            if slot == "photo"
            else {}
        )
        old_fields.update({name: getattr(holder, name) for name in licence})
        assign_cover(
            holder, stored, source=ref.provider, source_url=ref.url, slot=slot, extra=licence
        )
        entry = AuditLogEntry.objects.create(
            request=locked,
            **targets.audit_rows(),
            action=AuditLogEntry.Action.COVER,
            provider=ref.provider,
            tier=locked.confidence,
            changes={
                "cover": {
                    "old": old,
                    "new": stored.original_name,
                    "target": targets.image_target,
                    "previous": old_fields,
                    "sha256": stored.sha256,
                    "source_url": ref.url,
                }
            },
            actor=actor,
            actor_label=AuditLogEntry.label_for(actor),
        )
        history_record(entry=entry)
        locked.cover_status = CoverStatus.APPLIED
        locked.proposal.mark_cover_applied(ref.url)
        locked.save(update_fields=[*done_fields, "proposal"])
        targets.refresh()
    return "applied"


def _cover_not_stored(locked: EnrichmentRequest, done_fields: list[str]) -> str:
    """The storage failed to write a verified cover (S3 refusing, or silent past its timeouts;
    a full disk): the request's note says so, and the cover is tried again later as a download
    that timed out is, until MAX_COVER_ATTEMPTS claims. The other covers of the task go on."""
    logger.warning(
        "Request %s: the storage failed to store its %s",
        locked.pk,
        image_noun(locked),
        exc_info=True,
    )
    if locked.cover_attempts < MAX_COVER_ATTEMPTS:
        cover_note_record(locked, "storage_retry")
        locked.cover_queued_at = database_now()  # the sweep's backoff, as for a timeout
        locked.save(update_fields=[*done_fields, "cover_queued_at"])
        return "retry_later"
    cover_note_record(locked, "storage_given_up", count=locked.cover_attempts)
    locked.cover_status = CoverStatus.REJECTED
    locked.save(update_fields=done_fields)
    return "rejected"


def _cover_withheld(locked: EnrichmentRequest) -> str:
    """The cover step's end for a request a decision turned down (locked by the caller)."""
    if cover_withhold(locked):
        locked.save(update_fields=[*COVER_WITHHELD_FIELDS, "updated_at"])
    return "withheld"

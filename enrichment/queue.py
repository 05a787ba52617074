"""The enrichment queue: which works need enriching, and handing requests to workers safely.

Requests live in the database (`EnrichmentRequest`), at most one pending or in progress per
work (a partial unique index on both databases). A work whose proposal waits for review is not
queued again (an import, enrich_missing, the admin's and the API's triggers, the retries): the
proposal stays in the review list until a reviewer decides it; their re-run supersedes it, with
an audit entry, so one work never has two proposals to approve. Workers claim requests
atomically, so two clusters never process the same one; a request whose worker died is given
back after `ENRICHMENT_STALE_SECONDS`. Tasks carry ids only and are enqueued on commit.
"""

import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext

from bookstore import task_queue
from bookstore.db_clock import database_now, stamp_expired_q, stamp_far_ahead
from catalog.models import Author, Edition, Work
from catalog.selectors import works_missing_metadata_q, works_with_cover_q
from enrichment import broker_backlog
from enrichment.author_state import authors_missing_q
from enrichment.cover_apply import COVER_WITHHELD_FIELDS, cover_withhold, covers_dispatch_due
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import MatchDetails
from enrichment.waiting import last_try_waited, next_try_at

logger = logging.getLogger(__name__)

Trigger = EnrichmentRequest.Trigger
Status = EnrichmentRequest.Status
#: The task that takes up to OPENLIBRARY_SEARCH_GROUP_SIZE books waiting for a grouped title
#: search, from any batch (enrichment.title_search_groups).
TITLE_SEARCH_GROUP_TASK = "enrichment.tasks.process_title_search_group"
PRIORITY: dict[str, int] = {  # keyed by Trigger; a plain string finds the same entry
    Trigger.MANUAL_BULK: 30,
    Trigger.API: 30,  # a person (or their script) asked for these works, as in the admin
    Trigger.COMMAND: 20,
    Trigger.SCHEDULE: 10,
    Trigger.POST_IMPORT: 0,
}


# --- What is missing -----


def works_missing_cover() -> Q:
    return ~works_with_cover_q()


def works_missing_metadata() -> Q:
    """catalog.selectors.works_missing_metadata_q: the rule lives there (the works API reads it
    too, and catalog does not import enrichment)."""
    return works_missing_metadata_q()


def works_needing_enrichment(*, covers: bool = True, metadata: bool = True) -> QuerySet[Work]:
    """Works missing a cover or metadata that enrichment can look up. A synthetic work (found
    by the backfill, resolved by no provider) has no edition to look up: the backfill's daily
    retry resolves it, then queues it here like any other."""
    condition = Q(pk__in=[])
    if covers:
        condition |= works_missing_cover()
    if metadata:
        condition |= works_missing_metadata()
    return Work.objects.filter(condition).exclude(synthetic=True)


# --- Enqueueing -----


def works_enqueue_enrichment(
    *,
    work_ids: Iterable[int] | None = None,
    trigger: str = Trigger.COMMAND,
    covers: bool = True,
    metadata: bool = True,
    limit: int | None = None,
    dispatch: bool = True,
    supersede_review: bool = False,
    actor=None,
) -> list[int]:
    """Create a pending request for each work that lacks a cover or metadata and has no active
    request, nor a proposal waiting for review, yet; returns the new requests' ids. Workers get
    them once the transaction commits. `supersede_review` (a reviewer's re-run, `actor`): a
    waiting proposal does not hold the work back; it is superseded (_supersede_waiting).

    This is also the catalog's post-import hook (CATALOG_ENRICHMENT_HOOK).
    """
    works = works_to_enqueue(covers=covers, metadata=metadata, supersede_review=supersede_review)
    if work_ids is not None:
        works = works.filter(pk__in=list(work_ids))
    works = works.order_by("pk")
    ids = list(
        works.values_list("pk", flat=True)[:limit] if limit else works.values_list("pk", flat=True)
    )
    if not ids:
        return []
    now, due = timezone.now(), database_now()  # `now`: created_at's clock (auto_now_add)
    requests = [
        EnrichmentRequest(
            work_id=work_id,
            trigger=trigger,
            priority=PRIORITY.get(trigger, 0),
            wants_cover=covers,
            wants_metadata=metadata,
            next_attempt_at=due,
        )
        for work_id in ids
    ]
    return _create_pending(
        requests,
        model=Work,
        ids=ids,
        since=now,
        dispatch=dispatch,
        supersede_review=supersede_review,
        actor=actor,
    )


def works_to_enqueue(
    *, covers: bool = True, metadata: bool = True, supersede_review: bool = False
) -> QuerySet[Work]:
    """The works works_enqueue_enrichment would queue (enrich_missing --dry-run counts them)."""
    works = works_needing_enrichment(covers=covers, metadata=metadata)
    return works.exclude(Exists(holding_requests("work", supersede_review=supersede_review)))


def holding_requests(target: str, *, supersede_review: bool = False) -> QuerySet:
    """A subquery: the requests that keep their work (`target` "work") or author ("author")
    from being queued again: one pending or in progress, and one whose proposal waits for
    review, except when a reviewer re-runs it (`supersede_review`)."""
    statuses = (
        EnrichmentRequest.ACTIVE_STATUSES
        if supersede_review
        else EnrichmentRequest.HOLDING_STATUSES
    )
    return EnrichmentRequest.objects.filter(**{target: OuterRef("pk")}, status__in=statuses)


def held_back_counts(missing: QuerySet, target: str) -> dict[str, int]:
    """Of `missing` (the works, `target` "work", or authors, "author", that lack something),
    how many are not queued again and why, in one query: "waiting_for_review" (a proposal
    waits for a reviewer) and "already_queued" (a request pending or being worked). The rest
    are those works_to_enqueue / authors_to_enqueue give: the three add up to `missing`, as
    enrich_missing says them for works and authors alike."""
    waiting = _waiting_for_review(target)
    queued = Exists(
        EnrichmentRequest.objects.filter(
            **{target: OuterRef("pk")}, status__in=EnrichmentRequest.ACTIVE_STATUSES
        )
    )
    return missing.aggregate(
        waiting_for_review=Count("pk", filter=Q(waiting)),
        already_queued=Count("pk", filter=Q(queued) & ~Q(waiting)),
    )


def _waiting_for_review(target: str) -> Exists:
    return Exists(
        EnrichmentRequest.objects.filter(**{target: OuterRef("pk")}, status=Status.NEEDS_REVIEW)
    )


def authors_enqueue_enrichment(
    *,
    author_ids: Iterable[int] | None = None,
    trigger: str = Trigger.COMMAND,
    limit: int | None = None,
    dispatch: bool = True,
    supersede_review: bool = False,
    actor=None,
) -> list[int]:
    """Create a pending request for each author that lacks a bio, dates or ids
    (author_state.authors_missing_q) and has no active request, nor a proposal waiting for
    review, yet (`supersede_review`: as for works); returns the new requests' ids. The same
    queue as the works': claimed, retried and reviewed the same way."""
    authors = authors_to_enqueue(supersede_review=supersede_review)
    if author_ids is not None:
        authors = authors.filter(pk__in=list(author_ids))
    pks = authors.order_by("pk").values_list("pk", flat=True)
    ids = list(pks[:limit] if limit else pks)
    if not ids:
        return []
    now, due = timezone.now(), database_now()  # as works_enqueue_enrichment
    requests = [
        EnrichmentRequest(
            author_id=author_id,
            trigger=trigger,
            priority=PRIORITY.get(trigger, 0),
            wants_cover=True,  # a portrait, when the author has none
            wants_metadata=True,
            next_attempt_at=due,
        )
        for author_id in ids
    ]
    return _create_pending(
        requests,
        model=Author,
        ids=ids,
        since=now,
        dispatch=dispatch,
        supersede_review=supersede_review,
        actor=actor,
    )


def authors_to_enqueue(*, supersede_review: bool = False) -> QuerySet[Author]:
    """The authors authors_enqueue_enrichment would queue (enrich_missing --authors --dry-run
    counts them): those missing something, less those already queued or waiting for review."""
    authors = Author.objects.filter(authors_missing_q())
    return authors.exclude(Exists(holding_requests("author", supersede_review=supersede_review)))


def _create_pending(
    requests: list[EnrichmentRequest],
    *,
    model: type[Work] | type[Author],
    ids,
    since,
    dispatch,
    supersede_review: bool = False,
    actor=None,
) -> list[int]:
    """Insert new pending requests for these works (authors), mark them queued, and hand the
    requests to the workers once the transaction commits; returns the new requests' ids."""
    target = "author_id" if model is Author else "work_id"
    with transaction.atomic():
        # A concurrent enqueue may have created some meanwhile: the unique index skips them.
        EnrichmentRequest.objects.bulk_create(requests, ignore_conflicts=True, batch_size=500)
        created = list(
            EnrichmentRequest.objects.filter(
                **{f"{target}__in": ids}, status=Status.PENDING, created_at__gte=since
            ).values_list("pk", flat=True)
        )
        if supersede_review and created:
            _supersede_waiting(target, created, actor=actor, now=since)
        model.objects.filter(pk__in=ids).update(enrichment_status=Work.EnrichmentStatus.QUEUED)
        if dispatch and not settings.Q_SYNC:
            transaction.on_commit(lambda: requests_dispatch(request_ids=created))
    if dispatch and settings.Q_SYNC:
        requests_dispatch(request_ids=created)
    return created


def _supersede_waiting(target: str, created: list[int], *, actor, now) -> int:
    """A reviewer's re-run queued these new requests: the proposals still waiting for review
    of their works (authors) are dismissed as superseded, each with an audit entry naming the
    new request, so the review list shows the new one and never two proposals for one work.
    Returns how many were superseded (one approved meanwhile stays approved: the rows still
    waiting are locked first); a cover they still had queued is withheld (cover_withhold).
    Three queries however many (four with withheld covers): a bulk re-run is one action."""
    new_of = dict(EnrichmentRequest.objects.filter(pk__in=created).values_list(target, "pk"))
    waiting = list(
        EnrichmentRequest.objects.select_for_update()
        .filter(**{f"{target}__in": list(new_of)}, status=Status.NEEDS_REVIEW)
        .order_by("pk")
    )
    label = AuditLogEntry.label_for(actor)
    entries, withheld = [], []
    for old in waiting:
        old.superseded_by_id = new_of[getattr(old, target)]
        note = gettext("Superseded by request #%(id)s: enrichment was run again.") % {
            "id": old.superseded_by_id
        }
        old.status, old.retry_when_available = Status.SKIPPED, False
        old.reviewed_by, old.reviewed_at, old.review_note = actor, now, note
        old.finished_at, old.updated_at = old.finished_at or now, now
        if cover_withhold(old):  # its cover still queued is never applied: nothing of it is
            withheld.append(old)
        entries.append(
            AuditLogEntry(
                request=old,
                work_id=old.work_id,
                edition_id=old.edition_id,
                author_id=old.author_id,
                action=AuditLogEntry.Action.DISMISS,
                tier=old.confidence,
                changes={},
                actor=actor,
                actor_label=label,
                note=note,
            )
        )
    EnrichmentRequest.objects.bulk_update(
        waiting,
        [
            "status",
            "retry_when_available",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "superseded_by",
            "finished_at",
            "updated_at",
        ],
        batch_size=500,
    )
    if withheld:  # a fourth query only when a superseded proposal's cover was still queued
        EnrichmentRequest.objects.bulk_update(withheld, COVER_WITHHELD_FIELDS, batch_size=500)
    AuditLogEntry.objects.bulk_create(entries, batch_size=500)
    return len(waiting)


def post_import_hook(*, work_ids: Sequence[int], trigger: str) -> int:
    """CATALOG_ENRICHMENT_HOOK: the works an import created or changed."""
    return len(works_enqueue_enrichment(work_ids=work_ids, trigger=trigger))


def identified_q() -> Q:
    """A filter on EnrichmentRequest: its work is known by an ISBN or an Open Library key, so
    batched lookups answer it (no title search, at about 1 request per second, needed).
    An author's request is batched too (Wikidata takes many ids or names a query)."""
    keyed_edition = Edition.objects.filter(work=OuterRef("work_id")).filter(
        Q(isbn13__isnull=False)
        | (Q(openlibrary_edition_key__isnull=False) & ~Q(openlibrary_edition_key=""))
    )
    return (
        Q(Exists(keyed_edition))
        | (Q(work__openlibrary_work_key__isnull=False) & ~Q(work__openlibrary_work_key=""))
        | Q(author__isnull=False)
    )


def requests_dispatch(*, request_ids: Sequence[int]) -> int:
    """Hand requests to the django-q2 workers in batches; returns the number of tasks queued.

    Books known by an ISBN or an Open Library key go first, in batches of
    ENRICHMENT_BATCH_SIZE (one Open Library / ISBNdb batch request serves a whole task); books
    that need a title search follow in small batches of ENRICHMENT_SEARCH_BATCH_SIZE, so that
    hundreds of searches at the providers' pace never hold up the batched lookups, nor the
    cover tasks queued behind them for long.
    """
    ids = sorted(request_ids)
    if not ids:
        return 0
    EnrichmentRequest.objects.filter(pk__in=ids).update(queued_at=database_now())
    # Books waiting for a grouped title search (given back by a dead worker, or past their
    # gathering time) go to title-search group tasks, which take any waiting books.
    awaiting = set(
        EnrichmentRequest.objects.filter(pk__in=ids, awaiting_title_search=True).values_list(
            "pk", flat=True
        )
    )
    group_size = max(settings.OPENLIBRARY_SEARCH_GROUP_SIZE, 1)
    ids = [pk for pk in ids if pk not in awaiting]
    known = set(
        EnrichmentRequest.objects.filter(pk__in=ids)
        .filter(identified_q())
        .values_list("pk", flat=True)
    )
    groups = (
        ([pk for pk in ids if pk in known], settings.ENRICHMENT_BATCH_SIZE),
        ([pk for pk in ids if pk not in known], settings.ENRICHMENT_SEARCH_BATCH_SIZE),
    )
    tasks: list[tuple[str, tuple]] = [
        (TITLE_SEARCH_GROUP_TASK, ()) for _ in range(0, len(awaiting), group_size)
    ]
    for group, size in groups:
        size = max(size, 1)
        tasks += [
            ("enrichment.tasks.process_enrichment_batch", (group[start : start + size],))
            for start in range(0, len(group), size)
        ]
    queued = 0
    for func_path, args in tasks:
        # A broker that is down takes none of them: the sweep sends them all (`queued_at`).
        if not task_queue.enqueue_recorded(func_path, *args):
            break
        queued += 1
    return queued


def requests_dispatch_due(*, now=None) -> int:
    """The periodic sweep: give back stale requests, then queue every due pending request that
    no task holds, so the queue drains after a restart without anyone pressing a button."""
    now = now or database_now()
    requests_recover_stale(now=now)
    requests_retry_unavailable(now=now)
    # Queued and unclaimed since then: lost by the broker, or (later) waiting behind a backlog.
    held = broker_backlog.unclaimed_resend_cutoff(
        broker_backlog.main_queue_name(), now=now, stale_seconds=settings.ENRICHMENT_STALE_SECONDS
    )
    marked = stamp_expired_q(
        "queued_at", seconds=settings.ENRICHMENT_STALE_SECONDS, now=now, before=held
    )
    due = (
        EnrichmentRequest.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(queued_at__isnull=True) | marked)
        .order_by("-priority", "next_attempt_at", "pk")
        .values_list("pk", flat=True)[: settings.ENRICHMENT_DISPATCH_MAX]
    )
    dispatched = requests_dispatch(request_ids=list(due))
    # Covers no live task holds: new, retried after a passing fault, or left by a dead worker.
    covers_dispatch_due(now=now)
    return dispatched


def requests_retry_unavailable(*, now=None) -> list[int]:
    """Unresolved works that a provider could not be asked about (no key, a refused key) are
    queued again once ENRICHMENT_UNAVAILABLE_RETRY_SECONDS have passed. (Providers unavailable
    only for now, a breaker open or a quota spent, never end a request: it waits, pending, and
    the due sweep sends it again: enrichment.engine.) Judged on the database's clock, which the
    skip was stamped on (apply.request_finish_unmatched)."""
    now = now or database_now()
    cutoff = now - timedelta(seconds=settings.ENRICHMENT_UNAVAILABLE_RETRY_SECONDS)
    waiting = EnrichmentRequest.objects.filter(
        status=Status.SKIPPED, retry_when_available=True, finished_at__lt=cutoff
    )
    rows = list(
        waiting.values_list("pk", "work_id", "author_id")[: settings.ENRICHMENT_DISPATCH_MAX]
    )
    if not rows:
        return []
    waiting.filter(pk__in=[pk for pk, _, _ in rows]).update(retry_when_available=False)
    work_ids = [work_id for _, work_id, _ in rows if work_id is not None]
    author_ids = [author_id for _, _, author_id in rows if author_id is not None]
    created = []
    if work_ids:
        created += works_enqueue_enrichment(
            work_ids=work_ids, trigger=Trigger.SCHEDULE, dispatch=False
        )
    if author_ids:
        created += authors_enqueue_enrichment(
            author_ids=author_ids, trigger=Trigger.SCHEDULE, dispatch=False
        )
    return created


def requests_recover_stale(*, now=None) -> int:
    """Requests left in progress by a worker that died go back to pending (their attempt
    counts: a request that kills its worker every time ends as failed). One past its attempts
    that was waiting for its providers (its previous try said so: waiting.last_try_waited)
    waits again: no attempt counted, tried again after ENRICHMENT_UNAVAILABLE_RETRY_SECONDS.
    Claims are stamped and judged on the database's clock (bookstore.db_clock); one stamped
    further ahead of it than the stale interval goes back too, its attempt not counted (a clock
    set back, or restored rows, say nothing of the book), and is logged."""
    now = now or database_now()
    window = settings.ENRICHMENT_STALE_SECONDS
    stale = EnrichmentRequest.objects.filter(status=Status.IN_PROGRESS).filter(
        stamp_expired_q("claimed_at", seconds=window, now=now)
    )
    # Guarded UPDATEs, not one per row: a request its worker finishes meanwhile is no longer in
    # progress and is left alone.
    given_back = {
        "claim_token": "",
        "queued_at": None,
        "next_attempt_at": now,
        "last_error": gettext("The worker stopped while processing this request."),
        "updated_at": now,
    }
    # Past their attempts, or claimed ahead: few rows, read once (no UPDATE when there are none).
    ahead_at = now + timedelta(seconds=window)
    past_attempts, ahead_ids = {}, []
    for pk, stored, attempts, most, claimed_at in stale.filter(
        Q(attempts__gte=F("max_attempts")) | Q(claimed_at__gt=ahead_at)
    ).values_list("pk", "match_details", "attempts", "max_attempts", "claimed_at"):
        if stamp_far_ahead(claimed_at, seconds=window, now=now):
            ahead_ids.append(pk)
        elif attempts >= most:
            past_attempts[pk] = stored
    waiting_ids = [pk for pk, stored in past_attempts.items() if _last_try_waited(stored)]
    failed_ids = [pk for pk in past_attempts if pk not in waiting_ids]
    recovered = 0
    if ahead_ids:
        recovered += _requests_give_back_claimed_ahead(stale, ahead_ids, given_back, now=now)
        stale = stale.exclude(pk__in=ahead_ids)
    if waiting_ids:
        recovered += stale.filter(pk__in=waiting_ids).update(
            status=Status.PENDING,
            attempts=F("attempts") - 1,
            **{
                **given_back,
                "next_attempt_at": next_try_at([], now=now),
                "last_error": gettext(
                    "The worker stopped while processing this request; it still waits for "
                    "its providers."
                ),
            },
        )
    if failed_ids:
        recovered += stale.filter(pk__in=failed_ids).update(status=Status.FAILED, **given_back)
    recovered += stale.filter(attempts__lt=F("max_attempts")).update(
        status=Status.PENDING, **given_back
    )
    if recovered:
        logger.warning("Gave back %s enrichment requests left by a stopped worker", recovered)
    return recovered


def _requests_give_back_claimed_ahead(stale, ids: list[int], given_back: dict, *, now) -> int:
    """Requests whose claim lies ahead of the database's clock by more than the stale interval:
    pending again, the claim no attempt; its worker, if alive, finds the request no longer its
    own and writes nothing (its writes are fenced by the claim token)."""
    recovered = stale.filter(pk__in=ids).update(
        status=Status.PENDING,
        attempts=Greatest(F("attempts") - 1, 0),  # a restored row may never have counted one
        **{
            **given_back,
            "last_error": gettext(
                "Its claim was dated ahead of the database's clock (a clock set back, or rows "
                "restored from a backup): given back to the queue."
            ),
        },
    )
    if recovered:
        logger.warning(
            "Gave back %s enrichment requests claimed more than %s s ahead of the database's "
            "clock (%s): a clock set back, or rows restored from a backup",
            recovered,
            settings.ENRICHMENT_STALE_SECONDS,
            now.isoformat(),
        )
    return recovered


def _last_try_waited(stored) -> bool:
    return last_try_waited(MatchDetails.from_json(stored))  # values_list leaves the stored JSON


# --- Claiming -----


def requests_claim(
    *,
    request_ids: Sequence[int] | None = None,
    limit: int = 100,
    now=None,
    title_search_group: bool = False,
):
    """Atomically take due pending requests for this worker: returns the claimed requests.
    `title_search_group`: take books waiting for a grouped title search instead (any of them,
    oldest first: their wait is a gathering, not a backoff); a batch never takes those.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint rows
    without waiting. SQLite has no row locks: a guarded UPDATE (status still pending) inside
    an IMMEDIATE transaction marks the rows with this claim's token, then reads them back.
    The claim is stamped on the database's clock, which the sweep judges it by.
    """
    now = now or database_now()
    token = uuid.uuid4().hex
    pending = EnrichmentRequest.objects.filter(
        status=Status.PENDING, awaiting_title_search=title_search_group
    )
    if title_search_group:
        due = pending.order_by("next_attempt_at", "pk")
    else:
        due = pending.filter(next_attempt_at__lte=now).order_by(
            "-priority", "next_attempt_at", "pk"
        )
    if request_ids is not None:
        due = due.filter(pk__in=list(request_ids))
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        else:
            ids = list(due.values_list("pk", flat=True)[:limit])
        EnrichmentRequest.objects.filter(
            pk__in=ids, status=Status.PENDING, awaiting_title_search=title_search_group
        ).update(
            status=Status.IN_PROGRESS,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    return list(
        EnrichmentRequest.objects.filter(claim_token=token, status=Status.IN_PROGRESS)
        .select_related("work", "edition", "author")
        .order_by("pk")
    )

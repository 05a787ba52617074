"""django-q2 tasks of enrichment and of the review panel: thin wrappers that take ids and call
one service.

Every task is idempotent: a request already claimed, finished or gone is left alone, a cover
already applied (or no longer pending) is left alone, and a bulk operation resumes where its
progress says it stopped.
"""

from enrichment import (
    bulk_operations,
    cover_apply,
    engine,
    housekeeping,
    queue,
    reconcile,
    sweep,
    title_search_groups,
)
from enrichment.backfill import claims as backfill_claims
from enrichment.backfill import run as backfill_run
from enrichment.backfill import synthetic


def process_enrichment_batch(request_ids: list[int]) -> dict:
    requests = queue.requests_claim(request_ids=request_ids, limit=len(request_ids))
    stats = engine.process_requests(requests, gather_title_searches=True)
    # This batch's books waiting for a title search, or earlier batches' (now that this one
    # is done, their group may be ready), go to a group task.
    title_search_groups.title_search_group_dispatch()
    return dict(stats.statuses)


def process_title_search_group() -> dict:
    """Up to OPENLIBRARY_SEARCH_GROUP_SIZE books waiting for a title search, from any batch."""
    return dict(engine.process_title_search_group().statuses)


def dispatch_due_requests() -> dict:
    """The periodic schedule (every minute): the sweep hands over again every piece of work
    whose task the broker lost or whose worker died (enrichment.sweep says which and how)."""
    return sweep.sweep().as_json()


def fetch_covers_for_requests(request_ids: list[int], actor_id: int | None = None) -> dict:
    return cover_apply.covers_fetch_task(request_ids=request_ids, actor_id=actor_id)


def run_bulk_operation(operation_id: int) -> dict:
    operation = bulk_operations.bulk_operation_run(operation_id=operation_id)
    return {"status": operation.status, "done": operation.done, "total": operation.total}


def propose_author_merges() -> dict:
    """The daily schedule: record a merge proposal for each pair of duplicate authors found."""
    return reconcile.author_duplicates_propose().as_json()


def run_backfill_scheduler() -> dict:
    """The backfill's schedule (every 5 minutes): months a dead worker left go back to retry,
    then a few pending / retry months, newest first, are claimed and handed to workers."""
    return backfill_claims.backfill_months_schedule().as_json()


def process_backfill_month(month_id: int, token: str) -> dict:
    month = backfill_run.backfill_month_process(month_id=month_id, token=token)
    return {"month": month.label, "status": month.status}


def retry_synthetic_works() -> dict:
    """The daily schedule (00:30 UTC, once the providers' daily budgets have reset): synthetic
    works asked of the providers again, and upgraded in place when one resolves."""
    return synthetic.synthetic_works_retry().as_json()


def run_housekeeping() -> dict:
    """The daily schedule: expired provider answers, task results beyond save_limit and dead
    clusters' heartbeats deleted; the biggest tables measured for the dashboard."""
    return housekeeping.housekeeping_run().as_json()

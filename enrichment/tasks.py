"""django-q2 tasks of enrichment and of the review panel: thin wrappers that take ids and call
one service.

Every task is idempotent: a request already claimed, finished or gone is left alone, a cover
already applied (or no longer pending) is left alone, and a bulk operation resumes where its
progress says it stopped.
"""

from enrichment import bulk_operations, cover_apply, engine, queue, reconcile


def process_enrichment_batch(request_ids: list[int]) -> dict:
    requests = queue.requests_claim(request_ids=request_ids, limit=len(request_ids))
    stats = engine.process_requests(requests)
    return dict(stats.statuses)


def dispatch_due_requests() -> int:
    """The periodic schedule: stale requests back to pending, due ones to the workers."""
    return queue.requests_dispatch_due()


def fetch_covers_for_requests(request_ids: list[int], actor_id: int | None = None) -> dict:
    return cover_apply.covers_fetch_task(request_ids=request_ids, actor_id=actor_id)


def run_bulk_operation(operation_id: int) -> dict:
    operation = bulk_operations.bulk_operation_run(operation_id=operation_id)
    return {"status": operation.status, "done": operation.done, "total": operation.total}


def propose_author_merges() -> dict:
    """The daily schedule: record a merge proposal for each pair of duplicate authors found."""
    return reconcile.author_duplicates_propose().as_json()

"""django-q2 tasks of the review panel: thin wrappers that take ids and call one service.

Both are idempotent: a bulk operation resumes where its progress says it stopped, and a cover
already applied (or no longer pending) is left alone.
"""

from enrichment import bulk_operations, cover_apply


def run_bulk_operation(operation_id: int) -> dict:
    operation = bulk_operations.bulk_operation_run(operation_id=operation_id)
    return {"status": operation.status, "done": operation.done, "total": operation.total}


def fetch_covers(request_ids: list[int], actor_id: int | None = None) -> dict:
    """For tasks queued before approved covers went to tasks.fetch_covers_for_requests."""
    return cover_apply.covers_fetch_task(request_ids=request_ids, actor_id=actor_id)

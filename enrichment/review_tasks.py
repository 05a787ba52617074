"""django-q2 tasks of the review panel: thin wrappers that take ids and call one service.

Both are idempotent: a bulk operation resumes where its progress says it stopped, and a cover
already applied (or no longer pending) is left alone.
"""

from django.contrib.auth import get_user_model

from enrichment import review


def run_bulk_operation(operation_id: int) -> dict:
    operation = review.bulk_operation_run(operation_id=operation_id)
    return {"status": operation.status, "done": operation.done, "total": operation.total}


def fetch_covers(request_ids: list[int], actor_id: int | None = None) -> dict:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return review.requests_fetch_covers_for(request_ids=request_ids, actor=actor)

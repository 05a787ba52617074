"""What the enrichment endpoints do beyond the review page's own services: enrich chosen works
and say, per work, why some were not queued (the rule is review.works_enqueue_with_reasons);
lock what a request's ETag covers for a decision taken with an If-Match."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from catalog.models import Edition
from enrichment import review
from enrichment.models import EnrichmentRequest
from enrichment.targets import lock_request_targets


@dataclass(frozen=True)
class SkippedWork:
    id: int
    reason: str


@dataclass(frozen=True)
class TriggerOutcome:
    queued: int
    already_active: int  # had a pending or in-progress request already
    skipped: list[SkippedWork] = field(default_factory=list)  # not queued for another reason


def works_trigger(*, work_ids: Sequence[int]) -> TriggerOutcome:
    """Queue these works for enrichment (the works enrich_missing would queue among them), as
    the API's trigger: each work lacking nothing, synthetic or already queued is said so."""
    queued, why_not = review.works_enqueue_with_reasons(
        work_ids, trigger=EnrichmentRequest.Trigger.API
    )
    already_active = sum(1 for reason in why_not.values() if reason == review.ALREADY_QUEUED)
    skipped = [
        SkippedWork(id=work_id, reason=why_not[work_id])
        for work_id in work_ids
        if work_id in why_not and why_not[work_id] != review.ALREADY_QUEUED
    ]
    return TriggerOutcome(queued=len(queued), already_active=already_active, skipped=skipped)


def request_lock_etag_rows(enrichment_request: EnrichmentRequest) -> None:
    """Lock, in a transaction, every row the request's ETag reads (selectors.request_etag): its
    targets, in the order the decision locks them, then the work's other editions, whose first
    with a cover is the cover the work shows when it has none of its own (its "image") and
    whose covers decide whether a safe approval fills the work's. Unlocked, a sibling's cover
    changed between the If-Match's check and the decision went unseen (PostgreSQL; SQLite's
    writers take turns)."""
    lock_request_targets(enrichment_request)
    if enrichment_request.author_id is None:
        work = enrichment_request.work
        list(Edition.objects.select_for_update().filter(work=work).order_by("pk").values("pk"))

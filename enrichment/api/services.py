"""What the enrichment endpoints do beyond the review page's own services: enrich chosen works
and say, per work, why some were not queued (the rule is review.works_enqueue_with_reasons)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from enrichment import review
from enrichment.models import EnrichmentRequest


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

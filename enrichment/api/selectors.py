"""The reads behind the enrichment endpoints: each work's enrichment state for a list of ids, and
the queue's requests. They compose the rules where those live (a verified cover:
catalog.selectors; the last try and the provider asked: enrichment.selectors) and cost a fixed
number of queries whatever the number of ids or rows."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, QuerySet, Subquery

from catalog.models import Work
from catalog.selectors import works_with_cover_q
from enrichment.models import EnrichmentRequest
from enrichment.presenters import request_image_holder, request_live_values
from enrichment.request_status import (
    TARGET_CHANGED_ANNOTATION,
    request_changed_catalog_annotation,
    target_changed_annotation,
    target_status_label,
)
from enrichment.selectors import request_last_try_at, requests_asking_provider
from enrichment.work_state import value_fingerprint


@dataclass(frozen=True)
class WorkEnrichmentState:
    """One work's enrichment, as `enrichment/status` answers it."""

    id: int
    enrichment_status: str  # Work.EnrichmentStatus ("" before any enrichment)
    enrichment_status_label: str  # as the works list says it ("Matched, nothing added")
    enrichment_confidence: str  # the last match's tier ("" before any)
    last_try_at: datetime.datetime | None
    has_verified_cover: bool
    completeness: int
    current_request_id: int | None  # its newest request (the one "last try" speaks of)
    active_request_id: int | None  # pending or in progress (at most one per work)


def works_enrichment_state(
    work_ids: Sequence[int],
) -> tuple[list[WorkEnrichmentState], list[int]]:
    """The state of each of these works, in the order asked, and the ids no work has. Two
    queries, whatever the count: the works with their newest and active requests' ids and
    whether they show a verified cover; then those newest requests' times."""
    newest = EnrichmentRequest.objects.filter(work=OuterRef("pk")).order_by("-pk").values("pk")
    active = EnrichmentRequest.objects.filter(
        work=OuterRef("pk"), status__in=EnrichmentRequest.ACTIVE_STATUSES
    ).values("pk")
    rows = {
        row["pk"]: row
        for row in Work.objects.filter(pk__in=list(work_ids))
        .annotate(
            has_verified_cover=ExpressionWrapper(
                works_with_cover_q(verified=True), output_field=BooleanField()
            ),
            current_request_id=Subquery(newest[:1]),
            active_request_id=Subquery(active[:1]),
            **target_changed_annotation(),
        )
        .values(
            "pk",
            "enrichment_status",
            "enrichment_confidence",
            "completeness",
            "has_verified_cover",
            "current_request_id",
            "active_request_id",
            TARGET_CHANGED_ANNOTATION,
        )
    }
    current_ids = [row["current_request_id"] for row in rows.values() if row["current_request_id"]]
    current = EnrichmentRequest.objects.filter(pk__in=current_ids).only(
        "status", "attempts", "claimed_at", "finished_at", "updated_at"
    )
    tried = {request.pk: request_last_try_at(request) for request in current}
    states = [
        WorkEnrichmentState(
            id=row["pk"],
            enrichment_status=row["enrichment_status"],
            enrichment_status_label=target_status_label(
                row["enrichment_status"], changed=row[TARGET_CHANGED_ANNOTATION]
            ),
            enrichment_confidence=row["enrichment_confidence"],
            last_try_at=tried.get(row["current_request_id"]),
            has_verified_cover=bool(row["has_verified_cover"]),
            completeness=row["completeness"],
            current_request_id=row["current_request_id"],
            active_request_id=row["active_request_id"],
        )
        for work_id in work_ids
        if (row := rows.get(work_id)) is not None
    ]
    return states, [work_id for work_id in work_ids if work_id not in rows]


def queue_requests(
    *, status: str = "", confidence: str = "", provider: str = ""
) -> QuerySet[EnrichmentRequest]:
    """Every request, works' and authors', with what a queue row shows (the target's title or
    name, not the wide proposal), filtered by status, confidence and a provider asked. Ordered
    by the caller (the API pages newest first, by id)."""
    requests = EnrichmentRequest.objects.select_related("work", "author", "reviewed_by").only(
        "status",
        "reviewed_at",  # status_label: who or what decided it (request_status)
        "reviewed_by__username",
        "superseded_by",
        "cover_status",  # status_label: a completed request that added nothing
        "confidence",
        "trigger",
        "providers_attempted",
        "attempts",
        "created_at",
        "updated_at",
        "work",
        "work__title",
        "author",
        "author__name",
    )
    requests = requests.annotate(**request_changed_catalog_annotation())
    if status:
        requests = requests.filter(status=status)
    if confidence:
        requests = requests.filter(confidence=confidence)
    if provider:
        requests = requests_asking_provider(requests, provider)
    return requests


def request_etag(enrichment_request: EnrichmentRequest) -> str:
    """The ETag of a request as `GET {id}` shows it and a decision acts on it: its status, its
    proposal (what was applied included), its review, and what its fields and image hold in the
    catalog now. A client's If-Match on approve or dismiss holds while none of these changed."""
    holder, slot = request_image_holder(enrichment_request)
    state = {
        "status": enrichment_request.status,
        "reviewed_at": enrichment_request.reviewed_at,
        "review_note": enrichment_request.review_note,
        "proposal": enrichment_request.proposal.to_json(),
        "current": request_live_values(enrichment_request),
        "image": getattr(holder, slot).name if holder is not None else "",
    }
    return value_fingerprint(state)

"""The cover step of enrichment: download, verify and apply the cover a request proposed.

It runs in its own task (or after each batch in `enrich_missing --now`) so that slow image hosts
never hold up metadata work. Downloads happen outside any transaction; the apply is one
transaction that re-checks the request and never replaces a cover the work already has (only a
reviewer can, from the review page).
"""

import logging

from django.db import transaction
from django.utils import timezone

from catalog.models import Edition, Work
from enrichment.candidates import CoverRef
from enrichment.covers import assign_cover, choose_cover, store_cover
from enrichment.covers.errors import RETRYABLE_REASONS
from enrichment.models import AuditLogEntry, EnrichmentRequest

logger = logging.getLogger(__name__)
CoverStatus = EnrichmentRequest.CoverStatus
#: A download that failed for a passing reason (timeout, 5xx) is tried again this many times.
MAX_COVER_ATTEMPTS = 3


def cover_refs(request: EnrichmentRequest) -> list[CoverRef]:
    proposed = (request.proposal.get("cover") or {}).get("proposed") or []
    return [CoverRef(**ref) for ref in proposed]


def requests_fetch_covers(*, request_ids: list[int]) -> dict[str, int]:
    """Fetch and apply the proposed covers of these requests; returns counts by outcome."""
    outcomes: dict[str, int] = {}
    pending = EnrichmentRequest.objects.filter(pk__in=request_ids, cover_status=CoverStatus.PENDING)
    for request in pending.select_related("work"):
        outcome = request_fetch_cover(request=request)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def request_fetch_cover(*, request: EnrichmentRequest, actor=None, force: bool = False) -> str:
    """Download the request's cover candidates in priority order and apply the first that
    verifies. `force` (a reviewer's choice) replaces an existing cover."""
    choice = choose_cover(cover_refs(request))
    with transaction.atomic():
        locked = EnrichmentRequest.objects.select_for_update().get(pk=request.pk)
        if not force and locked.cover_status != CoverStatus.PENDING:
            return "already_done"  # another task got here first: idempotent
        work = Work.objects.select_for_update().get(pk=locked.work_id)
        details = dict(locked.match_details)
        details["cover_rejections"] = choice.rejection_details()
        attempts = details.get("cover_attempts", 0) + 1
        details["cover_attempts"] = attempts
        locked.match_details = details
        if not force and _has_verified_cover(work):
            locked.cover_status = CoverStatus.NONE
            details["cover_note"] = "The work already has a verified cover: kept."
            locked.save(update_fields=["cover_status", "match_details", "updated_at"])
            return "kept_existing"
        if not choice.found:
            retry = any(r.reason in RETRYABLE_REASONS for r in choice.rejections)
            if retry and attempts < MAX_COVER_ATTEMPTS:
                locked.save(update_fields=["match_details", "updated_at"])
                return "retry_later"
            locked.cover_status = CoverStatus.REJECTED
            locked.save(update_fields=["cover_status", "match_details", "updated_at"])
            return "rejected"
        stored = store_cover(choice.image)
        target = _cover_target(locked, work)
        old = target.cover.name if target.cover else ""
        old_fields = {
            "cover": old,
            "cover_source": target.cover_source,
            "cover_source_url": target.cover_source_url,
        }
        assign_cover(target, stored, source=choice.ref.provider, source_url=choice.ref.url)
        AuditLogEntry.objects.create(
            request=locked,
            work=work,
            edition=target if isinstance(target, Edition) else None,
            action=AuditLogEntry.Action.COVER,
            provider=choice.ref.provider,
            tier=locked.confidence,
            changes={
                "cover": {
                    "old": old,
                    "new": stored.original_name,
                    "target": "edition" if isinstance(target, Edition) else "work",
                    "previous": old_fields,
                    "sha256": stored.sha256,
                    "source_url": choice.ref.url,
                }
            },
            actor=actor,
            actor_label="" if actor else "enrichment worker",
        )
        locked.cover_status = CoverStatus.APPLIED
        proposal = dict(locked.proposal)
        if "cover" in proposal:
            proposal["cover"] = {**proposal["cover"], "applied": True, "chosen": choice.ref.url}
        locked.proposal = proposal
        locked.save(update_fields=["cover_status", "match_details", "proposal", "updated_at"])
        _refresh_work(work)
    return "applied"


def _has_verified_cover(work: Work) -> bool:
    return bool(work.cover) or work.editions.exclude(cover="").exists()


def _cover_target(request: EnrichmentRequest, work: Work):
    """Covers belong to the edition they picture (the work shows it by inheritance)."""
    if request.edition_id:
        return Edition.objects.select_for_update().get(pk=request.edition_id)
    edition = work.editions.order_by("isbn13", "pk").exclude(isbn13__isnull=True).first()
    edition = edition or work.editions.order_by("pk").first()
    return Edition.objects.select_for_update().get(pk=edition.pk) if edition else work


def _refresh_work(work: Work) -> None:
    from enrichment.apply import completeness_of

    work.completeness = completeness_of(work, work.editions.first())
    work.last_enriched_at = timezone.now()
    work.save(update_fields=["completeness", "last_enriched_at", "updated_at"])

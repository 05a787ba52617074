"""Reviewers' decisions on enrichment requests: approve (the safe proposal, or chosen fields),
dismiss, re-run, and their bulk versions. Reverting an audit entry is `enrichment.revert`;
bulk operations worked in the background are `enrichment.bulk_operations`.

Each decision is one transaction that locks the request, the work and the edition and writes an
AuditLogEntry with the old and new values. Deciding twice changes nothing the second time. A
reviewer's tick is the only way a non-empty catalog field is ever overwritten.
"""

import copy
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Edition, Work
from catalog.selectors import work_has_cover
from enrichment import apply, cover_apply, queue
from enrichment.candidates import Contributor
from enrichment.merge import FIELDS
from enrichment.models import AuditLogEntry, EnrichmentRequest

logger = logging.getLogger(__name__)
Status = EnrichmentRequest.Status
CoverStatus = EnrichmentRequest.CoverStatus
Action = AuditLogEntry.Action

#: Rows per chunk: one progress update per chunk.
BULK_CHUNK_SIZE = 100
#: Fields a reviewer may choose beyond the proposal's metadata fields.
EXTRA_FIELDS = ("cover", "authors")
#: The order fields are shown and worked in (JSON objects from PostgreSQL come key-sorted).
FIELD_ORDER = {name: i for i, name in enumerate([*FIELDS, *EXTRA_FIELDS])}
COVER_FIELDS = ("cover", "cover_thumbnail", "cover_source", "cover_source_url", "cover_sha256")


def ordered(changes: dict | None) -> list[tuple[str, Any]]:
    """A field -> value mapping in the catalog's field order."""
    return sorted((changes or {}).items(), key=lambda item: FIELD_ORDER.get(item[0], 99))


class ReviewError(Exception):
    """A decision that cannot be made; the message says why, for people."""


# --- Results ------------------------------------------------------------------------------------


@dataclass
class ApproveResult:
    request_id: int
    approved: bool = False  # this call moved the request to completed
    applied: dict[str, dict] = field(default_factory=dict)  # field -> {old, new, target}
    refused: dict[str, str] = field(default_factory=dict)  # field -> reason
    cover: str = ""  # "", "queued", or request_fetch_cover's outcome ("applied", "rejected"...)
    already_done: bool = False  # nothing was left to do

    @property
    def changed(self) -> bool:
        return bool(self.applied) or self.cover == "applied"


@dataclass
class DismissResult:
    request_id: int
    dismissed: bool  # False: it was dismissed already


@dataclass
class RerunResult:
    request_id: int
    new_request_id: int | None
    reason: str = ""  # why nothing was queued


@dataclass
class BulkResult:
    """What a bulk action did: rows changed, left as they were (with reasons), failed."""

    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    reasons: Counter = field(default_factory=Counter)

    def skip(self, reason: str) -> None:
        self.unchanged += 1
        self.reasons[reason] += 1

    def fail(self, reason: str) -> None:
        self.failed += 1
        self.reasons[reason] += 1

    def add(self, other: "BulkResult") -> None:
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.reasons.update(other.reasons)

    @property
    def total(self) -> int:
        return self.changed + self.unchanged + self.failed


# --- Approve ------------------------------------------------------------------------------------


def request_approve(
    *,
    request: EnrichmentRequest,
    actor,
    fields: Sequence[str] | None = None,
    note: str = "",
    dispatch_covers: bool = True,
) -> ApproveResult:
    """Apply a request's proposal to the catalog.

    `fields=None`: the safe proposal, as the engine's high tier would: the proposed values of
    empty fields, the authors of a work that has none, and the cover of a work without one (its
    download is queued). `fields=[...]`: exactly those fields, replacing non-empty values too;
    "cover" downloads and applies the proposed cover now, replacing any existing one.
    Fields already applied are skipped. Raises ReviewError when the request cannot be approved.
    """
    safe = fields is None
    chosen = [] if safe else list(dict.fromkeys(fields))
    result = ApproveResult(request_id=request.pk)
    now = timezone.now()
    with transaction.atomic():
        locked = EnrichmentRequest.objects.select_for_update().get(pk=request.pk)
        if not _approvable(locked, safe=safe):
            result.already_done = True
            return result
        work, edition = _locked_targets(locked)
        proposal = copy.deepcopy(locked.proposal or {})
        unknown = [n for n in chosen if n not in proposal and n not in EXTRA_FIELDS]
        if unknown:
            raise ReviewError(f"Not proposed for this book: {', '.join(unknown)}.")
        pending = {n for n, item in proposal.items() if not item.get("applied")}
        if safe:
            names = [n for n in FIELDS if n in pending and proposal[n].get("fills_empty")]
            want_authors = True
            want_cover = "cover" in pending and not work_has_cover(work)
        else:
            names = [n for n in chosen if n in FIELDS and n in pending]
            want_authors = "authors" in chosen
            want_cover = "cover" in chosen and "cover" in pending
        authors_done = "authors" in (locked.fields_applied or [])
        if locked.status == Status.COMPLETED and not (
            names or want_cover or (want_authors and not authors_done)
        ):
            result.already_done = True  # the same choice twice: nothing left to do
            return result

        values = {name: proposal[name]["proposed"] for name in names}
        changes, refused = apply.write_fields(
            work=work, edition=edition, values=values, only_empty=safe
        )
        if want_authors and not authors_done:
            authors = _proposed_authors(locked)
            credited = apply.add_authors(work=work, authors=authors) if authors else None
            if credited:
                changes["authors"] = credited
            elif not safe and authors:
                refused["authors"] = "the work already has credits: edit them on the work"
            elif not safe:
                refused["authors"] = "no provider named the authors"
        for name in changes:
            if name in proposal:
                proposal[name]["applied"] = True
                proposal[name].pop("refused", None)
        for name, reason in refused.items():
            if name in proposal:
                proposal[name]["refused"] = reason

        if changes:
            AuditLogEntry.objects.create(
                request=locked,
                work=work,
                edition=edition,
                action=Action.REVIEW_APPLY,
                provider=_sources(changes, proposal, locked),
                tier=locked.confidence,
                changes=changes,
                actor=actor,
                actor_label=actor_label_of(actor),
                note=note,
            )
        result.applied, result.refused = changes, refused
        result.approved = locked.status == Status.NEEDS_REVIEW
        if want_cover and safe:
            cover_apply.cover_mark_pending(locked)
            result.cover = "queued"
        locked.status = Status.COMPLETED
        locked.proposal = proposal
        locked.fields_applied = sorted({*(locked.fields_applied or []), *changes})
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.review_note = note or _approve_note(changes, safe=safe, cover=result.cover)
        locked.retry_when_available = False
        locked.finished_at = locked.finished_at or now
        locked.save()
        set_work_state(work, edition, status=Work.EnrichmentStatus.ENRICHED, touched=changes)
        if result.cover == "queued" and dispatch_covers:
            request_id, actor_id = locked.pk, getattr(actor, "pk", None)
            transaction.on_commit(
                lambda: covers_fetch_dispatch(request_ids=[request_id], actor_id=actor_id)
            )
    if want_cover and not safe:
        # Downloads happen outside the metadata transaction; the cover step locks on its own.
        result.cover = cover_apply.request_fetch_cover(request=locked, actor=actor, force=True)
    return result


def _approvable(request: EnrichmentRequest, *, safe: bool) -> bool:
    """True to go on, False when an approval already happened (idempotent), else ReviewError."""
    if request.status == Status.NEEDS_REVIEW:
        return True
    if request.status == Status.COMPLETED:
        # A completed request keeps its proposal: a reviewer may still apply chosen fields,
        # such as a value that would replace a non-empty one. The safe part is already in.
        return not safe
    raise ReviewError(_not_reviewable_reason(request))


def _not_reviewable_reason(request: EnrichmentRequest) -> str:
    if request.status in EnrichmentRequest.ACTIVE_STATUSES:
        return "It is still being looked up: wait until the providers have answered."
    if request.status == Status.FAILED:
        return "It failed, so there is nothing to approve: re-run it."
    if request.reviewed_by_id:
        return "It was dismissed: re-run it for a new proposal."
    return "It was skipped (no match), so there is nothing to approve: re-run it."


def _locked_targets(request: EnrichmentRequest) -> tuple[Work, Edition | None]:
    work = Work.objects.select_for_update().get(pk=request.work_id)
    request.work = work
    edition = apply.target_edition(request)
    if edition is not None:
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
    return work, edition


def _proposed_authors(request: EnrichmentRequest) -> list[Contributor]:
    people = (request.match_details or {}).get("authors") or []
    return [
        Contributor(name=p["name"], role=p.get("role") or "author") for p in people if p.get("name")
    ]


def _sources(changes: dict, proposal: dict, request: EnrichmentRequest) -> str:
    sources = [proposal[n]["source"] for n in changes if n in proposal]
    if "authors" in changes:
        people = (request.match_details or {}).get("authors") or []
        sources += [p.get("source", "") for p in people[:1]]
    return ",".join(s for s in dict.fromkeys(sources) if s)[:128]


def actor_label_of(actor) -> str:
    return actor.get_username()[:64] if actor is not None else ""


def _approve_note(changes: dict, *, safe: bool, cover: str) -> str:
    what = ", ".join(changes) or "nothing"
    note = f"Approved the safe proposal: applied {what}" if safe else f"Applied {what}"
    return note + (" (cover download queued)." if cover == "queued" else ".")


def set_work_state(work: Work, edition: Edition | None, *, status: str, touched) -> None:
    work.enrichment_status = status
    work.completeness = apply.completeness_of(work, edition or work.editions.first())
    fields = ["enrichment_status", "completeness", "updated_at"]
    if touched:
        work.last_enriched_at = timezone.now()
        fields.append("last_enriched_at")
    work.save(update_fields=fields)


def covers_fetch_dispatch(*, request_ids: list[int], actor_id: int | None) -> None:
    """Queue the downloads of covers a reviewer approved (credited to the reviewer)."""
    cover_apply.covers_dispatch(request_ids=request_ids, actor_id=actor_id)


# --- Dismiss ------------------------------------------------------------------------------------


def request_dismiss(*, request: EnrichmentRequest, actor, reason: str = "") -> DismissResult:
    """Turn a proposal down: the request leaves the review queue (skipped, with the reason);
    the catalog keeps what it holds."""
    reason = (reason or "").strip()
    now = timezone.now()
    with transaction.atomic():
        locked = EnrichmentRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status == Status.SKIPPED and locked.reviewed_by_id:
            return DismissResult(request_id=locked.pk, dismissed=False)
        if locked.status != Status.NEEDS_REVIEW:
            raise ReviewError("Only requests waiting for review can be dismissed.")
        work = Work.objects.select_for_update().get(pk=locked.work_id)
        locked.status = Status.SKIPPED
        locked.retry_when_available = False
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.review_note = f"Dismissed: {reason}" if reason else "Dismissed."
        locked.finished_at = locked.finished_at or now
        locked.save()
        AuditLogEntry.objects.create(
            request=locked,
            work=work,
            edition=locked.edition,
            action=Action.DISMISS,
            provider=_sources(locked.proposal or {}, locked.proposal or {}, locked),
            tier=locked.confidence,
            changes={},
            actor=actor,
            actor_label=actor_label_of(actor),
            note=reason,
        )
        if work.enrichment_status == Work.EnrichmentStatus.NEEDS_REVIEW:
            # What was applied before (a cover on medium confidence) stays applied.
            kept = locked.fields_applied or locked.cover_status == CoverStatus.APPLIED
            work.enrichment_status = (
                Work.EnrichmentStatus.ENRICHED if kept else Work.EnrichmentStatus.DISMISSED
            )
            work.save(update_fields=["enrichment_status", "updated_at"])
    return DismissResult(request_id=locked.pk, dismissed=True)


# --- Re-run -------------------------------------------------------------------------------------


def request_rerun(*, request: EnrichmentRequest, actor) -> RerunResult:
    """Ask the providers again: a new pending request for the work (the same service
    enrich_missing uses). A request waiting for review is superseded by the new one."""
    result = requests_rerun_bulk(
        queryset=EnrichmentRequest.objects.filter(pk=request.pk), actor=actor
    )
    new = (
        EnrichmentRequest.objects.filter(
            work_id=request.work_id, status__in=EnrichmentRequest.ACTIVE_STATUSES
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if result.changed:
        return RerunResult(request_id=request.pk, new_request_id=new)
    reason = next(iter(result.reasons), "Nothing was queued.")
    return RerunResult(request_id=request.pk, new_request_id=None, reason=reason)


NOTHING_MISSING = "the work has a cover and complete metadata: nothing to look up"
ALREADY_QUEUED = "the work is already queued"


def _enqueue_works(
    work_ids: Iterable[int], *, covers: bool = True, metadata: bool = True
) -> tuple[set[int], dict[int, str]]:
    """Queue the works that need it; returns (queued work ids, work id -> why not)."""
    work_ids = set(work_ids)
    new_ids = queue.works_enqueue_enrichment(
        work_ids=sorted(work_ids),
        trigger=EnrichmentRequest.Trigger.MANUAL_BULK,
        covers=covers,
        metadata=metadata,
    )
    queued = set(EnrichmentRequest.objects.filter(pk__in=new_ids).values_list("work_id", flat=True))
    rest = work_ids - queued
    gone = rest - set(Work.objects.filter(pk__in=rest).values_list("pk", flat=True))
    active = set(
        EnrichmentRequest.objects.filter(
            work_id__in=rest, status__in=EnrichmentRequest.ACTIVE_STATUSES
        ).values_list("work_id", flat=True)
    )
    why = {
        w: "no longer exists" if w in gone else ALREADY_QUEUED if w in active else NOTHING_MISSING
        for w in rest
    }
    return queued, why


def requests_rerun_bulk(*, queryset: QuerySet[EnrichmentRequest], actor) -> BulkResult:
    result = BulkResult()
    for chunk in _chunks(queryset):
        rows = list(EnrichmentRequest.objects.filter(pk__in=chunk).values_list("pk", "work_id"))
        queued, why = _enqueue_works(work for _, work in rows)
        seen: set[int] = set()
        superseded = []
        for pk, work_id in rows:
            if work_id in queued and work_id not in seen:
                seen.add(work_id)
                result.changed += 1
                superseded.append(pk)
            elif work_id in queued:
                result.skip("another selected request is for the same work")
            else:
                result.skip(why[work_id])
        if superseded:
            EnrichmentRequest.objects.filter(pk__in=superseded, status=Status.NEEDS_REVIEW).update(
                status=Status.SKIPPED,
                reviewed_by=actor,
                reviewed_at=timezone.now(),
                review_note="Superseded: enrichment was run again.",
                updated_at=timezone.now(),
            )
    return result


def works_enrich_bulk(
    *, queryset: QuerySet[Work], actor, covers: bool = True, metadata: bool = True
) -> BulkResult:
    """ "Enrich selected" and "Enrich all missing": queue the works that lack a cover or
    metadata (the service enrich_missing uses), saying why the others were not."""
    result = BulkResult()
    for chunk in _chunks(queryset):
        queued, why = _enqueue_works(chunk, covers=covers, metadata=metadata)
        result.changed += len(queued)
        for reason in why.values():
            result.skip(reason)
    return result


# --- Bulk approve / dismiss ---------------------------------------------------------------------


def requests_approve_bulk(*, queryset: QuerySet[EnrichmentRequest], actor) -> BulkResult:
    """Approve each request's safe proposal (each in its own transaction)."""
    result = BulkResult()
    actor_id = getattr(actor, "pk", None)
    for chunk in _chunks(queryset):
        covers = []
        for request in EnrichmentRequest.objects.filter(pk__in=chunk).order_by("pk"):
            try:
                outcome = request_approve(
                    request=request, actor=actor, fields=None, dispatch_covers=False
                )
            except ReviewError as error:
                result.skip(str(error))
                continue
            except Exception:  # one row's problem must not stop the others
                logger.exception("Approving enrichment request %s failed", request.pk)
                result.fail("an unexpected error (see the server log)")
                continue
            if outcome.already_done:
                result.skip("already approved")
            elif outcome.changed or outcome.cover == "queued":
                result.changed += 1
            else:
                result.changed += 1
                result.reasons["approved with nothing safe to apply"] += 1
            if outcome.cover == "queued":
                covers.append(request.pk)
        if covers:
            transaction.on_commit(
                lambda ids=covers: covers_fetch_dispatch(request_ids=ids, actor_id=actor_id)
            )
    return result


def requests_dismiss_bulk(
    *, queryset: QuerySet[EnrichmentRequest], actor, reason: str = ""
) -> BulkResult:
    result = BulkResult()
    for chunk in _chunks(queryset):
        for request in EnrichmentRequest.objects.filter(pk__in=chunk).order_by("pk"):
            try:
                outcome = request_dismiss(request=request, actor=actor, reason=reason)
            except ReviewError as error:
                result.skip(str(error))
                continue
            except Exception:
                logger.exception("Dismissing enrichment request %s failed", request.pk)
                result.fail("an unexpected error (see the server log)")
                continue
            if outcome.dismissed:
                result.changed += 1
            else:
                result.skip("already dismissed")
    return result


def _chunks(queryset: QuerySet, size: int = BULK_CHUNK_SIZE):
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]

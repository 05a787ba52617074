"""Reviewers' decisions on enrichment requests: approve (the safe proposal, or chosen fields),
dismiss, re-run, revert an audit entry; their bulk versions; bulk operations worked in chunks.

Each decision is one transaction that locks the request, the work and the edition and writes an
AuditLogEntry with the old and new values. Deciding twice changes nothing the second time. A
reviewer's tick is the only way a non-empty catalog field is ever overwritten.
"""

import copy
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from bookstore import task_queue
from catalog.models import Edition, Work, WorkAuthor
from catalog.selectors import work_has_cover
from enrichment import apply, cover_apply, queue
from enrichment.candidates import Contributor
from enrichment.merge import FIELDS, PLACEHOLDER, is_placeholder
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest

logger = logging.getLogger(__name__)
Status = EnrichmentRequest.Status
CoverStatus = EnrichmentRequest.CoverStatus
Action = AuditLogEntry.Action

#: Bulk actions over more rows than this run on a worker, with a progress page.
BULK_INLINE_MAX = 200
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
class RevertResult:
    entry_id: int
    reverted: dict[str, dict] = field(default_factory=dict)  # field -> {old, new, target}
    refused: dict[str, str] = field(default_factory=dict)  # field -> why not
    revert_entry: AuditLogEntry | None = None


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
                actor_label=_label(actor),
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
        _set_work_state(work, edition, status=Work.EnrichmentStatus.ENRICHED, touched=changes)
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


def _label(actor) -> str:
    return actor.get_username()[:64] if actor is not None else ""


def _approve_note(changes: dict, *, safe: bool, cover: str) -> str:
    what = ", ".join(changes) or "nothing"
    note = f"Approved the safe proposal: applied {what}" if safe else f"Applied {what}"
    return note + (" (cover download queued)." if cover == "queued" else ".")


def _set_work_state(work: Work, edition: Edition | None, *, status: str, touched) -> None:
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
            actor_label=_label(actor),
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


# --- Revert -------------------------------------------------------------------------------------

REVERTIBLE = (Action.AUTO_APPLY, Action.REVIEW_APPLY, Action.COVER)


def audit_revert(*, entry: AuditLogEntry, actor) -> RevertResult:
    """Put back the values an entry replaced, field by field, only where the field still holds
    the value the entry set; says why for the others. Writes a "revert" audit entry."""
    result = RevertResult(entry_id=entry.pk)
    if entry.action not in REVERTIBLE:
        label = entry.get_action_display().lower()
        result.refused = {"*": f"an entry of type “{label}” changed nothing that can be put back"}
        return result
    with transaction.atomic():
        entry = AuditLogEntry.objects.select_for_update().get(pk=entry.pk)
        work = Work.objects.select_for_update().get(pk=entry.work_id)
        edition = (
            Edition.objects.select_for_update().filter(pk=entry.edition_id).first()
            if entry.edition_id
            else None
        )
        done_before = _already_reverted(entry)
        changes: dict[str, dict] = {}
        for name, change in ordered(entry.changes):
            if name in done_before:
                result.refused[name] = f"already reverted (entry #{done_before[name]})"
                continue
            try:
                change_back = _revert_field(name, change, work=work, edition=edition)
            except ReviewError as error:
                result.refused[name] = str(error)
                continue
            changes[name] = change_back
        if changes:
            result.revert_entry = AuditLogEntry.objects.create(
                request=entry.request,
                work=work,
                edition=edition,
                action=Action.REVERT,
                provider=entry.provider,
                tier=entry.tier,
                changes=changes,
                actor=actor,
                actor_label=_label(actor),
                reverts=entry,
                note=f"Reverted entry #{entry.pk}.",
            )
            _unmark_applied(entry.request_id, changes)
            _set_work_state(work, edition, status=work.enrichment_status, touched=changes)
        result.reverted = changes
    return result


def _already_reverted(entry: AuditLogEntry) -> dict[str, int]:
    done = {}
    for pk, changes in entry.reverted_by.values_list("pk", "changes"):
        for name in changes or {}:
            done.setdefault(name, pk)
    return done


def _revert_field(name: str, change: dict, *, work: Work, edition: Edition | None) -> dict:
    """Restore one field; returns {old, new, target} of the revert, or raises ReviewError."""
    if name == "authors":
        return _revert_authors(change, work=work)
    if name == "cover":
        return _revert_cover(change, work=work, edition=edition)
    if name not in FIELDS:
        raise ReviewError("not a field this panel knows how to restore")
    target_name = FIELDS[name][0]
    target = work if target_name == "work" else edition
    if target is None:
        raise ReviewError("the edition it was written to no longer exists")
    current = apply.current_values(work, edition)[name]
    if not _holds(target, name, change.get("new")):
        raise ReviewError(
            f"it was changed since (it now holds {_short(current)}, not {_short(change['new'])})"
        )
    changes, refused = apply.write_fields(
        work=work, edition=edition, values={name: change.get("old")}, only_empty=False
    )
    if name in refused:
        raise ReviewError(refused[name])
    return {**changes[name], "old": current}


def _holds(target, name: str, value: Any) -> bool:
    """Whether the target still holds what writing `value` to `name` stored."""
    # apply.model_value is how write_fields turns a proposal value into model attributes.
    expected = apply.model_value(name, value)
    return all(getattr(target, attr) == stored for attr, stored in expected.items())


def _revert_cover(change: dict, *, work: Work, edition: Edition | None) -> dict:
    target = edition if change.get("target") == "edition" else work
    if target is None:
        raise ReviewError("the edition it was put on no longer exists")
    if (target.cover.name or "") != change.get("new"):
        raise ReviewError("the cover was changed since")
    previous = change.get("previous") or {"cover": change.get("old") or ""}
    old_name = previous.get("cover") or ""
    target.cover = old_name
    target.cover_source = previous.get("cover_source", "") if old_name else ""
    target.cover_source_url = previous.get("cover_source_url", "") if old_name else ""
    # Stored covers are named by their hash: the thumbnail's name follows from the original's.
    sha = _sha_of(old_name)
    target.cover_sha256 = sha
    target.cover_thumbnail = f"{old_name.rsplit('.', 1)[0]}-s.webp" if sha else ""
    if not old_name:
        target.cover_width = target.cover_height = target.cover_verified_at = None
    target.save(
        update_fields=[
            *COVER_FIELDS,
            "cover_width",
            "cover_height",
            "cover_verified_at",
            "updated_at",
        ]
    )
    return {"old": change.get("new"), "new": old_name, "target": change.get("target", "work")}


def _sha_of(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem if len(stem) == 64 and all(c in "0123456789abcdef" for c in stem) else ""


def _revert_authors(change: dict, *, work: Work) -> dict:
    credits = list(work.credits.select_related("author").order_by("position"))
    names = [c.author.name for c in credits]
    if names != list(change.get("new") or []):
        raise ReviewError("the credits were changed since")
    WorkAuthor.objects.filter(pk__in=[c.pk for c in credits]).delete()
    return {"old": names, "new": [], "target": "work"}


def _unmark_applied(request_id: int | None, changes: dict) -> None:
    if request_id is None:
        return
    request = EnrichmentRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        return
    proposal = copy.deepcopy(request.proposal or {})
    for name in changes:
        if name in proposal:
            proposal[name]["applied"] = False
            proposal[name]["reverted"] = True
    request.proposal = proposal
    request.fields_applied = [n for n in request.fields_applied or [] if n not in changes]
    if "cover" in changes and request.cover_status == CoverStatus.APPLIED:
        request.cover_status = CoverStatus.NONE
    request.save(update_fields=["proposal", "fields_applied", "cover_status", "updated_at"])


def _short(value: Any) -> str:
    if value in ("", None, []):
        return "nothing"
    if is_placeholder(value):
        return f"“{value[PLACEHOLDER]}” (a placeholder)"
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"


def audit_revert_bulk(*, queryset: QuerySet[AuditLogEntry], actor) -> BulkResult:
    result = BulkResult()
    for entry in queryset.order_by("pk"):
        outcome = audit_revert(entry=entry, actor=actor)
        if outcome.reverted:
            result.changed += 1
        for reason in outcome.refused.values():
            result.reasons[reason] += 1
        if not outcome.reverted:
            result.unchanged += 1
    return result


# --- Bulk operations (worked in the background) ----------------------------------------------


def bulk_operation_start(
    *,
    action: str,
    actor,
    queryset: QuerySet | None = None,
    selection: str = "",
    query_string: str = "",
    select_across: bool = False,
    options: dict | None = None,
) -> BulkOperation:
    """Record the selection (the ids, fixed now) and queue the worker once this commits."""
    if action == BulkOperation.Action.ENRICH_MISSING:
        options = {"covers": True, "metadata": True, **(options or {})}
        queryset = queue.works_needing_enrichment(
            covers=options["covers"], metadata=options["metadata"]
        )
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    operation = BulkOperation.objects.create(
        action=action,
        selection=selection[:2000],
        query_string=query_string[:2000],
        select_across=select_across,
        object_ids=ids,
        options=options or {},
        total=len(ids),
        created_by=actor,
    )
    transaction.on_commit(lambda: bulk_operation_dispatch(operation_id=operation.pk))
    return operation


def bulk_operation_dispatch(*, operation_id: int) -> None:
    task_queue.enqueue(
        "enrichment.review_tasks.run_bulk_operation",
        operation_id,
        task_name=f"bulk-{operation_id}-{time.monotonic_ns()}",
    )


def bulk_operation_run(*, operation_id: int, time_budget: float | None = None) -> BulkOperation:
    """Work an operation chunk by chunk for up to `time_budget` seconds, recording progress
    after each chunk; queue the rest as a new task (a task must end before Q_TIMEOUT)."""
    if time_budget is None:
        time_budget = max(5.0, min(60.0, settings.Q_TIMEOUT / 3))
    deadline = time.monotonic() + time_budget
    operation = BulkOperation.objects.get(pk=operation_id)
    if operation.is_finished:
        return operation
    now = timezone.now()
    BulkOperation.objects.filter(pk=operation.pk).update(
        status=BulkOperation.Status.RUNNING, started_at=operation.started_at or now, updated_at=now
    )
    try:
        while True:  # at least one chunk per run, however short the budget
            operation.refresh_from_db()
            worked = _work_one_chunk(operation)
            if worked is None:  # nothing left
                BulkOperation.objects.filter(pk=operation.pk).update(
                    status=BulkOperation.Status.COMPLETED,
                    total=F("done"),
                    finished_at=timezone.now(),
                    updated_at=timezone.now(),
                )
                break
            if worked is False:  # another worker advanced it: leave it to that one
                return BulkOperation.objects.get(pk=operation.pk)
            if time.monotonic() >= deadline:
                transaction.on_commit(lambda: bulk_operation_dispatch(operation_id=operation.pk))
                break
    except Exception as error:
        logger.exception("Bulk operation %s failed", operation.pk)
        BulkOperation.objects.filter(pk=operation.pk).update(
            status=BulkOperation.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return BulkOperation.objects.get(pk=operation.pk)


def _work_one_chunk(operation: BulkOperation) -> bool | None:
    """True: a chunk was worked; None: nothing left; False: someone else advanced it."""
    actor, options, Kind = operation.created_by, operation.options or {}, BulkOperation.Action
    chunk = operation.object_ids[operation.done : operation.done + BULK_CHUNK_SIZE]
    if not chunk:
        return None
    size = len(chunk)
    if operation.action in (Kind.ENRICH_WORKS, Kind.ENRICH_MISSING):
        result = works_enrich_bulk(
            queryset=Work.objects.filter(pk__in=chunk),
            actor=actor,
            covers=options.get("covers", True),
            metadata=options.get("metadata", True),
        )
    else:
        queryset = EnrichmentRequest.objects.filter(pk__in=chunk)
        if operation.action == Kind.APPROVE:
            result = requests_approve_bulk(queryset=queryset, actor=actor)
        elif operation.action == Kind.DISMISS:
            reason = options.get("reason", "")
            result = requests_dismiss_bulk(queryset=queryset, actor=actor, reason=reason)
        elif operation.action == Kind.RERUN:
            result = requests_rerun_bulk(queryset=queryset, actor=actor)
        else:
            raise ValueError(f"unknown bulk action {operation.action!r}")
    # Rows that vanished since the selection was made count as unchanged.
    for _ in range(size - result.total):
        result.skip("no longer exists")
    reasons = Counter(operation.reasons or {})
    reasons.update(result.reasons)
    updated = BulkOperation.objects.filter(pk=operation.pk, done=operation.done).update(
        done=F("done") + size,
        changed=F("changed") + result.changed,
        unchanged=F("unchanged") + result.unchanged,
        failed=F("failed") + result.failed,
        reasons=dict(reasons),
        updated_at=timezone.now(),
    )
    return bool(updated)


def bulk_operation_is_stalled(operation: BulkOperation, *, now=None) -> bool:
    """Running, but no progress for longer than a task may live: its worker died."""
    if operation.is_finished:
        return False
    now = now or timezone.now()
    return (now - operation.updated_at).total_seconds() > settings.Q_CLUSTER["retry"]


def bulk_operation_resume(*, operation: BulkOperation) -> bool:
    if not bulk_operation_is_stalled(operation):
        return False
    BulkOperation.objects.filter(pk=operation.pk).update(updated_at=timezone.now())
    transaction.on_commit(lambda: bulk_operation_dispatch(operation_id=operation.pk))
    return True

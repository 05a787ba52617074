"""Reverting an audit entry: put back the values it replaced, where the fields still hold what
it set. One transaction per entry, which writes a "revert" AuditLogEntry.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from catalog.models import Edition, Work, WorkAuthor
from enrichment import apply
from enrichment.covers.store import ASSIGNED_FIELDS, small_thumbnail_name, stored_sha256
from enrichment.history import work_history_record
from enrichment.merge import FIELDS, PLACEHOLDER, is_placeholder
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import in_field_order
from enrichment.review import BulkResult, ReviewError
from enrichment.work_state import current_values, work_refresh

CoverStatus = EnrichmentRequest.CoverStatus
Action = AuditLogEntry.Action


@dataclass
class RevertResult:
    entry_id: int
    reverted: dict[str, dict] = field(default_factory=dict)  # field -> {old, new, target}
    refused: dict[str, str] = field(default_factory=dict)  # field -> why not
    revert_entry: AuditLogEntry | None = None


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
        for name, change in in_field_order(entry.changes):
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
                actor_label=AuditLogEntry.label_for(actor),
                reverts=entry,
                note=f"Reverted entry #{entry.pk}.",
            )
            work_history_record(entry=result.revert_entry)
            _unmark_applied(entry.request_id, changes)
            work_refresh(work, edition, touched=bool(changes))
        result.reverted = changes
    return result


def fields_left_to_revert(entry: AuditLogEntry) -> list[str]:
    """The fields of an entry that a revert could still put back: none for an entry that
    changed nothing revertible, or whose every field a later revert already put back."""
    if entry.action not in REVERTIBLE:
        return []
    done = _already_reverted(entry)
    return [name for name in entry.changes or {} if name not in done]


def _already_reverted(entry: AuditLogEntry) -> dict[str, int]:
    done: dict[str, int] = {}
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
    current = current_values(work, edition)[name]
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
    target.cover_sha256 = stored_sha256(old_name)
    target.cover_thumbnail = small_thumbnail_name(old_name)
    if not old_name:
        target.cover_width = target.cover_height = target.cover_verified_at = None
    target.save(update_fields=[*ASSIGNED_FIELDS, "updated_at"])
    return {"old": change.get("new"), "new": old_name, "target": change.get("target", "work")}


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
    request.proposal.mark_reverted(changes)
    request.fields_applied = [n for n in request.fields_applied if n not in changes]
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

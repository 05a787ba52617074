"""Reverting an audit entry: put back the values it replaced, where the fields still hold what
it set. One transaction per entry, which writes a "revert" AuditLogEntry.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from catalog.models import EnrichmentStatus, Work, WorkAuthor
from enrichment import apply
from enrichment.author_merges import author_merge_refusal, author_merge_revert
from enrichment.covers.cleanup import cover_files_delete_unused_on_commit
from enrichment.covers.store import PHOTO_LICENCE_FIELDS, small_thumbnail_name, stored_sha256
from enrichment.history import history_record
from enrichment.merge import ALL_FIELDS, PLACEHOLDER, is_placeholder
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import field_label, in_field_order
from enrichment.request_status import audit_action_label
from enrichment.review import BulkResult, RevertResult, ReviewError
from enrichment.targets import RequestTargets, entry_targets, lock_entry_targets
from enrichment.work_state import stored_value

CoverStatus = EnrichmentRequest.CoverStatus
Action = AuditLogEntry.Action


REVERTIBLE = (Action.AUTO_APPLY, Action.REVIEW_APPLY, Action.COVER, Action.CORRECT)


@dataclass
class RevertCheck:
    """What reverting an entry now would do, field by field: the one rule the audit page (which
    offers Revert only when `revertible` is not empty, and says why for the rest) and
    audit_revert (which refuses with the same words) share."""

    revertible: list[str] = field(default_factory=list)
    reverted_by: dict[str, int] = field(default_factory=dict)  # field -> the revert's entry id
    cannot: dict[str, str] = field(default_factory=dict)  # field (or "*") -> why not, otherwise

    def refusals(self) -> dict[str, str]:
        """Why each field a revert would leave is left, as audit_revert reports it."""
        done = {
            name: gettext("already reverted (entry #%(id)s)") % {"id": pk}
            for name, pk in self.reverted_by.items()
        }
        return {**done, **self.cannot}

    def left_because(self) -> str:
        """Why a revert now would put back nothing, in a phrase that follows a count ("3 already
        reverted"): a bulk revert counts the entries it left by it."""
        if "*" in self.cannot:
            return gettext("that changed nothing that can be put back")
        if self.cannot:
            return gettext("changed since (each entry says how)")
        return gettext("already reverted")


def revert_check(entry: AuditLogEntry, *, targets: RequestTargets | None = None) -> RevertCheck:
    """Which fields of an entry a revert could put back now, and why not the others: a later
    revert put the field back, or it no longer holds what the entry set. `targets` are the rows
    audit_revert locked, or those loaded with the entry; without them, they are read as they
    are (a page's question)."""
    check = RevertCheck()
    if entry.action == Action.MERGE:  # the merge's own rule (author_merges) says why not
        refusal = author_merge_refusal(entry)
        if refusal:
            check.cannot["*"] = refusal
        else:
            check.revertible = ["merged_into"]
        return check
    if entry.action not in REVERTIBLE:
        label = audit_action_label(entry).lower()
        check.cannot["*"] = gettext(
            "an entry of type “%(action)s” changed nothing that can be put back"
        ) % {"action": label}
        return check
    check.reverted_by = _already_reverted(entry)
    left = [(n, c) for n, c in in_field_order(entry.changes) if n not in check.reverted_by]
    if left and targets is None:
        targets = entry_targets(entry)
    for name, change in left:
        assert targets is not None
        why = _why_not_revertible(name, change, targets=targets)
        if why:
            check.cannot[name] = why
        else:
            check.revertible.append(name)
    return check


def fields_put_back(entry: AuditLogEntry, check: RevertCheck) -> list[str]:
    """The fields a revert now would put back, as its confirmation lists them: all a merge
    changed (its revert gives the duplicate back whole; the check names it by `merged_into`),
    else those the check found revertible."""
    if entry.action == Action.MERGE and check.revertible:
        return list(entry.changes or {})
    return check.revertible


def audit_revert(*, entry: AuditLogEntry, actor) -> RevertResult:
    """Put back the values an entry replaced, field by field, only where the field still holds
    the value the entry set; says why for the others. Writes a "revert" audit entry."""
    if entry.action == Action.MERGE:  # credits and ids given back to the duplicate author
        return author_merge_revert(entry=entry, actor=actor)
    result = RevertResult(entry_id=entry.pk)
    if entry.action not in REVERTIBLE:
        check = revert_check(entry)
        result.refused, result.left_because = check.refusals(), check.left_because()
        return result
    with transaction.atomic():
        entry = AuditLogEntry.objects.select_for_update().get(pk=entry.pk)
        # The request before the book, in the order an apply and the cover step take them: the
        # other order deadlocked with a cover applied to the same request meanwhile.
        if entry.request_id is not None:
            EnrichmentRequest.objects.select_for_update().filter(pk=entry.request_id).first()
        targets = lock_entry_targets(entry)
        check = revert_check(entry, targets=targets)
        result.refused = check.refusals()
        if not check.revertible:
            result.left_because = check.left_because()
        changes: dict[str, dict] = {}
        for name in check.revertible:
            try:
                change_back = _revert_field(name, entry.changes[name], targets=targets)
            except ReviewError as error:
                result.refused[name] = str(error)
                continue
            changes[name] = change_back
        if changes:
            result.revert_entry = AuditLogEntry.objects.create(
                request=entry.request,
                **targets.audit_rows(),
                # A reviewer's act, putting back the catalog's own values: no provider's, nor
                # a match's confidence (audit_queries.NO_PROVIDER_ACTIONS).
                action=Action.REVERT,
                changes=changes,
                actor=actor,
                actor_label=AuditLogEntry.label_for(actor),
                reverts=entry,
                note=gettext("Reverted entry #%(id)s.") % {"id": entry.pk},
            )
            history_record(entry=result.revert_entry)
            _unmark_applied(entry.request_id, changes)
            targets.refresh(status=_status_after_revert(targets), touched=bool(changes))
        result.reverted = changes
    return result


def entries_with_nothing_to_revert(entries: QuerySet[AuditLogEntry]) -> int:
    """How many of these entries a revert now would leave whole, as revert_check says it on each
    entry's page: already reverted, changed nothing that can be put back, or each field left
    changed since. Their rows and reverts are read with them (a few queries for any number)."""
    reverts = AuditLogEntry.objects.only("pk", "changes", "reverts_id")
    # Any prefetch the list's queryset carries is replaced: one reading of the reverts.
    loaded = (
        entries.select_related("work", "edition", "author")
        .prefetch_related(None)
        .prefetch_related(Prefetch("reverted_by", reverts))
    )
    return sum(
        1
        for entry in loaded
        if not revert_check(entry, targets=entry_targets(entry, loaded=True)).revertible
    )


def refusals_by_reason(refused: dict[str, str]) -> list[tuple[list[str], str]]:
    """The fields a revert left, grouped by why, in field order: one line for seven fields
    already reverted by the same entry, not seven."""
    grouped: dict[str, list[str]] = {}
    for name, why in in_field_order(refused):
        grouped.setdefault(why, []).append(name)
    return [(names, why) for why, names in grouped.items()]


def refusal_lines(refused: dict[str, str]) -> list[tuple[str, str]]:
    """(what, why) of each reason a revert leaves something, as the entry page and the revert's
    warnings say it: "Publisher, Pages" by their labels, "This entry" for the whole entry."""
    return [
        (
            ", ".join(
                gettext("This entry") if name == "*" else field_label(name) for name in names
            ),
            why,
        )
        for names, why in refusals_by_reason(refused)
    ]


def _already_reverted(entry: AuditLogEntry) -> dict[str, int]:
    """Field -> the first revert's entry id: from `reverted_by` as prefetched (a list page),
    else read now."""
    done: dict[str, int] = {}
    for later in sorted(entry.reverted_by.all(), key=lambda later: later.pk):
        for name in later.changes or {}:
            done.setdefault(name, later.pk)
    return done


def entry_revert_state(entry: AuditLogEntry) -> str:
    """ "" (not reverted), "partly" (a revert left some of its fields) or "reverted", as a list
    row says it, without reading the catalog: `reverted_by` prefetched, this costs no query."""
    if not entry.reverted_by.all():
        return ""
    if entry.action in REVERTIBLE and set(entry.changes or {}) - set(_already_reverted(entry)):
        return "partly"
    return "reverted"


def _why_not_revertible(name: str, change: dict, *, targets: RequestTargets) -> str | None:
    """Why a revert now would leave this field as it is (None: it would put it back)."""
    if name == "authors" and targets.work is not None:
        names = list(
            targets.work.credits.order_by("position").values_list("author__name", flat=True)
        )
        return (
            None
            if names == list(change.get("new") or [])
            else gettext("the credits were changed since")
        )
    if name == "cover":
        target = targets.holders.get(change.get("target", "work"))
        if target is None:
            return gettext("the edition it was put on no longer exists")
        slot = "photo" if change.get("target") == "author" else "cover"
        if (getattr(target, slot).name or "") != change.get("new"):
            return gettext("the cover was changed since")
        return None
    if name not in ALL_FIELDS:
        return gettext("not a field this panel knows how to restore")
    target = targets.holders.get(ALL_FIELDS[name][0])
    if target is None:
        return gettext("the edition it was written to no longer exists")
    if not _holds(target, name, change.get("new")):
        return gettext("it was changed since (it now holds %(now)s, not %(then)s)") % {
            "now": _short(stored_value(target, name)),
            "then": _short(change.get("new")),
        }
    return None


def _revert_field(name: str, change: dict, *, targets: RequestTargets) -> dict:
    """Restore one field revert_check found revertible; returns {old, new, target} of the
    revert, or raises ReviewError."""
    if name == "authors" and targets.work is not None:
        return _revert_authors(work=targets.work)
    if name == "cover":
        return _revert_cover(change, targets=targets)
    target = targets.holders[ALL_FIELDS[name][0]]
    current = stored_value(target, name)
    changes, refused = apply.write_fields(
        holders=targets.holders, values={name: change.get("old")}, only_empty=False
    )
    if name in refused:
        raise ReviewError(refused[name])
    return {**changes[name], "old": current}


def _holds(target, name: str, value: Any) -> bool:
    """Whether the target still holds what writing `value` to `name` stored."""
    # apply.model_value is how write_fields turns a proposal value into model attributes.
    expected = apply.model_value(name, value)
    return all(getattr(target, attr) == stored for attr, stored in expected.items())


def _revert_cover(change: dict, *, targets: RequestTargets) -> dict:
    """Put back the cover (an author's photo) an entry replaced, with its source."""
    where = change.get("target", "work")
    target = targets.holders[where]
    assert target is not None, "revert_check found the cover's holder"
    slot = "photo" if where == "author" else "cover"
    previous = change.get("previous") or {slot: change.get("old") or ""}
    old_name = previous.get(slot) or ""
    values: dict[str, Any] = {
        slot: old_name,
        # Stored images are named by their hash: the thumbnail's name follows from the original.
        f"{slot}_sha256": stored_sha256(old_name),
        f"{slot}_thumbnail": small_thumbnail_name(old_name),
    }
    for name in (f"{slot}_source", f"{slot}_source_url", *PHOTO_LICENCE_FIELDS):
        if name in previous or (name.startswith(slot) and not old_name):
            values[name] = previous.get(name, "") if old_name else ""
    if not old_name:
        values.update(dict.fromkeys((f"{slot}_width", f"{slot}_height", f"{slot}_verified_at")))
    for name, value in values.items():
        setattr(target, name, value)
    target.save(update_fields=[*values, "updated_at"])
    # The cover taken off may now be used by nothing (no other book, no entry to revert).
    cover_files_delete_unused_on_commit(sha256s=[stored_sha256(change.get("new") or "")])
    return {"old": change.get("new"), "new": old_name, "target": where}


def _revert_authors(*, work: Work) -> dict:
    credits = list(work.credits.select_related("author").order_by("position"))
    names = [c.author.name for c in credits]
    WorkAuthor.objects.filter(pk__in=[c.pk for c in credits]).delete()
    return {"old": names, "new": [], "target": "work"}


def _status_after_revert(targets: RequestTargets) -> str | None:
    """A revert may take off what made the target "enriched" (or leave a proposal waiting);
    any other status is that of a later try (queued, waiting, failed…), which it leaves."""
    target = targets.author or targets.work
    settled = (EnrichmentStatus.ENRICHED, EnrichmentStatus.NEEDS_REVIEW)
    if target is None or target.enrichment_status not in settled:
        return None
    return targets.status_once_taken_back()


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
        return gettext("nothing")
    if is_placeholder(value):
        return gettext("“%(key)s” (a placeholder)") % {"key": value[PLACEHOLDER]}
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"


def audit_revert_bulk(*, queryset: QuerySet[AuditLogEntry], actor) -> BulkResult:
    """Revert each entry; the entries left as they were are counted by why (one reason each,
    not one per field: the summary counts entries)."""
    result = BulkResult()
    for entry in queryset.order_by("pk"):
        earlier = _already_reverted(entry)
        outcome = audit_revert(entry=entry, actor=actor)
        if outcome.reverted:
            result.changed += 1
            # Fields this revert left that still hold what the entry set (changed since…):
            # the entry is reverted in part, and the summary says which fields.
            left = [name for name, _why in in_field_order(outcome.refused) if name not in earlier]
            if left:
                result.partly[tuple(left)] += 1
        else:
            # A merge's refusal, or a write refused, says why in its one sentence.
            result.skip(outcome.left_because or next(iter(outcome.refused.values()), ""))
    return result

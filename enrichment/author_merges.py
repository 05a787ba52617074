"""Merging two authors that reconciliation proposed (`enrichment.reconcile`), dismissing the
proposal, and reverting a merge from its audit entry.

A merge runs in one transaction with the proposal and both authors locked: every credit of the
duplicate moves to the kept author (a credit the kept author already has on that work in that
role is dropped), every id and field the kept author lacks is copied from the duplicate (a sort
name only when it is written for the kept name: catalog.text.sort_name_fits), and the
duplicate becomes a redirect (`merged_into`): imports that meet its name credit the kept author.
`AuthorMerge.moved` records exactly what moved, so that a revert puts every credit and id back
on the duplicate. Each merge and revert writes an AuditLogEntry (its `work` is NULL: it changed
authors). A proposal that is no longer open, an author that is already a redirect, or names that
say two generations of a family (Dumas père, Dumas fils: author matching's rule) are refused
with the reason; nothing raises to the reviewer.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Field, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import text
from catalog.models import Author, Work, WorkAuthor
from catalog.selectors import names_merged_into
from enrichment.author_matching import generations_differ, one_name_two_generations
from enrichment.author_state import author_refresh
from enrichment.history import history_record
from enrichment.models import AuditLogEntry, AuthorMerge, EnrichmentRequest
from enrichment.review import BulkResult, RevertResult

Status = AuthorMerge.Status
Action = AuditLogEntry.Action

#: Author columns a merge never copies: the name is the kept author's own, the rest is
#: bookkeeping (enrichment state is recomputed).
NOT_COPIED = frozenset(
    {"id", "name", "name_normalized", "created_at", "updated_at", "merged_into",
     "enrichment_status", "enrichment_confidence", "last_enriched_at", "completeness"}
)  # fmt: skip
#: Fields that move together, led by the first: a bio with its source, a photo with its
#: thumbnail, provenance and licence. Copied only when the kept author's leading one is empty.
BIO_GROUP = ("bio", "bio_source")
PHOTO_PREFIX = "photo"


def copied_field_groups() -> list[tuple[str, ...]]:
    """Each group of Author fields a merge fills on the kept author when it lacks them."""
    names = [f.name for f in Author._meta.concrete_fields if f.name not in NOT_COPIED]
    photo = tuple(n for n in names if n.startswith(PHOTO_PREFIX))
    grouped = {*BIO_GROUP, *photo}
    return [*((n,) for n in names if n not in grouped), BIO_GROUP, photo]


@dataclass
class MergeOutcome:
    """What a merge or a dismissal did: done, or refused with the reason (for people)."""

    merge_id: int
    done: bool = False
    refused: str = ""
    audit_entry: AuditLogEntry | None = None


# --- values as the audit log and `moved` keep them -------------------------------------------


def _empty(value: Any) -> bool:
    if isinstance(value, FieldFile):
        return not value.name
    return value in ("", None)


def _json(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _restore(author: Author, name: str, value: Any) -> None:
    model_field = Author._meta.get_field(name)
    if value not in ("", None) and isinstance(model_field, Field):
        value = model_field.to_python(value)
    setattr(author, name, value)


def _author_label(author: Author) -> str:
    return f"#{author.pk} {author.name}"


def _credit_labels(credits: Iterable[dict]) -> list[str]:
    credits = list(credits)
    titles = dict(
        Work.objects.filter(pk__in={c["work"] for c in credits}).values_list("pk", "title")
    )
    roles = dict(WorkAuthor.Role.choices)
    labels = []
    for credit in credits:
        title = titles.get(credit["work"], f"#{credit['work']}")
        labels.append(f"{title} ({roles.get(credit['role'], credit['role'])})")
    return labels


def _lock_pair(merge: AuthorMerge) -> tuple[Author, Author]:
    # Always in pk order, so that two merges of the same authors cannot deadlock.
    locked = Author.objects.select_for_update().filter(pk__in=[merge.kept_id, merge.duplicate_id])
    authors = {author.pk: author for author in locked.order_by("pk")}
    return authors[merge.kept_id], authors[merge.duplicate_id]


def _status_label(status: str) -> str:
    return str(Status(status).label).lower()


# --- merge -------------------------------------------------------------------------------------


def _lock_proposed(merge: AuthorMerge, outcome: MergeOutcome) -> AuthorMerge | None:
    """The proposal locked for this transaction, or None (and `outcome` says why) when a
    reviewer merged or dismissed it meanwhile."""
    merge = AuthorMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.status != Status.PROPOSED:
        outcome.refused = _("it is no longer proposed (%(status)s)") % {
            "status": _status_label(merge.status)
        }
        return None
    return merge


def author_merge_apply(*, merge: AuthorMerge, actor) -> MergeOutcome:
    """Merge a proposal's duplicate into its kept author (see the module's docstring)."""
    outcome = MergeOutcome(merge_id=merge.pk)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_proposed(merge, outcome)
        if locked is None:
            return outcome
        merge = locked
        kept, duplicate = _lock_pair(merge)
        if kept.merged_into_id or duplicate.merged_into_id:
            outcome.refused = _("one of the authors is already merged into another")
            return outcome
        # A proposal recorded before reconciliation read père and fils as two people.
        merged = names_merged_into([kept.pk, duplicate.pk])
        names = [
            (author.name, author.sort_name, *merged.get(author.pk, ()))
            for author in (kept, duplicate)
        ]
        generations = one_name_two_generations(*names) and generations_differ(*names)
        if generations:
            outcome.refused = _(
                "“%(kept)s” and “%(duplicate)s” are two generations of a family"
            ) % {
                "kept": generations[0],
                "duplicate": generations[1],
            }
            return outcome
        credits, dropped = _move_credits(kept=kept, duplicate=duplicate, now=now)
        fields, cleared = _copy_fields(kept=kept, duplicate=duplicate)
        redirects = list(Author.objects.filter(merged_into=duplicate).values_list("pk", flat=True))
        Author.objects.filter(pk__in=redirects).update(merged_into=kept, updated_at=now)
        duplicate.merged_into = kept
        # The duplicate first: it gives up its unique Open Library key before the kept takes it.
        duplicate.save(update_fields=[*cleared, "merged_into", "updated_at"])
        kept.save(update_fields=[*fields, "updated_at"])
        merge.moved = {
            "credits": credits,
            "dropped_credits": dropped,
            "fields": fields,
            "duplicate_cleared": cleared,
            "redirects": redirects,
        }
        entry = AuditLogEntry.objects.create(
            author=kept,
            action=Action.MERGE,
            changes=_merge_changes(kept, duplicate, merge.moved),
            actor=actor,
            actor_label=AuditLogEntry.label_for(actor),
            note=_("Merged author %(duplicate)s into %(kept)s (proposal #%(merge)s: %(reason)s).")
            % {
                "duplicate": _author_label(duplicate),
                "kept": _author_label(kept),
                "merge": merge.pk,
                "reason": merge.get_reason_display(),
            },
        )
        merge.status = Status.MERGED
        merge.audit_entry = entry
        merge.reviewed_by = actor
        merge.reviewed_at = now
        merge.save()
        history_record(entry=entry)
        # A redirect is nobody of its own: its waiting request is not worked (the kept author
        # is the one to enrich).
        EnrichmentRequest.objects.filter(
            author=duplicate, status=EnrichmentRequest.Status.PENDING
        ).update(
            status=EnrichmentRequest.Status.SKIPPED,
            review_note=_("The author was merged into %(kept)s.") % {"kept": _author_label(kept)},
            finished_at=now,
            updated_at=now,
        )
        author_refresh(kept, touched=False)
        author_refresh(duplicate, touched=False)
    outcome.done = True
    outcome.audit_entry = entry
    return outcome


def credit_moves(credit: tuple[int, str], held: set[tuple[int, str]]) -> bool:
    """The merge's rule for one of the duplicate's credits, (work, role): it moves to the kept
    author unless the kept author already holds that work in that role (then it is dropped).
    A translator's credit on a work the kept author wrote moves: he becomes its translator."""
    return credit not in held


def works_moving(merges: Iterable[AuthorMerge]) -> dict[int, int]:
    """How many works each merge moves a credit onto (by `credit_moves`), by merge id: what a
    merge's confirmation says before it runs. One query."""
    merges = list(merges)
    authors = {m.duplicate_id for m in merges} | {m.kept_id for m in merges}
    credits: dict[int, set[tuple[int, str]]] = {}
    for author_id, work_id, role in WorkAuthor.objects.filter(author_id__in=authors).values_list(
        "author_id", "work_id", "role"
    ):
        credits.setdefault(author_id, set()).add((work_id, role))
    moving: dict[int, int] = {}
    for merge in merges:
        held = credits.get(merge.kept_id, set())
        theirs = credits.get(merge.duplicate_id, set())
        moving[merge.pk] = len({work for work, role in theirs if credit_moves((work, role), held)})
    return moving


def _move_credits(
    *, kept: Author, duplicate: Author, now: datetime.datetime
) -> tuple[list[dict], list[dict]]:
    """Move the duplicate's credits to the kept author by `credit_moves`; the others are
    dropped. -> (moved, dropped), each {id, work, role, position}."""
    theirs = list(
        WorkAuthor.objects.select_for_update()
        .filter(author=duplicate)
        .order_by("work_id", "position", "pk")
        .values("pk", "work_id", "role", "position")
    )
    held = set(
        WorkAuthor.objects.filter(
            author=kept, work_id__in={c["work_id"] for c in theirs}
        ).values_list("work_id", "role")
    )
    moved: list[dict] = []
    dropped: list[dict] = []
    for credit in theirs:
        record = {
            "id": credit["pk"],
            "work": credit["work_id"],
            "role": credit["role"],
            "position": credit["position"],
        }
        moves = credit_moves((credit["work_id"], credit["role"]), held)
        (moved if moves else dropped).append(record)
    WorkAuthor.objects.filter(pk__in=[c["id"] for c in dropped]).delete()
    WorkAuthor.objects.filter(pk__in=[c["id"] for c in moved]).update(author=kept, updated_at=now)
    return moved, dropped


def _copy_fields(*, kept: Author, duplicate: Author) -> tuple[dict[str, dict], dict[str, Any]]:
    """Fill the kept author's empty fields from the duplicate (in memory). -> (field ->
    {old, new} on the kept author, the duplicate's fields cleared to make room)."""
    fields: dict[str, dict] = {}
    for group in copied_field_groups():
        if not _empty(getattr(kept, group[0])) or _empty(getattr(duplicate, group[0])):
            continue
        if group == ("sort_name",) and not text.sort_name_fits(duplicate.sort_name, kept.name):
            # The kept name stays: "Лукьяненко, Сергей" would sort "Sergei Lukyanenko" apart.
            continue
        for name in group:
            old, new = getattr(kept, name), getattr(duplicate, name)
            if _json(old) != _json(new):
                fields[name] = {"old": _json(old), "new": _json(new)}
                setattr(kept, name, new)
    # Life years from two records may contradict (died before born): keep the kept one's.
    born, died = kept.birth_year, kept.death_year
    if born is not None and died is not None and died < born:
        for name in ("birth_year", "death_year"):
            if name in fields:
                setattr(kept, name, fields.pop(name)["old"])
    cleared: dict[str, Any] = {}
    if "openlibrary_key" in fields:
        # The key is unique: the duplicate gives it up (the revert gives it back).
        cleared["openlibrary_key"] = duplicate.openlibrary_key
        duplicate.openlibrary_key = None
    return fields, cleared


def _merge_changes(kept: Author, duplicate: Author, moved: dict) -> dict[str, dict]:
    """The audit entry's changes: the fields filled (a photo as one), the credits moved and
    dropped, and the redirect."""
    changes = {
        name: {**change, "target": "author"}
        for name, change in moved["fields"].items()
        if name == PHOTO_PREFIX or not name.startswith(PHOTO_PREFIX)
    }
    if moved["credits"]:
        changes["credits"] = {
            "old": [],
            "new": _credit_labels(moved["credits"]),
            "target": "author",
        }
    if moved["dropped_credits"]:
        changes["dropped_credits"] = {
            "old": _credit_labels(moved["dropped_credits"]),
            "new": [],
            "target": "duplicate",
        }
    changes["merged_into"] = {"old": "", "new": _author_label(kept), "target": "duplicate"}
    return changes


# --- dismiss -----------------------------------------------------------------------------------


def author_merge_dismiss(*, merge: AuthorMerge, actor, reason: str = "") -> MergeOutcome:
    """Turn a proposal down: the two authors stay apart, and the pair is not proposed again."""
    outcome = MergeOutcome(merge_id=merge.pk)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock_proposed(merge, outcome)
        if locked is None:
            return outcome
        merge = locked
        merge.status = Status.DISMISSED
        merge.reviewed_by = actor
        merge.reviewed_at = timezone.now()
        merge.save()
        note = _("Dismissed the proposal #%(merge)s to merge author %(duplicate)s into %(kept)s.")
        outcome.audit_entry = AuditLogEntry.objects.create(
            author_id=merge.kept_id,
            action=Action.DISMISS,
            changes={},
            actor=actor,
            actor_label=AuditLogEntry.label_for(actor),
            note=" ".join(
                [
                    note
                    % {
                        "merge": merge.pk,
                        "duplicate": _author_label(merge.duplicate),
                        "kept": _author_label(merge.kept),
                    },
                    reason,
                ]
            ).strip(),
        )
    outcome.done = True
    return outcome


# --- revert ------------------------------------------------------------------------------------


def _revert_refusal(
    merge: AuthorMerge | None, kept: Author | None, duplicate: Author | None
) -> str:
    """Why a merge cannot be reverted now ("" when it can): the one rule author_merge_revert
    asks of the rows it locked and the audit page (author_merge_refusal) of the rows as they
    are. `kept` and `duplicate` are read only while the merge stands."""
    if merge is None or merge.status != Status.MERGED:
        return _("this merge was already reverted")
    assert kept is not None and duplicate is not None
    if kept.merged_into_id:
        return _("%(kept)s was merged into another author since: revert that merge first") % {
            "kept": _author_label(kept)
        }
    if duplicate.merged_into_id != kept.pk:
        return _("%(duplicate)s no longer redirects to %(kept)s") % {
            "duplicate": _author_label(duplicate),
            "kept": _author_label(kept),
        }
    return ""


def author_merge_refusal(entry: AuditLogEntry) -> str:
    """Why reverting a MERGE audit entry now would be refused ("" when it would not), read
    without locks: the audit page offers Revert only when this is empty, and says it otherwise."""
    merge = (
        AuthorMerge.objects.select_related("kept", "duplicate").filter(audit_entry=entry).first()
    )
    if merge is None:
        return _revert_refusal(None, None, None)
    return _revert_refusal(merge, merge.kept, merge.duplicate)


def author_merge_revertible(entry: AuditLogEntry) -> bool:
    """Whether a MERGE audit entry can be reverted now (author_merge_refusal says why not)."""
    return entry.action == Action.MERGE and not author_merge_refusal(entry)


def author_merge_revert(*, entry: AuditLogEntry, actor) -> RevertResult:
    """Undo a merge from its audit entry: the credits and ids go back to the duplicate, which is
    no longer a redirect; a field the kept author changed since keeps its new value (said in
    `refused`). Writes a REVERT audit entry; the proposal becomes REVERTED."""
    result = RevertResult(entry_id=entry.pk)
    if entry.action != Action.MERGE:
        result.refused["*"] = _("this entry merged no authors")
        return result
    with transaction.atomic():
        merge = AuthorMerge.objects.select_for_update().filter(audit_entry=entry).first()
        standing = merge is not None and merge.status == Status.MERGED
        kept, duplicate = _lock_pair(merge) if merge is not None and standing else (None, None)
        why = _revert_refusal(merge, kept, duplicate)
        if why:
            result.refused["*"] = why
            return result
        assert merge is not None and kept is not None and duplicate is not None
        moved = merge.moved
        changes: dict[str, dict] = {}
        changes.update(_return_credits(kept, duplicate, moved, result.refused))
        changes.update(_return_fields(kept, duplicate, moved, result.refused))
        Author.objects.filter(pk__in=moved.get("redirects", []), merged_into=kept).update(
            merged_into=duplicate
        )
        duplicate.merged_into = None
        duplicate.save(
            update_fields=[*moved.get("duplicate_cleared", {}), "merged_into", "updated_at"]
        )
        changes["merged_into"] = {"old": _author_label(kept), "new": "", "target": "duplicate"}
        result.revert_entry = AuditLogEntry.objects.create(
            author=kept,
            action=Action.REVERT,
            changes=changes,
            actor=actor,
            actor_label=AuditLogEntry.label_for(actor),
            reverts=entry,
            note=_("Reverted entry #%(entry)s: %(duplicate)s is an author of its own again.")
            % {"entry": entry.pk, "duplicate": _author_label(duplicate)},
        )
        merge.status = Status.REVERTED
        merge.save(update_fields=["status", "updated_at"])
        history_record(entry=result.revert_entry)
        author_refresh(kept, touched=False)
        author_refresh(duplicate, touched=False)
    result.reverted = changes
    return result


def _return_credits(
    kept: Author, duplicate: Author, moved: dict, refused: dict[str, str]
) -> dict[str, dict]:
    """Give the moved credits back to the duplicate and recreate the dropped ones (each where
    it still can be: the credit and its work still exist)."""
    changes: dict[str, dict] = {}
    credits = moved.get("credits", [])
    still_kept = set(
        WorkAuthor.objects.select_for_update()
        .filter(pk__in=[c["id"] for c in credits], author=kept)
        .values_list("pk", flat=True)
    )
    back = [c for c in credits if c["id"] in still_kept]
    WorkAuthor.objects.filter(pk__in=[c["id"] for c in back]).update(
        author=duplicate, updated_at=timezone.now()
    )
    if back:
        changes["credits"] = {"old": _credit_labels(back), "new": [], "target": "author"}
    if len(back) < len(credits):
        refused["credits"] = _(
            "%(count)s credit(s) were removed or changed since the merge and stay as they are"
        ) % {"count": len(credits) - len(back)}

    dropped = moved.get("dropped_credits", [])
    works = set(
        Work.objects.filter(pk__in={c["work"] for c in dropped}).values_list("pk", flat=True)
    )
    held = set(
        WorkAuthor.objects.filter(author=duplicate, work_id__in=works).values_list(
            "work_id", "role"
        )
    )
    recreated = [c for c in dropped if c["work"] in works and (c["work"], c["role"]) not in held]
    WorkAuthor.objects.bulk_create(
        WorkAuthor(work_id=c["work"], author=duplicate, role=c["role"], position=c["position"])
        for c in recreated
    )
    if recreated:
        changes["dropped_credits"] = {
            "old": [],
            "new": _credit_labels(recreated),
            "target": "duplicate",
        }
    if len(recreated) < len(dropped):
        refused["dropped_credits"] = _(
            "%(count)s credit(s) could not be recreated: their work is gone"
        ) % {"count": len(dropped) - len(recreated)}
    return changes


def _return_fields(
    kept: Author, duplicate: Author, moved: dict, refused: dict[str, str]
) -> dict[str, dict]:
    """Empty again the kept author's fields the merge filled, where they still hold what it set;
    give the duplicate back what it gave up (its Open Library key)."""
    changes: dict[str, dict] = {}
    restored = []
    for name, change in moved.get("fields", {}).items():
        if _json(getattr(kept, name)) != change["new"]:
            refused[name] = _("it was changed since the merge")
            continue
        _restore(kept, name, change["old"])
        restored.append(name)
        if name == PHOTO_PREFIX or not name.startswith(PHOTO_PREFIX):
            changes[name] = {"old": change["new"], "new": change["old"], "target": "author"}
    kept.save(update_fields=[*restored, "updated_at"])
    for name, value in moved.get("duplicate_cleared", {}).items():
        taken = Author.objects.filter(**{name: value}).exclude(pk=duplicate.pk).exists()
        if taken:
            refused[name] = _("another author holds %(value)s now") % {"value": value}
            continue
        _restore(duplicate, name, value)
    return changes


# --- bulk --------------------------------------------------------------------------------------


def author_merges_apply_bulk(*, queryset: QuerySet[AuthorMerge], actor) -> BulkResult:
    """Merge each selected proposal (one transaction each); the others are counted with why."""
    result = BulkResult()
    for merge in queryset.order_by("pk"):
        outcome = author_merge_apply(merge=merge, actor=actor)
        if outcome.done:
            result.changed += 1
        else:
            result.skip(outcome.refused)
    return result


def author_merges_dismiss_bulk(
    *, queryset: QuerySet[AuthorMerge], actor, reason: str = ""
) -> BulkResult:
    result = BulkResult()
    for merge in queryset.order_by("pk"):
        outcome = author_merge_dismiss(merge=merge, actor=actor, reason=reason)
        if outcome.done:
            result.changed += 1
        else:
            result.skip(outcome.refused)
    return result

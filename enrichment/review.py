"""Reviewers' decisions on enrichment requests: approve (the safe proposal, or chosen fields),
dismiss, re-run, and their bulk versions. Reverting an audit entry is `enrichment.revert`;
bulk operations worked in the background are `enrichment.bulk_operations`.

Each decision is one transaction that locks the request, the work and the edition and writes an
AuditLogEntry with the old and new values. Deciding twice changes nothing the second time. A
reviewer's tick is the only way a non-empty catalog field is ever overwritten.
"""

import functools
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from catalog.models import Author, EnrichmentStatus, Work
from enrichment import apply, cover_apply, queue
from enrichment.author_state import author_live_q, names_no_one_person
from enrichment.merge import ALL_FIELDS
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import FIELD_LABELS, field_label
from enrichment.request_status import (
    bulk_skip_reason,
    request_not_reviewable_reason,
    request_was_dismissed,
)
from enrichment.safe_approval import (
    safe_approval_allowed,
    safe_approval_refusal,
    safe_approval_withheld,
)
from enrichment.targets import RequestTargets, lock_request_targets
from enrichment.work_state import stored_value, value_fingerprint

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)
Status = EnrichmentRequest.Status
Action = AuditLogEntry.Action

#: Rows per chunk: one progress update per chunk.
BULK_CHUNK_SIZE = 100


class ReviewError(Exception):
    """A decision that cannot be made; the message says why, for people."""


# --- Results ------------------------------------------------------------------------------------


@dataclass
class ApproveResult:
    request_id: int
    approved: bool = False  # this call moved the request to completed
    applied: dict[str, dict] = field(default_factory=dict)  # field -> {old, new, target}
    refused: dict[str, str] = field(default_factory=dict)  # field -> reason
    cover: str = ""  # "queued": the cover went to the cover pipeline
    already_done: bool = False  # nothing was left to do

    @property
    def changed(self) -> bool:
        return bool(self.applied) or bool(self.cover)


@dataclass
class RevertResult:
    """What reverting an audit entry did (enrichment.revert; a merge: author_merges)."""

    entry_id: int
    reverted: dict[str, dict] = field(default_factory=dict)  # field -> {old, new, target}
    refused: dict[str, str] = field(default_factory=dict)  # field (or "*") -> why not
    revert_entry: AuditLogEntry | None = None
    left_because: str = ""  # nothing reverted: why, briefly, for a bulk summary's count


@dataclass
class DismissResult:
    request_id: int
    dismissed: bool  # False: it was dismissed already


@dataclass
class RerunResult:
    request_id: int
    new_request_id: int | None
    reason: str = ""  # why nothing was queued
    superseded: int = 0  # proposals waiting for review that the new request replaced


@dataclass
class BulkResult:
    """What a bulk action did: rows changed, left as they were (with reasons), failed."""

    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    reasons: Counter = field(default_factory=Counter)
    partly: Counter = field(default_factory=Counter)  # changed in part: (fields left) -> rows

    def skip(self, reason: "StrOrPromise") -> None:
        self.unchanged += 1
        self.reasons[str(reason)] += 1  # as text: a bulk operation's record is JSON

    def fail(self, reason: "StrOrPromise") -> None:
        self.failed += 1
        self.reasons[str(reason)] += 1

    def add(self, other: "BulkResult") -> None:
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.reasons.update(other.reasons)
        self.partly.update(other.partly)

    @property
    def total(self) -> int:
        return self.changed + self.unchanged + self.failed


# --- Approve ------------------------------------------------------------------------------------


def request_approve(
    *,
    request: EnrichmentRequest,
    actor,
    fields: Sequence[str] | None = None,
    shown: Mapping[str, str] | None = None,
    note: str = "",
    dispatch_covers: bool = True,
) -> ApproveResult:
    """Apply a request's proposal to the catalog (through apply.apply_proposal).

    `fields=None`: the safe proposal, as the engine's high tier would: the proposed values of
    empty fields, the authors of a work that has none, and the cover of a work without one;
    refused on a tier whose record may be another book's (`safe_approval`).
    `fields=[...]`: exactly those fields, replacing non-empty values too; "cover" queues the
    proposed cover's download, which then replaces any existing one. Fields already applied are
    skipped. `shown`: field -> work_state.value_fingerprint of the value the reviewer's page
    showed; a chosen field that holds something else now (someone edited it since) stops the
    approval, so a value typed meanwhile is never replaced unseen. Raises ReviewError when the
    request cannot be approved.
    """
    safe = fields is None
    chosen = None if fields is None else list(dict.fromkeys(fields))
    result = ApproveResult(request_id=request.pk)
    now = timezone.now()
    with transaction.atomic():
        locked = EnrichmentRequest.objects.select_for_update().get(pk=request.pk)
        if not _approvable(locked, safe=safe):
            result.already_done = True
            return result
        unknown = locked.proposal.unknown(chosen or [])
        if unknown:
            raise ReviewError(
                gettext("Not proposed for this book: %(fields)s.") % {"fields": ", ".join(unknown)}
            )
        targets = lock_request_targets(locked)
        changed = _changed_since_shown(targets, chosen or [], shown or {})
        if changed:
            raise ReviewError(
                gettext(
                    "%(fields)s changed since the page was shown: nothing was applied. "
                    "Look at the values the catalog holds now, then choose again."
                )
                % {"fields": ", ".join(changed)}
            )
        selection = locked.proposal.select(
            chosen,
            has_cover=targets.has_image,
            authors_done="authors" in locked.fields_applied,
            only_empty=safe,
        )
        if locked.status == Status.COMPLETED and not selection:
            result.already_done = True  # the same choice twice: nothing left to do
            return result
        result.approved = locked.status == Status.NEEDS_REVIEW
        locked.status = Status.COMPLETED
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.retry_when_available = False
        locked.finished_at = locked.finished_at or now
        locked.save()
        applied = apply.apply_proposal(
            enrichment_request=locked,
            fields=chosen,
            actor=actor,
            only_empty=safe,
            note=note,
            dispatch_cover=dispatch_covers,
        )
        result.applied, result.refused = applied.applied, applied.refused
        result.cover = "queued" if applied.cover_queued else ""
        locked.review_note = note or _approve_note(applied.applied, safe=safe, cover=result.cover)
        locked.save(update_fields=["review_note", "updated_at"])
    return result


def _changed_since_shown(
    targets: RequestTargets, chosen: Sequence[str], shown: Mapping[str, str]
) -> list[str]:
    """The chosen fields (by label) whose value is no longer the one the reviewer's page showed."""
    holders = targets.holders
    changed = []
    for name in chosen:
        holder = holders.get(ALL_FIELDS[name][0]) if name in ALL_FIELDS else None
        now = None if holder is None else value_fingerprint(stored_value(holder, name))
        if name in shown and now is not None and now != shown[name]:
            changed.append(field_label(name))
    return changed


def request_offers_fields(request: EnrichmentRequest) -> bool:
    """Whether a reviewer may choose fields of the request's proposal: it waits for review, or
    it was approved (a completed request keeps its proposal: a field not applied yet, such as a
    value that would replace a non-empty one, may still be chosen). Any other request has no
    proposal to choose from, or none any longer (request_not_reviewable_reason says why)."""
    return request.status in (Status.NEEDS_REVIEW, Status.COMPLETED)


def _approvable(request: EnrichmentRequest, *, safe: bool) -> bool:
    """True to go on, False when an approval already happened (idempotent), else ReviewError."""
    if not request_offers_fields(request):
        raise ReviewError(request_not_reviewable_reason(request))
    if request.status == Status.NEEDS_REVIEW:
        if safe and not safe_approval_allowed(request):
            raise ReviewError(safe_approval_refusal())
        return True
    return not safe  # completed: the safe part is already in


def _approve_note(changes: dict, *, safe: bool, cover: str) -> str:
    # Shown on the request's page: the fields as people call them, not their keys.
    what = ", ".join(FIELD_LABELS.get(name, name) for name in changes) or "nothing"
    note = f"Approved the safe proposal: applied {what}" if safe else f"Applied {what}"
    return note + (" (cover download queued)." if cover == "queued" else ".")


# --- Dismiss ------------------------------------------------------------------------------------


def request_dismiss(*, request: EnrichmentRequest, actor, reason: str = "") -> DismissResult:
    """Turn a proposal down: the request leaves the review queue (skipped, with the reason);
    the catalog keeps what it holds."""
    reason = (reason or "").strip()
    now = timezone.now()
    with transaction.atomic():
        locked = EnrichmentRequest.objects.select_for_update().get(pk=request.pk)
        if request_was_dismissed(locked):
            return DismissResult(request_id=locked.pk, dismissed=False)
        if locked.status != Status.NEEDS_REVIEW:
            raise ReviewError(gettext("Only requests waiting for review can be dismissed."))
        targets = lock_request_targets(locked)
        locked.status = Status.SKIPPED
        locked.retry_when_available = False
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.review_note = f"Dismissed: {reason}" if reason else "Dismissed."
        locked.finished_at = locked.finished_at or now
        cover_apply.cover_withhold(locked)  # a cover still queued is never applied
        locked.save()
        AuditLogEntry.objects.create(
            request=locked,
            **targets.audit_rows(),
            action=Action.DISMISS,
            provider=apply.sources_of(locked.proposal.fields, locked),
            tier=locked.confidence,
            changes={},
            actor=actor,
            actor_label=AuditLogEntry.label_for(actor),
            note=reason,
        )
        target = targets.author or targets.work
        if target is not None and target.enrichment_status == EnrichmentStatus.NEEDS_REVIEW:
            # What was applied before (a cover on medium confidence) stays applied.
            targets.refresh(status=targets.status_once_taken_back(), touched=False)
    return DismissResult(request_id=locked.pk, dismissed=True)


# --- Re-run -------------------------------------------------------------------------------------


def request_rerun(*, request: EnrichmentRequest, actor) -> RerunResult:
    """Ask the providers again: a new pending request for the work or author (the same service
    enrich_missing uses). A proposal waiting for review is superseded by the new one (queue)."""
    result = requests_rerun_bulk(
        queryset=EnrichmentRequest.objects.filter(pk=request.pk), actor=actor
    )
    same_target = (
        Q(author_id=request.author_id) if request.author_id else Q(work_id=request.work_id)
    )
    new = (
        EnrichmentRequest.objects.filter(same_target, status__in=EnrichmentRequest.ACTIVE_STATUSES)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if result.changed:
        return RerunResult(
            request_id=request.pk, new_request_id=new, superseded=result.reasons[SUPERSEDED]
        )
    reason = next(iter(result.reasons), gettext("Nothing was queued."))
    return RerunResult(request_id=request.pk, new_request_id=None, reason=reason)


# Why a work or an author was not queued, as the admin's messages, the API and the bulk
# operations' pages show it: lazy, in the language of whoever reads it; recorded as text
# (BulkResult.skip) when counted.
NOTHING_MISSING = gettext_lazy("the work has a cover and complete metadata: nothing to look up")
ALREADY_QUEUED = gettext_lazy("the work is already queued")
SYNTHETIC = gettext_lazy(
    "the work is synthetic (found by the backfill, no ISBN yet): the daily retry resolves it"
)
AUTHOR_NOTHING_MISSING = gettext_lazy("the author has a bio, dates and ids: nothing to look up")
AUTHOR_ALREADY_QUEUED = gettext_lazy("the author is already queued")
AUTHOR_NO_ONE_PERSON = gettext_lazy(
    "the author's name stands for no one person: no source can describe them"
)
AUTHOR_REDIRECT = gettext_lazy(
    "the author is a redirect (merged into another author): enrich that one"
)
WAITING_FOR_REVIEW = gettext_lazy(
    "a proposal for the work waits for review: approve or dismiss it, or re-run it to replace it"
)
AUTHOR_WAITING_FOR_REVIEW = gettext_lazy(
    "a proposal for the author waits for review: approve or dismiss it, or re-run it to replace it"
)
SUPERSEDED = gettext_lazy("proposal waiting for review superseded (dismissed, in the audit log)")
#: A selected row deleted since it was selected.
NO_LONGER_EXISTS = gettext_lazy("no longer exists")


def works_enqueue_with_reasons(
    work_ids: Iterable[int],
    *,
    covers: bool = True,
    metadata: bool = True,
    trigger: str = EnrichmentRequest.Trigger.MANUAL_BULK,
    supersede_review: bool = False,
    actor=None,
) -> tuple[set[int], dict[int, str]]:
    """Queue the works that need it; returns (queued work ids, work id -> why not).
    `supersede_review`: a reviewer's re-run (queue.works_enqueue_enrichment)."""
    work_ids = set(work_ids)
    new_ids = queue.works_enqueue_enrichment(
        work_ids=sorted(work_ids),
        trigger=trigger,
        covers=covers,
        metadata=metadata,
        supersede_review=supersede_review,
        actor=actor,
    )
    queued = set(EnrichmentRequest.objects.filter(pk__in=new_ids).values_list("work_id", flat=True))
    rest = work_ids - queued
    gone = rest - set(Work.objects.filter(pk__in=rest).values_list("pk", flat=True))
    holding = _holding_statuses("work_id", rest)
    synthetic = set(Work.objects.filter(pk__in=rest, synthetic=True).values_list("pk", flat=True))

    def why_not(work_id: int) -> "StrOrPromise":
        if work_id in gone:
            return NO_LONGER_EXISTS
        reason = _held_reason(holding.get(work_id, set()), supersede_review=supersede_review)
        if reason:
            return reason[0]
        return SYNTHETIC if work_id in synthetic else NOTHING_MISSING

    return queued, {work_id: str(why_not(work_id)) for work_id in rest}


def _held_reason(
    statuses: set[str], *, supersede_review: bool
) -> tuple["StrOrPromise", "StrOrPromise"] | None:
    """Why requests in these statuses kept their target from being queued (queue
    .holding_requests): (for a work, for an author), or None when they did not."""
    if statuses & set(EnrichmentRequest.ACTIVE_STATUSES):
        return ALREADY_QUEUED, AUTHOR_ALREADY_QUEUED
    if Status.NEEDS_REVIEW in statuses and not supersede_review:
        return WAITING_FOR_REVIEW, AUTHOR_WAITING_FOR_REVIEW
    return None


def _holding_statuses(target: str, ids: set[int]) -> dict[int, set[str]]:
    """Target id -> the statuses of its requests that keep it from being queued again."""
    holding: dict[int, set[str]] = {}
    rows = EnrichmentRequest.objects.filter(
        **{f"{target}__in": ids}, status__in=EnrichmentRequest.HOLDING_STATUSES
    ).values_list(target, "status")
    for target_id, status in rows:
        holding.setdefault(target_id, set()).add(status)
    return holding


def _enqueue_authors(
    author_ids: Iterable[int], *, supersede_review: bool = False, actor=None
) -> tuple[set[int], dict[int, str]]:
    """Queue the authors that need it; returns (queued author ids, author id -> why not)."""
    author_ids = set(author_ids)
    new_ids = queue.authors_enqueue_enrichment(
        author_ids=sorted(author_ids),
        trigger=EnrichmentRequest.Trigger.MANUAL_BULK,
        supersede_review=supersede_review,
        actor=actor,
    )
    queued = set(
        EnrichmentRequest.objects.filter(pk__in=new_ids).values_list("author_id", flat=True)
    )
    rest = author_ids - queued
    holding = _holding_statuses("author_id", rest)
    redirects = set(
        Author.objects.filter(pk__in=rest).exclude(author_live_q()).values_list("pk", flat=True)
    )
    names = dict(Author.objects.filter(pk__in=rest).values_list("pk", "name"))
    gone = rest - set(names)

    def why_not(author_id: int) -> "StrOrPromise":
        if author_id in gone:
            return NO_LONGER_EXISTS
        if author_id in redirects:
            return AUTHOR_REDIRECT
        if names_no_one_person(names[author_id]):
            return AUTHOR_NO_ONE_PERSON
        reason = _held_reason(holding.get(author_id, set()), supersede_review=supersede_review)
        return reason[1] if reason else AUTHOR_NOTHING_MISSING

    why = {author_id: str(why_not(author_id)) for author_id in rest}
    return {a for a in queued if a is not None}, why


def requests_rerun_bulk(*, queryset: QuerySet[EnrichmentRequest], actor) -> BulkResult:
    result = BulkResult()
    for chunk in _chunks(queryset):
        rows = list(
            EnrichmentRequest.objects.filter(pk__in=chunk).values_list("pk", "work_id", "author_id")
        )
        waiting = _waiting_for_review(rows)
        works, why_works = works_enqueue_with_reasons(
            (w for _, w, a in rows if w is not None), supersede_review=True, actor=actor
        )
        authors, why_authors = _enqueue_authors(
            (a for _, w, a in rows if a is not None), supersede_review=True, actor=actor
        )
        queued = {("work", w) for w in works} | {("author", a) for a in authors}
        why = {**{("work", w): r for w, r in why_works.items()}}
        why |= {("author", a): r for a, r in why_authors.items()}
        seen: set[tuple[str, int]] = set()
        for _pk, work_id, author_id in rows:
            target = ("author", author_id) if author_id is not None else ("work", work_id)
            if target in queued and target not in seen:
                seen.add(target)
                result.changed += 1
            elif target in queued:
                result.skip(
                    gettext("another selected request is for the same author")
                    if target[0] == "author"
                    else gettext("another selected request is for the same work")
                )
            else:
                result.skip(why[target])
        superseded = waiting.filter(status=Status.SKIPPED).count() if waiting else 0
        if superseded:
            result.reasons[str(SUPERSEDED)] += superseded
    return result


def _waiting_for_review(rows: Sequence[tuple[int, int | None, int | None]]) -> QuerySet | None:
    """The requests waiting for review of these rows' works and authors (a re-run supersedes
    them: queue._supersede_waiting), fixed now so that the summary can count them after."""
    works = {w for _, w, a in rows if w is not None}
    authors = {a for _, w, a in rows if a is not None}
    ids = list(
        EnrichmentRequest.objects.filter(
            Q(work_id__in=works) | Q(author_id__in=authors), status=Status.NEEDS_REVIEW
        ).values_list("pk", flat=True)
    )
    return EnrichmentRequest.objects.filter(pk__in=ids) if ids else None


def works_enrich_bulk(
    *,
    queryset: QuerySet[Work],
    actor,
    covers: bool = True,
    metadata: bool = True,
    trigger: str = EnrichmentRequest.Trigger.MANUAL_BULK,
) -> BulkResult:
    """ "Enrich selected" and "Enrich all missing" (the admin's, or the API's `trigger`): queue
    the works that lack a cover or metadata (the service enrich_missing uses), saying why the
    others were not."""
    result = BulkResult()
    for chunk in _chunks(queryset):
        queued, why = works_enqueue_with_reasons(
            chunk, covers=covers, metadata=metadata, trigger=trigger
        )
        result.changed += len(queued)
        for reason in why.values():
            result.skip(reason)
    return result


def authors_enrich_bulk(*, queryset: QuerySet[Author], actor) -> BulkResult:
    """ "Enrich selected authors": queue those that lack a bio, dates or ids (the service
    `enrich_missing --authors` uses), saying why the others were not."""
    result = BulkResult()
    for chunk in _chunks(queryset):
        queued, why = _enqueue_authors(chunk)
        result.changed += len(queued)
        for reason in why.values():
            result.skip(reason)
    return result


# --- Bulk approve / dismiss ---------------------------------------------------------------------


def requests_approve_bulk(*, queryset: QuerySet[EnrichmentRequest], actor) -> BulkResult:
    """Approve each request's safe proposal (each in its own transaction), leaving those whose
    record may be another book's for a reviewer to check one by one (`safe_approval`)."""
    result = BulkResult()
    actor_id = getattr(actor, "pk", None)
    for chunk in _chunks(queryset):
        covers = []
        requests = EnrichmentRequest.objects.filter(pk__in=chunk)
        left_to_check = set(safe_approval_withheld(requests).values_list("pk", flat=True))
        for request in requests.order_by("pk"):
            if request.status != Status.NEEDS_REVIEW:
                result.skip(bulk_skip_reason(request))
                continue
            if request.pk in left_to_check:
                result.skip(gettext("of low confidence (check each on its page)"))
                continue
            try:
                outcome = request_approve(
                    request=request, actor=actor, fields=None, dispatch_covers=False
                )
            except ReviewError:  # decided meanwhile by someone else
                request.refresh_from_db()
                result.skip(bulk_skip_reason(request))
                continue
            except Exception:  # one row's problem must not stop the others
                logger.exception("Approving enrichment request %s failed", request.pk)
                result.fail("an unexpected error (see the server log)")
                continue
            if outcome.already_done:
                result.skip(gettext("approved already"))
            elif outcome.changed or outcome.cover == "queued":
                result.changed += 1
            else:
                result.changed += 1
                result.reasons[gettext("approved with nothing safe to apply")] += 1
            if outcome.cover == "queued":
                covers.append(request.pk)
        if covers:
            transaction.on_commit(
                functools.partial(
                    cover_apply.covers_dispatch, request_ids=covers, actor_id=actor_id
                )
            )
    return result


def requests_dismiss_bulk(
    *, queryset: QuerySet[EnrichmentRequest], actor, reason: str = ""
) -> BulkResult:
    result = BulkResult()
    for chunk in _chunks(queryset):
        for request in EnrichmentRequest.objects.filter(pk__in=chunk).order_by("pk"):
            if request.status != Status.NEEDS_REVIEW:
                result.skip(bulk_skip_reason(request))
                continue
            try:
                outcome = request_dismiss(request=request, actor=actor, reason=reason)
            except ReviewError:  # decided meanwhile by someone else
                request.refresh_from_db()
                result.skip(bulk_skip_reason(request))
                continue
            except Exception:
                logger.exception("Dismissing enrichment request %s failed", request.pk)
                result.fail("an unexpected error (see the server log)")
                continue
            if outcome.dismissed:
                result.changed += 1
            else:
                result.skip(gettext("dismissed already"))
    return result


def _chunks(queryset: QuerySet, size: int = BULK_CHUNK_SIZE):
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]

"""Applying a proposal to the catalog: the one path, for the engine and for reviewers.

`apply_proposal` is how any proposed value reaches the catalog — the engine's auto-apply, a
reviewer's approval (the safe proposal or chosen fields), bulk approve. It picks the target
edition (one rule: `target_edition`), locks the rows, writes the fields, credits the authors,
records one audit entry with old and new values (so it can be reverted), hands the cover to the
cover pipeline (`enrichment.cover_apply`: one dispatch, one task) and refreshes the work's
enrichment state and completeness (`work_refresh`, the one place that does).

What is safe (the engine's tiers): on high confidence, empty fields are filled (never a
non-empty one; a title that is only a placeholder counts as empty) and the cover of a work
without one; on medium, only the cover (an author's photo waits for review:
`image_safe_at`); on low, nothing (review). A reviewer may apply any
proposed field, including over a non-empty value — the only way that ever happens.
"""

import datetime
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from bookstore.db_clock import database_now
from catalog import text
from catalog.importers.parsing import parse_format
from catalog.models import Author, Edition, Work, WorkAuthor, WorkSeries
from enrichment.candidates import Contributor, CoverRef
from enrichment.cover_apply import COVER_JOB_FIELDS, cover_mark_pending, covers_dispatch
from enrichment.history import history_record
from enrichment.matching import Tier
from enrichment.merge import ALL_FIELDS, PLACEHOLDER, is_empty, is_placeholder
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import Proposal, ProposedCover
from enrichment.targets import RequestTargets, lock_request_targets
from enrichment.work_state import UNIQUE_FIELDS, WORK_STATUS, stored_value

logger = logging.getLogger(__name__)
Status = EnrichmentRequest.Status


class RequestNotClaimed(Exception):
    """The request is no longer this worker's (it was given back as stale): apply nothing."""


# --- Field writes -----


def model_value(name: str, value: Any) -> dict[str, Any]:
    """A proposal value -> the model attributes it sets."""
    if name == "publication_date":
        return _date_with_precision(value)
    if name == "format":
        return {"format": value if value in Edition.Format.values else parse_format(value)[0]}
    if name in UNIQUE_FIELDS:
        return {name: value or None}
    if name == "title":
        if is_placeholder(value):  # an audited placeholder put back by a revert
            return {"title": value[PLACEHOLDER], "title_is_placeholder": True}
        return {"title": value, "title_is_placeholder": False}
    return {name: value}


def _date_with_precision(value: str | None) -> dict[str, Any]:
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value or "")
    if not match:
        return {"publication_date": None, "publication_date_precision": ""}
    year, month, day = match.groups()
    try:
        date = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return {"publication_date": None, "publication_date_precision": ""}
    precision = "day" if day else "month" if month else "year"
    return {"publication_date": date, "publication_date_precision": precision}


def _no_holder_reason(target_name: str) -> str:
    """Why a field was not applied when the request has no row to hold it."""
    if target_name == "edition":
        return gettext("the work has no edition to hold it")
    if target_name == "author":
        return gettext("the request is for a work, not an author")
    return gettext("the request is for an author, not a work")


def write_fields(
    *, holders: dict[str, Any], values: dict[str, Any], only_empty: bool
) -> tuple[dict[str, dict], dict[str, str]]:
    """Set proposal values on the (locked, fresh) rows that hold them: `holders` maps a field's
    target ("work", "edition", "author": merge.ALL_FIELDS) to its row (targets.holders).

    Returns (changes: field -> {old, new, target}, refused: field -> reason).
    """
    changes: dict[str, dict] = {}
    refused: dict[str, str] = {}
    dirty: dict[str, set[str]] = {name: set() for name in holders}
    for name, new in values.items():
        target_name, _ = ALL_FIELDS[name]
        target = holders.get(target_name)
        if target is None:
            refused[name] = _no_holder_reason(target_name)
            continue
        old = stored_value(target, name)
        if only_empty and not is_empty(old):
            refused[name] = gettext("the field already holds a value")
            continue
        if name in UNIQUE_FIELDS and new:
            model = type(target)
            if model.objects.filter(**{name: new}).exclude(pk=target.pk).exists():
                refused[name] = gettext("%(value)s already belongs to another record") % {
                    "value": new
                }
                continue
        for attr, value in model_value(name, new).items():
            setattr(target, attr, value)
            dirty[target_name].add(attr)
        changes[name] = {"old": old, "new": new, "target": target_name}
    if "title" in dirty.get("work", ()):
        dirty["work"].add("title_normalized")  # Work.save derives it from the title
    for target_name, attrs in dirty.items():
        if attrs:
            holders[target_name].save(update_fields=[*attrs, "updated_at"])
    if dirty.get("work", set()) & {"series", "series_number"}:
        primary_series_follow(holders["work"])
    return changes, refused


def primary_series_follow(work: Work) -> None:
    """The work's primary series entry (WorkSeries position 0, "Every series") made what
    Work.series / series_number now hold, as the importers write them: created, renamed,
    renumbered, or removed with the series."""
    entries = list(work.series_entries.all())
    primary = next((entry for entry in entries if entry.position == 0), None)
    if not work.series:
        if primary is not None:
            primary.delete()
        return
    # The series may be one of the work's others already: it becomes the primary one.
    for entry in entries:
        if entry is not primary and entry.name == work.series:
            entry.delete()
    if primary is None:
        WorkSeries.objects.create(
            work=work, name=work.series, number=work.series_number, position=0
        )
    elif (primary.name, primary.number) != (work.series, work.series_number):
        primary.name, primary.number = work.series, work.series_number
        primary.save(update_fields=["name", "number", "updated_at"])


def add_authors(*, work: Work, authors: list[Contributor]) -> dict | None:
    """Credit a work that has none with the provider's authors (never alters existing ones)."""
    if not authors or work.credits.exists():
        return None
    names = []
    for position, person in enumerate(authors[:10]):
        key = text.normalize_person_name(person.name)
        if not key:
            continue
        author = Author.objects.filter(name_normalized=key).first() or Author.objects.create(
            name=person.name[:255], openlibrary_key=_openlibrary_author_key(person)
        )
        WorkAuthor.objects.get_or_create(
            work=work, author=author, role=person.role or "author", defaults={"position": position}
        )
        names.append(person.name)
    return {"old": [], "new": names, "target": "work"} if names else None


def _openlibrary_author_key(person: Contributor) -> str | None:
    key = person.provider_id.rsplit("/", 1)[-1]
    if re.fullmatch(r"OL\d+A", key) and not Author.objects.filter(openlibrary_key=key).exists():
        return key
    return None


# --- The one apply path -----


@dataclass
class AppliedProposal:
    """What apply_proposal did."""

    applied: dict[str, dict] = field(default_factory=dict)  # field -> {old, new, target}
    refused: dict[str, str] = field(default_factory=dict)  # field -> why not
    cover_queued: bool = False  # the cover went to the cover pipeline
    audit_entry: AuditLogEntry | None = None

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def apply_proposal(
    *,
    enrichment_request: EnrichmentRequest,
    fields: list[str] | None = None,
    actor,
    only_empty: bool,
    note: str = "",
    dispatch_cover: bool = True,
) -> AppliedProposal:
    """Apply (part of) a request's proposal to the catalog.

    `fields=None` is the safe proposal: the proposed values of empty fields, the authors of a
    work without credits, and the cover of a work without one. `fields=[...]`: those fields
    ("cover" and "authors" included); fields already applied are skipped. `only_empty`: never
    replace a value the catalog holds; False only for a reviewer's explicit choice, which may
    also replace a cover. `actor`: the reviewer, or None for the engine.

    The caller has decided that the request may be applied (the worker's claim, or a request
    awaiting review) and has saved its new status: the work's enrichment state follows it. Runs
    in the caller's transaction. The cover is queued for the cover pipeline once the transaction
    commits (with `dispatch_cover=False`, the caller dispatches it: bulk approve sends one task
    per chunk).
    """
    result = AppliedProposal()
    with transaction.atomic():
        request = EnrichmentRequest.objects.select_for_update().get(pk=enrichment_request.pk)
        targets = lock_request_targets(request)
        proposal, details = request.proposal, request.match_details
        selected = proposal.select(
            fields,
            has_cover=targets.has_image,
            authors_done="authors" in request.fields_applied,
            only_empty=only_empty,
        )
        changes, refused = write_fields(
            holders=targets.holders, values=proposal.values(selected.fields), only_empty=only_empty
        )
        if selected.authors and targets.work is not None:
            authors = [Contributor(name=a.name, role=a.role) for a in details.authors]
            credited = add_authors(work=targets.work, authors=authors)
            if credited:
                changes["authors"] = credited
            elif fields is not None and "authors" in fields:  # chosen: say why not
                refused["authors"] = (
                    gettext("the work already has credits: edit them on the work")
                    if authors
                    else gettext("no provider named the authors")
                )
        proposal.mark_applied(changes)
        proposal.mark_refused(refused)
        if changes:
            result.audit_entry = AuditLogEntry.objects.create(
                request=request,
                **targets.audit_rows(),
                action=AuditLogEntry.Action.REVIEW_APPLY
                if actor
                else AuditLogEntry.Action.AUTO_APPLY,
                provider=sources_of(changes, request),
                tier=request.confidence,
                changes=changes,
                actor=actor,
                actor_label=AuditLogEntry.label_for(actor),
                note=note,
            )
            history_record(entry=result.audit_entry)
        update = ["proposal", "fields_applied", "updated_at"]
        if selected.cover:
            cover_mark_pending(request, replace=not only_empty)
            update += COVER_JOB_FIELDS
            result.cover_queued = True
        request.proposal = proposal
        request.fields_applied = sorted({*request.fields_applied, *changes})
        request.save(update_fields=update)
        current = targets.is_current(request)
        targets.refresh(
            status=WORK_STATUS.get(Status(request.status)) if current else None,
            confidence=request.confidence if current else None,
            touched=bool(changes) or actor is None,  # the engine's try counts as one
        )
        if selected.cover and dispatch_cover:
            # Slow image hosts never hold up metadata: covers have their own tasks.
            request_id, actor_id = request.pk, getattr(actor, "pk", None)
            transaction.on_commit(
                lambda: covers_dispatch(request_ids=[request_id], actor_id=actor_id)
            )
    # The caller's instance shows what was recorded.
    enrichment_request.proposal = request.proposal
    enrichment_request.fields_applied = request.fields_applied
    enrichment_request.cover_status = request.cover_status
    result.applied, result.refused = changes, refused
    return result


def sources_of(names, request: EnrichmentRequest) -> str:
    """The providers whose values these fields ("authors" too) of the request's proposal are."""
    sources = request.proposal.sources(names)
    if "authors" in names:
        sources += [a.source for a in request.match_details.authors[:1]]
    sources = [s for s in dict.fromkeys(sources) if s] or request.providers_attempted[:1]
    return ",".join(sources)[:128]


# --- The engine's decisions -----


def _lock_claimed(request: EnrichmentRequest) -> EnrichmentRequest:
    locked = (
        EnrichmentRequest.objects.select_for_update()
        .filter(pk=request.pk, status=Status.IN_PROGRESS, claim_token=request.claim_token)
        .first()
    )
    if locked is None:
        raise RequestNotClaimed(request.pk)
    return locked


def image_safe_at(tier: Tier, *, of_a_person: bool) -> bool:
    """Whether a matched record's picture is safe to apply unreviewed at this tier. A book's
    cover on medium too (its title and author agree: at worst another edition's cover); a
    person's photo only on high, for an author's medium is a name that only nearly agrees
    (initials, a surname, a romanisation: Zhang / Chang) and a namesake's face is worse than
    no photo."""
    return tier == Tier.HIGH or (tier == Tier.MEDIUM and not of_a_person)


def auto_apply_fields(tier: Tier, proposal: Proposal, *, of_a_person: bool = False) -> list[str]:
    """What the engine applies by itself at a tier (the settings may turn either part off)."""
    names: list[str] = []
    if tier == Tier.HIGH and settings.ENRICHMENT_AUTO_APPLY_METADATA:
        names += [*proposal.safe_fields(), "authors"]
    if image_safe_at(tier, of_a_person=of_a_person) and settings.ENRICHMENT_AUTO_APPLY_COVERS:
        names.append("cover")
    return names


def request_apply_decision(
    *,
    request: EnrichmentRequest,
    tier: Tier,
    proposal: Proposal,
    covers: list[CoverRef],
) -> str:
    """Record a matched request's proposal and apply what is safe for its tier."""
    try:
        with transaction.atomic():
            locked = _lock_claimed(request)
            targets = lock_request_targets(locked)
            if covers:
                proposal.cover = ProposedCover(
                    proposed=covers,
                    source=covers[0].provider,
                    target=targets.image_target,
                    fills_empty=not targets.has_image,
                    tier=str(tier),
                    current=_image_summary(targets),
                )
            of_a_person = targets.author is not None
            if tier == Tier.HIGH:
                status = Status.COMPLETED
            elif tier == Tier.MEDIUM:  # at most the cover is applied: the rest waits for review
                image_left = (
                    proposal.cover is not None
                    and proposal.cover.fills_empty
                    and not image_safe_at(tier, of_a_person=of_a_person)
                )
                status = Status.NEEDS_REVIEW if proposal.fields or image_left else Status.COMPLETED
            else:
                status = Status.NEEDS_REVIEW
            locked.status = status
            locked.confidence = str(tier)
            locked.proposal = proposal
            locked.match_details = request.match_details
            locked.providers_attempted = request.providers_attempted
            locked.fields_applied = []
            locked.claim_token = ""
            locked.last_error = ""
            locked.finished_at = timezone.now()
            locked.save()
            apply_proposal(
                enrichment_request=locked,
                fields=auto_apply_fields(tier, proposal, of_a_person=of_a_person),
                actor=None,
                only_empty=True,
            )
    except RequestNotClaimed:
        logger.warning("Request %s was given to another worker: nothing applied", request.pk)
        return "lost"
    return status


def request_finish_unmatched(*, request: EnrichmentRequest, reason: str) -> str:
    """No provider matched: keep every imported field, say why, and mark the work so unless an
    earlier enrichment's values stand (RequestTargets.refresh_ended_unchanged)."""
    try:
        with transaction.atomic():
            locked = _lock_claimed(request)
            locked.status = Status.SKIPPED
            locked.confidence = str(Tier.NONE)
            request.match_details.reason = reason
            locked.match_details = request.match_details
            locked.providers_attempted = request.providers_attempted
            locked.claim_token = ""
            locked.last_error = ""
            # On the clock its retry (queue.requests_retry_unavailable) is judged by.
            locked.finished_at = database_now()
            # Providers that were only unavailable (quota, breaker) may know it later.
            if request.match_details.skipped:
                locked.retry_when_available = True
            locked.save()
            lock_request_targets(locked).refresh_ended_unchanged(
                status=WORK_STATUS[Status.SKIPPED], confidence=str(Tier.NONE)
            )
    except RequestNotClaimed:
        return "lost"
    return Status.SKIPPED


def _image_summary(targets: RequestTargets) -> dict[str, str]:
    """The cover (photo) the target shows now, for the review page's "current" side."""
    if targets.author is not None:
        photo = targets.author.photo
        return {"name": photo.name, "source": targets.author.photo_source} if photo else {}
    assert targets.work is not None
    cover = targets.work.display_cover
    return {"name": cover.name, "source": targets.work.cover_source} if cover else {}

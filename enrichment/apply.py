"""Applying a decision to the catalog, in one transaction, with an audit entry for every change.

The rules: on high confidence, empty fields are filled (never a non-empty one; a title that is
only a placeholder counts as empty); on medium, only the cover; on low, nothing (review); a
reviewer may apply any proposed field, including over a non-empty value — the only way that
ever happens. Every change records old and new values, so it can be reverted.
"""

import datetime
import logging
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog import text
from catalog.importers.parsing import parse_format
from catalog.models import Author, Edition, Work, WorkAuthor
from catalog.selectors import work_has_cover
from enrichment.candidates import Contributor
from enrichment.cover_apply import cover_mark_pending, covers_dispatch
from enrichment.matching import Tier
from enrichment.merge import (
    FIELDS,
    PLACEHOLDER,
    completeness,
    is_empty,
    is_placeholder,
    placeholder,
)
from enrichment.models import AuditLogEntry, EnrichmentRequest

logger = logging.getLogger(__name__)
Status = EnrichmentRequest.Status
UNIQUE_FIELDS = {"openlibrary_work_key", "openlibrary_edition_key", "isbn13"}


class RequestNotClaimed(Exception):
    """The request is no longer this worker's (it was given back as stale): apply nothing."""


def target_edition(request: EnrichmentRequest) -> Edition | None:
    """The edition a request's proposal is for: the request's own, else the first edition with
    an ISBN, else the first one Open Library knows by its key (the one its record describes)."""
    if request.edition_id:
        return request.edition
    editions = sorted(
        request.work.editions.all(),
        key=lambda e: (not e.isbn13, not e.openlibrary_edition_key, e.pk),
    )
    return editions[0] if editions else None


def current_values(work: Work, edition: Edition | None) -> dict[str, Any]:
    """What each proposal field holds now (without the edition's fields when there is none)."""
    return {
        name: _stored(work if target_name == "work" else edition, name)
        for name, (target_name, _field) in FIELDS.items()
        if target_name == "work" or edition is not None
    }


def completeness_of(work: Work, edition: Edition | None) -> int:
    values = current_values(work, edition)
    values["cover"] = work_has_cover(work)
    values["authors"] = work.credits.exists()
    return completeness(values)


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


def _stored(obj, name: str) -> Any:
    """The value a field holds, as proposals and the audit log show it."""
    if name == "publication_date":
        return obj.publication_date_display
    if name == "title" and obj.title_is_placeholder:
        return placeholder(obj.title)  # holds nothing: a key stands in for the title
    value = getattr(obj, name)
    return "" if value is None and name in UNIQUE_FIELDS else value


def write_fields(
    *, work: Work, edition: Edition | None, values: dict[str, Any], only_empty: bool
) -> tuple[dict[str, dict], dict[str, str]]:
    """Set proposal values on the (locked, fresh) work / edition.

    Returns (changes: field -> {old, new, target}, refused: field -> reason).
    """
    changes, refused = {}, {}
    dirty = {"work": set(), "edition": set()}
    for name, new in values.items():
        target_name, _ = FIELDS[name]
        target = work if target_name == "work" else edition
        if target is None:
            refused[name] = "the work has no edition to hold it"
            continue
        old = _stored(target, name)
        if only_empty and not is_empty(old):
            refused[name] = "the field already holds a value"
            continue
        if name in UNIQUE_FIELDS and new:
            model = type(target)
            if model.objects.filter(**{name: new}).exclude(pk=target.pk).exists():
                refused[name] = f"{new} already belongs to another record"
                continue
        for attr, value in model_value(name, new).items():
            setattr(target, attr, value)
            dirty[target_name].add(attr)
        changes[name] = {"old": old, "new": new, "target": target_name}
    if "title" in dirty["work"]:
        dirty["work"].add("title_normalized")  # Work.save derives it from the title
    if dirty["work"]:
        work.save(update_fields=[*dirty["work"], "updated_at"])
    if dirty["edition"] and edition is not None:
        edition.save(update_fields=[*dirty["edition"], "updated_at"])
    return changes, refused


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


# --- Decisions -----


def _lock_claimed(request: EnrichmentRequest) -> EnrichmentRequest:
    locked = (
        EnrichmentRequest.objects.select_for_update()
        .filter(pk=request.pk, status=Status.IN_PROGRESS, claim_token=request.claim_token)
        .first()
    )
    if locked is None:
        raise RequestNotClaimed(request.pk)
    return locked


def _fresh_targets(request: EnrichmentRequest) -> tuple[Work, Edition | None]:
    work = Work.objects.select_for_update().get(pk=request.work_id)
    edition = target_edition(request)
    if edition is not None:
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
    return work, edition


def request_apply_decision(
    *,
    request: EnrichmentRequest,
    tier: Tier,
    proposal: dict[str, dict],
    covers: list[dict],
    authors: list[Contributor],
) -> str:
    """Record a matched request's proposal and apply what is safe for its tier."""
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = _lock_claimed(request)
            work, edition = _fresh_targets(request)
            changes: dict[str, dict] = {}
            if tier == Tier.HIGH and settings.ENRICHMENT_AUTO_APPLY_METADATA:
                empties = {
                    name: item["proposed"] for name, item in proposal.items() if item["fills_empty"]
                }
                changes, refused = write_fields(
                    work=work, edition=edition, values=empties, only_empty=True
                )
                for name, reason in refused.items():
                    proposal[name]["refused"] = reason
                credited = add_authors(work=work, authors=authors)
                if credited:
                    changes["authors"] = credited
            for name in changes:
                if name in proposal:
                    proposal[name]["applied"] = True
            pending = [n for n, item in proposal.items() if not item.get("applied")]
            wants_cover = bool(covers) and not work_has_cover(work)
            if covers:
                proposal["cover"] = {
                    "current": _cover_summary(work),
                    "proposed": covers,
                    "source": covers[0]["provider"],
                    "tier": str(tier),
                    "target": "edition" if edition else "work",
                    "fills_empty": not work_has_cover(work),
                }
            if tier == Tier.HIGH:
                status = Status.COMPLETED
            elif tier == Tier.MEDIUM:
                status = Status.NEEDS_REVIEW if pending else Status.COMPLETED
            else:
                status = Status.NEEDS_REVIEW
            auto_cover = (
                wants_cover
                and tier in (Tier.HIGH, Tier.MEDIUM)
                and settings.ENRICHMENT_AUTO_APPLY_COVERS
            )
            if changes:
                AuditLogEntry.objects.create(
                    request=locked,
                    work=work,
                    edition=edition,
                    action=AuditLogEntry.Action.AUTO_APPLY,
                    provider=_providers_of(changes, proposal, request),
                    tier=str(tier),
                    changes=changes,
                    actor_label="enrichment worker",
                )
            locked.status = status
            locked.confidence = str(tier)
            locked.proposal = proposal
            locked.match_details = request.match_details
            locked.providers_attempted = request.providers_attempted
            locked.fields_applied = sorted(changes)
            if auto_cover:
                cover_mark_pending(locked)
            locked.claim_token = ""
            locked.last_error = ""
            locked.finished_at = now
            locked.save()
            _update_work_state(work, edition, status=status, tier=str(tier), now=now)
            if auto_cover:
                # Slow image hosts never hold up metadata: covers have their own tasks.
                transaction.on_commit(lambda: covers_dispatch(request_ids=[locked.pk]))
    except RequestNotClaimed:
        logger.warning("Request %s was given to another worker: nothing applied", request.pk)
        return "lost"
    return status


def request_finish_unmatched(*, request: EnrichmentRequest, reason: str) -> str:
    """No provider matched: keep every imported field, mark the work so, say why."""
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = _lock_claimed(request)
            locked.status = Status.SKIPPED
            locked.confidence = str(Tier.NONE)
            locked.match_details = {**request.match_details, "reason": reason}
            locked.providers_attempted = request.providers_attempted
            locked.claim_token = ""
            locked.last_error = ""
            locked.finished_at = now
            # Providers that were only unavailable (quota, breaker) may know it later.
            if request.match_details.get("skipped"):
                locked.retry_when_available = True
            locked.save()
            work = Work.objects.select_for_update().get(pk=request.work_id)
            _update_work_state(work, None, status=Status.SKIPPED, tier=str(Tier.NONE), now=now)
    except RequestNotClaimed:
        return "lost"
    return Status.SKIPPED


def _cover_summary(work: Work) -> dict:
    cover = work.display_cover
    return {"name": cover.name, "source": work.cover_source} if cover else {}


def _providers_of(changes: dict, proposal: dict, request: EnrichmentRequest) -> str:
    sources = [proposal[n]["source"] for n in changes if n in proposal]
    return ",".join(dict.fromkeys(sources)) or ",".join(request.providers_attempted[:1])


WORK_STATUS = {
    Status.COMPLETED: Work.EnrichmentStatus.ENRICHED,
    Status.NEEDS_REVIEW: Work.EnrichmentStatus.NEEDS_REVIEW,
    Status.SKIPPED: Work.EnrichmentStatus.UNRESOLVED,
    Status.FAILED: Work.EnrichmentStatus.FAILED,
}


def _update_work_state(work: Work, edition, *, status: str, tier: str, now) -> None:
    work.enrichment_status = WORK_STATUS.get(status, work.enrichment_status)
    work.enrichment_confidence = tier
    work.last_enriched_at = now
    work.completeness = completeness_of(work, edition or work.editions.first())
    work.save(
        update_fields=[
            "enrichment_status",
            "enrichment_confidence",
            "last_enriched_at",
            "completeness",
            "updated_at",
        ]
    )

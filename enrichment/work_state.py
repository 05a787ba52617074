"""What the catalog holds for an enrichment request, and the work's enrichment state.

One rule each: the edition a proposal is for (`target_edition`), what each proposal field holds
now (`current_values`), a work's completeness, and the one function that writes a work's
enrichment state after any change (`work_refresh`): the engine, reviews, covers and reverts all
go through them.
"""

import hashlib
import json
from typing import Any

from django.utils import timezone

from catalog.models import Edition, Work
from catalog.selectors import work_has_cover
from enrichment.merge import FIELDS, completeness, placeholder
from enrichment.models import EnrichmentRequest

Status = EnrichmentRequest.Status
#: Fields held in unique columns (NULL when unknown): a value another record holds is refused.
UNIQUE_FIELDS = {"openlibrary_work_key", "openlibrary_edition_key", "isbn13", "openlibrary_key"}


def request_work(request: EnrichmentRequest) -> Work:
    """The work of a work's request (an author's request has none: asking is a bug)."""
    if request.work is None:
        raise ValueError(f"enrichment request {request.pk} is for an author, not a work")
    return request.work


def target_edition(request: EnrichmentRequest) -> Edition | None:
    """The edition a request's proposal is for: the request's own, else the work's primary one.
    Its ISBN is the one looked up, and its record's fields and cover are applied to it only."""
    if request.edition_id:
        return request.edition
    return primary_edition(request_work(request))


def primary_edition(work: Work) -> Edition | None:
    """The first edition with an ISBN, else the first one Open Library knows by its key (the one
    its record describes), else the first."""
    editions = sorted(
        work.editions.all(), key=lambda e: (not e.isbn13, not e.openlibrary_edition_key, e.pk)
    )
    return editions[0] if editions else None


def lock_targets(request: EnrichmentRequest) -> tuple[Work, Edition | None]:
    """Lock the request's work and target edition for writing (fresh from the database)."""
    work = Work.objects.select_for_update().get(pk=request_work(request).pk)
    request.work = work
    edition = target_edition(request)
    if edition is not None:
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if request.edition_id:
            request.edition = edition  # as the work: what it holds is read from the locked row
    return work, edition


def target_has_cover(request: EnrichmentRequest, work: Work, edition: Edition | None) -> bool:
    """Whether the request's cover would fill nothing: a request for one edition asks whether
    that edition has a cover; a work's request whether the work shows one (its own or any
    edition's, catalog.selectors.work_has_cover)."""
    if request.edition_id and edition is not None:
        return bool(edition.cover)
    return work_has_cover(work)


def current_values(work: Work, edition: Edition | None) -> dict[str, Any]:
    """What each proposal field holds now (without the edition's fields when there is none)."""
    return {
        name: stored_value(work if target_name == "work" else edition, name)
        for name, (target_name, _field) in FIELDS.items()
        if target_name == "work" or edition is not None
    }


def stored_value(obj, name: str) -> Any:
    """The value a field holds, as proposals and the audit log show it."""
    if name == "publication_date":
        return obj.publication_date_display
    if name == "title" and obj.title_is_placeholder:
        return placeholder(obj.title)  # holds nothing: a key stands in for the title
    value = getattr(obj, name)
    return "" if value is None and name in UNIQUE_FIELDS else value


def value_fingerprint(value: Any) -> str:
    """A short digest of a field's value (stored_value's): the review page sends the one of each
    value it showed, so an approval can tell that a field changed while the page was open."""
    data = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def completeness_of(work: Work, edition: Edition | None) -> int:
    values = current_values(work, edition)
    values["cover"] = work_has_cover(work)
    values["authors"] = work.credits.exists()
    return completeness(values)


WORK_STATUS = {
    Status.COMPLETED: Work.EnrichmentStatus.ENRICHED,
    Status.NEEDS_REVIEW: Work.EnrichmentStatus.NEEDS_REVIEW,
    Status.SKIPPED: Work.EnrichmentStatus.UNRESOLVED,
    Status.FAILED: Work.EnrichmentStatus.FAILED,
}
#: A work whose request was given back pending because its providers could not be asked or
#: failed: it is retried on its own (its request's next_attempt_at says when).
WORK_WAITING = Work.EnrichmentStatus.WAITING


def work_refresh(
    work: Work,
    edition: Edition | None = None,
    *,
    status: str | None = None,
    confidence: str | None = None,
    touched: bool = True,
) -> None:
    """The one place a work's enrichment state is written after a change: its completeness
    (from its target edition), and when given its status and confidence; `touched` records the
    time as its last enrichment."""
    work.completeness = completeness_of(work, edition or primary_edition(work))
    update = ["completeness", "updated_at"]
    if status:
        work.enrichment_status = status
        update.append("enrichment_status")
    if confidence is not None:
        work.enrichment_confidence = confidence
        update.append("enrichment_confidence")
    if touched:
        work.last_enriched_at = timezone.now()
        update.append("last_enriched_at")
    work.save(update_fields=update)

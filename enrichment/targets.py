"""What an enrichment request is for: a work (and its target edition) or an author.

Works and authors share the queue, the apply path, the cover (photo) pipeline, the audit log
and the review panel. This module is the one place that knows the difference: which rows a
request locks, which of them holds each proposed field, which holds the image and under which
name ("cover" or "photo"), and how the target's enrichment state is refreshed.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models

from catalog.models import Author, Edition, EnrichmentStatus, Work
from enrichment.author_state import author_refresh
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.request_status import CATALOG_CHANGE_ACTIONS
from enrichment.work_state import lock_targets, target_has_cover, work_refresh


@dataclass
class RequestTargets:
    """The (locked, fresh) catalog rows a request's proposal is for."""

    request: EnrichmentRequest | None
    work: Work | None = None
    edition: Edition | None = None
    author: Author | None = None

    @property
    def holders(self) -> dict[str, models.Model | None]:
        """Target name of a field (merge.ALL_FIELDS) -> the row that holds it."""
        if self.author is not None:
            return {"author": self.author}
        return {"work": self.work, "edition": self.edition}

    @property
    def has_image(self) -> bool:
        """Whether the proposed image (cover or photo) would fill nothing."""
        if self.author is not None:
            return bool(self.author.photo)
        assert self.work is not None
        if self.request is None:
            return bool((self.edition or self.work).cover)
        return target_has_cover(self.request, self.work, self.edition)

    @property
    def image_holder(self) -> tuple[models.Model, str]:
        """The row an image is stored on, and its field: covers belong to the edition they
        picture (the work shows it by inheritance); a portrait to its author."""
        if self.author is not None:
            return self.author, "photo"
        holder = self.edition or self.work
        assert holder is not None
        return holder, "cover"

    @property
    def image_target(self) -> str:
        """How the audit log and proposals name the image's holder."""
        if self.author is not None:
            return "author"
        return "edition" if self.edition is not None else "work"

    def audit_rows(self) -> dict[str, Any]:
        """The AuditLogEntry columns that say what was changed."""
        return {"work": self.work, "edition": self.edition, "author": self.author}

    def requests(self) -> models.QuerySet[EnrichmentRequest]:
        """Every enrichment request of the target (a work's, or an author's)."""
        if self.author is not None:
            return EnrichmentRequest.objects.filter(author_id=self.author.pk)
        assert self.work is not None
        return EnrichmentRequest.objects.filter(work_id=self.work.pk)

    def is_current(self, request: EnrichmentRequest) -> bool:
        """Whether the request is the target's current one (its newest, as the queue and the
        dashboard count them: selectors.current_requests). Only its outcome is the target's
        state: fields approved later on an older proposal leave the state a newer one set."""
        return not self.requests().filter(pk__gt=request.pk).exists()

    def status_standing(self) -> str | None:
        """What earlier enrichment established that still stands, None when nothing does: a
        proposal still waiting says "needs review"; anything an enrichment applied that still
        stands (a request's applied fields or cover: a revert takes them off) says "enriched"."""
        rows = self.requests().values_list("status", "fields_applied", "cover_status")
        if any(status == EnrichmentRequest.Status.NEEDS_REVIEW for status, _f, _c in rows):
            return EnrichmentStatus.NEEDS_REVIEW
        applied = EnrichmentRequest.CoverStatus.APPLIED
        if any(fields or cover == applied for _s, fields, cover in rows):
            return EnrichmentStatus.ENRICHED
        return None

    def status_once_taken_back(self) -> str:
        """The target's enrichment status once a person took back (part of) what enrichment
        offered it: a dismissal, or a revert. What still stands (`status_standing`) says so;
        nothing left says that a reviewer turned it down ("dismissed"), never "enriched" for
        values put back."""
        return self.status_standing() or EnrichmentStatus.DISMISSED

    def refresh_ended_unchanged(self, *, status: str, confidence: str | None = None) -> None:
        """Write the target's state once a request ended without changing it: no provider
        matched ("unresolved"), or it failed. The one rule: such an end never takes back what an
        earlier enrichment established (`status_standing`): the target keeps that status and
        confidence (an enriched work re-run whose ISBN nobody knows still reads "Enriched", its
        request "No match"), nor one an earlier request matched with nothing to add. Only a target
        with nothing standing and never matched takes the end's status."""
        standing = self.status_standing() or self._matched_before()
        if standing is not None:
            self.refresh(status=standing, touched=True)
        else:
            self.refresh(status=status, confidence=confidence, touched=True)

    def _matched_before(self) -> str | None:
        """ "enriched" when an earlier request matched the target with nothing to add (it reads
        "Matched, nothing added": request_status.request_added_nothing): a provider knows it,
        so a later end that found nothing must not say "No provider knows it"."""
        completed = self.requests().filter(status=EnrichmentRequest.Status.COMPLETED)
        changed = AuditLogEntry.objects.filter(
            request=models.OuterRef("pk"), action__in=CATALOG_CHANGE_ACTIONS
        )
        if completed.filter(~models.Exists(changed)).exists():
            return EnrichmentStatus.ENRICHED
        return None

    def refresh(
        self, *, status: str | None = None, confidence: str | None = None, touched: bool = True
    ) -> None:
        """Write the target's enrichment state (completeness, and status when given)."""
        if self.author is not None:
            author_refresh(self.author, status=status, confidence=confidence, touched=touched)
        else:
            assert self.work is not None
            work_refresh(
                self.work, self.edition, status=status, confidence=confidence, touched=touched
            )


def lock_request_targets(request: EnrichmentRequest) -> RequestTargets:
    """Lock the request's target rows for writing (fresh from the database)."""
    if request.author_id is not None:
        author = Author.objects.select_for_update().get(pk=request.author_id)
        request.author = author
        return RequestTargets(request=request, author=author)
    work, edition = lock_targets(request)
    return RequestTargets(request=request, work=work, edition=edition)


def lock_entry_targets(entry: AuditLogEntry) -> RequestTargets:
    """Lock the rows an audit entry changed, for a revert (an edition since deleted is None)."""
    return entry_targets(entry, lock=True)


def entry_targets(
    entry: AuditLogEntry, *, lock: bool = False, loaded: bool = False
) -> RequestTargets:
    """The rows an audit entry changed as they are now (an edition since deleted is None);
    locked for a revert, read as is for a page that says whether a revert could work, or
    `loaded` with the entry (select_related: a confirmation asking it of many entries)."""
    if loaded and not lock:
        if entry.author_id is not None:
            return RequestTargets(request=None, author=entry.author)
        return RequestTargets(request=None, work=entry.work, edition=entry.edition)

    def rows(model):
        return model.objects.select_for_update() if lock else model.objects

    if entry.author_id is not None:
        return RequestTargets(request=None, author=rows(Author).get(pk=entry.author_id))
    assert entry.work_id is not None, "an audit entry changes a work or an author"
    work = rows(Work).get(pk=entry.work_id)
    edition = rows(Edition).filter(pk=entry.edition_id).first() if entry.edition_id else None
    return RequestTargets(request=None, work=work, edition=edition)

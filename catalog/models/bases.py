"""What the catalog's models share: creation and change times, a verified cover, where a record
stands in enrichment."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TimeStampedPart(TimeStampedModel):
    """A part of another record (a credit, a series entry, an import's row): written by the
    hundred thousand in an import and never listed by date, so its creation time has no index
    (each index costs every insert on both databases)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class CoverFields(models.Model):
    """A verified cover image: only bytes that were fetched and checked count as a cover."""

    cover = models.ImageField(upload_to="covers/", blank=True, max_length=255)
    cover_thumbnail = models.ImageField(
        upload_to="covers/", blank=True, max_length=255, help_text=_("Small WebP for lists.")
    )
    cover_source = models.CharField(
        max_length=32, blank=True, help_text=_("The provider the image came from.")
    )
    cover_source_url = models.URLField(max_length=1000, blank=True)
    cover_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    cover_width = models.PositiveIntegerField(null=True, blank=True)
    cover_height = models.PositiveIntegerField(null=True, blank=True)
    cover_verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def has_cover(self) -> bool:
        return bool(self.cover)


class EnrichmentStatus(models.TextChoices):
    """Where a work or an author stands in enrichment (written by enrichment's state refresh)."""

    NOT_ENRICHED = "", _("Not enriched yet")
    QUEUED = "queued", _("Queued")
    # Not one provider could be asked (unreachable, breaker open, quota spent): its request
    # waits and is retried on its own. Not "unresolved": nobody said they do not know it.
    WAITING = "waiting", _("Waiting: providers unavailable")
    ENRICHED = "enriched", _("Enriched")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    UNRESOLVED = "unresolved", _("No provider knows it")
    DISMISSED = "dismissed", _("Dismissed by a reviewer")
    FAILED = "failed", _("Failed")

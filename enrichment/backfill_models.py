"""The catalog backfill's record of each publication month (imported by enrichment.models, as
the cluster heartbeats are): which books it found, which it queued, and who holds its claim."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


def month_name(year: int, month: int) -> str:
    """ "March 2024": a publication month as the admin names it, in the site's language
    (Django's YEAR_MONTH_FORMAT); its key, "2024-03", is the command's, the API's and --json's."""
    return date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")


class BackfillMonth(models.Model):
    """One publication month of the catalog backfill: discover the month's notable books, drop
    those the catalog holds, resolve the rest to ISBNs and queue them for enrichment.

    The scheduler claims a month by moving it to PROCESSING with a fresh `claim_token`; only the
    holder of the token may write the month's outcome, so a month a dead worker left behind can
    be handed back (`retry`) without its late writes landing over the next run's.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        RETRY = "retry", _("Waiting to retry")
        CANCELLED = "cancelled", _("Cancelled")
        #: Done, but some of its discovery sources failed: it may lack their books.
        PARTIAL = "partial", _("Partly failed")

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    books_discovered = models.PositiveIntegerField(
        default=0, help_text=_("Distinct books the discovery sources named for the month.")
    )
    duplicates_dropped = models.PositiveIntegerField(
        default=0, help_text=_("Discovered books the catalog already held.")
    )
    isbns_resolved = models.PositiveIntegerField(default=0)
    resolution_rate = models.FloatField(
        null=True,
        blank=True,
        help_text=_(
            "Resolved ÷ the books needing an ISBN (new books, and synthetic works met again), 0–1."
        ),
    )
    synthetic_works = models.PositiveIntegerField(
        default=0, help_text=_("New books no provider resolved, kept as synthetic works.")
    )
    queued_for_enrichment = models.PositiveIntegerField(default=0)
    provider_calls = models.JSONField(
        default=dict, blank=True, help_text=_("Requests sent per source or provider.")
    )
    sources = models.JSONField(
        default=dict, blank=True, help_text=_("Per discovery source: books found, error.")
    )
    retry_count = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    requested_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Last sign of life of the worker processing it.")
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    earlier_runs = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "The month's earlier runs, oldest first: each run's outcome and figures, kept when "
            "a person ran the completed month again."
        ),
    )

    class Meta:
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="backfillmonth_one_per_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="backfillmonth_month_1_12"
            ),
        ]
        indexes = [models.Index(fields=["status", "-year", "-month"], name="backfill_claim_idx")]
        permissions = [
            ("run_backfill", _("Can queue, retry and cancel backfill months")),
            ("rerun_backfill", _("Can run completed backfill months again")),
        ]

    def __str__(self):
        """ "March 2024", as a librarian reads a month (the admin's lists, pages and messages)."""
        return month_name(self.year, self.month)

    @property
    def label(self) -> str:
        """ "2024-03": the month's key, as the command, the API, --json, logs and each work's
        `discovery` name it (contracts: never the words of `str()`)."""
        return f"{self.year:04d}-{self.month:02d}"

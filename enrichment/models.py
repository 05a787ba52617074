"""Enrichment models: the queue, the provider cache and the audit log."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enrichment.api_allowance_models import ApiAllowance  # noqa: F401 (a model of this app)
from enrichment.backfill_models import BackfillMonth  # noqa: F401 (a model of this app)
from enrichment.cover_write_models import CoverWrite  # noqa: F401 (a model of this app)
from enrichment.heartbeat_models import ClusterHeartbeat  # noqa: F401 (a model of this app)
from enrichment.model_fields import MatchDetailsField, ProposalField


class SourceRecord(models.Model):
    """One provider's raw answer to one lookup key, kept so that asking again costs nothing:
    clients re-parse `payload` on a cache hit, so a parser fix applies to cached answers too."""

    class Status(models.TextChoices):
        HIT = "hit", _("Hit")
        MISS = "miss", _("Miss (no match)")

    provider = models.CharField(max_length=32)
    # "isbn:9780316030571", "search:<title>|<author>", "work:OL27258W", "item:<identifier>"...
    lookup_key = models.CharField(max_length=255)
    status = models.CharField(max_length=8, choices=Status.choices)
    payload = models.JSONField(null=True, blank=True)
    fetched_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "lookup_key"], name="sourcerecord_unique_lookup"
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="sourcerecord_expires_idx")]

    def __str__(self):
        from enrichment.providers.registry import provider_label  # the registry reads settings

        return f"{provider_label(self.provider)}: {self.lookup_key} ({self.get_status_display()})"


class ProviderState(models.Model):
    """Shared throttling state of one provider, for every worker process and machine: written
    only by `enrichment.throttle`, inside a transaction that locks this row."""

    class Breaker(models.TextChoices):
        CLOSED = "closed", _("Closed")
        OPEN = "open", _("Open")
        HALF_OPEN = "half_open", _("Half-open (probing)")

    provider = models.CharField(max_length=32, unique=True)
    # Token bucket (capacity one token: requests are spaced 1/rate apart). Negative while
    # tokens are reserved by callers that are waiting for their turn.
    tokens = models.FloatField(default=1.0)
    tokens_updated_at = models.DateTimeField(null=True, blank=True)
    throttled_until = models.DateTimeField(
        null=True, blank=True, help_text=_("The provider's Retry-After: nothing is sent before.")
    )
    # Daily budget, per UTC day.
    day = models.DateField(null=True, blank=True, help_text=_("UTC day the counts below are for."))
    requests_today = models.PositiveIntegerField(default=0)
    daily_budget = models.PositiveIntegerField(default=0, help_text=_("0 = unlimited."))
    quota_exhausted = models.BooleanField(
        default=False, help_text=_("The provider itself said its daily quota is spent.")
    )
    # Circuit breaker.
    breaker_state = models.CharField(max_length=9, choices=Breaker.choices, default=Breaker.CLOSED)
    consecutive_failures = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    probe_started_at = models.DateTimeField(null=True, blank=True)
    # Requests in flight, as leases [[lease id, expiry as epoch seconds], ...]: a crashed worker's
    # lease expires instead of holding a slot forever.
    in_flight = models.PositiveSmallIntegerField(default=0)
    leases = models.JSONField(default=list, blank=True)
    # The last fault, classified (enrichment.faults): its one line, kind, host and HTTP status,
    # and its full text (without URL queries) for the details toggle.
    last_error = models.CharField(max_length=500, blank=True)
    last_error_kind = models.CharField(max_length=16, blank=True)
    last_error_host = models.CharField(max_length=255, blank=True)
    last_error_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error_detail = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("The first failure of the current run of failures (cleared by an answer)."),
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]

    def __str__(self):
        from enrichment.providers.registry import provider_label  # the registry reads settings

        return str(provider_label(self.provider))


def default_max_attempts() -> int:
    """ENRICHMENT_MAX_ATTEMPTS, read when a request is created (by any path): a request keeps
    the number it was created with, so a change applies to the requests queued after it."""
    return settings.ENRICHMENT_MAX_ATTEMPTS


class EnrichmentRequest(models.Model):
    """The queue: one work (or one author) to enrich, what was found, and what became of it.

    Works and authors share the queue, its claiming, backoff and review: a request has exactly
    one target (`work` or `author`); `enrichment.targets` says what each kind holds.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    class Trigger(models.TextChoices):
        POST_IMPORT = "post_import", _("After an import")
        MANUAL_BULK = "manual_bulk", _("Librarian (admin)")
        COMMAND = "command", _("enrich_missing command")
        SCHEDULE = "schedule", _("Schedule")
        BACKFILL = "backfill", _("Catalog backfill")
        API = "api", _("JSON API")
        DUMP_CAMPAIGN = "dump_campaign", _("Dump cover campaign")

    class Confidence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")
        NONE = "none", _("None")

    class CoverStatus(models.TextChoices):
        NONE = "", _("No cover work")
        PENDING = "pending", _("Cover download queued")
        APPLIED = "applied", _("Cover applied")
        REJECTED = "rejected", _("No candidate verified")

    #: At most one request per work (per author) may be in these (a partial unique index).
    ACTIVE_STATUSES = (Status.PENDING, Status.IN_PROGRESS)
    #: A work (author) with a request in these is not queued again (enrichment.queue), but by a
    #: reviewer's re-run, which supersedes the proposal waiting for review.
    HOLDING_STATUSES = (*ACTIVE_STATUSES, Status.NEEDS_REVIEW)

    work = models.ForeignKey(
        "catalog.Work",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enrichment_requests",
    )
    author = models.ForeignKey(
        "catalog.Author",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enrichment_requests",
    )
    edition = models.ForeignKey(
        "catalog.Edition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrichment_requests",
    )
    # One key for the target, whichever its kind (a work's id, minus an author's id), kept by the
    # database: "the newest request of each target" is one index probe (selectors).
    target_key = models.GeneratedField(
        expression=Coalesce(F("work_id"), -F("author_id")),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    confidence = models.CharField(max_length=8, choices=Confidence.choices, blank=True)
    priority = models.SmallIntegerField(default=0, help_text=_("Higher runs first."))
    wants_cover = models.BooleanField(default=True)
    wants_metadata = models.BooleanField(default=True)
    providers_attempted = models.JSONField(default=list, blank=True)
    fields_applied = models.JSONField(default=list, blank=True)
    cover_status = models.CharField(
        max_length=8, choices=CoverStatus.choices, blank=True, default=""
    )
    # The cover download is claimed like the request itself (enrichment/cover_apply.py): queued
    # once, fetched by one worker at a time, given back when that worker died.
    cover_queued_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a task was last queued for the cover download.")
    )
    cover_claim_token = models.CharField(max_length=32, blank=True)
    cover_claimed_at = models.DateTimeField(null=True, blank=True)
    cover_attempts = models.PositiveSmallIntegerField(
        default=0, help_text=_("Cover downloads started (claims), the last one included.")
    )
    cover_replace = models.BooleanField(
        default=False, help_text=_("A reviewer chose this cover: it replaces the work's cover.")
    )
    match_details = MatchDetailsField(default=dict, blank=True)
    proposal = ProposalField(
        default=dict, blank=True, help_text=_("field -> current / proposed / source / tier")
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=default_max_attempts)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    retry_when_available = models.BooleanField(
        default=False, help_text=_("Skipped while providers were unavailable: ask again later.")
    )
    # Pending until a title-search group task takes it with other batches' books, so that one
    # search.json request serves OPENLIBRARY_SEARCH_GROUP_SIZE of them (title_search_groups).
    awaiting_title_search = models.BooleanField(
        default=False,
        help_text=_("Waiting to be searched by title together with other batches' books."),
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, db_index=True)
    reviewed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    # Set with reviewed_at when a re-run replaced this proposal (queue._supersede_waiting): the
    # decision was the re-run's, not a review of this proposal (request_status).
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The request a re-run queued in its place."),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-priority", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["work"],
                condition=Q(status__in=["pending", "in_progress"]),
                name="enrichmentrequest_one_active_per_work",
            ),
            models.UniqueConstraint(
                fields=["author"],
                condition=Q(status__in=["pending", "in_progress"]),
                name="enrichmentrequest_one_active_per_author",
            ),
            models.CheckConstraint(
                condition=Q(attempts__lte=models.F("max_attempts") + 1),
                name="enrichmentrequest_attempts_bounded",
            ),
            models.CheckConstraint(
                condition=(Q(work__isnull=False) & Q(author__isnull=True))
                | (Q(work__isnull=True) & Q(author__isnull=False)),
                name="enrichmentrequest_one_target",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="enrichreq_due_idx"),
            models.Index(fields=["status", "priority", "created_at"], name="enrichreq_list_idx"),
            models.Index(fields=["status", "claimed_at"], name="enrichreq_claimed_idx"),
            # The books waiting for a grouped title search, oldest deadline first (a few rows).
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(awaiting_title_search=True),
                name="enrichreq_title_search_idx",
            ),
            models.Index(fields=["status", "confidence"], name="enrichreq_confidence_idx"),
            models.Index(
                fields=["cover_status", "cover_queued_at"], name="enrichreq_cover_due_idx"
            ),
            # "Is there a newer request for this target?" (selectors.current_requests),
            # index-only; SQLite's planner scans the table for a generated column, so it asks by
            # work and by author, on the foreign keys' indexes, the rows read from this one.
            models.Index(fields=["target_key", "id"], name="enrichreq_target_newest_idx"),
            models.Index(fields=["work", "author"], name="enrichreq_work_author_idx"),
            # An author's requests, for a probe per author (request_status's "photo on its
            # way"): the foreign key's index holds every works' request under NULL, which
            # SQLite's statistics average into "every row a key", so it scanned the table.
            models.Index(
                fields=["author"], condition=Q(author__isnull=False), name="enrichreq_author_idx"
            ),
            # The queue filtered by status (and confidence) in its order, read in order and
            # stopped at a page: the next request to review, "needs review, low" (issue 18).
            # Unfiltered, the queue's order has its own index (migration 0019).
            models.Index(
                fields=["status", "-priority", "created_at", "id"],
                name="enrichreq_status_order_idx",
            ),
            models.Index(
                fields=["status", "confidence", "-priority", "created_at", "id"],
                name="enrichreq_confidence_order_idx",
            ),
        ]
        permissions = [
            ("review_enrichment", "Can approve, dismiss and apply enrichment proposals"),
            ("revert_enrichment", "Can revert applied enrichment changes"),
        ]

    def __str__(self):
        # Its title (its History, the deletion of its work or author, its row's checkbox):
        # imported here, as request_status imports this module.
        from enrichment.request_status import request_title

        return request_title(self)

    @property
    def is_for_author(self) -> bool:
        return self.author_id is not None


class AuditLogEntry(models.Model):
    """Every change enrichment made to the catalog, with the values it replaced."""

    class Action(models.TextChoices):
        AUTO_APPLY = "auto_apply", _("Applied automatically")
        COVER = "cover", _("Cover applied")
        REVIEW_APPLY = "review_apply", _("Applied by a reviewer")
        DISMISS = "dismiss", _("Dismissed")
        REVERT = "revert", _("Reverted")
        MERGE = "merge", _("Authors merged")
        RESOLVE = "resolve", _("Synthetic work resolved")
        # A value enrichment applied, put right by a rule learnt since (openlibrary_dates).
        CORRECT = "correct", _("Corrected")

    #: The actor_label of the worker's entries (the oldest have none).
    WORKER_LABEL = "enrichment worker"

    request = models.ForeignKey(
        EnrichmentRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    # What was changed: a work (and its edition), or an author.
    work = models.ForeignKey(
        "catalog.Work",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enrichment_audit",
    )
    author = models.ForeignKey(
        "catalog.Author",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enrichment_audit",
    )
    edition = models.ForeignKey(
        "catalog.Edition", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    provider = models.CharField(max_length=128, blank=True)
    tier = models.CharField(max_length=8, blank=True)
    changes = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("field -> {old, new, target}: old is the previous value"),
    )
    actor = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    reverts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reverted_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("audit log entries")
        indexes = [
            models.Index(fields=["action", "created_at"], name="audit_action_idx"),
            models.Index(fields=["provider"], name="audit_provider_idx"),  # its provider filter
            # An author's entries, for a probe per author (request_status: "did enrichment
            # change it?"): the foreign key's index holds the works' entries under NULL, which
            # SQLite's statistics average into "every row a key", so it scanned the log.
            models.Index(
                fields=["author"], condition=Q(author__isnull=False), name="audit_author_idx"
            ),
            # Whether a user since removed made any entry (the user filter's choice,
            # audit_queries.by_removed_user_q): no user, and a name either side of the worker's,
            # two probes, where the actor's index passed over every entry of the worker. Not
            # partial on "no user": SQLite then preferred the actor's index.
            models.Index(fields=["actor", "actor_label"], name="audit_actor_label_idx"),
        ]

    def __str__(self):
        from enrichment.request_status import audit_entry_title  # it imports this module

        return audit_entry_title(self)

    @staticmethod
    def label_for(actor) -> str:
        """The actor_label of a change by this user, or by the worker when no person made it."""
        return actor.get_username()[:64] if actor is not None else AuditLogEntry.WORKER_LABEL


class BulkOperation(models.Model):
    """A librarian's bulk action over many requests or works, worked in chunks by a task.

    The selection is fixed when the librarian confirms (`object_ids`), so the count confirmed is
    the count worked, whatever the filters match later; `selection` says how it was chosen.
    """

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approve the safe proposal")
        DISMISS = "dismiss", _("Dismiss")
        RERUN = "rerun", _("Re-run enrichment")
        ENRICH_WORKS = "enrich_works", _("Enrich selected works")
        ENRICH_MISSING = "enrich_missing", _("Enrich all missing covers / metadata")
        ENRICH_AUTHORS = "enrich_authors", _("Enrich selected authors")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    #: What an action did to each row it changed, in the words every summary of it uses: "12
    #: approved" after a small action, "Queued for enrichment 431" on an operation's page (an
    #: enrichment queued changes nothing in the catalog yet).
    DONE_VERBS = {
        Action.APPROVE: _("approved"),
        Action.DISMISS: _("dismissed"),
        Action.RERUN: _("queued again"),
        Action.ENRICH_WORKS: _("queued for enrichment"),
        Action.ENRICH_MISSING: _("queued for enrichment"),
        Action.ENRICH_AUTHORS: _("queued for enrichment"),
    }

    action = models.CharField(max_length=16, choices=Action.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    selection = models.TextField(blank=True, help_text=_("How the rows were chosen, for people."))
    query_string = models.TextField(blank=True, help_text=_("The list's filters when confirmed."))
    select_across = models.BooleanField(default=False)
    object_ids = models.JSONField(default=list, blank=True)
    options = models.JSONField(default=dict, blank=True, help_text=_("e.g. the dismiss reason"))
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0, help_text=_("Rows worked so far."))
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=dict, blank=True, help_text=_("reason -> rows"))
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} #{self.pk} ({self.counted_rows})"

    @property
    def counted_rows(self) -> str:
        """Its rows named for what they are: "432 works", "1 request"."""
        if self.action in (self.Action.ENRICH_WORKS, self.Action.ENRICH_MISSING):
            words = ngettext("%(n)s work", "%(n)s works", self.total)
        elif self.action == self.Action.ENRICH_AUTHORS:
            words = ngettext("%(n)s author", "%(n)s authors", self.total)
        else:
            words = ngettext("%(n)s request", "%(n)s requests", self.total)
        return words % {"n": f"{self.total:,}"}

    @property
    def done_verb(self) -> str:
        return str(self.DONE_VERBS[self.Action(self.action)])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.COMPLETED, self.Status.FAILED}

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.COMPLETED:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0


class AuthorMerge(models.Model):
    """Two catalog authors that look like one person, proposed for merging by reconciliation.

    Never merged on a name alone: a proposal needs a shared external id, or names that match
    after transliteration plus a work in common. A reviewer merges (the kept author takes every
    credit and id, the other becomes a redirect) or dismisses; a merge is audited and can be
    reverted from its audit entry.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Dismissed")
        REVERTED = "reverted", _("Merge reverted")

    class Reason(models.TextChoices):
        SHARED_ID = "shared_id", _("Same external id")
        NAME_AND_WORK = "name_and_work", _("Names that agree and a shared work")

    kept = models.ForeignKey("catalog.Author", on_delete=models.CASCADE, related_name="merges_kept")
    duplicate = models.ForeignKey(
        "catalog.Author", on_delete=models.CASCADE, related_name="merges_as_duplicate"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    evidence = models.JSONField(
        default=dict, blank=True, help_text=_("The shared ids, names and works that matched.")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    # What the merge moved, so that reverting it puts every credit and id back.
    moved = models.JSONField(default=dict, blank=True)
    audit_entry = models.ForeignKey(
        AuditLogEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kept", "duplicate"],
                condition=Q(status="proposed"),
                name="authormerge_one_open_proposal",
            ),
            models.CheckConstraint(
                condition=~Q(kept=models.F("duplicate")), name="authormerge_two_authors"
            ),
        ]

    def __str__(self):
        # The page's heading and breadcrumb: the two authors by name, not by their ids.
        return _("Merge %(duplicate)s into %(kept)s (%(status)s)") % {
            "duplicate": self.duplicate.name,
            "kept": self.kept.name,
            "status": self.get_status_display(),
        }


class DashboardSnapshot(models.Model):
    """The dashboard's figures that cost a pass over every work, request and author
    (enrichment.dashboard.dashboard_counts), kept so that the page reads them in one query;
    refreshed every minute by a django-q2 schedule and on demand, and the page says how old they
    are. One row per `key`."""

    key = models.CharField(max_length=32, unique=True)
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(help_text=_("When the figures were counted."))
    duration_ms = models.PositiveIntegerField(
        default=0, help_text=_("How long counting them took.")
    )

    class Meta:
        verbose_name = _("dashboard snapshot")

    def __str__(self):
        return f"{self.key} as of {self.computed_at:%Y-%m-%d %H:%M:%S}"

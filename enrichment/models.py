"""Enrichment models: the queue, the provider cache and the audit log (added issue by issue)."""

from django.db import models


class SourceRecord(models.Model):
    """One provider's raw answer to one lookup key, kept so that asking again costs nothing.

    Clients re-parse `payload` on a cache hit, so a parser fix applies to cached answers too.
    """

    class Status(models.TextChoices):
        HIT = "hit", "Hit"
        MISS = "miss", "Miss (no match)"

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
        return f"{self.provider} {self.lookup_key} ({self.status})"


class ProviderState(models.Model):
    """Shared throttling state of one provider, for every worker process and machine.

    Written only by `enrichment.throttle`, inside a transaction that locks this row.
    """

    class Breaker(models.TextChoices):
        CLOSED = "closed", "Closed"
        OPEN = "open", "Open"
        HALF_OPEN = "half_open", "Half-open (probing)"

    provider = models.CharField(max_length=32, unique=True)
    # Token bucket (capacity one token: requests are spaced 1/rate apart). Negative while
    # tokens are reserved by callers that are waiting for their turn.
    tokens = models.FloatField(default=1.0)
    tokens_updated_at = models.DateTimeField(null=True, blank=True)
    throttled_until = models.DateTimeField(
        null=True, blank=True, help_text="The provider's Retry-After: nothing is sent before."
    )
    # Daily budget, per UTC day.
    day = models.DateField(null=True, blank=True, help_text="UTC day the counts below are for.")
    requests_today = models.PositiveIntegerField(default=0)
    daily_budget = models.PositiveIntegerField(default=0, help_text="0 = unlimited.")
    quota_exhausted = models.BooleanField(
        default=False, help_text="The provider itself said its daily quota is spent."
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
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]

    def __str__(self):
        return self.provider


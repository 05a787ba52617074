"""What each caller of the JSON API has left of API_THROTTLE_RATE, kept in the database when no
shared cache (Redis) is configured, so that every web process on every machine counts the same
requests (imported by enrichment.models; the rule is bookstore.api_throttle's)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The longest key a row holds (bookstore.api_throttle hashes a longer one).
KEY_MAX_LENGTH = 100


class ApiAllowance(models.Model):
    """One caller's allowance: at `full_at` it is whole again (API_THROTTLE_RATE's N requests);
    each request taken moves `full_at` one N-th of the period later. A row whose `full_at` has
    passed says no more than no row: the daily housekeeping deletes those."""

    key = models.CharField(
        max_length=KEY_MAX_LENGTH,
        primary_key=True,
        help_text=_("Whose allowance: 'throttle_user_<id>'."),
    )
    full_at = models.FloatField(
        help_text=_("When the allowance is whole again: epoch seconds, the database's clock.")
    )

    class Meta:
        verbose_name = _("API allowance")
        verbose_name_plural = _("API allowances")

    def __str__(self) -> str:
        return self.key

"""How long ago something happened, as every admin page says it (templatetags.admin_time):
never "0 minutes ago" for what happened seconds ago, and past the first minute in the operations
panel's words, so that one page never says "8 min ago" beside "8 minutes ago"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from enrichment.dashboard import dashboard_snapshot_refresh
from enrichment.models import ProviderState
from enrichment.templatetags.admin_time import moment_age

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "0 s"),
        (40, "40 s"),
        (59, "59 s"),
        (60, "1 min"),
        (3 * 3600 + 300, "3 h 5 min"),
        (3 * 86400, "3 days"),
        (-5, "0 s"),  # a moment a little ahead of this clock (another machine's)
    ],
)
def test_an_age_is_said_in_seconds_under_a_minute_then_as_the_panel_says_it(seconds, said):
    assert moment_age(NOW - datetime.timedelta(seconds=seconds), NOW) == said


def test_no_moment_has_no_age():
    assert moment_age(None, NOW) == "–"


@pytest.mark.django_db
def test_the_dashboard_says_a_providers_answer_of_seconds_ago_in_seconds(admin_client):
    ProviderState.objects.update_or_create(
        provider="openlibrary",
        defaults={"last_success_at": timezone.now() - datetime.timedelta(seconds=20)},
    )
    dashboard_snapshot_refresh()
    page = admin_client.get(reverse("admin:enrichment_dashboard")).content.decode()
    assert "0\xa0minutes ago" not in page and "0 minutes ago" not in page
    assert " s ago" in page

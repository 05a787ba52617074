"""A provider's daily budget on screen is the one the throttle enforces now: from the settings,
never the copy stored with its state row when it last sent a request; and a count from an
earlier UTC day is not today's."""

import datetime
import json
import re
import zoneinfo
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from enrichment import provider_figures, throttle
from enrichment.candidates import LookupStatus
from enrichment.models import ProviderState

pytestmark = pytest.mark.django_db

STATES_URL = reverse("admin:enrichment_providerstate_changelist")


@pytest.fixture(autouse=True)
def google_only(settings):
    settings.ENRICHMENT_PROVIDERS = ["google_books"]
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1000
    settings.GOOGLE_BOOKS_RATE = 1000.0  # a few requests in a row wait a millisecond each


def send_requests(provider: str, count: int) -> None:
    """Spend `count` units of today's budget through the throttle, as real requests do."""
    for _ in range(count):
        limits = throttle.limits_for(provider)
        permit = throttle.acquire_permit(provider=provider, limits=limits, max_wait=1)
        assert permit.granted, permit.reason
        throttle.record_outcome(permit=permit, status=LookupStatus.FOUND, limits=limits)


def utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def cell(page: str, column: str) -> str:
    match = re.search(rf'<td class="field-{column}[^"]*">(.*?)</td>', page, re.S)
    assert match, column
    return match.group(1).strip()


def budget_cell(page: str) -> tuple[str, str]:
    """The list's "Budget left today" cell: the budget left, and the requests sent today."""
    left, sent = cell(page, "budget_today").split("<br>")
    return strip_tags(left).strip(), strip_tags(sent).strip()


def report_text() -> str:
    out = StringIO()
    call_command("enrichment_report", stdout=out)
    return out.getvalue()


def report_json() -> dict:
    out = StringIO()
    call_command("enrichment_report", "--json", stdout=out)
    return json.loads(out.getvalue())["providers"]["google_books"]


def test_a_changed_budget_shows_at_once_in_the_admin_and_the_report(client, admin_user, settings):
    send_requests("google_books", 3)
    state = ProviderState.objects.get(provider="google_books")
    assert (state.requests_today, state.daily_budget) == (3, 1000)  # stored at the last request
    client.force_login(admin_user)

    settings.GOOGLE_BOOKS_DAILY_BUDGET = 50  # the operator lowers it; no request since

    page = client.get(STATES_URL).content.decode()
    # Before: "997 of 1,000", the budget stored with the row, until the next request.
    assert budget_cell(page) == ("47 of 50", "3 requests today")
    report = report_json()
    assert (report["daily_budget"], report["budget_left"]) == (50, 47)
    assert "Google Books: 3 requests today, 47 of 50 left today" in report_text()
    # And it is the budget the next request is checked against.
    assert throttle.limits_for("google_books").daily_budget == 50


def test_the_state_s_own_page_shows_the_budget_in_force_not_the_stored_one(
    client, admin_user, settings
):
    send_requests("google_books", 2)
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 0  # unlimited now
    client.force_login(admin_user)
    state = ProviderState.objects.get(provider="google_books")

    page = client.get(
        reverse("admin:enrichment_providerstate_change", args=[state.pk])
    ).content.decode()

    assert "unlimited" in page
    assert "1000" not in page and "1,000" not in page  # the stale stored budget is not shown
    # The provider by its label: its key shows nowhere on the page's fields.
    fields = re.search(r"<fieldset.*</fieldset>", page, re.S).group(0)
    assert "Google Books" in fields and "google_books" not in strip_tags(fields)


def test_yesterday_s_count_reads_0_today(client, admin_user):
    yesterday = utc_today() - datetime.timedelta(days=1)
    ProviderState.objects.create(
        provider="google_books",
        day=yesterday,
        requests_today=900,
        daily_budget=1000,
        quota_exhausted=True,  # yesterday's "quota spent" is not today's either
    )
    client.force_login(admin_user)

    page = client.get(STATES_URL).content.decode()

    # Before: "900" requests today and "100 of 1,000" left, all day long until a request.
    assert budget_cell(page) == ("1,000 of 1,000", "0 requests today")
    report = report_json()
    assert (report["requests_today"], report["budget_left"], report["quota_exhausted"]) == (
        0,
        1000,
        False,
    )


def test_today_s_spent_quota_shows_as_none_left(client, admin_user):
    ProviderState.objects.create(
        provider="google_books", day=utc_today(), requests_today=10, quota_exhausted=True
    )
    client.force_login(admin_user)

    page = client.get(STATES_URL).content.decode()

    assert budget_cell(page) == ("none: the provider says its quota is spent", "10 requests today")
    assert report_json()["budget_left"] == 0
    assert "10 requests today, none left today: the provider says its quota is spent" in (
        report_text()
    )


def test_the_count_belongs_to_its_utc_day_whatever_the_site_s_time_zone(settings):
    # The budget resets at 00:00 UTC (throttle.budget_day), not at the site's local midnight.
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    day = datetime.date(2026, 3, 1)
    state = ProviderState(provider="google_books", day=day, requests_today=40)
    kiritimati = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    late_that_day = datetime.datetime(2026, 3, 2, 13, 30, tzinfo=kiritimati)  # 23:30 UTC
    next_day = datetime.datetime(2026, 3, 2, 14, 30, tzinfo=kiritimati)  # 00:30 UTC on the 2nd

    counted = provider_figures.provider_daily_budget(
        provider="google_books", state=state, now=late_that_day
    )
    reset = provider_figures.provider_daily_budget(
        provider="google_books", state=state, now=next_day
    )

    assert (counted.requests_today, counted.left) == (40, 960)
    assert (reset.requests_today, reset.left) == (0, 1000)


def state_page(client, state) -> str:
    url = reverse("admin:enrichment_providerstate_change", args=[state.pk])
    return client.get(url).content.decode()


def readonly(page: str, field: str) -> str:
    match = re.search(rf'field-{field}\b.*?<div class="readonly">(.*?)</div>', page, re.S)
    assert match, field
    return strip_tags(match.group(1)).strip()


def test_quota_spent_today_is_said_in_words_no_being_the_usual(client, admin_user):
    """Django's red ✖ for "no" made a provider with its quota intact look broken."""
    spent = ProviderState.objects.create(
        provider="google_books", day=utc_today(), requests_today=10, quota_exhausted=True
    )
    client.force_login(admin_user)

    page = state_page(client, spent)
    assert readonly(page, "quota_spent_today") == (
        "yes: the provider said its daily quota is spent"
    )
    assert "icon-no" not in page and "icon-yes" not in page
    # Yesterday's "spent" is not today's, as the list and the budget say.
    ProviderState.objects.filter(pk=spent.pk).update(day=utc_today() - datetime.timedelta(days=1))
    page = state_page(client, spent)
    assert readonly(page, "quota_spent_today") == "no"
    assert readonly(page, "requests_today_count") == "0"
    assert readonly(page, "budget_left") == "1,000 of 1,000"
    assert "icon-no" not in page and "icon-yes" not in page


def test_the_rate_limit_is_said_in_words_not_as_the_token_bucket(client, admin_user, settings):
    """ "Tokens: 0.0" was the bucket's internal figure: the page says the rate and when the next
    request may go."""
    settings.GOOGLE_BOOKS_RATE = 0.5  # one request every 2 s, 2.1 s with the headroom
    settings.ENRICHMENT_RATE_HEADROOM = 0.05
    reserved = ProviderState.objects.create(
        provider="google_books", tokens=-1.0, tokens_updated_at=timezone.now()
    )
    client.force_login(admin_user)

    page = state_page(client, reserved)
    fields = strip_tags(re.search(r"<fieldset.*</fieldset>", page, re.S).group(0))
    assert "Tokens" not in fields and "-1.0" not in fields
    # Two turns: the reserved one, then the next, each 1 / (0.5 × 0.95) s apart.
    assert re.fullmatch(
        r"one request every 2.1 s; the next can go in [34](\.\d)? s", readonly(page, "rate_limit")
    ), readonly(page, "rate_limit")

    ProviderState.objects.filter(pk=reserved.pk).update(
        tokens=1.0, tokens_updated_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert readonly(state_page(client, reserved), "rate_limit") == (
        "one request every 2.1 s; the next can go now"
    )


BREAKER_LEGEND = (
    "Breaker: Closed, the provider is asked as usual; Open, it is paused after repeated "
    "failures and nothing is sent to it; Half-open, one trial request decides whether it is "
    "asked again."
)


def test_the_breaker_s_closed_and_open_are_said_in_words_where_they_show(client, admin_user):
    """A green "Closed" beside a provider that answers reads as if it were shut: the providers'
    list and the dashboard's panel showed the circuit breaker's states with nothing to say
    that "Closed" is the working one and "Open" the paused one."""
    send_requests("google_books", 1)
    client.force_login(admin_user)
    for url in (STATES_URL, reverse("admin:enrichment_dashboard")):
        page = " ".join(strip_tags(client.get(url).content.decode()).split())
        assert "Closed" in page and BREAKER_LEGEND in page, url

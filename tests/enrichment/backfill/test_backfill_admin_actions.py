"""The backfill months' actions in the admin: "Add months", Queue now / Retry / Cancel, which need
enrichment.run_backfill, and Run again, which needs enrichment.rerun_backfill; each asks first."""

import re

import pytest

from enrichment.models import BackfillMonth
from tests.enrichment.backfill.admin_support import (
    ADD_MONTHS_URL,
    LIST_URL,
    Status,
    a_completed_month,
    action_post,
    logged_in,
    month,
    shown_messages,
    staff,
    visible,
)

# The actions hand months to the task queue: the test's stand-in takes them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sent_tasks")]


def test_add_months_creates_the_range_and_refuses_bad_input():
    runner = staff("ruth", "run_backfill")
    month("2024-02", Status.COMPLETED)
    client = logged_in(runner)

    form = client.get(ADD_MONTHS_URL)
    assert form.status_code == 200 and 'name="start"' in form.content.decode()
    assert "manage.py backfill" not in form.content.decode()  # no command line on the page
    assert "Add months" in client.get(LIST_URL).content.decode()  # the button

    response = client.post(ADD_MONTHS_URL, {"start": "2024-01", "end": "2024-04"}, follow=True)
    assert shown_messages(response) == ["3 months created, 1 existed already."]
    assert BackfillMonth.objects.count() == 4
    assert BackfillMonth.objects.get(month=4).requested_by == runner

    for data, error in (
        ({"start": "2024-13", "end": "2024-12"}, "the month must be 01 to 12"),
        ({"start": "2024-05", "end": "2024-01"}, "The range starts after it ends"),
        ({"start": "1900-01", "end": "2024-01"}, "at most 600 at a time"),
        # Nothing is published in the future yet (the command refuses it too).
        ({"start": "2024-01", "end": "9999-12"}, "9999-12 is in the future"),
    ):
        page = client.post(ADD_MONTHS_URL, data)
        assert page.status_code == 200 and error in page.content.decode()
    assert BackfillMonth.objects.count() == 4


def test_the_actions_say_how_many_months_changed_and_why_others_were_skipped(sent_tasks):
    pending, retry, completed, processing = (
        month("2024-01"),
        month("2024-02", Status.RETRY),
        month("2024-03", Status.COMPLETED),
        month("2024-04", Status.PROCESSING, claim_token="a" * 32),
    )
    client = logged_in(staff("ruth", "run_backfill"), enforce_csrf_checks=True)
    page = client.get(LIST_URL).content.decode()
    for action in ("queue_now", "retry_months", "cancel_months"):
        assert f'value="{action}"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    # Without the CSRF token the post is refused.
    assert action_post(client, "cancel_months", pending).status_code == 403

    response = action_post(
        client, "queue_now", pending, retry, completed, processing, csrfmiddlewaretoken=token
    )
    assert shown_messages(response) == [
        "2 months queued. 2 skipped (Completed 1, Processing 1): only pending or waiting to retry "
        "months that have begun can be queued."
    ]
    assert [t.args[0] for t in sent_tasks] == [retry.pk, pending.pk]
    pending.refresh_from_db()
    assert pending.status == Status.PROCESSING

    response = action_post(client, "cancel_months", pending, completed, csrfmiddlewaretoken=token)
    assert shown_messages(response) == [
        "1 month cancelled. 1 skipped (Completed 1): only pending, waiting to retry "
        "or processing months can be cancelled."
    ]
    pending.refresh_from_db()
    assert (pending.status, pending.claim_token) == (Status.CANCELLED, "")

    response = action_post(
        client, "retry_months", pending, completed, retry, csrfmiddlewaretoken=token
    )
    assert shown_messages(response) == [
        "1 month put back to retry. 2 skipped (Completed 1, Processing 1): only failed, "
        "partly failed or cancelled months can be retried."
    ]
    completed.refresh_from_db()
    assert completed.status == Status.COMPLETED  # as `manage.py backfill --retry` leaves it


def test_staff_without_the_run_permission_may_look_but_gets_no_action():
    pending = month("2024-01")
    watcher = staff("walt", "view_backfillmonth")
    client = logged_in(watcher)

    page = client.get(LIST_URL)
    html = page.content.decode()
    assert page.status_code == 200 and "January 2024" in html
    assert "queue_now" not in html and "cancel_months" not in html
    assert "Add months" not in html
    action_post(client, "cancel_months", pending)  # posted anyway: refused on the server
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert client.get(ADD_MONTHS_URL).status_code == 403
    assert client.post(ADD_MONTHS_URL, {"start": "2024-01", "end": "2024-02"}).status_code == 403
    assert BackfillMonth.objects.count() == 1

    nobody = logged_in(staff("nora"))
    assert nobody.get(LIST_URL).status_code == 403
    assert nobody.get(ADD_MONTHS_URL).status_code == 403


@pytest.mark.parametrize(
    ("action", "says", "yes"),
    [
        (
            "queue_now",
            "You are about to hand the 2 selected months to workers now, without waiting for the "
            "scheduler. Only pending or waiting to retry months change; the others are left as "
            "they are.",
            "Yes, queue them now",
        ),
        (
            "retry_months",
            "You are about to put the 2 selected months back to retry: the scheduler processes "
            "them again, and their errors are cleared.",
            "Yes, retry them",
        ),
        (
            "cancel_months",
            "You are about to cancel the 2 selected months: a month being processed stops at its "
            "next step. Only pending, waiting to retry or processing months change",
            "Yes, cancel them",
        ),
    ],
)
def test_each_action_asks_first_and_changes_nothing_until_confirmed(sent_tasks, action, says, yes):
    chosen = [month("2024-01"), month("2024-02", Status.FAILED, error="HTTP 503")]
    client = logged_in(staff("ruth", "run_backfill"), enforce_csrf_checks=True)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(LIST_URL).content.decode()
    ).group(1)
    ids = [m.pk for m in chosen]

    page = client.post(
        LIST_URL,
        {"action": action, "_selected_action": ids, "index": "0", "csrfmiddlewaretoken": token},
    )

    html = page.content.decode()
    assert page.status_code == 200 and "Are you sure?" in html
    shown = visible(html[html.index('<div id="content-main">') :])
    assert says in shown
    assert "January 2024 (pending)" in shown and "February 2024 (failed)" in shown
    assert f'value="{yes}"' in html and 'name="csrfmiddlewaretoken"' in html
    assert 'name="post" value="yes"' in html
    assert [(m.status, m.error) for m in BackfillMonth.objects.order_by("month")] == [
        (Status.PENDING, ""),
        (Status.FAILED, "HTTP 503"),
    ]
    assert sent_tasks == []

    # "Yes" posts the same action back with post=yes (and without the token it is refused).
    assert action_post(client, action, *chosen).status_code == 403
    response = action_post(client, action, *chosen, csrfmiddlewaretoken=token)
    assert shown_messages(response)[0].startswith("1 month")
    assert BackfillMonth.objects.exclude(status__in=[Status.PENDING, Status.FAILED]).count() == 1


def test_an_action_that_would_change_none_of_the_months_offers_no_yes():
    """Retrying only completed months asked "Are you sure?" with a "Yes, retry them" whose
    answer was that nothing changed. The page says so beforehand and offers the way back."""
    chosen = [month("2024-01", Status.COMPLETED), month("2024-02", Status.COMPLETED)]
    client = logged_in(staff("ruth", "run_backfill"))

    page = client.post(
        LIST_URL,
        {"action": "retry_months", "_selected_action": [m.pk for m in chosen], "index": "0"},
    )

    html = page.content.decode()
    shown = visible(html[html.index('<div id="content-main">') :])
    assert "Nothing would change for the 2 selected months: only failed" in shown
    assert "Yes, retry" not in html and "Back to the list" in shown


def test_the_confirmation_is_refused_to_staff_without_the_run_permission():
    pending = month("2024-01")
    client = logged_in(staff("walt", "view_backfillmonth"))
    for data in ({"index": "0"}, {"post": "yes"}):
        page = client.post(
            LIST_URL, {"action": "cancel_months", "_selected_action": [pending.pk], **data}
        )
        assert "Are you sure?" not in page.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_run_again_needs_its_own_permission_asks_first_and_says_what_it_did(sent_tasks):
    done = a_completed_month()
    processing = month("2024-04", Status.PROCESSING, claim_token="a" * 32)
    failed = month("2024-05", Status.FAILED, error="HTTP 503")

    # Queue / Retry / Cancel do not give it: it spends the providers' requests once more.
    runner = logged_in(staff("ruth", "run_backfill"))
    assert 'value="rerun_months"' not in runner.get(LIST_URL).content.decode()
    action_post(runner, "rerun_months", done)
    assert BackfillMonth.objects.get(pk=done.pk).status == Status.COMPLETED

    client = logged_in(staff("rita", "rerun_backfill"), enforce_csrf_checks=True)
    page = client.get(LIST_URL).content.decode()
    assert 'value="rerun_months"' in page
    assert 'value="cancel_months"' not in page  # only the permission it holds
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    chosen = [done, processing, failed]
    ids = [m.pk for m in chosen]

    asked = client.post(
        LIST_URL,
        {
            "action": "rerun_months",
            "_selected_action": ids,
            "index": "0",
            "csrfmiddlewaretoken": token,
        },
    )
    html = asked.content.decode()
    shown = visible(html[html.index('<div id="content-main">') :])
    assert "You are about to run the 3 selected months again from the start" in shown
    assert "Only completed months change" in shown
    assert "March 2024 (completed)" in shown and "April 2024 (processing)" in shown
    assert 'value="Yes, run them again"' in html
    assert BackfillMonth.objects.get(pk=done.pk).status == Status.COMPLETED  # not yet

    assert action_post(client, "rerun_months", *chosen).status_code == 403  # no CSRF token
    response = action_post(client, "rerun_months", *chosen, csrfmiddlewaretoken=token)

    assert shown_messages(response) == [
        "1 month put back to run again. 2 skipped (Failed 1, Processing 1): only completed "
        "months can run again."
    ]
    done.refresh_from_db()
    assert (done.status, done.books_discovered, len(done.earlier_runs)) == (Status.PENDING, 0, 1)
    assert done.earlier_runs[0]["run_again_by"] == "rita"
    processing.refresh_from_db()
    assert (processing.status, processing.claim_token) == (Status.PROCESSING, "a" * 32)
    assert BackfillMonth.objects.get(pk=failed.pk).status == Status.FAILED

"""The backfill months in the admin: the list's metrics, the month's page, "Add months", the
actions Queue now / Retry / Cancel, which need enrichment.run_backfill, and Run again, which
needs enrichment.rerun_backfill."""

import datetime
import html as html_text
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from enrichment.models import BackfillMonth
from tests.factories import make_work

pytestmark = pytest.mark.django_db
Status = BackfillMonth.Status
LIST_URL = reverse("admin:enrichment_backfillmonth_changelist")
ADD_MONTHS_URL = reverse("admin:enrichment_backfillmonth_add_months")
ONE_HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def logged_in(user: User, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def month(label: str, status=Status.PENDING, **fields) -> BackfillMonth:
    return BackfillMonth.objects.create(
        year=int(label[:4]), month=int(label[5:]), status=status, **fields
    )


def a_completed_month() -> BackfillMonth:
    return month(
        "2024-03",
        Status.COMPLETED,
        books_discovered=20,
        duplicates_dropped=4,
        isbns_resolved=12,
        resolution_rate=0.75,
        synthetic_works=4,
        queued_for_enrichment=12,
        provider_calls={"openlibrary_search": 3, "google_books": 2, "isbndb": 0},
        sources={
            "openlibrary_dump": {"books": 14, "calls": 0, "error": ""},
            "openlibrary_search": {"books": 9, "calls": 3, "error": "HTTP 503 on page 3"},
        },
    )


def action_post(client: Client, action: str, *months: BackfillMonth, **extra):
    """The action chosen on the list, then "yes" on its confirmation page (as a browser posts
    it: the action and the ids again, with post=yes and no `index`)."""
    return client.post(
        LIST_URL,
        {"action": action, "_selected_action": [m.pk for m in months], "post": "yes", **extra},
        follow=True,
    )


def visible(markup: str) -> str:
    """The text a person reads: tags dropped, entities read, runs of spaces as one."""
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_list_shows_each_months_metrics():
    a_completed_month()
    month(
        "2024-02",
        Status.RETRY,
        retry_count=1,
        error="No discovery source answered: openlibrary_search: HTTP 503 " + "x" * 200,
    )

    page = logged_in(User.objects.create_superuser("root", password="pw")).get(LIST_URL)

    html = page.content.decode()
    assert page.status_code == 200
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)
    march = next(row for row in rows if "March 2024" in row)
    cells = [visible(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", march, re.S)]
    assert cells[1:8] == [  # the duplicates and the synthetic works under the main figures
        "March 2024",
        "Completed",
        "20 4 duplicates dropped",
        "12 (75 %) 4 synthetic works",
        "12",
        "Open Library search 3 · Google Books 2",
        "–",  # not run yet: no start, no end
    ]
    assert 'style="background:#2e7d32"' in march  # the completed badge's colour
    february = next(row for row in rows if "February 2024" in row)
    assert "Waiting to retry 1 retry" in visible(february)
    assert "No discovery source answered: openlibrary_search: HTTP 503 xxx" in february
    assert "x" * 100 not in re.sub(r'title="[^"]*"', "", february)  # truncated in the cell
    # Filters by status and year.
    assert "?status__exact=retry" in html and "?year=2024" in html
    filtered = logged_in(User.objects.get(username="root")).get(LIST_URL + "?status__exact=retry")
    assert "March 2024" not in filtered.content.decode()


def test_the_run_column_writes_times_as_the_rest_of_the_admin(settings):
    """It wrote "30 Nov 22:25" its own way; the admin writes "Nov. 30, 2026, 5:25 p.m.", in the
    site's time zone."""
    settings.TIME_ZONE = "America/New_York"
    started = datetime.datetime(2026, 11, 30, 22, 25, tzinfo=datetime.UTC)
    month("2024-03", Status.COMPLETED, started_at=started, completed_at=started + ONE_HOUR)
    month("2024-04", Status.PROCESSING, started_at=started)

    page = logged_in(User.objects.create_superuser("root", password="pw")).get(LIST_URL)

    rows = re.findall(r"<tr>.*?</tr>", page.content.decode(), re.S)
    march = next(row for row in rows if "March 2024" in row)
    april = next(row for row in rows if "April 2024" in row)
    assert "Nov. 30, 2026, 5:25 p.m. Nov. 30, 2026, 6:25 p.m." in visible(march)
    assert "Nov. 30, 2026, 5:25 p.m. …" in visible(april)  # still running
    assert "30 Nov" not in visible(march) and "22:25" not in visible(march)


def test_the_months_page_shows_every_metric_its_sources_and_links_to_its_works():
    march = a_completed_month()
    work = make_work("Found In March", discovery={"month": "2024-03", "source": "llm"})
    work.synthetic = True
    work.save()
    make_work("Found In April", discovery={"month": "2024-04"})
    client = logged_in(User.objects.create_superuser("root", password="pw"))

    page = client.get(reverse("admin:enrichment_backfillmonth_change", args=[march.pk]))

    html = page.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in html
    shown = visible(html)
    for text in (
        "Books discovered: 20",
        "Duplicates dropped: 4",
        "Resolved: 12 (75 %)",
        "Synthetic works: 4",
        "Queued for enrichment: 12",
        "Provider calls: Open Library search 3 · Google Books 2",
    ):
        assert text in shown
    table = re.search(r'<table class="backfill-sources">.*?</table>', html, re.S).group(0)
    assert re.sub(r"<[^>]+>", "|", table).count("HTTP 503 on page 3") == 1
    assert "Open Library dump" in table and "14" in table
    link = re.search(r'href="([^"]+discovery__month=2024-03)"', html).group(1)
    works = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Found In March" in works and "Found In April" not in works


def test_the_admin_names_a_month_as_a_librarian_reads_it_and_the_api_keeps_its_key():
    """The list, the month's page (its title and breadcrumb) and the confirmations said
    "2024-03"; the key stays in the links that filter the works by it."""
    march = a_completed_month()
    client = logged_in(User.objects.create_superuser("root", password="pw"))

    listed = visible(client.get(LIST_URL).content.decode())
    assert "March 2024 Completed" in listed and "2024-03" not in listed
    html = client.get(reverse("admin:enrichment_backfillmonth_change", args=[march.pk]))
    html = html.content.decode()
    title = visible(re.search(r"<title>(.*?)</title>", html, re.S).group(1))
    breadcrumbs = visible(re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S).group(1))
    assert title.startswith("March 2024 |") and breadcrumbs.endswith("› March 2024")
    assert "2024-03" not in visible(html)
    assert "discovery__month=2024-03" in html  # the works' key
    assert march.label == "2024-03"  # as the command, --json and the API name it


def test_a_work_the_backfill_found_names_its_month_as_the_list_does():
    """Its page said "Found by Language model for 2024-04."; a key that is no month is shown
    as it is."""
    found = make_work("Found In April", discovery={"month": "2024-04", "source": "llm"})
    odd = make_work("Found Oddly", discovery={"month": "spring", "source": "llm"})
    client = logged_in(User.objects.create_superuser("root", password="pw"))

    page = visible(
        client.get(reverse("admin:catalog_work_change", args=[found.pk])).content.decode()
    )
    assert "Found by Language model for April 2024." in page
    page = visible(client.get(reverse("admin:catalog_work_change", args=[odd.pk])).content.decode())
    assert "Found by Language model for spring." in page


def test_months_cannot_be_added_edited_or_deleted_by_hand():
    march = a_completed_month()
    client = logged_in(User.objects.create_superuser("root", password="pw"))
    assert client.get(reverse("admin:enrichment_backfillmonth_add")).status_code == 403
    assert (
        client.get(reverse("admin:enrichment_backfillmonth_delete", args=[march.pk])).status_code
        == 403
    )
    client.post(
        reverse("admin:enrichment_backfillmonth_change", args=[march.pk]),
        {"status": "pending", "books_discovered": "0"},
    )
    march.refresh_from_db()
    assert (march.status, march.books_discovered) == (Status.COMPLETED, 20)


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


def test_an_empty_list_says_in_plain_words_how_months_are_created():
    html = logged_in(staff("ruth", "run_backfill")).get(LIST_URL).content.decode()
    help_text = re.search(r'<div class="empty-list"[^>]*>\s*<p>(.*?)</p>', html, re.S).group(1)
    assert "manage.py" not in help_text and "--from" not in help_text  # a librarian's words
    assert "add a range of months, and the scheduler works through them" in help_text
    assert f'href="{ADD_MONTHS_URL}"' in help_text


def test_an_empty_list_does_not_ask_someone_who_may_only_look_to_add_months():
    html = logged_in(staff("walt", "view_backfillmonth")).get(LIST_URL).content.decode()
    help_text = re.search(r'<div class="empty-list"[^>]*>\s*<p>(.*?)</p>', html, re.S).group(1)
    assert "someone who may run the backfill adds a range of months" in help_text
    assert ": add a range of months" not in help_text and ADD_MONTHS_URL not in help_text


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


def test_a_partly_failed_month_never_reads_as_completed():
    month(
        "2024-01",
        Status.PARTIAL,
        error="Some sources failed: Open Library dump: No Open Library dump is loaded (the month "
        "may lack their books)",
        sources={
            "openlibrary_dump": {"books": 0, "calls": 0, "error": "No Open Library dump is loaded"},
            "openlibrary_search": {"books": 0, "calls": 1, "error": ""},
        },
    )

    html = logged_in(User.objects.create_superuser("root", password="pw")).get(LIST_URL)

    row = next(
        r for r in re.findall(r"<tr>.*?</tr>", html.content.decode(), re.S) if "January 2024" in r
    )
    assert "Partly failed" in visible(row) and "Completed" not in visible(row)
    assert 'style="background:#d84315"' in row
    assert "Some sources failed: Open Library dump: No Open L…" in visible(row)  # the cell
    assert "may lack their books" in row  # all of it on hover


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


def test_a_month_run_again_shows_its_earlier_run_on_its_page_and_in_the_list(settings):
    settings.TIME_ZONE = "UTC"
    done = a_completed_month()
    BackfillMonth.objects.filter(pk=done.pk).update(
        started_at=datetime.datetime(2024, 6, 1, 9, 0, tzinfo=datetime.UTC),
        completed_at=datetime.datetime(2024, 6, 1, 9, 2, tzinfo=datetime.UTC),
    )
    from enrichment.backfill import months as backfill_months

    backfill_months.backfill_months_rerun(
        months=[done], by="rita", now=datetime.datetime(2024, 7, 1, 12, 0, tzinfo=datetime.UTC)
    )
    client = logged_in(staff("walt", "view_backfillmonth"))

    row = visible(client.get(LIST_URL).content.decode())
    assert "March 2024 Pending 1 earlier run" in row

    page = visible(
        client.get(
            reverse("admin:enrichment_backfillmonth_change", args=[done.pk])
        ).content.decode()
    )
    earlier = page[page.index("Earlier runs") :]
    for text in (
        "June 1, 2024, 9 a.m. June 1, 2024, 9:02 a.m.",
        "Completed",
        "20 4 duplicates dropped",
        "12 (75 %) 4 synthetic works",
        "Open Library search 3 · Google Books 2",
        "July 1, 2024, noon rita",
    ):
        assert text in earlier, text
    # The month's own figures are the new run's, which has not run yet.
    assert "Not asked yet." in page

    first = month("2024-01", Status.COMPLETED)
    page = visible(
        client.get(
            reverse("admin:enrichment_backfillmonth_change", args=[first.pk])
        ).content.decode()
    )
    assert "None: this is the month's first run." in page


def test_an_earlier_runs_long_error_is_cut_as_in_the_list_and_whole_on_hover():
    long_error = "Some sources failed: " + "Open Library: HTTP 503 from openlibrary.org; " * 8
    done = month("2024-03", Status.PARTIAL, error=long_error)
    from enrichment.backfill import months as backfill_months

    backfill_months.backfill_months_retry(months=[done], by="rita")
    client = logged_in(staff("walt", "view_backfillmonth"))

    html = client.get(reverse("admin:enrichment_backfillmonth_change", args=[done.pk])).content
    earlier = html.decode()[html.decode().index("backfill-earlier-runs") :]
    assert f'title="{long_error}"' in html_text.unescape(earlier)
    assert "Some sources failed: Open Library: HTTP 503 from …" in visible(earlier)
    assert long_error not in visible(earlier)


def test_a_month_that_ran_and_sent_no_request_says_0_calls_not_a_dash():
    """A month whose run ended having asked no provider (its dump answered, or no source was
    set up) said "Provider calls –", as a month never run does: it knows the count, 0."""
    done = month("2024-03", Status.COMPLETED, books_discovered=14, provider_calls={})
    month("2024-04", Status.FAILED, provider_calls={"openlibrary_search": 0})
    month("2024-05")  # pending: nothing sent, nothing known yet
    client = logged_in(staff("walt", "view_backfillmonth"))

    rows = re.findall(r"<tr>.*?</tr>", client.get(LIST_URL).content.decode(), re.S)
    cells = {
        label: visible(re.search(r'<td class="field-calls">(.*?)</td>', row, re.S).group(1))
        for label in ("March 2024", "April 2024", "May 2024")
        for row in rows
        if label in row
    }
    assert cells == {"March 2024": "0", "April 2024": "0", "May 2024": "–"}
    page = client.get(reverse("admin:enrichment_backfillmonth_change", args=[done.pk]))
    assert "Provider calls: 0" in visible(page.content.decode())

    from enrichment.backfill import months as backfill_months

    backfill_months.backfill_months_rerun(months=[done], by="rita")
    html = client.get(reverse("admin:enrichment_backfillmonth_change", args=[done.pk]))
    table = re.search(
        r'<table class="backfill-earlier-runs">.*?</table>', html.content.decode(), re.S
    )
    run = [visible(c) for c in re.findall(r"<td>(.*?)</td>", table.group(0), re.S)]
    assert run[1] == "Completed" and run[5] == "0"  # its calls, beside its queued books


def row_of(page, label: str) -> str:
    rows = re.findall(r"<tr>.*?</tr>", page.content.decode(), re.S)
    return visible(next(row for row in rows if label in row))


def scheduler_next_run(when) -> None:
    from django_q.models import Schedule

    Schedule.objects.filter(func="enrichment.tasks.run_backfill_scheduler").update(next_run=when)


@pytest.fixture
def a_worker_beats(settings):
    from django.utils import timezone

    from tests.enrichment.test_dashboard_operations import heartbeat

    settings.CLUSTER_HEARTBEAT_SECONDS = 10
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = 60
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    heartbeat("bookstore", "worker-1", 4101, beat=timezone.now())


def test_a_month_waiting_to_retry_says_until_when_it_waits(settings, a_worker_beats):
    """A month back to retry showed "–" (never started) or "…" (as if still running) in its Run
    column: it says it waits for the scheduler's next run, and when that is."""
    from django.utils import timezone

    settings.TIME_ZONE = "UTC"
    next_run = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=3)
    scheduler_next_run(next_run)
    started = datetime.datetime(2026, 11, 30, 22, 25, tzinfo=datetime.UTC)
    month("2024-03", Status.RETRY, retry_count=1, started_at=started, error="HTTP 503")
    month("2024-04", Status.RETRY)  # a partly failed month a person retried: never started
    superuser = logged_in(User.objects.create_superuser("root", password="pw"))

    page = superuser.get(LIST_URL)

    from django.contrib.admin.utils import display_for_value

    at = display_for_value(next_run, "")
    march, april = row_of(page, "March 2024"), row_of(page, "April 2024")
    assert f"Nov. 30, 2026, 10:25 p.m. Waits for the scheduler's next run, at {at}" in march
    assert f"Waits for the scheduler's next run, at {at}" in april
    assert "…" not in march  # as if it were still running, before
    march_page = visible(
        superuser.get(
            reverse(
                "admin:enrichment_backfillmonth_change",
                args=[BackfillMonth.objects.get(month=3).pk],
            )
        ).content.decode()
    )
    assert f"Waiting: Waits for the scheduler's next run, at {at}" in march_page


@pytest.mark.parametrize(
    ("run_in", "says"),
    [
        (datetime.timedelta(minutes=-2), "Waits for the scheduler, whose run is due now"),
        (datetime.timedelta(hours=-2), "Waits for the scheduler, whose run is overdue since "),
    ],
)
def test_a_waiting_months_scheduler_run_in_the_past_says_due_or_overdue(
    a_worker_beats, run_in, says
):
    """A run already past read as the next one ahead ("next run, at 8:10" at 10:10): due, or
    overdue when long past, on the database's clock (SQLite's is this machine's)."""
    from django.utils import timezone

    scheduler_next_run(timezone.now() + run_in)
    month("2024-03", Status.PENDING)

    text = row_of(
        logged_in(User.objects.create_superuser("root", password="pw")).get(LIST_URL), "March 2024"
    )

    assert says in text
    assert "next run, at" not in text


def test_a_waiting_month_without_a_worker_or_a_schedule_says_no_run_will_take_it(settings):
    """No cluster beating (or the schedule deleted): a next run that never comes is not
    promised."""
    from django_q.models import Schedule

    settings.CLUSTER_HEARTBEAT_SECONDS = 10
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    month("2024-03", Status.RETRY)
    client = logged_in(User.objects.create_superuser("root", password="pw"))

    assert "no worker is running to take it (start one with manage.py qcluster)" in row_of(
        client.get(LIST_URL), "March 2024"
    )

    from django.utils import timezone

    from tests.enrichment.test_dashboard_operations import heartbeat

    heartbeat("bookstore", "worker-1", 4101, beat=timezone.now())
    Schedule.objects.filter(func="enrichment.tasks.run_backfill_scheduler").delete()
    assert "the backfill's schedule is missing: no run will take it" in row_of(
        client.get(LIST_URL), "March 2024"
    )


def test_only_a_waiting_months_page_says_until_when_it_waits():
    completed = a_completed_month()
    text = visible(
        logged_in(User.objects.create_superuser("root", password="pw"))
        .get(reverse("admin:enrichment_backfillmonth_change", args=[completed.pk]))
        .content.decode()
    )
    assert "Waiting:" not in text and "Waits" not in text

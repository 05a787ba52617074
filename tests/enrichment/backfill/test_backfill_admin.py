"""The backfill months in the admin: the list's metrics, the month's page, what a month waiting
says, its earlier runs (the actions, Add months and Run again: test_backfill_admin_actions.py)."""

import datetime
import html as html_text
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from enrichment.models import BackfillMonth
from tests.enrichment.backfill.admin_support import (
    ADD_MONTHS_URL,
    LIST_URL,
    ONE_HOUR,
    Status,
    a_completed_month,
    logged_in,
    month,
    staff,
    visible,
)
from tests.factories import make_work

# The actions hand months to the task queue: the test's stand-in takes them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sent_tasks")]


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
    month("2024-05")  # pending: nothing sent yet
    client = logged_in(staff("walt", "view_backfillmonth"))

    rows = re.findall(r"<tr>.*?</tr>", client.get(LIST_URL).content.decode(), re.S)
    cells = {
        label: visible(re.search(r'<td class="field-calls">(.*?)</td>', row, re.S).group(1))
        for label in ("March 2024", "April 2024", "May 2024")
        for row in rows
        if label in row
    }
    assert cells == {"March 2024": "0", "April 2024": "0", "May 2024": "none yet"}
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


def test_a_month_waiting_to_retry_says_what_is_known_of_its_calls_never_a_dash():
    """A month back to retry said "Provider calls –", read as "0" or as "unknown": it says the
    calls its failed tries recorded, or "none yet"; a month processing, that they are counted
    when its run ends."""
    month("2024-03", Status.RETRY, retry_count=1, error="No discovery source answered: …")
    waited = month("2024-04", Status.RETRY, retry_count=1, provider_calls={"openlibrary_search": 2})
    month("2024-05", Status.PROCESSING, started_at=None)
    client = logged_in(staff("walt", "view_backfillmonth"))

    page = client.get(LIST_URL)

    calls = {
        label: visible(re.search(r'<td class="field-calls">(.*?)</td>', row, re.S).group(1))
        for row in re.findall(r"<tr>.*?</tr>", page.content.decode(), re.S)
        for label in ("March 2024", "April 2024", "May 2024")
        if label in row
    }
    assert calls == {
        "March 2024": "none yet",
        "April 2024": "Open Library search 2",
        "May 2024": "counted when the run ends",
    }
    one = client.get(reverse("admin:enrichment_backfillmonth_change", args=[waited.pk]))
    assert "Provider calls: Open Library search 2" in visible(one.content.decode())


def row_tooltips(page, label: str) -> list[str]:
    """The title attributes of the list's row of `label`: what a pointer over it reads."""
    rows = re.findall(r"<tr>.*?</tr>", page.content.decode(), re.S)
    row = next(row for row in rows if label in row)
    return [html_text.unescape(title) for title in re.findall(r' title="([^"]*)"', row)]


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

    from enrichment.waiting import time_short

    at = display_for_value(next_run, "")
    briefly = f"Waits: next run {time_short(next_run, now=timezone.now())}"
    march, april = row_of(page, "March 2024"), row_of(page, "April 2024")
    # Briefly in the list (the sentence took four lines of its Run column), the sentence on hover.
    assert f"Nov. 30, 2026, 10:25 p.m. {briefly}" in march
    assert briefly in april
    said = f"Waits for the scheduler's next run, at {at}"
    assert said in row_tooltips(page, "March 2024") and said in row_tooltips(page, "April 2024")
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
    ("run_in", "briefly", "says"),
    [
        (
            datetime.timedelta(minutes=-2),
            "Waits: next run now",
            "Waits for the scheduler, whose run is due now",
        ),
        (
            datetime.timedelta(hours=-2),
            "Waits: scheduler overdue",
            "Waits for the scheduler, whose run is overdue since ",
        ),
    ],
)
def test_a_waiting_months_scheduler_run_in_the_past_says_due_or_overdue(
    a_worker_beats, run_in, briefly, says
):
    """A run already past read as the next one ahead ("next run, at 8:10" at 10:10): due, or
    overdue when long past, on the database's clock (SQLite's is this machine's)."""
    from django.utils import timezone

    scheduler_next_run(timezone.now() + run_in)
    month("2024-03", Status.PENDING)

    page = logged_in(User.objects.create_superuser("root", password="pw")).get(LIST_URL)

    text = row_of(page, "March 2024")
    assert briefly in text
    assert any(title.startswith(says) for title in row_tooltips(page, "March 2024"))
    assert "next run, at" not in text and "next run, at" not in row_tooltips(page, "March 2024")


def test_a_waiting_month_without_a_worker_or_a_schedule_says_no_run_will_take_it(settings):
    """No cluster beating (or the schedule deleted): a next run that never comes is not
    promised."""
    from django_q.models import Schedule

    settings.CLUSTER_HEARTBEAT_SECONDS = 10
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    month("2024-03", Status.RETRY)
    client = logged_in(User.objects.create_superuser("root", password="pw"))

    page = client.get(LIST_URL)
    assert "Waits: no worker running" in row_of(page, "March 2024")
    assert (
        "Waits, but no worker is running to take it (start one with manage.py qcluster)"
        in row_tooltips(page, "March 2024")
    )

    from django.utils import timezone

    from tests.enrichment.test_dashboard_operations import heartbeat

    heartbeat("bookstore", "worker-1", 4101, beat=timezone.now())
    Schedule.objects.filter(func="enrichment.tasks.run_backfill_scheduler").delete()
    page = client.get(LIST_URL)
    assert "Waits: no schedule" in row_of(page, "March 2024")
    assert (
        "Waits, but the backfill's schedule is missing: no run will take it "
        "(manage.py backfill --now processes it)" in row_tooltips(page, "March 2024")
    )


def test_only_a_waiting_months_page_says_until_when_it_waits():
    completed = a_completed_month()
    text = visible(
        logged_in(User.objects.create_superuser("root", password="pw"))
        .get(reverse("admin:enrichment_backfillmonth_change", args=[completed.pk]))
        .content.decode()
    )
    assert "Waiting:" not in text and "Waits" not in text

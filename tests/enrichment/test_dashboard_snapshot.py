"""The dashboard at a million works (issue 18, goal 6): its figures that pass over every row are
counted by a schedule into a DashboardSnapshot, the page reads them in one query and says how
old they are, and a reviewer can have them counted now (POST, CSRF, permission)."""

import datetime
import html
import re

import pytest
from django.contrib.admin.utils import display_for_value
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from catalog.models import Edition, Work
from enrichment import dashboard, review
from enrichment.dashboard import dashboard_figures, dashboard_snapshot_refresh
from enrichment.heartbeat_models import ClusterHeartbeat
from enrichment.models import (
    AuditLogEntry,
    BackfillMonth,
    DashboardSnapshot,
    EnrichmentRequest,
)
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import librarian, viewer
from tests.enrichment.test_review_labels import visible_text
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
DASHBOARD_URL = reverse("admin:enrichment_dashboard")
REFRESH_URL = reverse("admin:enrichment_dashboard_refresh")


def age_snapshot(seconds: int) -> None:
    DashboardSnapshot.objects.update(
        computed_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def test_the_refresh_counts_what_changed_and_the_page_shows_the_new_figures(client):
    make_work("First book")
    dashboard_snapshot_refresh()
    client.force_login(librarian())
    assert client.get(DASHBOARD_URL).context["works"]["total"] == 1

    for title in ("Second book", "Third book"):
        work = make_work(title)
        EnrichmentRequest.objects.create(work=work, trigger="command", status="needs_review")
    # Until counted again, the page shows the kept figures, and says when they were counted.
    assert client.get(DASHBOARD_URL).context["works"]["total"] == 1

    dashboard_snapshot_refresh()
    figures = client.get(DASHBOARD_URL).context["figures"]
    assert figures.works["total"] == 3
    assert {bar.colour: bar.count for bar in figures.queue}["needs_review"] == 2


def test_the_figures_time_is_in_the_admins_format_and_the_sites_time_zone(settings):
    """It was "Figures as of 22:25 UTC" beside times the admin writes "Nov. 30, 2026, 5:25 p.m."."""
    settings.TIME_ZONE = "America/New_York"
    make_work()
    dashboard_snapshot_refresh()
    counted = datetime.datetime(2026, 11, 30, 22, 25, tzinfo=datetime.UTC)
    DashboardSnapshot.objects.update(computed_at=counted)
    client = Client()
    client.force_login(librarian())
    text = visible_text(client, DASHBOARD_URL)
    assert "Figures as of Nov. 30, 2026, 5:25 p.m. (" in text
    # No time in UTC: the one "UTC" left names the day the providers' budgets count, said with
    # its time here ("midnight UTC, 7 p.m. here").
    midnight = (timezone.now() + datetime.timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    here = display_for_value(midnight, "–").split(", ")[-1]  # 7 p.m. in winter, 8 in summer
    budget_day = f"Daily budgets count a UTC day: they start again at midnight UTC, {here} here."
    assert "22:25" not in text and "UTC" not in text.replace(budget_day, "")


def test_the_page_says_how_old_its_figures_are():
    make_work()
    dashboard_snapshot_refresh()
    age_snapshot(42)
    running_cluster()
    client = Client()
    client.force_login(librarian())
    text = visible_text(client, DASHBOARD_URL)
    # In the admin's format and the site's time zone, as every time in the admin.
    as_of = display_for_value(DashboardSnapshot.objects.get().computed_at, "–")
    assert f"Figures as of {as_of} (42 s ago)." in text
    assert "The worker counts them every minute" in text

    age_snapshot(600)  # no worker has counted them for ten minutes: said so
    text = visible_text(client, DASHBOARD_URL)
    as_of_600 = display_for_value(DashboardSnapshot.objects.get().computed_at, "–")
    assert f"Figures as of {as_of_600} (10 min ago)." in text  # as the panel's ages
    assert "No worker has counted them since: is the cluster running?" in text


def test_the_page_names_every_panel_it_reads_live_whoever_counts_the_rest():
    """It said "providers, running imports and bulk operations are live", leaving out the
    backfill months and the workers panel, both read at each visit; and said nothing of what
    is live once the counted figures were old."""
    make_work()
    BackfillMonth.objects.create(year=2024, month=3)
    dashboard_snapshot_refresh()
    running_cluster()
    client = Client()
    client.force_login(librarian())
    live = (
        "Read live at each visit: the backfill months, the providers, running imports and bulk "
        "operations, the task clusters and the longest waits."
    )
    assert live in visible_text(client, DASHBOARD_URL)
    age_snapshot(600)
    text = visible_text(client, DASHBOARD_URL)
    assert "No worker has counted them since" in text and live in text
    # No month was ever asked for: the page shows none, and names none.
    BackfillMonth.objects.all().delete()
    text = visible_text(client, DASHBOARD_URL)
    assert "backfill" not in text.lower()
    assert "Read live at each visit: the providers, running imports" in text


def running_cluster(pid: int = 1) -> None:
    now = timezone.now()
    ClusterHeartbeat.objects.create(
        name="bookstore", host="h", pid=pid, broker="orm", workers=2, started_at=now, beat_at=now
    )


def test_figures_no_cluster_will_count_again_say_so_before_they_are_old(client):
    """A minute after the only cluster stopped, the page still said "The worker counts them
    every minute", above a panel saying the cluster had stopped."""
    make_work()
    dashboard_snapshot_refresh()
    age_snapshot(60)
    now = timezone.now()
    ClusterHeartbeat.objects.create(
        name="bookstore", host="h", pid=1, broker="orm", workers=2,
        started_at=now - datetime.timedelta(hours=1), beat_at=now, stopped_at=now,
    )  # fmt: skip
    client.force_login(librarian())
    text = visible_text(client, DASHBOARD_URL)
    assert "The worker counts them every minute" not in text
    assert "No task cluster is running: nothing counts them again until one runs" in text

    running_cluster(pid=2)  # one runs again
    assert "The worker counts them every minute" in visible_text(client, DASHBOARD_URL)


def test_the_first_visit_counts_the_figures_when_none_were_kept(client):
    make_work()
    assert not DashboardSnapshot.objects.exists()
    client.force_login(librarian())
    assert client.get(DASHBOARD_URL).context["works"]["total"] == 1
    assert DashboardSnapshot.objects.count() == 1


def test_a_reviewer_has_the_figures_counted_now(client):
    dashboard_snapshot_refresh()
    age_snapshot(30)
    make_work("Added since")
    client.force_login(librarian())
    response = client.post(REFRESH_URL, follow=True)
    assert response.redirect_chain[-1][0] == DASHBOARD_URL
    assert response.context["works"]["total"] == 1
    assert "The figures were counted again just now." in response.content.decode()
    # A second press moments later reads the same count rather than counting again.
    make_work("Added after the press")
    response = client.post(REFRESH_URL, follow=True)
    assert response.context["works"]["total"] == 1
    assert "counted moments ago" in response.content.decode()


def test_refreshing_needs_the_review_permission_and_a_post(client):
    dashboard_snapshot_refresh()
    age_snapshot(30)
    make_work("Added since")
    client.force_login(viewer())
    assert 'id="refresh-figures"' not in client.get(DASHBOARD_URL).content.decode()
    assert client.post(REFRESH_URL).status_code == 403
    client.force_login(librarian("libby2"))
    assert 'id="refresh-figures"' in client.get(DASHBOARD_URL).content.decode()
    assert client.get(REFRESH_URL).status_code == 405
    assert DashboardSnapshot.objects.get().figures["works"]["total"] == 0


def test_refreshing_is_csrf_protected():
    user = User.objects.create_user("csrf", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(REFRESH_URL).status_code == 403


def test_the_page_reads_the_kept_figures_in_one_query(django_assert_num_queries):
    dashboard_snapshot_refresh()
    for title in ("A", "B", "C"):
        make_work(title)
    # One query for the snapshot, then the small tables read live: backfill months, provider
    # states (and whether a dump is loaded), running imports, running bulk operations; and the
    # operations panel's five (test_dashboard_operations).
    with django_assert_num_queries(11):
        figures = dashboard_figures()
    assert figures.works["total"] == 0  # as counted, not as now


def test_the_schedule_counts_the_figures_every_minute():
    schedule = Schedule.objects.get(func="enrichment.dashboard.dashboard_snapshot_refresh")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)
    assert schedule.minutes * 60 == dashboard.REFRESH_EVERY_SECONDS
    make_work()
    import_string(schedule.func)()  # what the cluster calls
    assert DashboardSnapshot.objects.get().figures["works"]["total"] == 1


def test_figures_kept_in_an_older_shape_are_counted_again(client):
    make_work()
    dashboard_snapshot_refresh()
    DashboardSnapshot.objects.update(figures={"works": {"total": 7}})  # a release ago
    client.force_login(librarian())
    assert client.get(DASHBOARD_URL).context["works"]["total"] == 1


def test_a_last_24_hours_bar_opens_the_audit_log_saying_since_when(client, settings):
    """The bar's link narrows the log by its start alone: the date filter marked none of its
    choices, so the list looked like the whole log but for its count."""
    settings.TIME_ZONE = "America/New_York"
    AuditLogEntry.objects.create(work=make_work("Recent"), action="auto_apply")
    dashboard_snapshot_refresh()
    client.force_login(librarian())
    page = client.get(DASHBOARD_URL).content.decode()
    link = re.search(r'href="([^"]*auditlogentry/\?[^"]*)"[^>]*>\s*Applied automatically', page)
    assert link

    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()

    since = re.search(r'<li class="selected">\s*<a href="[^"]*">Since ([^<]+)</a>', listed)
    assert since, "no date choice marked"
    start = timezone.localtime() - datetime.timedelta(days=1)
    # In the admin's format and the site's time zone: "Nov. 30, 2026, 1:55 a.m."
    assert since.group(1).startswith(display_for_value(start.date(), "") + ", ")
    assert "Any date" in listed


def test_a_last_24_hours_bar_lists_the_entries_it_counted_however_old_the_figures(client):
    """The bars counted the 24 hours before the figures were counted, their links the 24 hours
    before the page was opened: two hours after the last count (a cluster stopped), a bar read
    1 and its list showed nothing."""
    counted_at = timezone.now() - datetime.timedelta(hours=2)
    entry = AuditLogEntry.objects.create(work=make_work("Earlier"), action="auto_apply")
    AuditLogEntry.objects.filter(pk=entry.pk).update(
        created_at=counted_at - datetime.timedelta(hours=23)
    )
    DashboardSnapshot.objects.update_or_create(
        key=dashboard.SNAPSHOT_KEY,
        defaults={"figures": dashboard.dashboard_counts(now=counted_at), "computed_at": counted_at},
    )
    client.force_login(librarian())
    page = client.get(DASHBOARD_URL).content.decode()
    bar = re.search(
        r'href="([^"]*auditlogentry/\?[^"]*)">Applied automatically</a>.*?class="num">(\d+)<',
        page,
        re.S,
    )
    assert bar and bar.group(2) == "1"

    listed = client.get(bar.group(1).replace("&amp;", "&")).content.decode()
    assert re.findall(r"auditlogentry/(\d+)/change/", listed) == [str(entry.pk)]


def test_the_last_24_hours_bars_keep_the_order_of_the_logs_actions():
    """They came in whatever order the database counted them (alphabetical by key on SQLite, a
    hash's order on PostgreSQL), so a bar moved from one day to the next."""
    work = make_work("Busy")
    for action in ("revert", "dismiss", "review_apply", "merge", "cover", "auto_apply"):
        AuditLogEntry.objects.create(work=work, action=action)
    dashboard_snapshot_refresh()

    labels = [str(bar.label) for bar in dashboard_figures().activity]
    assert labels == [
        "Applied automatically",
        "Cover applied",
        "Applied by a reviewer",
        "Dismissed",
        "Reverted",
        "Authors merged",
    ]


def test_the_last_24_hours_count_a_reruns_dismissals_apart_and_list_what_they_count(client):
    """The "Dismissed" bar counted the stored action, a re-run's supersedes with a reviewer's
    dismissals (2 where one proposal was dismissed), though the log reads "Superseded by a
    re-run" for those (request_status.audit_action_label)."""
    reviewer = librarian()
    superseded, dismissed = needs_review(), needs_review(title="Stardust")
    also_superseded = needs_review(title="Coraline")
    review.request_rerun(request=superseded, actor=reviewer)
    review.request_rerun(request=also_superseded, actor=reviewer)
    review.request_dismiss(request=dismissed, actor=reviewer, reason="another edition")
    dashboard_snapshot_refresh()
    client.force_login(reviewer)
    page = client.get(DASHBOARD_URL).content.decode()
    section = page[page.index("Last 24 hours") :]

    counted = {}
    for label in ("Dismissed", "Superseded by a re-run"):
        bar = re.search(rf'href="([^"]+)">{label}</a>.*?class="num">(\d+)<', section, re.S)
        assert bar, section[:3000]
        listed = client.get(html.unescape(bar.group(1))).content.decode()
        entries = re.findall(r"auditlogentry/(\d+)/change/", listed)
        counted[label] = (int(bar.group(2)), len(set(entries)))
        requests = AuditLogEntry.objects.filter(pk__in=entries).values_list("request", flat=True)
        if label == "Dismissed":
            assert set(requests) == {dismissed.pk}
        else:
            assert set(requests) == {superseded.pk, also_superseded.pk}
    assert counted == {"Dismissed": (1, 1), "Superseded by a re-run": (2, 2)}


def test_a_waiting_for_review_bar_lists_the_works_it_counted_not_the_authors_too(
    client, sent_tasks
):
    """ "Works waiting for review, by confidence" counts works; its link opened every request
    of that confidence, an author's too: the bar read 1 and the list showed 2."""
    work_request = needs_review("Neverwhere", "Neil Gaiman")
    author = make_author("Octavia E. Butler")
    EnrichmentRequest.objects.create(
        author=author, trigger="command", status="needs_review", confidence="medium"
    )
    dashboard_snapshot_refresh()
    client.force_login(librarian())
    page = client.get(DASHBOARD_URL).content.decode()
    section = page[page.index("Works waiting for review, by confidence") :]
    bar = re.search(r'href="([^"]+)">Medium</a>.*?class="num">(\d+)<', section, re.S)
    assert bar and bar.group(2) == "1"

    listed = client.get(html.unescape(bar.group(1))).content.decode()
    assert set(re.findall(r"enrichmentrequest/(\d+)/change/", listed)) == {str(work_request.pk)}


def test_a_proposal_waiting_beside_an_older_approved_one_is_counted_the_same_everywhere(client):
    """A reviewer's late choice of fields on an older, completed proposal wrote that request's
    outcome on the work ("Enriched", its confidence) though a newer proposal waited: the queue's
    "Needs review" bar counted it, the works list's filter and "Works waiting for review, by
    confidence" (which read the work's state) did not."""
    reviewer = librarian()
    older = needs_review()
    review.request_approve(request=older, actor=reviewer)
    EnrichmentRequest.objects.create(
        work_id=older.work_id, trigger="manual_bulk", status="needs_review", confidence="low"
    )
    Work.objects.filter(pk=older.work_id).update(
        enrichment_status="needs_review", enrichment_confidence="low"
    )  # as the engine leaves a work whose newer request waits

    review.request_approve(request=older, actor=reviewer, fields=["publisher"])

    assert Edition.objects.get(work=older.work_id).publisher == "HarperTorch"  # applied
    work = Work.objects.get(pk=older.work_id)
    assert (work.enrichment_status, work.enrichment_confidence) == ("needs_review", "low")
    dashboard_snapshot_refresh()
    client.force_login(reviewer)
    figures = client.get(DASHBOARD_URL).context["figures"]
    assert {bar.colour: bar.count for bar in figures.queue}["needs_review"] == 1
    assert {bar.colour: bar.count for bar in figures.review_by_confidence} == {"low": 1}


def test_each_waiting_for_review_bar_counts_the_requests_its_list_shows(client):
    """The bars counted the works' state, their links the current requests: a work whose state
    still said "needs review" (left so by an earlier version) made a bar of 1 over an empty
    list, and the bars did not add up to the queue's "Needs review"."""
    waiting = needs_review()
    lagging = make_work("Stardust")
    EnrichmentRequest.objects.create(work=lagging, trigger="command", status="completed")
    Work.objects.filter(pk=lagging.pk).update(
        enrichment_status="needs_review", enrichment_confidence="low"
    )
    dashboard_snapshot_refresh()
    client.force_login(librarian())
    figures = client.get(DASHBOARD_URL).context["figures"]

    assert {bar.colour: bar.count for bar in figures.review_by_confidence} == {"medium": 1}
    assert {bar.colour: bar.count for bar in figures.queue}["needs_review"] == 1
    (bar,) = figures.review_by_confidence
    listed = client.get(html.unescape(bar.url)).content.decode()
    assert set(re.findall(r"enrichmentrequest/(\d+)/change/", listed)) == {str(waiting.pk)}


def test_one_work_one_cover_and_a_one_row_import_are_said_in_the_singular(client):
    """ "1 work", "1 verified cover", "0 of 1 row", never "1 works" or "1 verified covers"; an
    import waiting to continue is said so, as on its page, not "Pending"."""
    from catalog.models import ImportJob

    make_work(
        "Only book",
        authors=["Only Author"],
        cover="covers/only.jpg",
        cover_verified_at=timezone.now(),
    )
    dashboard_snapshot_refresh()
    ImportJob.objects.create(original_filename="one.csv", status="running", rows_total=1)
    ImportJob.objects.create(
        original_filename="two.csv", status="pending", rows_total=2, rows_processed=1
    )
    client.force_login(librarian())
    text = visible_text(client, DASHBOARD_URL)
    assert "1 work 1 verified cover 0 missing" in text
    assert "1 author 0 % on average 1 lacks a bio, dates or ids" in text
    assert "0 of 1 row · Running" in text
    assert "1 of 2 rows · Waiting to continue" in text


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("America/New_York", "Daily budgets count a UTC day: they start again at midnight UTC"),
        ("UTC", "Daily budgets count a UTC day: they start again at midnight UTC."),
    ],
)
def test_the_providers_budget_left_today_says_when_its_day_starts_again(
    client, settings, zone, said
):
    """ "Budget left today" counts a UTC day (throttle.budget_day) on a page whose times are in
    the site's zone: in New York it starts again in the evening, which the page says."""
    settings.TIME_ZONE = zone
    make_work()
    dashboard_snapshot_refresh()
    client.force_login(librarian())
    text = visible_text(client, DASHBOARD_URL)
    assert said in text
    midnight = (timezone.now() + datetime.timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    here = display_for_value(midnight, "–").split(", ")[-1]  # "7 p.m.", in the site's zone
    if zone != "UTC":
        assert f"{said}, {here} here." in text

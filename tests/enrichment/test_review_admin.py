"""The review panel through the admin: permissions, CSRF, bulk confirmations, query counts."""

import datetime
import re
from dataclasses import replace

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Edition
from enrichment import revert, review
from enrichment.dashboard import dashboard_snapshot_refresh
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest
from tests.enrichment.test_review import (
    needs_review,
    waiting_requests,
)
from tests.html_assets import external_assets

pytestmark = pytest.mark.django_db
QUEUE_URL = reverse("admin:enrichment_enrichmentrequest_changelist")
DASHBOARD_URL = reverse("admin:enrichment_dashboard")
AUDIT_URL = reverse("admin:enrichment_auditlogentry_changelist")
WORKS_URL = reverse("admin:catalog_work_changelist")
# The dashboard's aggregates (the catalog backfill's months by status: one since issue 16),
# the session and the user: a fixed number, whatever the rows.
MAX_QUERIES = 16


@pytest.fixture(autouse=True)
def no_task_queue(monkeypatch, sent_tasks):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids: None)
    return sent_tasks


def librarian(username="libby") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    return user


def viewer(username="vera") -> User:
    """Staff who may look at everything but decide nothing."""
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_enrichmentrequest", "view_auditlogentry", "view_work"]
        )
    )
    return user


def change_url(request) -> str:
    return reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])


def decision_url(request, decision: str) -> str:
    return reverse(f"admin:enrichment_enrichmentrequest_{decision}", args=[request.pk])


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


# --- Permissions --------------------------------------------------------------------------------


def test_the_librarian_group_is_created_by_a_migration_with_the_right_permissions():
    group = Group.objects.get(name="Librarian")
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert {
        "enrichment.review_enrichment",
        "enrichment.revert_enrichment",
        "enrichment.view_enrichmentrequest",
        "enrichment.view_auditlogentry",
        "enrichment.view_providerstate",
        "enrichment.view_sourcerecord",
        "catalog.add_work",  # imports
        "catalog.change_work",
        "catalog.view_importjob",
        "catalog.change_edition",
        "catalog.change_author",
    } <= perms
    assert not any(
        p.startswith("enrichment.delete_") or "auditlogentry" in p
        for p in perms - {"enrichment.view_auditlogentry"}
    )
    assert not any(p.startswith("auth.") for p in perms)


def test_a_librarian_sees_the_review_buttons(client):
    request = needs_review()
    client.force_login(librarian())
    page = client.get(change_url(request)).content.decode()
    assert "Approve selected fields" in page and "Dismiss" in page
    assert decision_url(request, "approve") in page
    assert 'name="fields" value="publisher"' in page
    actions = client.get(QUEUE_URL).content.decode()
    assert "approve_selected" in actions and "dismiss_selected" in actions


def test_staff_without_review_permission_see_no_buttons_and_are_refused(client):
    request = needs_review()
    client.force_login(viewer())
    page = client.get(change_url(request)).content.decode()
    assert "Approve selected fields" not in page and decision_url(request, "approve") not in page
    assert 'name="fields"' not in page
    assert "approve_selected" not in client.get(QUEUE_URL).content.decode()
    for decision in ("approve", "dismiss", "rerun"):
        assert client.post(decision_url(request, decision), {"_safe": "1"}).status_code == 403
    # The bulk action is refused on the server too, whatever is posted.
    client.post(
        QUEUE_URL, {"action": "approve_selected", "_selected_action": [request.pk], "post": "yes"}
    )
    request.refresh_from_db()
    assert request.status == "needs_review" and not AuditLogEntry.objects.exists()


def test_every_post_is_csrf_protected():
    request = needs_review()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(librarian())
    for decision in ("approve", "dismiss", "rerun"):
        response = csrf_client.post(decision_url(request, decision), {"_safe": "1"})
        assert response.status_code == 403
    response = csrf_client.post(
        QUEUE_URL, {"action": "dismiss_selected", "_selected_action": [request.pk], "post": "yes"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "needs_review"
    # With the token from the page, the same post works.
    page = csrf_client.get(change_url(request)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = csrf_client.post(
        decision_url(request, "dismiss"), {"csrfmiddlewaretoken": token, "reason": "no"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "skipped"


# --- The review page ----------------------------------------------------------------------------


def test_review_and_audit_times_are_in_the_sites_time_zone(client, settings):
    """They were written in UTC whatever TIME_ZONE said, beside times the admin localizes."""
    settings.TIME_ZONE = "Europe/Paris"
    request = needs_review()
    user = librarian()
    review.request_approve(request=request, actor=user, fields=["publisher"])
    noon_utc = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
    EnrichmentRequest.objects.filter(pk=request.pk).update(reviewed_at=noon_utc)
    entry = AuditLogEntry.objects.get(action="review_apply")
    AuditLogEntry.objects.filter(pk=entry.pk).update(created_at=noon_utc)
    client.force_login(user)

    page = client.get(change_url(request)).content.decode()
    assert "Jan. 15, 2026, 1 p.m. by libby" in page and "12:00" not in page
    entry_page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    assert " at Jan. 15, 2026, 1 p.m." in entry_page.content.decode()


def test_every_time_on_the_review_pages_is_in_the_admins_format(client, settings):
    """The review page's history and an entry's "Reverted by" line wrote "2026-01-15 12:00",
    the queue's "Age" tooltip an ISO time in UTC, an entry's name "… at 2026-01-15 13:00": the
    admin writes "Jan. 15, 2026, 1 p.m.", in the site's time zone."""
    settings.TIME_ZONE = "Europe/Paris"
    request = needs_review()
    user = librarian()
    review.request_approve(request=request, actor=user, fields=["publisher"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    undo = revert.audit_revert(entry=entry, actor=user).revert_entry
    noon_utc = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
    AuditLogEntry.objects.filter(pk__in=[entry.pk, undo.pk]).update(created_at=noon_utc)
    EnrichmentRequest.objects.filter(pk=request.pk).update(created_at=noon_utc)
    client.force_login(user)

    history = client.get(change_url(request)).content.decode().split("review-history", 1)[1]
    assert "Jan. 15, 2026, 1 p.m.</a>" in history and "2026-01-15" not in history
    entry_page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    reverted_by = entry_page.content.decode().split("Reverted by", 1)[1].split("</p>", 1)[0]
    assert "on Jan. 15, 2026, 1 p.m. by libby" in " ".join(reverted_by.split())
    queue = client.get(QUEUE_URL + "?show=all").content.decode()
    assert 'title="Jan. 15, 2026, 1 p.m."' in queue and "2026-01-15T" not in queue
    entry.refresh_from_db()
    assert str(entry).endswith(" at Jan. 15, 2026, 1 p.m.")


def test_a_request_waiting_for_review_is_not_called_finished(client):
    """ "Finished at" showed on a request still waiting for a reviewer: the time is when the
    providers were last asked, as the work page's "Last try" says it."""
    request = needs_review()
    matched = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
    EnrichmentRequest.objects.filter(pk=request.pk).update(finished_at=matched)
    client.force_login(librarian())

    page = client.get(change_url(request)).content.decode()
    assert "Finished at" not in page and "Finished" not in page
    last_try = re.search(r'fieldBox field-last_try.*?<div class="readonly">(.*?)</div>', page, re.S)
    assert "Last try" in page and last_try.group(1) == "Jan. 15, 2026, noon"


def test_a_request_nothing_was_found_for_says_so_once(client):
    from enrichment import engine, queue
    from tests.enrichment.fakes import FakeProvider
    from tests.factories import make_edition, make_work

    work = make_work("Unknown Book", authors=["Nobody"])
    make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    engine.process_requests(queue.requests_claim(request_ids=ids), providers=[FakeProvider()])
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.status == "skipped"
    client.force_login(librarian())
    page = client.get(change_url(request)).content.decode().casefold()
    assert page.count("no provider knows this book") == 1
    assert "no field differs" not in page and 'class="review-fields proposal"' not in page


def status_badges(html: str) -> list[str]:
    """The status column's (field's) badges, not the confidence's."""
    return re.findall(r'field-status_badge.*?<span class="status-badge"[^>]*>([^<]*)<', html, re.S)


def test_a_dismissed_request_is_called_dismissed_and_by_whom_an_unmatched_one_no_match(client):
    """The stored status is "skipped" for all: the badge said "Skipped" for a proposal a
    reviewer turned down or a re-run replaced, while the review note said "Dismissed"; and for a
    book no provider matched, while its page says "Nothing was found" and the works list "No
    provider knows it"."""
    from enrichment import engine, queue
    from tests.enrichment.fakes import FakeProvider
    from tests.factories import make_edition, make_work

    user = librarian()
    dismissed = needs_review()
    review.request_dismiss(request=dismissed, actor=user, reason="wrong book")
    superseded = needs_review(title="Stardust")
    queue.works_enqueue_enrichment(
        work_ids=[superseded.work_id], dispatch=False, supersede_review=True, actor=user
    )
    # Dismissed as superseded by migration 0027: a decision, nobody's.
    by_nobody = needs_review(title="Coraline")
    EnrichmentRequest.objects.filter(pk=by_nobody.pk).update(
        status="skipped", reviewed_at=datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
    )
    work = make_work("Unknown Book", authors=["Nobody"])
    make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    engine.process_requests(queue.requests_claim(request_ids=ids), providers=[FakeProvider()])
    skipped = EnrichmentRequest.objects.get(pk=ids[0])
    for request in (dismissed, superseded, by_nobody):
        request.refresh_from_db()
    assert {r.status for r in (dismissed, superseded, by_nobody, skipped)} == {"skipped"}
    client.force_login(user)

    newer = EnrichmentRequest.objects.get(work=superseded.work_id, status="pending")
    expected = {
        dismissed: "Dismissed by libby",
        superseded: f"Superseded by request #{newer.pk}",
        by_nobody: "Dismissed",
        skipped: "No match",
    }
    for request, label in expected.items():
        assert status_badges(client.get(change_url(request)).content.decode()) == [label]
    # Dismissing it again changes nothing, as for a reviewer's dismissal (it was refused as
    # "not waiting for review").
    assert review.request_dismiss(request=by_nobody, actor=user).dismissed is False
    listed = client.get(QUEUE_URL + "?show=all&status__exact=skipped").content.decode()
    assert sorted(status_badges(listed)) == sorted(expected.values())
    # A bulk action's confirmation names its examples the same way.
    chosen = {"action": "rerun_selected", "_selected_action": [dismissed.pk, skipped.pk]}
    asked = client.post(QUEUE_URL, {"index": "0", **chosen}).content.decode()
    assert f"(request #{dismissed.pk}, dismissed by libby)" in asked
    assert f"(request #{skipped.pk}, no match)" in asked


def decision_field(client, request) -> str:
    """The request page's "Decision" field, as text."""
    page = client.get(change_url(request)).content.decode()
    cell = re.search(r'field-reviewed.*?<div class="readonly">(.*?)</div>', page, re.S)
    assert cell, page
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell.group(1))).strip()


def test_a_superseded_request_says_which_request_replaced_it_not_who_reviewed_it(client):
    """A re-run replaced the proposal: its page names the new request and who re-ran it, where
    it said it was reviewed "by someone since removed" when nobody was recorded (migration
    0027's), or reviewed by the user who only re-ran it."""
    from enrichment import queue

    user = librarian()
    rerun = needs_review()
    queue.works_enqueue_enrichment(
        work_ids=[rerun.work_id], dispatch=False, supersede_review=True, actor=user
    )
    by_migration = needs_review(title="Stardust")
    queue.works_enqueue_enrichment(
        work_ids=[by_migration.work_id], dispatch=False, supersede_review=True, actor=None
    )
    client.force_login(user)

    for request, who in ((rerun, " by libby"), (by_migration, "")):
        request.refresh_from_db()
        newer = EnrichmentRequest.objects.get(work=request.work_id, status="pending")
        assert request.superseded_by_id == newer.pk
        said = decision_field(client, request)
        assert said.endswith(
            f"— superseded by request #{newer.pk}: enrichment was run again{who}."
        ), said
        assert "since removed" not in said and "libby —" not in said
        link = reverse("admin:enrichment_enrichmentrequest_change", args=[newer.pk])
        assert f'href="{link}"' in client.get(change_url(request)).content.decode()


def test_a_decision_whose_reviewer_was_removed_names_them_from_the_audit_log(client):
    reviewer = User.objects.create_user("bob", is_staff=True)
    dismissed = needs_review()
    review.request_dismiss(request=dismissed, actor=reviewer, reason="another edition")
    reviewer.delete()
    client.force_login(librarian())

    said = decision_field(client, dismissed)

    assert " by bob (a user since removed) — Dismissed: another edition" in said, said


def test_a_decided_proposal_offers_no_fields_to_tick(client):
    """A dismissed (or superseded) proposal can no longer be approved: its page is no longer
    "Review an enrichment proposal" and offers no checkboxes that no button would apply."""
    user = librarian()
    waiting = needs_review()
    client.force_login(user)
    page = client.get(change_url(waiting)).content.decode()
    assert "Review an enrichment proposal" in page and 'name="fields"' in page

    review.request_dismiss(request=waiting, actor=user)
    page = client.get(change_url(waiting)).content.decode()

    assert 'name="fields"' not in page and ">Apply<" not in page
    assert "Review an enrichment proposal" not in page and "Enrichment proposal" in page
    assert "Approve selected fields" not in page


def test_proposed_covers_off_the_allowlist_are_linked_not_shown(client):
    request = needs_review()
    proposal = request.proposal
    proposal.cover.proposed[0] = replace(
        proposal.cover.proposed[0], url="https://tracker.example.com/pixel.jpg"
    )
    EnrichmentRequest.objects.filter(pk=request.pk).update(proposal=proposal)
    client.force_login(librarian())
    page = client.get(change_url(request)).content.decode()
    assert 'src="https://tracker.example.com' not in page
    assert 'href="https://tracker.example.com/pixel.jpg"' in page


# --- Query counts -------------------------------------------------------------------------------


def test_queue_list_queries_are_few_and_do_not_grow_with_rows(client):
    client.force_login(librarian())
    needs_review()
    few = queries_for(client, QUEUE_URL)
    for i in range(12):
        needs_review(f"Book {i}", f"Author {i}")
    many = queries_for(client, QUEUE_URL)
    assert many == few and many <= MAX_QUERIES
    filtered = (
        f"{QUEUE_URL}?status__exact=needs_review&provider=openlibrary&cover_proposal=yes&q=Book"
    )
    assert queries_for(client, filtered) <= MAX_QUERIES


def test_review_page_queries_are_few(client):
    client.force_login(librarian())
    request = needs_review()
    needs_review("Stardust")
    review.request_approve(request=request, actor=None, fields=["publisher"])
    assert queries_for(client, change_url(request)) <= MAX_QUERIES


def test_dashboard_queries_are_few_and_do_not_grow_with_rows(client):
    client.force_login(librarian())
    needs_review()
    dashboard_snapshot_refresh()  # the schedule's count: the page reads it
    few = queries_for(client, DASHBOARD_URL)
    for i in range(5):
        needs_review(f"Book {i}", f"Author {i}")
    dashboard_snapshot_refresh()
    assert queries_for(client, DASHBOARD_URL) == few <= MAX_QUERIES


def test_dashboard_links_to_the_filtered_lists(client):
    needs_review()
    client.force_login(librarian())
    page = client.get(DASHBOARD_URL).content.decode()
    assert f"{QUEUE_URL}?status__exact=needs_review" in page
    assert f"{WORKS_URL}?has_cover=no" in page
    assert "<svg" in page and external_assets(page) == []  # nothing from a CDN: works offline
    for link in (f"{WORKS_URL}?has_cover=no", f"{WORKS_URL}?completeness=25-49",
                 f"{WORKS_URL}?missing=0", f"{QUEUE_URL}?status__exact=needs_review"):  # fmt: skip
        assert client.get(link).status_code == 200, link


# --- Bulk actions -------------------------------------------------------------------------------


def test_bulk_confirmation_over_all_rows_posts_a_few_fields_not_thousands_of_ids(client):
    ids = waiting_requests(1500)
    done = needs_review()
    review.request_approve(request=done, actor=None)  # completed: outside the filter
    client.force_login(librarian())
    url = f"{QUEUE_URL}?status__exact=needs_review"
    first_page = ids[:50]
    response = client.post(
        url,
        {"action": "approve_selected", "select_across": "1", "index": "0",
         "_selected_action": first_page},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "approve the safe proposal of all 1,500 requests listed with status “Needs review”" in (
        page
    )
    start = page.index('<form method="post" action="">')
    form = page[start : page.index("</form>", start)]
    fields = re.findall(r'<(?:input|textarea)[^>]*name="([^"]+)"', form)
    assert len(fields) <= 6, fields  # csrf, action, select_across, one id, post
    posted = {name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1) for name in fields}
    confirm = client.post(url, posted)
    operation = BulkOperation.objects.get()
    assert confirm.status_code == 302
    assert confirm.url == reverse("admin:enrichment_bulkoperation_change", args=[operation.pk])
    assert operation.total == 1500 and sorted(operation.object_ids) == sorted(ids)
    assert operation.select_across and operation.query_string == "status__exact=needs_review"
    progress = client.get(reverse("admin:enrichment_bulkoperation_progress", args=[operation.pk]))
    assert progress.json()["total"] == 1500 and progress.json()["finished"] is False
    assert client.get(confirm.url).status_code == 200


def test_a_small_bulk_action_runs_at_once(client):
    requests = [needs_review(f"Book {i}", f"Author {i}") for i in range(3)]
    client.force_login(librarian())
    pks = [r.pk for r in requests[:2]]
    page = client.post(
        QUEUE_URL, {"action": "dismiss_selected", "index": "0", "_selected_action": pks}
    )
    assert "the 2 selected requests" in page.content.decode()
    response = client.post(
        QUEUE_URL,
        {"action": "dismiss_selected", "_selected_action": pks, "post": "yes", "reason": "dup"},
        follow=True,
    )
    assert "2 dismissed" in response.content.decode()
    assert EnrichmentRequest.objects.filter(status="skipped").count() == 2
    assert not BulkOperation.objects.exists()


# --- The audit log ------------------------------------------------------------------------------


def test_the_audit_log_is_read_only_even_for_superusers(client):
    request = needs_review()
    review.request_approve(request=request, actor=None, fields=["publisher"])
    entry = AuditLogEntry.objects.get()
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    assert client.get(reverse("admin:enrichment_auditlogentry_add")).status_code == 403
    assert (
        client.get(reverse("admin:enrichment_auditlogentry_delete", args=[entry.pk])).status_code
        == 403
    )
    page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (
        client.post(
            reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]), {"note": "x"}
        ).status_code
        == 403
    )
    assert "delete_selected" not in client.get(AUDIT_URL).content.decode()
    entry.refresh_from_db()
    assert entry.note == ""


def test_revert_from_the_audit_log_and_a_refusal_for_a_field_changed_since(client):
    request = needs_review()
    review.request_approve(request=request, actor=None, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get()
    Edition.objects.filter(work=request.work_id).update(page_count=12)
    client.force_login(librarian())
    entry_url = reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])
    assert "Revert these changes" in client.get(entry_url).content.decode()
    response = client.post(
        reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk]),
        {"post": "yes"},
        follow=True,
    )
    page = response.content.decode()
    assert "Reverted publisher" in page and "Pages cannot be reverted" in page
    edition = Edition.objects.get(work=request.work_id)
    assert (edition.publisher, edition.page_count) == ("Harper", 12)
    assert AuditLogEntry.objects.filter(action="revert", reverts=entry).count() == 1


def test_revert_needs_its_own_permission(client):
    request = needs_review()
    review.request_approve(request=request, actor=None, fields=["publisher"])
    entry = AuditLogEntry.objects.get()
    user = viewer()
    user.user_permissions.add(Permission.objects.get(codename="review_enrichment"))
    client.force_login(user)
    entry_url = reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])
    assert "Revert these changes" not in client.get(entry_url).content.decode()
    revert_url = reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk])
    assert client.post(revert_url).status_code == 403
    assert Edition.objects.get(work=request.work_id).publisher == "HarperTorch"


def test_the_audit_log_filters(client):
    request = needs_review()
    review.request_approve(request=request, actor=None, fields=["publisher"])
    user = librarian()
    client.force_login(user)
    for query in ("action__exact=review_apply", "provider=openlibrary", f"actor={user.pk}",
                  "actor=worker", "created_at__gte=2020-01-01+00:00:00%2B00:00"):  # fmt: skip
        assert client.get(f"{AUDIT_URL}?{query}").status_code == 200, query
    page = client.get(f"{AUDIT_URL}?provider=openlibrary").content.decode()
    assert "HarperTorch" in page  # old → new per field in the list


def test_links_from_provider_data_must_be_web_urls(client):
    request = needs_review()
    details = request.match_details
    details.candidates[0].source_url = "javascript:alert(document.cookie)"
    proposal = request.proposal
    proposal.cover.proposed[0] = replace(proposal.cover.proposed[0], url="javascript:alert(1)")
    EnrichmentRequest.objects.filter(pk=request.pk).update(match_details=details, proposal=proposal)
    client.force_login(librarian())
    page = client.get(change_url(request)).content.decode()
    assert 'href="javascript:' not in page and 'src="javascript:' not in page
    assert "Not shown" in page  # the refused image says why instead

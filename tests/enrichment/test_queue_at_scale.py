"""The queue at a million requests (issue 18, goal 6): its count stops at a cap and the page
says "more than", never a false total; its order is read from an index and stopped at a page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Work
from enrichment import review_page
from enrichment.admin import requests as queue_admin
from enrichment.models import EnrichmentRequest
from enrichment.selectors import current_requests
from tests.enrichment.test_review_admin import librarian
from tests.enrichment.test_review_labels import visible_text
from tests.query_plans import queryset_plan

pytestmark = pytest.mark.django_db
QUEUE_URL = reverse("admin:enrichment_enrichmentrequest_changelist")


def requests_for(count: int, **fields) -> list[EnrichmentRequest]:
    works = Work.objects.bulk_create([Work(title=f"Synthetic book {i}") for i in range(count)])
    return EnrichmentRequest.objects.bulk_create(
        [EnrichmentRequest(work=w, trigger="command", **fields) for w in works]
    )


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(queue_admin, "COUNT_CAP", 3)


def test_past_the_cap_the_queue_says_more_than_never_a_false_total(client, small_cap):
    requests_for(5, status="needs_review", confidence="low")
    client.force_login(librarian())
    text = visible_text(client, QUEUE_URL)
    assert "More than 3 current requests (the newest of each work or author)" in text
    assert "the first 3 are paged; filters and the search reach the others" in text
    assert "5 current requests" not in text
    # The actions bar's "select all" names no false total either.
    page = client.get(QUEUE_URL).content.decode()
    assert "Select every request listed (more than 3)" in page
    assert "Select all 3" not in page and "All 3 selected" not in page
    history = visible_text(client, f"{QUEUE_URL}?show=all")
    assert "More than 3 requests, all history" in history


def test_within_the_cap_the_count_is_exact(client, small_cap):
    requests_for(3, status="needs_review", confidence="low")
    client.force_login(librarian())
    text = visible_text(client, QUEUE_URL)
    assert "3 current requests (the newest of each work or author)" in text
    assert "More than" not in text


def test_selecting_every_request_past_the_cap_acts_on_all_of_them(client, small_cap):
    made = requests_for(5, status="needs_review", confidence="low")
    client.force_login(librarian())
    response = client.post(
        QUEUE_URL,
        {"action": "dismiss_selected", "select_across": "1", "index": "0",
         "_selected_action": [made[0].pk]},
    )  # fmt: skip
    assert response.status_code == 200
    # The confirmation page counts them exactly: all 5, not the capped 3.
    assert "all 5 requests" in response.content.decode()


def test_the_queue_lists_needs_review_first_then_priority_then_age(client):
    done = requests_for(1, status="completed", priority=50)[0]
    low, high = requests_for(2, status="needs_review", confidence="low")
    EnrichmentRequest.objects.filter(pk=high.pk).update(priority=30)
    client.force_login(librarian())
    listed = client.get(QUEUE_URL).context["cl"].result_list
    assert [r.pk for r in listed] == [high.pk, low.pk, done.pk]
    listed = client.get(QUEUE_URL, {"status__exact": "needs_review"}).context["cl"].result_list
    assert [r.pk for r in listed] == [high.pk, low.pk]


def test_the_queues_first_page_is_read_in_order_from_an_index():
    requests_for(3, status="needs_review", confidence="low")  # no planner statistics either
    order = [queue_admin.NEEDS_REVIEW_FIRST.asc(), "-priority", "created_at", "pk"]
    page = current_requests().order_by(*order).values_list("pk", flat=True)[:50]
    plan = queryset_plan(page)
    assert "enrichreq_queue_order_idx" in plan
    assert "TEMP B-TREE" not in plan  # SQLite: no sort of every row
    waiting = EnrichmentRequest.objects.filter(status="needs_review", confidence="low")
    ordered = current_requests(queryset=waiting).order_by("-priority", "created_at", "pk")
    plan = queryset_plan(ordered.values_list("pk", flat=True)[:50])
    assert "enrichreq_confidence_order_idx" in plan
    assert "TEMP B-TREE" not in plan


def test_the_next_request_to_review_is_read_in_order_from_an_index():
    """The review page's "next" (review_page.next_for_review) keeps its order, and its query
    reads the (status, priority, age) index in order. On 1,000,000 requests SQLite's planner,
    given its statistics, gathered and sorted every request waiting for review when the bare
    column was compared (2.1 s, against 6.5 ms now: bench/admin.py); these tiny tables do not
    reproduce that choice, so this checks the plan kept, not the one avoided."""
    first, second, third = requests_for(3, status="needs_review", confidence="low")
    EnrichmentRequest.objects.filter(pk=third.pk).update(priority=30)
    assert review_page.next_for_review(third) == first.pk
    assert review_page.next_for_review(first) == second.pk
    assert review_page.next_for_review(second) == third.pk  # wraps around
    if connection.vendor != "sqlite":
        return
    with CaptureQueriesContext(connection) as captured:
        review_page.next_for_review(first)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {captured.captured_queries[0]['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "enrichreq_status_order_idx" in plan
    assert "TEMP B-TREE" not in plan and "MULTI-INDEX OR" not in plan


# --- The list's cells from the JSON keys they read ----------------------------------------------


def cells_of(model_admin, row) -> dict[str, str]:
    names = ["status_badge", "confidence_badge", "covers", "book", "answered_by", "age"]
    return {name: str(getattr(model_admin, name)(row)) for name in names}


def test_the_list_reads_only_the_json_keys_its_cells_show_and_shows_the_same(rf):
    from django.contrib import admin

    from tests.enrichment.test_review import needs_review

    requests = [needs_review(), needs_review("Synthetic Other", "Some Writer")]
    EnrichmentRequest.objects.filter(pk=requests[1].pk).update(
        proposal={}, match_details={}, providers_attempted=["openlibrary"]
    )
    model_admin = admin.site._registry[EnrichmentRequest]
    request = rf.get(QUEUE_URL)
    request.user = librarian()
    whole = {row.pk: row for row in model_admin.get_queryset(request)}
    narrow = list(queue_admin.list_rows(model_admin.get_queryset(request)))
    assert len(narrow) == 2
    for row in narrow:
        # The whole proposal and match details are never read from the database for the list.
        assert {"proposal", "match_details"} <= row.get_deferred_fields()
        queue_admin.list_row_json(row)
        assert cells_of(model_admin, row) == cells_of(model_admin, whole[row.pk])
    shown = cells_of(model_admin, next(r for r in narrow if r.pk == requests[0].pk))
    assert 'src="https://covers.openlibrary.org/b/id/1-L.jpg"' in shown["covers"]


def test_a_page_of_the_queue_lists_its_rows_with_their_proposed_covers(client, monkeypatch):
    from django.contrib import admin

    from tests.enrichment.test_review import needs_review

    monkeypatch.setattr(admin.site._registry[EnrichmentRequest], "list_per_page", 1)
    needs_review()
    second = needs_review("Synthetic Other", "Some Writer")
    client.force_login(librarian())
    listed = client.get(QUEUE_URL, {"p": 2}).context["cl"].result_list  # the paginated path
    assert [row.pk for row in listed] == [second.pk]  # same priority: the older one first
    assert listed[0].proposal.cover is not None
    assert "cover-thumb proposed" in client.get(QUEUE_URL, {"p": 2}).content.decode()


def test_each_rows_checkbox_is_the_one_djangos_widget_renders(rf):
    from django import forms
    from django.contrib import admin
    from django.contrib.admin import helpers
    from django.utils.html import format_html

    request = requests_for(1, status="needs_review", confidence="low")[0]
    model_admin = admin.site._registry[EnrichmentRequest]
    attrs = {
        "class": "action-select",
        "aria-label": format_html("Select this object for an action - {}", str(request)),
    }
    widget = forms.CheckboxInput(attrs, lambda value: False)
    expected = widget.render(helpers.ACTION_CHECKBOX_NAME, str(request.pk))
    assert model_admin.action_checkbox(request) == expected


def test_a_search_of_the_queue_runs_once_for_its_count_and_its_page(client, monkeypatch):
    from django.contrib import admin

    works = Work.objects.bulk_create([Work(title=f"Synthetic Zebrafinch {i}") for i in range(3)])
    EnrichmentRequest.objects.bulk_create(
        [EnrichmentRequest(work=w, trigger="command", status="needs_review") for w in works]
    )
    client.force_login(librarian())
    for per_page in (50, 2):  # fits one page; several pages
        monkeypatch.setattr(admin.site._registry[EnrichmentRequest], "list_per_page", per_page)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE_URL, {"q": "zebrafinch"})
        ran = [
            q["sql"]
            for q in captured.captured_queries
            if "zebrafinch" in q["sql"].lower()
            and 'FROM "enrichment_enrichmentrequest"' in q["sql"]
        ]
        assert len(ran) == 1, per_page
        assert len(response.context["cl"].result_list) == min(3, per_page)
        assert "3 current requests" in visible_text(client, f"{QUEUE_URL}?q=zebrafinch")

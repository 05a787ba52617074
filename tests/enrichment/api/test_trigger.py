"""POST /api/v1/enrichment/trigger and trigger-all: queue works for enrichment as the admin's
"Enrich selected works" and "Enrich all missing" do (the same services), answering 202 with what
was queued; a large trigger-all is a bulk operation a worker runs, followed at operations/{id}."""

import pytest
from django.urls import reverse

from catalog.models import Work
from enrichment import bulk_operations, review
from enrichment.models import BulkOperation, EnrichmentRequest
from tests.enrichment.test_review import needs_review
from tests.factories import make_edition, make_work
from tests.wsgi_server import start_response_as_runserver

pytestmark = pytest.mark.django_db
TRIGGER = reverse("api:enrichment-trigger")
TRIGGER_ALL = reverse("api:enrichment-trigger-all")


def complete_work(title="Complete") -> Work:
    """A work lacking nothing: a cover, a description, a year, subjects, a full edition."""
    work = make_work(
        title,
        cover="covers/x.jpg",
        description="Known.",
        first_published_year=1969,
        subjects=["Fiction"],
    )
    make_edition(work, publisher="Ace", page_count=300)
    return work


def post(api, url, body):
    return api.post(url, body, format="json")


def queue_state() -> list[tuple]:
    return sorted(EnrichmentRequest.objects.values_list("pk", "work_id", "status", "trigger"))


# --- trigger ------------------------------------------------------------------------------------


def test_trigger_queues_the_works_that_need_it_and_says_why_not_the_others(
    api, django_capture_on_commit_callbacks, no_task_queue
):
    bare = make_work("Bare")
    busy = make_work("Busy")
    active = EnrichmentRequest.objects.create(work=busy, trigger="command", status="pending")
    complete = complete_work()
    synthetic = make_work("Found by the backfill", synthetic=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, TRIGGER, {"work_ids": [bare.pk, busy.pk, complete.pk, synthetic.pk]})

    assert response.status_code == 202
    assert response.json() == {
        "queued": 1,
        "already_active": 1,
        "skipped": [
            {"id": complete.pk, "reason": review.NOTHING_MISSING},
            {"id": synthetic.pk, "reason": review.SYNTHETIC},
        ],
    }
    queued = EnrichmentRequest.objects.get(work=bare)
    assert queued.status == "pending" and queued.trigger == "api" and queued.priority == 30
    assert EnrichmentRequest.objects.filter(work=busy).get() == active  # no second request
    # The workers get it once the transaction commits, as from the admin.
    assert [task.args for task in no_task_queue] == [([queued.pk],)]


def test_triggering_twice_queues_once(api):
    bare = make_work("Bare")
    assert post(api, TRIGGER, {"work_ids": [bare.pk]}).json()["queued"] == 1

    again = post(api, TRIGGER, {"work_ids": [bare.pk, bare.pk]})

    assert again.status_code == 202
    assert again.json() == {"queued": 0, "already_active": 1, "skipped": []}
    assert EnrichmentRequest.objects.filter(work=bare).count() == 1


def test_a_work_whose_proposal_waits_for_review_is_not_queued_again_and_says_why(api):
    """The proposal stays in the review list (approve, dismiss or re-run it there): the API's
    triggers never queue a second request beside it."""
    request = needs_review()

    response = post(api, TRIGGER, {"work_ids": [request.work_id]})

    assert response.status_code == 202
    assert response.json() == {
        "queued": 0,
        "already_active": 0,
        "skipped": [{"id": request.work_id, "reason": review.WAITING_FOR_REVIEW}],
    }
    everything = post(api, TRIGGER_ALL, {"covers": True, "metadata": True}).json()
    assert (everything["queued"], everything["waiting_for_review"]) == (0, 1)
    assert list(EnrichmentRequest.objects.values_list("pk", "status")) == [
        (request.pk, "needs_review")
    ]


def test_unknown_ids_are_a_400_listing_them_and_nothing_is_queued(api):
    bare = make_work("Bare")

    response = post(api, TRIGGER, {"work_ids": [bare.pk, 987654, 876543]})

    assert response.status_code == 400
    message = response.json()["error"]["fields"]["work_ids"]
    assert "987654" in message and "876543" in message and str(bare.pk) not in message
    assert not EnrichmentRequest.objects.exists()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "required"),
        ({"work_ids": None}, "may not be null"),
        ({"work_ids": []}, "at least one id"),
        ({"work_ids": "1,2"}, "list"),
        ({"work_ids": {"1": 1}}, "list"),
        ({"work_ids": 7}, "list"),
        ({"work_ids": ["1"]}, "valid integer"),
        ({"work_ids": [1.5]}, "valid integer"),
        ({"work_ids": [True]}, "valid integer"),
        ({"work_ids": [None]}, "may not be null"),
        ({"work_ids": [-3]}, "greater than or equal to 1"),
        ({"work_ids": [0]}, "greater than or equal to 1"),
        ({"work_ids": [2**70]}, "less than or equal to"),
        ({"work_ids": list(range(1, 10_001))}, "At most 500 ids at once, not 10000"),
        ([1, 2], "dictionary"),
        ({"work_id": [1]}, "work_id: This endpoint does not take it; it takes: work_ids."),
        ({"work_ids": [1], "priority": 9}, "priority: This endpoint does not take it"),
    ],
)
def test_bad_bodies_are_a_400_saying_what_is_wrong(api, body, says):
    make_work("Bare")

    response = post(api, TRIGGER, body)

    assert response.status_code == 400, response.content
    assert says in response.json()["error"]["message"]
    assert not EnrichmentRequest.objects.exists()


def test_a_body_that_is_not_json_is_a_400(api):
    response = api.post(TRIGGER, '{"work_ids": [1,', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_the_most_ids_is_the_setting(api, settings):
    settings.API_MAX_WORK_IDS = 2
    works = [make_work(f"Bare {i}") for i in range(3)]

    response = post(api, TRIGGER, {"work_ids": [w.pk for w in works]})

    assert response.status_code == 400 and "At most 2 ids" in response.json()["error"]["message"]
    assert not EnrichmentRequest.objects.exists()


# --- trigger-all --------------------------------------------------------------------------------


def test_trigger_all_queues_what_enrich_missing_would(api):
    bare, no_cover = make_work("Bare"), complete_work("No cover")
    Work.objects.filter(pk=no_cover.pk).update(cover="")
    busy = make_work("Busy")
    EnrichmentRequest.objects.create(work=busy, trigger="command", status="in_progress")
    complete_work()
    make_work("Synthetic", synthetic=True)  # waits for the backfill's daily retry

    response = post(api, TRIGGER_ALL, {"covers": True, "metadata": True})

    assert response.status_code == 202
    assert response.json() == {
        "selected": 3,
        "queued": 2,
        "already_active": 1,
        "waiting_for_review": 0,
        "operation": None,
    }
    queued = EnrichmentRequest.objects.filter(trigger="api")
    assert set(queued.values_list("work_id", flat=True)) == {bare.pk, no_cover.pk}


def test_trigger_all_for_covers_only(api):
    lacks_metadata = complete_work("Lacks metadata")
    Work.objects.filter(pk=lacks_metadata.pk).update(description="")
    bare = make_work("Bare")

    response = post(api, TRIGGER_ALL, {"covers": True, "metadata": False})

    assert response.json()["selected"] == 1 and response.json()["queued"] == 1
    request = EnrichmentRequest.objects.get()
    assert request.work == bare and request.wants_cover and not request.wants_metadata


def test_trigger_all_beyond_200_works_is_a_bulk_operation_a_worker_runs(
    api, reviewer, monkeypatch, django_capture_on_commit_callbacks, no_task_queue
):
    monkeypatch.setattr(bulk_operations, "BULK_INLINE_MAX", 2)  # 3 works: "too many" to inline
    works = [make_work(f"Bare {i}") for i in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, TRIGGER_ALL, {})  # both default to true

    assert response.status_code == 202
    body = response.json()
    assert body["selected"] == 3 and body["queued"] is None and body["already_active"] is None
    operation = BulkOperation.objects.get()
    assert body["operation"]["id"] == operation.pk and body["operation"]["status"] == "pending"
    follow = reverse("api:enrichment-operation", args=[operation.pk])
    assert response["Location"] == body["operation"]["url"] == f"http://testserver{follow}"
    start_response_as_runserver(response)  # a plain str: runserver sends it (it answered 500)
    assert not EnrichmentRequest.objects.exists()  # nothing inline: a worker queues them
    assert [task.func for task in no_task_queue] == ["enrichment.tasks.run_bulk_operation"]
    assert operation.created_by == reviewer and operation.action == "enrich_missing"

    bulk_operations.bulk_operation_run(operation_id=operation.pk)  # the worker

    progress = api.get(follow).json()
    assert progress["status"] == "completed" and progress["finished"] is True
    assert (progress["total"], progress["done"], progress["changed"]) == (3, 3, 3)
    assert set(
        EnrichmentRequest.objects.filter(trigger="api").values_list("work_id", flat=True)
    ) == {w.pk for w in works}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"covers": False, "metadata": False}, "both are false"),
        ({"covers": "true"}, "Must be a valid boolean"),
        ({"metadata": 0}, "Must be a valid boolean"),
        ({"covers": None}, "may not be null"),
        ("all", "dictionary"),
        # A misspelt flag is not read as its default (true): nothing is queued.
        ({"metadta": False}, "metadta: This endpoint does not take it; it takes: covers, metadata"),
    ],
)
def test_trigger_all_bad_bodies_are_a_400(api, body, says):
    make_work("Bare")

    response = post(api, TRIGGER_ALL, body)

    assert response.status_code == 400, response.content
    assert says in response.json()["error"]["message"]
    assert not EnrichmentRequest.objects.exists() and not BulkOperation.objects.exists()


def test_an_unknown_operation_is_a_json_404(api):
    response = api.get(reverse("api:enrichment-operation", args=[987654]))

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_query_parameter_of_an_action_is_a_400_and_nothing_is_queued(api):
    """`trigger-all?covers=false` queued metadata and covers alike, its parameter ignored."""
    make_work("Bare")

    response = api.post(f"{TRIGGER_ALL}?covers=false", {}, format="json")

    assert response.status_code == 400
    assert "covers" in response.json()["error"]["fields"]
    assert not EnrichmentRequest.objects.exists() and not BulkOperation.objects.exists()

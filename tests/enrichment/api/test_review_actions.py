"""POST /api/v1/enrichment/{id}/approve and /dismiss: the review page's decisions (the same
services, enrichment.review), audited with the API's user as the actor; 409 once a request no
longer awaits review, and nothing changes."""

import functools

import pytest
from django.urls import reverse

from catalog.models import Edition, Work
from enrichment import review
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import decision_url, librarian
from tests.enrichment.test_review_safe_approval import REFUSAL, another_authors_book
from tests.factories import make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status


def approve(api, request, body=None):
    return api.post(reverse("api:enrichment-approve", args=[request.pk]), body, format="json")


def dismiss(api, request, body=None):
    return api.post(reverse("api:enrichment-dismiss", args=[request.pk]), body, format="json")


def catalog_state(request) -> tuple:
    """What a decision could change: the request, its work and edition, the audit log."""
    request.refresh_from_db()
    edition = Edition.objects.get(work=request.work_id)
    work = Work.objects.get(pk=request.work_id)
    return (
        request.status,
        request.reviewed_by_id,
        request.proposal.to_json(),
        edition.publisher,
        edition.page_count,
        work.description,
        work.enrichment_status,
        AuditLogEntry.objects.count(),
    )


# --- approve ------------------------------------------------------------------------------------


def test_approving_the_safe_proposal_fills_empty_fields_audited_as_the_api_user(
    api, reviewer, django_capture_on_commit_callbacks, no_task_queue
):
    request = needs_review()

    with django_capture_on_commit_callbacks(execute=True):
        response = approve(api, request)  # no body: the safe proposal

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == request.pk and body["status"] == "completed"
    assert body["applied"]["page_count"] == {"old": None, "new": 370, "target": "edition"}
    assert "publisher" not in body["applied"]  # it holds a value: only a chosen field replaces
    assert body["cover_download_queued"] is True and body["refused"] == {}
    edition = Edition.objects.get(work=request.work_id)
    assert edition.page_count == 370 and edition.publisher == "Harper"
    entry = AuditLogEntry.objects.get(action="review_apply")
    assert entry.actor == reviewer and entry.actor_label == "reviewer"
    request.refresh_from_db()
    assert request.reviewed_by == reviewer and request.status == Status.COMPLETED
    # The cover is downloaded by a worker, as after the review page's approval.
    assert ("enrichment.tasks.fetch_covers_for_requests", ([request.pk], reviewer.pk)) in [
        (task.func, task.args) for task in no_task_queue
    ]


def test_null_fields_is_a_400_saying_what_to_send_and_applies_nothing(api):
    """`{"fields": null}` (a client's list left unset) applied the safe proposal unasked."""
    request = needs_review()
    before = catalog_state(request)

    response = approve(api, request, {"fields": None})

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["fields"]["fields"] == (
        "Send a list of the field names to apply, or leave `fields` out to approve the safe "
        "proposal (empty fields only, and the cover of a work without one)."
    )
    assert catalog_state(request) == before


def test_approving_chosen_fields_replaces_a_value(api, reviewer):
    request = needs_review()

    response = approve(api, request, {"fields": ["publisher"]})

    assert response.status_code == 200
    assert response.json()["applied"] == {
        "publisher": {"old": "Harper", "new": "HarperTorch", "target": "edition"}
    }
    edition = Edition.objects.get(work=request.work_id)
    assert edition.publisher == "HarperTorch" and edition.page_count is None  # not chosen
    assert AuditLogEntry.objects.get(action="review_apply").actor == reviewer


def test_a_completed_requests_remaining_fields_may_still_be_chosen_as_on_the_review_page(api):
    request = needs_review()
    assert approve(api, request).status_code == 200  # the safe part

    response = approve(api, request, {"fields": ["publisher"]})  # then a replacement

    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert Edition.objects.get(work=request.work_id).publisher == "HarperTorch"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            {"fields": ["publisher", "price", "shelf"]},
            "Not proposed for this request: price, shelf",
        ),
        ({"fields": []}, "may not be empty"),
        ({"fields": "publisher"}, "list"),
        ({"fields": [5]}, "Not a valid string"),
        ({"fields": [None]}, "may not be null"),
        ({"fields": [["publisher"]]}, "Not a valid string"),
        ({"fields": ["x" * 65]}, "no more than 64 characters"),
        ({"fields": ["publisher"] * 101}, "no more than 100 elements"),
        (["publisher"], "dictionary"),
        # A misspelt key is not read as "no fields" (the safe proposal): nothing is applied.
        ({"field": ["publisher"]}, "field: This endpoint does not take it; it takes: fields."),
    ],
)
def test_bad_approvals_are_a_400_and_change_nothing(api, body, says):
    request = needs_review()
    before = catalog_state(request)

    response = approve(api, request, body)

    assert response.status_code == 400, response.content
    assert says in response.json()["error"]["message"]
    assert catalog_state(request) == before


def test_the_page_the_bulk_action_and_the_api_approve_the_safe_proposal_by_one_rule(
    api, client, reviewer
):
    """enrichment.safe_approval: a medium match's safe proposal is approved in one click by
    each of them; a low one's (the record may be another book's) by none, each saying why and
    applying nothing. The API approved what the bulk action left for a reviewer to check."""
    client.force_login(librarian())
    bulk_approve = functools.partial(review.requests_approve_bulk, actor=reviewer)
    medium = [needs_review(f"Book {i}", f"Author {i}") for i in range(3)]
    low = [another_authors_book(f"Les Enchanteurs {i}") for i in range(3)]

    page_answers = [
        client.post(decision_url(request, "approve"), {"_safe": "1"}, follow=True)
        for request in (medium[0], low[0])
    ]
    bulk_answers = [
        bulk_approve(queryset=EnrichmentRequest.objects.filter(pk=request.pk))
        for request in (medium[1], low[1])
    ]
    api_answers = [approve(api, request) for request in (medium[2], low[2])]

    for request in medium:
        request.refresh_from_db()
        assert request.status == Status.COMPLETED
        assert Edition.objects.get(work=request.work_id).page_count == 370
    for request in low:
        request.refresh_from_db()
        assert request.status == Status.NEEDS_REVIEW and not request.fields_applied
        assert Edition.objects.get(work=request.work_id).page_count is None
    assert not AuditLogEntry.objects.filter(request__in=low).exists()
    assert REFUSAL.replace("'", "&#x27;") in page_answers[1].content.decode()
    assert bulk_answers[1].reasons == {"of low confidence (check each on its page)": 1}
    assert api_answers[0].status_code == 200
    assert api_answers[1].status_code == 409
    assert api_answers[1].json()["error"]["message"].startswith(REFUSAL)


def test_approving_a_request_that_no_longer_awaits_review_is_a_409(api):
    request = needs_review()
    assert approve(api, request).status_code == 200
    before = catalog_state(request)

    response = approve(api, request)  # the safe proposal again: nothing is left

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "It was already approved: nothing is left to apply.",
    }
    assert catalog_state(request) == before


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (Status.PENDING, "still being looked up"),
        (Status.IN_PROGRESS, "still being looked up"),
        (Status.FAILED, "It failed"),
        (Status.SKIPPED, "skipped"),
    ],
)
def test_approving_a_request_not_awaiting_review_is_a_409_saying_why(api, status, says):
    request = needs_review()
    EnrichmentRequest.objects.filter(pk=request.pk).update(status=status)
    before = catalog_state(request)

    response = approve(api, request, {"fields": ["publisher"]})

    assert response.status_code == 409 and says in response.json()["error"]["message"]
    assert catalog_state(request) == before


def test_approving_fields_of_a_request_not_looked_up_yet_is_a_409_not_a_bad_name(api):
    """A queued request has no proposal yet: naming fields was a 400 "Not proposed for this
    request: publisher", as if the name were wrong, where waiting is the answer."""
    work = make_work("Synthetic Queued")
    trigger = api.post(reverse("api:enrichment-trigger"), {"work_ids": [work.pk]}, format="json")
    assert trigger.status_code == 202
    queued = EnrichmentRequest.objects.get(work=work)

    response = approve(api, queued, {"fields": ["publisher"]})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "It is still being looked up: wait until the providers have answered.",
    }
    assert EnrichmentRequest.objects.get(pk=queued.pk).status == Status.PENDING


def test_approving_an_unknown_request_is_a_json_404(api):
    response = api.post(reverse("api:enrichment-approve", args=[987654]), {}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


# --- dismiss ------------------------------------------------------------------------------------


def test_dismissing_keeps_the_catalog_and_is_audited_as_the_api_user(api, reviewer):
    request = needs_review()
    publisher = Edition.objects.get(work=request.work_id).publisher

    response = dismiss(api, request, {"reason": "  Another edition.  "})

    assert response.status_code == 200
    assert response.json() == {
        "id": request.pk,
        "status": "skipped",
        "review_note": "Dismissed: Another edition.",
    }
    entry = AuditLogEntry.objects.get(action="dismiss")
    assert entry.actor == reviewer and entry.note == "Another edition."
    assert entry.request_id == request.pk and entry.changes == {}
    assert Edition.objects.get(work=request.work_id).publisher == publisher
    request.refresh_from_db()
    assert request.status == Status.SKIPPED and request.reviewed_by == reviewer


def test_dismissing_without_a_reason(api):
    request = needs_review()

    response = dismiss(api, request)

    assert response.status_code == 200 and response.json()["review_note"] == "Dismissed."


def test_dismissing_twice_is_a_409_and_writes_nothing_more(api):
    request = needs_review()
    assert dismiss(api, request).status_code == 200
    before = catalog_state(request)

    response = dismiss(api, request, {"reason": "again"})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "It was already dismissed."
    assert catalog_state(request) == before


def test_dismissing_an_approved_request_is_a_409(api):
    request = needs_review()
    assert approve(api, request).status_code == 200
    before = catalog_state(request)

    response = dismiss(api, request)

    assert response.status_code == 409
    assert "Only requests waiting for review" in response.json()["error"]["message"]
    assert catalog_state(request) == before


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"reason": 5}, "Not a valid string"),
        ({"reason": ["no"]}, "Not a valid string"),
        ({"reason": None}, "may not be null"),
        ({"reason": "x" * 2001}, "no more than 2000 characters"),
        ({"note": "Wrong book."}, "note: This endpoint does not take it; it takes: reason."),
    ],
)
def test_bad_dismissals_are_a_400_and_change_nothing(api, body, says):
    request = needs_review()
    before = catalog_state(request)

    response = dismiss(api, request, body)

    assert response.status_code == 400 and says in response.json()["error"]["message"]
    assert catalog_state(request) == before


def test_a_body_giving_a_key_twice_is_a_400_not_its_last_value(api):
    """`{"fields": ["publisher"], "fields": null}` approved the safe proposal (the last value)."""
    request = needs_review()
    before = catalog_state(request)

    response = api.post(
        reverse("api:enrichment-approve", args=[request.pk]),
        '{"fields": ["publisher"], "fields": null}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "parse_error",
        "message": "JSON parse error - the key 'fields' is given twice",
    }
    assert catalog_state(request) == before


def test_an_empty_field_is_said_as_the_catalog_holds_it_null_for_a_key_blank_for_text(api):
    """The catalog keeps an unknown Open Library key or ISBN-13 as NULL (the works list says
    null) and an unknown description or language as "": `current`, `current_when_proposed` and
    an approval's `old` say each as it is held. A key's was "" in them, null in the works list."""
    request = needs_review()
    detail = api.get(reverse("api:enrichment-request", args=[request.pk])).json()
    fields = {field["name"]: field for field in detail["proposal"]["fields"]}
    work = api.get(reverse("api:work-list")).json()["results"][0]
    assert work["openlibrary_work_key"] is None  # what the catalog holds

    response = approve(api, request, {"fields": ["openlibrary_work_key", "language"]})

    assert fields["openlibrary_work_key"]["current"] is None
    assert fields["openlibrary_work_key"]["current_when_proposed"] is None
    assert fields["language"]["current"] == "" and fields["description"]["current"] == ""
    assert response.json()["applied"] == {
        "openlibrary_work_key": {"old": None, "new": "OL1W", "target": "work"},
        "language": {"old": "", "new": "en", "target": "edition"},
    }

"""If-Match on the review actions (RFC 9110 §13.1.1): `GET {id}` gives the request's ETag, and
approve or dismiss sent with it decide only while the request, its proposal and what its fields
hold in the catalog are as read; else a 412, nothing changed. It was ignored: a client guarding
its decision against another reviewer's, or an edit made meanwhile, changed the catalog anyway.
The endpoints that act on no object a client reads refuse any If-Match the same way."""

import pytest
from django.urls import reverse

from catalog.models import Edition, ImportJob
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.catalog.api.conftest import client_for
from tests.catalog.api.conftest import user_with as catalog_user_with
from tests.catalog.api.test_imports import TWO_BOOKS, csv_file
from tests.enrichment.api.test_review_actions import approve, catalog_state
from tests.enrichment.test_review import needs_review

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status


def etag_of(api, request) -> str:
    response = api.get(reverse("api:enrichment-request", args=[request.pk]))
    assert response.status_code == 200
    return response["ETag"]


def test_a_request_is_read_with_a_strong_etag_that_stays_while_nothing_changes(api):
    request = needs_review()

    etag = etag_of(api, request)

    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert etag_of(api, request) == etag


def test_approving_with_the_etag_read_applies(api):
    request = needs_review()
    etag = etag_of(api, request)

    response = api.post(
        reverse("api:enrichment-approve", args=[request.pk]),
        {"fields": ["publisher"]},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    assert Edition.objects.get(work=request.work_id).publisher == "HarperTorch"


def test_approving_after_the_field_was_edited_since_the_read_is_412_and_keeps_the_edit(api):
    request = needs_review()
    etag = etag_of(api, request)
    Edition.objects.filter(work=request.work_id).update(publisher="Typed by a librarian")
    before = catalog_state(request)

    response = api.post(
        reverse("api:enrichment-approve", args=[request.pk]),
        {"fields": ["publisher"]},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    error = response.json()["error"]
    assert error["code"] == "precondition_failed"
    assert error["message"].startswith(f"It changed since its ETag {etag} was read (it is now ")
    assert catalog_state(request) == before
    assert Edition.objects.get(work=request.work_id).publisher == "Typed by a librarian"


def test_dismissing_after_another_reviewer_approved_is_412_not_a_409_after_the_fact(api):
    request = needs_review()
    etag = etag_of(api, request)
    assert approve(api, request, {"fields": ["page_count"]}).status_code == 200  # another one
    before = catalog_state(request)

    response = api.post(
        reverse("api:enrichment-dismiss", args=[request.pk]),
        {"reason": "Another edition."},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    assert catalog_state(request) == before


@pytest.mark.parametrize(
    "if_match", ['"0000000000000000"', "W/{etag}", "{etag}-but-unquoted", '""']
)
def test_an_if_match_naming_no_current_etag_is_412(api, if_match):
    request = needs_review()
    etag = etag_of(api, request)

    response = api.post(
        reverse("api:enrichment-dismiss", args=[request.pk]),
        {"reason": "x"},
        format="json",
        HTTP_IF_MATCH=if_match.format(etag=etag),
    )

    assert response.status_code == 412
    request.refresh_from_db()
    assert request.status == Status.NEEDS_REVIEW and not AuditLogEntry.objects.exists()


@pytest.mark.parametrize("if_match", ["*", '"0000000000000000", {etag}'])
def test_a_star_or_a_list_holding_the_etag_holds(api, if_match):
    request = needs_review()
    etag = etag_of(api, request)

    response = api.post(
        reverse("api:enrichment-dismiss", args=[request.pk]),
        {"reason": "Another edition."},
        format="json",
        HTTP_IF_MATCH=if_match.format(etag=etag),
    )

    assert response.status_code == 200, response.content


def test_an_unknown_request_is_404_whatever_its_if_match(api):
    response = api.post(
        reverse("api:enrichment-approve", args=[999999]), None, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (reverse("api:enrichment-trigger"), {"work_ids": [1]}),
        (reverse("api:enrichment-trigger-all"), {}),
    ],
)
def test_an_endpoint_with_no_etag_refuses_if_match_and_does_nothing(api, url, body):
    response = api.post(url, body, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 412
    assert response.json()["error"]["message"].startswith(
        "This endpoint acts on no object with an ETag, so If-Match cannot hold"
    )
    assert not EnrichmentRequest.objects.filter(trigger="api").exists()


def test_an_upload_with_an_if_match_is_412_and_nothing_is_imported():
    importer = catalog_user_with("ivy", "catalog.import_books")
    client = client_for(importer)

    response = client.post(
        reverse("api:import-create"),
        {"file": csv_file(TWO_BOOKS)},
        format="multipart",
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 412
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("tag", ["{etag}", "W/{etag}", "*", '"0000000000000000", {etag}'])
def test_reading_a_request_again_with_its_etag_in_if_none_match_is_304_without_a_body(api, tag):
    request = needs_review()
    etag = etag_of(api, request)

    response = api.get(
        reverse("api:enrichment-request", args=[request.pk]),
        HTTP_IF_NONE_MATCH=tag.format(etag=etag),
    )

    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag


def test_a_request_changed_since_its_etag_is_read_whole_with_the_new_etag(api):
    request = needs_review()
    etag = etag_of(api, request)
    Edition.objects.filter(work=request.work_id).update(publisher="Typed by a librarian")

    response = api.get(
        reverse("api:enrichment-request", args=[request.pk]), HTTP_IF_NONE_MATCH=etag
    )

    assert response.status_code == 200 and response["ETag"] != etag
    publisher = [f for f in response.json()["proposal"]["fields"] if f["name"] == "publisher"]
    assert publisher[0]["current"] == "Typed by a librarian"


def test_reading_a_request_with_an_if_match_it_no_longer_holds_is_412(api):
    request = needs_review()
    etag = etag_of(api, request)
    url = reverse("api:enrichment-request", args=[request.pk])
    assert api.get(url, HTTP_IF_MATCH=etag).status_code == 200
    Edition.objects.filter(work=request.work_id).update(publisher="Typed by a librarian")

    response = api.get(url, HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"

"""Every read answers with an ETag and reads If-None-Match and If-Match as RFC 9110 says: a
list's page, works' states, a job's or an operation's progress have their answer's digest. On
them both headers were ignored: a client polling an import with the ETag it read got the whole
answer each time, and one sending an If-Match was answered as if it held. A decision sent with
an If-None-Match that names the request as it is (or `*`) was taken anyway."""

import hashlib

import pytest
from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from enrichment.models import BulkOperation, EnrichmentRequest
from tests.catalog.api.conftest import client_for
from tests.catalog.api.conftest import user_with as catalog_user_with
from tests.catalog.api.test_imports import TWO_BOOKS, csv_file
from tests.enrichment.api.test_review_actions import catalog_state
from tests.enrichment.test_review import needs_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(api) -> list[str]:
    """The reader's lists and objects: each read with no ETag of its own before."""
    request = needs_review()
    operation = BulkOperation.objects.create(action="enrich_missing", total=0)
    return [
        reverse("api:work-list"),
        reverse("api:enrichment-queue"),
        reverse("api:enrichment-status") + f"?work_ids={request.work_id}",
        reverse("api:enrichment-operation", args=[operation.pk]),
    ]


def test_every_read_has_an_etag_and_is_304_while_its_answer_is_the_same(api, reads):
    for url in reads:
        first = api.get(url)
        etag = first["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), url

        again = api.get(url, HTTP_IF_NONE_MATCH=etag)
        head = api.head(url, HTTP_IF_NONE_MATCH=f"W/{etag}")

        assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag), url
        assert head.status_code == 304, url


def test_a_reads_etag_digests_the_bytes_it_sends_rendered_once(api, reads, monkeypatch):
    """The ETag was the digest of a second rendering of the answer (about 3 % of a 200-work
    page): the JSON is rendered once, and its bytes are what the ETag is of."""
    renders = []
    render = JSONRenderer.render

    def counted(self, *args, **kwargs):
        renders.append(1)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(JSONRenderer, "render", counted)
    for url in reads:
        renders.clear()
        response = api.get(url)

        assert response.status_code == 200, url
        assert len(renders) == 1, url
        digest = hashlib.sha256(response.content).hexdigest()[:16]
        assert response["ETag"] == f'"{digest}"', url


def test_every_read_with_an_if_match_it_does_not_hold_is_a_json_412(api, reads):
    for url in reads:
        etag = api.get(url)["ETag"]
        assert api.get(url, HTTP_IF_MATCH=etag).status_code == 200, url
        assert api.get(url, HTTP_IF_MATCH="*").status_code == 200, url

        response = api.get(url, HTTP_IF_MATCH='"0000000000000000"')

        assert response.status_code == 412, url
        assert response.json()["error"]["code"] == "precondition_failed"
        assert f"(it is now {etag})" in response.json()["error"]["message"]


def test_a_queue_changed_since_its_etag_was_read_is_read_whole_with_a_new_one(api):
    request = needs_review()
    url = reverse("api:enrichment-queue")
    etag = api.get(url)["ETag"]
    EnrichmentRequest.objects.filter(pk=request.pk).update(status="failed")

    response = api.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200 and response["ETag"] != etag
    assert response.json()["results"][0]["status"] == "failed"


def test_an_import_job_polled_with_its_etag_is_304_until_it_changes():
    client = client_for(catalog_user_with("ivy", "catalog.import_books"))
    job = client.post(
        reverse("api:import-create"), {"file": csv_file(TWO_BOOKS)}, format="multipart"
    ).json()
    for url in (
        reverse("api:import-detail", args=[job["id"]]),
        reverse("api:import-rows", args=[job["id"]]),
    ):
        etag = client.get(url)["ETag"]

        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url
        assert client.get(url, HTTP_IF_MATCH='"x"').status_code == 412, url


@pytest.mark.parametrize("tag", ["*", "{etag}"])
def test_a_decision_with_an_if_none_match_naming_the_request_as_it_is_does_nothing(api, tag):
    request = needs_review()
    etag = api.get(reverse("api:enrichment-request", args=[request.pk]))["ETag"]
    before = catalog_state(request)

    response = api.post(
        reverse("api:enrichment-dismiss", args=[request.pk]),
        {"reason": "x"},
        format="json",
        HTTP_IF_NONE_MATCH=tag.format(etag=etag),
    )

    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    assert catalog_state(request) == before


def test_a_decision_with_an_if_none_match_naming_another_etag_is_taken(api):
    request = needs_review()

    response = api.post(
        reverse("api:enrichment-dismiss", args=[request.pk]),
        {"reason": "x"},
        format="json",
        HTTP_IF_NONE_MATCH='"0000000000000000"',
    )

    assert response.status_code == 200, response.content


def test_the_schema_documents_each_reads_304_and_412(api):
    schema = api.get(reverse("api:schema") + "?format=json").json()

    for path, operations in schema["paths"].items():
        if "get" in operations:
            assert {"304", "412"} <= set(operations["get"]["responses"]), path


def test_an_action_on_no_object_a_client_reads_holds_an_if_none_match(api):
    """RFC 9110: no current representation, so `If-None-Match: *` holds (If-Match fails)."""
    request = needs_review()
    EnrichmentRequest.objects.filter(pk=request.pk).update(status="failed")

    response = api.post(
        reverse("api:enrichment-trigger"),
        {"work_ids": [request.work_id]},
        format="json",
        HTTP_IF_NONE_MATCH="*",
    )

    assert response.status_code == 202, response.content


@pytest.mark.parametrize("url", [reverse("api:schema"), reverse("api:schema") + "?format=json"])
def test_the_schema_read_again_with_its_etag_is_304(api, url):
    """It ignored If-None-Match: a client, or the schema's page in a browser, that had the
    schema read it whole each time."""
    first = api.get(url)
    etag = first["ETag"]

    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    wrong = api.get(url, HTTP_IF_MATCH='"0000000000000000"')

    assert first.status_code == 200 and etag.startswith('"')
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert wrong.status_code == 412
    assert wrong.json()["error"]["code"] == "precondition_failed"

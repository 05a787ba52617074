"""The links the API gives (a list's pages, an object's `url`, the `Location` naming it) by one
rule (bookstore.api_links): the query the client listed with (filters, `limit`), never `format`
nor a parameter given blank, which DRF's links repeated."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import ImportJob
from enrichment import bulk_operations
from enrichment.models import EnrichmentRequest
from tests.factories import make_work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]


def query_of(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query, keep_blank_values=True)


@pytest.fixture
def three_works():
    works = [make_work(f"Synthetic Neverwhere {i}") for i in range(3)]
    for work in works:
        EnrichmentRequest.objects.create(work=work, trigger="command")
    return works


@pytest.mark.parametrize(
    ("url", "name", "value", "blank"),
    [
        (reverse("api:work-list"), "q", "Neverwhere", "missing"),
        (reverse("api:enrichment-queue"), "status", "pending", "confidence"),
    ],
)
@pytest.mark.parametrize("format_given", ["json", ""])
def test_a_lists_page_links_keep_its_filters_and_limit_but_not_format_or_blanks(
    admin_api, three_works, url, name, value, blank, format_given
):
    """`works/?format=json&limit=1` gave `next: …?cursor=…&format=json&limit=1`, and a blank
    filter (`missing=`) was carried on too."""
    first = admin_api.get(url, {name: value, "limit": 1, "format": format_given, blank: ""})
    assert first.status_code == 200, first.content
    second = admin_api.get(first.json()["next"])

    for link in (first.json()["next"], second.json()["previous"], second.json()["next"]):
        query = query_of(link)
        assert set(query) == {name, "limit", "cursor"}, link
        assert query[name] == [value] and query["limit"] == ["1"]


def test_an_import_jobs_links_carry_no_format(admin_api):
    job = ImportJob.objects.create(
        uploaded_by=User.objects.get(username="root"), original_filename="synthetic.csv"
    )

    body = admin_api.get(reverse("api:import-detail", args=[job.pk]), {"format": "json"}).json()

    assert body["url"] == f"http://testserver{reverse('api:import-detail', args=[job.pk])}"
    assert body["rows_url"] == f"http://testserver{reverse('api:import-rows', args=[job.pk])}"


def test_an_operations_link_and_location_carry_no_format(
    admin_api, monkeypatch, django_capture_on_commit_callbacks, sent_tasks
):
    monkeypatch.setattr(bulk_operations, "BULK_INLINE_MAX", 2)  # 3 works: a bulk operation
    for i in range(3):
        make_work(f"Synthetic Bare {i}")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            reverse("api:enrichment-trigger-all") + "?format=json", {}, format="json"
        )

    assert response.status_code == 202, response.content
    link = response.json()["operation"]["url"]
    assert response["Location"] == link
    assert query_of(link) == {}
    assert admin_api.get(link).status_code == 200

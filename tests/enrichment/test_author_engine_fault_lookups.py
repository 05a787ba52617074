"""An author request's faults name the lookup that failed, as a book's do ("the ISBN lookup",
"the title search"): by id (an Open Library key, a Goodreads id) or the name search; the
request's page says which. Against the loopback sources server of test_author_engine."""

import pytest
from django.urls import reverse

from enrichment.models import EnrichmentRequest
from tests.enrichment.test_author_engine import (  # noqa: F401
    ORWELL_KEY,
    sources,
    work_queue,
)
from tests.enrichment.test_unreachable_providers import text_of
from tests.factories import make_author

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status


def errors_on_page(client, request: EnrichmentRequest) -> str:
    page = client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    return text_of(page.content.decode()).split("Errors:", 1)[1]


def test_a_record_asked_by_id_that_fails_is_named_the_lookup_by_id(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
    admin_client,
    settings,
):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    sources.json(f"/ol/authors/{ORWELL_KEY}.json", b"busy", status=503)

    [request] = work_queue(make_author("George Orwell", openlibrary_key=ORWELL_KEY))

    assert request.status == Status.PENDING  # backed off, to be tried again
    assert [f.lookup for f in request.match_details.faults] == ["author_id"]
    assert "Open Library (the lookup by id failed): " in errors_on_page(admin_client, request)


def test_a_name_search_that_fails_is_named_the_name_search(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
    admin_client,
    settings,
):
    """An author we hold no id of is searched on Wikidata by name; an answer that cannot be
    read (synthetic: a body that is not JSON) is that search's fault."""
    settings.ENRICHMENT_PROVIDERS = ["wikidata"]
    sources.sparql["label"] = b"<html>busy</html>"

    [request] = work_queue(make_author("George Orwell"))

    assert [f.lookup for f in request.match_details.faults] == ["name_search"]
    assert "Wikidata (the name search failed): " in errors_on_page(admin_client, request)

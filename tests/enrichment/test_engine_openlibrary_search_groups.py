"""The engine's title searches through the real Open Library client: a batch's books without an
ISBN cost one grouped search.json request, and each book is matched to its own record.

The grouped answer is built here from the docs of two recorded search.json bodies (see
tests/enrichment/providers/test_openlibrary_search_groups.py).
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from enrichment.models import EnrichmentRequest
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.providers.helpers import load
from tests.enrichment.test_engine import enqueue_and_run
from tests.factories import make_work

SEARCH = "https://openlibrary.org/search.json"
LOTR_DOCS = load("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json")[
    "docs"
]
TIME_WAR_DOC = load("openlibrary", "search__this_is_how_you_lose_the_time_war.json")["docs"][0]


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def online(settings, http):
    settings.OPENLIBRARY_URL = "https://openlibrary.org"
    settings.OPENLIBRARY_RATE = 1000.0  # no waiting between this test's requests
    return OpenLibraryProvider()


@pytest.fixture(autouse=True)
def no_cover_downloads(monkeypatch):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids, actor_id=None: None)


def chosen_work(work) -> str:
    """The Open Library work the request's decision rests on ("" when none matched)."""
    details = EnrichmentRequest.objects.get(work=work).match_details
    seen = [c for c in details.candidates if c.tier != "none"]
    return seen[0].ids.get("openlibrary_work", "") if seen else ""


@pytest.mark.django_db
def test_a_batch_of_books_without_isbn_costs_one_search_and_each_gets_its_own_record(http, online):
    lotr = make_work("The Lord of the Rings", authors=["J. R. R. Tolkien"])
    time_war = make_work("This Is How You Lose the Time War", authors=["Amal El-Mohtar"])
    nobody = make_work("A Book Nobody Wrote", authors=["Nobody At All"])
    # Tolkien's docs first, the Time War's last: the place of a doc says nothing.
    http.add(responses.GET, SEARCH, json={"numFound": 4, "docs": [*LOTR_DOCS[:3], TIME_WAR_DOC]})
    google = FakeProvider("google_books")  # knows none of them

    enqueue_and_run([online, google], work_ids=[lotr.pk, time_war.pk, nobody.pk])

    assert len(http.calls) == 1
    assert parse_qs(urlsplit(http.calls[0].request.url).query)["q"][0].count(" OR ") == 2
    assert chosen_work(lotr) == "OL27448W"
    assert chosen_work(time_war) == "OL20639540W"
    assert chosen_work(nobody) == ""
    statuses = dict(EnrichmentRequest.objects.values_list("work_id", "status"))
    assert statuses == {lotr.pk: "needs_review", time_war.pk: "needs_review", nobody.pk: "skipped"}
    # Google was asked only for the book Open Library did not resolve.
    assert google.search_calls == [("A Book Nobody Wrote", "Nobody At All")]


@pytest.mark.django_db
def test_a_grouped_search_that_fails_backs_off_its_books(http, online):
    first = make_work("The Lord of the Rings", authors=["J. R. R. Tolkien"])
    second = make_work("This Is How You Lose the Time War", authors=["Amal El-Mohtar"])
    http.add(responses.GET, SEARCH, status=502, body="bad gateway")

    enqueue_and_run([online], work_ids=[first.pk, second.pk])

    assert len(http.calls) == 1  # not asked again one by one
    for request in EnrichmentRequest.objects.all():
        assert request.status == "pending"  # backed off, retried later
        assert request.attempts == 1
        assert "502" in request.last_error

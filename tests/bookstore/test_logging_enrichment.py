"""The enrichment engine and the provider clients bind what they work on to the log context:
a line logged while one book is decided names its work, one logged about a provider's answer
names the provider."""

import logging

import pytest
import responses

from enrichment import engine, queue
from enrichment.candidates import LookupStatus
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.bookstore.logging_support import captured_json_lines
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.providers.helpers import FakeClock
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    with captured_json_lines() as lines:
        yield lines


@pytest.fixture(autouse=True)
def no_cover_downloads(monkeypatch):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids, actor_id=None: None)


def claim_requests_for(*works):
    ids = queue.works_enqueue_enrichment(dispatch=False, work_ids=[w.pk for w in works])
    return queue.requests_claim(request_ids=ids)


class _BrokenProvider(FakeProvider):
    def lookup_isbns(self, isbns):
        raise RuntimeError("synthetic bug in handling the answer")


def test_a_providers_failure_in_a_batch_is_logged_with_the_providers_name(json_lines):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(work, isbn13="9780060557812")

    engine.process_requests(claim_requests_for(work), providers=[_BrokenProvider("google_books")])

    failed = [line for line in json_lines() if "handling its answers failed" in line["message"]]
    assert len(failed) == 1
    assert failed[0]["provider"] == "google_books"
    assert "synthetic bug" in failed[0]["exc_info"]


def test_each_books_decision_is_logged_with_its_work_id(json_lines, monkeypatch):
    works = [make_work(title, authors=["Neil Gaiman"]) for title in ("Neverwhere", "Stardust")]
    for work, isbn13 in zip(works, ["9780060557812", "9780061142024"], strict=True):
        make_edition(work, isbn13=isbn13)
    decide_book = engine._decide_book

    def logging_decision(book):
        logging.getLogger("enrichment.engine").warning("deciding %s", book.query.title)
        return decide_book(book)

    monkeypatch.setattr(engine, "_decide_book", logging_decision)

    engine.process_requests(claim_requests_for(*works), providers=[FakeProvider()])

    deciding = {
        line["message"]: line.get("work_id")
        for line in json_lines()
        if line["message"].startswith("deciding")
    }
    assert deciding == {"deciding Neverwhere": works[0].pk, "deciding Stardust": works[1].pk}


def test_a_books_failed_decision_is_logged_with_its_work_id(json_lines, monkeypatch):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(work, isbn13="9780060557812")

    def failing_decision(book):
        raise RuntimeError("synthetic bug in deciding a book")

    monkeypatch.setattr(engine, "_decide_book", failing_decision)

    engine.process_requests(claim_requests_for(work), providers=[FakeProvider()])

    (failed,) = [line for line in json_lines() if line["message"].endswith("failed")]
    assert failed["work_id"] == work.pk
    assert "synthetic bug in deciding a book" in failed["exc_info"]


def test_a_providers_fault_is_logged_with_its_name(json_lines, settings):
    settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
    clock = FakeClock()
    openlibrary = OpenLibraryProvider(clock=clock.time, sleep=clock.sleep)
    with responses.RequestsMock() as http:
        http.get("https://openlibrary.org/api/books", status=500, body="synthetic outage")
        result = openlibrary.lookup_isbns(["9780060557812"])

    assert result["9780060557812"].status != LookupStatus.FOUND
    faults = [line for line in json_lines() if line["logger"] == "enrichment.providers.exchange"]
    assert faults, "the fault is logged"
    assert {line.get("provider") for line in faults} == {"openlibrary"}

"""Open Library's search API as a backfill source, against a local HTTP server.

The server answers `search.json` with the recorded body
`tests/fixtures/providers/openlibrary/search__author_tolkien__title_lord_of_the_rings__2013.json`
(a real answer, CC0, recorded for another query: here it stands for a year's page, whatever was
asked) or with synthetic pages built in the tests below (work keys OL98…W, 979-0 ISBNs).
"""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.isbn import isbn13_check_digit
from enrichment.backfill.sources.openlibrary_search import (
    PAGE_SIZE,
    SEARCH_FIELDS,
    OpenLibrarySearchSource,
)
from enrichment.models import ProviderState, SourceRecord
from tests.enrichment.providers.helpers import body as recorded_body
from tests.enrichment.providers.local_server import LocalServer

RECORDED = recorded_body(
    "openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"
)

pytestmark = pytest.mark.django_db


class SearchServer(LocalServer):
    """Answers `search.json` from `pages`: {(year, page): bytes, or (status, bytes, headers),
    or a callable taking the handler}; any other page is an empty last page."""

    def __init__(self):
        super().__init__()
        self.pages: dict = {}
        self.asked: list[dict[str, str]] = []
        self.answer = self._answer

    def _answer(self, handler) -> None:
        url = urlsplit(handler.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        self.asked.append(query)
        year = int(query.get("q", "first_publish_year:0").rsplit(":", 1)[1])
        page = self.pages.get((year, int(query.get("page", 1))), page_body([]))
        if callable(page):
            page(handler)
            return
        status, data, headers = page if isinstance(page, tuple) else (200, page, {})
        self.send(
            handler, [data], status=status, headers={"Content-Length": str(len(data)), **headers}
        )


@pytest.fixture
def server(settings):
    with SearchServer() as running:
        settings.OPENLIBRARY_URL = running.url
        settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
        settings.OPENLIBRARY_RATE = 1000  # no spacing between the tests' few requests
        settings.OPENLIBRARY_DAILY_BUDGET = 0
        settings.ENRICHMENT_BREAKER_FAILURES = 5
        settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = 0.5
        settings.ENRICHMENT_HTTP_READ_TIMEOUT = 0.5
        settings.BACKFILL_SEARCH_SORT = "editions"
        settings.BACKFILL_SEARCH_PAGES = 3
        yield running


def synthetic_doc(number: int, *dates: str, year: int = 2019, **fields) -> dict:
    """A doc in today's shape ("/works/…" keys): work OL98000<number>W, one 979-0 ISBN."""
    first12 = f"97900{number:07d}"
    return {
        "key": f"/works/OL98{number:06d}W",
        "title": f"Synthetic work {number}",
        "author_name": [f"Synthetic Author {number}"],
        "edition_count": 1000 - number,
        "first_publish_year": year,
        "publish_date": list(dates),
        "isbn": [first12 + isbn13_check_digit(first12)],
        **fields,
    }


def page_body(docs: list[dict], num_found: int | None = None) -> bytes:
    """A synthetic search.json page in today's shape."""
    found = len(docs) if num_found is None else num_found
    return json.dumps({"numFound": found, "num_found": found, "start": 0, "docs": docs}).encode()


def discover(year: int, month: int, limit: int = 20):
    return OpenLibrarySearchSource().discover(year=year, month=month, limit=limit)


def keys(answer) -> list[str]:
    return [book.openlibrary_work_key for book in answer.books]


def test_the_recorded_answer_keeps_the_works_first_published_in_the_month(server):
    server.pages[(2002, 1)] = RECORDED

    answer = discover(2002, 7)

    assert (answer.error, answer.calls) == ("", 1)
    # Both first dated "July 2, 2002"; the page's order (most editions first) is kept.
    assert keys(answer) == ["OL16245381W", "OL262744W"]
    two_towers = answer.books[0]
    assert two_towers.title == "The Lord of the Rings: The Two Towers"
    assert two_towers.authors == ["J. R. R. Tolkien"]
    assert (two_towers.source, two_towers.year, two_towers.month) == ("openlibrary_search", 2002, 7)
    assert two_towers.edition_count == 2
    # isbn ["9780739301180", "0739301195", "0739301187", "9780739301197"]: ISBN-13s, no repeats.
    assert two_towers.isbns == ["9780739301180", "9780739301197"]
    [asked] = server.asked
    assert asked == {
        "q": "first_publish_year:2002",
        "sort": "editions",
        "fields": SEARCH_FIELDS,
        "limit": str(PAGE_SIZE),
        "page": "1",
    }


def test_works_whose_dates_give_no_month_or_an_earlier_year_are_in_no_month(server):
    server.pages[(2002, 1)] = RECORDED
    server.pages[(2001, 1)] = RECORDED

    year_2002 = {key for month in range(1, 13) for key in keys(discover(2002, month, limit=100))}
    september_2001 = discover(2001, 9)

    # OL27449W is dated "2002" only; OL16466869W too.
    assert year_2002 and not {"OL27449W", "OL16466869W"} & year_2002
    # OL27448W lists an edition of "September 3, 2001", and earlier ones (1999...).
    assert keys(september_2001) == []


def test_a_work_first_published_in_an_earlier_year_is_not_this_years(server):
    # Its only dated edition is of March 2019, but its first_publish_year is 1999.
    reissue = synthetic_doc(1, "March 2019", year=1999)
    server.pages[(2019, 1)] = page_body([reissue, synthetic_doc(2, "March 2019")])

    assert keys(discover(2019, 3)) == ["OL98000002W"]


def test_the_sort_setting_is_sent_and_an_unknown_one_is_an_error(server, settings):
    settings.BACKFILL_SEARCH_SORT = "rating"
    discover(2019, 3)
    settings.BACKFILL_SEARCH_SORT = "random"
    refused = discover(2019, 3)

    assert [query["sort"] for query in server.asked] == ["rating"]
    assert refused.books == [] and refused.calls == 0
    assert "BACKFILL_SEARCH_SORT" in refused.error


def test_pages_are_read_until_the_month_has_its_books(server):
    january = [synthetic_doc(n, "January 2019") for n in range(98)]
    march = [synthetic_doc(n, "March 4, 2019", "2020") for n in range(100, 106)]
    server.pages[(2019, 1)] = page_body([*january[:49], *march[:2], *january[49:]], 250)
    server.pages[(2019, 2)] = page_body([*march[2:], *january[:96]], 250)
    server.pages[(2019, 3)] = page_body(january[:50], 250)

    answer = discover(2019, 3, limit=5)

    assert keys(answer) == [f"OL98{n:06d}W" for n in range(100, 105)]
    assert answer.calls == 2
    assert [query["page"] for query in server.asked] == ["1", "2"]


def test_no_more_pages_than_the_setting_nor_past_a_short_page(server, settings):
    server.pages[(2019, 1)] = page_body([synthetic_doc(n, "May 2019") for n in range(100)], 1000)
    server.pages[(2019, 2)] = page_body([synthetic_doc(n, "June 2019") for n in range(100)], 1000)
    server.pages[(2018, 1)] = page_body(
        [synthetic_doc(n, "May 2018", year=2018) for n in range(100)], 160
    )
    server.pages[(2018, 2)] = page_body(
        [synthetic_doc(n, "June 2018", year=2018) for n in range(60)], 160
    )
    settings.BACKFILL_SEARCH_PAGES = 2

    july_2019 = discover(2019, 7)
    settings.BACKFILL_SEARCH_PAGES = 5
    july_2018 = discover(2018, 7)

    assert (july_2019.books, july_2019.calls, july_2018.books, july_2018.calls) == ([], 2, [], 2)
    assert [(q["q"][-4:], q["page"]) for q in server.asked] == [
        ("2019", "1"),
        ("2019", "2"),
        ("2018", "1"),
        ("2018", "2"),  # 60 docs: the last page, not past it
    ]


def test_the_twelve_months_of_a_year_cost_its_pages_once(server):
    docs = [
        synthetic_doc(n, f"{['January', 'April'][n % 2]} {n % 28 + 1}, 2019") for n in range(100)
    ]
    server.pages[(2019, 1)] = page_body(docs, 130)
    server.pages[(2019, 2)] = page_body(
        [synthetic_doc(n, "April 2019") for n in range(100, 130)], 130
    )

    answers = {month: discover(2019, month, limit=100) for month in range(1, 13)}

    assert [answers[month].calls for month in range(1, 13)] == [2] + [0] * 11
    assert len(server.asked) == 2
    assert len(answers[1].books) == 50 and len(answers[4].books) == 80
    assert SourceRecord.objects.filter(provider="openlibrary").count() == 2


def test_a_429_is_an_error_with_no_books(server):
    server.pages[(2019, 1)] = (429, b'{"error": "slow down"}', {"Retry-After": "30"})

    answer = discover(2019, 3)

    assert answer.books == [] and answer.calls == 1
    assert answer.error.startswith("Open Library: asked us to slow down (rate limit)")


def test_a_server_error_keeps_the_pages_already_read(server):
    server.pages[(2019, 1)] = page_body([synthetic_doc(n, "March 2019") for n in range(100)], 300)
    server.pages[(2019, 2)] = (500, b"Internal Server Error", {"Content-Type": "text/plain"})

    answer = discover(2019, 3, limit=150)

    assert len(answer.books) == 100 and answer.calls == 2
    assert answer.error.startswith("Open Library: failed with a server error (HTTP 500")
    assert SourceRecord.objects.filter(provider="openlibrary").count() == 1  # the good page


def test_a_page_open_library_could_not_search_is_an_error_not_the_month_s_end(server):
    """Open Library answers a search its Solr could not run with HTTP 200, no docs and the
    reason in `error`: the month has not run out of books; nothing of it is cached."""
    server.pages[(2019, 1)] = page_body([synthetic_doc(n, "March 2019") for n in range(100)], 300)
    server.pages[(2019, 2)] = recorded_body(
        "openlibrary", "synthetic-search__solr_failed__200_error.json"
    )

    answer = discover(2019, 3, limit=150)

    assert len(answer.books) == 100 and answer.calls == 2
    assert answer.error.startswith("Open Library: failed with a server error")
    assert "Read timed out" in answer.error
    assert SourceRecord.objects.filter(provider="openlibrary").count() == 1  # the good page


@pytest.mark.parametrize(
    "garbage",
    [b"<html>Service Unavailable</html>", b'{"docs": "none"}', b'["docs"]', b""],
    ids=["html", "docs-not-a-list", "not-an-object", "empty"],
)
def test_garbage_is_an_error_with_no_books(server, garbage):
    server.pages[(2019, 1)] = garbage

    answer = discover(2019, 3)

    assert answer.books == [] and answer.calls == 1
    assert answer.error.startswith("Open Library: sent an answer that could not be read")
    assert not SourceRecord.objects.exists()


def test_odd_docs_are_skipped_and_odd_fields_dropped(server):
    good = synthetic_doc(1, "March 2019")
    odd_fields = synthetic_doc(
        2,
        "March 2019",
        title=" Odd fields ",
        author_name="One Author, bare",
        edition_count="many",
        isbn="not an isbn",
        subject={"a": "dict"},
    )
    odd_fields["publish_date"] = ["March 2019", {"a": "dict"}, None, 17]
    docs = [
        good,
        "a string",
        None,
        {"key": "/authors/OL1A", "title": "An author"},
        {"title": ""},
        odd_fields,
    ]
    server.pages[(2019, 1)] = page_body(docs)

    answer = discover(2019, 3)

    assert answer.error == ""
    assert keys(answer) == ["OL98000001W", "OL98000002W"]
    odd = answer.books[1]
    assert (odd.title, odd.authors, odd.edition_count, odd.isbns, odd.genres) == (
        "Odd fields",
        ["bare One Author"],  # a bare name, read as a heading is: in reading order
        None,
        [],
        [],
    )


def test_discovered_names_and_genres_are_read_as_the_providers_read_them(server):
    # A heading's name in reading order, an organisation's as written; Open Library's lending
    # flags and machine tags are no genres (enrichment.providers.fields, the one rule).
    doc = synthetic_doc(
        3,
        "March 2019",
        author_name=["Kiss, Lenke.", "Smith, Elder & Co."],
        subject=[
            "Fiction",
            "Accessible book",
            "nyt:hardcover-fiction=2019-03-03",
            "Protected DAISY",
        ],
    )
    server.pages[(2019, 1)] = page_body([doc])

    [book] = discover(2019, 3).books

    assert book.authors == ["Lenke Kiss", "Smith, Elder & Co."]
    assert book.genres == ["Fiction"]


def test_a_timeout_is_an_error_with_no_books(server):
    def too_slow(handler):
        time.sleep(1.2)  # past the 0.5 s read timeout and the 1 s deadline

    server.pages[(2019, 1)] = too_slow

    started = time.monotonic()
    answer = discover(2019, 3)

    assert time.monotonic() - started < 1.2
    assert answer.books == [] and answer.calls == 1
    assert answer.error.startswith("Open Library: did not answer in time")


def test_a_body_over_the_byte_cap_is_an_error_with_no_books(server, settings):
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = 4096
    server.pages[(2019, 1)] = page_body([synthetic_doc(n, "March 2019") for n in range(100)])

    answer = discover(2019, 3)

    assert answer.books == [] and answer.calls == 1
    assert "answer too large" in answer.error


def test_a_spent_daily_budget_is_said_and_nothing_is_sent(server, settings):
    server.pages[(2019, 1)] = page_body([synthetic_doc(n, "January 2019") for n in range(100)], 300)
    settings.OPENLIBRARY_DAILY_BUDGET = 1

    answer = discover(2019, 3)

    assert answer.books == [] and answer.calls == 1  # page 1 only: page 2 was over budget
    assert answer.error.startswith("Open Library: its daily quota is spent")
    assert [query["page"] for query in server.asked] == ["1"]


def test_an_open_circuit_is_said_and_nothing_is_sent(server, settings):
    settings.ENRICHMENT_BREAKER_FAILURES = 1
    server.pages[(2019, 1)] = (503, b"down", {"Content-Type": "text/plain"})

    failed = discover(2019, 3)
    paused = discover(2018, 3)

    assert failed.calls == 1 and paused.calls == 0
    assert paused.books == [] and paused.error.startswith(
        "Open Library: paused after repeated failures"
    )
    assert len(server.asked) == 1
    assert ProviderState.objects.get(provider="openlibrary").breaker_state == "open"


def closed_port_url() -> str:
    """A loopback address nothing listens on: the connection is refused, as on a machine
    whose network is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (closed_port_url, "refused the connection"),
        # .invalid never resolves (RFC 6761): as a lookup on a machine without network.
        (lambda: "http://openlibrary.invalid", "could not be found (DNS lookup failed)"),
    ],
    ids=["refused", "dns"],
)
def test_an_unreachable_open_library_is_said_as_such_never_a_server_error(settings, url, says):
    settings.OPENLIBRARY_URL = url()
    settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
    settings.OPENLIBRARY_RATE = 1000
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = 0.5
    settings.BACKFILL_SEARCH_SORT = "editions"

    answer = discover(2019, 3)

    assert answer.books == []
    assert answer.error.startswith("Open Library: ") and says in answer.error, answer.error
    # The server was never reached: it did not fail.
    assert "server error" not in answer.error

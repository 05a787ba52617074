"""Open Library's title searches grouped: several title + author searches in one search.json
request (`OpenLibraryProvider.search_many`), each record given to its book by the cascade's
matching, never by its place in the answer.

The grouped answers are built in each test from the docs of two recorded search.json bodies
(Tolkien's "The Lord of the Rings", 2013; "This Is How You Lose the Time War", 2020): no grouped
answer was recorded, and Open Library answers a grouped `q` with the same doc shape.
"""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from enrichment.candidates import LookupStatus
from enrichment.models import SourceRecord
from enrichment.providers.base import TitleQuery
from enrichment.providers.cascade import resolve_isbn, resolve_isbns
from enrichment.providers.openlibrary import (
    OpenLibraryProvider,
    read_search_clauses,
    search_clause,
)
from tests.enrichment.fakes import FakeProvider, candidate
from tests.enrichment.providers.helpers import load

SEARCH = "https://openlibrary.org/search.json"
LOTR = TitleQuery("The Lord of the Rings", "J. R. R. Tolkien")
TIME_WAR = TitleQuery("This Is How You Lose the Time War", "Amal El-Mohtar")
NOBODY = TitleQuery("A Book Nobody Wrote", "Nobody At All")
LOTR_DOCS = load("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json")[
    "docs"
]
TIME_WAR_DOC = load("openlibrary", "search__this_is_how_you_lose_the_time_war.json")["docs"][0]


def grouped_answer(docs: list[dict], num_found: int | None = None) -> dict:
    """A search.json body holding these recorded docs (built here: see the module docstring)."""
    found = len(docs) if num_found is None else num_found
    return {"start": 0, "num_found": found, "numFound": found, "docs": docs}


def sent(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


def test_one_request_serves_several_searches_and_each_book_gets_its_own_records(http, openlibrary):
    # The Time War's doc sits among Tolkien's: its place in the answer says nothing.
    docs = [LOTR_DOCS[0], TIME_WAR_DOC, *LOTR_DOCS[1:5]]
    http.add(responses.GET, SEARCH, json=grouped_answer(docs))

    lotr, time_war, nobody = openlibrary.search_many([LOTR, TIME_WAR, NOBODY])

    assert len(http.calls) == 1
    query = sent(http.calls[0])
    assert query["q"] == [
        "(title:(the lord of the rings) AND author:(j. r. r. tolkien)) OR "
        "(title:(this is how you lose the time war) AND author:(amal el\\-mohtar)) OR "
        "(title:(a book nobody wrote) AND author:(nobody at all))"
    ]
    assert query["limit"] == ["30"]
    assert lotr.status == LookupStatus.FOUND
    assert [c.provider_ids["openlibrary_work"] for c in lotr.candidates] == [
        "OL27448W",
        "OL27516W",
        "OL262757W",
        "OL15331214W",
        "OL27507W",
    ]
    assert [c.provider_ids["openlibrary_work"] for c in time_war.candidates] == ["OL20639540W"]
    assert time_war.candidates[0].isbn13 == ["9781534431003"]
    assert nobody.status == LookupStatus.NOT_FOUND


def test_a_later_single_search_of_a_grouped_book_is_a_cache_hit(http, openlibrary):
    http.add(responses.GET, SEARCH, json=grouped_answer([TIME_WAR_DOC, LOTR_DOCS[0]]))
    openlibrary.search_many([LOTR, TIME_WAR, NOBODY])

    again = [openlibrary.search(title=q.title, author=q.author) for q in (LOTR, TIME_WAR, NOBODY)]

    assert len(http.calls) == 1
    assert all(result.from_cache for result in again)
    assert [result.status for result in again] == ["found", "found", "not_found"]
    assert again[1].candidates[0].provider_ids == {"openlibrary_work": "OL20639540W"}


def test_a_record_that_is_two_books_makes_both_ask_alone(http, openlibrary):
    # Two spellings of one book in one batch: every Tolkien doc is confidently both, so which
    # is whose only their own searches can say.
    also_lotr = TitleQuery("The Lord of the Rings (Middle-earth, #1)", "Tolkien, J.R.R.")
    http.add(responses.GET, SEARCH, json=grouped_answer([*LOTR_DOCS[:3], TIME_WAR_DOC]))
    http.add(responses.GET, SEARCH, json=grouped_answer(LOTR_DOCS[:2]))
    http.add(responses.GET, SEARCH, json=grouped_answer(LOTR_DOCS[2:4]))

    first, second, time_war = openlibrary.search_many([LOTR, also_lotr, TIME_WAR])

    assert len(http.calls) == 3
    assert "q" in sent(http.calls[0])
    assert sent(http.calls[1])["title"] == ["The Lord of the Rings"]
    assert sent(http.calls[2])["title"] == ["The Lord of the Rings (Middle-earth, #1)"]
    assert [c.provider_ids["openlibrary_work"] for c in first.candidates] == [
        "OL27448W",
        "OL27516W",
    ]
    assert [c.provider_ids["openlibrary_work"] for c in second.candidates] == [
        "OL262757W",
        "OL15331214W",
    ]
    assert time_war.candidates[0].provider_ids == {"openlibrary_work": "OL20639540W"}


def test_an_answer_cut_at_its_limit_sends_the_books_it_holds_nothing_for_alone(http, openlibrary):
    # 2 searches -> limit 20; Tolkien's 20 first docs fill it, 81 were found.
    http.add(responses.GET, SEARCH, json=grouped_answer(LOTR_DOCS[:20], num_found=81))
    http.add(responses.GET, SEARCH, json=grouped_answer([TIME_WAR_DOC]))

    lotr, time_war = openlibrary.search_many([LOTR, TIME_WAR])

    assert len(http.calls) == 2
    assert sent(http.calls[1])["title"] == ["This Is How You Lose the Time War"]
    assert lotr.status == time_war.status == LookupStatus.FOUND
    assert time_war.candidates[0].provider_ids == {"openlibrary_work": "OL20639540W"}
    assert not time_war.from_cache


def test_a_group_that_fails_fails_only_its_books_and_they_are_not_asked_again(
    http, openlibrary, settings, clock
):
    settings.OPENLIBRARY_SEARCH_GROUP_SIZE = 2
    other = TitleQuery("Another Missing Book", "Someone Else")
    http.add(responses.GET, SEARCH, status=503, body="down for maintenance")
    http.add(responses.GET, SEARCH, body="<html>not json</html>")
    started = clock.now

    lotr, time_war, nobody, missing = openlibrary.search_many([LOTR, TIME_WAR, NOBODY, other])

    assert len(http.calls) == 2  # one per group: no book of a failed group is asked alone
    assert lotr.status == time_war.status == LookupStatus.SERVER_ERROR
    assert nobody.status == missing.status == LookupStatus.UNPARSEABLE
    assert lotr.fault is not None and lotr.fault.http_status == 503
    # The second group waited its turn under Open Library's rate (1 request/s here).
    assert clock.now - started >= 1.0
    # Nothing was cached: the next run asks again.
    http.replace(responses.GET, SEARCH, json=grouped_answer([TIME_WAR_DOC]))
    assert openlibrary.search(title=TIME_WAR.title, author=TIME_WAR.author).from_cache is False


def test_a_429_on_a_group_is_waited_out_and_the_group_asked_once_more(http, openlibrary, clock):
    http.add(responses.GET, SEARCH, status=429, headers={"Retry-After": "2"}, body="slow down")
    http.add(responses.GET, SEARCH, json=grouped_answer([TIME_WAR_DOC]))
    started = clock.now

    lotr, time_war = openlibrary.search_many([LOTR, TIME_WAR])

    assert len(http.calls) == 2
    assert all("q" in sent(call) for call in http.calls)
    assert clock.now - started >= 2.0  # its Retry-After
    assert (lotr.status, time_war.status) == (LookupStatus.NOT_FOUND, LookupStatus.FOUND)


def test_a_group_of_one_or_a_query_without_author_is_an_ordinary_search(http, openlibrary):
    http.add(responses.GET, SEARCH, json=grouped_answer([TIME_WAR_DOC]))
    http.add(responses.GET, SEARCH, json=grouped_answer([]))

    time_war, title_only = openlibrary.search_many([TIME_WAR, TitleQuery("Dune", "")])

    assert [sent(call).get("title") for call in http.calls] == [
        ["This Is How You Lose the Time War"],
        ["Dune"],
    ]
    assert time_war.status == LookupStatus.FOUND
    assert title_only.status == LookupStatus.NOT_FOUND


def test_grouping_can_be_turned_off(http, openlibrary, settings):
    settings.OPENLIBRARY_SEARCH_GROUP_SIZE = 1
    http.add(responses.GET, SEARCH, json=grouped_answer([]))

    openlibrary.search_many([LOTR, TIME_WAR])

    assert [sent(call)["title"] for call in http.calls] == [
        ["The Lord of the Rings"],
        ["This Is How You Lose the Time War"],
    ]


def test_solr_syntax_in_a_title_is_escaped_never_read_as_a_query():
    clause = search_clause(TitleQuery('Title: "Quoted" (AND) OR *', "Smith, J."))

    assert clause == r"(title:(title\: \"quoted\" \(and\) or \*) AND author:(smith, j.))"
    assert search_clause(TitleQuery("Dune", "  ")) is None
    assert search_clause(TitleQuery("", "Frank Herbert")) is None


def test_a_server_reads_back_the_searches_of_a_grouped_q():
    """What the demo provider reads (enrichment/demo/server.py): each search, unescaped."""
    queries = [TitleQuery('Title: "Quoted" (AND) \\ x', "Smith, J."), LOTR]
    q = " OR ".join(search_clause(query) for query in queries)

    assert read_search_clauses(q) == [
        TitleQuery('title: "quoted" (and) \\ x', "smith, j."),
        TitleQuery("the lord of the rings", "j. r. r. tolkien"),
    ]


# --- the cascade: one grouped request, then the next provider for what it did not resolve ------


def test_the_cascade_groups_open_library_and_asks_google_only_for_the_rest(http, openlibrary):
    http.add(responses.GET, SEARCH, json=grouped_answer([*LOTR_DOCS[:3], TIME_WAR_DOC]))
    google = FakeProvider(
        "google_books",
        search_answers=[
            candidate("google_books", title="A Book Nobody Wrote", isbn13=["9780000000002"])
        ],
    )

    lotr, time_war, nobody = resolve_isbns(
        [LOTR, TIME_WAR, NOBODY], providers=[openlibrary, google]
    )

    assert len(http.calls) == 1
    assert (lotr.provider, lotr.candidate.provider_ids) == (
        "openlibrary",
        {"openlibrary_work": "OL27448W"},
    )
    assert (time_war.provider, time_war.isbn13) == ("openlibrary", "9781534431003")
    assert google.search_calls == [(NOBODY.title, NOBODY.author)]
    assert not nobody.resolved  # Google's record has no author: never confident
    assert [o.provider for o in nobody.asked] == ["openlibrary", "google_books"]


def test_grouped_and_single_searches_resolve_every_book_alike(http, openlibrary):
    """The measure of exactness: each book of the recorded answers, searched in one group and
    each alone, resolves to the same record (0 wrong matches)."""
    books = [LOTR, TIME_WAR, NOBODY, TitleQuery("The Fellowship of the Ring", "J. R. R. Tolkien")]
    everything = [*LOTR_DOCS, TIME_WAR_DOC]

    def answer(request):
        # One server for both ways: a doc answers a clause whose words are all in its title
        # and whose author's words are all in one of its authors (what Solr's AND asks).
        query = parse_qs(urlsplit(request.url).query)
        wanted = (
            [(query["title"][0], query["author"][0])]
            if "title" in query
            else [
                (title, author)
                for title, author in (
                    (q.title, q.author)
                    for q in books
                    if search_clause(q) and search_clause(q) in query["q"][0]
                )
            ]
        )
        docs = [doc for doc in everything if any(matches(doc, t, a) for t, a in wanted)]
        limit = int(query["limit"][0])
        return 200, {}, json.dumps(grouped_answer(docs[:limit], num_found=len(docs)))

    http.add_callback(responses.GET, SEARCH, callback=answer)
    grouped = resolve_isbns(books, providers=[openlibrary])
    SourceRecord.objects.all().delete()  # each alone asks again
    alone = [resolve_isbn(title=q.title, author=q.author, providers=[openlibrary]) for q in books]

    assert [r.isbn13 for r in grouped] == [r.isbn13 for r in alone]
    assert [r.candidate and r.candidate.provider_ids for r in grouped] == [
        r.candidate and r.candidate.provider_ids for r in alone
    ]
    assert [r.resolved for r in grouped] == [True, True, False, True]
    assert grouped[3].candidate.title.casefold().startswith("the fellowship of the ring")


def matches(doc: dict, title: str, author: str) -> bool:
    words = set(doc.get("title", "").casefold().replace(",", " ").split())
    names = [set(name.casefold().split()) for name in doc.get("author_name", [])]
    return set(title.casefold().split()) <= words and any(
        set(author.casefold().split()) <= name for name in names
    )

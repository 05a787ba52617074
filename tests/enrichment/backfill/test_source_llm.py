"""The language-model discovery source against the local fake OpenAI-compatible server.

Every answer here is synthetic: the fake (enrichment/backfill/fake_llm.py) says whatever the
test tells it, and the books below are invented for the tests.
"""

import json
import time

import pytest

from enrichment.backfill.fake_llm import FakeLlmAnswer, FakeLlmServer
from enrichment.backfill.sources import discover_month, enabled_sources
from enrichment.backfill.sources.llm import (
    DESCRIPTION_MAX_CHARS,
    GENRE_MAX_CHARS,
    GENRES_MAX_COUNT,
    LlmSource,
    completions_url,
)
from tests.enrichment.providers.local_server import LocalServer

SECRET_KEY = "sk-synthetic-test-key-0123456789"

ORCHARD = {"title": "The Glass Orchard", "authors": ["Jane Doe"], "year": 2024}
# 0.78 alike to "The Glass Orchard" (trigrams, once normalized), by the same author written
# another way: the same book.
ORCHARD_AGAIN = {"title": "The Glass Orchard Tales", "authors": ["Doe, Jane"], "year": 2024}
# Another book by someone else, with a title near enough to be confused by an edit ratio.
ORCHID = {"title": "The Grass Orchid", "authors": ["John Smith"], "year": 2024}


@pytest.fixture
def fake():
    with FakeLlmServer() as server:
        yield server


@pytest.fixture
def llm(settings, fake):
    """The source pointed at the fake, with small caps and deadlines."""
    settings.BACKFILL_LLM_URL = fake.url
    settings.BACKFILL_LLM_MODEL = ["model-a", "model-b"]
    settings.BACKFILL_LLM_API_KEY = ""
    settings.BACKFILL_LLM_TIMEOUT = 5.0
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = 2.0
    settings.ENRICHMENT_CONTACT_EMAIL = ""
    return settings


def discover(limit: int = 10):
    return LlmSource().discover(year=2024, month=3, limit=limit)


def titles(answer) -> list[str]:
    return [book.title for book in answer.books]


# --- Off unless set up ---------------------------------------------------------------------------


def test_off_by_default(settings, fake):
    """Without BACKFILL_LLM_URL and a model, the source takes no part in a backfill, even when
    BACKFILL_SOURCES names it, and asks nothing."""
    settings.BACKFILL_SOURCES = ["llm"]
    settings.BACKFILL_LLM_URL = ""
    settings.BACKFILL_LLM_MODEL = []
    assert not LlmSource().is_configured()
    assert enabled_sources() == []

    settings.BACKFILL_LLM_URL = fake.url  # a URL alone is not enough
    assert not LlmSource().is_configured()
    settings.BACKFILL_LLM_URL, settings.BACKFILL_LLM_MODEL = "", ["model-a"]  # nor a model alone
    assert not LlmSource().is_configured()

    answer = discover()
    assert answer.books == [] and answer.calls == 0
    assert "BACKFILL_LLM_URL" in answer.error
    assert fake.requests == []


def test_enabled_when_url_and_model_are_set(llm):
    llm.BACKFILL_SOURCES = ["llm"]
    assert [source.name for source in enabled_sources()] == ["llm"]
    assert str(LlmSource.label) == "Language model"


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:9/v1",
        "http://127.0.0.1:9/v1/",
        "http://127.0.0.1:9/v1/chat/completions",
        "http://127.0.0.1:9/v1/chat/completions/",
        " http://127.0.0.1:9/v1 ",
    ],
)
def test_completions_url_from_a_base_or_the_endpoint(base):
    assert completions_url(base) == "http://127.0.0.1:9/v1/chat/completions"


def test_completions_url_keeps_a_query():
    assert (
        completions_url("https://llm.example/openai/deployments/x?api-version=2024-06-01")
        == "https://llm.example/openai/deployments/x/chat/completions?api-version=2024-06-01"
    )


# --- The request --------------------------------------------------------------------------------


def test_request_is_an_openai_chat_completion_with_the_key_as_bearer(llm, fake):
    llm.BACKFILL_LLM_URL = fake.url + "/"  # a trailing slash is fine
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    llm.BACKFILL_LLM_API_KEY = SECRET_KEY
    fake.api_key = SECRET_KEY
    fake.answers["model-a"] = FakeLlmAnswer(books=[ORCHARD])

    answer = discover(limit=7)

    assert titles(answer) == ["The Glass Orchard"] and answer.error == ""
    [request] = fake.requests
    assert request.path == "/v1/chat/completions"
    assert request.authorization == f"Bearer {SECRET_KEY}"
    body = request.body
    assert body["model"] == "model-a"
    assert body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    assert [message["role"] for message in body["messages"]] == ["system", "user"]
    assert "7 notable books first published in March 2024" in body["messages"][1]["content"]


def test_no_authorization_header_without_a_key(llm, fake):
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    fake.answers["model-a"] = FakeLlmAnswer(books=[ORCHARD])
    discover()
    assert fake.requests[0].authorization == ""


def test_models_are_asked_concurrently(llm, fake):
    """Two models each taking DELAY answer in about DELAY, not twice that."""
    delay = 0.6
    fake.answers["model-a"] = FakeLlmAnswer(books=[ORCHARD], delay=delay)
    fake.answers["model-b"] = FakeLlmAnswer(books=[ORCHID], delay=delay)

    started = time.monotonic()
    answer = discover()
    elapsed = time.monotonic() - started

    assert sorted(titles(answer)) == ["The Glass Orchard", "The Grass Orchid"]
    assert delay <= elapsed < 2 * delay
    first, second = fake.requests
    assert abs(first.received_at - second.received_at) < delay  # both in flight at once
    assert answer.calls == 2


# --- Merging the models' answers ----------------------------------------------------------------


def test_answers_are_merged_at_60_percent_title_similarity_with_agreeing_authors(llm, fake):
    fake.answers["model-a"] = FakeLlmAnswer(books=[ORCHARD])
    fake.answers["model-b"] = FakeLlmAnswer(books=[ORCHID, ORCHARD_AGAIN])

    answer = discover()

    by_title = {book.title: book for book in answer.books}
    assert set(by_title) == {
        "The Glass Orchard",
        "The Grass Orchid",
    }  # "The Glass Orchard Tales" merged
    assert by_title["The Glass Orchard"].extra["models"] == ["model-a", "model-b"]
    assert by_title["The Grass Orchid"].extra["models"] == ["model-b"]
    # The book both models proposed comes first.
    assert titles(answer)[0] == "The Glass Orchard"
    assert all(book.source == "llm" and book.month == 3 for book in answer.books)


def test_at_most_limit_books(llm, fake):
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    names = [
        ("Quiet Harbors", "Ada Lindqvist"),
        ("A Map of Salt", "Tomasz Wierzba"),
        ("Paper Tigers at Dawn", "Oluwaseun Bakare"),
        ("Ninefold", "Mireille Dutertre"),
        ("The Cartographer's Error", "Hiroshi Okabe"),
        ("Under Basalt Skies", "Caitriona Nic Giolla"),
        ("Little Furnaces", "Rafael Quintana"),
        ("Winterproof", "Sunniva Haug"),
    ]
    many = [{"title": title, "authors": [author]} for title, author in names]
    many.insert(1, {"title": "Quiet Harbors!", "authors": ["Ada Lindqvist"]})  # named twice
    fake.answers["model-a"] = FakeLlmAnswer(books=many)
    answer = discover(limit=5)
    assert [book.title for book in answer.books] == [title for title, _author in names[:5]]


def test_discover_month_counts_the_source(llm, fake):
    fake.answers["model-a"] = FakeLlmAnswer(books=[ORCHARD])
    fake.answers["model-b"] = FakeLlmAnswer(status=503)

    discovery = discover_month(year=2024, month=3, limit=10, sources=[LlmSource()])

    assert [book.title for book in discovery.books] == ["The Glass Orchard"]
    assert discovery.found == {"llm": 1}
    assert discovery.calls == {"llm": 2}
    assert "model-b" in discovery.errors["llm"]


# --- What a model may write ---------------------------------------------------------------------

BOOKS_JSON = json.dumps({"books": [ORCHARD]})


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(f"```json\n{BOOKS_JSON}\n```", id="fenced"),
        pytest.param(
            f"Sure! Here you go:\n```\n{BOOKS_JSON}\n```\nAnything else?", id="fenced-prose"
        ),
        pytest.param(json.dumps([ORCHARD]), id="top-level-list"),
        pytest.param(f"Here are the books [as asked]: {BOOKS_JSON} I hope this helps.", id="prose"),
        pytest.param(json.dumps({"notable_books": [ORCHARD]}), id="other-key"),
        pytest.param(json.dumps(ORCHARD), id="one-book"),
    ],
)
def test_json_in_any_usual_wrapping_is_read(llm, fake, content):
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    fake.answers["model-a"] = FakeLlmAnswer(content=content)

    answer = discover()

    assert titles(answer) == ["The Glass Orchard"], answer.error
    assert answer.books[0].authors == ["Jane Doe"] and answer.books[0].year == 2024
    assert answer.error == ""


def test_fenced_books_from_the_fake(llm, fake):
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    fake.answers["model-a"] = FakeLlmAnswer(books=[ORCHARD, ORCHID], fenced=True)
    assert titles(discover()) == ["The Glass Orchard", "The Grass Orchid"]


def test_an_empty_list_is_an_answer_not_a_fault(llm, fake):
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    fake.answers["model-a"] = FakeLlmAnswer(books=[])
    answer = discover()
    assert answer.books == [] and answer.error == "" and answer.calls == 1


# --- One model failing fails alone --------------------------------------------------------------


def test_one_model_500_the_other_still_counts(llm, fake):
    fake.answers["model-a"] = FakeLlmAnswer(status=500)
    fake.answers["model-b"] = FakeLlmAnswer(books=[ORCHID])

    answer = discover()

    assert titles(answer) == ["The Grass Orchid"]
    assert answer.calls == 2
    assert answer.error.startswith("model-a: ")
    assert "HTTP 500" in answer.error and "model-b" not in answer.error


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        pytest.param(FakeLlmAnswer(status=429), "HTTP 429", id="429"),
        pytest.param(FakeLlmAnswer(body=b"<html>Bad gateway</html>"), "could not read", id="html"),
        pytest.param(
            FakeLlmAnswer(body=b'{"choices": []}'), "not a chat completion", id="no-choice"
        ),
        pytest.param(
            FakeLlmAnswer(content="I am not sure; I cannot list books."), "no JSON", id="prose"
        ),
        pytest.param(FakeLlmAnswer(content='{"answer": "none"}'), "no list of books", id="no-list"),
        pytest.param(FakeLlmAnswer(content='"just a string"'), "no JSON", id="json-scalar"),
        pytest.param(FakeLlmAnswer(content='{"books": [{"title": "Cut sh'), "no JSON", id="cut"),
        pytest.param(FakeLlmAnswer(refusal="I can't help with that."), "refused", id="refusal"),
        pytest.param(FakeLlmAnswer(content=""), "empty", id="empty"),
    ],
)
def test_garbage_or_refusal_fails_that_model_alone(llm, fake, answer, reason):
    fake.answers["model-a"] = answer
    fake.answers["model-b"] = FakeLlmAnswer(books=[ORCHID])

    result = discover()

    assert titles(result) == ["The Grass Orchid"]
    assert result.error.startswith("model-a: ") and reason in result.error


def test_a_model_over_the_deadline_times_out_alone(llm, fake):
    llm.BACKFILL_LLM_TIMEOUT = 0.4
    fake.answers["model-a"] = FakeLlmAnswer(books=[ORCHARD], delay=3)
    fake.answers["model-b"] = FakeLlmAnswer(books=[ORCHID])

    started = time.monotonic()
    answer = discover()
    elapsed = time.monotonic() - started

    assert elapsed < 1.5
    assert titles(answer) == ["The Grass Orchid"]
    assert answer.error.startswith("model-a: ") and "did not answer in time" in answer.error


def test_the_deadline_bounds_the_whole_exchange_not_each_read(llm):
    """A server that drips a byte every 0.1 s never trips a 0.5 s socket timeout: the deadline
    still ends the request at BACKFILL_LLM_TIMEOUT."""
    llm.BACKFILL_LLM_TIMEOUT = 0.5
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    with LocalServer() as dripping:

        def drip():
            for _ in range(40):  # 4 s if nobody hung up
                time.sleep(0.1)
                yield b" "

        dripping.answer = lambda handler: dripping.send(handler, drip())
        llm.BACKFILL_LLM_URL = dripping.url + "/v1"

        started = time.monotonic()
        answer = discover()
        elapsed = time.monotonic() - started

    assert elapsed < 1.5
    assert answer.books == []
    assert answer.error.startswith("model-a: ") and "did not answer in time" in answer.error


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "no-length"])
def test_an_answer_over_the_byte_cap_is_not_read(llm, fake, declare_length):
    llm.ENRICHMENT_MAX_RESPONSE_BYTES = 4_000
    big = [{**ORCHARD, "description": "synthetic " * 200, "title": f"Big {n}"} for n in range(5)]
    fake.answers["model-a"] = FakeLlmAnswer(books=big, declare_length=declare_length)
    fake.answers["model-b"] = FakeLlmAnswer(books=[ORCHID])

    answer = discover()

    assert titles(answer) == ["The Grass Orchid"]
    assert answer.error.startswith("model-a: ") and "too large" in answer.error


def test_a_redirect_is_not_followed(llm, fake):
    with LocalServer() as elsewhere:
        elsewhere.answer = lambda handler: elsewhere.send(handler, [b"{}"])
        target = f"{elsewhere.url}/v1/chat/completions"
        fake.answers["model-a"] = FakeLlmAnswer(status=307, body=b"", headers={"Location": target})
        fake.answers["model-b"] = FakeLlmAnswer(books=[ORCHID])

        answer = discover()

    assert elsewhere.requests == []
    assert titles(answer) == ["The Grass Orchid"]
    assert answer.error.startswith("model-a: ") and "307" in answer.error


def test_a_refused_connection_is_an_error_not_an_exception(llm):
    with LocalServer() as closed:
        url = closed.url
    llm.BACKFILL_LLM_URL = url + "/v1"  # nobody listens there any more
    answer = discover()
    assert answer.books == [] and answer.calls == 0  # nothing left the machine: no call
    assert "model-a: " in answer.error and "model-b: " in answer.error


# --- The API key --------------------------------------------------------------------------------


def test_the_key_is_scrubbed_from_every_error(llm, fake):
    """A server that quotes the key back (a 401 naming the key it got, a garbage body or a
    model's prose that repeats it) never gets it into the month's errors."""
    llm.BACKFILL_LLM_MODEL = ["model-a", "model-b"]
    llm.BACKFILL_LLM_API_KEY = SECRET_KEY
    fake.answers["model-a"] = FakeLlmAnswer(body=f"not json {SECRET_KEY}".encode())
    fake.answers["model-b"] = FakeLlmAnswer(content=f"Your key {SECRET_KEY} works. No books.")

    garbage = discover()

    fake.api_key = "sk-the-right-key"  # now refused, with a quote of the key we sent
    refused = discover()

    assert all(request.authorization == f"Bearer {SECRET_KEY}" for request in fake.requests)
    assert "model-a: " in garbage.error and "model-b: " in garbage.error
    assert "could not read" in garbage.error and "no JSON" in garbage.error
    assert "HTTP 401" in refused.error
    assert SECRET_KEY not in garbage.error and SECRET_KEY not in refused.error
    assert "***" in garbage.error  # scrubbed from the quoted body, not merely left out


# --- A model's output is no fact ----------------------------------------------------------------


def test_isbns_from_the_model_are_ignored(llm, fake):
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    book = {
        **ORCHARD,
        "isbn": "9780306406157",
        "isbn13": "978-0-306-40615-7",
        "isbns": ["9780306406157", "0306406152"],
        "ISBN": "0306406152",
    }
    fake.answers["model-a"] = FakeLlmAnswer(books=[book])

    [found] = discover().books

    assert found.isbns == []
    stored = json.dumps(found.as_json())
    assert "9780306406157" not in stored and "0306406152" not in stored


def test_strings_are_capped_and_books_without_a_title_dropped(llm, fake):
    llm.BACKFILL_LLM_MODEL = ["model-a"]
    long_book = {
        "title": "Long " * 400,  # 2,000 characters
        "authors": ["Name " * 200, "", None, {"name": "x"}, "Jane Doe"],
        "year": "March 2024",
        "description": "word " * 4_000,
        "genres": [f"genre {n} " + "x" * 200 for n in range(30)],
    }
    fake.answers["model-a"] = FakeLlmAnswer(
        books=[
            {"authors": ["No Title"]},
            {"title": "   "},
            {"title": 1984, "authors": ["George Orwell"]},
            long_book,
            {"title": "Odd Year", "authors": "Solo Author", "year": "soon", "genres": "A, B"},
            {"title": "Centuries Apart", "year": 1999},
        ]
    )

    books = discover().books

    assert all(len(book.title) <= 500 for book in books)
    nineteen_84, long, odd, other = books
    assert nineteen_84.title == "1984"  # a bare number is a title
    assert long.title.startswith("Long Long") and len(long.title) <= 500
    assert all(len(name) <= 255 for name in long.authors) and long.authors[-1] == "Jane Doe"
    assert len(long.authors) == 2  # the empty name, null and the object dropped
    assert long.year == 2024 and long.month == 3
    assert len(long.description) <= DESCRIPTION_MAX_CHARS
    assert len(long.genres) == GENRES_MAX_COUNT
    assert all(len(genre) <= GENRE_MAX_CHARS for genre in long.genres)
    assert odd.authors == ["Solo Author"] and odd.year is None and odd.genres == ["A", "B"]
    assert other.year == 1999 and other.month is None  # the model dated it to another year

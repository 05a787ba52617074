"""Hostile provider answers: absurd Retry-After headers, answers larger than the byte cap (streamed,
declared, gzip-bombed), and records whose text fields are absurdly long.

Streaming tests use a real HTTP server on 127.0.0.1 (the socket matters: how much was read);
the others `responses`. Oversized bodies are built in each test from the recorded Open Library
record for 9780316030571 (tests/fixtures/providers/openlibrary/), so they are synthetic.
"""

import gzip
import json
import time
import tracemalloc
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from enrichment.candidates import LookupStatus
from enrichment.models import ProviderState, SourceRecord
from enrichment.providers import cache, fields
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.http import parse_retry_after
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import load
from tests.enrichment.providers.local_server import LocalServer

BOOKS_API = "https://openlibrary.org/api/books"
VOLUMES = "https://www.googleapis.com/books/v1/volumes"
ISBN = "9780316030571"
USE_OF_WEAPONS = "books_api_jscmd_data__ISBN_9780316030571.json"
MB = 1024 * 1024


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


@pytest.fixture
def server(settings):
    with LocalServer() as local:
        settings.OPENLIBRARY_URL = local.url
        settings.ENRICHMENT_HTTP_READ_TIMEOUT = 3
        yield local


def synthetic_record(**changes) -> dict:
    """The recorded Books API answer for 9780316030571, with `changes` made to its record."""
    answer = load("openlibrary", USE_OF_WEAPONS)
    answer[f"ISBN:{ISBN}"].update(changes)
    return answer


def words(count: int) -> str:
    return " ".join(f"word{i % 1000}" for i in range(count))


def openlibrary_state() -> ProviderState:
    return ProviderState.objects.get(provider="openlibrary")


# --- Retry-After ---------------------------------------------------------------------------------


NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("1.5", 1.5),
        ("1000000000000", 3600.0),  # raised "year 33715 is out of range" in the throttle
        ("3153600000", 3600.0),  # held Google until 2126
        ("Fri, 31 Dec 9999 23:59:59 GMT", 3600.0),  # an HTTP-date far in the future
        ("Thu, 01 Jan 2026 12:01:30 GMT", 90.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: no wait
        ("-5", None),  # not delay-seconds
        ("nan", None),
        ("inf", None),
        ("1e400", None),
        ("1_000", None),
        ("soon", None),
        ("Mon, 99 Foo 99999 99:99:99 GMT", None),
        ("9" * 400, 3600.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT" * 10, None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_parsed_defensively_and_capped(settings, header, seconds):
    settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS = 3600
    assert parse_retry_after(header, now=NOW) == seconds


def test_the_retry_after_cap_is_a_setting(settings):
    settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS = 60
    assert parse_retry_after("3153600000", now=NOW) == 60.0


@pytest.mark.parametrize("header", ["3153600000", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_google_is_held_back_for_the_cap_not_a_century(http, make, clock, settings, header):
    settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS = 3600
    http.get(VOLUMES, status=429, headers={"Retry-After": header}, json={"error": "slow down"})

    result = make(GoogleBooksProvider).lookup_isbns([ISBN])[ISBN]

    assert (result.status, result.retry_after) == (LookupStatus.THROTTLED, 3600.0)
    state = ProviderState.objects.get(provider="google_books")
    assert state.throttled_until.timestamp() == pytest.approx(clock.time() + 3600)
    assert state.consecutive_failures == 1


def test_an_http_date_retry_after_is_honoured(http, openlibrary, clock):
    retry_at = datetime.fromtimestamp(clock.time() + 90, tz=UTC)
    http.get(BOOKS_API, status=429, headers={"Retry-After": format_datetime(retry_at, True)})

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.retry_after == pytest.approx(90)
    assert openlibrary_state().throttled_until == retry_at


# --- the byte cap ------------------------------------------------------------------------------


def test_a_streamed_answer_over_the_cap_is_a_fault_and_reading_stops(server, openlibrary, settings):
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = 256 * 1024
    total = 30 * MB
    # Valid JSON's start, then a description that never ends (no Content-Length).
    opening = b'{"ISBN:9780316030571": {"title": "Use of Weapons", "description": "'
    chunk = b"a" * (64 * 1024)
    server.answer = lambda handler: server.send(
        handler, [opening, *[chunk] * (total // len(chunk))]
    )
    started = time.monotonic()

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert time.monotonic() - started < 3
    assert result.status == LookupStatus.UNPARSEABLE
    assert "answer too large" in result.error
    assert server.body_bytes_sent < total / 2  # the client hung up: the rest was never sent
    assert not SourceRecord.objects.exists()
    state = openlibrary_state()
    assert state.consecutive_failures == 1  # a provider fault: it counts against the breaker
    assert "answer too large" in state.last_error
    assert state.in_flight == 0


def test_a_declared_content_length_over_the_cap_is_refused_without_reading(
    server, openlibrary, settings
):
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = 256 * 1024

    def lying_answer(handler):
        # Declares 10 GB, then sends a few bytes and holds the connection open.
        server.send(handler, [b'{"ISBN:'], headers={"Content-Length": str(10 * 1024**3)})
        server.stop.wait(10)

    server.answer = lying_answer
    started = time.monotonic()

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert time.monotonic() - started < 1  # not waiting for the read timeout (3 s)
    assert result.status == LookupStatus.UNPARSEABLE
    assert "Content-Length 10,737,418,240 bytes" in result.error
    assert not SourceRecord.objects.exists()


def test_a_gzip_bomb_is_refused_by_its_decompressed_size(server, openlibrary, settings):
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = MB
    inflated = 100 * MB
    answer = json.dumps(synthetic_record(description="")).encode()
    opening, closing = answer.split(b'"description": ""')
    bomb = gzip.compress(
        opening + b'"description": "' + b"0" * inflated + b'"' + closing, compresslevel=9
    )
    assert len(bomb) < settings.ENRICHMENT_MAX_RESPONSE_BYTES  # small on the wire
    server.answer = lambda handler: server.send(
        handler,
        [bomb],
        headers={"Content-Encoding": "gzip", "Content-Length": str(len(bomb))},
    )
    tracemalloc.start()
    try:
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert result.status == LookupStatus.UNPARSEABLE
    assert "answer too large" in result.error
    assert peak < 8 * MB  # never inflated whole
    assert not SourceRecord.objects.exists()


def test_with_the_default_cap_an_answer_just_over_it_is_refused_and_one_at_it_is_read(
    server, openlibrary, settings
):
    cap = settings.ENRICHMENT_MAX_RESPONSE_BYTES
    assert cap == 4 * MB  # the default from bookstore/settings.py

    def answer_of_size(size: int) -> bytes:
        # The recorded record, its description padded with words to make the body `size` bytes.
        empty = json.dumps(synthetic_record(description="")).encode()
        padding = (words(size // 5) + " " * size)[: size - len(empty)]
        return json.dumps(synthetic_record(description=padding)).encode()

    over, at_cap = answer_of_size(cap + 1), answer_of_size(cap)
    assert (len(over), len(at_cap)) == (cap + 1, cap)
    answers = iter([over, at_cap])
    server.answer = lambda handler: server.send(handler, [next(answers)])

    refused = openlibrary.lookup_isbns([ISBN])[ISBN]
    read = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert refused.status == LookupStatus.UNPARSEABLE
    assert read.status == LookupStatus.FOUND
    (candidate,) = read.candidates
    assert len(candidate.description) <= fields.DESCRIPTION_MAX_CHARS
    assert len(json.dumps(SourceRecord.objects.get().payload)) < cache.CACHED_PAYLOAD_MAX_BYTES


def test_an_error_answer_is_read_only_as_far_as_its_first_bytes(server, openlibrary):
    chunk = b"x" * (64 * 1024)
    server.answer = lambda handler: server.send(handler, [chunk] * 480, status=503)

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.SERVER_ERROR
    assert result.error.startswith("HTTP 503: xxx")
    assert server.body_bytes_sent < 480 * len(chunk) / 2


# --- long text fields --------------------------------------------------------------------------


def cut_note(candidate) -> str:
    return next(note for note in candidate.notes if "too long" in note)


def test_a_long_description_is_cut_at_a_word_with_a_note_and_the_cache_stays_small(
    http, openlibrary
):
    long_description = words(400_000)  # ~3.5 MB, under the 4 MB cap
    http.get(BOOKS_API, json=synthetic_record(description=long_description))

    (candidate,) = openlibrary.lookup_isbns([ISBN])[ISBN].candidates

    assert len(candidate.description) <= fields.DESCRIPTION_MAX_CHARS
    assert long_description.startswith(candidate.description)
    assert long_description[len(candidate.description)] == " "  # cut between two words
    assert "description cut to 20,000 characters" in cut_note(candidate)
    record = SourceRecord.objects.get()
    assert len(json.dumps(record.payload)) < 64 * 1024
    # The cached copy reads the same as the fresh answer.
    (cached,) = openlibrary.lookup_isbns([ISBN])[ISBN].candidates
    assert (cached.description, cached.notes) == (candidate.description, candidate.notes)


def test_ten_thousand_subjects_and_a_100_kb_title_are_cut(http, openlibrary):
    subjects = [{"name": f"Subject {i}", "url": f"https://x.example/{i}"} for i in range(10_000)]
    title = words(12_000)  # ~100 KB
    http.get(BOOKS_API, json=synthetic_record(subjects=subjects, title=title))

    (candidate,) = openlibrary.lookup_isbns([ISBN])[ISBN].candidates

    assert candidate.subjects == [f"Subject {i}" for i in range(fields.SUBJECTS_MAX_COUNT)]
    assert len(candidate.title) <= fields.TITLE_MAX_CHARS
    assert title.startswith(candidate.title)
    note = cut_note(candidate)
    assert "title cut to 500 characters" in note
    assert "only the first 50 subjects kept" in note
    assert len(json.dumps(SourceRecord.objects.get().payload)) < 128 * 1024
    (cached,) = openlibrary.lookup_isbns([ISBN])[ISBN].candidates
    assert (cached.title, cached.subjects, cached.notes) == (
        candidate.title,
        candidate.subjects,
        candidate.notes,
    )


def test_an_answer_too_large_to_cache_even_cut_is_used_but_not_cached(http, openlibrary):
    # 1,000 subjects of 300 characters: about 300 KB once bounded, over the cache's 256 KB.
    subjects = [{"name": f"{i} " + words(50)[:300]} for i in range(1_000)]
    http.get(BOOKS_API, json=synthetic_record(subjects=subjects))

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.FOUND
    (candidate,) = result.candidates
    assert len(candidate.subjects) == fields.SUBJECTS_MAX_COUNT
    assert all(len(subject) <= fields.SUBJECT_MAX_CHARS for subject in candidate.subjects)
    assert not SourceRecord.objects.exists()


def test_text_no_database_stores_never_reaches_the_cache_or_the_candidate(http, openlibrary):
    # PostgreSQL refuses NUL in jsonb and text columns; a lone surrogate is not UTF-8 at all.
    description = "Banks\x00 at his best \ud800"
    http.get(BOOKS_API, json=synthetic_record(description=description, notes="a\x00b"))

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.FOUND
    assert result.candidates[0].description == "Banks at his best ?"
    cached = json.dumps(SourceRecord.objects.get().payload)
    assert "\\u0000" not in cached and "\\ud800" not in cached


def test_bounded_payload_cuts_strings_lists_objects_and_depth():
    deep: list = []
    for _ in range(100):
        deep = [deep]
    payload = {
        "text": "x" * (cache.CACHED_TEXT_MAX_CHARS + 10),
        "items": list(range(cache.CACHED_ITEMS_MAX + 10)),
        "object": {str(i): i for i in range(cache.CACHED_ITEMS_MAX + 10)},
        "deep": deep,
        "kept": [1, 2.5, True, None, "ok"],
    }

    bounded = cache.bounded_payload(payload)

    assert len(bounded["text"]) == cache.CACHED_TEXT_MAX_CHARS
    assert len(bounded["items"]) == len(bounded["object"]) == cache.CACHED_ITEMS_MAX
    assert json.dumps(bounded["deep"]).count("[") <= cache.CACHED_DEPTH_MAX
    assert bounded["kept"] == [1, 2.5, True, None, "ok"]

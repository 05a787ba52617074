"""Structured logs: each request's id, the log context (`bind`), one JSON object per line, and
the LOG_FORMAT switch."""

import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from bookstore import log_context
from bookstore.json_logs import JsonFormatter
from bookstore.middleware import RequestIdMiddleware
from tests.bookstore.logging_support import captured_json_lines
from tests.bookstore.test_settings import ROOT, read_settings


@pytest.fixture
def json_lines():
    with captured_json_lines() as lines:
        yield lines


# --- The request's id ------------------------------------------------------------------------


def respond(request_id=None, *, seen=None):
    def view(request):
        if seen is not None:
            seen.append(log_context.current().get("request_id"))
        return HttpResponse("ok")

    headers = {"X-Request-ID": request_id} if request_id is not None else {}
    return RequestIdMiddleware(view)(RequestFactory().get("/", headers=headers))


def test_a_request_without_an_id_gets_a_new_one_in_its_response_and_its_context():
    seen: list[str] = []
    response = respond(seen=seen)

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0  # a uuid4's hex
    assert seen == [request_id]
    assert log_context.current() == {}  # nothing left behind for the next request
    assert respond()["X-Request-ID"] != request_id


def test_a_proxys_safe_request_id_is_kept():
    assert respond("3f2a-9c1d.edge_7")["X-Request-ID"] == "3f2a-9c1d.edge_7"


@pytest.mark.parametrize(
    "hostile",
    [
        'x" level="CRITICAL',  # would forge a field in a plain log line
        "abc def",
        "id\r\nX-Injected: 1",
        "a" * 65,
        "",
        "ünïcode",
    ],
)
def test_a_hostile_request_id_is_replaced_by_a_new_one(hostile):
    request_id = respond(hostile)["X-Request-ID"]
    assert request_id != hostile
    assert len(request_id) == 32 and int(request_id, 16) >= 0


@pytest.mark.django_db
def test_djangos_log_of_an_error_response_names_the_request(client, json_lines):
    response = client.get("/no-such-page", headers={"X-Request-ID": "req-404"})

    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-404"
    logged = [line for line in json_lines() if line["logger"] == "django.request"]
    assert len(logged) == 1  # once, not again by Django after the middleware
    assert logged[0]["message"] == "Not Found: /no-such-page"
    assert logged[0]["level"] == "WARNING"
    assert logged[0]["request_id"] == "req-404"


# --- bind and the JSON lines -----------------------------------------------------------------


def test_a_json_line_has_time_level_logger_message_and_the_bound_context(json_lines):
    logger = logging.getLogger("enrichment.engine")
    with log_context.bind(work_id=42, provider="openlibrary"):
        logger.warning("Asked %s books", 3)
    logger.warning("after the block")

    inside, after = json_lines()
    assert inside["level"] == "WARNING"
    assert inside["logger"] == "enrichment.engine"
    assert inside["message"] == "Asked 3 books"
    assert inside["work_id"] == 42
    assert inside["provider"] == "openlibrary"
    when = datetime.fromisoformat(inside["time"])
    assert when.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - when).total_seconds()) < 60
    assert "work_id" not in after and "provider" not in after and "request_id" not in after


def test_a_traceback_is_one_string_on_the_same_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.synthetic-json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("synthetic failure")
        except ValueError:
            logger.exception("it broke")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["message"] == "it broke"
    assert entry["exc_info"].startswith("Traceback")
    assert "ValueError: synthetic failure" in entry["exc_info"]


def test_bind_nests_and_restores_the_outer_context_even_on_an_error():
    with log_context.bind(request_id="r1"):
        with pytest.raises(RuntimeError), log_context.bind(work_id=7, provider=None):
            assert log_context.current() == {"request_id": "r1", "work_id": 7}
            raise RuntimeError
        assert log_context.current() == {"request_id": "r1"}
    assert log_context.current() == {}


def test_bind_refuses_a_field_it_does_not_know():
    with pytest.raises(TypeError, match="workid"), log_context.bind(workid=7):
        pass


def test_an_explicit_extra_wins_over_the_context(json_lines):
    with log_context.bind(provider="google_books"):
        logging.getLogger("enrichment").warning("x", extra={"provider": "isbndb"})
    assert json_lines()[0]["provider"] == "isbndb"


# --- LOG_FORMAT ----------------------------------------------------------------------------


@pytest.mark.slow  # a fresh interpreter
def test_log_format_json_writes_json_lines_from_the_settings():
    probe = """
import logging, django
django.setup()
from bookstore import log_context
with log_context.bind(work_id=5, provider="wikidata"):
    logging.getLogger("enrichment.engine").warning("synthetic line")
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bookstore.settings", "LOG_FORMAT": "json"}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "synthetic line"
    assert (entry["work_id"], entry["provider"]) == (5, "wikidata")


@pytest.mark.slow  # a fresh interpreter
def test_an_unknown_log_format_is_refused_at_startup():
    refused = read_settings(LOG_FORMAT="bogus")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "LOG_FORMAT must be 'plain' or 'json', not 'bogus'" in refused.stderr

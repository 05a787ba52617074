"""The optional discovery source: language models behind an OpenAI-compatible chat-completions API.

Each model in BACKFILL_LLM_MODEL is asked, side by side (a thread each), for the notable books
first published in the month, as JSON. Their answers are proposals, never facts: a model invents
titles, authors and ISBNs with the same confidence as it recalls real ones, so any ISBN it gives
is ignored and every title goes through the providers' title + author cascade like any other
unresolved book. The answers are merged with `dedupe.distinct_books` (60 % title similarity, as
the source documents do), each book remembering the models that proposed it (`extra["models"]`).

The request goes only to BACKFILL_LLM_URL, which the operator named (a model server on loopback
is legitimate), and never follows a redirect elsewhere. Its body is read under
ENRICHMENT_MAX_RESPONSE_BYTES and the whole exchange ends within BACKFILL_LLM_TIMEOUT, with the
project's capped HTTP reading (`enrichment.providers.http`, `enrichment.http_deadline`).
"""

import calendar
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.column_text import cut_at_word_boundary
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.dedupe import distinct_books
from enrichment.backfill.sources.base import DiscoverySource, SourceAnswer
from enrichment.candidates import LookupStatus
from enrichment.faults import ClassifiedFault, classify_fault, host_of, reached_the_server
from enrichment.providers import fields, http
from enrichment.providers.http import ProviderFault

logger = logging.getLogger(__name__)

COMPLETIONS_PATH = "/chat/completions"
TITLE_MAX_CHARS = fields.TITLE_MAX_CHARS  # 500, Work.title
AUTHOR_NAME_MAX_CHARS = fields.AUTHOR_NAME_MAX_CHARS  # 255, Author.name
AUTHORS_MAX_COUNT = fields.AUTHORS_MAX_COUNT
DESCRIPTION_MAX_CHARS = 5_000  # a proposal's blurb, not the work's description
GENRES_MAX_COUNT = 10
GENRE_MAX_CHARS = 64
#: Books read from one answer per book asked for: the same book named twice in an answer still
#: leaves enough to fill `limit`, and a model that lists thousands costs no more than this.
BOOKS_READ_PER_ASKED = 2
#: A failed model's reason, and the whole error, as kept on the month.
REASON_MAX_CHARS = 200
ERROR_MAX_CHARS = 1_000
#: Places in a prose answer where a JSON value is tried (a garbage answer full of braces must
#: not cost a parse per brace).
JSON_STARTS_TRIED = 20
#: A model still running this long after BACKFILL_LLM_TIMEOUT (a DNS lookup cannot be cut
#: short) is reported as timed out and left to finish on its own.
STRAGGLER_GRACE_SECONDS = 1.0

_FENCED = re.compile(r"```[a-zA-Z]*[ \t]*\n?(.*?)```", re.DOTALL)
_JSON_START = re.compile(r"[\[{]")

SYSTEM_PROMPT = (
    "You are a careful bibliographer. You answer with one JSON object and nothing else. "
    "You name only books you are confident exist, with their real titles and authors."
)
USER_PROMPT = (
    "List up to {limit} notable books first published in {month_name} {year} "
    "(between {year}-{month:02d}-01 and the end of that month), most notable first. "
    'Answer as JSON: {{"books": [{{"title": "...", "authors": ["..."], "year": {year}, '
    '"description": "one or two sentences", "genres": ["..."]}}]}}. '
    'Give no ISBNs. If you know of none, answer {{"books": []}}.'
)


class ModelFailed(Exception):
    """One model gave no books: its request failed, or its answer could not be read."""


class UnreadableAnswer(ModelFailed, ValueError):
    """The model answered, but not with books we can read (a refusal, prose without JSON)."""


@dataclass(slots=True)
class _Reply:
    """One model's answer as its thread got it: the decoded body, or what stopped it."""

    model: str
    payload: Any = None
    fault: ClassifiedFault | None = None
    internal_error: str = ""


class LlmSource(DiscoverySource):
    name = "llm"
    label = _("Language model")
    proposes_only = True

    def is_configured(self) -> bool:
        return bool(settings.BACKFILL_LLM_URL.strip() and configured_models())

    def discover(self, *, year: int, month: int, limit: int) -> SourceAnswer:
        if not self.is_configured():
            return SourceAnswer(error=gettext("BACKFILL_LLM_URL or BACKFILL_LLM_MODEL is not set."))
        if limit <= 0:
            return SourceAnswer()
        models = configured_models()
        url = completions_url(settings.BACKFILL_LLM_URL)
        api_key = settings.BACKFILL_LLM_API_KEY
        messages = prompt_messages(year=year, month=month, limit=limit)
        replies = ask_models(url=url, models=models, messages=messages, api_key=api_key)

        books: list[DiscoveredBook] = []
        failures: list[str] = []
        for reply in replies:
            try:
                books += books_from_reply(reply, year=year, month=month, limit=limit)
            except ModelFailed as exc:
                failures.append(_failure(reply.model, str(exc)))
        error = "; ".join(failures)
        error = _redact(error, api_key)[:ERROR_MAX_CHARS]
        # A request that never left the machine (refused, DNS, TLS) is no call.
        calls = sum(reached_the_server(reply.fault) for reply in replies)
        return SourceAnswer(books=ranked(distinct_books(books))[:limit], calls=calls, error=error)


def configured_models() -> list[str]:
    """BACKFILL_LLM_MODEL's names, each once, in order (a string is a comma-separated list)."""
    value = settings.BACKFILL_LLM_MODEL
    names = value.split(",") if isinstance(value, str) else list(value or [])
    return fields.unique(str(name) for name in names)


def completions_url(base: str) -> str:
    """The chat-completions endpoint of BACKFILL_LLM_URL: a base (".../v1", with or without a
    trailing slash) or the endpoint itself; a query (Azure's api-version) is kept."""
    parts = urlsplit(base.strip())
    path = parts.path.rstrip("/")
    if not path.endswith(COMPLETIONS_PATH):
        path += COMPLETIONS_PATH
    return urlunsplit(parts._replace(path=path))


def prompt_messages(*, year: int, month: int, limit: int) -> list[dict[str, str]]:
    """The system and user messages: the prompt stays English whatever the site's language."""
    user = USER_PROMPT.format(
        limit=limit, year=year, month=month, month_name=calendar.month_name[month]
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def ask_models(
    *, url: str, models: list[str], messages: list[dict[str, str]], api_key: str
) -> list[_Reply]:
    """Every model asked at once, one thread each; the replies in the models' order. A model
    still running past the deadline (plus a grace) counts as timed out."""
    seconds = float(settings.BACKFILL_LLM_TIMEOUT)
    pool = ThreadPoolExecutor(max_workers=len(models), thread_name_prefix="backfill-llm")
    try:
        futures = [
            pool.submit(_ask_model, url=url, model=model, messages=messages, api_key=api_key)
            for model in models
        ]
        wait(futures, timeout=seconds + STRAGGLER_GRACE_SECONDS)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    replies = []
    for model, future in zip(models, futures, strict=True):
        if future.done() and not future.cancelled():
            replies.append(future.result())
        else:
            fault = classify_fault(error=_deadline_fault(seconds), url=url, status="timeout")
            replies.append(_Reply(model, fault=fault))
    return replies


def _ask_model(*, url: str, model: str, messages: list[dict[str, str]], api_key: str) -> _Reply:
    """One model's request, in its own thread: never raises (nothing here may touch gettext
    or the database: the caller's thread makes the messages)."""
    try:
        return _Reply(model, payload=post_json(url, _request_body(model, messages), api_key))
    except ProviderFault as exc:
        fault = exc.fault
        return _Reply(model, fault=replace(fault, host=fault.host or host_of(url)))
    except Exception as exc:  # a bug of ours with this answer: this model fails alone
        logger.exception("Backfill LLM source: internal error with model %s", model)
        return _Reply(model, internal_error=_redact(f"{type(exc).__name__}: {exc}", api_key))


def _request_body(model: str, messages: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "model": model,
        "messages": messages,
        "temperature": 0,
        "response_format": {"type": "json_object"},
    }


def post_json(url: str, body: dict[str, Any], api_key: str) -> Any:
    """POST `body` and decode the JSON answer: the body read under
    ENRICHMENT_MAX_RESPONSE_BYTES, the whole exchange within BACKFILL_LLM_TIMEOUT (the connect
    within ENRICHMENT_HTTP_CONNECT_TIMEOUT), no redirect followed. A ProviderFault otherwise,
    with the API key scrubbed from its text."""
    headers = {"User-Agent": http.user_agent(), "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    seconds = float(settings.BACKFILL_LLM_TIMEOUT)
    return http.exchange_json(
        http.session_for(LlmSource),
        "POST",
        url,
        json=body,
        headers=headers,
        seconds=seconds,
        timeouts=(float(settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT), seconds),
        deadline_error=_deadline_fault,
        redact=lambda text: _redact(text, api_key),
        is_daily_quota_answer=_no_quota,
        clock=time.time,  # its Retry-After is not used: no database read in this thread
        allow_redirects=False,  # the operator named this host, not the one it points to
    )


def _no_quota(status: int, body: str) -> bool:
    return False  # a chat API's 429 is "slow down": the month is retried later anyway


def _deadline_fault(seconds: float) -> ProviderFault:
    return ProviderFault(
        LookupStatus.TIMEOUT, f"gave up after {seconds:.3g} s (BACKFILL_LLM_TIMEOUT)"
    )


def _redact(text: str, api_key: str) -> str:
    return text.replace(api_key, "***") if api_key else text


# --- Reading an answer (pure) -------------------------------------------------------------------


def books_from_reply(reply: _Reply, *, year: int, month: int, limit: int) -> list[DiscoveredBook]:
    """The books of one model's reply; ModelFailed, with the reason in a few words, when the
    request failed or the answer holds no books we can read."""
    if reply.fault is not None:
        raise ModelFailed(reply.fault.message)  # its host and what happened, in one line
    if reply.internal_error:
        raise ModelFailed(gettext("internal error: %(error)s") % {"error": reply.internal_error})
    return books_from_completion(
        reply.payload, model=reply.model, year=year, month=month, limit=limit
    )


def books_from_completion(
    payload: Any, *, model: str, year: int, month: int, limit: int
) -> list[DiscoveredBook]:
    """The books of one chat.completion body, at most `limit` × BOOKS_READ_PER_ASKED (the
    answers are cut to `limit` once merged), each marked as `model`'s.

    Raises UnreadableAnswer for a body that is not a completion, a refusal, or content with no
    JSON in it; a JSON answer without books is an answer (no books), not a fault.
    """
    content = completion_content(payload)
    items = book_items(json_in_text(content))
    if items is None:
        raise UnreadableAnswer(
            gettext("no list of books in the answer: %(start)s") % {"start": _excerpt(content)}
        )
    books = []
    for item in items:
        book = discovered_book(item, model=model, year=year, month=month)
        if book is not None:
            books.append(book)
            if len(books) >= limit * BOOKS_READ_PER_ASKED:
                break
    return books


def completion_content(payload: Any) -> str:
    """`choices[0].message.content` as text (a list of text parts joined)."""
    try:
        message = payload["choices"][0]["message"]
        content = message.get("content")
        refusal = message.get("refusal")
    except (LookupError, TypeError, AttributeError) as exc:
        raise UnreadableAnswer(gettext("not a chat completion (no choices[0].message)")) from exc
    if isinstance(content, list):  # content parts: [{"type": "text", "text": "..."}]
        content = "".join(
            part.get("text", "")
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    if isinstance(content, str) and content.strip():
        return content
    if isinstance(refusal, str) and refusal.strip():
        raise UnreadableAnswer(
            gettext("the model refused: %(refusal)s") % {"refusal": _excerpt(refusal)}
        )
    raise UnreadableAnswer(gettext("the model's answer is empty"))


def json_in_text(content: str) -> Any:
    """The JSON object or list a model wrote: the whole content, else a ```json fenced block,
    else the first one in the prose around it that holds books."""
    for candidate in (content, *(match.group(1) for match in _FENCED.finditer(content))):
        try:
            value = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict | list):
            return value
    decoder = json.JSONDecoder()
    first = None
    for match in islice(_JSON_START.finditer(content), JSON_STARTS_TRIED):
        try:
            value, _end = decoder.raw_decode(content, match.start())
        except (ValueError, RecursionError):
            continue
        if book_items(value):
            return value
        first = value if first is None else first
    if first is not None:
        return first
    raise UnreadableAnswer(
        gettext("no JSON in the answer: %(start)s") % {"start": _excerpt(content)}
    )


def book_items(value: Any) -> list[dict[str, Any]] | None:
    """The book objects of a decoded answer: {"books": [...]}, a bare list, one book alone, or
    the first list of objects under another key; None when it holds no list of books at all
    ({"books": []} is an answer: no books)."""
    if isinstance(value, dict):
        if isinstance(value.get("books"), list):
            value = value["books"]
        elif "title" in value:
            value = [value]
        else:
            value = next(
                (
                    inner
                    for inner in value.values()
                    if isinstance(inner, list) and any(isinstance(i, dict) for i in inner)
                ),
                None,
            )
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, dict)]


def discovered_book(
    item: dict[str, Any], *, model: str, year: int, month: int
) -> DiscoveredBook | None:
    """One proposed book, every string cut to its cap; None without a title. Any ISBN the
    model wrote is left out: it is no fact."""
    title = cut_at_word_boundary(_plain_text(item.get("title")), TITLE_MAX_CHARS)
    if not title:
        return None
    authors = item.get("authors", item.get("author"))
    names = fields.unique(
        cut_at_word_boundary(_plain_text(name), AUTHOR_NAME_MAX_CHARS)
        for name in fields.as_list(authors)
    )[:AUTHORS_MAX_COUNT]
    genres = item.get("genres", item.get("genre"))
    if isinstance(genres, str):
        genres = genres.split(",")
    genre_names = fields.unique(
        cut_at_word_boundary(_plain_text(genre), GENRE_MAX_CHARS)
        for genre in fields.as_list(genres)
    )[:GENRES_MAX_COUNT]
    book_year = fields.year_of(item.get("year"))
    return DiscoveredBook(
        title=title,
        authors=names,
        source=LlmSource.name,
        year=book_year,
        # The month asked for, unless the model itself dated the book to another year.
        month=month if book_year in (None, year) else None,
        description=cut_at_word_boundary(
            _plain_text(item.get("description")), DESCRIPTION_MAX_CHARS
        ),
        genres=genre_names,
        extra={"models": [model]},
    )


def ranked(books: list[DiscoveredBook]) -> list[DiscoveredBook]:
    """Books more models proposed first (agreement is the best sign a book is real), then in
    the order they were named."""
    return sorted(books, key=lambda book: -len(book.extra.get("models", [])))


def _plain_text(value: Any) -> str:
    """A string, or a whole number written bare ("title": 1984); an object, a list, a float or a
    boolean where a string belongs is no title, name or genre."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return fields.text(value)


def _excerpt(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return repr(line if len(line) <= limit else line[: limit - 1] + "…")


def _failure(model: str, reason: str) -> str:
    reason = reason if len(reason) <= REASON_MAX_CHARS else reason[: REASON_MAX_CHARS - 1] + "…"
    return gettext("%(model)s: %(reason)s") % {"model": model, "reason": reason}

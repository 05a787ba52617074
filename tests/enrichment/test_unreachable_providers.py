"""Unreachable is not unknown (issue 14, items 1-3): the real Open Library client against a
local server on 127.0.0.1 that refuses connections, answers 503 or 429, or answers "nothing
known" (its empty answers built here), and against a resolver that knows no name (offline).

A book whose providers could not be asked or failed waits, pending, with its next try shown,
and is retried on its own; only a book the providers answered and none knew is "unresolved".
The stored errors are short and classified, the full text behind "details", no URL query in
either, nor in the log; the dashboard and the admin index say that no provider can be reached.
"""

import json
import logging
import re
import socket
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.contrib.admin.utils import display_for_value
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import Work
from enrichment import engine, provider_figures, queue
from enrichment.heartbeat_models import ClusterHeartbeat
from enrichment.models import EnrichmentRequest, ProviderState
from tests.enrichment.providers.local_server import LocalServer
from tests.enrichment.test_faults import refused_port
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status

USE_OF_WEAPONS = "9780316030571"
NEVERWHERE = "9780060557812"


@pytest.fixture(autouse=True)
def open_library_only(settings, monkeypatch):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    settings.OPENLIBRARY_RATE = 1000  # no spacing between this test's few requests
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = 0.5
    settings.ENRICHMENT_HTTP_READ_TIMEOUT = 0.5
    settings.ENRICHMENT_RETRY_BASE_SECONDS = 60
    settings.ENRICHMENT_BREAKER_FAILURES = 5
    settings.ENRICHMENT_BREAKER_OPEN_SECONDS = 60
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda *args, **kwargs: None)


@pytest.fixture
def two_books():
    weapons = make_work("Use of Weapons", authors=["Iain M. Banks"])
    make_edition(weapons, isbn13=USE_OF_WEAPONS)
    neverwhere = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(neverwhere, isbn13=NEVERWHERE)
    queue.works_enqueue_enrichment(dispatch=False)
    return weapons, neverwhere


def run_batch() -> dict[str, EnrichmentRequest]:
    """Claim every due request and work them with the enabled (real) provider clients."""
    due = EnrichmentRequest.objects.filter(status=Status.PENDING).values_list("pk", flat=True)
    claimed = queue.requests_claim(request_ids=list(due))
    engine.process_requests(claimed)
    return {r.work.title: r for r in EnrichmentRequest.objects.select_related("work")}


def make_due() -> None:
    EnrichmentRequest.objects.filter(status=Status.PENDING).update(next_attempt_at=timezone.now())


def assert_waiting(request: EnrichmentRequest, *, attempts: int) -> None:
    assert (request.status, request.attempts) == (Status.PENDING, attempts)
    assert request.next_attempt_at > timezone.now()
    assert request.claim_token == ""
    request.work.refresh_from_db()
    assert request.work.enrichment_status == Work.EnrichmentStatus.WAITING
    assert request.work.enrichment_status != Work.EnrichmentStatus.UNRESOLVED


def assert_no_isbn_list(text: str) -> None:
    """No other book's ISBN, no query string: a batch URL is cut to its path."""
    assert USE_OF_WEAPONS not in text and NEVERWHERE not in text
    assert "bibkeys" not in text and "?" not in text


# --- The work ends waiting, not unresolved ----------------------------------------------------


def test_a_refused_connection_leaves_the_books_waiting_with_a_short_classified_error(
    settings, two_books, caplog
):
    port = refused_port()
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{port}"
    caplog.set_level(logging.INFO)

    requests = run_batch()

    for request in requests.values():
        assert_waiting(request, attempts=1)  # a fault: it counts, and backs off
        assert request.last_error == f"Open Library: 127.0.0.1:{port} refused the connection"
        (fault,) = request.match_details.faults
        assert (fault.provider, fault.kind, fault.host) == (
            "openlibrary",
            "refused",
            f"127.0.0.1:{port}",
        )
        assert "Connection refused" in fault.detail  # the full text, for "details"
        assert "/api/books" in fault.detail
        assert_no_isbn_list(fault.detail)
    state = ProviderState.objects.get(provider="openlibrary")
    assert (state.last_error_kind, state.last_error_host) == ("refused", f"127.0.0.1:{port}")
    assert state.failing_since is not None
    # The log of the failing batch names the host and the kind, never the batch's ISBNs.
    logged = [record.getMessage() for record in caplog.records]
    assert any("refused the connection" in line for line in logged)
    for line in logged:
        assert USE_OF_WEAPONS not in line and NEVERWHERE not in line, line


def test_offline_a_dns_failure_leaves_the_books_waiting(settings, two_books, monkeypatch):
    settings.OPENLIBRARY_URL = "https://openlibrary.org"

    def getaddrinfo(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    requests = run_batch()

    for request in requests.values():
        assert_waiting(request, attempts=1)
        assert request.last_error == (
            "Open Library: openlibrary.org could not be found (DNS lookup failed)"
        )
        assert "NameResolutionError" in request.match_details.faults[0].detail


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [(503, "http_5xx", "answered HTTP 503: a server error"), (429, "http_429", "HTTP 429")],
)
def test_a_busy_provider_leaves_the_books_waiting(settings, two_books, status, kind, words):
    with LocalServer() as server:
        settings.OPENLIBRARY_URL = server.url
        page = b"<html><body>Service Unavailable</body></html>"
        headers = {"Content-Type": "text/html", "Content-Length": str(len(page))}
        if status == 429:
            headers["Retry-After"] = "120"
        server.answer = lambda handler: server.send(handler, [page], status=status, headers=headers)
        requests = run_batch()

    state = ProviderState.objects.get(provider="openlibrary")
    assert (state.last_error_kind, state.last_error_status) == (kind, status)
    assert words in state.last_error
    for request in requests.values():
        assert request.status == Status.PENDING and request.next_attempt_at > timezone.now()
        request.work.refresh_from_db()
        assert request.work.enrichment_status == Work.EnrichmentStatus.WAITING
    if status == 429:
        # The 429's Retry-After holds the provider: the books wait for it, no attempt counted.
        for request in requests.values():
            assert request.attempts == 0
            wait = (request.next_attempt_at - timezone.now()).total_seconds()
            assert 100 < wait <= 120
            assert "Open Library: asked us to slow down" in request.last_error


def test_a_real_no_match_still_ends_unresolved(settings, two_books):
    """Open Library answered: it knows neither ISBN and its search finds nothing (its empty
    answers, as the real API writes them, built here)."""

    def nothing_known(handler):
        empty = {} if handler.path.startswith("/api/books") else {"numFound": 0, "docs": []}
        data = json.dumps(empty).encode()
        server.send(handler, [data], headers={"Content-Length": str(len(data))})

    with LocalServer() as server:
        settings.OPENLIBRARY_URL = server.url
        server.answer = nothing_known
        requests = run_batch()

    for request in requests.values():
        assert request.status == Status.SKIPPED
        assert request.match_details.reason == "No provider knows this book."
        assert request.match_details.answered == ["openlibrary"]
        request.work.refresh_from_db()
        assert request.work.enrichment_status == Work.EnrichmentStatus.UNRESOLVED


def test_a_breaker_opened_offline_leaves_the_books_waiting_without_counting_attempts(
    settings, two_books
):
    settings.ENRICHMENT_BREAKER_FAILURES = 1
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{refused_port()}"
    run_batch()  # the fault opens the breaker
    opened_at = ProviderState.objects.get(provider="openlibrary").opened_at
    make_due()

    requests = run_batch()  # not one provider can be asked now

    for request in requests.values():
        assert_waiting(request, attempts=1)  # the second claim asked nobody: not counted
        # Next try: when the breaker lets a request through again.
        reopens = opened_at + timedelta(seconds=60)
        assert abs((request.next_attempt_at - reopens).total_seconds()) < 2
        assert request.last_error == (
            "Waiting for providers unavailable for now: Open Library: paused after repeated "
            "failures."
        )
    # Waiting asks nobody, so however long it lasts it never ends FAILED.
    for _ in range(5):
        make_due()
        requests = run_batch()
    assert {r.status for r in requests.values()} == {Status.PENDING}
    assert {r.attempts for r in requests.values()} == {1}


def test_a_provider_unreachable_past_the_attempts_keeps_the_books_waiting(settings, two_books):
    """A machine offline for longer than the retries take (3 attempts: 3 minutes): its books
    are not failed for the network's sake; they wait, tried again every
    ENRICHMENT_UNAVAILABLE_RETRY_SECONDS, and the attempts stop counting."""
    settings.ENRICHMENT_BREAKER_FAILURES = 100  # every claim asks: the faults themselves decide
    settings.ENRICHMENT_UNAVAILABLE_RETRY_SECONDS = 3600
    port = refused_port()
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{port}"
    for _ in range(6):
        requests = run_batch()
        make_due()
    requests = run_batch()

    for request in requests.values():
        assert_waiting(request, attempts=2)  # the third and later claims are no attempt
        wait = (request.next_attempt_at - timezone.now()).total_seconds()
        assert 3500 < wait <= 3600
        assert request.last_error == (
            "Waiting for providers that could not be reached: "
            f"Open Library: 127.0.0.1:{port} refused the connection."
        )


def test_faults_of_the_answers_that_exhaust_the_attempts_still_end_failed(settings, two_books):
    """A provider that answers, but with something we cannot read, is no network outage: its
    books fail after ENRICHMENT_MAX_ATTEMPTS, as before."""
    with LocalServer() as server:
        settings.OPENLIBRARY_URL = server.url
        garbage = b"<html>not json</html>"
        server.answer = lambda handler: server.send(
            handler, [garbage], headers={"Content-Length": str(len(garbage))}
        )
        for _ in range(3):
            requests = run_batch()
            make_due()
    assert {r.status for r in requests.values()} == {Status.FAILED}
    work = requests["Neverwhere"].work
    work.refresh_from_db()
    assert work.enrichment_status == Work.EnrichmentStatus.FAILED


# --- What people see ----------------------------------------------------------------------------


@pytest.fixture
def offline_for_a_while(settings, two_books):
    """Open Library refused every connection, its breaker is open, the books wait."""
    settings.ENRICHMENT_BREAKER_FAILURES = 1
    port = refused_port()
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{port}"
    run_batch()
    make_due()
    run_batch()
    return f"127.0.0.1:{port}"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def waiting_pages(client, request) -> tuple[str, str, str, str]:
    """The works list's rows and the queue's, as HTML, the review page and the work's page, as
    text."""
    works_page = client.get(reverse("admin:catalog_work_changelist")).content.decode()
    queue_page = client.get(reverse("admin:enrichment_enrichmentrequest_changelist"))
    review = client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    work = client.get(reverse("admin:catalog_work_change", args=[request.work_id]))
    return (
        works_page.split('id="result_list"', 1)[1].split("</table>", 1)[0],
        queue_page.content.decode().split('id="result_list"', 1)[1].split("</table>", 1)[0],
        text_of(review.content.decode()),
        text_of(work.content.decode()),
    )


def tooltips(html: str) -> list[str]:
    return [unescape(title) for title in re.findall(r' title="([^"]*)"', html)]


def test_the_work_list_and_the_queue_show_waiting_with_the_next_try(
    admin_client, offline_for_a_while, a_worker_running
):
    """The lists say it briefly ("Waiting: next try 4:51 a.m.": the sentence took 3-4 lines of
    the queue's status column at 1,280 px), the sentence on hover; the pages say it whole."""
    request = EnrichmentRequest.objects.get(work__title="Neverwhere")
    next_try = display_for_value(request.next_attempt_at, "–")
    expected = f"Waiting: providers unavailable, next try at {next_try}"

    works, queue, review, work = waiting_pages(admin_client, request)

    assert text_of(works).count("Waiting: next try ") == 2
    assert tooltips(works).count(expected) == 2
    assert "providers unavailable" not in text_of(works)
    assert "No provider knows it" not in text_of(works)
    assert "Waiting: next try " in text_of(queue) and expected in tooltips(queue)
    assert "providers unavailable" not in text_of(queue)
    assert expected in review
    assert expected in work


def test_without_a_worker_a_waiting_book_says_nothing_will_try_it_again(
    admin_client, offline_for_a_while
):
    """No cluster beats: "next try at 4:51 a.m." would never come; every page says why."""
    request = EnrichmentRequest.objects.get(work__title="Neverwhere")
    expected = (
        "Waiting: providers unavailable; no worker is running to try again "
        "(start one with manage.py qcluster)"
    )

    works, queue, review, work = waiting_pages(admin_client, request)

    assert text_of(works).count("Waiting: no worker running") == 2
    assert tooltips(works).count(expected) == 2
    assert "next try" not in works
    assert "Waiting: no worker running" in text_of(queue) and expected in tooltips(queue)
    assert expected in review
    assert expected in work


@pytest.fixture
def a_worker_running():
    now = timezone.now()
    ClusterHeartbeat.objects.create(
        name="bookstore", host="here", pid=1, broker="orm", started_at=now, beat_at=now
    )


@pytest.mark.parametrize("page", ["admin:enrichment_dashboard", "admin:index"])
def test_the_dashboard_and_the_admin_index_say_no_provider_can_be_reached(
    admin_client, offline_for_a_while, a_worker_running, page
):
    reachability = provider_figures.providers_reachability()
    assert reachability.none_reachable
    html = admin_client.get(reverse(page)).content.decode()

    notice = text_of(html.split('id="providers-notice"', 1)[1].split("</div>", 1)[0])
    since = display_for_value(ProviderState.objects.get().failing_since, "–")
    next_try = display_for_value(reachability.next_try_at, "–")
    assert "No provider can be reached" in html
    # One full stop after a time that ends with one ("3:35 a.m."), never "a.m.. It is".
    assert (
        f"Open Library ({offline_for_a_while}): connection refused since "
        f"{since.removesuffix('.')}. It is paused after repeated failures."
    ) in notice
    assert (
        f"The worker tries again at {next_try}; books wait and are retried on their own." in notice
    )


def test_without_a_worker_the_notice_does_not_promise_a_next_try(admin_client, offline_for_a_while):
    """`enrich_missing --now` offline, then the admin: nobody will try the books again until a
    worker runs, and the notice says so instead of "The worker tries again at …"."""
    html = admin_client.get(reverse("admin:enrichment_dashboard")).content.decode()
    notice = text_of(html.split('id="providers-notice"', 1)[1].split("</div>", 1)[0])
    assert "The worker tries again" not in notice
    assert (
        "No worker is running to try them again: start one with manage.py qcluster; "
        "meanwhile the books wait."
    ) in notice


def test_no_notice_while_the_providers_answer(admin_client, two_books):
    ProviderState.objects.create(provider="openlibrary", last_success_at=datetime.now(UTC))
    assert not provider_figures.providers_reachability().unreachable
    for page in ("admin:enrichment_dashboard", "admin:index"):
        assert "providers-notice" not in admin_client.get(reverse(page)).content.decode()


def test_the_dashboard_counts_waiting_apart_from_unknown(admin_client, offline_for_a_while):
    unknown = make_work("Nobody Knows This", authors=["A. Nonymous"])
    Work.objects.filter(pk=unknown.pk).update(enrichment_status=Work.EnrichmentStatus.UNRESOLVED)
    html = admin_client.get(reverse("admin:enrichment_dashboard")).content.decode()
    page = text_of(html)
    assert "2 works waiting (providers unavailable: retried on their own)" in page
    assert "1 work unknown to every provider (they answered, none knew it)" in page


def test_enrichment_report_counts_waiting_apart_from_unknown(offline_for_a_while, capsys):
    call_command("enrichment_report")
    out = capsys.readouterr().out
    assert "0 unknown to every provider" in out
    assert "2 waiting (providers unavailable: retried on their own)" in out
    assert f"Unreachable: Open Library ({offline_for_a_while}): connection refused" in out

    call_command("enrichment_report", "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["metadata"]["unresolved"], report["metadata"]["waiting"]) == (0, 2)
    assert report["providers"]["openlibrary"]["last_error_kind"] == "refused"
    (unreachable,) = report["providers_unreachable"]
    assert (unreachable["provider"], unreachable["kind"]) == ("openlibrary", "refused")


def test_enrichment_report_says_since_when_and_the_next_try_as_the_admin_does(
    offline_for_a_while, capsys
):
    """The text report is read by people: times in the admin's words, not ISO 8601 with
    microseconds, and when the worker asks the provider again."""
    call_command("enrichment_report")
    out = capsys.readouterr().out
    state = ProviderState.objects.get()
    since = display_for_value(state.failing_since, "–")
    next_try = display_for_value(provider_figures.providers_reachability().next_try_at, "–")
    assert (
        f"Unreachable: Open Library ({offline_for_a_while}): connection refused since {since}; "
        f"paused after repeated failures; next try at {next_try.removesuffix('.')}.\n"
    ) in out


def test_provider_states_show_the_short_error_and_the_full_text_behind_details(
    admin_client, offline_for_a_while
):
    state = ProviderState.objects.get()
    listing = admin_client.get(reverse("admin:enrichment_providerstate_changelist")).content
    page = admin_client.get(reverse("admin:enrichment_providerstate_change", args=[state.pk]))
    html = page.content.decode()
    assert f"{offline_for_a_while} refused the connection" in listing.decode()
    details = html.split('<details class="fault-detail">', 1)[1].split("</details>", 1)[0]
    assert "Connection refused" in details and "/api/books" in details
    assert_no_isbn_list(details)


def test_the_review_page_keeps_a_long_error_short_and_wrapped(admin_client, two_books):
    """A stored row of the old kind: the whole urllib3 text with a batch URL of 40 ISBNs."""
    isbns = ",".join(f"ISBN%3A97800000000{n:02d}" for n in range(40))
    old = (
        "openlibrary: server_error connection failed: HTTPSConnectionPool(host='openlibrary.org',"
        f" port=443): Max retries exceeded with url: /api/books?bibkeys={isbns}&format=json "
        '(Caused by NameResolutionError("<urllib3.connection.HTTPSConnection object>: Failed to'
        " resolve 'openlibrary.org' ([Errno -3] Temporary failure in name resolution)\"))"
    )
    request = EnrichmentRequest.objects.create(
        work=two_books[0],
        trigger="command",
        status=Status.FAILED,
        attempts=3,
        last_error="Open Library: openlibrary.org could not be found (DNS lookup failed)",
        match_details={"faults": [old, "google_books: timeout " + "x" * 3000]},
    )
    html = admin_client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()

    errors = html.split('class="fault-list', 1)[1].split("</ul>", 1)[0]
    assert "openlibrary.org could not be found (DNS lookup failed)" in errors
    assert "97800000000" not in html  # the batch's ISBNs are nowhere on the page
    # The full texts only inside the wrapping "details" blocks.
    blocks = re.findall(r'<details class="fault-detail">.*?<pre>(.*?)</pre>', errors, re.S)
    assert len(blocks) == 2 and "x" * 2000 in blocks[1]
    outside = re.sub(r"<details.*?</details>", "", errors, flags=re.S)
    assert "x" * 200 not in outside and "HTTPSConnectionPool" not in outside


def test_the_log_says_why_a_breaker_opened_and_for_how_long(settings, two_books, caplog):
    """An operator reading the worker's log: the breaker's line names what failed (not the
    lookup's status code, "server_error" for a refused connection) and when it is tried again."""
    settings.ENRICHMENT_BREAKER_FAILURES = 1
    port = refused_port()
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{port}"
    caplog.set_level(logging.INFO)

    run_batch()

    (line,) = [r.getMessage() for r in caplog.records if "circuit breaker" in r.getMessage()]
    assert line == (
        f"openlibrary: circuit breaker opened after 1 failure in a row "
        f"(127.0.0.1:{port} refused the connection): no request for 60 s"
    )


def test_requests_that_never_left_the_machine_spend_no_daily_budget(settings, two_books):
    """Offline, a provider's daily budget is not spent on connections that were refused or
    names that did not resolve (the provider never saw them): ISBNdb counted each ISBN of a
    refused bulk request, and a day offline would spend Google's 1,000 on probes, leaving the
    books skipped until midnight once the network is back."""
    settings.OPENLIBRARY_DAILY_BUDGET = 100
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{refused_port()}"

    run_batch()

    state = ProviderState.objects.get(provider="openlibrary")
    assert state.last_error_kind == "refused"
    assert state.requests_today == 0
    assert state.consecutive_failures >= 1  # the breaker still counts it


def test_a_request_the_provider_received_still_spends_the_budget(settings, two_books):
    with LocalServer() as server:
        settings.OPENLIBRARY_URL = server.url
        settings.OPENLIBRARY_DAILY_BUDGET = 100
        page = b"<html><body>Service Unavailable</body></html>"
        server.answer = lambda handler: server.send(
            handler, [page], status=503, headers={"Content-Length": str(len(page))}
        )
        run_batch()
    state = ProviderState.objects.get(provider="openlibrary")
    assert state.last_error_kind == "http_5xx"
    assert state.requests_today >= 1


def test_a_day_offline_warns_once_per_outage_and_says_when_the_provider_answers_again(
    settings, two_books, caplog
):
    """Each failed probe (one a minute, a day offline) is an INFO line, not another WARNING;
    the provider's return is logged too."""
    settings.ENRICHMENT_BREAKER_FAILURES = 1
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{refused_port()}"
    caplog.set_level(logging.INFO)
    run_batch()  # opens the breaker: the one warning
    for _ in range(2):  # two probes, both refused
        ProviderState.objects.update(opened_at=timezone.now() - timedelta(seconds=61))
        make_due()
        run_batch()
    breaker_lines = [
        (r.levelname, r.getMessage()) for r in caplog.records if "circuit breaker" in r.getMessage()
    ]
    assert [level for level, _ in breaker_lines] == ["WARNING", "INFO", "INFO"]
    assert (
        "still failing" in breaker_lines[1][1] and "refused the connection" in breaker_lines[1][1]
    )

    def nothing_known(handler):
        empty = {} if handler.path.startswith("/api/books") else {"numFound": 0, "docs": []}
        data = json.dumps(empty).encode()
        server.send(handler, [data], headers={"Content-Length": str(len(data))})

    caplog.clear()
    with LocalServer() as server:
        settings.OPENLIBRARY_URL = server.url
        server.answer = nothing_known
        ProviderState.objects.update(opened_at=timezone.now() - timedelta(seconds=61))
        make_due()
        run_batch()
    (line,) = [r.getMessage() for r in caplog.records if "circuit breaker" in r.getMessage()]
    assert line == "openlibrary: answering again: circuit breaker closed after 3 failures in a row"

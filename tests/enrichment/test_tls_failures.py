"""A failed secure connection is no outage: real TLS servers on 127.0.0.1 (tls_servers) with a
self-signed, expired or other host's certificate, a handshake cut off, a plain-HTTP server on
the https port, a TLS alert.

Each is a TLS fault. It backs off and counts like any other fault: a book whose provider's TLS
fails ends failed after ENRICHMENT_MAX_ATTEMPTS with the reason, a cover is rejected after its
three claims, where both waited for the "unreachable" host without limit.
"""

import socket

import pytest
from django.utils import timezone

from catalog.models import Work
from enrichment import cover_apply, engine, queue
from enrichment.covers import CoverRejected, fetch_cover_bytes
from enrichment.covers.errors import RejectionReason, reached_no_host
from enrichment.covers.fetch import cover_session
from enrichment.faults import FaultKind, classify_fault
from enrichment.models import EnrichmentRequest
from tests.enrichment.tls_servers import SHAPES, tls_server
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
CoverStatus = EnrichmentRequest.CoverStatus


@pytest.fixture
def mirror(cover_settings, dns, tmp_path, monkeypatch, request):
    """A cover mirror the operator named (covers.mirror.test) whose TLS fails as the test's
    `shape` parameter says; the client trusts its certificate where that still fails."""
    shape = request.param
    with tls_server(shape, tmp_path) as server:
        cover_settings.COVER_ALLOWED_HOSTS = [f"{server.host}:{server.port}"]
        cover_settings.COVER_CONNECT_TIMEOUT, cover_settings.COVER_READ_TIMEOUT = 2.0, 2.0
        dns.table[server.host] = ["127.0.0.1"]
        if shape != "self_signed":
            monkeypatch.setattr(cover_session(), "verify", server.ca)
        server.url = f"https://{server.host}:{server.port}/b/id/1-L.jpg"
        yield server


@pytest.mark.parametrize("mirror", SHAPES, indirect=True)
def test_a_failed_secure_connection_is_a_tls_fault_that_reached_a_host(mirror):
    with pytest.raises(CoverRejected) as caught:
        fetch_cover_bytes(mirror.url)
    refused = caught.value
    assert refused.reason == RejectionReason.CONNECTION_ERROR
    assert classify_fault(error=refused.message).kind == FaultKind.TLS, refused.message
    # Not "offline": a host took the connection, and waiting will not mend its TLS.
    assert not reached_no_host(refused.reason, refused.message)


def test_a_cover_whose_host_fails_tls_is_rejected_after_its_claims(
    sent_tasks, cover_settings, dns, tmp_path, monkeypatch
):
    with tls_server("expired", tmp_path) as server:
        cover_settings.COVER_ALLOWED_HOSTS = [f"{server.host}:{server.port}"]
        dns.table[server.host] = ["127.0.0.1"]
        monkeypatch.setattr(cover_session(), "verify", server.ca)
        work = Work.objects.create(title="Neverwhere")
        url = f"https://{server.host}:{server.port}/b/id/1-L.jpg"
        pending = EnrichmentRequest.objects.create(
            work=work,
            trigger="command",
            status="completed",
            cover_status=CoverStatus.PENDING,
            proposal={"cover": {"proposed": [{"provider": "openlibrary", "url": url}]}},
        )
        outcomes = []
        for _ in range(cover_apply.MAX_COVER_ATTEMPTS + 1):
            outcomes.append(cover_apply.requests_fetch_covers(request_ids=[pending.pk]))
            EnrichmentRequest.objects.filter(pk=pending.pk).update(cover_queued_at=None)
    assert outcomes[-2:] == [{"rejected": 1}, {"not_claimed": 1}], outcomes
    pending.refresh_from_db()
    assert pending.cover_status == CoverStatus.REJECTED
    (rejection,) = pending.match_details.cover_rejections
    assert "certificate has expired" in rejection.message


# --- A provider whose TLS fails -----------------------------------------------------------------


@pytest.fixture
def provider_settings(settings, monkeypatch):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    settings.OPENLIBRARY_RATE = 1000
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = settings.ENRICHMENT_HTTP_READ_TIMEOUT = 2
    settings.ENRICHMENT_MAX_ATTEMPTS = 3
    settings.ENRICHMENT_BREAKER_FAILURES = 100  # every claim asks: the faults themselves decide
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda *args, **kwargs: None)
    return settings


def run_until_settled(tries: int) -> EnrichmentRequest:
    for _ in range(tries):
        EnrichmentRequest.objects.filter(status=Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
        due = EnrichmentRequest.objects.filter(status=Status.PENDING).values_list("pk", flat=True)
        engine.process_requests(queue.requests_claim(request_ids=list(due)))
    return EnrichmentRequest.objects.select_related("work").get()


@pytest.mark.parametrize("shape", ["self_signed", "expired", "plain_http"])
def test_a_provider_whose_tls_fails_ends_failed_with_the_reason(provider_settings, tmp_path, shape):
    """Past its attempts the book fails and says why, where it waited "for providers that could
    not be reached" for ever, tried every hour."""
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(work, isbn13="9780060557812")
    queue.works_enqueue_enrichment(dispatch=False)
    with tls_server(shape, tmp_path) as server:
        provider_settings.OPENLIBRARY_URL = f"https://127.0.0.1:{server.port}"
        request = run_until_settled(5)
    assert (request.status, request.attempts) == (Status.FAILED, 3)
    host = f"127.0.0.1:{server.port}"
    assert request.last_error == f"Open Library: the secure connection to {host} failed (TLS)"
    assert "Waiting" not in request.last_error
    work.refresh_from_db()
    assert work.enrichment_status == Work.EnrichmentStatus.FAILED


def test_books_held_back_by_a_breaker_a_tls_fault_opened_count_their_attempts(
    provider_settings, tmp_path
):
    """A breaker held open by a failed secure connection holds back a fault that waiting will
    not mend: every book it holds back counts the attempt, on its own backoff, and ends failed
    with the reason. They waited "for providers unavailable for now" with no attempt counted,
    and only the probe's own book (one a minute) moved on: a catalogue took days to end."""
    provider_settings.ENRICHMENT_BREAKER_FAILURES = 1
    provider_settings.ENRICHMENT_BREAKER_OPEN_SECONDS = 3600  # no probe during the test
    first = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(first, isbn13="9780060557812")
    queue.works_enqueue_enrichment(dispatch=False)
    with tls_server("self_signed", tmp_path) as server:
        provider_settings.OPENLIBRARY_URL = f"https://127.0.0.1:{server.port}"
        run_until_settled(1)  # its fault opens the breaker
        held = make_work("Stardust", authors=["Neil Gaiman"])
        make_edition(held, isbn13="9780061142024")
        queue.works_enqueue_enrichment(dispatch=False)
        for _ in range(3):
            EnrichmentRequest.objects.filter(status=Status.PENDING).update(
                next_attempt_at=timezone.now()
            )
            due = EnrichmentRequest.objects.filter(status=Status.PENDING)
            engine.process_requests(
                queue.requests_claim(request_ids=list(due.values_list("pk", flat=True)))
            )
    assert len(server.connections) == 1  # the breaker sent nothing more
    request = EnrichmentRequest.objects.get(work=held)
    host = f"127.0.0.1:{server.port}"
    assert (request.status, request.attempts) == (Status.FAILED, 3)
    assert request.last_error == f"Open Library: the secure connection to {host} failed (TLS)"
    (fault,) = request.match_details.faults
    assert "circuit breaker" in fault.detail and "certificate verify failed" in fault.detail
    held.refresh_from_db()
    assert held.enrichment_status == Work.EnrichmentStatus.FAILED


def test_books_held_back_by_a_breaker_a_passing_fault_opened_still_wait(
    provider_settings, tmp_path
):
    """A breaker held open by a refused connection (a provider down) is a wait: no attempt."""
    provider_settings.ENRICHMENT_BREAKER_FAILURES = 1
    provider_settings.ENRICHMENT_BREAKER_OPEN_SECONDS = 3600
    first = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(first, isbn13="9780060557812")
    queue.works_enqueue_enrichment(dispatch=False)
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    provider_settings.OPENLIBRARY_URL = f"https://127.0.0.1:{port}"
    run_until_settled(1)
    held = make_work("Stardust", authors=["Neil Gaiman"])
    make_edition(held, isbn13="9780061142024")
    queue.works_enqueue_enrichment(dispatch=False)
    for _ in range(4):
        EnrichmentRequest.objects.filter(status=Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
        due = EnrichmentRequest.objects.filter(status=Status.PENDING)
        engine.process_requests(
            queue.requests_claim(request_ids=list(due.values_list("pk", flat=True)))
        )
    request = EnrichmentRequest.objects.get(work=held)
    assert (request.status, request.attempts) == (Status.PENDING, 0)
    assert request.last_error.startswith("Waiting for providers unavailable for now")

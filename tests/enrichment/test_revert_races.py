"""A revert racing an apply on the same request: a reviewer reverts what the engine applied to
a book while the cover task applies the same request's cover. Both finish, one after the
other; neither fails on a deadlock (PostgreSQL aborts one of two transactions that each wait
for a row the other holds)."""

import contextlib
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from enrichment import cover_apply, engine, queue, revert
from enrichment.candidates import Contributor, CoverRef
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.covers_s3_support import (
    cover_host,  # noqa: F401 (a fixture, used by name)
    cover_url,
)
from tests.enrichment.fakes import FakeProvider, candidate
from tests.factories import make_edition, make_work


def engine_applied_with_cover_pending(edition) -> EnrichmentRequest:
    """A request the engine matched: its publisher applied, its cover queued for the cover
    task."""
    record = candidate(
        title=edition.work.title,
        authors=[Contributor("Neil Gaiman")],
        isbn13=[edition.isbn13],
        publisher="HarperCollins",
        covers=[CoverRef("openlibrary", cover_url(1), "1")],
        queried_isbn=edition.isbn13,
    )
    request = EnrichmentRequest.objects.create(work=edition.work, trigger="command")
    claimed = queue.requests_claim(request_ids=[request.pk])
    engine.process_requests(claimed, providers=[FakeProvider(answers={edition.isbn13: [record]})])
    request.refresh_from_db()
    return request


@pytest.mark.slow  # threads racing on PostgreSQL
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("cover_host")
def test_a_revert_while_the_cover_task_applies_the_same_request_both_finish(monkeypatch):
    work = make_work("Coraline", authors=["Neil Gaiman"])
    edition = make_edition(work, isbn13="9780060557812")
    request = engine_applied_with_cover_pending(edition)
    assert request.cover_status == EnrichmentRequest.CoverStatus.PENDING
    entry = AuditLogEntry.objects.get(request=request, action=AuditLogEntry.Action.AUTO_APPLY)
    reviewer = User.objects.create_user("ines", is_staff=True)

    # Each side waits for the other once it holds its first rows: the revert the book's, the
    # cover step the request's. A side that waits for the other's rows lets this wait run out.
    both_locked = threading.Barrier(2)

    def wait_for_the_other():
        with contextlib.suppress(threading.BrokenBarrierError):
            both_locked.wait(timeout=3)

    lock_entry_targets = revert.lock_entry_targets
    lock_request_targets = cover_apply.lock_request_targets

    def entry_targets_then_wait(entry):
        targets = lock_entry_targets(entry)
        wait_for_the_other()
        return targets

    def wait_then_request_targets(locked):
        wait_for_the_other()
        return lock_request_targets(locked)

    monkeypatch.setattr(revert, "lock_entry_targets", entry_targets_then_wait)
    monkeypatch.setattr(cover_apply, "lock_request_targets", wait_then_request_targets)
    outcomes, errors = {}, []

    def run(name, call):
        try:
            outcomes[name] = call()
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run, args=("revert", lambda: revert.audit_revert(entry=entry, actor=reviewer))
        ),
        threading.Thread(
            target=run,
            args=("cover", lambda: cover_apply.request_fetch_cover(request=request)),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert outcomes["cover"] == "applied"
    assert "publisher" in outcomes["revert"].reverted
    edition.refresh_from_db()
    assert edition.cover and not edition.publisher

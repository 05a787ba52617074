"""A batch's ISBN lookup pauses Python's cyclic garbage collector (issue 18, goal 4: 1,000
ISBNs in under 50 ms): its ~100,000 short-lived objects are freed by their reference counts,
and the collector's passes over them and the whole process cost about a third of the batch."""

import gc

import pytest

from enrichment.candidates import LookupStatus
from enrichment.dump import lookup
from enrichment.providers import openlibrary_dump
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider

pytestmark = pytest.mark.django_db(transaction=True)

OWN_COVER = "9790000000018"  # OL99000001M in the synthetic join set
WORK_COVER = "9790000000025"  # OL99000002M
ABSENT = "9781234567897"


@pytest.fixture
def passes_in_batch(monkeypatch):
    """The cyclic collector's passes while a batch reads its editions and builds its
    candidates, the collector set to pass at every new object (the fixtures' small batch
    makes thousands)."""
    passes: list[dict] = []
    inside = [False]

    def count(phase: str, info: dict) -> None:
        if phase == "start" and inside[0]:
            passes.append(info)

    def counted(step):
        def run(*args, **kwargs):
            inside[0] = True
            try:
                return step(*args, **kwargs)
            finally:
                inside[0] = False

        return run

    monkeypatch.setattr(lookup, "editions_by_isbn", counted(lookup.editions_by_isbn))
    monkeypatch.setattr(
        openlibrary_dump, "settled_candidates", counted(openlibrary_dump.settled_candidates)
    )
    threshold = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    gc.callbacks.append(count)
    yield passes
    gc.callbacks.remove(count)
    gc.set_threshold(*threshold)


def test_a_batch_makes_no_collector_pass_and_the_collector_runs_again_after(
    synthetic, passes_in_batch
):
    results = OpenLibraryDumpProvider().lookup_isbns([OWN_COVER, WORK_COVER, ABSENT])

    assert [results[isbn].status for isbn in (OWN_COVER, WORK_COVER, ABSENT)] == [
        LookupStatus.FOUND,
        LookupStatus.FOUND,
        LookupStatus.NOT_FOUND,
    ]
    assert passes_in_batch == []
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused(synthetic, passes_in_batch):
    gc.disable()
    try:
        results = OpenLibraryDumpProvider().lookup_isbns([OWN_COVER])
        still_paused = not gc.isenabled()
    finally:
        gc.enable()

    assert results[OWN_COVER].status == LookupStatus.FOUND
    assert still_paused
    assert passes_in_batch == []


def test_a_batch_that_fails_turns_the_collector_back_on(synthetic, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(lookup, "editions_by_isbn", broken)

    with pytest.raises(RuntimeError):
        OpenLibraryDumpProvider().lookup_isbns([OWN_COVER])

    assert gc.isenabled()

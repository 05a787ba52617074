"""What the month tests (test_run.py, test_backfill_command.py) share: discovery sources and a
provider that answer what the test tells them. Their books are built in each test (synthetic by
construction); nothing here is a recorded answer and nothing touches the network."""

import copy
from collections.abc import Callable

import pytest

from enrichment.backfill.sources import SOURCE_CLASSES
from enrichment.backfill.sources.base import DiscoverySource, SourceAnswer
from enrichment.candidates import Candidate, Contributor, LookupResult, LookupStatus
from tests.enrichment.fakes import FakeProvider

#: source name -> what it answers: a SourceAnswer, or a callable (year, month, limit) -> one.
ANSWERS: dict[str, SourceAnswer | Callable[[int, int, int], SourceAnswer]] = {}
ASKED: list[tuple[str, int, int]] = []


class _FakeSource(DiscoverySource):
    def discover(self, *, year: int, month: int, limit: int) -> SourceAnswer:
        ASKED.append((self.name, year, month))
        answer = ANSWERS.get(self.name, SourceAnswer())
        if callable(answer):
            answer = answer(year, month, limit)
        # A fresh copy each time: the pipeline fills in fields of the books it is given.
        return SourceAnswer(
            books=copy.deepcopy(answer.books),
            calls=answer.calls,
            error=answer.error,
        )


class FakeCatalogueSource(_FakeSource):
    name = "fake_catalogue"
    label = "Fake catalogue"


class FakeModelSource(_FakeSource):
    name = "fake_model"
    label = "Fake model"


@pytest.fixture
def fake_sources(monkeypatch, settings):
    """BACKFILL_SOURCES = the two fake sources, registered like the real ones; fill ANSWERS."""
    for cls in (FakeCatalogueSource, FakeModelSource):
        monkeypatch.setitem(SOURCE_CLASSES, cls.name, f"{__name__}.{cls.__name__}")
    settings.BACKFILL_SOURCES = [FakeCatalogueSource.name, FakeModelSource.name]
    ANSWERS.clear()
    ASKED.clear()
    yield ANSWERS
    ANSWERS.clear()
    ASKED.clear()


class TitleSearchProvider(FakeProvider):
    """Answers a title search with the record set for that title (not found otherwise)."""

    supports_search = True

    def __init__(self, name="google_books", *, records=None, status=None):
        super().__init__(name, status=status)
        self.records: dict[str, Candidate] = records or {}

    def search(self, *, title, author):
        self.search_calls.append((title, author))
        if self.status:
            return LookupResult(self.name, title, self.status, error="boom")
        record = self.records.get(title)
        if record is None:
            return LookupResult(self.name, title, LookupStatus.NOT_FOUND)
        return LookupResult(self.name, title, LookupStatus.FOUND, candidates=[record])


def record(title: str, author: str, isbn13: str, provider: str = "google_books") -> Candidate:
    return Candidate(provider=provider, title=title, authors=[Contributor(author)], isbn13=[isbn13])


@pytest.fixture
def search_provider(monkeypatch):
    """The providers the resolution asks: one fake title search (no provider is configured
    otherwise)."""
    provider = TitleSearchProvider()
    monkeypatch.setattr(
        "enrichment.backfill.resolve.enabled_providers", lambda **options: [provider]
    )
    return provider

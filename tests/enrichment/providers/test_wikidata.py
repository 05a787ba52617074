from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qs

import pytest

from enrichment.candidates import Contributor, LookupStatus
from enrichment.models import ProviderState
from enrichment.providers.wikidata import WikidataProvider
from tests.enrichment.providers.helpers import body

SPARQL = "https://query.wikidata.org/sparql"


@pytest.fixture
def wikidata(make):
    return make(WikidataProvider)


def test_one_query_for_a_batch_of_hyphenated_isbns(http, wikidata):
    http.post(SPARQL, body=body("wikidata", "synthetic-sparql__isbn_batch.json"))

    results = wikidata.lookup_isbns(["9780330258647", "9780316030571", "9791032305690"])

    assert len(http.calls) == 1
    request = http.calls[0].request
    query = parse_qs(request.body)["query"][0]
    for hyphenated in ('"978-0-330-25864-7"', '"0-330-25864-8"', '"0-316-03057-0"'):
        assert hyphenated in query
    assert '"979-10-323-0569-0"' in query  # 979- has no ISBN-10 form
    assert "9780330258647" not in query  # Wikidata stores ISBNs hyphenated only
    assert request.headers["User-Agent"].endswith("(+mailto:librarian@example.org)")

    [edition] = results["9780330258647"].candidates
    assert edition.title == "The Hitchhiker's Guide to the Galaxy"
    assert edition.authors == [Contributor("Douglas Adams", "author", "Q42")]
    assert edition.subjects == ["comic science fiction", "science fiction novel", "hitchhiking"]
    assert edition.provider_ids == {"wikidata": "Q900000004", "wikidata_edition": "Q900000001"}
    assert edition.source_url == "https://www.wikidata.org/wiki/Q900000004"

    [work] = results["9780316030571"].candidates  # found through the ISBN-10 (P957)
    assert work.provider_ids == {"wikidata": "Q900000002"}
    assert work.subjects == ["space opera"]  # the genre without an English label is left out
    assert results["9791032305690"].status == LookupStatus.NOT_FOUND


def test_no_title_search(http, wikidata):
    result = wikidata.search(title="Use of Weapons", author="Iain M. Banks")

    assert result.status == LookupStatus.NOT_FOUND
    assert len(http.calls) == 0


def test_a_429_with_an_http_date_retry_after_holds_every_request_back(http, wikidata, clock):
    retry_at = datetime.fromtimestamp(clock.now + 120, tz=UTC)
    http.post(SPARQL, status=429, headers={"Retry-After": format_datetime(retry_at, usegmt=True)})

    first = wikidata.lookup_isbns(["9780330258647"])["9780330258647"]
    second = wikidata.lookup_isbns(["9780316030571"])["9780316030571"]

    assert first.status == LookupStatus.THROTTLED
    assert first.retry_after == pytest.approx(120, abs=1)
    assert second.status == LookupStatus.THROTTLED  # held back: ignoring it gets a 24 h ban
    assert len(http.calls) == 1
    state = ProviderState.objects.get(provider="wikidata")
    assert state.throttled_until.timestamp() == pytest.approx(clock.now + 120, abs=1)

"""A provider's Retry-After given as an HTTP date is read against the database's clock, the one
its hold (ProviderState.throttled_until) and every other wait are judged on: read against this
machine's clock, a worker ten minutes ahead took "in two minutes" for a date gone and asked again
at once, and one ten minutes behind held the provider back for twelve minutes."""

import time
from datetime import timedelta
from email.utils import format_datetime

import pytest
import responses
from django.db import connection

from bookstore.db_clock import database_now
from enrichment.candidates import LookupStatus
from enrichment.models import ProviderState
from enrichment.providers.openlibrary import OpenLibraryProvider

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lives on one machine: its clock is the machine's",
    ),
]

BOOKS_API = "https://openlibrary.org/api/books"
ISBN = "9780316030571"


@pytest.mark.parametrize("drift", [600, -600], ids=["machine-ahead", "machine-behind"])
def test_an_http_date_retry_after_holds_the_provider_until_that_date(monkeypatch, drift):
    retry_at = (database_now() + timedelta(seconds=120)).replace(microsecond=0)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + drift)  # this machine's clock
    with responses.RequestsMock() as http:
        http.get(BOOKS_API, status=429, headers={"Retry-After": format_datetime(retry_at, True)})

        result = OpenLibraryProvider().lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.THROTTLED
    assert result.retry_after == pytest.approx(120, abs=5)
    state = ProviderState.objects.get(provider="openlibrary")
    assert state.throttled_until is not None
    assert abs((state.throttled_until - retry_at).total_seconds()) < 5

"""The database going away while a batch handles a provider's answers (a PostgreSQL restart
between the provider's answer and its cache write): the provider is not blamed. Before, the
error counted against the provider's breaker and became its last error on the dashboard
("internal error: OperationalError: server closed the connection unexpectedly"): a few such
batches during a database's maintenance opened the breaker and held every book asking it. Now
the batch's task fails, as a worker killed would, and the sweep gives its books back."""

import datetime

import pytest
from django.db import OperationalError
from django.utils import timezone

from enrichment import engine, queue
from enrichment.models import EnrichmentRequest, ProviderState
from tests.enrichment.fakes import FakeProvider
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


class AnswersThenTheDatabaseGoes(FakeProvider):
    """Answers, then its cache write meets a database that went away (the exchange's)."""

    def lookup_isbns(self, isbns):
        super().lookup_isbns(isbns)
        raise OperationalError("server closed the connection unexpectedly")


def test_a_database_gone_mid_batch_does_not_count_against_the_provider(settings):
    settings.ENRICHMENT_STALE_SECONDS = 300
    work = make_work("Coraline", authors=["Neil Gaiman"])
    make_edition(work, isbn13="9780060557812")
    [request_id] = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    claimed = queue.requests_claim(request_ids=[request_id])

    with pytest.raises(OperationalError):  # the task fails; nothing is decided on it
        engine.process_requests(claimed, providers=[AnswersThenTheDatabaseGoes()])

    state = ProviderState.objects.filter(provider="openlibrary").first()
    assert state is None or (state.consecutive_failures, state.last_error) == (0, "")
    request = EnrichmentRequest.objects.get(pk=request_id)
    assert request.status == EnrichmentRequest.Status.IN_PROGRESS
    later = timezone.now() + datetime.timedelta(seconds=305)
    queue.requests_dispatch_due(now=later)  # the sweep: given back, to be asked again
    request.refresh_from_db()
    assert request.status == EnrichmentRequest.Status.PENDING

"""Two duplicate-author searches at once ("Look for duplicates now" clicked twice, or the daily
search while a librarian starts one): the second finds nothing new instead of failing on the
one-open-proposal constraint. Split from test_reconcile.py."""

import contextlib
import threading

import pytest
from django.db import connection

from enrichment import reconcile
from enrichment.models import AuthorMerge
from tests.factories import make_author

pytestmark = pytest.mark.django_db


@pytest.mark.slow  # threads racing on PostgreSQL
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once")
@pytest.mark.django_db(transaction=True)
def test_two_searches_at_once_propose_each_pair_once_and_neither_fails(monkeypatch):
    make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    make_author("Le Guin, Ursula K.", wikidata_id="Q181659")
    make_author("Лев Толстой", wikidata_id="Q7243")
    make_author("Leo Tolstoy", wikidata_id="Q7243")
    # Both searches read the pairs already proposed before either records its own: the moment
    # the constraint failed. A search that waits for the other one lets this wait run out.
    both_read = threading.Barrier(2)
    read_decided = reconcile._decided_pairs

    def decided_pairs_read_by_both():
        decided = read_decided()
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=3)
        return decided

    monkeypatch.setattr(reconcile, "_decided_pairs", decided_pairs_read_by_both)
    results, errors = [], []

    def search():
        try:
            results.append(reconcile.author_duplicates_propose())
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=search) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted((r.proposed, r.already_proposed) for r in results) == [(0, 2), (2, 0)]
    assert AuthorMerge.objects.filter(status=AuthorMerge.Status.PROPOSED).count() == 2

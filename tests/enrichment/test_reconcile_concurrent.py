"""A duplicate-author search while the catalog changes under it: two searches at once ("Look
for duplicates now" clicked twice, or the daily search while a librarian starts one), the second
finding nothing new instead of failing on the one-open-proposal constraint; an author merged or
deleted while it reads. Split from test_reconcile.py."""

import contextlib
import threading

import pytest
from django.db import connection

from catalog.models import Author
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


def test_an_author_merged_or_deleted_while_the_search_reads_is_not_proposed(monkeypatch):
    make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    le_guin = make_author("Le Guin, Ursula K.", wikidata_id="Q181659")
    tolstoy = make_author("Лев Толстой", wikidata_id="Q7243")
    make_author("Leo Tolstoy", wikidata_id="Q7243")
    make_author("Frank Herbert", wikidata_id="Q7934")
    herbert = make_author("Herbert, Frank", wikidata_id="Q7934")
    find = reconcile.find_duplicate_pairs

    def found_then_changed_by_a_reviewer():
        found = find()
        # Meanwhile a reviewer merges one author into another and deletes a third.
        Author.objects.filter(pk=le_guin.pk).update(merged_into=tolstoy)
        herbert.delete()
        return found

    monkeypatch.setattr(reconcile, "find_duplicate_pairs", found_then_changed_by_a_reviewer)

    result = reconcile.author_duplicates_propose()  # no IntegrityError on the deleted author

    assert result.proposed == 1
    [merge] = AuthorMerge.objects.select_related("kept", "duplicate")
    assert {merge.kept.name, merge.duplicate.name} == {"Лев Толстой", "Leo Tolstoy"}

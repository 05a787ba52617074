"""Title searches grouped across batches (enrichment.title_search_groups): the books two
batches could not identify by ISBN cost one search.json request together, each still gets its
own record, a group's books are claimed by one worker only, a dead group worker's books are sent
again by the sweep, and a failed group backs off its own books only.

The real Open Library client over `responses`: its Books API knows none of the searched books
(an empty answer) and, for the identified book, answers with a recorded record; the grouped
search's answer is built here from the docs of two recorded search.json bodies (as in
test_engine_openlibrary_search_groups.py).
"""

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.db import connection
from django.utils import timezone

from enrichment import engine, queue, tasks, title_search_groups
from enrichment.models import EnrichmentRequest, SourceRecord
from tests.enrichment.providers.helpers import load
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db

BOOKS_API = "https://openlibrary.org/api/books"
SEARCH = "https://openlibrary.org/search.json"
BATCH_TASK = "enrichment.tasks.process_enrichment_batch"
GROUP_TASK = queue.TITLE_SEARCH_GROUP_TASK
LOTR = load("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json")
TIME_WAR = load("openlibrary", "search__this_is_how_you_lose_the_time_war.json")
USE_OF_WEAPONS = load("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json")
Status = EnrichmentRequest.Status


@pytest.fixture
def http(settings):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    settings.OPENLIBRARY_URL = "https://openlibrary.org"
    settings.OPENLIBRARY_RATE = 1000.0  # no waiting between this test's requests
    settings.OPENLIBRARY_SEARCH_GROUP_SIZE = 10
    settings.OPENLIBRARY_SEARCH_GATHER_SECONDS = 5
    settings.Q_SYNC = False
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def no_cover_downloads(monkeypatch):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids, actor_id=None: None)


def open_library_answers(http, *, search_status: int = 200, while_searching=None) -> None:
    """The Books API knows Use of Weapons only; a search (grouped or alone) answers with the
    recorded docs of the books it names, in an order that says nothing (Tolkien's first).
    `while_searching`: called once, while the first search waits for its answer."""

    def books_api(request):
        bibkeys = parse_qs(urlsplit(request.url).query)["bibkeys"][0].split(",")
        known = {key: record for key, record in USE_OF_WEAPONS.items() if key in bibkeys}
        return 200, {}, responses.json_module.dumps(known)

    def search(request):
        nonlocal while_searching
        if while_searching is not None:
            while_searching, happening = None, while_searching
            happening()
        if search_status != 200:
            return search_status, {"Retry-After": "600"}, "slow down"
        params = parse_qs(urlsplit(request.url).query)
        asked = " ".join([*params.get("q", []), *params.get("title", [])]).casefold()
        docs = [*LOTR["docs"][:3]] if "lord of the rings" in asked else []
        docs += TIME_WAR["docs"] if "time war" in asked else []
        return 200, {}, responses.json_module.dumps({"numFound": len(docs), "docs": docs})

    http.add_callback(responses.GET, BOOKS_API, callback=books_api)
    http.add_callback(responses.GET, SEARCH, callback=search)


def books(*titles_and_authors) -> list:
    """Works with an ISBN of their own that the Books API does not know: searched by title."""
    return [
        make_edition(make_work(title, authors=[author])).work
        for title, author in titles_and_authors
    ]


def request_of(work) -> EnrichmentRequest:
    return EnrichmentRequest.objects.get(work=work)


def enqueue(*works) -> list[int]:
    return queue.works_enqueue_enrichment(work_ids=[work.pk for work in works], dispatch=False)


def run_sent(sent_tasks) -> None:
    """Play the worker: run what was queued, in order, until nothing is left."""
    while sent_tasks:
        task = sent_tasks.pop(0)
        getattr(tasks, task.func.rsplit(".", 1)[1])(*task.args)


def search_requests(http) -> list[dict]:
    return [
        parse_qs(urlsplit(call.request.url).query)
        for call in http.calls
        if call.request.url.startswith(SEARCH)
    ]


def chosen_work(work) -> str:
    """The Open Library work the request's decision rests on ("" when none matched)."""
    seen = [c for c in request_of(work).match_details.candidates if c.tier != "none"]
    return seen[0].ids.get("openlibrary_work", "") if seen else ""


def test_books_of_two_batches_are_searched_in_one_request(http, sent_tasks):
    open_library_answers(http)
    lotr, time_war = books(
        ("The Lord of the Rings", "J. R. R. Tolkien"),
        ("This Is How You Lose the Time War", "Amal El-Mohtar"),
    )
    first, second = enqueue(lotr), enqueue(time_war)

    tasks.process_enrichment_batch(first)  # each batch hands its book to a group
    tasks.process_enrichment_batch(second)
    assert request_of(lotr).awaiting_title_search and request_of(time_war).awaiting_title_search
    assert search_requests(http) == []  # nothing searched yet
    run_sent(sent_tasks)

    [grouped] = search_requests(http)  # one request for both batches' books
    assert grouped["q"][0].count(" OR ") == 1
    assert chosen_work(lotr) == "OL27448W"
    assert chosen_work(time_war) == "OL20639540W"
    for work in (lotr, time_war):
        request = request_of(work)
        assert (request.status, request.attempts) == (Status.NEEDS_REVIEW, 1)  # one attempt
        assert not request.awaiting_title_search
        assert request.match_details.via_title_search
    # The Books API was asked once per batch; the group's lookups came from the cache.
    assert sum(call.request.url.startswith(BOOKS_API) for call in http.calls) == 2


def test_the_queue_says_a_book_waits_for_a_title_search_with_others(http, sent_tasks, admin_client):
    open_library_answers(http)
    [lotr] = books(("The Lord of the Rings", "J. R. R. Tolkien"))
    tasks.process_enrichment_batch(enqueue(lotr))
    assert request_of(lotr).status == Status.PENDING

    page = admin_client.get("/admin/enrichment/enrichmentrequest/").content.decode()
    review = admin_client.get(
        f"/admin/enrichment/enrichmentrequest/{request_of(lotr).pk}/change/"
    ).content.decode()
    assert "Waiting for a title search with other books" in page
    assert "Waiting for a title search with other books" in review

    run_sent(sent_tasks)  # searched: the line goes
    page = admin_client.get("/admin/enrichment/enrichmentrequest/").content.decode()
    assert "Waiting for a title search with other books" not in page


def test_the_records_are_those_each_book_s_own_search_finds(http, sent_tasks, settings):
    open_library_answers(http)
    works = books(
        ("The Lord of the Rings", "J. R. R. Tolkien"),
        ("This Is How You Lose the Time War", "Amal El-Mohtar"),
        ("A Book Nobody Wrote", "Nobody At All"),
    )
    for work in works:
        tasks.process_enrichment_batch(enqueue(work))
    run_sent(sent_tasks)
    grouped = {
        w.pk: (chosen_work(w), request_of(w).status, request_of(w).confidence) for w in works
    }
    assert len(search_requests(http)) == 1

    # The same books again, each searched alone in its batch (no gathering): the same records.
    EnrichmentRequest.objects.all().delete()
    SourceRecord.objects.all().delete()  # asked again, not answered from the cache
    settings.OPENLIBRARY_SEARCH_GATHER_SECONDS = 0
    http.calls.reset()
    for work in works:
        tasks.process_enrichment_batch(enqueue(work))
    alone = {w.pk: (chosen_work(w), request_of(w).status, request_of(w).confidence) for w in works}

    assert len(search_requests(http)) == 3 and all("title" in q for q in search_requests(http))
    assert grouped == alone
    assert alone[works[0].pk][0] == "OL27448W" and alone[works[2].pk][1] == Status.SKIPPED


def test_gathering_off_searches_in_the_batch_as_before(http, sent_tasks, settings):
    settings.OPENLIBRARY_SEARCH_GATHER_SECONDS = 0
    open_library_answers(http)
    [time_war] = books(("This Is How You Lose the Time War", "Amal El-Mohtar"))

    statuses = tasks.process_enrichment_batch(enqueue(time_war))

    assert statuses == {Status.NEEDS_REVIEW: 1}
    assert sent_tasks == []  # no group task
    assert not request_of(time_war).awaiting_title_search
    assert len(search_requests(http)) == 1


def test_a_group_waits_while_another_batch_is_at_work(http, sent_tasks):
    open_library_answers(http)
    lotr, time_war = books(
        ("The Lord of the Rings", "J. R. R. Tolkien"),
        ("This Is How You Lose the Time War", "Amal El-Mohtar"),
    )
    first, second = enqueue(lotr), enqueue(time_war)
    queue.requests_dispatch(request_ids=second)  # handed to a worker
    sent_tasks.clear()  # its batch task runs below

    tasks.process_enrichment_batch(first)
    assert tasks.process_title_search_group() == {}  # the other batch may add to the group
    assert search_requests(http) == []
    tasks.process_enrichment_batch(second)  # the last batch at work: the group is searched
    run_sent(sent_tasks)

    assert len(search_requests(http)) == 1
    assert {request_of(lotr).status, request_of(time_war).status} == {Status.NEEDS_REVIEW}


def test_a_group_past_its_gathering_time_is_searched_without_waiting_for_others(http, sent_tasks):
    open_library_answers(http)
    lotr, time_war = books(
        ("The Lord of the Rings", "J. R. R. Tolkien"),
        ("This Is How You Lose the Time War", "Amal El-Mohtar"),
    )
    first = enqueue(lotr)
    queue.requests_dispatch(request_ids=enqueue(time_war))  # at work for a long time
    tasks.process_enrichment_batch(first)
    sent_tasks.clear()
    later = timezone.now() + timedelta(seconds=6)

    queue.requests_dispatch_due(now=later)  # the sweep: past the gathering time

    assert [task.func for task in sent_tasks].count(GROUP_TASK) == 1
    assert title_search_groups.group_ready(now=later)


def test_two_claims_never_take_the_same_book(http, settings):
    settings.OPENLIBRARY_SEARCH_GROUP_SIZE = 2
    open_library_answers(http)
    works = books(*[(f"Book {n}", "Someone") for n in range(3)])
    for work in works:
        ids = enqueue(work)
        title_search_groups.requests_await_title_search(
            requests=queue.requests_claim(request_ids=ids)
        )
    assert title_search_groups.waiting_requests().count() == 3

    first = title_search_groups.title_search_group_claim()
    second = title_search_groups.title_search_group_claim()
    third = title_search_groups.title_search_group_claim()

    assert (len(first), len(second), third) == (2, 1, [])
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert {r.claim_token for r in first}.isdisjoint({r.claim_token for r in second})
    # A batch never takes a book a group holds or waits for.
    assert queue.requests_claim(request_ids=[work.pk for work in works]) == []


def test_a_dead_group_worker_s_books_are_sent_again_by_the_sweep_and_end_once(
    http, sent_tasks, settings
):
    open_library_answers(http)
    lotr, time_war = books(
        ("The Lord of the Rings", "J. R. R. Tolkien"),
        ("This Is How You Lose the Time War", "Amal El-Mohtar"),
    )
    tasks.process_enrichment_batch(enqueue(lotr, time_war))
    sent_tasks.clear()
    claimed = title_search_groups.title_search_group_claim()  # ... and the worker dies
    assert len(claimed) == 2 and search_requests(http) == []
    later = timezone.now() + timedelta(seconds=settings.ENRICHMENT_STALE_SECONDS + 1)

    queue.requests_dispatch_due(now=later)  # the sweep: given back, sent to a group task

    assert [task.func for task in sent_tasks] == [GROUP_TASK]
    run_sent(sent_tasks)
    assert len(search_requests(http)) == 1
    for work in (lotr, time_war):
        request = request_of(work)
        assert (request.status, request.attempts) == (
            Status.NEEDS_REVIEW,
            2,
        )  # the dead claim counts
        assert not request.awaiting_title_search
    assert EnrichmentRequest.objects.count() == 2
    queue.requests_dispatch_due(now=later + timedelta(minutes=1))
    assert sent_tasks == []  # nothing left to send


def test_a_group_worker_whose_books_were_taken_over_leaves_them_to_the_newer_group(
    http, sent_tasks, settings, admin_client
):
    later = timezone.now() + timedelta(seconds=settings.ENRICHMENT_STALE_SECONDS + 1)
    # Worker A searches for its group, and is answered only after the sweep has taken it for
    # dead and given its books back to wait for a newer group.
    open_library_answers(http, while_searching=lambda: queue.requests_dispatch_due(now=later))
    lotr, time_war = books(
        ("The Lord of the Rings", "J. R. R. Tolkien"),
        ("This Is How You Lose the Time War", "Amal El-Mohtar"),
    )
    tasks.process_enrichment_batch(enqueue(lotr, time_war))
    sent_tasks.clear()

    stats = engine.process_title_search_group()  # worker A

    assert dict(stats.statuses) == {"lost": 2}  # its answers are no longer its own to write
    page = admin_client.get("/admin/enrichment/enrichmentrequest/").content.decode()
    assert page.count("Waiting for a title search with other books") == 2
    run_sent(sent_tasks)  # the group task the sweep sent decides them (A's answer, cached)
    for work in (lotr, time_war):
        request = request_of(work)
        assert (request.status, request.attempts) == (Status.NEEDS_REVIEW, 2)
        assert not request.awaiting_title_search


def test_a_429_on_the_group_request_backs_off_only_its_books(http, sent_tasks):
    open_library_answers(http, search_status=429)
    lotr, time_war = books(
        ("The Lord of the Rings", "J. R. R. Tolkien"),
        ("This Is How You Lose the Time War", "Amal El-Mohtar"),
    )
    weapons = make_edition(
        make_work("Use of Weapons", authors=["Iain M. Banks"]), isbn13="9780316030571"
    ).work
    tasks.process_enrichment_batch(enqueue(lotr, weapons))
    tasks.process_enrichment_batch(enqueue(time_war))
    run_sent(sent_tasks)

    assert len(search_requests(http)) == 1  # not asked again one by one
    assert request_of(weapons).status == Status.COMPLETED  # identified by ISBN: unaffected
    for work in (lotr, time_war):
        request = request_of(work)
        assert request.status == Status.PENDING and request.next_attempt_at > timezone.now()
        assert "429" in request.last_error or "slow down" in request.last_error
        assert request.attempts <= 1 and not request.awaiting_title_search
    # Once due, they start again from their lookups, in a batch (not a group).
    sent_tasks.clear()
    queue.requests_dispatch_due(now=timezone.now() + timedelta(days=1))
    assert BATCH_TASK in {task.func for task in sent_tasks}
    assert GROUP_TASK not in {task.func for task in sent_tasks}


def test_enrich_missing_now_groups_its_batches_title_searches(http, sent_tasks, settings):
    settings.ENRICHMENT_BATCH_SIZE = 1  # each book in a batch of its own
    open_library_answers(http)
    lotr, time_war = books(
        ("The Lord of the Rings", "J. R. R. Tolkien"),
        ("This Is How You Lose the Time War", "Amal El-Mohtar"),
    )

    stats = engine.run_now(request_ids=enqueue(lotr, time_war))

    assert len(search_requests(http)) == 1
    assert dict(stats.statuses) == {Status.NEEDS_REVIEW: 2}
    assert chosen_work(lotr) == "OL27448W" and chosen_work(time_war) == "OL20639540W"
    assert GROUP_TASK not in {task.func for task in sent_tasks}  # all in this process


@pytest.mark.slow  # threads racing on PostgreSQL
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_group_workers_claiming_at_once_never_get_the_same_book(settings):
    settings.OPENLIBRARY_SEARCH_GROUP_SIZE = 3
    ids = queue.works_enqueue_enrichment(
        work_ids=[make_work(f"Book {n}").pk for n in range(30)], dispatch=False
    )
    title_search_groups.requests_await_title_search(requests=queue.requests_claim(request_ids=ids))
    got: list[list[int]] = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        mine = []
        while claimed := title_search_groups.title_search_group_claim(force=True):
            mine += [request.pk for request in claimed]
        got.append(mine)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got[0] + got[1]) == sorted(ids)
    assert not set(got[0]) & set(got[1])

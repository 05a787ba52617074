"""GET /api/v1/enrichment/queue: every request (works' and authors'), newest first, in cursor
pages that a request queued meanwhile never disturbs; filters checked against what exists."""

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Work
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
URL = reverse("api:enrichment-queue")
Status = EnrichmentRequest.Status


def make_request(target=None, status=Status.COMPLETED, **fields) -> EnrichmentRequest:
    target = target or make_work()
    kind = "author" if target.__class__.__name__ == "Author" else "work"
    fields.setdefault("trigger", "command")
    return EnrichmentRequest.objects.create(**{kind: target}, status=status, **fields)


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_rows_newest_first_with_their_target_work_or_author(api):
    work = make_work("The Dispossessed")
    author = make_author("Octavia E. Butler")
    older = make_request(
        work,
        status=Status.NEEDS_REVIEW,
        confidence="medium",
        providers_attempted=["openlibrary", "google_books"],
        attempts=1,
    )
    newer = make_request(author, status=Status.PENDING, trigger="api")

    body = api.get(URL).json()

    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert body["results"][1] == {
        "id": older.pk,
        "target": {"type": "work", "id": work.pk, "title": "The Dispossessed", "name": None},
        "status": "needs_review",
        "status_label": "Needs review",
        "confidence": "medium",
        "trigger": "command",
        "providers_asked": ["openlibrary", "google_books"],
        "attempts": 1,
        "created_at": body["results"][1]["created_at"],
        "updated_at": body["results"][1]["updated_at"],
    }
    assert body["results"][0]["target"] == {
        "type": "author",
        "id": author.pk,
        "title": None,
        "name": "Octavia E. Butler",
    }
    assert body["results"][0]["confidence"] == "" and body["results"][0]["trigger"] == "api"
    assert body["next"] is None and body["previous"] is None


def test_filters_by_status_confidence_and_provider_asked(api):
    low = make_request(status=Status.NEEDS_REVIEW, confidence="low", providers_attempted=["isbndb"])
    high = make_request(
        status=Status.NEEDS_REVIEW, confidence="high", providers_attempted=["openlibrary"]
    )
    done = make_request(confidence="low", providers_attempted=["openlibrary", "isbndb"])

    assert ids_of(api.get(URL, {"status": "needs_review"})) == [high.pk, low.pk]
    assert ids_of(api.get(URL, {"confidence": "low"})) == [done.pk, low.pk]
    assert ids_of(api.get(URL, {"provider": "isbndb"})) == [done.pk, low.pk]
    both = {"status": "needs_review", "confidence": "low", "provider": "isbndb"}
    assert ids_of(api.get(URL, both)) == [low.pk]
    assert ids_of(api.get(URL, {"status": ""})) == [done.pk, high.pk, low.pk]  # empty: no filter


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"status": "waiting"}, "status"),
        ({"status": "NEEDS_REVIEW"}, "status"),
        ({"confidence": "certain"}, "confidence"),
        ({"provider": "amazon"}, "provider"),
        ({"provider": "Open Library"}, "provider"),  # the label is not the key
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "99999999999999999999999"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": base64.b64encode(b"p=abc").decode()}, "cursor"),  # forged position
        ({"cursor": base64.b64encode(b"p=-1").decode()}, "cursor"),
        ({"cursor": "é"}, "cursor"),
        ({"stauts": "failed"}, "stauts"),  # misspelt: not every request, unfiltered
        ({"page": "2"}, "page"),  # a page number: the queue pages by a cursor
        ({"status": ["pending", "failed"]}, "status"),  # not "failed" alone, silently
        ({"limit": ["500", "5"]}, "limit"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api, query, parameter):
    make_request()

    response = api.get(URL, query)

    assert response.status_code == 400, response.content
    assert parameter in response.json()["error"]["fields"]


def test_limit_defaults_to_50_and_goes_up_to_200(api):
    works = Work.objects.bulk_create(Work(title=f"Book {i}") for i in range(201))
    EnrichmentRequest.objects.bulk_create(
        EnrichmentRequest(work=work, trigger="command", status=Status.COMPLETED) for work in works
    )

    assert len(ids_of(api.get(URL))) == 50
    assert len(ids_of(api.get(URL, {"limit": "200"}))) == 200
    assert len(ids_of(api.get(URL, {"limit": "3"}))) == 3


def test_a_request_queued_between_two_pages_neither_repeats_nor_shifts_the_next(api):
    requests = [make_request() for _ in range(5)]  # ids ascending: newest is the last
    first = api.get(URL, {"limit": "2"}).json()
    assert [row["id"] for row in first["results"]] == [requests[4].pk, requests[3].pk]

    inserted = make_request(status=Status.PENDING)  # the newest now, before page one
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()

    assert [row["id"] for row in second["results"]] == [requests[2].pk, requests[1].pk]
    assert [row["id"] for row in third["results"]] == [requests[0].pk]
    assert third["next"] is None
    # Going back from page two gives page one as it was; the new request is on a fresh start.
    back = api.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == [requests[4].pk, requests[3].pk]
    assert ids_of(api.get(URL, {"limit": "1"})) == [inserted.pk]


def test_a_decided_requests_status_label_says_who_or_what_decided_it(api, reviewer):
    """Four requests stored "skipped": the engine's, a reviewer's dismissal, one a re-run
    superseded, one dismissed by nobody recorded. The label tells them apart, as the admin's
    badge does (request_status), where only "skipped" was given."""
    when = timezone.now()
    skipped = make_request(status=Status.SKIPPED)
    unmatched = make_request(status=Status.SKIPPED, confidence="none")
    dismissed = make_request(status=Status.SKIPPED, reviewed_at=when, reviewed_by=reviewer)
    newer = make_request(status=Status.PENDING)
    superseded = make_request(
        newer.work, status=Status.SKIPPED, reviewed_at=when, reviewed_by=reviewer
    )
    EnrichmentRequest.objects.filter(pk=superseded.pk).update(superseded_by=newer)
    by_nobody = make_request(status=Status.SKIPPED, reviewed_at=when)

    rows = {row["id"]: row for row in api.get(URL, {"status": "skipped"}).json()["results"]}

    assert {pk: row["status"] for pk, row in rows.items()} == dict.fromkeys(rows, "skipped")
    assert {pk: row["status_label"] for pk, row in rows.items()} == {
        skipped.pk: "Skipped",
        unmatched.pk: "No match",
        dismissed.pk: "Dismissed by reviewer",
        superseded.pk: f"Superseded by request #{newer.pk}",
        by_nobody.pk: "Dismissed",
    }


def test_a_completed_requests_status_label_says_when_it_added_nothing(api):
    """Stored "completed" (a contract), a request whose match added nothing to the catalog
    says so, as the admin's badge does; one that changed it, or whose cover is on its way,
    says "Completed"."""
    added = make_request()
    AuditLogEntry.objects.create(request=added, work=added.work, action="cover", changes={})
    nothing = make_request()
    cover_coming = make_request(cover_status="pending")

    rows = {row["id"]: row for row in api.get(URL, {"status": "completed"}).json()["results"]}

    assert {pk: row["status_label"] for pk, row in rows.items()} == {
        added.pk: "Completed",
        nothing.pk: "Matched, nothing added",
        cover_coming.pk: "Completed",
    }


def test_the_same_queries_for_a_page_of_2_or_of_60(api, django_assert_max_num_queries):
    author = make_author("Someone")
    make_request(author)
    make_request()

    with CaptureQueriesContext(connection) as small:
        assert len(ids_of(api.get(URL, {"limit": "60"}))) == 2
    works = Work.objects.bulk_create(Work(title=f"Book {i}") for i in range(58))
    EnrichmentRequest.objects.bulk_create(
        EnrichmentRequest(work=work, trigger="command", status=Status.COMPLETED) for work in works
    )
    # A token, the throttle's count, the user's permissions (1), the page with its works and
    # authors joined.
    with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as big:
        assert len(ids_of(api.get(URL, {"limit": "60"}))) == 60

    assert len(big) == len(small)


def test_the_rows_do_not_read_the_wide_proposal(api):
    make_request(proposal={"publisher": {"proposed": "x" * 10_000}})

    with CaptureQueriesContext(connection) as captured:
        ids_of(api.get(URL))

    page_query = captured[-1]["sql"]
    assert '"proposal"' not in page_query and '"match_details"' not in page_query

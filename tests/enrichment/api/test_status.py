"""GET /api/v1/enrichment/status?work_ids=…: each work's enrichment state, the same rules as the
admin's (the work page's "Last try", a verified cover), in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Work
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
URL = reverse("api:enrichment-status")
Status = EnrichmentRequest.Status


def status_of(api, *ids, raw: str | None = None):
    return api.get(URL, {"work_ids": raw if raw is not None else ",".join(map(str, ids))})


def make_request(work, status=Status.COMPLETED, **fields) -> EnrichmentRequest:
    return EnrichmentRequest.objects.create(work=work, trigger="command", status=status, **fields)


def test_each_work_its_state_in_the_order_asked_and_the_unknown_ids_apart(api):
    now = timezone.now()
    enriched = make_work(
        "Enriched", enrichment_status="enriched", enrichment_confidence="high", completeness=80
    )
    make_request(enriched, finished_at=now - timedelta(days=2))  # superseded by the next one
    last = make_request(enriched, finished_at=now - timedelta(hours=1), attempts=1)
    queued = make_work("Queued", enrichment_status="queued")
    active = make_request(queued, status=Status.PENDING)
    never = make_work("Never looked up")

    response = status_of(api, never.pk, 987654, enriched.pk, queued.pk, enriched.pk)

    assert response.status_code == 200
    body = response.json()
    assert body["missing"] == [987654]  # unknown: listed, not an error
    assert [w["id"] for w in body["works"]] == [never.pk, enriched.pk, queued.pk]  # each once
    by_id = {w["id"]: w for w in body["works"]}
    assert by_id[enriched.pk] == {
        "id": enriched.pk,
        "enrichment_status": "enriched",
        # Its requests are completed, and no entry records a change: they added nothing.
        "enrichment_status_label": "Matched, nothing added",
        "enrichment_confidence": "high",
        "last_try_at": (now - timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        "has_verified_cover": False,
        "completeness": 80,
        "current_request_id": last.pk,
        "active_request_id": None,
    }
    assert by_id[queued.pk]["active_request_id"] == active.pk
    assert by_id[queued.pk]["last_try_at"] is None  # queued, not tried yet
    assert by_id[never.pk] | {"id": 0} == {
        "id": 0,
        "enrichment_status": "",
        "enrichment_status_label": "Not enriched yet",
        "enrichment_confidence": "",
        "last_try_at": None,
        "has_verified_cover": False,
        "completeness": 0,
        "current_request_id": None,
        "active_request_id": None,
    }


def test_the_status_label_says_whether_enrichment_added_anything(api):
    """ "enriched" is stored for any completed match (a contract); the label says, as the works
    list does, whether enrichment changed the work (request_status.target_added_nothing)."""
    added = make_work("Added", enrichment_status="enriched")
    AuditLogEntry.objects.create(
        request=make_request(added), work=added, action="auto_apply", changes={"x": {}}
    )
    nothing = make_work("Nothing to add", enrichment_status="enriched")
    make_request(nothing)
    cover_coming = make_work("Cover on its way", enrichment_status="enriched")
    make_request(cover_coming, cover_status="pending")
    queued = make_work("Queued", enrichment_status="queued")

    works = status_of(api, added.pk, nothing.pk, cover_coming.pk, queued.pk).json()["works"]

    assert [(w["enrichment_status"], w["enrichment_status_label"]) for w in works] == [
        ("enriched", "Enriched"),
        ("enriched", "Matched, nothing added"),
        ("enriched", "Enriched"),
        ("queued", "Queued"),
    ]


def test_last_try_is_what_the_work_page_says(api):
    """The work page's rule (enrichment.selectors.request_last_try_at): a pending request that
    was tried says when; one in progress since its claim; a finished one when it ended."""
    now = timezone.now()
    retried = make_request(
        make_work("Waiting"), status=Status.PENDING, attempts=1, claimed_at=now - timedelta(hours=3)
    )
    running = make_request(
        make_work("Running"), status=Status.IN_PROGRESS, claimed_at=now - timedelta(minutes=1)
    )

    body = status_of(api, retried.work_id, running.work_id).json()

    tries = {w["id"]: w["last_try_at"] for w in body["works"]}
    assert tries[retried.work_id].startswith((now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    assert tries[running.work_id].startswith(
        (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    )


def test_a_cover_counts_only_when_its_bytes_were_verified(api):
    verified_edition = make_work("Edition's verified cover")
    make_edition(verified_edition, cover="covers/a.jpg", cover_verified_at=timezone.now())
    own_verified = make_work("Own verified", cover="covers/b.jpg", cover_verified_at=timezone.now())
    never_verified = make_work("Unverified", cover="covers/c.jpg")

    body = status_of(api, verified_edition.pk, own_verified.pk, never_verified.pk).json()

    assert [w["has_verified_cover"] for w in body["works"]] == [True, True, False]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "at least one id"),
        ("1,abc", "'abc' is not a positive integer id"),
        ("-4", "'-4' is not a positive integer id"),
        ("0", "'0' is not a positive integer id"),
        ("2.5", "'2.5' is not a positive integer id"),
        ("99999999999999999999999", "is not a positive integer id"),
        (",".join(str(n) for n in range(1, 10_001)), "At most 500 ids at once, not 10000"),
    ],
)
def test_bad_ids_are_a_400_naming_the_parameter(api, raw, says):
    response = status_of(api, raw=raw)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and says in error["fields"]["work_ids"]


def test_the_limit_is_the_setting(api, settings):
    settings.API_MAX_WORK_IDS = 3
    works = [make_work(f"Book {i}") for i in range(4)]

    assert status_of(api, *[w.pk for w in works[:3]]).status_code == 200
    response = status_of(api, *[w.pk for w in works])
    assert response.status_code == 400
    assert "At most 3 ids" in response.json()["error"]["message"]


def test_a_parameter_the_status_does_not_take_is_a_400_naming_it(api):
    work = make_work("Bare")

    response = api.get(URL, {"work_ids": str(work.pk), "work_id": "2"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "work_id": "This endpoint does not take it; it takes: format, work_ids."
    }


def test_no_work_ids_parameter_at_all_is_a_400(api):
    response = api.get(URL)
    assert response.status_code == 400
    assert "work_ids" in response.json()["error"]["fields"]


def test_one_query_plan_for_1_or_500_works(api):
    """The same queries, as many, for one id and for 500 (each work with requests, a cover and
    an edition): no query per work."""
    works = Work.objects.bulk_create(
        Work(title=f"Book {i}", enrichment_status="enriched", completeness=i % 100)
        for i in range(500)
    )
    EnrichmentRequest.objects.bulk_create(
        EnrichmentRequest(work=work, trigger="command", status=Status.COMPLETED, attempts=1)
        for work in works
    )
    EnrichmentRequest.objects.bulk_create(
        EnrichmentRequest(work=work, trigger="command", status=Status.PENDING)
        for work in works[::2]
    )
    ids = [work.pk for work in works]

    with CaptureQueriesContext(connection) as one:
        assert status_of(api, ids[0]).status_code == 200
    with CaptureQueriesContext(connection) as five_hundred:
        response = status_of(api, *ids)

    assert response.status_code == 200 and len(response.json()["works"]) == 500
    # A token, the throttle's count, the user's permissions (1), ours (2).
    assert len(five_hundred) == len(one) <= 5
    assert sum(w["active_request_id"] is not None for w in response.json()["works"]) == 250


def test_work_ids_given_twice_is_a_400_not_the_last_list_alone(api):
    """`work_ids=1&work_ids=2` is how many clients send a list (requests' params={"work_ids":
    [1, 2]}): only work 2 was answered, and work 1 was not even listed as missing."""
    first, second = make_work("One"), make_work("Two")

    response = api.get(URL, {"work_ids": [first.pk, second.pk]})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"work_ids": "Given 2 times; give it once."}

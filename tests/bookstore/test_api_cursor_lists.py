"""A cursor belongs to the list that gave it: read by another list (GET works/'s in the
enrichment queue) its position meant a row there, silently. It is a 400 naming both lists."""

import base64
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from enrichment.models import EnrichmentRequest
from tests.catalog.api.conftest import client_for, error_of, user_with
from tests.factories import make_work

pytestmark = pytest.mark.django_db
WORKS_URL, QUEUE_URL = reverse("api:work-list"), reverse("api:enrichment-queue")


@pytest.fixture
def client():
    reader = user_with("rita", "catalog.view_work", "enrichment.view_enrichmentrequest")
    works = [make_work(f"Synthetic {i}") for i in range(3)]
    for work in works:
        EnrichmentRequest.objects.create(work=work, trigger="command")
    return client_for(reader)


def cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


@pytest.mark.parametrize(("given_by", "used_on"), [(WORKS_URL, QUEUE_URL), (QUEUE_URL, WORKS_URL)])
def test_another_lists_cursor_is_a_400_naming_both_lists(client, given_by, used_on):
    next_link = client.get(given_by, {"limit": 1}).json()["next"]

    response = client.get(used_on, {"cursor": cursor_of(next_link)})

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "cursor": f"This cursor is from another list ({given_by}), not {used_on}: use it there, "
        "or start this list again without it."
    }


@pytest.mark.parametrize("url", [WORKS_URL, QUEUE_URL])
def test_a_lists_own_cursors_still_go_forward_and_back(client, url):
    first = client.get(url, {"limit": 2}).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()

    assert len(second["results"]) == 1 and second["next"] is None
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]


def forged(tokens: str) -> str:
    return base64.b64encode(tokens.encode("ascii")).decode("ascii")


@pytest.mark.parametrize("url", [WORKS_URL, QUEUE_URL])
@pytest.mark.parametrize("offset", ["1", "900", "999999999"])
def test_a_cursor_with_an_offset_no_page_gives_is_a_400_not_a_page_skipping_rows(
    client, url, offset
):
    """A list ordered by a unique id marks a page by a position alone: its cursors carry no
    offset. `o=900` (DRF skips that many rows, up to 1,000) answered an empty 200 that looked
    like the end of the list, or a page with rows silently skipped."""
    first_id = client.get(url, {"limit": 1}).json()["results"][0]["id"]
    cursor = forged(urlencode({"o": offset, "p": first_id + 1, "l": url}))

    response = client.get(url, {"cursor": cursor})

    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "cursor": "This cursor is not one this list gave; start again without it."
    }


@pytest.mark.parametrize("url", [WORKS_URL, QUEUE_URL])
def test_every_cursor_a_list_gives_walking_it_both_ways_is_read_again(client, url):
    seen, pending = set(), [client.get(url, {"limit": 1}).json()]
    while pending:
        page = pending.pop()
        for link in (page["next"], page["previous"]):
            if link and link not in seen:
                seen.add(link)
                response = client.get(link)
                assert response.status_code == 200, response.content
                pending.append(response.json())

    assert len(seen) == 4  # three rows: two next links, two previous ones

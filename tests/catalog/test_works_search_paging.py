"""The works list's search at a million works (issue 18, goal 6): the search's index lookup
runs once for the count and the page (Django runs it twice), and a broad search is counted up
to a cap, which the page says ("more than"), never a false total."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.admin import paging
from catalog.models import Work
from tests.factories import make_work

pytestmark = pytest.mark.django_db
WORKS_URL = reverse("admin:catalog_work_changelist")


def searches_run(admin_client, **params) -> tuple[int, object]:
    """How many queries of works held the search term (each one runs the search; the query
    asking whether an author has that name is another), and the response."""
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(WORKS_URL, params)
    assert response.status_code == 200
    term = params["q"].split()[-1].lower()
    ran = [
        q
        for q in captured.captured_queries
        if term in q["sql"].lower() and 'FROM "catalog_work"' in q["sql"]
    ]
    return len(ran), response


@pytest.fixture
def zebras():
    """Five works the search finds, one it does not; listed by title."""
    titles = [f"Synthetic Zebrafinch {n}" for n in range(5)]
    made = [make_work(title) for title in titles]
    make_work("Synthetic Other Book")
    return made


def listed_titles(response) -> list[str]:
    return [work.title for work in response.context["cl"].result_list]


def test_a_search_that_fits_one_page_runs_once(admin_client, zebras):
    ran, response = searches_run(admin_client, q="zebrafinch", o="2")  # by title
    assert ran == 1
    assert listed_titles(response) == [f"Synthetic Zebrafinch {n}" for n in range(5)]
    assert "5 works" in response.content.decode()


def test_a_search_of_several_pages_runs_once_and_pages_its_matches(
    admin_client, zebras, monkeypatch
):
    monkeypatch.setattr(admin.site._registry[Work], "list_per_page", 2)
    ran, response = searches_run(admin_client, q="zebrafinch", o="2", p="2")
    assert ran == 1
    assert listed_titles(response) == ["Synthetic Zebrafinch 2", "Synthetic Zebrafinch 3"]
    page = response.content.decode()
    assert "5 works" in page and "5 results" in page and "More than" not in page


def test_past_the_cap_a_search_says_more_than_never_a_false_total(
    admin_client, zebras, monkeypatch
):
    monkeypatch.setattr(paging, "SEARCH_IDS_MAX", 3)
    monkeypatch.setattr(admin.site._registry[Work], "list_per_page", 2)
    _ran, response = searches_run(admin_client, q="zebrafinch", o="2")
    page = " ".join(response.content.decode().split())
    assert "More than 3 works (the first 3 are paged)" in page
    assert "more than 3 results" in page
    assert "Select every work listed (more than 3)" in page
    assert "3 works" not in page.replace("More than 3 works", "")
    assert "Select all 3" not in page and "3 results" not in page.replace("than 3 results", "")
    last = admin_client.get(WORKS_URL, {"q": "zebrafinch", "o": "2", "p": "2"})
    assert listed_titles(last) == ["Synthetic Zebrafinch 2"]  # the third of the first three


def test_select_all_past_the_cap_acts_on_every_match(admin_client, zebras, monkeypatch):
    monkeypatch.setattr(paging, "SEARCH_IDS_MAX", 3)
    response = admin_client.post(
        WORKS_URL + "?q=zebrafinch",
        {"action": "delete_selected", "select_across": "1", "index": "0",
         "_selected_action": [zebras[0].pk]},
    )  # fmt: skip
    assert response.status_code == 200
    # The confirmation names all five, not the three counted.
    assert response.content.decode().count("Synthetic Zebrafinch") == 5


def test_an_unsearched_list_is_paged_as_before(admin_client, zebras):
    response = admin_client.get(WORKS_URL)
    assert response.context["cl"].result_count == 6
    assert response.context["cl"].paginator.listed_ids is None


def test_a_filter_over_the_authors_is_counted_up_to_the_cap_and_says_so(admin_client, monkeypatch):
    """The author-completeness filters probe each work's credits: at a million works an exact
    count took 0.4-1.3 s, so they are counted as a search is, and the page says so."""
    credited = [make_work(f"Synthetic Credited {n}", authors=["Synthetic Poet"]) for n in range(5)]
    make_work("Synthetic Uncredited", authors=[])
    monkeypatch.setattr(paging, "PROBED_IDS_MAX", 3)

    response = admin_client.get(WORKS_URL, {"author_completeness": "incomplete", "o": "2"})
    page = " ".join(response.content.decode().split())
    assert "More than 3 works (the first 3 are paged)" in page
    assert "Select every work listed (more than 3)" in page
    assert listed_titles(response) == [work.title for work in credited[:3]]

    monkeypatch.setattr(paging, "PROBED_IDS_MAX", 10)  # within the cap: the exact count
    response = admin_client.get(WORKS_URL, {"author_completeness": "incomplete"})
    page = " ".join(response.content.decode().split())
    assert response.context["cl"].result_count == 5
    assert "5 works" in page and "More than" not in page
    no_author = admin_client.get(WORKS_URL, {"author_completeness": "no_author"})
    assert listed_titles(no_author) == ["Synthetic Uncredited"]

"""GET works/ (issue 17): works with their authors, editions and cover URLs, found by any
spelling of an ISBN, by the admin's search, or by what they lack; newest first, by a stable
cursor, in the same few queries for any page."""

import base64

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Edition, Work, WorkAuthor
from tests.api_schema import assert_answer_matches_schema
from tests.catalog.api.conftest import client_for, error_of, user_with
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db

WORKS_URL = reverse("api:work-list")


@pytest.fixture
def reader() -> User:
    return user_with("rita", "catalog.view_work")


def listed(client: APIClient, **params) -> list[dict]:
    response = client.get(WORKS_URL, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def titles(client: APIClient, **params) -> list[str]:
    return [work["title"] for work in listed(client, **params)]


def complete_work(title: str, **fields) -> Work:
    """A work enrichment has nothing to add to: description, year, subjects, a full edition."""
    work = make_work(
        title, description="Synthetic.", first_published_year=1990, subjects=["x"], **fields
    )
    make_edition(work, publisher="Synthetic Press", page_count=100)
    return work


# --- What a work says ---------------------------------------------------------------------------


def test_a_work_comes_with_its_authors_editions_and_absolute_cover_urls(api_as, reader):
    work = make_work(
        "Synthetic Neverwhere",
        authors=["Neil Gaiman"],
        subtitle="A Novel",
        completeness=60,
        enrichment_status=Work.EnrichmentStatus.NEEDS_REVIEW,
    )
    WorkAuthor.objects.create(
        work=work, author=make_author("Ann Translator"), role="translator", position=1
    )
    bare = make_edition(work, isbn13="9780306406157", isbn10="0306406152", publisher="Synthetic")
    covered = make_edition(
        work,
        isbn13="9780140449136",
        isbn10="",
        format=Edition.Format.PAPERBACK,
        cover="covers/synthetic-edition.jpg",
        cover_thumbnail="covers/synthetic-edition-thumb.webp",
    )

    (body,) = listed(api_as(reader))

    assert body["id"] == work.pk and body["title"] == "Synthetic Neverwhere"
    assert body["subtitle"] == "A Novel" and body["title_is_placeholder"] is False
    assert body["authors"] == [
        {"id": work.credits.get(position=0).author_id, "name": "Neil Gaiman", "role": "author"},
        {
            "id": work.credits.get(position=1).author_id,
            "name": "Ann Translator",
            "role": "translator",
        },
    ]
    # The work has no image of its own: it shows its first covered edition's.
    assert body["cover_url"] == "http://testserver/media/covers/synthetic-edition.jpg"
    assert body["thumbnail_url"] == "http://testserver/media/covers/synthetic-edition-thumb.webp"
    assert body["completeness"] == 60 and body["enrichment_status"] == "needs_review"
    assert body["synthetic"] is False
    first, second = body["editions"]
    assert first["id"] == bare.pk and first["isbn13"] == "9780306406157"
    assert first["isbn10"] == "0306406152" and first["publisher"] == "Synthetic"
    assert first["cover_url"] is None and first["thumbnail_url"] is None
    assert second["id"] == covered.pk and second["isbn10"] is None
    assert second["format"] == "paperback"
    assert second["cover_url"] == "http://testserver/media/covers/synthetic-edition.jpg"


def test_a_work_with_its_own_cover_shows_it_and_one_without_any_shows_none(reader):
    own = make_work("Synthetic Own", cover="covers/synthetic-own.jpg")
    make_edition(own, cover="covers/synthetic-other.jpg")
    make_work("Synthetic Bare", synthetic=True)

    bare, covered = listed(client_for(reader))  # newest first

    assert covered["cover_url"] == "http://testserver/media/covers/synthetic-own.jpg"
    assert covered["thumbnail_url"] == covered["cover_url"]  # no thumbnail: the cover itself
    assert bare["cover_url"] is None and bare["thumbnail_url"] is None
    assert bare["editions"] == [] and bare["synthetic"] is True


# --- Finding works ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    ["9780306406157", "978-0-306-40615-7", "0-306-40615-2", "0306406152", "ISBN 978 0 306 40615 7"],
)
def test_isbn_finds_a_work_by_any_spelling(api_as, reader, spelling):
    wanted = make_work("Synthetic Wanted")
    make_edition(wanted, isbn13="9780306406157", isbn10="0306406152")
    make_edition(make_work("Synthetic Other"))

    assert titles(api_as(reader), isbn=spelling) == ["Synthetic Wanted"]


def test_a_work_two_editions_of_which_match_is_listed_once(reader):
    work = make_work("Synthetic Twice")
    make_edition(work, isbn13="9780306406157", isbn10="0306406152")
    make_edition(work, isbn13=None, isbn10="0306406152")  # the same ISBN-10 on a reprint

    assert titles(client_for(reader), isbn="0306406152") == ["Synthetic Twice"]


def test_q_searches_as_the_admin_works_list_does(reader):
    gaiman = make_author("Neil Gaiman")
    both = make_work("Synthetic Good Omens", authors=[gaiman, "Terry Pratchett"])
    make_work("Synthetic Stardust", authors=[gaiman], series="Synthetic Faerie")
    make_edition(both, isbn13="9780306406157")
    make_work("Synthetic Unrelated", authors=["Someone Else"])
    client = client_for(reader)

    assert titles(client, q="omens") == ["Synthetic Good Omens"]
    assert titles(client, q="gaiman") == ["Synthetic Stardust", "Synthetic Good Omens"]
    assert titles(client, q="faerie") == ["Synthetic Stardust"]
    assert titles(client, q="978-0-306-40615-7") == ["Synthetic Good Omens"]
    # The search joins the credits; Good Omens has two, and is listed once.
    assert titles(client, q="t") == [
        "Synthetic Unrelated",
        "Synthetic Stardust",
        "Synthetic Good Omens",
    ]
    assert titles(client, q="") == titles(client)  # an empty search is no search
    # The longest search allowed, 100 words each matched against every field: an answer.
    assert titles(client, q="t " * 100) == titles(client, q="t")


@pytest.mark.parametrize("search", ['"Good', '"Good Omens', "'omens", '"', "' '"])
def test_a_search_with_a_quote_left_open_is_an_answer_not_a_500(reader, admin_client, search):
    """A quote with no closing one (`"Good Omens`, a phrase not finished) was a 500 with
    Django's HTML page, here and on the admin's works list and review queue that search alike;
    the open quote is now no part of the word."""
    make_work("Synthetic Good Omens", authors=["Terry Pratchett"])
    make_work("Synthetic Stardust")

    found = titles(client_for(reader), q=search)

    assert found == ["Synthetic Good Omens"] or search in ('"', "' '")
    page = admin_client.get(reverse("admin:catalog_work_changelist"), {"q": search})
    assert page.status_code == 200
    assert ("Synthetic Good Omens" in page.content.decode()) == bool(found)


def test_missing_lists_the_works_enrichment_would_fill(reader):
    complete = complete_work("Synthetic Complete", cover="covers/synthetic.jpg")
    no_cover = complete_work("Synthetic No Cover")
    no_metadata = make_work("Synthetic No Metadata", cover="covers/synthetic.jpg")
    client = client_for(reader)

    assert titles(client, missing="cover") == [no_cover.title]
    assert titles(client, missing="metadata") == [no_metadata.title]
    assert complete.title in titles(client)


def test_filters_combine(reader):
    make_work("Synthetic Gaiman Bare", authors=["Neil Gaiman"])
    make_work("Synthetic Gaiman Covered", authors=["Neil Gaiman"], cover="covers/s.jpg")
    make_work("Synthetic Other Bare")

    assert titles(client_for(reader), q="gaiman", missing="cover") == ["Synthetic Gaiman Bare"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"isbn": "9780306406158"}, "isbn"),  # a wrong check digit
        ({"isbn": "not-an-isbn"}, "isbn"),
        ({"isbn": "1" * 5000}, "isbn"),
        ({"missing": "covers"}, "missing"),
        ({"missing": "cover,metadata"}, "missing"),
        ({"q": "x" * 201}, "q"),
        ({"q": "nul\x00byte"}, "q"),
        ({"cursor": "%%%"}, "cursor"),
        ({"cursor": base64.b64encode(b"o=0&r=0&p=abc").decode()}, "cursor"),
        ({"cursor": base64.b64encode(b"o=0&r=0&p=" + b"9" * 20).decode()}, "cursor"),
        ({"limit": "lots"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"missing_cover": "1"}, "missing_cover"),  # misspelt: not every work, unfiltered
        ({"title": "Dune"}, "title"),  # the search is q
        ({"offset": "50"}, "offset"),
    ],
)
def test_bad_queries_are_400_naming_the_parameter(api_as, reader, params, field):
    make_work("Synthetic")

    response = api_as(reader).get(WORKS_URL, params)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid" and field in error["fields"], error


# --- Pages --------------------------------------------------------------------------------------


def test_pages_follow_a_stable_cursor_newest_first_even_when_works_are_added(reader):
    works = [make_work(f"Synthetic {i}") for i in range(5)]
    client = client_for(reader)

    first = client.get(WORKS_URL, {"limit": 2}).json()
    make_work("Synthetic Added Meanwhile")  # newer than every listed work: not on later pages
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    pages = [[w["id"] for w in page["results"]] for page in (first, second, third)]
    assert pages == [[works[4].pk, works[3].pk], [works[2].pk, works[1].pk], [works[0].pk]]
    assert third["next"] is None


def test_a_page_takes_the_same_queries_however_many_works_editions_and_authors(
    reader, django_assert_max_num_queries
):
    client = client_for(reader)
    for i in range(3):
        make_edition(make_work(f"Synthetic small {i}", authors=[f"Author {i}"]))
    with django_assert_max_num_queries(6) as small:
        listed(client, limit=50)
    for i in range(40):
        work = make_work(f"Synthetic large {i}", authors=[f"Author {i}", f"Co-author {i}"])
        make_edition(work, cover=f"covers/synthetic-{i}.jpg")
        make_edition(work)

    # The token and its user, the throttle's count, the user's permissions (one query), the
    # page, its editions and its credits with their authors.
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(listed(client, limit=50)) == 43


# --- Who may ------------------------------------------------------------------------------------


def test_anonymous_is_401():
    response = APIClient().get(WORKS_URL)

    assert response.status_code == 401 and error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("perms", [(), ("catalog.import_books", "catalog.view_importjob")])
def test_without_view_work_it_is_403(api_as, perms):
    make_work("Synthetic")

    response = api_as(user_with("nobody", *perms)).get(WORKS_URL)

    assert response.status_code == 403 and error_of(response)["code"] == "permission_denied"


def test_a_page_holds_what_its_schema_says_even_where_a_value_is_blank(reader):
    """An edition of unknown format is served with "": the schema's enum named only the
    formats, so a client generated from it failed on the page."""
    make_edition(make_work("Synthetic", authors=["Ann Author"]), format="")
    client = client_for(reader)

    response = client.get(WORKS_URL)

    assert response.json()["results"][0]["editions"][0]["format"] == ""
    assert_answer_matches_schema(client, "/api/v1/works/", "get", response)


def test_a_query_that_is_not_utf8_is_a_400_not_a_search_for_replacement_characters(reader):
    """`q=%E9t%E9` (été in Latin-1) searched for "\ufffdt\ufffd" and answered no works."""
    make_work("Un été")

    response = client_for(reader).get(f"{WORKS_URL}?q=%E9t%E9")

    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "q": "Not UTF-8: percent-encode the text's UTF-8 bytes."
    }
    found = client_for(reader).get(f"{WORKS_URL}?q=%C3%A9t%C3%A9")
    assert [work["title"] for work in found.json()["results"]] == ["Un été"]


@pytest.mark.parametrize("search", ["cafe\u0301", '"cafe\u0301 society"', "Ha\u0308user"])
def test_a_search_with_decomposed_accents_finds_the_composed_title(reader, admin_client, search):
    """`é` typed or pasted as `e` and a combining accent (U+0301, as macOS and decomposed
    sources give it) is the same letter as the one-character `é` titles are stored with, but
    the search compared their code points and found nothing, here and on the admin's list."""
    make_work("Synthetic Caf\u00e9 Society")
    make_work("Synthetic H\u00e4user")
    make_work("Synthetic Cafe Racer")

    found = titles(client_for(reader), q=search)

    assert len(found) == 1 and found[0].startswith("Synthetic")
    assert ("Caf\u00e9" in found[0]) == ("cafe" in search)
    page = admin_client.get(reverse("admin:catalog_work_changelist"), {"q": search})
    assert found[0] in page.content.decode()

"""What a librarian types on an edition's or an author's page that the database's rules hold
to: a publication date with no precision chosen (saved as the day typed), an ISBN in any
spelling (kept as its digits, or refused saying what is wrong), a death year before the birth
year. Each was refused with the rule's name, "Constraint “edition_isbn13_shape” is violated.",
or cut short by the browser."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.catalog.test_import_placeholder_titles import FormFields
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    return client


def form_of(client: Client, url: str) -> dict[str, str]:
    form = FormFields()
    form.feed(client.get(url).content.decode())
    return form.data


def test_a_date_typed_on_an_editions_page_is_saved_as_that_day(librarian_client):
    edition = make_edition(make_work("Dune", authors=["Frank Herbert"]))
    url = reverse("admin:catalog_edition_change", args=[edition.pk])
    form = form_of(librarian_client, url)
    assert form["publication_date_precision"] == ""

    response = librarian_client.post(url, {**form, "publication_date": "2019-05-01"})

    assert "violated" not in response.content.decode()
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.publication_date == datetime.date(2019, 5, 1)
    assert edition.publication_date_display == "2019-05-01"


def test_a_date_typed_under_its_work_is_saved_as_that_day(librarian_client):
    work = make_work("Dune", authors=["Frank Herbert"])
    edition = make_edition(work)
    url = reverse("admin:catalog_work_change", args=[work.pk])
    form = form_of(librarian_client, url)

    response = librarian_client.post(url, {**form, "editions-0-publication_date": "1965-08-01"})

    assert "violated" not in response.content.decode()
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.publication_date_display == "1965-08-01"


def test_a_year_stays_a_year_and_a_date_cleared_takes_its_precision_with_it(librarian_client):
    edition = make_edition(
        make_work("Dune"),
        publication_date=datetime.date(1965, 1, 1),
        publication_date_precision="year",
    )
    url = reverse("admin:catalog_edition_change", args=[edition.pk])
    form = form_of(librarian_client, url)
    assert librarian_client.post(url, form).status_code == 302
    edition.refresh_from_db()
    assert edition.publication_date_display == "1965"

    form = form_of(librarian_client, url)
    assert librarian_client.post(url, {**form, "publication_date": ""}).status_code == 302
    edition.refresh_from_db()
    assert (edition.publication_date, edition.publication_date_precision) == (None, "")


@pytest.mark.parametrize(
    ("typed", "isbn13", "isbn10"),
    [
        ({"isbn13": "978-0-441-17271-9"}, "9780441172719", ""),
        ({"isbn13": "ISBN 978 0 441 17271 9"}, "9780441172719", ""),
        ({"isbn13": "0-441-17271-7"}, "9780441172719", ""),  # an ISBN-10 in the ISBN-13 box
        ({"isbn10": "0-441-17271-7"}, None, "0441172717"),
        ({"isbn10": "978-0-441-17271-9"}, None, "0441172717"),
    ],
)
def test_an_isbn_typed_in_any_spelling_is_kept_as_its_digits(
    librarian_client, typed, isbn13, isbn10
):
    edition = make_edition(make_work("Dune"), isbn13=None)
    url = reverse("admin:catalog_edition_change", args=[edition.pk])
    form = form_of(librarian_client, url)
    assert form_field_maxlength(librarian_client, url, "isbn13") >= len("ISBN 978-0-441-17271-9")

    response = librarian_client.post(url, {**form, **typed})

    assert response.status_code == 302, response.content.decode()
    edition.refresh_from_db()
    assert (edition.isbn13, edition.isbn10) == (isbn13, isbn10)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ({"isbn13": "978-0-441-17271-8"}, "“978-0-441-17271-8” has a wrong check digit"),
        ({"isbn10": "0441172718"}, "“0441172718” has a wrong check digit"),
        ({"isbn13": "12345"}, "“12345” is not an ISBN: type its 13 digits"),
        ({"isbn10": "979-10-90636-07-1"}, "9791090636071 starts with 979: it has no ISBN-10."),
    ],
)
def test_a_wrong_isbn_is_refused_saying_what_is_wrong(librarian_client, typed, said):
    edition = make_edition(make_work("Dune"), isbn13=None)
    url = reverse("admin:catalog_edition_change", args=[edition.pk])

    response = librarian_client.post(url, {**form_of(librarian_client, url), **typed})

    page = response.content.decode()
    assert response.status_code == 200 and said in page
    assert "violated" not in page
    edition.refresh_from_db()
    assert (edition.isbn13, edition.isbn10) == (None, "")


def test_a_death_year_before_the_birth_year_is_refused_in_words(librarian_client):
    author = make_author("Frank Herbert")
    url = reverse("admin:catalog_author_change", args=[author.pk])
    form = {**form_of(librarian_client, url), "birth_year": "1986", "death_year": "1920"}

    page = librarian_client.post(url, form).content.decode()

    assert "Before the birth year, 1986: check both years." in page
    assert "violated" not in page
    author.refresh_from_db()
    assert (author.birth_year, author.death_year) == (None, None)


def form_field_maxlength(client: Client, url: str, name: str) -> int:
    page = client.get(url).content.decode()
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, name
    found = re.search(r'maxlength="(\d+)"', tag.group(0))
    return int(found.group(1)) if found else 10**6

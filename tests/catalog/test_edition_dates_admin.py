"""A publication date typed on an edition's page, or under its work, without choosing how much
of it is known: saved as the day typed. Saving was refused with "Constraint
“edition_date_has_precision” is violated.", the database's name for its rule."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.catalog.test_import_placeholder_titles import FormFields
from tests.factories import make_edition, make_work

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

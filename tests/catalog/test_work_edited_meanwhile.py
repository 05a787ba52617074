"""The work page saved after its fields changed elsewhere while it was open (the enrichment
worker filled them, or a colleague edited them): what the librarian did not touch keeps the
value it holds now, and a field both changed is refused with the value now held, never
replaced unseen."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from catalog.models import Author, Edition, Work
from tests.catalog.test_import_placeholder_titles import FormFields
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    return client


def open_page(client: Client, work: Work) -> tuple[str, dict[str, str]]:
    change = reverse("admin:catalog_work_change", args=[work.pk])
    form = FormFields()
    form.feed(client.get(change).content.decode())
    return change, form.data


def test_saving_keeps_what_was_filled_in_while_the_page_was_open(librarian_client):
    work = make_work("synthetic-Dune", authors=["Frank Herbert"], series="synthetic-Saga")
    edition = make_edition(work)
    change, form = open_page(librarian_client, work)
    # Meanwhile the enrichment worker fills empty fields of the work and of its edition.
    Work.objects.filter(pk=work.pk).update(description="A desert planet.", subjects=["Sand"])
    Edition.objects.filter(pk=edition.pk).update(publisher="Chilton", page_count=412)

    # The librarian adds a subtitle and clears the series: both are theirs to change.
    response = librarian_client.post(
        change, {**form, "subtitle": "synthetic-A Novel", "series": ""}, follow=True
    )

    assert response.status_code == 200 and response.redirect_chain
    work.refresh_from_db()
    edition.refresh_from_db()
    assert (work.subtitle, work.series) == ("synthetic-A Novel", "")
    assert (work.description, work.subjects) == ("A desert planet.", ["Sand"])
    assert (edition.publisher, edition.page_count) == ("Chilton", 412)
    page = response.content.decode()
    assert "changed while you edited" in page and "Description" in page
    # The page's History names what the librarian changed, not the values kept.
    message = LogEntry.objects.get(object_id=str(work.pk)).get_change_message()
    assert "Subtitle" in message and "Description" not in message
    assert "edition" not in message.lower()


def test_a_field_changed_both_here_and_elsewhere_is_refused_with_the_value_now_held(
    librarian_client,
):
    work = make_work("synthetic-Dune", authors=["Frank Herbert"])
    make_edition(work)
    change, form = open_page(librarian_client, work)
    Work.objects.filter(pk=work.pk).update(description="Theirs, typed meanwhile.")

    response = librarian_client.post(change, {**form, "description": "Mine."})

    assert response.status_code == 200  # the form again, nothing saved
    page = response.content.decode()
    assert "Changed since you opened this page" in page
    assert "it now holds “Theirs, typed meanwhile.”" in page
    work.refresh_from_db()
    assert work.description == "Theirs, typed meanwhile."
    # Seen now: saving the form as shown again replaces it, as the librarian chose.
    again = FormFields()
    again.feed(page)
    assert again.data["description"].strip() == "Mine."
    response = librarian_client.post(change, again.data)
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.description == "Mine."


def test_an_authors_page_keeps_a_bio_filled_in_while_it_was_open(librarian_client):
    author = make_author("synthetic-Frank Herbert")
    change = reverse("admin:catalog_author_change", args=[author.pk])
    form = FormFields()
    form.feed(librarian_client.get(change).content.decode())
    Author.objects.filter(pk=author.pk).update(bio="Wrote about sand.", birth_year=1920)

    response = librarian_client.post(change, {**form.data, "name": "synthetic-Frank Herbert Jr"})

    assert response.status_code == 302
    author.refresh_from_db()
    assert author.name == "synthetic-Frank Herbert Jr"
    assert (author.bio, author.birth_year) == ("Wrote about sand.", 1920)

"""A relation shown read-only on a change page (an edition's work, an author's "Merged into", a
credit's author, who ran a bulk operation…) links its object only for a reader that page opens
for (bookstore.admin_links.relation_for_viewer): Django linked it whoever read it, and a staff
user with few permissions followed links that answered "403 Forbidden"."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from catalog.models import WorkAuthor
from enrichment.models import AuthorMerge, BackfillMonth, BulkOperation
from tests.enrichment.test_links_for_the_reader import forbidden, hrefs
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db


def staff(*codenames: str, username: str = "reader") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def root():
    return User.objects.create_superuser("root", password="pw")


def read_as(client, user, obj) -> str:
    client.force_login(user)
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return response.content.decode()


def test_an_editions_work_is_linked_only_for_who_may_open_works(client):
    work = make_work("Neverwhere")
    edition = make_edition(work)

    page = read_as(client, staff("view_edition"), edition)
    assert forbidden(client, page) == []
    assert "Neverwhere" in page

    page = read_as(client, staff("view_edition", "view_work", username="both"), edition)
    assert change_url(work) in hrefs(page)


def test_an_authors_merged_into_stays_linked_for_who_reads_authors(client):
    kept = make_author("Neil Gaiman")
    duplicate = make_author("N. Gaiman", merged_into=kept)

    page = read_as(client, staff("view_author"), duplicate)
    assert forbidden(client, page) == []
    assert change_url(kept) in hrefs(page)


def test_a_works_credits_link_their_authors_only_for_who_may_open_authors(client):
    work = make_work("Good Omens", authors=["Terry Pratchett"])
    author = work.credits.get().author

    page = read_as(client, staff("view_work", "view_workauthor"), work)
    assert forbidden(client, page) == []
    assert "Terry Pratchett" in page

    page = read_as(
        client, staff("view_work", "view_workauthor", "view_author", username="both"), work
    )
    assert forbidden(client, page) == []
    assert change_url(author) in hrefs(page)


def test_a_works_reader_reads_its_authors_and_contributors(client):
    """A user who may only view works saw no authors on a work's page (that section asked for
    "view work author"): they are shown read-only, each linked only where it opens."""
    work = make_work("Good Omens", authors=["Terry Pratchett", "Neil Gaiman"])
    pratchett = work.credits.get(position=0).author

    page = read_as(client, staff("view_work"), work)
    assert forbidden(client, page) == []
    assert "Authors and contributors" in page
    assert "Terry Pratchett" in page and "Neil Gaiman" in page
    assert 'name="credits-0-author"' not in page  # read-only

    page = read_as(client, staff("view_work", "view_author", username="both"), work)
    assert forbidden(client, page) == []
    assert change_url(pratchett) in hrefs(page)


def test_an_authors_works_are_linked_only_for_who_may_open_works(client, root):
    work = make_work("Coraline", authors=["Neil Gaiman"])
    author = WorkAuthor.objects.get(work=work).author

    page = read_as(client, staff("view_author", "view_workauthor"), author)
    assert forbidden(client, page) == []
    assert "Coraline" in page

    assert change_url(work) in hrefs(read_as(client, root, author))


def test_an_authors_reader_reads_their_works(client):
    """A user who may view authors but not credits saw no works on an author's page (that
    section asked for "view work author"): they are listed read-only, each linked only where
    the work's page opens."""
    work = make_work("Good Omens", authors=["Terry Pratchett", "Neil Gaiman"])
    gaiman = work.credits.get(position=1).author

    page = read_as(client, staff("view_author"), gaiman)
    assert forbidden(client, page) == []
    assert "Good Omens" in page
    assert "2 of 2" in page
    assert change_url(work) not in hrefs(page)

    page = read_as(client, staff("view_author", "view_work", username="both"), gaiman)
    assert forbidden(client, page) == []
    assert change_url(work) in hrefs(page)


def test_an_authors_editor_without_credit_permissions_still_saves_the_author(client):
    """The works shown read-only to an editor of authors do not stand in the way of a save."""
    work = make_work("Coraline", authors=["Neil Gaiman"])
    author = work.credits.get().author
    client.force_login(staff("view_author", "change_author"))
    page = client.get(change_url(author)).content.decode()
    assert "Coraline" in page

    form = {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }
    response = client.post(change_url(author), {**form, "name": "Neil Richard Gaiman"})
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.name == "Neil Richard Gaiman"
    assert WorkAuthor.objects.filter(work=work, author=author).exists()


@pytest.mark.parametrize(
    ("make", "codename"),
    [
        (
            lambda user: BackfillMonth.objects.create(year=2024, month=3, requested_by=user),
            "view_backfillmonth",
        ),
        (
            lambda user: BulkOperation.objects.create(action="enrich_works", created_by=user),
            "view_bulkoperation",
        ),
        (
            lambda user: AuthorMerge.objects.create(
                kept=make_author("Neil Gaiman"),
                duplicate=make_author("N. Gaiman"),
                reason="shared_id",
                reviewed_by=user,
            ),
            "view_authormerge",
        ),
    ],
    ids=["backfill month", "bulk operation", "author merge"],
)
def test_who_ran_it_is_linked_only_for_who_may_open_users(client, root, make, codename):
    record = make(root)

    page = read_as(client, staff(codename), record)
    assert forbidden(client, page) == []
    assert "root" in page

    assert change_url(root) in hrefs(read_as(client, root, record))

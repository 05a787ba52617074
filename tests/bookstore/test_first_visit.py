"""A first visit that makes sense: the admin index offers "Import a CSV" and the dashboard up
front, every empty list says what to do next, and the site has a favicon (no 404 on each
page)."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image

from tests.factories import make_work

pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")
UPLOAD = reverse("admin:catalog_importjob_upload")


def start_here(client) -> str:
    html = client.get(INDEX).content.decode()
    match = re.search(r'<div class="module start-here">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def test_the_index_of_an_empty_catalog_offers_the_import_and_the_dashboard_first(client, librarian):
    html = client.get(INDEX).content.decode()
    start = start_here(client)
    assert "The catalog is empty" in start
    assert f'href="{UPLOAD}">Import a CSV</a>' in start
    assert f'href="{reverse("admin:enrichment_dashboard")}">Enrichment dashboard</a>' in start
    # Up front: before the list of applications.
    assert html.index("start-here") < html.index('id="content-related"')
    assert html.index("start-here") < html.index("app-catalog")


def test_once_there_are_books_the_index_still_offers_the_import_but_not_the_empty_notice(
    client, librarian
):
    make_work("Neverwhere")
    start = start_here(client)
    assert "The catalog is empty" not in start and "Import a CSV" in start


@pytest.mark.parametrize("app_label", ["catalog", "enrichment"])
def test_an_apps_page_offers_the_import_as_the_index_does(client, librarian, app_label):
    """The Catalog page ("Catalog administration") showed "Start here" with the dashboard but
    without "Import a CSV", nor the empty catalog's word on where to begin."""
    html = client.get(reverse("admin:app_list", args=[app_label])).content.decode()
    start = re.search(r'<div class="module start-here">(.*?)</div>', html, re.S)
    assert start and f'href="{UPLOAD}">Import a CSV</a>' in start.group(1)
    assert "The catalog is empty" in start.group(1)


def test_someone_who_may_not_import_gets_no_import_button(client):
    viewer = User.objects.create_user("vera", password="pw", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_work", "view_enrichmentrequest"])
    )
    client.force_login(viewer)
    start = start_here(client)
    assert "Import a CSV" not in start and "Enrichment dashboard" in start
    assert "someone who may import" in start


@pytest.mark.parametrize(
    ("list_url", "says", "link"),
    [
        ("admin:catalog_work_changelist", "The catalog is empty.", UPLOAD),
        ("admin:catalog_edition_changelist", "No editions yet", UPLOAD),
        ("admin:catalog_author_changelist", "No authors yet", UPLOAD),
        ("admin:catalog_importjob_changelist", "No import yet.", UPLOAD),
        ("admin:catalog_importrow_changelist", "No rows yet", UPLOAD),
        (
            "admin:enrichment_enrichmentrequest_changelist",
            "Nothing is queued for enrichment.",
            reverse("admin:catalog_work_changelist"),
        ),
        (
            "admin:enrichment_auditlogentry_changelist",
            "Enrichment has changed nothing yet.",
            reverse("admin:enrichment_dashboard"),
        ),
        (
            # "Enrich selected authors" on more than 200 authors runs here too: it was unsaid; and
            # so does "Enrich all missing covers / metadata" over more than 200 works.
            "admin:enrichment_bulkoperation_changelist",
            "No bulk operation yet. An action on more than 200 rows of the enrichment queue, the "
            "works list or the author list (approve, dismiss, re-run, enrich), and the works "
            "list’s “Enrich all missing covers / metadata” when more than 200 works miss them, "
            "run here",
            None,
        ),
        ("admin:enrichment_providerstate_changelist", "No provider has been asked yet", None),
        ("admin:enrichment_sourcerecord_changelist", "No provider answer is kept yet", None),
    ],
)
def test_an_empty_list_says_what_to_do_next(client, librarian, list_url, says, link):
    html = client.get(reverse(list_url)).content.decode()
    empty = re.search(r'<div class="empty-list" role="status">(.*?)</div>', html, re.S)
    assert empty, list_url
    assert says in empty.group(1)
    if link:
        assert f'href="{link}"' in empty.group(1)


def test_a_list_emptied_by_its_filters_says_how_to_see_everything(client, librarian):
    make_work("Neverwhere")
    html = client.get(reverse("admin:catalog_work_changelist"), {"q": "no such book"})
    empty = re.search(
        r'<div class="empty-list" role="status">(.*?)</div>', html.content.decode(), re.S
    )
    assert "Nothing matches these filters or this search." in empty.group(1)
    assert 'href="?">Show the whole list</a>' in empty.group(1)
    assert "The catalog is empty" not in empty.group(1)


def test_a_list_with_rows_says_nothing_of_the_kind(client, librarian):
    make_work("Neverwhere")
    html = client.get(reverse("admin:catalog_work_changelist")).content.decode()
    assert "empty-list" not in html and "Neverwhere" in html


def test_every_admin_page_links_a_favicon_that_exists(client, librarian):
    html = client.get(INDEX).content.decode()
    linked = re.findall(r'<link rel="(?:alternate )?icon" href="([^"]+)"', html)
    assert linked == [static("bookstore/favicon.svg"), static("bookstore/favicon.ico")]
    assert finders.find("bookstore/favicon.svg")
    with Image.open(finders.find("bookstore/favicon.ico")) as icon:
        assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    # The login page too (a first visit starts there).
    client.logout()
    assert static("bookstore/favicon.svg") in client.get(reverse("admin:login")).content.decode()


def test_favicon_ico_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.url == static("bookstore/favicon.ico")

"""How an edition is named in lists, headlines and sentences: by what the catalog knows of it
(its title or its work's, the identifier it is found by), never by its database id."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.admin.import_rows import edition_label
from enrichment.history import edition_name
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


def headline(page) -> str:
    """The change form's headline: the object's name under "Change edition"."""
    return re.search(r"<h2>(.*?)</h2>", page.content.decode(), re.S).group(1).strip()


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    return client


def test_an_edition_with_no_title_nor_isbn_is_named_by_its_work_not_its_id(superuser_client):
    """An edition with no title and no ISBN was "Edition 24" in its page's headline, the
    browser's tab and a deletion's list: nothing a librarian can recognise."""
    work = make_work("The Left Hand of Darkness")
    bare = make_edition(work, isbn13=None, isbn10="")
    by_asin = make_edition(work, isbn13=None, isbn10="", asin="B0071BZXYZ")

    page = superuser_client.get(reverse("admin:catalog_edition_change", args=[bare.pk]))
    other = superuser_client.get(reverse("admin:catalog_edition_change", args=[by_asin.pk]))

    assert headline(page) == "untitled edition of The Left Hand of Darkness"
    assert headline(other) == "The Left Hand of Darkness (ASIN B0071BZXYZ)"
    assert f"Edition {bare.pk}" not in page.content.decode()
    assert edition_label(bare) == "its edition"  # beside its work's name
    assert edition_name(bare) == "without title or identifier"
    assert edition_name(by_asin) == "ASIN B0071BZXYZ"


def test_an_untitled_edition_with_an_isbn_takes_its_works_title():
    work = make_work("Kindred")
    edition = make_edition(work, isbn13="9780807083697")

    assert str(edition) == "Kindred (ISBN 9780807083697)"
    assert edition_label(edition) == "edition ISBN 9780807083697"
    assert edition_name(edition) == "ISBN 9780807083697"


def test_a_titled_edition_keeps_its_own_title():
    work = make_work("Solaris")
    assert str(make_edition(work, title="Solaris (Faber)", isbn13=None, isbn10="")) == (
        "Solaris (Faber)"
    )
    assert str(make_edition(work, title="Solaris", isbn13=None, isbn10="0156027607")) == (
        "Solaris (ISBN-10 0156027607)"
    )


def test_the_editions_list_names_an_edition_without_isbn_by_its_other_identifier(
    superuser_client,
):
    """Two untitled editions of a work without an ISBN read the same in the list ("Le Petit
    Prince", ISBN "–" twice): the ISBN column names the identifier each is found by."""
    work = make_work("Le Petit Prince")
    make_edition(work, isbn13=None, isbn10="")
    make_edition(work, isbn13=None, isbn10="", asin="B0071BZXYZ")

    page = superuser_client.get(reverse("admin:catalog_edition_changelist"))

    cells = re.findall(r'<td class="field-isbns">(.*?)</td>', page.content.decode(), re.S)
    shown = sorted(re.sub(r"<[^>]+>", "", cell).strip() for cell in cells)
    assert shown == ["ASIN B0071BZXYZ", "–"]


def test_an_edition_known_by_its_open_library_key_is_named_by_it_once():
    """The import rows said "edition #14" of an edition with no ISBN; by its Open Library key,
    named once ("edition Open Library OL…", not "edition Open Library edition key OL…")."""
    work = make_work("Little Louie the Baby Bloomer")
    edition = make_edition(work, isbn13=None, isbn10="", openlibrary_edition_key="OL1003092M")

    assert str(edition) == "Little Louie the Baby Bloomer (Open Library OL1003092M)"
    assert edition_label(edition) == "edition Open Library OL1003092M"

"""Titles and names stored decomposed (NFD: `e` + U+0301 where most text has the one-character
`é`), as an export saved on macOS gives them and the import keeps them, are found by a search
typed either way, on GET works/?q= as on the admin's works list. The search composed its words
(NFC), so such a title was found by no spelling of its accented word."""

import unicodedata

import pytest
from django.urls import reverse

from catalog.models import Work
from tests.catalog.api.conftest import client_for, user_with
from tests.catalog.api.test_imports import csv_file
from tests.catalog.api.test_works import WORKS_URL
from tests.catalog.import_rows_view_support import synthetic_export
from tests.factories import make_work

pytestmark = pytest.mark.django_db

TITLE = "Synthetic Caf\u00e9 Society of the H\u00e4user"
AUTHOR = "Ren\u00e9e Ch\u00e2telain"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def librarian_api():
    return client_for(user_with("nora", "catalog.import_books", "catalog.view_work"))


def found(client, search: str) -> list[str]:
    response = client.get(WORKS_URL, {"q": search})
    assert response.status_code == 200, response.content
    return [work["title"] for work in response.json()["results"]]


@pytest.mark.parametrize(
    "search",
    [
        "caf\u00e9",  # composed, as typed on most keyboards
        nfd("caf\u00e9"),  # decomposed, as typed or pasted on macOS
        "h\u00e4user",  # 6 letters: through the index
        nfd("\u00e9 society"),  # a short word (under 3 letters composed) beside an indexed one
        '"caf\u00e9 society"',  # a quoted phrase
        "Ch\u00e2telain",  # the author's name
        nfd("Ren\u00e9e"),
    ],
)
def test_a_decomposed_title_uploaded_through_the_api_is_found_by_either_spelling(
    librarian_api, admin_client, search
):
    export = synthetic_export(
        {"Book Id": "1", "Title": nfd(TITLE), "Author": nfd(AUTHOR)},
        {"Book Id": "2", "Title": "Synthetic Cafe Racer", "Author": "Ann Author"},
    )
    upload = librarian_api.post(
        reverse("api:import-create"),
        {"file": csv_file(export, "synthetic-macos-export.csv"), "enrich": "false"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    stored = Work.objects.exclude(title__contains="Racer").get().title

    assert found(librarian_api, search) == [stored]
    page = admin_client.get(reverse("admin:catalog_work_changelist"), {"q": search})
    assert "1 result" in page.content.decode()


@pytest.mark.parametrize("search", ["caf\u00e9", nfd("caf\u00e9"), "\u00e9", nfd("\u00e9")])
def test_a_decomposed_stored_title_and_a_composed_one_are_both_found(librarian_api, search):
    """Either form stored (an NFD title kept as imported, an NFC one typed in the admin), either
    form searched: both works, never the unaccented "Cafe"."""
    make_work(nfd("Synthetic Caf\u00e9 Noir"))
    make_work("Synthetic Caf\u00e9 Blanc")
    make_work("Synthetic Cafe Racer")

    assert sorted(found(librarian_api, search)) == sorted(
        [nfd("Synthetic Caf\u00e9 Noir"), "Synthetic Caf\u00e9 Blanc"]
    )

"""Shapes a sweep of other people's real exports found (tests/fixtures/imports/real_shapes, each
file's source in its PROVENANCE.md): what the catalog shows for those lines."""

import pytest

from catalog.models import Edition, ImportRow
from tests.catalog.real_lines import import_real


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "title", "isbn13", "isbn10", "ismn"),
    [
        # Shama Futehally's Tara Lane, a 1993 hardcover.
        (
            "goodreads-alexkhype-ismn-beside-isbn10.csv",
            "Tara Lane",
            "9780863114045",
            "0863114040",
            "9790143062195",
        ),
        # A 2002 HarperCollins paperback of C.S. Lewis's The Great Divorce.
        (
            "goodreads-megthommes-ismn-beside-isbn10.csv",
            "The Great Divorce",
            "9780006280569",
            "0006280560",
            "9790007672386",
        ),
    ],
)
def test_a_979_0_number_beside_an_isbn_10_is_a_music_number_and_the_isbn_10_is_kept(
    name, title, isbn13, isbn10, ismn
):
    """Goodreads gives these books an "ISBN13" in 979-0, the range of the ISMN (sheet music),
    which no ISBN is in, beside their true ISBN-10: the edition is found and enriched by its
    ISBN, not by a number no book provider knows."""
    job = import_real(name)
    edition = Edition.objects.get()
    assert (edition.work.title, edition.isbn13, edition.isbn10) == (title, isbn13, isbn10)
    row = ImportRow.objects.get(job=job)
    assert (
        f"ISBN13 '{ismn}' is a music publication's number (ISMN, 979-0), not an ISBN; it was "
        "not used as an ISBN."
    ) in row.messages

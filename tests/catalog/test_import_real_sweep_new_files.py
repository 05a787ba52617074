"""What a sweep of exports new to the tests found (tests/fixtures/imports/real_shapes, each
file's source in its PROVENANCE.md): what the catalog shows for those lines."""

import pytest

from catalog.models import Work
from tests.catalog.real_lines import credits_by_title, import_real


@pytest.mark.django_db
def test_the_authors_name_before_a_colon_in_real_titles_is_not_the_works_title():
    """`Plato: Euthyphro` by Plato and `E. E. Cummings: Complete Poems, 1904-1962` by E.E.
    Cummings were works titled "Plato" and "E. E. Cummings", their titles made subtitles."""
    import_real("goodreads-drodriq-author-before-title.csv")
    import_real("goodreads-crhm-author-before-title.csv")
    works = Work.objects.order_by("title").values_list("title", "subtitle")
    assert list(works) == [
        ("Complete Poems, 1904-1962 (Revised, Corrected, and Expanded Edition)", ""),
        ("Euthyphro", ""),
        ("The Trial and Death of Socrates (Euthyphro, Apology, Crito, Phaedo)", ""),
    ]


@pytest.mark.django_db
def test_a_sorted_name_in_goodreads_additional_authors_is_one_person():
    """The War of Art's Additional Authors `Coyne, Shawn` credited two people, "Coyne" and
    "Shawn"."""
    import_real("goodreads-oliverheffernan-sorted-additional-author.csv")
    assert credits_by_title("name", "sort_name", "role")["The War of Art"] == [
        ("Steven Pressfield", "Pressfield, Steven", "author"),
        ("Shawn Coyne", "Coyne, Shawn", "contributor"),
    ]


@pytest.mark.django_db
def test_a_catalogs_century_without_its_year_says_so_on_the_row():
    """Eudora Welty's library dates `Wild Wales` `19??` and `Der Struwwelpeter` `19-`: each row
    said the cell "holds no year", as if it were damaged, where `188-?` said it gives a decade."""
    job = import_real(
        "collectionbuilder-ewlibrary-century-without-year.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "year": "date"},
    )
    messages = {row.raw[2]: row.messages for row in job.rows.all()}
    assert messages == {
        "Wild Wales": ["date '19??' gives only a century, the year not known; it was ignored."],
        "Der Struwwelpeter": [
            "date '19-' gives only a century, the year not known; it was ignored."
        ],
        "Chips from Thackeray": ["date '188-?' gives a decade, not a year; it was ignored."],
    }

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

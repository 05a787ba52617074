"""A credit's word inside a name (`V.S. (selected) Pritchett`) and others left unnamed (`et
al.`): the people a librarian sees credited (tests/fixtures/imports/real_shapes, each file's
source in its PROVENANCE.md)."""

import pytest

from tests.catalog.real_lines import credits_by_title, import_real
from tests.catalog.test_import_sweep_leftovers import goodreads_row

WELTY_MAP = {"title": "title", "author": "creator", "editor": "editor"}


@pytest.mark.django_db
def test_a_credits_word_between_the_given_names_and_the_surname_credits_that_person():
    """Eudora Welty's library writes `V.S. (selected) Pritchett`, `Cleanth (et. al) Brooks`,
    `Barry Moser (compiler)`: each was a person of that whole name, parenthesis and all. They
    are V.S. Pritchett credited for his selection, Cleanth Brooks (the others unnamed), Barry
    Moser for his compiling, and the Maudes as translators."""
    import_real(
        "collectionbuilder-ewlibrary-credit-word-inside-a-name.csv",
        requested_format="generic",
        column_map=WELTY_MAP,
    )
    credited = credits_by_title("name", "role")
    assert credited["The Oxford Book of Short Stories"] == [("V.S. Pritchett", "contributor")]
    assert credited["American Literature"] == [("Cleanth Brooks", "author")]
    assert credited["A Family Letter Written in Nineteen Thirty-Two"] == [
        ("George Moser", "author"),
        ("Barry Moser", "contributor"),
    ]
    # `Louise and Alymer (translators) Maude`: the two given names share the surname (a
    # translator named `Louise` alone, before).
    assert credited["War and Peace"] == [
        ("Leo Tolstoy", "author"),
        ("Louise Maude", "translator"),
        ("Alymer Maude", "translator"),
    ]


@pytest.mark.parametrize(
    ("author", "author_lf", "additional", "expected"),
    [
        # Written here (the sweep's lines were not kept): Goodreads has an author page named
        # `et al.`, and writes it as any author.
        ("et al.", "al., et", "", []),
        ("Jane Smith et al.", "al., Jane Smith et", "", [("Jane Smith", "", "author")]),
        ("Jane Smith", "Smith, Jane", "Bob Roe, et al.",
         [("Jane Smith", "Smith, Jane", "author"), ("Bob Roe", "", "contributor")]),
    ],
)  # fmt: skip
def test_goodreads_et_al_credits_no_one(author, author_lf, additional, expected):
    """`et al.` was credited as a person named "et al." (or "Jane Smith et al.", sorted under
    "al."), one author of every book so written."""
    row = goodreads_row(
        Title="Essays", Author=author, Author_l_f=author_lf, Additional_Authors=additional
    )
    assert [(c.name, c.sort_name, c.role) for c in row.credits] == expected

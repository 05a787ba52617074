"""Credits of library catalogs' headings the last sweep of real exports read wrongly: a body
whose name holds an `and`, Project Gutenberg's notes after a name, a placeholder for an unknown
author (a couple sharing a credit and a surname: test_import_credit_words_inside_names). Real
lines in tests/fixtures/imports/real_shapes (PROVENANCE.md)."""

import pytest

from catalog.importers.cells import split_people
from catalog.models import Author, WorkAuthor
from tests.catalog.real_lines import credits_by_title, import_real

GUTENBERG_MAP = {"title": "Title", "author": "Authors", "language": "Language"}
WELTY_MAP = {"title": "title", "author": "creator", "editor": "editor"}


@pytest.mark.django_db
def test_a_body_named_for_something_with_an_and_is_one_credit():
    """`B. de Rothschild Foundation for the Arts and Sciences` became two contributors, `B. de
    Rothschild Foundation for the Arts` and `Sciences`."""
    import_real(
        "collectionbuilder-ewlibrary-body-named-for-with-and.csv",
        requested_format="generic",
        column_map=WELTY_MAP,
    )
    assert list(Author.objects.values_list("name", flat=True)) == [
        "B. de Rothschild Foundation for the Arts and Sciences"
    ]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        # A government department's heading: it became `Department of Health` and a person
        # named `Human Services`.
        (
            "Department of Health and Human Services",
            ["Department of Health and Human Services"],
        ),
        (
            "United States. Department of Housing and Urban Development",
            ["United States. Department of Housing and Urban Development"],
        ),
        ("Council for Science and Technology", ["Council for Science and Technology"]),
        # The body's name ends with its first `and`; what follows another is another name.
        (
            "Museum of Fine Arts and Sciences and Jane Doe",
            ["Museum of Fine Arts and Sciences", "Jane Doe"],
        ),
        ("Francis of Assisi and Clare of Assisi", ["Francis of Assisi", "Clare of Assisi"]),
        (
            "Department of Health and Jane Q. Public, Jr.",
            ["Department of Health", "Jane Q. Public, Jr."],
        ),
        # Zotero's Author cell (zotero-krishardy, record 750, a web page, which no book is):
        # it became `Center for History` and a person named `New Media`. `Center` names a body
        # only before its `of` or `for`: `Center, Allen H.` is a person.
        ("Center for History and New Media", ["Center for History and New Media"]),
        (
            "Roy Rosenzweig Center for History and New Media",
            ["Roy Rosenzweig Center for History and New Media"],
        ),
        ("Cutlip, Scott M. and Center, Allen H.", ["Scott M. Cutlip", "Allen H. Center"]),
        # An adjective before the `and`, a society `… of …` after it: one body's name.
        (
            "John Westall and Natural History Society of Colorado",
            ["John Westall", "Natural History Society of Colorado"],
        ),
    ],
)
def test_an_organisation_heading_with_an_and_is_one_credit(cell, names):
    assert [credit.name for credit in split_people(cell)] == names


@pytest.mark.django_db
def test_a_society_whose_name_joins_an_adjective_with_and_is_one_credit():
    """Zotero's Author cell `Jean�on, Jean Allard; University of Denver; State Historical and
    Natural History Society of Colorado.`: the society became two contributors, `State
    Historical` and `Natural History Society of Colorado.`."""
    import_real(
        "zotero-krishardy-bodies-named-with-and.csv",
        requested_format="generic",
        column_map={"title": "Title", "author": "Author", "kind": "Item Type"},
    )
    assert list(Author.objects.order_by("pk").values_list("name", flat=True)) == [
        "Jean Allard Jean\ufffdon",
        "University of Denver",
        "State Historical and Natural History Society of Colorado.",
    ]


@pytest.mark.django_db
def test_a_relator_term_with_a_comma_after_an_undated_heading_is_the_persons_role():
    """`Gaffin, Adam [Author of introduction, etc.]` became three authors, `Gaffin`, `Adam
    [Author of introduction` and `etc.]`, as did Mitchell Kapor's credit."""
    import_real(
        "gutenberg-catalog-sagekhan-relator-terms-undated.csv",
        requested_format="generic",
        column_map=GUTENBERG_MAP,
    )
    assert credits_by_title("name", "sort_name", "role")["Big Dummy's Guide to the Internet"] == [
        ("Electronic Frontier Foundation", "", "author"),
        ("Adam Gaffin", "Gaffin, Adam", "contributor"),
        ("Mitchell Kapor", "Kapor, Mitchell", "contributor"),
    ]


def test_a_bracket_after_a_name_that_is_no_relator_term_stays_in_the_name():
    assert [c.name for c in split_people("Smith, John [pseud.]")] == ["John [pseud.] Smith"]


@pytest.mark.django_db
def test_a_catalogs_note_of_works_only_attributed_is_no_part_of_the_name():
    """`Shakespeare (spurious and doubtful works), 1564-1616` was an author of that whole name;
    the note says the work is attributed to him, it is not his name."""
    import_real(
        "gutenberg-catalog-sagekhan-spurious-and-doubtful-works.csv",
        requested_format="generic",
        column_map=GUTENBERG_MAP,
    )
    credited = credits_by_title("name", "role")
    assert credited["Mucedorus"] == [("Shakespeare", "author")]
    assert credited["Lesser Hippias"] == [("Plato", "author"), ("Benjamin Jowett", "translator")]
    assert credited["The London Prodigal"] == [("Shakespeare", "contributor")]  # `[Adapter]`
    assert Author.objects.get(name="Shakespeare").birth_year == 1564
    assert not Author.objects.filter(name__icontains="doubtful").exists()


@pytest.mark.django_db
def test_anonymous_is_no_author():
    """`Anonymous` became one person credited with every anonymous book in the catalog; the
    book's other people stay credited."""
    import_real(
        "gutenberg-catalog-sagekhan-anonymous.csv",
        requested_format="generic",
        column_map=GUTENBERG_MAP,
    )
    credited = credits_by_title("name", "role")
    assert credited["HomeBrew HomePages Put YOU on the World Wide Web"] == []
    (lazarillo,) = (title for title in credited if title.startswith("The Life of Lazarillo"))
    assert credited[lazarillo] == [
        ("Juan de Luna", "contributor"),
        ("Robert S. Rudder", "translator"),
    ]
    assert not WorkAuthor.objects.filter(author__name="Anonymous").exists()

"""LibraryThing rows as real exports write them: lines copied from public exports
(tests/fixtures/imports/librarything_real, see its PROVENANCE.md), and synthetic rows in the
same shapes for the cases those files do not show. Read without a database, but for one import
of the real lines that checks what the catalog stores."""

from pathlib import Path

import pytest

from catalog import services
from catalog.importers.librarything import parse_publication, people_in
from catalog.importers.readers import main_page_count
from catalog.models import Edition, WorkAuthor
from tests.catalog.importer_formats_support import LIBRARYTHING, read, synthetic_file

REAL = Path(__file__).parents[1] / "fixtures" / "imports" / "librarything_real"


def real_rows(name: str) -> dict[str, object]:
    """The rows of a fixture file, by their LibraryThing Book Id."""
    _importer, rows = read((REAL / name).read_bytes())
    return {row.librarything_id: row for row in rows}


@pytest.fixture(scope="module")
def turtle():
    return real_rows("TurtleEngr-my-bib-lines.tsv")


@pytest.fixture(scope="module")
def robdmc():
    return real_rows("robdmc-libraryThing-lines.csv")


def synthetic_row(**cells: str):
    data = synthetic_file(
        LIBRARYTHING,
        {"Book Id": "1", "Title": "synthetic-Book", **cells},
        delimiter="\t",
    )
    _importer, [row] = read(data)
    return row


def credits_of(row) -> list[tuple[str, str, str]]:
    return [(c.name, c.role, c.sort_name) for c in row.credits]


# --- 1. Publishers whose names hold commas ------------------------------------------------------


@pytest.mark.parametrize(
    ("book_id", "publisher"),
    [
        ("203761316", "Farrar, Straus and Giroux"),
        ("203761307", "Little, Brown and Company"),
        ("203761263", "F W Media, Inc."),
        ("203761343", "Llewellyn Worldwide, LTD."),
        ("203761365", "Richards Media Services, LLC"),
        ("203761318", "CDEJR Web Services, Inc/Gay Authors"),
    ],
)
def test_a_real_publisher_with_commas_is_stored_whole(turtle, book_id, publisher):
    assert turtle[book_id].publisher == publisher


def test_real_catalog_style_and_year_style_publication_cells_still_lose_place_year_and_binding(
    turtle, robdmc
):
    padova, gabriola = turtle["203704155"], turtle["203761269"]
    assert (padova.publisher, padova.publication_year) == ("Messaggero", 2000)
    assert (gabriola.publisher, gabriola.publication_year) == ("New Society Publishers", 2014)
    galahad = robdmc["67202782"]  # `Galahad Books (1998), Hardcover, 128 pages`
    assert (galahad.publisher, galahad.publication_year) == ("Galahad Books", 1998)
    assert (galahad.format, galahad.page_count) == ("hardcover", 128)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # A place before the name is still taken off, with or without ` : `.
        ("New York, Farrar, Straus and Giroux, 2011", ("Farrar, Straus and Giroux", 2011, "")),
        ("New York : Little, Brown and Company, c1999.", ("Little, Brown and Company", 1999, "")),
        ("Milano, Editore Branch, 2024", ("Editore Branch", 2024, "")),
        ("Berlin, Suhrkamp GmbH", ("Suhrkamp GmbH", None, "")),
        ("London, Faber, Ltd., [1998]", ("Faber, Ltd.", 1998, "")),
        # Binding and pages after the year are kept for the format and page count.
        ("Knopf, 2010, Hardcover, 300 pages", ("Knopf", 2010, "Hardcover, 300 pages")),
        ("Academic,2011", ("Academic", 2011, "")),
        ("Seuil", ("Seuil", None, "")),
        ("c1999.", ("", 1999, "")),
    ],
)
def test_publication_cell_without_a_year_in_brackets(value, expected):
    assert parse_publication(value) == expected


def test_binding_and_pages_after_a_catalog_style_publisher_are_read():
    row = synthetic_row(
        **{"Primary Author": "Doe, Jane", "Publication": "Boston : Little, Brown, 2001, Paperback"}
    )
    assert (row.publisher, row.publication_year, row.format) == ("Little, Brown", 2001, "paperback")


# --- 2. Roles in the user's language ------------------------------------------------------------


def test_real_german_and_french_author_roles_make_authors(turtle):
    assert credits_of(turtle["203704001"]) == [("Morris Berman", "author", "Berman, Morris")]
    assert turtle["203704302"].primary_author == "Ivan Illich"  # `Auteur`


@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("Autorin", "author"),  # German
        ("Autrice", "author"),  # French, Italian
        ("Autore", "author"),  # Italian
        ("Autora", "author"),  # Spanish, Portuguese
        ("Auteur", "author"),  # Dutch, French
        ("Herausgeber", "editor"),
        ("Éditeur scientifique", "editor"),
        ("Curatore", "editor"),
        ("Organizador", "editor"),
        ("Redacteur", "editor"),
        ("Übersetzerin", "translator"),
        ("Traducteur", "translator"),
        ("Traductora", "translator"),
        ("Traduttore", "translator"),
        ("Tradutor", "translator"),
        ("Vertaler", "translator"),
        ("Illustrateur", "illustrator"),
        ("Ilustrador", "illustrator"),
        ("Illustratore", "illustrator"),
        ("Sprecher", "narrator"),
        # The credit's noun or phrase, as a library writes it (synthetic, beside the real French
        # `Traduction` / `Sous la direction de` of real_shapes/librarything-aipotu-french-roles).
        ("Übersetzung", "translator"),
        ("Traducción", "translator"),
        ("Traduzione", "translator"),
        ("Tradução", "translator"),
        ("Vertaling", "translator"),
        ("Translated by", "translator"),
        ("Edited by", "editor"),
        ("Herausgegeben von", "editor"),
        ("A cura di", "editor"),
        # Unknown roles stay contributors, as before.
        ("Actor", "contributor"),
        ("Primary Contributor", "contributor"),
        ("Schauspieler", "contributor"),
    ],
)
def test_roles_written_in_other_languages(word, role):
    row = synthetic_row(
        **{
            "Primary Author": "Doe, Jane",
            "Primary Author Role": word,
            "Secondary Author": "Roe, Richard",
            "Secondary Author Roles": word.upper(),
        }
    )
    assert credits_of(row) == [
        ("Jane Doe", role, "Doe, Jane"),
        ("Richard Roe", role, "Roe, Richard"),
    ]


def test_the_csv_exports_singular_secondary_author_role_column_is_read(robdmc):
    assert credits_of(robdmc["68693610"]) == [
        ("Lothar Sachs", "author", "Sachs, Lothar"),
        ("Zenon Reynarowych", "translator", "Reynarowych, Zenon"),
    ]
    assert credits_of(robdmc["141562137"])[1] == (
        "G. Larry Bretthorst",
        "editor",
        "Bretthorst, G. Larry",
    )


# --- 3. Several people in one Primary Author cell -----------------------------------------------


def test_real_primary_author_cells_naming_several_people(turtle):
    assert credits_of(turtle["203761258"]) == [
        ("Dustin Boswell", "author", "Boswell, Dustin"),
        ("Trevor Foucher", "author", "Foucher, Trevor"),
    ]
    assert credits_of(turtle["203761306"]) == [
        ("Walidah Imarisha", "author", "Imarisha, Walidah"),
        ("adrienne maree brown", "author", "brown, adrienne maree"),
    ]
    assert [c.name for c in turtle["203704048"].credits] == ["David Talbott", "Wallace Thornhill"]
    # LibraryThing turned a `;` list around at its last surname.
    assert [c.name for c in turtle["203761383"].credits] == [
        "C.B. Daring",
        "J. Rogue",
        "Deric Shannon",
        "Abbey Volcano",
    ]


@pytest.mark.parametrize(
    ("value", "people"),
    [
        ("Simon & Schuster", ["Simon & Schuster"]),
        ("W. W. Norton & Company", ["W. W. Norton & Company"]),
        ("Cortázar, Julio", ["Cortázar, Julio"]),
        ("King, Stephen; Straub, Peter", ["King, Stephen", "Straub, Peter"]),
        ("Pratchett, Terry & Neil Gaiman", ["Pratchett, Terry", "Neil Gaiman"]),
        # A surname written once goes to the given name after `&`, as in any author cell.
        ("Grimm, Jacob & Wilhelm", ["Grimm, Jacob", "Grimm, Wilhelm"]),
        ("Brontë, Charlotte, Emily & Anne", ["Brontë, Charlotte", "Brontë, Emily", "Brontë, Anne"]),
        ("", []),
    ],
)
def test_people_in_a_cell(value, people):
    assert people_in(value) == people


def test_a_surname_written_once_before_an_ampersand_is_each_brothers():
    row = synthetic_row(**{"Primary Author": "Grimm, Jacob & Wilhelm"})
    assert credits_of(row) == [
        ("Jacob Grimm", "author", "Grimm, Jacob"),
        ("Wilhelm Grimm", "author", "Grimm, Wilhelm"),
    ]


def test_a_person_named_twice_in_a_cell_is_credited_once():
    row = synthetic_row(
        **{
            "Primary Author": "Doe, Jane & Doe, Jane",
            "Secondary Author": "Roe, Richard & Doe, Jane",
        }
    )
    assert [c.name for c in row.credits] == ["Jane Doe", "Richard Roe"]


# --- 5. Page Count with front matter -------------------------------------------------------------


def test_real_page_count_with_roman_front_matter(turtle):
    row = turtle["203761270"]  # Page Count `xxxviii; 103`
    assert (row.page_count, row.warnings) == (103, [])


@pytest.mark.parametrize(
    ("value", "pages"),
    [
        ("xxxviii; 103", "103"),
        ("XII, 240 p.", "240"),
        ("[8], 103", "103"),
        ("xii + 300 pp.", "300"),
        ("321 pp.", "321"),
        ("1,032", "1,032"),
        ("xii, 300", "300"),
        # A range is the pages an article spans, and volumes are no pages: left for the warning.
        ("592-594", "592-594"),
        ("2 v.", "2 v."),
    ],
)
def test_main_page_count(value, pages):
    assert main_page_count(value) == pages


def test_a_page_count_cell_with_only_front_matter_is_not_a_page_count():
    row = synthetic_row(**{"Primary Author": "Doe, Jane", "Page Count": "xxxviii"})
    assert row.page_count is None
    assert row.warnings == ["Page Count 'xxxviii' is not a page count; it was ignored."]


# --- What the catalog stores ---------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_real_lines_stores_whole_publishers_authors_and_pages():
    data = (REAL / "TurtleEngr-my-bib-lines.tsv").read_bytes()
    job = services.import_job_create(data=data, filename="librarything.tsv", enrich=False)
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert (job.created_count, job.failed_count) == (17, 0)

    def edition(book_id: str) -> Edition:
        return Edition.objects.get(librarything_id=book_id)

    assert edition("203761316").publisher == "Farrar, Straus and Giroux"
    assert edition("203761263").publisher == "F W Media, Inc."
    assert edition("203761270").page_count == 103
    credits = WorkAuthor.objects.filter(work=edition("203761258").work).order_by("position")
    assert [(c.author.name, c.author.sort_name, c.role) for c in credits] == [
        ("Dustin Boswell", "Boswell, Dustin", "author"),
        ("Trevor Foucher", "Foucher, Trevor", "author"),
    ]
    berman = WorkAuthor.objects.get(work=edition("203704001").work)  # Primary Author Role `Autor`
    assert (berman.author.name, berman.role) == ("Morris Berman", "author")


def test_a_barcode_in_both_isbn_columns_is_warned_about_once():
    """As LibraryThing exports a record whose only "ISBN" is a product barcode: in ISBN and
    ISBNs alike (mmai/shiny-librarything's export, line 1054; the row here is synthetic)."""
    row = synthetic_row(ISBN="5800036459712", ISBNs="5800036459712")
    assert row.isbn13 == "" and row.other_ids == ["5800036459712"]
    assert row.warnings == [
        "ISBN '5800036459712' is a product barcode (EAN), not an ISBN; it was not used as an ISBN."
    ]

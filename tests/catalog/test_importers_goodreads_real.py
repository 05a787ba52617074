"""Goodreads faults found on real exports: publishers that lost their `&`, and "Author l-f"
sort names that put a suffix first. Real lines are in tests/fixtures/imports/goodreads_real
(see its PROVENANCE.md); synthetic values are written in the tests."""

from pathlib import Path

import pytest

from catalog.importers import importer_for, read_csv
from catalog.importers.cells import suffix_last_sort_name
from catalog.importers.goodreads import goodreads_sort_name, restore_lost_ampersand
from catalog.models import Author, Edition
from tests.catalog.import_rows import goodreads_file, goodreads_row, read_one, run_import

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "goodreads_real"


def read_fixture(name: str) -> dict[str, object]:
    """Book Id -> the normalized row of a real fixture file."""
    csv_file = read_csv((FIXTURES / name).read_bytes())
    importer = importer_for(csv_file.header)
    assert importer.source == "goodreads"
    rows = (importer.read_row(cells) for _, cells in csv_file.rows)
    return {row.goodreads_book_id: row for row in rows}


def test_real_publishers_get_back_the_ampersand_goodreads_dropped():
    rows = read_fixture("HelgeEgil__goodreads_library_export.csv")
    assert rows["56167"].publisher == "W. W. Norton & Company"  # the file: `W. W. Norton  Company`
    assert rows["10884"].publisher == "Simon & Schuster"  # the file: `Simon  Schuster`
    # ... which the same file spells with its `&` elsewhere: one publisher, one spelling.
    assert rows["8049273"].publisher == "W. W. Norton & Company"
    assert rows["11084145"].publisher == "Simon & Schuster"
    assert rows["4982"].publisher == "Gollancz"
    other = read_fixture("argv1__goodreads_library_export.csv")
    assert other["26046333"].publisher == "Chatto & Windus"


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("Simon  Schuster", "Simon & Schuster"),
        ("Avid Reader Press / Simon  Schuster", "Avid Reader Press / Simon & Schuster"),
        ("  Faber  Faber   ", "Faber & Faber"),  # padding around the cell is no `&`
        ("Simon   Schuster", "Simon Schuster"),  # three spaces are spacing, not a lost `&`
        ("Simon & Schuster", "Simon & Schuster"),
        ("Penguin Books", "Penguin Books"),
    ],
)
def test_only_a_two_space_gap_inside_a_publisher_is_a_lost_ampersand(cell, stored):
    assert read_one(Title="synthetic-Book", Publisher=cell).publisher == stored


def test_titles_and_names_keep_their_two_space_gaps_as_spacing():
    # In real exports a title's two spaces are as often plain spacing (before a series, after
    # a colon) as a lost `&`, so only the publisher is mended.
    row = read_one(
        Title="A Clash of Kings  (A Song of Ice and Fire, #2)",
        Author="Becky  Chambers",
        Publisher="Bantam",
    )
    assert (row.title, row.series, row.series_number) == (
        "A Clash of Kings",
        "A Song of Ice and Fire",
        "2",
    )
    assert row.credits[0].name == "Becky Chambers"


def test_real_sort_names_put_the_suffix_after_the_surname():
    rows = read_fixture("HelgeEgil__goodreads_library_export.csv")
    assert rows["4982"].credits[0].sort_name == "Vonnegut, Kurt, Jr."  # `Jr., Kurt Vonnegut`
    assert rows["23999630"].credits[0].sort_name == "Miller, Walter M., Jr."
    assert rows["4982"].credits[0].name == "Kurt Vonnegut Jr."
    lockridge = read_fixture("aaronj1335__goodreads_library_export.csv")["257233"]
    assert lockridge.credits[0].sort_name == "Lockridge, Ross, Jr."  # `Jr., Ross Lockridge`


def test_real_regnal_names_sort_by_name_and_numeral():
    rows = read_fixture("Salvodif__goodreads_library_export.csv")
    assert rows["54462136"].credits[0].sort_name == "Gregory I, Pope"  # `I, Pope Gregory`
    assert rows["79896537"].credits[0].sort_name == "John Paul II, Pope"  # `II, Pope John Paul`
    assert rows["1212980"].credits[0].sort_name == "Pius XII, Pope"  # `XII, Pope Pius`
    assert rows["19335902"].credits[0].sort_name == "Francis, Pope"  # no numeral: as written


def test_real_sort_names_of_other_shapes_are_kept_as_goodreads_wrote_them():
    rows = read_fixture("HelgeEgil__goodreads_library_export.csv")
    assert rows["13667"].credits[0].sort_name == "Guin, Ursula K. Le"
    assert rows["40872592"].credits[0].sort_name == "Clair, Kassia St."
    assert rows["20170404"].credits[0].sort_name == "Mandel, Emily St. John"
    assert rows["6707803"].credits[0].sort_name == "Sappho"  # `Sappho, Sappho`: one name
    salvodif = read_fixture("Salvodif__goodreads_library_export.csv")
    assert salvodif["17310734"].credits[0].sort_name == "Mari, Silvana De"
    argv1 = read_fixture("argv1__goodreads_library_export.csv")
    assert argv1["19031149"].credits[0].sort_name == "X, Sebastian"  # X is his name, no numeral


@pytest.mark.parametrize(
    ("author_lf", "sort_name"),
    [
        ("Sr., John Smith", "Smith, John, Sr."),
        ("IV, Frank M. Snowden", "Snowden, Frank M., IV"),
        ("Jr., Martin Luther King", "King, Martin Luther, Jr."),
        ("JR, Ann Lee", "Lee, Ann, JR"),
        ("III, Queen Elizabeth", "Elizabeth III, Queen"),
        ("King, Martin Luther, Jr.", "King, Martin Luther, Jr."),  # already last
        ("V., Roosh", "V., Roosh"),  # an initial, not a suffix
        ("X, Malcolm", "X, Malcolm"),
        ("I, Ann Smith", "I, Ann Smith"),  # a numeral without a regnal title stays
        ("Jr.", "Jr."),
        ("", ""),
    ],
)
def test_suffix_last_sort_name_shapes(author_lf, sort_name):
    assert suffix_last_sort_name(author_lf) == sort_name


@pytest.mark.parametrize(
    ("author", "author_lf", "sort_name"),
    [
        ("Plato", "Plato, Plato", "Plato"),
        ("Humbert Humbert", "Humbert, Humbert", "Humbert, Humbert"),  # two words: a real sort name
        ("", ", ", ", "),
    ],
)
def test_goodreads_sort_name_writes_a_single_name_once(author, author_lf, sort_name):
    assert goodreads_sort_name(author, author_lf) == sort_name


def test_restore_lost_ampersand_is_pure_on_plain_text():
    assert restore_lost_ampersand("W. W. Norton  Company, Inc.") == "W. W. Norton & Company, Inc."


@pytest.mark.django_db
def test_import_stores_one_publisher_spelling_and_suffix_last_sort_names():
    job = run_import(
        (FIXTURES / "HelgeEgil__goodreads_library_export.csv").read_bytes(), enrich=False
    )
    assert job.failed_count == 0
    publishers = set(Edition.objects.values_list("publisher", flat=True))
    assert {"Simon & Schuster", "W. W. Norton & Company"} <= publishers
    assert not {"Simon Schuster", "W. W. Norton Company"} & publishers
    sort_names = dict(Author.objects.values_list("name", "sort_name"))
    assert sort_names["Kurt Vonnegut Jr."] == "Vonnegut, Kurt, Jr."
    assert sort_names["Walter M. Miller Jr."] == "Miller, Walter M., Jr."
    assert sort_names["Sappho"] == "Sappho"


@pytest.mark.django_db
def test_import_of_synthetic_rows_mends_publisher_and_sort_name():
    data = goodreads_file(
        goodreads_row(
            Book_Id="1",
            Title="synthetic-Book",
            Author="Ann Example III",
            Publisher="Example  Sons",
            **{"Author l-f": "III, Ann Example"},
        )
    )
    job = run_import(data, enrich=False)
    assert job.created_count == 1
    assert Edition.objects.get().publisher == "Example & Sons"
    assert Author.objects.get().sort_name == "Example, Ann, III"

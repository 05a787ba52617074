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
REAL_SHAPES = FIXTURES.parent / "real_shapes"


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


def test_real_sort_names_put_the_capitalized_particles_goodreads_turned_to_the_end_first():
    rows = read_fixture("HelgeEgil__goodreads_library_export.csv")
    assert rows["13667"].credits[0].sort_name == "Le Guin, Ursula K."  # `Guin, Ursula K. Le`
    assert rows["40872592"].credits[0].sort_name == "St. Clair, Kassia"  # `Clair, Kassia St.`
    salvodif = read_fixture("Salvodif__goodreads_library_export.csv")
    assert salvodif["17310734"].credits[0].sort_name == "De Mari, Silvana"  # `Mari, Silvana De`


def test_real_sort_names_of_other_shapes_are_kept_as_goodreads_wrote_them():
    rows = read_fixture("HelgeEgil__goodreads_library_export.csv")
    assert rows["20170404"].credits[0].sort_name == "Mandel, Emily St. John"
    assert rows["6707803"].credits[0].sort_name == "Sappho"  # `Sappho, Sappho`: one name
    # A particle in lower case is filed after the given names (`Kleist, Heinrich von`), and a
    # given name alone or before the name's end is no particle (synthetic cells).
    kleist = read_csv(
        (REAL_SHAPES / "goodreads-pbayer-particles-turned-to-the-end.csv").read_bytes()
    )
    assert "Kleist, Heinrich von" in next(cells for _, cells in kleist.rows)
    assert goodreads_sort_name("Heinrich von Kleist", "Kleist, Heinrich von") == (
        "Kleist, Heinrich von"
    )
    assert goodreads_sort_name("Van Morrison", "Morrison, Van") == "Morrison, Van"
    assert goodreads_sort_name("Ann Le Smith", "Smith, Ann") == "Smith, Ann"
    assert goodreads_sort_name("Olive Senior", "Senior, Olive") == "Senior, Olive"
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
        ("", ", ", ""),  # no name: no sort name, not the comma left of one
    ],
)
def test_goodreads_sort_name_writes_a_single_name_once(author, author_lf, sort_name):
    assert goodreads_sort_name(author, author_lf) == sort_name


@pytest.mark.parametrize(
    ("author", "author_lf", "sort_name"),
    [
        ("Ann Lee Le Smith", "Smith, Ann Lee Le", "Le Smith, Ann Lee"),
        ("Ann De La Smith", "Smith, Ann De La", "De La Smith, Ann"),
        ("Ann de La Smith", "Smith, Ann de La", "La Smith, Ann de"),
        ("Ann St. Lee", "Lee, Ann St.", "St. Lee, Ann"),
        # a suffix left in the surname goes last
        ("Dan R. Kirk Jr", "Kirk Jr, Dan R.", "Kirk, Dan R., Jr"),
        ("Ann Lee Sr.", "Lee Sr., Ann", "Lee, Ann, Sr."),
    ],
)
def test_goodreads_sort_name_puts_particles_first_and_suffixes_last_synthetic(
    author, author_lf, sort_name
):
    assert goodreads_sort_name(author, author_lf) == sort_name


@pytest.mark.django_db
def test_import_files_real_names_under_their_capitalized_particles():
    for name in ("pbayer", "carlosperezzz"):
        data = (REAL_SHAPES / f"goodreads-{name}-particles-turned-to-the-end.csv").read_bytes()
        assert run_import(data, enrich=False).failed_count == 0
    data = (FIXTURES / "HelgeEgil__goodreads_library_export.csv").read_bytes()
    assert run_import(data, enrich=False).failed_count == 0
    sort_names = dict(Author.objects.values_list("name", "sort_name"))
    assert sort_names["Ursula K. Le Guin"] == "Le Guin, Ursula K."
    assert sort_names["Mark Van Doren"] == "Van Doren, Mark"
    assert sort_names["François de La Rochefoucauld"] == "La Rochefoucauld, François de"
    assert sort_names["Elena De La Cruz"] == "De La Cruz, Elena"
    assert sort_names["Heinrich von Kleist"] == "Kleist, Heinrich von"


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

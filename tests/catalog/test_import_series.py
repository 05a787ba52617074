"""Issue 12, items 2 and 5: every series of a title, and the subtitle after a spaced dash, are
read right and reach the catalog.

Every row here is synthetic, written in the shape of the real exports the issue names
(Goodreads 24/31-column, StoryGraph); no value is copied from someone's file.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog import text
from catalog.importers.base import NormalizedRow
from catalog.importers.fitting import fit_to_columns
from catalog.importers.parsing import (
    parse_title,
    parse_title_parts,
)
from catalog.models import Work, WorkSeries
from tests.catalog.import_rows import goodreads_file, goodreads_row, read_one, run_import
from tests.catalog.test_importers import STORYGRAPH
from tests.factories import make_edition, make_work

# --- 2. Several series -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title", "entries"),
    [
        (
            "Raising Steam (Discworld, #40; Moist von Lipwig, #3)",
            "Raising Steam",
            [("Discworld", "40"), ("Moist von Lipwig", "3")],
        ),
        ("Synthetic Novel (Some Series #2)", "Synthetic Novel", [("Some Series", "2")]),
        (
            "Synthetic Novel (Some Series, #4, Part 2)",
            "Synthetic Novel",
            [("Some Series", "4, Part 2")],
        ),
        ("Synthetic Omnibus (Some Series, #1-3)", "Synthetic Omnibus", [("Some Series", "1-3")]),
        ("Synthetic Prequel (Some Series, #0.5)", "Synthetic Prequel", [("Some Series", "0.5")]),
        (
            "Concurrent Programming (Prentice-Hall International Series in Computer Science)",
            "Concurrent Programming",
            [("Prentice-Hall International Series in Computer Science", "")],
        ),
        (
            "Cien años de soledad (Colección Austral)",
            "Cien años de soledad",
            [("Colección Austral", "")],
        ),
        ("Σειρά βιβλίων (Μια Σειρά, #2)", "Σειρά βιβλίων", [("Μια Σειρά", "2")]),
        (
            "Synthetic Analytics (Synthetic Data Mining and Discovery Series Book 36)",
            "Synthetic Analytics",
            [("Synthetic Data Mining and Discovery Series", "36")],
        ),
        # Not series: part of the title.
        (
            "Rio de Janeiro (Ten Moments That Shaped)",
            "Rio de Janeiro (Ten Moments That Shaped)",
            [],
        ),
        ("Synthetic Audio (Unabridged)", "Synthetic Audio (Unabridged)", []),
        ("Synthetic Tome (Library Edition)", "Synthetic Tome (Library Edition)", []),
        ("(Some Series, #1)", "(Some Series, #1)", []),
    ],
)
def test_every_series_of_a_title_is_read_with_its_number(raw, title, entries):
    assert text.split_series_entries(raw) == (title, entries)
    assert text.split_series(raw) == (title, *(entries[0] if entries else ("", "")))


def test_a_series_number_in_words_needs_the_series_name():
    """Amazon's words for a series' number (the real lines, `Book 9` and `, Volume 2`, are in
    tests/catalog/test_importers_real_shapes.py; these are synthetic, for the other words)."""
    read = {
        raw: text.split_series_entries(raw)
        for raw in (
            "Synthetic Novel (Some Name Novel 5)",
            "Synthetic Novel (Some Name, Part 2)",
            "Synthetic Novel (Some Name Vol. 3)",
            "Synthetic Novel (Some Name Vol.3)",
            "Synthetic Novel (Book 3)",
            "Synthetic Novel (1984)",
        )
    }
    assert read == {
        "Synthetic Novel (Some Name Novel 5)": ("Synthetic Novel", [("Some Name", "5")]),
        "Synthetic Novel (Some Name, Part 2)": ("Synthetic Novel", [("Some Name", "2")]),
        "Synthetic Novel (Some Name Vol. 3)": ("Synthetic Novel", [("Some Name", "3")]),
        "Synthetic Novel (Some Name Vol.3)": ("Synthetic Novel", [("Some Name", "3")]),
        # No name before the number: part of the title.
        "Synthetic Novel (Book 3)": ("Synthetic Novel (Book 3)", []),
        "Synthetic Novel (1984)": ("Synthetic Novel (1984)", []),
    }


def test_a_goodreads_row_in_two_series_keeps_both_the_first_primary():
    row = read_one(Title="Raising Steam (Discworld, #40; Moist von Lipwig, #3)", Author="T. P.")
    assert (row.title, row.series, row.series_number) == ("Raising Steam", "Discworld", "40")
    assert row.series_entries == [("Discworld", "40"), ("Moist von Lipwig", "3")]
    assert row.as_json()["series_entries"] == [("Discworld", "40"), ("Moist von Lipwig", "3")]


def test_parse_title_keeps_its_four_values_for_the_primary_series():
    assert parse_title("Raising Steam (Discworld, #40; Moist von Lipwig, #3)") == (
        "Raising Steam",
        "",
        "Discworld",
        "40",
    )


def test_series_are_fitted_to_their_columns_once_each():
    row = NormalizedRow(
        title="T",
        series_entries=[("S" * 300, "1"), ("Other", "1" * 17), ("other", "2")],
    )
    fit_to_columns(row)
    assert row.series_entries == [("S" * 255, "1"), ("Other", "")]
    assert (row.series, row.series_number) == ("S" * 255, "1")
    assert [w.split(" ", 1)[0] for w in row.warnings] == ["Series", "Series"]


def test_matching_still_strips_every_series_from_titles():
    from enrichment.matching import clean_title

    assert clean_title("Raising Steam (Discworld, #40; Moist von Lipwig, #3)") == "raising steam"
    assert clean_title("Concurrent Programming (Prentice-Hall International Series in X)") == (
        "concurrent programming"
    )


# --- 5. A spaced dash starts a subtitle ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title", "subtitle"),
    [
        ("Ich habe eine Axt – Best Of", "Ich habe eine Axt", "Best Of"),
        (
            "Ich habe eine Axt - Urlaub in den Misantropen",
            "Ich habe eine Axt",
            "Urlaub in den Misantropen",
        ),
        ("Synthetic — A Dash Subtitle (Some Series, #2)", "Synthetic", "A Dash Subtitle"),
        ("The Silk Roads: A New History", "The Silk Roads", "A New History"),
        ("Spider-Man and the Hyphen", "Spider-Man and the Hyphen", ""),
        ("Title (Penguin Classics; Odd)", "Title (Penguin Classics; Odd)", ""),  # no split inside
    ],
)
def test_text_after_a_spaced_dash_or_colon_is_the_subtitle(raw, title, subtitle):
    got_title, got_subtitle, _entries = parse_title_parts(raw)
    assert (got_title, got_subtitle) == (title, subtitle)


# --- Against the database: what the catalog ends up holding -------------------------------------


@pytest.mark.django_db
def test_a_book_in_two_series_gets_both_and_a_reimport_changes_nothing():
    data = goodreads_file(
        goodreads_row(
            Book_Id="101",
            Title="Raising Steam (Discworld, #40; Moist von Lipwig, #3)",
            Author="Synthetic Author",
            ISBN13='="9780306406157"',
        ),
        goodreads_row(
            Book_Id="102",
            Title="Concurrent Programming (Prentice-Hall International Series in Computer Science)",
            Author="Other Author",
        ),
    )
    job = run_import(data)
    assert job.created_count == 2
    steam = Work.objects.get(title="Raising Steam")
    assert (steam.series, steam.series_number) == ("Discworld", "40")
    assert [(s.name, s.number, s.position) for s in steam.series_entries.all()] == [
        ("Discworld", "40", 0),
        ("Moist von Lipwig", "3", 1),
    ]
    concurrent = Work.objects.get(title="Concurrent Programming")
    assert concurrent.series == "Prentice-Hall International Series in Computer Science"
    again = run_import(data)
    assert (again.created_count, again.updated_count, again.duplicate_count) == (0, 0, 2)
    assert WorkSeries.objects.count() == 3


@pytest.mark.django_db
def test_a_known_work_without_series_gains_them_its_own_primary_first():
    work = make_work(
        "Raising Steam", authors=["Synthetic Author"], series="Discworld", series_number="40"
    )
    make_edition(work, isbn13="9780306406157")
    bare = make_work("Synthetic Bare", authors=["Synthetic Author"])
    make_edition(bare, isbn13="9781861972712")
    data = goodreads_file(
        goodreads_row(
            Title="Raising Steam (Moist von Lipwig, #3; Discworld, #40)",
            Author="Synthetic Author",
            ISBN13='="9780306406157"',
        ),
        goodreads_row(
            Title="Synthetic Bare (Bare Saga, #1)",
            Author="Synthetic Author",
            ISBN13='="9781861972712"',
        ),
    )
    job = run_import(data)
    assert job.updated_count == 2
    assert [(s.name, s.number) for s in work.series_entries.all()] == [
        ("Discworld", "40"),
        ("Moist von Lipwig", "3"),
    ]
    bare.refresh_from_db()
    assert (bare.series, bare.series_number) == ("Bare Saga", "1")
    assert list(bare.series_entries.values_list("name", "position")) == [("Bare Saga", 0)]


@pytest.mark.django_db
def test_a_storygraph_row_reads_its_series_and_dates_the_same_way():
    data = (
        STORYGRAPH
        + '\n"Raising Steam (Discworld, #40; Moist von Lipwig, #3)",Synthetic Author,,,,read,'
        "2024/01/02,not a date\n"
    ).encode()
    job = run_import(data)
    row = job.rows.get()
    assert row.normalized["series_entries"] == [["Discworld", "40"], ["Moist von Lipwig", "3"]]
    assert row.messages == ["Last Date Read 'not a date' is not a date; it was ignored."]


@pytest.mark.django_db
def test_series_named_only_by_a_later_row_of_the_file_are_kept_once():
    plain = goodreads_row(Title="Synthetic Kangaroo", Author="A. Writer", ISBN13='="9780306406157"')
    series = goodreads_row(
        Title="Synthetic Kangaroo (Kangaroo Saga, #4)",
        Author="A. Writer",
        ISBN13='="9780306406157"',
    )
    first = run_import(goodreads_file(plain, series))
    assert (first.created_count, first.updated_count) == (1, 1)
    work = Work.objects.get()
    assert (work.series, list(work.series_entries.values_list("name", "number"))) == (
        "Kangaroo Saga",
        [("Kangaroo Saga", "4")],
    )
    again = run_import(goodreads_file(plain, series))
    assert again.duplicate_count == 2


@pytest.mark.django_db
def test_the_work_admin_lists_every_series_with_its_number(client):
    run_import(
        goodreads_file(
            goodreads_row(
                Title="Raising Steam (Discworld, #40; Moist von Lipwig, #3)",
                Author="Synthetic Author",
                ISBN13='="9780306406157"',
            )
        )
    )
    work = Work.objects.get()
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    response = client.get(reverse("admin:catalog_work_change", args=[work.pk]))
    assert response.status_code == 200
    assert "Every series" in response.text
    assert "Discworld #40<br>Moist von Lipwig #3" in response.text


@pytest.mark.parametrize(
    ("title", "publisher", "read"),
    [
        # The publisher's name, the words any publisher's name may carry aside: its imprint.
        ("synthetic-Thesis (MIT Press)", "The MIT Press", ("synthetic-Thesis", "", [])),
        ("synthetic-Lives: Interviews (Tempus)", "Tempus Books",
         ("synthetic-Lives", "Interviews", [])),
        ("synthetic-Mind: A New View (A Bradford Book)", "Bradford Books",
         ("synthetic-Mind", "A New View", [])),
        # Its name and more: its series, after the series the title named.
        ("synthetic-Saga (Saga, #2) (Vintage International)", "Vintage",
         ("synthetic-Saga", "", [("Saga", "2"), ("Vintage International", "")])),
        # Not the publisher's: the title's, as is a parenthesis that is the whole title.
        ("synthetic-It (Eso)", "DeBolsillo", ("synthetic-It (Eso)", "", [])),
        ("synthetic-Sabriel (Abhorsen)", "HarperCollins", ("synthetic-Sabriel (Abhorsen)", "", [])),
        ("(Plume)", "Plume", ("(Plume)", "", [])),
        ("synthetic-Curmudgeon (Plume)", "", ("synthetic-Curmudgeon (Plume)", "", [])),
        ("synthetic-Programs (MIT Press)", "Press", ("synthetic-Programs (MIT Press)", "", [])),
    ],
)  # fmt: skip
def test_a_parenthesis_starting_with_the_rows_publisher_is_its_imprint_or_series(
    title, publisher, read
):
    row = read_one(Title=title, Author="Synthetic Author", Publisher=publisher)
    assert (row.title, row.subtitle, row.series_entries) == read

"""Shapes a sweep of other people's real exports found (tests/fixtures/imports/real_shapes, each
file's source in its PROVENANCE.md): what the catalog shows for those lines."""

import pytest

from catalog import services
from catalog.importers.base import NormalizedRow
from catalog.importers.parsing import clean_cell
from catalog.importers.readers import apply_identifier
from catalog.models import Author, Edition, ImportRow, Work
from tests.catalog.real_lines import REAL, import_real
from tests.factories import make_work


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


def synthetic_goodreads_file(*records: str) -> bytes:
    """A Goodreads export of the given record lines under the 24-column header of a real one."""
    header = (REAL / "goodreads-alexkhype-ismn-beside-isbn10.csv").read_bytes().splitlines()[0]
    return b"\n".join([header, *(record.encode() for record in records)]) + b"\n"


@pytest.mark.django_db
def test_a_persian_first_publication_year_without_an_edition_year_is_kept_with_a_warning():
    """Hafez's Divan, first published about 1368, in a synthetic Goodreads row (no real one was
    found: 87 mirrored exports hold no Persian or Arabic row with a first publication year from
    1300 on and no edition year): no Year Published, Original Publication Year 1368. The work
    keeps its year, and the import row says what 1368 would be in the Solar Hijri calendar."""
    data = synthetic_goodreads_file(
        '1,دیوان حافظ,حافظ,"حافظ, حافظ",,"=""""","=""""",0,4.5,نشر نی,Hardcover,600,,1368,,'
        "2020/01/01,to-read,to-read (#1),to-read,,,,0,0"
    )
    job = services.import_job_create(data=data, filename="synthetic-hafez.csv", enrich=False)
    services.import_job_run(job=job)
    work = Work.objects.get()
    assert (work.title, work.first_published_year) == ("دیوان حافظ", 1368)
    [row] = ImportRow.objects.filter(job=job)
    assert row.messages == [
        "The first publication year 1368 was kept as a year of the common era: the row gives no "
        "edition year to say its calendar. If it is a Hijri year, the book was first published "
        "in 1989–1990; correct it on the work."
    ]


@pytest.mark.django_db
def test_an_authors_name_after_the_title_is_no_part_of_it():
    """A bookseller's listing names the author after the title, sorted or not, and Goodreads
    copies it: `Wild at Heart (Gifford, Barry)`, `Tzili: The Story of a Life (Appelfeld,
    Aharon)`, `The Painted Bird (Kosinski, Jerzy)` (the author credited `Jerzy Kosiński`), and
    `Show Your Work!: 10 Ways to Share Your Creativity and Get Discovered (Austin Kleon)`."""
    import_real("goodreads-alexkhype-author-after-title.csv")
    import_real("goodreads-olivier-author-after-subtitle.csv")
    assert sorted(Work.objects.values_list("title", "subtitle")) == [
        ("Show Your Work!", "10 Ways to Share Your Creativity and Get Discovered"),
        ("The Painted Bird", ""),
        ("Tzili", "The Story of a Life"),
        ("Wild at Heart", ""),
    ]


@pytest.mark.django_db
def test_a_book_listed_with_its_authors_name_is_the_work_already_in_the_catalog():
    """The Painted Bird, already in the catalog under its title alone, is matched by a row
    whose title names its author after it (a different edition, no shared ISBN)."""
    work = make_work(title="The Painted Bird", authors=["Jerzy Kosiński"])
    job = import_real("goodreads-alexkhype-author-after-title.csv", lines=slice(2, 3))
    assert Work.objects.count() == 1
    assert ImportRow.objects.get(job=job).work == work


@pytest.mark.django_db
def test_a_series_half_written_without_its_zero_is_the_series_number_0_5():
    """`The Executor (The Chronicles of Carlingford, #.5)`: Mrs. Oliphant's novella before the
    series' first book."""
    import_real("goodreads-alexkhype-half-without-its-zero.csv")
    work = Work.objects.get()
    assert (work.title, work.series, work.series_number) == (
        "The Executor",
        "The Chronicles of Carlingford",
        "0.5",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "formats"),
    [
        # Chinese web novels: Binding `Webnovel`, `webnovel`, `Web Novel`.
        ("goodreads-barryallen-web-novels.csv", ["ebook", "ebook", "ebook"]),
        # Robert Jordan's The Strike at Shayol Ghul, published on a web site.
        ("goodreads-megthommes-online.csv", ["ebook"]),
        ("goodreads-ohaanika-online-only.csv", ["ebook"]),
        ("goodreads-ohaanika-chapbook.csv", ["other"]),
        ("goodreads-4dahalibut-pamphlet.csv", ["other"]),
        # Donna Tartt's The Ambush, in Tin House Magazine: what it is, not how it is bound.
        ("goodreads-alexkhype-magazine.csv", [""]),
    ],
)
def test_real_bindings_of_the_web_and_of_booklets_are_read_without_an_unrecognized_note(
    name, formats
):
    job = import_real(name)
    rows = ImportRow.objects.filter(job=job).order_by("line_number")
    assert [row.edition.format for row in rows] == formats
    assert not [m for row in rows for m in row.messages if "Unrecognized format" in m]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "goodreads-ohaanika-online-only.csv",  # Publisher `N/A`
        "goodreads-agustina-dashes-for-publisher.csv",  # Publisher ` -----`
    ],
)
def test_a_publisher_cell_that_names_none_leaves_the_publisher_empty(name):
    """A placeholder is no publisher: the edition shows none, for enrichment to fill."""
    import_real(name)
    assert Edition.objects.get().publisher == ""


KOENVDE_MAP = {
    "title": "Title",
    "author": "Author",
    "year": "Year published",
    "pages": "Number of pages",
    "language": "Language",
    "kind": "Type",
}


@pytest.mark.django_db
def test_a_reading_logs_type_column_of_bindings_gives_each_book_its_format():
    """A reading log its owner keeps (`Title,Author,Language,…,Type,Rating`), imported with
    the map import_books guesses for it, which reads `Type` as the item type: its values are
    bindings, `Paperback`, `Kindle`, `Audiobook`, so each is the edition's format (and an
    audiobook keeps no page count), not an unknown kind of item."""
    job = import_real(
        "reading-log-koenvde-binding-as-type.csv",
        requested_format="generic",
        column_map=KOENVDE_MAP,
    )
    rows = ImportRow.objects.filter(job=job).order_by("line_number")
    assert [(r.edition.format, r.edition.page_count) for r in rows] == [
        ("paperback", 317),
        ("ebook", 272),
        ("audiobook", None),
    ]
    assert not [m for row in rows for m in row.messages if "not a kind" in m]


@pytest.mark.django_db
def test_a_year_before_printing_is_the_works_first_publication_not_an_editions():
    """The reading log dates Marcus Aurelius' Meditations, a Kindle book, `180`: the year the
    work was written, never an edition's."""
    job = import_real(
        "reading-log-koenvde-year-before-printing.csv",
        requested_format="generic",
        column_map=KOENVDE_MAP,
    )
    edition = Edition.objects.get()
    assert (edition.publication_date, edition.work.first_published_year) == (None, 180)
    assert ImportRow.objects.get(job=job).messages == [
        "The publication year 180 is older than any printed edition: it was read as the year "
        "the work was first published."
    ]


@pytest.mark.django_db
def test_a_book_on_the_header_line_is_imported_and_the_header_read_without_it():
    """The export lost the line break after its header: line 1 ends `…,Read Count,Owned
    Copies102955228,Salvar o fogo,Itamar Vieira Junior,…`. That book is imported from line 1,
    the columns are read by their names (no column called `0` or `2023`), and the job says
    what it read. The next line's Year Published `199`, beside 1984, is no edition's."""
    job = import_real("goodreads-anycarolinys-header-joined-to-a-book.csv")
    assert job.warnings == [
        "The header line also holds the first book (the line break after the header was lost): "
        "“Owned Copies102955228” was read as the column “Owned Copies” and the book's first "
        "cell."
    ]
    rows = ImportRow.objects.filter(job=job).order_by("line_number")
    assert [(row.line_number, row.status) for row in rows] == [(1, "created"), (2, "created")]
    first, second = (row.edition for row in rows)
    assert (first.work.title, first.isbn13, first.goodreads_book_id) == (
        "Salvar o fogo",
        "9786556924175",
        "102955228",
    )
    assert first.work.authors.get().name == "Itamar Vieira Junior"
    assert (second.work.title, second.publication_date, second.work.first_published_year) == (
        "A Descoberta do Mundo",
        None,
        1984,
    )


@pytest.mark.django_db
def test_a_book_in_several_places_of_a_series_has_the_series_and_its_first_number():
    """Goodreads numbers a collection, or a novella it places more than once, with each of its
    numbers (`(Kay Scarpetta, #1, #2, #3)`; this dataset of Goodreads' books lost the commas):
    the work is in that series at its first number, not in a series named `Kay Scarpetta #1
    #2` at 3, and the row says which numbers a series entry could not hold."""
    job = import_real(
        "goodreads-dataset-lfvvercosa-several-series-numbers.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "authors", "isbn": "isbn13"},
    )
    works = Work.objects.order_by("title").values_list("title", "series", "series_number")
    assert list(works) == [
        ("Maisie Dobbs and Birds of a Feather", "Maisie Dobbs", "1"),
        ("Mrs. Piggle-Wiggle Treasury", "Mrs. Piggle Wiggle", "1-2"),
        ("Three Complete Novels", "Kay Scarpetta", "1"),
    ]
    messages = {row.line_number: row.messages for row in ImportRow.objects.filter(job=job)}
    assert (
        "The title numbers the book 1, 2, 3 in the series 'Kay Scarpetta'; it was given the "
        "first, 1, and the others were left out."
    ) in messages[2]
    assert (
        "The title numbers the book 1-2, 4 in the series 'Mrs. Piggle Wiggle'; it was given the "
        "first, 1-2, and the others were left out."
    ) in messages[4]


@pytest.mark.django_db
def test_an_isbn_10_a_spreadsheet_cut_to_8_digits_is_read_with_its_two_zeros():
    """A Goodreads export re-saved by a spreadsheet: `60853980` is HarperCollins' ISBN-10
    0060853980 (Good Omens), `99448475` Vintage's 0099448475 (Sputnik Sweetheart), both zeros
    dropped, while their ISBN13 cells became `9.78006E+12`; 47 of the file's rows are so. The
    Sandman's `19268899`, whose check digit does not hold, is no ISBN."""
    job = import_real("goodreads-notmahi-isbn10-two-zeros-lost.csv")
    editions = Edition.objects.order_by("work__title").values_list(
        "work__title", "isbn10", "isbn13"
    )
    assert list(editions) == [
        ("Good Omens", "0060853980", "9780060853983"),
        ("Sputnik Sweetheart", "0099448475", "9780099448471"),
        ("The Sandman #50", "", None),
    ]
    good_omens = ImportRow.objects.get(job=job, line_number=2)
    assert (
        "ISBN '60853980' read as ISBN-10 0060853980 (an ISBN-10 whose two leading zeros a "
        "spreadsheet dropped)."
    ) in good_omens.messages
    sandman = ImportRow.objects.get(job=job, line_number=4)
    assert sandman.normalized["other_ids"] == ["19268899", "19268899"]


def test_8_digits_are_read_as_an_isbn_10_only_in_a_column_of_isbn_10s():
    """StoryGraph's ISBN/UID and a mapped ISBN column hold other ids too: 8 digits there stay
    the id they are."""
    row = NormalizedRow(title="Good Omens")
    apply_identifier(row, "60853980", column="ISBN/UID")
    assert (row.isbn10, row.isbn13, row.other_ids) == ("", "", ["60853980"])


@pytest.mark.django_db
def test_a_zero_width_space_in_a_title_is_dropped_so_the_book_is_found_by_its_words():
    """Goodreads' own title of Sarah J. Maas's book holds a zero-width space after its `A`
    (`A \u200bCourt of Silver Flames`): stored so, the admin's search for "Court of Silver"
    found it but "A Court" did not, and it looked like the title it was not."""
    import_real("goodreads-najaad-zero-width-space.csv")
    work = Work.objects.get()
    assert (work.title, work.series, work.series_number) == (
        "A Court of Silver Flames",
        "A Court of Thorns and Roses",
        "4",
    )
    assert Work.objects.filter(title__icontains="A Court of Silver").exists()


def test_zero_width_joiners_that_shape_a_word_are_kept():
    """Persian writes a zero-width non-joiner inside a name (a translator in a real Goodreads
    row: `محمد عباس\u200cآبادی`); it is part of the name."""
    assert clean_cell("محمد عباس\u200cآبادی") == "محمد عباس\u200cآبادی"
    assert clean_cell("\ufeffTitle\u200b ") == "Title"


@pytest.mark.django_db
def test_a_book_numbered_in_several_places_with_one_hash_is_in_the_series_at_the_first():
    """Leigh Bardugo's The Language of Thorns, `(Grishaverse, #0.5, 2.5, 2.6)`: Goodreads writes
    the `#` before the first number only. The work had the series number "0.5, 2.5, 2.6", which
    no list sorts or reads as a number."""
    job = import_real("goodreads-thomazbastiaanssen-several-numbers-one-hash.csv")
    work = Work.objects.get()
    assert (work.title, work.subtitle, work.series, work.series_number) == (
        "The Language of Thorns",
        "Midnight Tales and Dangerous Magic",
        "Grishaverse",
        "0.5",
    )
    assert ImportRow.objects.get(job=job).messages == [
        "The title numbers the book 0.5, 2.5, 2.6 in the series 'Grishaverse'; it was given the "
        "first, 0.5, and the others were left out."
    ]


@pytest.mark.django_db
def test_a_podiobook_is_an_audiobook():
    """Mur Lafferty's Heaven and War, Binding `Podiobook`: a novel read aloud as a podcast,
    chapter by chapter, which was "other" with a warning that the format was not known. As an
    audiobook, Heaven's 200 pages are no page count of it."""
    job = import_real("goodreads-genekaufman-podiobook.csv")
    formats = Edition.objects.order_by("work__title").values_list("work__title", "format")
    assert list(formats) == [("Heaven", "audiobook"), ("War", "audiobook")]
    assert Edition.objects.get(work__title="Heaven").page_count is None
    war = ImportRow.objects.get(job=job, line_number=2)
    assert war.messages == []


@pytest.mark.django_db
def test_a_name_written_with_a_comma_of_its_own_sorts_without_a_trailing_comma():
    """James Wesley, Rawles writes his name with a comma; Goodreads' Author l-f turns it at its
    last word and keeps the comma at the end, `Rawles, James Wesley,`, which the author's sort
    name was."""
    import_real("goodreads-genekaufman-comma-in-name.csv")
    author = Author.objects.get()
    assert (author.name, author.sort_name) == ("James Wesley, Rawles", "Rawles, James Wesley")

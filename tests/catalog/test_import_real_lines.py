"""What other people's real export lines make in the catalog (tests/fixtures/imports/real_shapes,
each file's source in its PROVENANCE.md): the books, authors and fields a librarian sees."""

import importlib
import json
import shlex

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError

from catalog import services
from catalog.importers import read_csv
from catalog.importers.dates import DAY_FIRST
from catalog.importers.generic import format_column_map, guess_column_map, parse_column_map
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor
from catalog.services import failed_rows
from tests.catalog.real_lines import REAL, import_real, run_command
from tests.factories import make_work


@pytest.mark.django_db
def test_an_editions_year_is_not_taken_for_the_year_the_work_was_first_published():
    """LibraryThing gives a 1996 Gallimard paperback of Moby Dick (`Date` 1996) and no
    original year: the edition is of 1996, the work's first publication stays unknown (for
    enrichment to find) instead of claiming 1996."""
    job = import_real("librarything-aipotu-edition-year.tsv")
    assert job.created_count == 1
    edition = Edition.objects.get()
    assert edition.publication_date.year == 1996
    assert edition.work.title == "Moby dick"
    assert edition.work.first_published_year is None
    assert Work.objects.filter(first_published_year__isnull=True).count() == 1


@pytest.mark.django_db
def test_an_author_first_credited_as_a_co_author_takes_the_sort_name_a_later_row_gives():
    """Goodreads names Lois McMaster Bujold first in a book's Additional Authors (no sort
    name there), then as a book's Author with `Author l-f` `Bujold, Lois McMaster`."""
    import_real("goodreads-eitanshay-coauthor-first.csv")
    assert Author.objects.get(name="Lois McMaster Bujold").sort_name == "Bujold, Lois McMaster"
    assert Author.objects.get(name="Lillian Stewart Carl").sort_name == "Carl, Lillian Stewart"


@pytest.mark.django_db
def test_a_later_import_fills_an_authors_empty_sort_name_and_never_replaces_one():
    import_real("goodreads-eitanshay-coauthor-first.csv", lines=slice(0, 1))
    bujold = Author.objects.get(name="Lois McMaster Bujold")
    assert bujold.sort_name == ""
    carl = Author.objects.get(name="Lillian Stewart Carl")
    carl.sort_name = "Carl, L. S. (a librarian's)"
    carl.save()

    import_real("goodreads-eitanshay-coauthor-first.csv", lines=slice(1, 2))
    bujold.refresh_from_db()
    assert bujold.sort_name == "Bujold, Lois McMaster"
    assert bujold.updated_at > bujold.created_at
    import_real("goodreads-eitanshay-coauthor-first.csv")  # Carl's own row, again
    carl.refresh_from_db()
    assert carl.sort_name == "Carl, L. S. (a librarian's)"
    assert Author.objects.count() == 3


@pytest.mark.django_db
def test_librarythings_2014_csv_with_quoted_column_names_imports_as_librarything():
    """LibraryThing's CSV export of 2014 names its columns `'TITLE'`, `'AUTHOR (last, first)'`,
    `'PUBLICATION INFO'`… and has no Book Id: it is still LibraryThing, not a file to map."""
    job = import_real("librarything-mousereeve-2014-quoted-header.csv")
    assert (job.source, job.created_count, job.failed_count) == ("librarything", 3, 0)
    kraken = Edition.objects.get(work__title="Kraken")
    assert kraken.isbn13 == "9780345497505"  # `[0345497503]`
    assert (kraken.publisher, kraken.publication_date.year) == ("Del Rey", 2011)
    assert (kraken.format, kraken.page_count) == ("paperback", 528)
    assert Author.objects.get(name="China Mieville").sort_name == "Mieville, China"
    sappho = Edition.objects.get(work__title="Songs Of Sappho")
    assert (sappho.publisher, sappho.publication_date, sappho.format) == (
        "Peter Pauper Press",
        None,  # DATE `?`
        "hardcover",
    )
    daudet = Edition.objects.get(work__authors__name="Alphonse Daudet")
    assert (daudet.publisher, daudet.format) == ("Forgotten Books", "ebook")


@pytest.mark.django_db
def test_a_mapped_isbn_column_reads_librarythings_bracketed_isbns():
    """Mapped by hand, the 2014 LibraryThing file's `'ISBNs'` cells read as LibraryThing's own
    reader reads them: `[0345497503]` is an ISBN (it was dropped without a word), `[]` none."""
    job = import_real(
        "librarything-mousereeve-2014-quoted-header.csv",
        requested_format="generic",
        column_map={"title": "'TITLE'", "isbn": "'ISBNs'"},
    )
    assert (job.source, job.created_count) == ("generic", 3)
    assert Edition.objects.get(work__title="Kraken").isbn13 == "9780345497505"
    assert Edition.objects.filter(isbn13__isnull=True).count() == 2
    assert not job.rows.exclude(messages=[]).exists()


@pytest.mark.django_db
def test_the_map_import_books_suggests_for_a_real_header_imports_the_file():
    """Its guess names `'AUTHOR (first, last)'`: the comma in that column's name broke the map
    (`' last)'' is not FIELD=COLUMN`), and its quotes broke the shell's."""
    path = str(REAL / "librarything-mousereeve-2014-quoted-header.csv")
    with pytest.raises(CommandError, match="--map") as refused:
        run_command(path, "--format", "generic")
    [suggested] = shlex.split(str(refused.value).split("--map ", 1)[1].split(" (guessed", 1)[0])
    result = json.loads(run_command(path, "--map", suggested, "--json", "--no-enrich"))
    assert (result["created"], result["failed"]) == (3, 0)
    assert set(Author.objects.values_list("name", flat=True)) == {
        "Sappho",
        "China Mieville",
        "Alphonse Daudet",
    }


@pytest.mark.django_db
def test_a_map_names_a_real_column_with_a_comma_in_its_name():
    path = str(REAL / "librarything-mousereeve-2014-quoted-header.csv")
    run_command(
        path, "--map", "title=TITLE,author=AUTHOR (last, first),isbn='ISBNs'", "--no-enrich"
    )
    assert Author.objects.get(name="China Mieville").sort_name == "Mieville, China"
    assert Edition.objects.get(work__title="Kraken").isbn13 == "9780345497505"
    assert ImportJob.objects.get().column_map == {
        "title": "'TITLE'",
        "author": "'AUTHOR (last, first)'",
        "isbn": "'ISBNs'",
    }


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.?sv")))
def test_any_column_of_a_real_header_parses_back_from_a_map(name):
    header = read_csv((REAL / name).read_bytes()).header
    for column in filter(None, header):  # a column without a name cannot be mapped
        column_map = {"title": column, "author": header[0]}
        assert parse_column_map(format_column_map(column_map)) == column_map
    guessed = guess_column_map(header)
    assert parse_column_map(format_column_map(guessed)) == guessed


@pytest.mark.django_db
def test_a_french_librarythings_translation_and_editor_roles_are_kept():
    """A French LibraryThing writes the credit's words: `Traduction` (53 of the file's 1,291
    books) and `Sous la direction de` (5); both were stored as plain contributors."""
    import_real("librarything-aipotu-french-roles.tsv")
    roles = dict(WorkAuthor.objects.values_list("author__name", "role"))
    assert roles["Patrick Dusoulier"] == "translator"  # Rainbows End
    assert roles["Victor Del Litto"] == "editor"  # Promenades dans Rome
    assert roles["Paul Fournel"] == roles["Michèle Audin"] == "editor"  # Oulipo
    assert roles["Etienne Lécroart"] == "illustrator"


@pytest.mark.parametrize(
    ("name", "formats"),
    [
        (
            "goodreads-sartak-bindings.csv",
            {
                "The Swift Programming Language": "ebook",  # iBook
                "Complete Works of William Shakespeare": "hardcover",  # Leather Bound
                "バトル・ロワイアル": "paperback",  # 新書
                "アンドロイドは電気羊の夢を見るか? [Andoroido wa denkihitsuji no yume o miruka?]": (
                    "paperback"  # 文庫
                ),
                "1Q84": "hardcover",  # Tankobon Hardcover
                "On Lisp": "paperback",  # Perfect Paperback
            },
        ),
        (
            "goodreads-pbayer-bindings.csv",
            {
                "IBM and the Holocaust": "paperback",  # Capa comum
                "Perfectly Reasonable Deviations from the Beaten Track": "hardcover",  # cloth
            },
        ),
        (
            "librarything-aipotu-cartonne.tsv",
            {"La Voie du Tarot": "hardcover", "Quai d'Orsay, tome 2": "hardcover"},  # Cartonné
        ),
        (
            "goodreads-argv1-bindings.csv",
            {
                "Hass. Macht. Gewalt.": "ebook",  # kindle_edition, Goodreads' own code
                "Esst Echtes Essen!": "paperback",  # Klappenbroschur
                "Krabat": "paperback",  # Broschiert
            },
        ),
        (
            "goodreads-erinbecker-bindings.csv",
            {"Men Ghosts": "hardcover", "Search for Senna": "mass_market"},  # `mass_market`
        ),
        (
            "goodreads-adcalvoval-pocket-book.csv",
            {"L'émouvante et singulière histoire du dernier des lecteurs": "paperback"},
        ),
        (
            "goodreads-davidpolido-bindings.csv",
            {"Made in America": "paperback", "A Águia de Sangue": "paperback"},  # Capa Mole
        ),
        (
            "goodreads-loreabad6-pasta-blanda.csv",
            {"Las venas abiertas de América Latina": "paperback"},
        ),
        # A binding that names a format with more words.
        (
            "goodreads-vss245-bindings.csv",
            {
                "Sun and Steel": "paperback",  # Paperback, Paper Dust Jacket
                "The Absolute Sandman, Volume One": "hardcover",  # Slipcased Hardcover
            },
        ),
        (
            "goodreads-afelka-hardcover-slipcase.csv",
            {"J.R.R. Tolkien'den Hobbit Resimleri": "hardcover"},
        ),
    ],
)
@pytest.mark.django_db
def test_real_bindings_that_name_a_format_are_stored_as_it(name, formats):
    """Each of these bindings was stored as "other" with an "Unrecognized format" warning
    (Goodreads), or as no format at all (LibraryThing's Publication `…, Cartonné`)."""
    job = import_real(name)
    stored = dict(Edition.objects.values_list("work__title", "format"))
    assert stored == formats
    assert not job.rows.exclude(messages=[]).exists()


@pytest.mark.django_db
def test_an_unknown_author_makes_no_author():
    """Goodreads writes `Unknown` (Beowulf, translated by Tolkien) and numbered placeholders
    (`Unknown Author 493`): each made an author of that name, one "Unknown" for every book
    whose author nobody knows. They are read as an empty Author cell is."""
    job = import_real("goodreads-pbayer-unknown-author.csv")
    job_2 = import_real("goodreads-sartak-unknown-author.csv")
    assert job.created_count + job_2.created_count == 3
    assert not Author.objects.filter(name__istartswith="unknown").exists()
    beowulf = Work.objects.get(title="Beowulf")
    assert list(beowulf.credits.values_list("author__name", "role")) == [
        ("J.R.R. Tolkien", "contributor"),
        ("Christopher Tolkien", "contributor"),
    ]
    assert not WorkAuthor.objects.exclude(work=beowulf).exists()


@pytest.mark.django_db
def test_an_organisation_credited_as_author_sorts_by_its_name():
    """Goodreads' Author l-f takes an organisation's last word for its surname: `Inc., Apple`,
    `Magazine, Mangajin`, `Review, Harvard Business` (21 rows of three files). People whose
    surname is such a word (`Press, William H.`, `Church, George M.`) keep theirs."""
    for name in (
        "goodreads-sartak-organisations.csv",
        "goodreads-ayyucedemirbas-organisations.csv",
        "goodreads-pbayer-people-named-press-and-church.csv",
    ):
        import_real(name)
    first_credited = Author.objects.filter(credits__position=0)
    assert dict(first_credited.values_list("name", "sort_name")) == {
        "Apple Inc.": "Apple Inc.",
        "Mangajin Magazine": "Mangajin Magazine",
        "Harvard Business Review": "Harvard Business Review",
        "Express Publishing": "Express Publishing",
        "George M. Church": "Church, George M.",
        "William H. Press": "Press, William H.",
    }


@pytest.mark.django_db
def test_various_authors_make_no_author():
    """Goodreads credits its year-in-review books to `Various` (Author l-f `Various, Various`)
    and a French LibraryThing credits anthologies and dictionaries to `Collectif` (21 of 1,292
    rows): each made one author of that name, credited with every such book."""
    goodreads = import_real("goodreads-pbayer-various.csv")
    librarything = import_real("librarything-aipotu-collectif.tsv")
    assert goodreads.created_count + librarything.created_count == 3
    assert not Author.objects.exists() and not WorkAuthor.objects.exists()
    assert not ImportRow.objects.exclude(messages=[]).exists()
    atlas = Edition.objects.get(isbn13="9782092900307")  # still read whole: only no author
    assert (atlas.work.title, atlas.publisher) == ("Atlas de la prehistoire", "Nathan")


@pytest.mark.django_db
def test_a_title_written_with_its_article_last_is_the_same_book_as_with_it_first():
    """Book Catalogue writes `Bell Jar, The`; the same person's Goodreads export `The Bell
    Jar`, without an ISBN: found by title and author, one work."""
    first = import_real(
        "bookcatalogue-mousereeve-article-last.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "author_details", "isbn": "isbn"},
    )
    assert first.created_count == 1
    work = Work.objects.get()
    assert work.title == "Bell Jar, The"  # as the librarian's file spells it

    second = import_real("goodreads-mousereeve-article-first.csv")

    assert (second.created_count, second.updated_count + second.duplicate_count) == (0, 1)
    assert Work.objects.get() == work
    assert second.rows.get().matched_by == ImportRow.MatchedBy.TITLE_AUTHOR


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_their_article_last_the_new_key():
    migration = importlib.import_module("catalog.migrations.0024_title_keys_front_article")
    last = make_work("Bell Jar, The", authors=["Sylvia Plath"])
    garp = make_work("Monde selon Garp (le)", authors=["John Irving"])
    other = make_work("Eats, Shoots and Leaves", authors=["Lynne Truss"])
    # As the earlier rule keyed them.
    Work.objects.filter(pk=last.pk).update(title_normalized="bell jar the")
    Work.objects.filter(pk=garp.pk).update(title_normalized="monde selon garp le")

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {
        last.pk: "the bell jar",
        garp.pk: "le monde selon garp",
        other.pk: "eats shoots and leaves",
    }


@pytest.mark.django_db
def test_a_cell_listing_several_series_gives_each_with_its_number():
    """Book Catalogue's `Calvin and Hobbes (6)|Calvin et Hobbes (9)` was one series named
    `Calvin and Hobbes (6)|Calvin et Hobbes`, number 9."""
    import_real(
        "bookcatalogue-mousereeve-several-series.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "author_details", "series": "series_details"},
    )
    work = Work.objects.get()
    assert (work.series, work.series_number) == ("Calvin and Hobbes", "6")
    assert list(work.series_entries.values_list("name", "number", "position")) == [
        ("Calvin and Hobbes", "6", 0),
        ("Calvin et Hobbes", "9", 1),
    ]


@pytest.mark.django_db
def test_an_edition_statement_or_an_unknown_date_is_never_a_publisher():
    """LibraryThing's Publication `(date?), Edition: French, Paperback` gave the publisher
    "Edition: French"; `Les Editions de Minuit, Edition: MINUIT, …` "Edition: MINUIT"."""
    import_real("librarything-aipotu-edition-statements.tsv")
    assert dict(Edition.objects.values_list("work__title", "publisher")) == {
        "En Attendant Godot": "Editions De Minuit",
        "Journal d'un Cure de Campagne": "",
        "L'affaire du chien des Baskerville": "Les Editions de Minuit",
    }
    assert set(Edition.objects.values_list("format", flat=True)) == {"paperback", "mass_market"}


@pytest.mark.django_db
def test_a_japanese_name_sorts_by_its_family_name_which_comes_first():
    """Goodreads takes a name's last word for the surname, also in `小松 左京` (Komatsu Sakyō,
    family name first): its `左京, 小松` sorted him by his given name. A foreign name in
    katakana (`フランク ハーバート`, Frank Herbert) is given name first: Goodreads is right."""
    import_real("goodreads-sartak-japanese-names.csv")
    assert dict(Author.objects.values_list("name", "sort_name")) == {
        "小松 左京": "小松, 左京",
        "山田 正紀": "山田, 正紀",
        "フランク ハーバート": "ハーバート, フランク",
        "矢野 徹": "",  # his translator, among Additional Authors: Goodreads gives no sort name
    }


@pytest.mark.django_db
def test_a_japanese_name_spelled_with_and_without_a_space_is_one_author():
    """One Goodreads export writes `小松 左京` and `小松左京`, `矢野 徹` and `矢野徹`: each was
    created twice, and a later book by either spelling found only one of them."""
    import_real("goodreads-sartak-japanese-names-with-and-without-a-space.csv")
    credited = dict(
        WorkAuthor.objects.values_list("work__title", "author__name").order_by("work__title")
    )
    assert Author.objects.count() == 3
    assert credited["日本沈没（上）"] == credited["果しなき流れの果に"] == "小松 左京"


def import_synthetic(data: str, filename: str) -> None:
    """A two-column file, mapped: title and author."""
    job = services.import_job_create(
        data=data.encode(),
        filename=filename,
        enrich=False,
        requested_format="generic",
        column_map={"title": "Title", "author": "Author"},
    )
    services.import_job_run(job=job)


@pytest.mark.django_db
def test_the_migration_gives_stored_cjk_names_one_key_and_turns_a_name_read_the_western_way():
    migration = importlib.import_module("catalog.migrations.0031_author_keys_cjk_names")
    # A sorted cell (synthetic), which an import before read given name first: `遼太郎 司馬`.
    import_synthetic('Title,Author\n竜馬がゆく,"司馬, 遼太郎"\n', "synthetic-sorted.csv")
    Author.objects.update(name="遼太郎 司馬", name_normalized="遼太郎 司馬")
    swapped = Author.objects.get()
    # Goodreads writes the name rightly, and its Author l-f turned around (`たかを, さいとう`),
    # which an import before kept as the sort name: the name stays.
    import_real("goodreads-sartak-legacy-family-name-in-hiragana.csv", lines=slice(0, 1))
    saito = Author.objects.get(name="さいとう たかを")
    Author.objects.filter(pk=saito.pk).update(
        sort_name="たかを, さいとう", name_normalized="さいとう たかを"
    )
    spaced = Author.objects.create(name="小松 左京")
    unspaced = Author.objects.create(name="小松左京")
    Author.objects.filter(pk=spaced.pk).update(name_normalized="小松 左京")
    latin = Author.objects.create(name="Sakyo Komatsu")

    migration.recompute_keys(django_apps, None)

    stored = {a.pk: (a.name, a.name_normalized) for a in Author.objects.all()}
    assert stored == {
        swapped.pk: ("司馬遼太郎", "司馬遼太郎"),
        saito.pk: ("さいとう たかを", "さいとうたかを"),
        # Two authors coming to share a key stay two: nothing is merged unasked.
        spaced.pk: ("小松 左京", "小松左京"),
        unspaced.pk: ("小松左京", "小松左京"),
        latin.pk: ("Sakyo Komatsu", "sakyo komatsu"),
    }
    # An import of his name as every source writes it finds him (a synthetic file).
    import_synthetic("Title,Author\n坂の上の雲,司馬遼太郎\n", "synthetic-shiba.csv")
    assert WorkAuthor.objects.get(work__title="坂の上の雲").author_id == swapped.pk


@pytest.mark.django_db
def test_a_row_whose_every_cell_holds_one_value_fails_instead_of_matching_a_book():
    """154 rows of one export hold `400354` in every cell, Men at Arms' Goodreads id: found by
    that id, each was recorded as a duplicate of it, "title '400354' by 400354"."""
    job = import_real("goodreads-aleks-one-value-rows.csv")
    assert (job.created_count, job.duplicate_count, job.failed_count) == (1, 0, 1)
    failed = job.rows.get(status=ImportRow.Status.FAILED)
    assert failed.line_number == 3
    assert failed.error.startswith("Every cell of this row holds the same value (“400354”)")
    assert Work.objects.get().title == "Men at Arms"


@pytest.mark.django_db
def test_a_given_name_after_a_sorted_name_takes_its_surname():
    """Book Catalogue's author_details `…|Hitchens, P. G. Wodehouse and Christopher|…` and
    `Gaiman, Neil|VESS, NEIL GAIMAN AND CHARLES`: the surname written once is the second
    person's too, not a one-word author `Christopher` or `CHARLES`."""
    import_real(
        "bookcatalogue-mousereeve-shared-surname.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "author_details", "isbn": "isbn"},
    )
    names = set(Author.objects.values_list("name", flat=True))
    assert {"Christopher Hitchens", "CHARLES VESS"} <= names
    assert not [name for name in names if len(name.split()) == 1]
    stardust = Work.objects.get(title="Stardust")
    assert "CHARLES VESS" in [c.author.name for c in stardust.credits.all()]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "author"),
    [
        ("goodreads-bsanser-firm-with-ampersand.csv", "McKinsey & Company Inc."),
        ("goodreads-eeeurico-pair-credited-together.csv", "Robby & Marc. Herbst"),
    ],
)
def test_a_mapped_author_cell_whose_ampersand_is_inside_one_name_makes_one_author(name, author):
    """A mapped Author cell `McKinsey & Company Inc.` is one firm and `Robby & Marc. Herbst` one
    credit, where they made the authors `McKinsey` and `Company Inc.`, `Robby` and `Marc.
    Herbst`: a ` & ` beside a one-word name is inside one name."""
    import_real(name, requested_format="generic", column_map={"title": "Title", "author": "Author"})
    assert list(Author.objects.values_list("name", flat=True)) == [author]


# BookBuddy's export, read through the map import_books guesses from its header.


@pytest.mark.django_db
def test_an_audiobooks_count_of_discs_or_hours_is_not_its_page_count():
    """Goodreads' Number of Pages of an audiobook counts its discs or hours: `Audio CD, 14`,
    `Audio CD, 16` (another export gives the same edition 592, the printed book's), `Audible
    Audio, 6`, `Audiobook, 9`, stored as 14, 16, 6 and 9 pages. A printed book and an e-book
    keep theirs; an audiobook without a number has nothing to say."""
    job = import_real("goodreads-dalager-audiobook-page-counts.csv")
    assert (job.created_count, job.failed_count) == (7, 0)
    pages = dict(Edition.objects.values_list("work__title", "page_count"))
    assert pages == {
        "Le Mage du Kremlin": 288,
        "When We Cease to Understand the World": 193,
        "Du ved ingenting om døden": None,
        "Half a War": None,
        "Principles": None,
        "No Calculator, No Problem! Mastering Mental Math": None,
        "Grit": None,
    }
    warned = dict(job.rows.exclude(messages=[]).values_list("line_number", "messages"))
    assert sorted(warned) == [5, 6, 7, 8]
    assert "16" in warned[6][0] and "audiobook" in warned[6][0]


@pytest.mark.django_db
def test_a_name_ending_in_a_parenthesis_sorts_by_the_name_before_it():
    """Goodreads turns `Culadasa (John Yates)` (a teacher's name, then his own) at its last
    space, inside the parenthesis: `Author l-f` `Yates), Culadasa (John`, stored as his sort
    name."""
    import_real("goodreads-dalager-name-with-parenthesis.csv")
    assert Author.objects.get(name="Culadasa (John Yates)").sort_name == "Culadasa (John Yates)"


@pytest.mark.django_db
def test_the_map_guessed_for_a_reading_log_leaves_its_year_read_unmapped():
    """A reading log's `Year` beside its `DateRead` is the year the book was read: the map
    import_books suggested (`year=Year`) dated The Divine Comedy and Aesop's Fables 2016 and
    2015. A column named for the publication year is still guessed."""
    path = str(REAL / "reading-log-lorenacec-year-read.csv")
    with pytest.raises(CommandError, match="--map") as refused:
        run_command(path)
    [suggested] = shlex.split(str(refused.value).split("--map ", 1)[1].split(" (guessed", 1)[0])
    assert parse_column_map(suggested) == {
        "title": "Title",
        "author": "Author",
        "pages": "NumberOfPages",
    }
    result = json.loads(run_command(path, "--map", suggested, "--json", "--no-enrich"))
    assert (result["created"], result["failed"]) == (3, 0)
    assert not Edition.objects.filter(publication_date__isnull=False).exists()
    assert Edition.objects.get(work__title="The Divine Comedy").page_count == 798
    header = ["Title", "Author", "Year Published", "Date Read"]
    assert guess_column_map(header)["year"] == "Year Published"


@pytest.mark.django_db
def test_an_html_entity_left_in_a_cell_is_read_as_its_character():
    """Goodreads writes `Brinkmann &amp; Bose` (and, in another export, `Kiepenheuer &amp;
    Witsch`, a publisher it writes with `&` 38 times in the same file): stored with `&amp;`, the
    same publisher was two."""
    import_real("goodreads-evilsocket-html-entity.csv")
    assert Edition.objects.get().publisher == "Brinkmann & Bose"


@pytest.mark.django_db
def test_the_map_guessed_beside_a_binding_and_an_original_year_reads_the_editions_own():
    """A file its owner made of a Goodreads export has `Binding` (Paperback, Hardcover, Kindle
    Edition, Audible Audio) and `Format` (Physical, Digital, Audiobook): the suggested map read
    Format, so 158 of its 179 books were "other" with a warning; and it took `Original
    Publication Year` for the edition's year (Thinking, Fast and Slow's Penguin paperback dated
    2011)."""
    path = str(REAL / "goodreads-derived-samkgormley-binding-and-format.csv")
    with pytest.raises(CommandError, match="--map") as refused:
        run_command(path)
    [suggested] = shlex.split(str(refused.value).split("--map ", 1)[1].split(" (guessed", 1)[0])
    column_map = parse_column_map(suggested)
    assert (column_map["format"], "year" in column_map) == ("Binding", False)
    result = json.loads(run_command(path, "--map", suggested, "--json", "--no-enrich"))
    assert (result["created"], result["rows_with_warnings"]) == (4, 0)
    formats = dict(Edition.objects.values_list("work__title", "format"))
    assert formats == {
        "Thinking, Fast and Slow": "paperback",
        "This Is Going to Hurt": "audiobook",
        "The Better Angels of Our Nature": "ebook",
        "Bad Blood": "hardcover",
    }
    assert not Edition.objects.filter(publication_date__isnull=False).exists()


@pytest.mark.django_db
def test_a_files_dates_written_day_first_read_day_first_where_either_order_could():
    """A Goodreads export saved again by a spreadsheet writes `17/02/2023`, so its `10/02/2023`
    is the 10th of February too: it was left out with a warning on each such row ("can be read
    day first or month first"), 268 of the real file's 727 rows. The order is learnt from the
    file's own dates that show one."""
    job = import_real("goodreads-20iuh20hug-day-first-dates.csv")
    rows = {row.line_number: row for row in job.rows.all()}
    assert rows[4].normalized["date_added"] == "2023-02-10"
    assert rows[7].normalized["date_added"] == "2023-01-03"
    assert rows[11].normalized["date_added"] == "2022-12-07"
    assert rows[2].normalized["date_added"] == "2023-02-17"
    assert not any("day first or month first" in m for r in rows.values() for m in r.messages)
    # A retry of its failed rows, or a row corrected and re-run, reads them in the same order.
    assert failed_rows.importer_for_job(job).date_order == DAY_FIRST


@pytest.mark.django_db
def test_a_file_whose_dates_show_both_orders_guesses_neither():
    """One row day first (`17/02/2023`), one month first (`2/17/2023`): the file shows no one
    order, so a date either could read (`10/02/2023`) is still left out with the warning."""
    data = (REAL / "goodreads-20iuh20hug-day-first-dates.csv").read_bytes()
    header, day_first, _second, ambiguous, *_rest = data.splitlines(keepends=True)
    month_first = day_first.replace(b"17/02/2023", b"2/17/2023")
    assert month_first != day_first and b"10/02/2023" in ambiguous
    job = services.import_job_create(
        data=header + day_first + month_first + ambiguous, filename="mixed.csv", enrich=False
    )
    services.import_job_run(job=job)
    line = job.rows.get(line_number=4)
    assert not line.normalized.get("date_added")
    assert any("day first or month first" in m for m in line.messages)

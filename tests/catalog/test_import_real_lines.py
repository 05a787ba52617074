"""What other people's real export lines make in the catalog (tests/fixtures/imports/real_shapes,
each file's source in its PROVENANCE.md): the books, authors and fields a librarian sees."""

import importlib
import json
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command

from catalog import services
from catalog.importers import read_csv
from catalog.importers.generic import format_column_map, guess_column_map, parse_column_map
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor
from tests.factories import make_work

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "real_shapes"


def import_real(name: str, *, lines: slice | None = None, **options) -> ImportJob:
    """Import the real file, or its header and the given record lines only."""
    data = (REAL / name).read_bytes()
    if lines is not None:
        header, *records = data.splitlines(keepends=True)
        data = header + b"".join(records[lines])
    job = services.import_job_create(data=data, filename=name, enrich=False, **options)
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMPLETED, job.error
    return job


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


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("import_books", *args, stdout=out)
    return out.getvalue()


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
BOOKBUDDY_OLD_MAP = {"title": "Title", "subtitle": "Subtitle", "author": "Author", "isbn": "ISBN"}
BOOKBUDDY_MAP = {**BOOKBUDDY_OLD_MAP, "year": "Year Published", "language": "Language"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "column_map", "people"),
    [
        ("bookbuddy-fusiongyro-two-names-with-initials.csv", BOOKBUDDY_OLD_MAP,
         {"9780071413589": ["Michael Predko", "Myke Predko"],
          "9780596001841": ["Jesse Tilly", "Eric M. Burke"]}),
        ("bookbuddy-armandocouto-two-names-with-initials.csv", BOOKBUDDY_MAP,
         {"9788575225462": ["Alan A. A. Donovan", "Brian W. Kernighan"]}),
    ],
)  # fmt: skip
def test_two_whole_names_with_middle_initials_are_two_authors(name, column_map, people):
    """BookBuddy lists a book's authors as whole names between commas, `Jesse Tilly, Eric M.
    Burke`: two people, not one `Eric M. Burke Jesse Tilly` sorted under `Jesse Tilly`."""
    import_real(name, requested_format="generic", column_map=column_map)
    for isbn13, names in people.items():
        work = Edition.objects.get(isbn13=isbn13).work
        credits = work.credits.order_by("position").select_related("author")
        assert [(c.author.name, c.author.sort_name) for c in credits] == [(n, "") for n in names]


@pytest.mark.django_db
def test_two_people_joined_by_another_languages_and_are_two_authors_a_surnames_halves_one():
    """BookBuddy on a Portuguese phone joins two authors with `e`: `Steve Anderson e Karen
    Anderson` was one author of that name. A surname that holds the word (`João Céu e Silva`,
    `José Ortega y Gasset`, `Niklas Natt och Dag`, `Jordi Sierra i Fabra`, in other people's
    Goodreads files read with the same map) stays one person."""
    import_real(
        "bookbuddy-armandocouto-two-people-joined-by-e.csv",
        requested_format="generic",
        column_map=BOOKBUDDY_MAP,
    )
    for name in (
        "goodreads-argv1-conjunction-inside-a-surname.csv",
        "goodreads-ayyucedemirbas-conjunction-inside-a-surname.csv",
        "goodreads-carlosperezzz-conjunction-inside-a-surname.csv",
    ):
        import_real(
            name, requested_format="generic", column_map={"title": "Title", "author": "Author"}
        )
    credited = {
        work.title: [c.author.name for c in work.credits.order_by("position")]
        for work in Work.objects.prefetch_related("credits__author")
    }
    assert credited == {
        "As Cartas de Bezos": ["Steve Anderson", "Karen Anderson"],
        "Product Backlog Building": ["Fábio Aguiar", "Paulo Caroli"],
        "Uma Longa Viagem com António Lobo Antunes": ["João Céu e Silva"],
        "The Revolt of the Masses": ["José Ortega y Gasset"],
        "1793": ["Niklas Natt och Dag"],
        "No fotografíes soldados llorando": ["Jordi Sierra i Fabra"],
    }


@pytest.mark.django_db
def test_a_goodreads_name_whose_family_name_is_in_hiragana_sorts_by_it():
    """Goodreads takes the last word of `さいとう たかを` (Saitō Takao, family name first,
    written in hiragana) for his surname, `たかを, さいとう`, as it does in kanji: he sorted by
    his given name, where `小松 左京` already sorted by his family name."""
    import_real("goodreads-sartak-legacy-family-name-in-hiragana.csv")
    sort_names = dict(Author.objects.values_list("name", "sort_name"))
    assert {
        name: sort_names[name] for name in ("さいとう たかを", "ほった ゆみ", "たかや 健二")
    } == {
        "さいとう たかを": "さいとう, たかを",
        "ほった ゆみ": "ほった, ゆみ",
        "たかや 健二": "たかや, 健二",
    }


@pytest.mark.django_db
def test_a_language_named_in_the_apps_portuguese_is_kept():
    """BookBuddy on a Portuguese phone names languages in Portuguese (`português`, `inglês`,
    `híndi`): each edition gets the language's code, where the cell was dropped."""
    import_real(
        "bookbuddy-armandocouto-language-in-portuguese.csv",
        requested_format="generic",
        column_map=BOOKBUDDY_MAP,
    )
    languages = dict(Edition.objects.values_list("isbn13", "language"))
    assert languages == {"9788576846246": "pt", "9788566250992": "en", "9786555203202": "hi"}


@pytest.mark.django_db
def test_the_map_suggested_for_a_zotero_export_reads_a_books_page_count():
    """Zotero's `Pages` is the pages an article or chapter spans (`592-594`), `Num Pages` a
    book's page count (`190`, `xii, 300` with its front matter): the suggested map reads the
    count, where it took `Pages` and every book's count was lost (the article, which is no
    book, is not imported)."""
    path = str(REAL / "zotero-krishardy-page-range-and-count.csv")
    with pytest.raises(CommandError, match="--map") as refused:
        run_command(path)
    [suggested] = shlex.split(str(refused.value).split("--map ", 1)[1].split(" (guessed", 1)[0])
    assert "pages=Num Pages" in suggested.split(",")
    run_command(path, "--map", suggested, "--no-enrich")
    pages = dict(Work.objects.values_list("title", "editions__page_count"))
    assert pages == {
        "The Archaeology of Class in Urban America": 190,
        "Indians in Unexpected Places": 300,
    }


@pytest.mark.django_db
def test_names_in_japanese_script_listed_with_a_comma_are_several_people():
    """A Kindle library list credits `ルーツ, Piyo` and `芥見下々, 岩崎優次`: two people each
    (a name in Japanese script is never turned around at a comma: its family name comes first
    already), not one `Piyo ルーツ` sorted under `ルーツ`."""
    import_real(
        "kindle-stopod-japanese-names-listed.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "authors"},
    )
    credited = {
        work.title: [(c.author.name, c.author.sort_name) for c in work.credits.order_by("position")]
        for work in Work.objects.prefetch_related("credits__author")
    }
    assert credited == {
        "お兄ちゃんはおしまい！": [("ねことうふ", "")],
        "てーきゅう 15": [("ルーツ", ""), ("Piyo", "")],
        "呪術廻戦≡（モジュロ） 1": [("芥見下々", ""), ("岩崎優次", "")],
    }


@pytest.mark.django_db
def test_the_map_suggested_for_a_kindle_list_keeps_its_asins_and_a_reimport_finds_the_books():
    """A Kindle library list's only identifier is its `asin` column: the suggested map reads
    it, so each edition keeps its ASIN and importing the list again finds the books by it."""
    path = str(REAL / "kindle-stopod-japanese-names-listed.csv")
    with pytest.raises(CommandError, match="--map") as refused:
        run_command(path)
    [suggested] = shlex.split(str(refused.value).split("--map ", 1)[1].split(" (guessed", 1)[0])
    run_command(path, "--map", suggested, "--no-enrich")
    assert sorted(Edition.objects.values_list("asin", flat=True)) == [
        "B079L4LDVS",
        "B07DXHPJFV",
        "B0G4VCK3FF",
    ]
    again = json.loads(run_command(path, "--map", suggested, "--json", "--no-enrich"))
    assert (again["created"], again["failed"]) == (0, 0)
    assert set(
        ImportRow.objects.filter(job_id=again["job"]).values_list("matched_by", flat=True)
    ) == {ImportRow.MatchedBy.ASIN}


@pytest.mark.django_db
def test_a_subtitle_cell_that_writes_the_title_again_gives_only_what_follows_it():
    """The Bookshelf app's Subtitle often holds the whole title again (38 of its 206 filled
    subtitles in a real export): `Chain of Thorns` / `Chain of Thorns`, or with the series,
    `Lady Midnight (the Dark Artifices)`; the title is not repeated as its own subtitle, and
    a real subtitle after it is kept (`…: An Eclipse Novella`), as is a subtitle of its own
    (`A Novel`) and one whose rest is no subtitle (`The Smoke Thieves [apr 30, 2018] …`)."""
    import_real(
        "bookshelf-spacecupcake1-subtitle-repeats-title.csv",
        requested_format="generic",
        column_map={"title": "Title", "subtitle": "Subtitle", "author": "Authors",
                    "isbn": "ISBN", "series": "Series", "series_number": "Volume"},
    )  # fmt: skip
    assert dict(Work.objects.values_list("title", "subtitle")) == {
        "Chain of Thorns": "",
        "Lady Midnight": "",
        "Red, White & Royal Blue": "A Novel",
        "The Short Second Life of Bree Tanner": "An Eclipse Novella",
        "The Smoke Thieves": "The Smoke Thieves [apr 30, 2018] Green, Sally",
    }


@pytest.mark.django_db
def test_a_publisher_wrapped_in_its_own_quotes_is_stored_without_them():
    """Google Books names O'Reilly `"O'Reilly Media, Inc."`, quotes included, and apps that
    fill a book from it (BookBuddy: 8 rows of two real exports) export the quotes too."""
    import_real(
        "bookbuddy-fusiongyro-two-names-with-initials.csv",
        requested_format="generic",
        column_map={**BOOKBUDDY_OLD_MAP, "publisher": "Publisher"},
    )
    publishers = dict(Edition.objects.values_list("isbn13", "publisher"))
    assert publishers == {
        "9780071413589": "McGraw Hill Professional",
        "9780596001841": "O'Reilly Media, Inc.",
    }


@pytest.mark.django_db
def test_the_map_suggested_for_a_zotero_export_credits_its_editors():
    """23 of the 676 books of a real Zotero export name only editors (`Wescott, Konnie`), and
    others an author and an editor: the suggested map reads the Editor column, so each is
    credited as editor, where those books were left with no one."""
    path = str(REAL / "zotero-krishardy-editors.csv")
    with pytest.raises(CommandError, match="--map") as refused:
        run_command(path)
    [suggested] = shlex.split(str(refused.value).split("--map ", 1)[1].split(" (guessed", 1)[0])
    run_command(path, "--map", suggested, "--no-enrich")
    credited = {
        work.title: [(c.author.name, c.role) for c in work.credits.order_by("position")]
        for work in Work.objects.prefetch_related("credits__author")
    }
    assert credited == {
        "GIS and archaeological site location modeling": [("Konnie Wescott", "editor")],
        "Hispano Folklife in New Mexico": [
            ("Charles Briggs", "editor"),
            ("Marta Weigle", "editor"),
        ],
        "The Excavation of the Cortez CO2 Pipeline Project Sites, 1982-1983": [
            ("Michael P. Marshall", "author"),
            ("Joseph C. Winter", "editor"),
        ],
    }


@pytest.mark.django_db
def test_the_map_suggested_for_a_zotero_export_leaves_out_the_items_that_are_not_books():
    """Only 676 of a real Zotero export's 2,911 items are books: its Item Type says which
    (`journalArticle`, `bookSection`, `webpage`, `conferencePaper`, `film`). The suggested map
    reads it, and each item that is not a book fails alone saying what it is, where every one
    was imported as a book; a thesis and a report (monographs, shelved as books) are imported."""
    path = str(REAL / "zotero-krishardy-item-types.csv")
    with pytest.raises(CommandError, match="--map") as refused:
        run_command(path)
    [suggested] = shlex.split(str(refused.value).split("--map ", 1)[1].split(" (guessed", 1)[0])
    assert "kind=Item Type" in suggested.split(",")
    summary = json.loads(run_command(path, "--map", suggested, "--no-enrich", "--json"))
    assert (summary["created"], summary["failed"], summary["not_books"]) == (3, 5, 5)
    assert summary["not_books_by_kind"] == {
        "book section": 1,
        "conference paper": 1,
        "film": 1,
        "journal article": 1,
        "webpage": 1,
    }
    assert sorted(Work.objects.values_list("title", flat=True)) == [
        "Archaeological Investigations of the River Bluffs Open Space, Windsor, Colorado",
        "Archaeological Mitigation Handicapped Access Trail at Chimney Rock Archaeological Area",
        "Painted Ceramics of the Western Mound at Awatovi",
    ]
    refused_rows = ImportRow.objects.filter(status=ImportRow.Status.FAILED)
    assert dict(refused_rows.values_list("line_number", "error")) == {
        2: "Item Type says this is a journal article, not a book; it was not imported.",
        4: "Item Type says this is a book section (a chapter), not a book; it was not imported.",
        7: "Item Type says this is a web page, not a book; it was not imported.",
        8: "Item Type says this is a conference paper, not a book; it was not imported.",
        9: "Item Type says this is a film, not a book; it was not imported.",
    }


@pytest.mark.django_db
def test_the_map_guessed_for_project_gutenbergs_catalog_leaves_out_what_is_no_book():
    """Project Gutenberg's catalog CSV says each item's Dublin Core Type: a Text is a book; a
    Dataset (`Pi`), images and a film (`Motion Pictures of the Apollo 11 Lunar Landing`) and a
    Sound recording fail alone saying what they are, where each was imported as a book; a
    kind it does not know (`Collection`) is imported, with a warning naming it."""
    name = "gutenberg-catalog-sagekhan-types.csv"
    header = read_csv((REAL / name).read_bytes()).header
    column_map = guess_column_map(header)
    assert column_map["kind"] == "Type"
    job = import_real(name, requested_format="generic", column_map=column_map)
    assert (job.created_count, job.failed_count) == (2, 5)
    assert services.import_job_not_books(job) == {
        "dataset": 1,
        "image": 1,
        "moving image": 1,
        "sound": 1,
        "still image": 1,
    }
    rows = {row.line_number: row for row in job.rows.all()}
    assert {line: row.error for line, row in rows.items() if row.error} == {
        3: "Type says this is a dataset, not a book; it was not imported.",
        4: "Type says this is an image, not a book; it was not imported.",
        5: "Type says this is a film, not a book; it was not imported.",
        7: "Type says this is a sound recording, not a book; it was not imported.",
        8: "Type says this is an image, not a book; it was not imported.",
    }
    assert rows[2].messages == []
    assert rows[6].messages == [
        "Type 'Collection' is not a kind of item we know; it was imported as a book."
    ]
    assert sorted(Work.objects.values_list("title", flat=True)) == [
        "The Declaration of Independence of the United States of America",
        "The Project Gutenberg Web Pages",
    ]

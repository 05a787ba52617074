"""What real exports of apps without a reader of their own make in the catalog through the
column map import_books suggests (BookBuddy, Zotero, a Kindle list, the Bookshelf app, Project
Gutenberg's catalog), and names written in other languages' shapes (tests/fixtures/imports/
real_shapes, each file's source in its PROVENANCE.md)."""

import json
import shlex

import pytest
from django.core.management import CommandError

from catalog import services
from catalog.importers import read_csv
from catalog.importers.generic import guess_column_map
from catalog.models import Author, Edition, ImportRow, Work
from tests.catalog.real_lines import REAL, import_real, run_command

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


@pytest.mark.django_db
def test_the_bookshelf_apps_people_lists_and_roles_before_names_are_read():
    """The Bookshelf app joins a cell's people with a comma and no space, `Abigail
    Blackman,Mokumokuren` (one person, `Mokumokuren Abigail Blackman`, sorted under `Abigail
    Blackman`), `Tabuchi, Etsuko,Weitschies, Florian` (sort names, their own comma spaced), and
    writes a role before a name, `Da Feng Gua Guo,Translator: XiA` (one author, `Translator: XiA
    Da Feng Gua Guo`) and `Cang Wu Bin Bai,Translator: E. Danglars` (an author so named)."""
    path = str(REAL / "bookshelf-spacecupcake1-people-lists.csv")
    with pytest.raises(CommandError, match="--map") as refused:
        run_command(path)
    [suggested] = shlex.split(str(refused.value).split("--map ", 1)[1].split(" (guessed", 1)[0])
    result = json.loads(run_command(path, "--map", suggested, "--json", "--no-enrich"))
    assert (result["created"], result["failed"]) == (4, 0)
    credits = {
        work.title: [
            (c.author.name, c.author.sort_name, c.role)
            for c in work.credits.order_by("position").select_related("author")
        ]
        for work in Work.objects.all()
    }
    assert credits == {
        "Haikyu!! 12": [
            ("Haruichi Furudate", "", "author"),
            ("Etsuko Tabuchi", "Tabuchi, Etsuko", "translator"),
            ("Florian Weitschies", "Weitschies, Florian", "translator"),
        ],
        "Golden Terrace 1": [
            ("Cang Wu Bin Bai", "", "author"),
            ("E. Danglars", "", "translator"),
            ("Molly Rabbitt", "", "editor"),
        ],
        "The Summer Hikaru Died, Vol. 1": [
            ("Abigail Blackman", "", "author"),
            ("Mokumokuren", "", "author"),
            ("Ajani Oloye", "", "translator"),
        ],
        "Peach Blossom Debt": [
            ("Da Feng Gua Guo", "", "author"),
            ("XiA", "", "translator"),
            ("Demi Guo", "", "editor"),
        ],
    }


@pytest.mark.django_db
def test_an_organisation_credited_in_a_bookbuddy_export_keeps_its_name():
    """BookBuddy's Author `Dorling Kindersley, Inc.` (its `Author (Last, First)` turned at the
    last word, `Inc., Dorling Kindersley,`) is the firm, not a person `Inc. Dorling Kindersley`."""
    import_real(
        "bookbuddy-fusiongyro-organisation.csv",
        requested_format="generic",
        column_map=BOOKBUDDY_OLD_MAP,
    )
    assert list(Author.objects.values_list("name", "sort_name")) == [
        ("Dorling Kindersley, Inc.", "")
    ]


@pytest.mark.django_db
def test_an_organisation_credited_in_a_zotero_export_keeps_its_name():
    """Zotero's Author cell writes people `Last, First` and organisations as named, after a
    comma too: `Aero-Metric Engineering, Inc.`, `Human Systems Research, Inc` among `Shields,
    Helen B; Kirkpatrick, David T`. The firms are credited by their names, not as people turned
    around (`Inc. Aero-Metric Engineering`, sorted under `Aero-Metric Engineering`), and the
    people beside them still are."""
    import_real(
        "zotero-krishardy-organisations.csv",
        requested_format="generic",
        column_map={"title": "Title", "author": "Author", "kind": "Item Type"},
    )
    credited = {
        work.title[:20]: [(c.author.name, c.author.sort_name) for c in work.credits.all()]
        for work in Work.objects.prefetch_related("credits__author")
    }
    assert credited == {
        "Preliminary Analysis": [("Aero-Metric Engineering, Inc.", "")],
        "Valmont, an Early 19": [
            ("Helen B Shields", "Shields, Helen B"),
            ("David T Kirkpatrick", "Kirkpatrick, David T"),
            ("New Mexico", ""),
            ("Human Systems Research, Inc", ""),
        ],
        "New Mexico Project A": [
            ("Carol J Ellick", "Ellick, Carol J"),
            ("New Mexico", ""),
            ("Statistical Research, Inc", ""),
        ],
        "Chimney Rock Concept": [("Chambers Campbell Isaacson Chaplin, Inc.", "")],
    }

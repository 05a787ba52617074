"""What library catalogs, shop lists and collection sites people keep make in the catalog
through a column map (tests/fixtures/imports/real_shapes, each file's source in its
PROVENANCE.md): catalogers' phrasing in cells meant for people, years and names."""

import pytest

from catalog.importers.base import Credit
from catalog.importers.cells import split_people
from catalog.importers.generic import guess_column_map
from catalog.importers.librarything import people_in
from catalog.importers.publishers import publisher_credit, publisher_name
from catalog.importers.readers import with_named_author
from catalog.importers.surname_gap import writes_surname_first_with_gap
from catalog.models import Author, Edition
from tests.catalog.importer_formats_support import HEADERS, read, synthetic_file
from tests.catalog.real_lines import REAL, credits_by_title, import_real, run_command


@pytest.mark.django_db
def test_a_publisher_credited_among_the_people_is_the_books_publisher_not_a_person():
    """A library's catalog gives the publisher in its column of other people (`Published by
    Doubleday, Doran, and Company Inc.`, `(Published by) David McKay`): each became editors
    named `Published by Farrar`, `Straus`, `Cudahy` and `Inc.`. They name the publisher."""
    import_real(
        "collectionbuilder-welty-publisher-among-people.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    credited = credits_by_title("name", "role")
    assert credited == {
        "Stories by Jean Stafford, John Cheever, Daniel Fuchs, William Maxwell": [
            ("Stafford", "author")
        ],
        "Legion": [],
        "Thomas Jefferson's University": [],
        "The Pocket Shakespeare, Vol. 1": [("William Shakespeare", "author")],
    }
    assert not Author.objects.filter(name__icontains="published").exists()
    assert dict(Edition.objects.values_list("work__title", "publisher")) == {
        "Stories by Jean Stafford, John Cheever, Daniel Fuchs, William Maxwell": (
            "Farrar, Straus, Cudahy, Inc."
        ),
        "Legion": "Doubleday, Doran, and Company Inc.",
        "Thomas Jefferson's University": "Thomasson Grant",
        "The Pocket Shakespeare, Vol. 1": "David McKay",
    }


@pytest.mark.parametrize(
    ("cell", "publisher"),
    [
        ("Published by Algonquin Books of Chapel Hill", "Algonquin Books of Chapel Hill"),
        ("(Published by) H.P. Hanaford", "H.P. Hanaford"),
        ("Publisher: Gallimard", "Gallimard"),
        ("Publius", None),  # a person whose name starts so
        ("Publishers Weekly", None),
        ("Margaret Atwood", None),
    ],
)
def test_a_cell_crediting_a_publisher_gives_its_name(cell, publisher):
    assert publisher_credit(cell) == publisher


def test_a_publisher_cell_with_the_catalogs_words_is_the_publishers_name():
    assert publisher_name("Published by T. Fisher Unwin, Ltd.") == "T. Fisher Unwin, Ltd."


@pytest.mark.django_db
def test_a_catalogs_year_with_its_copyright_year_dates_the_edition_and_the_work():
    """A library catalog's date gives the printing's year, then the text's copyright year
    (`1979, c1969.`, `[1973, c1925]`): the map import_books suggested left the date column out,
    and mapped, the copyright year was lost. The edition is of 1979, the work first published in
    1969."""
    header = (REAL / "collectionbuilder-welty-copyright-years.csv").read_text().splitlines()[0]
    column_map = guess_column_map(header.split(","))
    assert column_map["year"] == "date"
    import_real(
        "collectionbuilder-welty-copyright-years.csv",
        requested_format="generic",
        column_map=column_map,
    )
    years = {
        title: (edition_year, work_year)
        for title, edition_year, work_year in Edition.objects.values_list(
            "work__title", "publication_date__year", "work__first_published_year"
        )
    }
    assert years == {
        "The Collected Stories of Katherine Anne Porter": (1979, 1969),
        "The Professor's House": (1973, 1925),
        "The Widow and the Parrot": (1988, 1982),
        "Women in Love": (1970, 1965),  # `1970 [c1965]`
        "Golden Ashes": (1965, 1940),  # `1965, c.1940`
    }


@pytest.mark.parametrize(
    ("header", "year_column"),
    [
        (["title", "creator", "date", "subject"], "date"),  # Dublin Core
        (["title", "author", "date", "rating"], None),  # a reading log's day read
        (["title", "creator", "date", "date read"], None),
    ],
)
def test_a_date_column_is_guessed_as_the_year_only_beside_dublin_cores_creator(header, year_column):
    assert guess_column_map(header).get("year") == year_column


@pytest.mark.django_db
def test_a_self_titled_zine_whose_title_author_and_publisher_are_one_name_imports():
    """A book café's list holds zines named after themselves (`BOSHU` by BOSHU, published by
    BOSHU, its category `매거진`, "magazine"): each failed as a row every read cell of which is
    one value, as a spreadsheet's fill is. Its other cells say it is a book of the list."""
    job = import_real(
        "readinglist-doingbooks-self-titled-zines.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "authors", "publisher": "publisher"},
    )
    assert (job.created_count, job.failed_count) == (3, 0)
    assert sorted(
        Edition.objects.values_list("work__title", "work__credits__author__name", "publisher")
    ) == [
        ("BOSHU", "BOSHU", "BOSHU"),
        ("여성다시읽기", "여성다시읽기", "여성다시읽기"),
        ("여행여락", "여행여락", "여행여락"),
    ]


HUDSON = "library-hudsonstreet-first-and-last-name-columns.csv"
HUDSON_HEADER = (REAL / HUDSON).read_text().splitlines()[0].split(",")


def _authors() -> dict[str, list[tuple[str, str]]]:
    return credits_by_title("name", "sort_name", role="author")


HUDSON_AUTHORS = {
    "The Brooklyn Rail": [("Richard Serra", "Serra, Richard")],
    "SISTERS": [],  # `Various` / `Contributors`
    "Kiyosato Museum Of Contemporary Art Archive I": [("Kiyosato Museum of Contemporary Art", "")],
    "New York": [("William Klein", "Klein, William")],
    "East 100th Street": [("Bruce Davidson", "Davidson, Bruce")],
}


@pytest.mark.django_db
def test_an_author_named_in_first_and_last_name_columns_is_credited_first_then_last():
    """An art library's catalog names each author in `Author Last Name` and `Author First Name`:
    the map import_books suggested read the last name alone as the author (`Serra`, `Klein`),
    and the first name was lost. The author is `Richard Serra`, sorted `Serra, Richard`."""
    header = (REAL / HUDSON).read_text().splitlines()[0].split(",")
    column_map = guess_column_map(header)
    assert column_map["author_first_name"] == "Author First Name"
    assert column_map["author_last_name"] == "Author Last Name"
    assert "author" not in column_map
    import_real(HUDSON, requested_format="generic", column_map=column_map)
    assert _authors() == HUDSON_AUTHORS


@pytest.mark.django_db
def test_first_and_last_name_columns_chosen_in_a_column_map_credit_the_author(tmp_path):
    path = tmp_path / HUDSON
    path.write_bytes((REAL / HUDSON).read_bytes())
    run_command(
        str(path),
        "--no-enrich",
        "--map",
        "title=Title,author_last_name=Author Last Name,author_first_name=Author First Name",
    )
    assert _authors() == HUDSON_AUTHORS


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        (["Title", "First Name", "Surname"], "First Name", "Surname"),
        (["Title", "Author", "Author Last Name"], None, "Author Last Name"),
        (["Titre", "Nom", "Prénom"], "Prénom", None),  # `Nom` alone may be the book's
        # LibraryThing's whole names, either way round: the author's column, no first name.
        (["'TITLE'", "'AUTHOR (first, last)'", "'AUTHOR (last, first)'"], None, None),
    ],
)
def test_first_and_last_name_columns_are_guessed_by_their_names(header, first, last):
    column_map = guess_column_map(header)
    assert (column_map.get("author_first_name"), column_map.get("author_last_name")) == (
        first,
        last,
    )


def test_a_last_name_column_beside_whole_names_adds_no_one():
    """A surname alone beside an Author column is a column to sort by, not a second person."""
    credits = [Credit(name="Willa Cather")]
    assert with_named_author(credits, "", "Cather") == credits
    assert with_named_author([], "", "Cather") == [Credit(name="Cather")]
    assert with_named_author(credits, "Willa", "Cather") == [
        Credit(name="Willa Cather", sort_name="Cather, Willa")
    ]


@pytest.mark.django_db
def test_an_order_sheets_column_of_surnames_first_with_a_gap_is_read_given_names_first():
    """A bookstore's order sheet writes each author surname first, two spaces or more, then
    the given names (`O'Hara  Mo`, `Yang  Gene Luen`, `Hopkins  Lee Bennett (EDT)`): the authors
    became `O'Hara Mo` and `Hopkins Lee Bennett (EDT)`. They are Mo O'Hara (sorted `O'Hara, Mo`)
    and the editor Lee Bennett Hopkins; names written with one space stay as written."""
    import_real(
        "ordersheet-whmsbookfair-surname-first.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "author", "isbn": "Product Number"},
    )
    credited = credits_by_title("name", "sort_name", "role")
    assert credited["Agent Moose"] == [("Mo O'Hara", "O'Hara, Mo", "author")]
    assert credited["Skunk and Badger (Skunk and Badger 1)"] == [
        ("Amy Timberlake", "Timberlake, Amy", "author")
    ]
    assert credited["Superman Smashes the Klan"] == [
        ("Gene Luen Yang", "Yang, Gene Luen", "author")
    ]
    assert credited["Elatsoe"] == [("Darcie Little Badger", "Little Badger, Darcie", "author")]
    assert credited["I Remember"] == [("Lee Bennett Hopkins", "Hopkins, Lee Bennett", "editor")]
    assert credited["The Seed of Compassion"] == [("Dalai Lama", "", "author")]
    assert credited["The Super Duper Joke Book Volume 2"] == [("Cider Mill Press", "", "author")]


@pytest.mark.parametrize(
    ("names", "surname_first"),
    [
        (["O'Hara  Mo", "Arden  Katherine", "Yang  Gene Luen", "DK", "Cider Mill Press",
          "Nuurali  Siman", "Timberlake   Amy"], True),
        # A Goodreads export's Additional Authors: a middle initial left out, not a surname first.
        (["Dennis  Taylor", "Neil Gaiman", "Terry Pratchett", "Ursula K. Le Guin"] * 2, False),
        (["O'Hara  Mo", "Arden  Katherine", "Yang  Gene Luen", "Nuurali  Siman"], False),  # 4
        (["O'Hara  Mo", "Arden  Katherine", "Yang  Gene Luen", "Nuurali  Siman",
          "Messenger  Shannon", "Le Guin, Ursula K."], False),  # another convention too
        (["O'Hara  Mo", "Arden  Katherine", "Yang  Gene Luen", "Nuurali  Siman",
          "Messenger  Shannon", "Simon  &  Schuster"], False),  # another gap
    ],
)  # fmt: skip
def test_a_column_is_read_surname_first_only_when_enough_of_its_names_are_so(names, surname_first):
    assert writes_surname_first_with_gap(names) is surname_first


@pytest.mark.django_db
def test_japanese_credits_as_the_national_diet_library_writes_them():
    """A Japanese reading list filled from the National Diet Library credits `村上もとか 著`
    (著, "written by") and `余嘉錫 著; 古勝隆一, 嘉瀬達男, 内山直樹 訳注` (the role word after a
    group is every name's): the authors were `村上もとか 著` and `内山直樹 訳注`, and a name's
    reading after `||` (`ナカジマ, キョウコ`) was a second author."""
    import_real(
        "readinglist-guro326-ndl-credits.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "author", "isbn": "isbn"},
    )
    credited = credits_by_title("name", "role")
    assert credited == {
        "六三四の剣": [("村上もとか", "author")],
        "365日にっぽんのいろ図鑑": [("暦生活", "author"), ("高月美樹", "contributor")],
        "目録学発微": [
            ("余嘉錫", "author"),
            ("古勝隆一", "translator"),
            ("嘉瀬達男", "translator"),
            ("内山直樹", "translator"),
        ],
        "ねずみくんのチョッキ": [("なかえよしを", "author"), ("上野紀子", "illustrator")],
        "メッセンジャー": [("ロイス・ローリー", "author"), ("島津やよい", "translator")],
        "夢見る帝国図書館": [("中島京子", "author")],
    }


@pytest.mark.django_db
def test_each_name_of_a_list_keeps_the_role_written_after_it():
    """The art library's `Contributors/Editors` column lists `John Tytell (introduction),
    William Klein (photographer)`: both became editors, `John Tytell (introduction)` and
    `William Klein (photographer)`. Each is credited in the role written after the name."""
    import_real(
        HUDSON,
        requested_format="generic",
        column_map={"title": "Title", "editor": "Contributors/Editors"},
    )
    assert credits_by_title("name", "role")["New York"] == [
        ("John Tytell", "contributor"),
        ("William Klein", "illustrator"),
    ]


@pytest.mark.django_db
def test_a_list_shortened_with_et_al_credits_the_people_it_names_and_no_one_else():
    """A catalog ends a long list of people with `et al.` (`Archilochos et al.`, editors
    ` Lewis et al.`), an art library's with `and many others`: the books were credited to
    `Archilochos et al.` and to a person named `many others`. They credit the people named."""
    import_real(
        "collectionbuilder-welty-et-al.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    import_real(HUDSON, requested_format="generic", column_map=guess_column_map(HUDSON_HEADER))
    credited = credits_by_title("name", "role")
    assert credited["Archilochos, Sappho, Alkman"][0] == ("Archilochos", "author")
    assert credited["Contemporary American Women Novelists"] == [("Chopin", "author")]
    assert credited["Orion, Volume III"] == [("Lewis", "editor")]
    assert credited["The Collected Stories of Peter Taylor"] == [
        ("Peter Taylor", "author"),
        ("Farrar", "editor"),
    ]
    brooklyn_rail = credited["The Brooklyn Rail"]
    assert ("Rachel Whiteread", "editor") in brooklyn_rail
    assert not Author.objects.filter(name__icontains="other").exists()
    assert not Author.objects.filter(name__icontains="et al").exists()


@pytest.mark.parametrize(
    ("cell", "people"),
    [
        ("Jane Doe, John Roe, et al.", ["Jane Doe", "John Roe"]),
        ("Doe, Jane [and others]", ["Jane Doe"]),
        ("Müller, Hans u.a.", ["Hans Müller"]),
        ("Hans Müller [u. a.]", ["Hans Müller"]),
        ("Jane Doe ... [et al.]", ["Jane Doe"]),
        ("Jane Doe, and 3 others", ["Jane Doe"]),
        ("et al.", []),
        ("Kal Penn", ["Kal Penn"]),  # `al` and `and` inside names are theirs
        ("Alexander Sandoval", ["Alexander Sandoval"]),
    ],
)
def test_a_tail_crediting_others_unnamed_credits_no_one(cell, people):
    assert [credit.name for credit in split_people(cell)] == people


def test_a_librarything_author_list_ending_et_al_names_its_people_only():
    assert people_in("Boswell, Dustin; Foucher, Trevor; et al.") == [
        "Boswell, Dustin",
        "Foucher, Trevor",
    ]


@pytest.mark.django_db
def test_a_catalogs_corrected_bracketed_and_decade_dates():
    """A catalog writes what it knows of a date not printed right: `1947 [i.e.1946]` (the
    year printed wrong, then the true one), `[c1921] 1946.` (the copyright year, then the
    printing's), `192-` and `194?` (a decade). The editions were dated 1947 and 1921, and the
    work's first publication lost. They are 1946 and 1946, first published 1921; a decade is
    no year (an edition's date is exact to its year at least), and the row says why."""
    job = import_real(
        "collectionbuilder-welty-catalogue-dates.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "year": "date"},
    )
    years = {
        title: (edition_year, work_year)
        for title, edition_year, work_year in Edition.objects.values_list(
            "work__title", "publication_date__year", "work__first_published_year"
        )
    }
    assert years == {
        "The Foquets of Chantilly": (None, None),
        "Howards End": (1946, 1921),
        "Poems of William Blake": (None, None),
        "Der Film": (1946, None),
        "Seurat (1859 - 1891)": (None, None),
        "Novels & Stories": (1946, None),
    }
    seurat = job.rows.get(line_number=9)
    assert seurat.messages == ["date '194?' gives a decade, not a year; it was ignored."]


@pytest.mark.parametrize(
    ("format_", "people_column", "publisher_column"),
    [
        ("libib", "creators", "publisher"),
        ("bookwyrm", "author_text", None),
        ("openreads", "author", None),
        ("openlibrary_current", "Authors", None),
    ],
)
def test_a_recognised_exports_people_cell_crediting_a_publisher_names_no_one(
    format_, people_column, publisher_column
):
    """synthetic cells, by the rule of a mapped catalog's (`Published by Farrar, Straus`): in a
    recognised export the cell became people named `Published by Farrar` and `Straus`."""
    header = HEADERS[format_]
    cells = {"Title" if "Title" in header else "title": "synthetic-Legion"}
    if "Work ID" in header:
        cells["Work ID"] = "OL1W"
    if "ean_isbn13" in header:
        cells["ean_isbn13"] = "9780441172719"
    cells[people_column] = "Published by Farrar, Straus"
    _importer, (row,) = read(synthetic_file(header, cells))
    assert (row.credits, row.publisher) == ([], "Farrar, Straus")
    if publisher_column:  # the export's own publisher comes first
        cells[publisher_column] = "Gallimard"
        _importer, (row,) = read(synthetic_file(header, cells))
        assert (row.credits, row.publisher) == ([], "Gallimard")


@pytest.mark.django_db
def test_a_credits_words_in_a_parenthesis_before_the_names_give_their_role():
    """A catalog's editor column writes the credit's words in a parenthesis before the names,
    `(Translated by) George Wicks`: he became an editor named `(Translated by) George Wicks`.
    He is the translator; words we know no role for (`(Selected by)`, `(Forword by)`) credit a
    contributor, by the name alone."""
    import_real(
        "collectionbuilder-ewlibrary-credit-words-in-brackets.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    assert credits_by_title("name", "role") == {
        "The Memoirs of Frédéric Mistral": [("George Wicks", "translator")],
        "Victorian Tales of Mystery and Detection": [("Michael Cox", "contributor")],
        "Jules Pascin's Caribbean Sketchbook": [
            ("Jules Pascin", "author"),
            ("John Palmer Leeper", "contributor"),
        ],
        "Photographs": [("Eudora Welty", "author"), ("Reynolds Price", "contributor")],
    }


@pytest.mark.django_db
def test_a_body_whose_name_holds_an_and_is_one_credit():
    """A catalog credits the bodies that published a book, `American Academy and Institute of
    Arts and Letters`: it became three editors, `American Academy`, `Institute of Arts` and
    `Letters`. It is one body; so is `National Institute of Arts and Letters`."""
    import_real(
        "collectionbuilder-ewlibrary-bodies-named-with-and.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    assert sorted(Author.objects.values_list("name", flat=True)) == [
        "American Academy and Institute of Arts and Letters",
        "American Academy of Arts and Letters",
        "American Academy of Arts and Sciences",
        "National Institute of Arts and Letters",
    ]


@pytest.mark.django_db
def test_a_name_with_its_credits_word_and_its_surname_again_is_that_person_in_that_role():
    """A catalog writes its people as the name, the credit's word in a parenthesis and the
    surname again (`Constance Garnett (translator) Garnett`, `Carlton Lake (selected) Lake`,
    `E.J Techmann (translator) Tehcmann`): each became an editor of that whole name. They are
    the translator Constance Garnett, and Carlton Lake credited for his selection; a name's own
    parenthesis stays (`J.B. (Beachcomber) Morton`)."""
    import_real(
        "collectionbuilder-ewlibrary-role-and-surname-again.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    credited = credits_by_title("name", "role")
    assert credited["Smoke"] == [("Ivan Turgenev", "author"), ("Constance Garnett", "translator")]
    assert credited["The Essays of Montaigne"] == [("E.J Techmann", "translator")]
    assert credited["The Misadventures of Dr. Stabismus"] == [
        ("J.B. (Beachcomber) Morton", "author")
    ]
    (baudelaire,) = (title for title in credited if title.startswith("Baudelaire to Beckett"))
    assert credited[baudelaire] == [("Carlton Lake", "contributor")]


@pytest.mark.django_db
def test_credit_words_no_role_is_known_for_before_the_names_credit_contributors():
    """A catalog writes other credits' words before the names too (`Compiled by William Jay
    Smith and Carol Ra`, `Photographs by Elemore Morgan, Text by Charles East`): each became
    a person named `Compiled by William Jay Smith`, `Text by Charles East`. They credit the
    people named, as contributors."""
    import_real(
        "collectionbuilder-ewlibrary-credit-words-before-names.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    credited = credits_by_title("name", "role")
    assert credited["The Face of Louisiana"] == [
        ("Elemore Morgan", "contributor"),
        ("Charles East", "contributor"),
    ]
    assert credited["Lord John Signatures"] == [("Stephen King", "contributor")]
    assert credited["The New Yorker Book of Poems"] == [
        ("the Editors of the New Yorker", "contributor")
    ]
    assert not Author.objects.filter(name__icontains=" by ").exists()

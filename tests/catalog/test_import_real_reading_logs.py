"""What reading logs and lists people keep by hand, and exports of tools without a reader of
their own, make in the catalog through the column map import_books suggests
(tests/fixtures/imports/real_shapes, each file's source in its PROVENANCE.md)."""

import pytest

from catalog.importers.base import NormalizedRow
from catalog.importers.cells import split_people
from catalog.importers.generic import guess_column_map
from catalog.importers.parsing import is_unknown_person, parse_format
from catalog.models import Author, Edition, Work
from tests.catalog.real_lines import REAL, credits_by_title, import_real


@pytest.mark.django_db
def test_an_emoji_a_reader_puts_after_a_title_is_no_part_of_it():
    """A reading log marks the books its owner listened to with 🎧 after the title (`Rhythm of
    War 🎧`): the work was called so, and the same book read on paper by someone else would
    have been another title. The title (and a subtitle) is the book's own, without it."""
    job = import_real(
        "readinglog-jeffsolo-emoji-after-title.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "author"},
    )
    titles = set(Work.objects.values_list("title", "subtitle"))
    assert titles == {
        ("An Echo of Things to Come", ""),
        ("Rhythm of War", ""),
        ("Arcanum Unbounded", "The Cosmere Collection"),
    }
    assert job.created_count == 3


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("📚 The Hobbit", "The Hobbit"),
        ("Piranesi ❤️", "Piranesi"),
        ("Dune 👍🏽", "Dune"),
        ("🎧", "🎧"),  # nothing else to call the book: kept as written
        ("らき☆すた", "らき☆すた"),  # a title's own symbols stay
        ("Lucky Star ☆", "Lucky Star ☆"),
        ("The 😀 Book", "The 😀 Book"),
    ],
)
def test_only_emoji_at_either_end_of_a_title_are_left_out(title, kept):
    assert NormalizedRow.from_title(title).title == kept


@pytest.mark.django_db
def test_a_chinese_edition_marker_after_a_title_gives_the_editions_language():
    """A Chinese reading log (Douban's way of naming translations) writes `Programming C#
    (中文版)`, "the Chinese edition": the title is `Programming C#` and the edition is in
    Chinese, as Amazon's `(Spanish Edition)` is read. A volume's own parenthesis
    (`中國近代史（下冊）`, "second volume") stays in its title."""
    import_real(
        "readinglog-gujiaxi-chinese-edition.csv",
        requested_format="generic",
        column_map={"title": "Title", "author": "Author", "isbn": "ISBN"},
    )
    editions = {
        isbn: (title, language)
        for isbn, title, language in Edition.objects.values_list(
            "isbn13", "work__title", "language"
        )
    }
    assert editions == {
        "9787121045929": ("Programming C#", "zh"),
        "9787302155553": ("C++ Cookbook", "zh"),
        "9789622019881": ("中國近代史（下冊）", ""),
    }


@pytest.mark.django_db
def test_a_dash_where_the_author_is_not_known_credits_no_one():
    """A reading log writes `-` in the Author cell of a book whose author its owner did not
    note: the import row showed the book read as by an author named `-`. It is read with no
    author now, as an empty cell or `Unknown` is; the names around it are read."""
    job = import_real(
        "readinglog-alsco77-dash-for-no-author.csv",
        requested_format="generic",
        column_map={"title": "Title", "author": "Author"},
    )
    credited = credits_by_title("name")
    assert credited == {"Nudge": ["Richard Thaler", "Cass Sunstein"], "Elon Musk": []}
    assert not Author.objects.filter(name="-").exists()
    read_as = {row.normalized["title"]: row.normalized.get("credits", []) for row in job.rows.all()}
    assert read_as["Elon Musk"] == []


@pytest.mark.parametrize("cell", ["-", "—", "?", "...", "N/A", "n/a"])
def test_a_cell_with_no_letter_or_n_a_names_no_person(cell):
    assert is_unknown_person(cell)


@pytest.mark.django_db
def test_korean_credits_as_naver_books_writes_them():
    """A Korean book list filled from Naver Books credits its people in Korean: names listed
    with commas (`김은희, 나영정, 문은미, 조주현`: four people, each written whole), the role
    after a name (`이채 글, 이한솔 그림`: text by one, pictures by the other; `… 지음`, written
    by; `… 엮음`, edited by; or before it, `글 고선영, 사진 김형호`) and `외 5명`, "and five
    others" (`외 23개 단체`, "and 23 organisations"). Two names were read as one
    person's family and given names (`김은희나영정`), and the role words and `외` as parts of
    the names (`이한솔 그림`)."""
    import_real(
        "readinglist-doingbooks-korean-credits.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "authors", "publisher": "publisher"},
    )
    credited = credits_by_title("name", "role")
    assert credited == {
        "1990년대 이후 한국여성운동사 특강": [
            ("김은희", "author"), ("나영정", "author"), ("문은미", "author"), ("조주현", "author")
        ],
        "경계를 가로질러 가족만들기": [("배은경", "author"), ("하정옥", "author")],
        "근본없는 페미니즘": [("김익명", "author"), ("강유", "author")],
        "꽁치의 옷장엔 치마만 100개": [("이채", "author"), ("이한솔", "illustrator")],
        "나혜석, 글쓰는 여자의 탄생": [("나혜석", "author"), ("장영은", "editor")],
        "성서 소피아의 힘": [("엘리자베스 쉬슬러 피오렌자", "author")],
        "소도시 여행의 로망": [("고선영", "author"), ("김형호", "illustrator")],
        "우리는 자격 없는 여성들과 세상을 바꾼다": [("권김현영", "author"), ("A", "author")],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "people"),
    [
        ("김, 은희", [("김은희", "author")]),  # a family and a given name, as a library sorts
        ("남궁, 민", [("남궁민", "author")]),
        ("권정생 시, 김병하 그림", [("권정생", "author"), ("김병하", "illustrator")]),
        ("고등어 외 41인", [("고등어", "author")]),
        ("김효진 외 지음", [("김효진", "author")]),
        ("스티븐 킹 지음, 이은선 옮김", [("스티븐 킹", "author"), ("이은선", "translator")]),
        ("그림", [("그림", "author")]),  # a name alone is no role
        ("편 혜영", [("편 혜영", "author")]),  # `편` (edited) is a family name too
    ],
)  # fmt: skip
def test_korean_names_and_their_roles(cell, people):
    assert [(c.name, c.role) for c in split_people(cell)] == people


@pytest.mark.django_db
def test_a_degree_after_a_name_is_no_part_of_it():
    """A library's catalog credits `Charles Mackay, LL.D.`: he became `LL.D. Charles Mackay`,
    sorted as if `LL.D.` were his surname. His degree is no part of his name."""
    import_real(
        "collectionbuilder-welty-degree-after-name.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    credited = credits_by_title("name", "sort_name")
    assert credited == {
        "The Collected Stories of Katherine Anne Porter": [("Katherine Anne Porter", "")],
        "Lost Beauties of the English Language": [("Charles Mackay", "")],
    }


@pytest.mark.parametrize(
    ("cell", "people"),
    [
        ("Mark Hyman, M.D.", [("Mark Hyman", "")]),
        ("Brené Brown, PhD", [("Brené Brown", "")]),
        ("Smith, John, Ph.D.", [("John Smith", "Smith, John")]),
        ("Smith, M.D.", [("M.D. Smith", "Smith, M.D.")]),  # initials after a surname alone
        ("Martin Luther King, Jr.", [("Martin Luther King, Jr.", "")]),
        ("Judith McFarlane, DrPH", [("Judith McFarlane", "")]),  # synthetic, Open Library's
        ("Jane Doe, DC", [("Jane Doe", "")]),  # degrees
        ("Nguyễn, Thị Ba", [("Thị Ba Nguyễn", "Nguyễn, Thị Ba")]),
    ],
)
def test_degrees_after_a_whole_name_are_left_out(cell, people):
    assert [(c.name, c.sort_name) for c in split_people(cell)] == people


@pytest.mark.django_db
def test_a_digital_collections_media_type_is_no_binding():
    """A digital collection's catalog (Dublin Core's `format`, as CollectionBuilder and Omeka
    export it) gives each record's file type: `image/jpg`, the photograph of a book. Every book
    was recorded in the format "other", each row with a warning; the books' bindings are not
    said, and no row warns."""
    job = import_real(
        "collectionbuilder-welty-degree-after-name.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "format": "format"},
    )
    assert set(Edition.objects.values_list("format", flat=True)) == {""}
    assert job.rows.filter(has_warnings=True).count() == 0


@pytest.mark.parametrize(
    ("value", "format_"),
    [
        ("image/jpeg", ""),
        ("text/html", ""),
        ("application/pdf", "ebook"),
        ("application/epub+zip", "ebook"),
        ("audio/mpeg", "audiobook"),
    ],
)
def test_a_media_type_says_an_e_books_or_an_audiobooks_format_only(value, format_):
    assert parse_format(value) == (format_, "")


@pytest.mark.django_db
def test_chinese_names_joined_by_a_slash_or_an_ampersand_are_several_people():
    """A Chinese book list joins a book's translators with `/` or `&` and no space
    (`柳鸣九/刘方/丁世中`, `王婧&叶明燕`), as Douban does: each was one translator of that
    name. And `（日文版）`, "the Japanese edition", gives its edition's language."""
    import_real(
        "readinglist-nagisaao-chinese-credits.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "author", "translator": "translator"}
        | {"isbn": "ISBN"},
    )
    credited = credits_by_title("name", "role")
    assert credited == {
        "东山魁夷美文集": [("东山魁夷", "author")],
        "我与海明威家的男人们": [
            ("瓦莱丽·海明威", "author"), ("王婧", "translator"), ("叶明燕", "translator")
        ],
        "鼠疫": [
            ("阿尔贝·加缪", "author"), ("柳鸣九", "translator"), ("刘方", "translator"),
            ("丁世中", "translator"),
        ],
    }  # fmt: skip
    assert Edition.objects.get(isbn13="9787806575628").language == "ja"


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("柳鸣九 / 刘方", ["柳鸣九", "刘方"]),
        ("Simon&Schuster", ["Simon&Schuster"]),
        ("Millard/Edith W. Meiss/Kirsch", ["Millard/Edith W. Meiss/Kirsch"]),
    ],
)
def test_a_slash_or_an_ampersand_separates_people_between_names_in_cjk_script_only(cell, names):
    assert [c.name for c in split_people(cell)] == names


@pytest.mark.django_db
def test_a_credits_words_before_the_names_give_their_role():
    """A library catalog's column of other people writes the credit's words before the names
    (`Translated by Gwyn Jones and Thomas Jones`, `Illustrated by Rex Whistler`): each was an
    editor named `Translated by Gwyn Jones`. They are the people, in the role the words say."""
    import_real(
        "collectionbuilder-welty-role-before-names.csv",
        requested_format="generic",
        column_map={"title": "title", "author": "creator", "editor": "editor"},
    )
    credited = credits_by_title("name", "role")
    assert credited == {
        "Oblomov": [("Ivan Goncharov", "author"), ("David Magarshack Magarshack", "translator")],
        "Fairy Tales and Legends by Hans Andersen": [
            ("Hans Anderson", "author"), ("Rex Whistler", "illustrator")
        ],
        "Later Letters of Edward Lear": [("Edward Lear", "author"), ("Lady Strachey", "editor")],
        "The Mabinogion": [("Gwyn Jones", "translator"), ("Thomas Jones", "translator")],
    }  # fmt: skip


@pytest.mark.django_db
def test_a_reading_logs_year_beside_the_readers_rating_is_not_guessed_as_the_publication_year():
    """`Title, Author, Rating, Year`: the Year is when each book was read (2023 for The
    Dispossessed, first published 1974), and the map import_books suggested dated every edition
    so. Beside the reader's own rating, a bare Year is left for the librarian to map."""
    header = (REAL / "readinglog-gpdowney-rating-and-year-read.csv").read_text().splitlines()[0]
    column_map = guess_column_map(header.split(","))
    assert column_map == {"title": "Title", "author": "Author"}
    import_real(
        "readinglog-gpdowney-rating-and-year-read.csv",
        requested_format="generic",
        column_map=column_map,
    )
    assert set(Edition.objects.values_list("publication_date", flat=True)) == {None}
    assert Work.objects.filter(title="Dispossessed, the").exists()  # as the reader spells it


@pytest.mark.django_db
def test_a_reading_lists_book_name_is_its_title_and_its_year_beside_a_review_is_none():
    """A reading list names its columns `book_name, author, year, review`: `import_books`
    suggested no title (the file could not be imported without mapping it by hand), and its
    `year`, the year each book was read, would have dated every Harry Potter 2020. The title is
    guessed; the year, beside the reader's own review, is left for the librarian to map."""
    name = "readinglist-bsebesta-book-name-and-review.csv"
    column_map = guess_column_map((REAL / name).read_text().splitlines()[0].split(","))
    assert column_map == {"title": "book_name", "author": "author"}
    import_real(name, requested_format="generic", column_map=column_map)
    assert sorted(Edition.objects.values_list("work__title", "publication_date")) == [
        ("A Promised Land", None),
        ("Harry Potter and the Deathly Hallows", None),
        ("Harry Potter and the Goblet of Fire", None),
    ]

import pytest

from catalog import name_order, text
from catalog.column_text import cut_at_word_boundary


def test_split_series_suffix():
    assert text.split_series("Ninth House (Alex Stern, #1)") == ("Ninth House", "Alex Stern", "1")
    assert text.split_series("Dune Messiah (Dune Chronicles #2)") == (
        "Dune Messiah",
        "Dune Chronicles",
        "2",
    )
    assert text.split_series("Novella (Series, #2.5)") == ("Novella", "Series", "2.5")
    # A parenthesis that is not a series stays part of the title.
    assert text.split_series("Rio de Janeiro (Ten Moments That Shaped)") == (
        "Rio de Janeiro (Ten Moments That Shaped)",
        "",
        "",
    )


def test_normalize_title_drops_subtitle_series_case_and_accents():
    assert text.normalize_title("The Silk Roads: A New History of the World") == "the silk roads"
    assert text.normalize_title("Ninth House (Alex Stern, #1)") == "ninth house"
    assert text.normalize_title("Cien años de soledad") == "cien anos de soledad"
    assert text.normalize_title("Harry Potter & the Philosopher's Stone") == (
        "harry potter and the philosophers stone"
    )


@pytest.mark.parametrize(
    ("title", "split"),
    [
        # A series marker before a spaced dash (synthetic titles in the real shapes of
        # tests/fixtures/imports/real_shapes/calibre-derived-akienm-series-marker-titles.csv).
        ("3 - The Synthetic Third", ("3", "The Synthetic Third")),
        ("#12 – A Synthetic Twelfth", ("#12", "A Synthetic Twelfth")),
        ("SYN - Synthetic Lines: Book Two", ("SYN", "Synthetic Lines: Book Two")),
        # A year, and capitals before a plain subtitle, are the title.
        ("2001 - A Space Odyssey", ("", "2001 - A Space Odyssey")),
        ("SPQR - A History of Ancient Rome", ("", "SPQR - A History of Ancient Rome")),
        ("Spider-Man - Homecoming", ("", "Spider-Man - Homecoming")),
    ],
)
def test_split_series_marker(title, split):
    assert text.split_series_marker(title) == split


def test_a_series_marker_leaves_stored_title_keys_as_they_were():
    # The marker is read at import only: a title stored whole keeps its key (no migration).
    assert text.normalize_title("1 - A Wizard In Mind") == "1"
    assert text.normalize_title("NJO - Enemy Lines 2: Rebel Stand") == "njo"


def test_normalize_person_name_handles_last_first_and_initials():
    assert text.normalize_person_name("Wang, M.L.") == "m l wang"
    assert text.normalize_person_name("M.L. Wang") == "m l wang"
    assert text.normalize_person_name("M. L. Wang") == "m l wang"
    assert text.normalize_person_name("García Márquez, Gabriel") == "gabriel garcia marquez"


@pytest.mark.parametrize(
    ("spelling", "other_spelling"),
    [
        # One person spelled both ways in sartak/goodreads' goodreads_export.csv (lines 96 and
        # 102, 283 and 493; tests/fixtures/imports/real_shapes).
        ("小松 左京", "小松左京"),
        ("矢野 徹", "矢野徹"),
        # And Korean, whose spelling rules write a name's parts together (synthetic: Han Kang).
        ("한 강", "한강"),
        ("司馬, 遼太郎", "司馬 遼太郎"),
    ],
)
def test_a_cjk_name_with_or_without_a_space_is_one_key(spelling, other_spelling):
    assert text.normalize_person_name(spelling) == text.normalize_person_name(other_spelling)


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        # Library headings of medieval and religious names (written for the test: no fixture
        # holds one): the byname after the comma follows the name.
        ("Chrétien, de Troyes", "Chrétien de Troyes"),
        ("Walther, von der Vogelweide", "Walther von der Vogelweide"),
        ("Wolfram, von Eschenbach", "Wolfram von Eschenbach"),
        ("Marie, de France", "Marie de France"),
        ("Julian, of Norwich", "Julian of Norwich"),
        ("Thomas, à Kempis", "Thomas à Kempis"),
        # A given name that is a particle word is capitalised: turned around as any.
        ("Jackson, La Toya", "La Toya Jackson"),
        ("Morrison, Van", "Van Morrison"),
        ("Beauvoir, Simone de", "Simone de Beauvoir"),
    ],
)
def test_a_byname_after_the_comma_is_read_after_the_name(heading, name):
    """Turned around as a sort name, "Chrétien, de Troyes" read "de Troyes Chrétien": no
    source writes him so, and the lookup key matched no "Chrétien de Troyes"."""
    assert name_order.sort_name_turned_around(*heading.split(", ")) == name
    assert text.normalize_person_name(heading) == text.normalize_person_name(name)


def test_a_generation_word_after_the_comma_is_no_given_name():
    """Goodreads' Author l-f puts the last word first: "fils, Alexandre Dumas" is read back as
    "Dumas, Alexandre, fils", as "Jr., Ross Lockridge" was; "Dumas, père" is Dumas père."""
    assert text.normalize_person_name("Dumas, père") == "dumas pere"
    assert text.normalize_person_name("Pliny, the Elder") == "pliny the elder"
    assert text.name_generation("Père") == text.name_generation("Sr.") == "sr"
    assert text.name_generation("fils") == text.name_generation("the Younger") == "jr"
    # Words that are surnames too are not a generation alone.
    assert not text.name_generation("Senior") and not text.name_generation("Le Jeune")


@pytest.mark.parametrize(
    ("sort_name", "name", "fits"),
    [
        ("Le Guin, Ursula K.", "Ursula K. Le Guin", True),
        ("Lockridge, Ross, Jr.", "Ross Lockridge Jr.", True),
        ("Vonnegut, Kurt", "Kurt Vonnegut Jr.", True),
        ("García Márquez, Gabriel", "Gabriel Garcia Marquez", True),
        ("Лукьяненко, Сергей", "Sergei Lukyanenko", False),  # another script
        ("Lukyanenko, Sergei", "Сергей Лукьяненко", False),
        ("Lukyanenko, Sergei", "Sergey Lukyanenko", False),  # another spelling
        ("", "Sergei Lukyanenko", False),
    ],
)
def test_a_sort_name_fits_only_its_own_name(sort_name, name, fits):
    assert text.sort_name_fits(sort_name, name) is fits


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("Short enough", 20, "Short enough"),
        ("The Left Hand of Darkness", 12, "The Left"),  # "Hand" would be cut: dropped whole
        ("The Left Hand of Darkness", 13, "The Left Hand"),  # the next character is a space
        ("The Left Hand of Darkness", 14, "The Left Hand"),  # the last kept one is a space
        ("Supercalifragilistic", 10, "Supercalif"),  # no space at all: a hard cut
        ("A Supercalifragilistic", 10, "A Supercal"),  # a boundary this early keeps too little
    ],
)
def test_cut_at_word_boundary(value, limit, expected):
    assert cut_at_word_boundary(value, limit) == expected


def test_a_language_suffix_leaves_the_title_key_and_only_a_language_is_one():
    """Synthetic titles in the shapes of the real lines in test_importers_real_shapes.py, and
    the one shape no real export showed yet: `…, Spanish Edition` without a parenthesis."""
    titles = {
        "Synthetic Title (Spanish Edition)": ("Synthetic Title", "es"),
        "Synthetic Title (in Japanese)": ("Synthetic Title", "ja"),
        "Synthetic Title (Other Words, Hebrew Edition)": ("Synthetic Title (Other Words)", "he"),
        "Synthetic Title, Spanish Edition": ("Synthetic Title", "es"),
        # No language: part of the title.
        "Synthetic Circuits, Global Edition": ("Synthetic Circuits, Global Edition", ""),
        "Synthetic Title (In Minutes)": ("Synthetic Title (In Minutes)", ""),
        "Synthetic Title (, Hebrew Edition)": ("Synthetic Title (, Hebrew Edition)", ""),
    }
    assert {title: text.split_language_edition(title) for title in titles} == titles
    assert text.normalize_title("Synthetic Title (in Japanese)") == "synthetic title"
    assert text.normalize_title("Synthetic Title (Some Name Book 2) (Russian Edition)") == (
        "synthetic title"
    )


def test_a_roman_or_bare_number_after_a_series_name_is_its_number():
    """Synthetic titles in the real shapes of `(Learn to Play Go, Volume III)` (LibraryThing,
    mmai/shiny-librarything, in a parenthesis another follows, so no real line reads it yet)
    and of tests/fixtures/imports/real_shapes/goodreads-*-comma-number-series.csv."""
    numbered = {
        "Synthetic Title (Synthetic Lessons, Volume III)": ("Synthetic Lessons", "3"),
        "Synthetic Title (Synthetic Lessons Book XIV)": ("Synthetic Lessons", "14"),
        "Synthetic Title (Synthetic Lessons, Part IX)": ("Synthetic Lessons", "9"),
        "Synthetic Title (Synthetic Lessons, 2.5)": ("Synthetic Lessons", "2.5"),
        "Synthetic Title (Synthetic Lessons, No. 20)": ("Synthetic Lessons", "20"),
    }
    # No series: a numeral without a name, one no Roman numeral is, no name before the comma,
    # a volume before it, a year after it.
    kept = [
        "Synthetic Title (Volume III)",
        "Synthetic Title (II)",
        "Synthetic Title (Synthetic Lessons, Book IIII)",
        "Synthetic Title (Synthetic Lessons, Book ill)",
        "Synthetic Title (1984, 2)",
        "Synthetic Title (Vol. 1, 2)",
        "Synthetic Title (No. 5, 2)",
        "Synthetic Title (Volume II, 3)",
        "Synthetic Proceedings (Berlin, 1998)",
    ]
    expected = {title: ("Synthetic Title", *series) for title, series in numbered.items()}
    expected |= {title: (title, "", "") for title in kept}
    assert {title: text.split_series(title) for title in expected} == expected
    assert text.normalize_title("Synthetic Title (Synthetic Lessons, Volume III)") == (
        "synthetic title"
    )


def test_a_language_name_alone_stays_in_the_title():
    """Synthetic titles. `(French)` alone names the language a phrasebook or a course teaches
    as often as an edition's (`Phrasebook (French)` is in English): unlike Amazon's `(French
    Edition)`, it stays the title's, and two such books keep two title keys."""
    for title in ("Synthetic Phrasebook (French)", "Synthetic Title (Japanese)"):
        assert text.split_language_edition(title) == (title, "")
    assert text.normalize_title("Synthetic Phrasebook (French)") != text.normalize_title(
        "Synthetic Phrasebook (German)"
    )


@pytest.mark.parametrize(
    ("title", "read"),
    [
        # Synthetic titles in the real shapes of tests/fixtures/imports/real_shapes
        # (goodreads-sartak-two-series-parentheses.csv, …-japanese-publisher-series.csv).
        (
            "Synthetic (Synthetic Lessons, #2) (Synthetic Lessons Ser)",
            ("Synthetic", [("Synthetic Lessons", "2")]),
        ),
        # After a series, a parenthesis that does not repeat its name (two words of it past an
        # article) stays the title's, and the series with it.
        ("Synthetic (Synthetic Lessons, #2) (Synthetic Special)", None),
        ("Synthetic (The Synthetic Saga, #2) (The Wonder)", None),
        ("合成 (合成文庫)", ("合成", [("合成文庫", "")])),
        # Without a name before it, 文庫 is a format (a pocket edition), not a series.
        ("合成 (文庫)", None),
    ],
)
def test_series_parentheses_after_a_title(title, read):
    assert text.split_series_entries(title) == (read or (title, []))


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        # Synthetic titles in the real shapes of goodreads-eeeurico-listing-suffixes.csv and
        # goodreads-ayyucedemirbas-listing-suffixes.csv.
        ("Synthetic Book by Jane Doe (2001-02-03)", "Synthetic Book"),
        ("Murder by Numbers by Jane Doe (2001-02-03)", "Murder by Numbers"),
        ("Synthetic Book by Doe, Jane (2001)", "Synthetic Book"),
        ("Synthetic Book 2nd Edition by Jane Doe, John Roe Hardcover", "Synthetic Book"),
        # A year after `by` without a list of names, an edition or a binding is the title's.
        ("Stand by Me (1986)", "Stand by Me (1986)"),
        ("Drawn by Hand, Vol. 2 (1998)", "Drawn by Hand, Vol. 2 (1998)"),
        # One word after `by` is the title's own (no author is one word in these listings): the
        # date alone goes.
        ("Death by Chocolate (2001-02-03)", "Death by Chocolate"),
        ("Synthetic by Night (2001-02-03)", "Synthetic by Night"),
        ("Synthetic by Design Paperback", "Synthetic by Design Paperback"),
        ("Synthetic Proceedings (1998)", "Synthetic Proceedings (1998)"),
    ],
)
def test_strip_listing_suffix(title, kept):
    assert text.strip_listing_suffix(title) == kept


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        # Library headings of royal and noble people (written for the test: the Library of
        # Congress's forms, dates aside): the title after the comma follows the name.
        ("Charles, Prince of Wales", "Charles, Prince of Wales"),
        ("Diana, Princess of Wales", "Diana, Princess of Wales"),
        ("Philip, Duke of Edinburgh", "Philip, Duke of Edinburgh"),
        ("Mary, Queen of Scots", "Mary, Queen of Scots"),
        ("Marcus Aurelius, Emperor of Rome", "Marcus Aurelius, Emperor of Rome"),
        ("Ælfric, Abbot of Eynsham", "Ælfric, Abbot of Eynsham"),
        # A known pairing, without "of"; a qualified rank alone.
        ("Elizabeth, Queen Mother", "Elizabeth, Queen Mother"),
        ("Albert, Prince Consort", "Albert, Prince Consort"),
        ("Charles V, Holy Roman Emperor", "Charles V, Holy Roman Emperor"),
        # A surname that is a rank's word, before a given name: turned around as any.
        ("King, Stephen", "Stephen King"),
        ("Lord, Audre", "Audre Lord"),
        ("Pope, Alexander", "Alexander Pope"),
        ("Prince, Harold", "Harold Prince"),
        ("Queen, Ellery", "Ellery Queen"),
        ("Bishop, Elizabeth", "Elizabeth Bishop"),
        ("Earl, Steve", "Steve Earl"),
        ("King, Martin Luther", "Martin Luther King"),
        # Given names that begin with a rank's word: no "of" nor pairing follows it.
        ("Nelson, Prince Rogers", "Prince Rogers Nelson"),
        ("Gillette, King Camp", "King Camp Gillette"),
    ],
)
def test_a_title_of_rank_after_the_comma_is_read_after_the_name(heading, name):
    """Turned around as a sort name, "Charles, Prince of Wales" read "Prince of Wales
    Charles", and the lookup key matched no "Charles, Prince of Wales" written by a source."""
    last, first = heading.split(", ")
    assert name_order.sort_name_turned_around(last, first) == name
    assert text.normalize_person_name(heading) == text.normalize_text(name)


@pytest.mark.parametrize(
    ("title", "series", "left_out"),
    [
        # The shape the sweep of real exports reported (a Czech Goodreads row), and the
        # separators Goodreads writes between the numbers.
        ("Synthetic (Stín Krkavce, #0.5, #0.7, #1.5, #3.5)", ("Stín Krkavce", "0.5"),
         ["0.7", "1.5", "3.5"]),
        ("Synthetic (Synthetic Saga, #1 & #2)", ("Synthetic Saga", "1"), ["2"]),
        ("Synthetic (Synthetic Saga, #.5, #2)", ("Synthetic Saga", "0.5"), ["2"]),
        ("Synthetic (Synthetic Saga, #1-3, #5; Other, #4)", ("Synthetic Saga", "1-3"), ["5"]),
    ],
)  # fmt: skip
def test_a_book_numbered_several_times_in_one_series_keeps_its_first_number(
    title, series, left_out
):
    """One series at its first number, where the name read `Stín Krkavce, #0.5, #0.7, #1.5`
    and the number 3.5; the title is clean and keeps its key."""
    main, entries = text.split_series_entries(title)
    assert (main, entries[0]) == ("Synthetic", series)
    assert text.series_numbers_left_out(title)[0] == (*series, left_out)
    assert text.normalize_title(title) == "synthetic"

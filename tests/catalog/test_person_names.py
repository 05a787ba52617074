"""catalog.person_names.name_as_written: a name as sources write it, what Wikidata's label
search asks (written for the test: the headings are the Library of Congress's forms)."""

import pytest

from catalog.person_names import name_as_written


@pytest.mark.parametrize(
    ("heading", "written"),
    [
        ("Dumas, Alexandre, 1802-1870", "Alexandre Dumas"),
        ("Orwell, George, 1903-1950.", "George Orwell"),
        ("King, Stephen, 1947-", "Stephen King"),
        ("Le Guin, Ursula K.", "Ursula K. Le Guin"),
        ("King, Martin Luther, Jr.", "Martin Luther King Jr."),
        ("Smith, Joseph, Jr., 1805-1844", "Joseph Smith Jr."),
        ("Dumas, père", "Dumas père"),
        ("Chrétien, de Troyes, active 12th century", "Chrétien de Troyes"),
        ("Aesop, 621? BCE-565? BCE", "Aesop"),
        # A title after the byname is the heading's, not the name's (Wikidata's label has none).
        ("Francis, of Assisi, Saint", "Francis of Assisi"),
        ("Francis, of Assisi, Saint, 1182-1226", "Francis of Assisi"),
        ("Thomas, à Kempis, Saint", "Thomas à Kempis"),
        ("John, of the Cross, Saint, 1542-1591", "John of the Cross"),
        ("Leo, de Ostia, Cardinal", "Leo de Ostia"),
        # A title of rank after the name stays after it (catalog.name_order.is_title_of_rank), where
        # a surname that is a rank's word is turned around as any.
        ("Charles, Prince of Wales, 1948-", "Charles, Prince of Wales"),
        ("Diana, Princess of Wales, 1961-1997", "Diana, Princess of Wales"),
        ("Elizabeth, Queen Mother", "Elizabeth, Queen Mother"),
        ("Albert, Prince Consort", "Albert, Prince Consort"),
        ("Marcus Aurelius, Emperor of Rome, 121-180", "Marcus Aurelius, Emperor of Rome"),
        ("Pope, Alexander, 1688-1744", "Alexander Pope"),
        ("Lord, Audre", "Audre Lord"),
        # Left as written: no comma, a list of people, no given name after the comma.
        ("George Orwell", "George Orwell"),
        ("Maroon 5", "Maroon 5"),
        ("King, Stephen, Straub, Peter", "King, Stephen, Straub, Peter"),
        ("Lonely Planet, 2019", "Lonely Planet, 2019"),
        ("Madonna", "Madonna"),
        ("Harper & Row", "Harper & Row"),
        # Chinese, Japanese and Korean names are written family name first, without a space.
        ("司馬, 遼太郎", "司馬遼太郎"),
        ("村上春樹", "村上春樹"),
        # A comma inside the brackets parts nothing: a meeting's place, a real Open Library
        # author name (tests/fixtures/providers/openlibrary/search__start100__2019__…).
        (
            "International Conference on Greenhouse Gas Control Technologies (4th 1998 "
            "Interlaken, Switzerland)",
            "International Conference on Greenhouse Gas Control Technologies (4th 1998 "
            "Interlaken, Switzerland)",
        ),
    ],
)
def test_a_heading_is_written_as_its_name(heading, written):
    assert name_as_written(heading) == written


@pytest.mark.parametrize(
    ("heading", "written"),
    [
        # An organisation's heading: a firm's partners, a word of a firm or a body.
        ("Smith, Elder & Co.", "Smith, Elder & Co."),
        ("Simon & Schuster, Inc.", "Simon & Schuster, Inc."),
        ("Little, Brown and Company", "Little, Brown and Company"),
        ("Farrar, Straus and Giroux", "Farrar, Straus and Giroux"),
        ("Penguin Books, Ltd.", "Penguin Books, Ltd."),
        ("University of California, Berkeley", "University of California, Berkeley"),
        # Two whole names a comma lists (catalog.person_names.is_sort_name).
        ("Neil Gaiman, Terry Pratchett", "Neil Gaiman, Terry Pratchett"),
    ],
)
def test_a_heading_that_is_no_persons_name_is_left_as_written(heading, written):
    assert name_as_written(heading) == written


@pytest.mark.parametrize(
    ("heading", "written"),
    [
        # ISBNdb's dump record 9780000000101 and Open Library's author OL799925A (real).
        ("Nelson, Bob, Ph.D.", "Bob Nelson"),
        ("Ne\u030cmec\u030cek, Jan RNDr.", "Jan Ne\u030cmec\u030cek"),
        ("Smith, John, M.D.", "John Smith"),
        # Initials are no degree: `M.D.` among the given names is a person's initials.
        ("Smith, John M.D.", "John M.D. Smith"),
        # Open Library's `Judith McFarlane DrPh  RN  FAAN` (real), as a heading (synthetic).
        ("McFarlane, Judith, DrPH", "Judith McFarlane"),
        ("McFarlane, Judith DrPh", "Judith McFarlane"),
        ("McFarlane, Judith, FAAN", "Judith McFarlane"),
        ("Doe, Jane, MA", "Jane Doe"),  # after a comma of its own, `MA` is a degree
        # A degree that is a given name too is one only after a comma (synthetic headings).
        ("Nguyễn, Thị Ba", "Thị Ba Nguyễn"),
        ("Doe, Jane Ma", "Jane Ma Doe"),
    ],
)
def test_a_degree_after_the_name_is_no_part_of_it(heading, written):
    assert name_as_written(heading) == written


@pytest.mark.parametrize(
    ("heading", "written"),
    [
        # The fuller form of initials (the Library of Congress's headings) is written without.
        ("Eliot, T. S. (Thomas Stearns), 1888-1965", "T. S. Eliot"),
        ("Tolkien, J. R. R. (John Ronald Reuel), 1892-1973", "J. R. R. Tolkien"),
        ("Haggard, H. Rider (Henry Rider), 1856-1925", "H. Rider Haggard"),
        # A title of honour after the given names is no part of the name as written.
        ("Doyle, Arthur Conan, Sir, 1859-1930", "Arthur Conan Doyle"),
        ("Scott, Walter, Sir, 1771-1832", "Walter Scott"),
    ],
)
def test_a_headings_fuller_form_and_title_of_honour_are_left_out(heading, written):
    assert name_as_written(heading) == written

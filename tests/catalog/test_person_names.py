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

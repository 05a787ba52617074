"""A publisher's cell as its name, and a title's parenthesis that names the publisher (split
from catalog.importers.parsing)."""

import re
from collections.abc import Collection

from catalog import text


def split_publisher_parenthesis(title: str, publisher: str) -> tuple[str, str] | None:
    """A title's last parenthesis read off when it names the book's own publisher: just its
    name is its imprint, which the publisher already says (`The Portable Curmudgeon (Plume)`,
    publisher `Plume` -> ("The Portable Curmudgeon", "")); its name and more words are its
    series, which then needs no series word (`Lost Continents (Dover Occult)`, publisher `Dover
    Publications` -> ("Lost Continents", "Dover Occult")). None for any other title: a
    parenthesis that does not start with the publisher's name stays the title's (`It (Eso)`,
    `Sabriel (Abhorsen)`), as does one that is the whole title."""
    inside = text.split_trailing_parenthesis(title) if publisher and title.endswith(")") else None
    if not inside or not inside[0]:
        return None
    named, publishers = _publisher_words(inside[1]), _publisher_words(publisher)
    if not publishers or named[: len(publishers)] != publishers:
        return None
    return inside[0], "" if len(named) == len(publishers) else inside[1].strip()


# The places a publisher's cell names after it, in a parenthesis (Goodreads': `MIT Press (MA)`,
# `Penguin Books, Limited (UK)`, `Grove Press (NYC)`, `John Wiley & Sons (Hoboken, NJ)`,
# `Houghton Mifflin Co. (Boston/NY)`): where the edition was published, no part of the name.
_US_STATES = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
        "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
        "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
        "VT", "VA", "WA", "WV", "WI", "WY", "PR", "NYC",
    }
)  # fmt: skip
_PLACES = frozenset(
    place.casefold()
    for place in (
        "UK", "U.K.", "GB", "US", "U.S.", "USA", "U.S.A.", "CAN", "Canada", "Australia", "AUS",
        "NZ", "New Zealand", "India", "Ireland", "England", "Scotland", "Wales", "Spain",
        "España", "Mexico", "México", "France", "Germany", "Deutschland", "Italy", "Italia",
        "Japan", "China", "Argentina", "Brazil", "Brasil", "Chile", "Colombia", "Portugal",
        "Netherlands", "Sweden", "Norway", "Denmark", "Finland", "South Africa", "Singapore",
        "New York", "London", "Boston", "Chicago", "San Francisco", "Los Angeles",
        "Philadelphia", "Toronto", "Sydney", "Melbourne", "Paris", "Barcelona", "Madrid",
        "Buenos Aires", "Berlin", "Munich", "Oxford", "Cambridge", "Edinburgh", "Dublin",
        "Evanston", "Hoboken", "New Delhi", "Tokyo",
    )
)  # fmt: skip
_PUBLISHER_PLACE = re.compile(r"^(?P<name>.*\S)\s*\((?P<place>[^()]+)\)$")
# `Hoboken, NJ`: a town and its state's code.
# The date of a bookseller's listing after the publisher, which Goodreads copies: `Thomas
# Nelson Publishers (17 July 2003)`, `(July 17, 2003)`.
_LISTING_DATE = re.compile(r"^(?:\d{1,2} [A-Za-z]{3,9}\.? \d{4}|[A-Za-z]{3,9}\.? \d{1,2}, \d{4})$")
_TOWN_AND_STATE = re.compile(r"^[A-Z][\w.' -]+, (?P<state>[A-Z]{2})$")


# What is written where the publisher is not known: an export's `N/A`, `None`, `Unknown` (real
# Goodreads rows), a catalogue's "[s. n.]" (sine nomine), "[n.p.]", RDA's "[publisher not
# identified]": no publisher, which enrichment may fill, never a publisher of that name.
_NO_PUBLISHER = re.compile(
    r"\[?\s*(?:s\.?\s?n\.?|n\.?\s?p\.?|n\s?/\s?a|n\.\s?a\.|none|(?:publisher )?not identified"
    r"|unknown(?: publisher)?)\s*\]?\.?",
    re.IGNORECASE,
)


def names_no_publisher(value: str) -> bool:
    """Whether a publisher's cell or a provider's value says the publisher is unknown (`N/A`,
    "[s. n.]", a row of dashes): the one rule of the importers and the providers."""
    return bool(_NO_PUBLISHER.fullmatch(value.strip())) or not any(c.isalnum() for c in value)


# A library catalog's words before a publisher it gives among the book's people, or in its own
# cell: `Published by Farrar, Straus, Cudahy, Inc.`, `(Published by) David McKay`.
_PUBLISHER_CREDIT = re.compile(
    r"\(?\s*(?:published\s+by|publishers?\s*:|publ?\.\s+by)\s*\)?\s*:?\s*", re.IGNORECASE
)


def publisher_credit(value: str) -> str | None:
    """The publisher a cell credits with a library catalog's words (`Published by X`,
    `(Published by) X`, `Publisher: X`) -> "X"; None for any other cell (a person's name)."""
    if value.lstrip("( ")[:3].casefold() != "pub":  # nearly every cell, at C speed
        return None
    match = _PUBLISHER_CREDIT.match(value.lstrip())
    return value.lstrip()[match.end() :].strip() if match else None


# The house an imprint belongs to, written after it ("Orbit : an imprint of Little, Brown",
# "Belknap Press: An Imprint of Harvard University Press", "HarperOne - An Imprint of
# HarperCollins Publishers"): the publisher is the imprint, the house is no part of its name.
_IMPRINT_OF = re.compile(
    r"(?<=\S)(?<!\ban)(?<!\ba)\s*[,:;(\-–—]?\s*\b(?:an?\s+)?imprint\s+of\b.*$", re.IGNORECASE
)


def without_parent_house(name: str) -> str:
    """A publisher's cell or a provider's imprint without the house the imprint belongs to
    (`Belknap Press: An Imprint of Harvard University Press` -> `Belknap Press`, `Orbit, an
    imprint of Little, Brown` -> `Orbit`): the one rule of the importers and the providers. A
    name with nothing before its "imprint of" stays (`Imprint of Excellence Press`)."""
    if "mprint" not in name and "MPRINT" not in name:
        return name  # nearly every name, at C speed
    return _IMPRINT_OF.sub("", name)


def without_place(name: str, places: Collection[str] = ()) -> str:
    """A publisher without the place it is written with, before a colon (`New York: Random
    House`) or after the last comma (`Orion Books Ltd., London`, `Oxford University Press,
    USA`, Open Library's `Schmidt, Berlin`): one `is_place` knows, or one of `places`, a
    record's own places of publication, lower-cased. Any other colon or comma stays (`Random
    House: Modern Library`, `Little, Brown`): the one rule of the importers and the providers."""
    if ":" in name:
        head, _colon, rest = name.partition(":")
        if rest.strip() and _names_a_place(head.strip(), places):
            name = rest.strip()
    if "," not in name:
        return name  # nearly every name, at C speed
    head, _comma, tail = name.rpartition(",")
    place = tail.strip(" []")
    return head.strip() if head.strip() and _names_a_place(place, places) else name


def _names_a_place(value: str, places: Collection[str]) -> bool:
    return bool(value) and (value.rstrip(".").casefold() in places or is_place(value))


def publisher_name(publisher: str) -> str:
    """A publisher's cell as its name: without the place it names after it, in a parenthesis
    (`MIT Press (MA)` -> `MIT Press`, `Penguin Books, Limited (UK)`, `Children's Press(CT)`,
    `Houghton Mifflin Co. (Boston/NY)`, `John Wiley & Sons (Hoboken, NJ)`), so that the book's
    publisher reads as its name, as a title's parenthesis naming it does. Any other parenthesis
    stays: a parent company (`Del Rey (Random House)`), a reading (`集英社 (Shueisha)`), a code
    (`Berkley Pub Group (Mm)`); a listing's date goes too (`Thomas Nelson Publishers (17 July
    2003)`). Nor does it keep quotes around the whole name, which Google
    Books writes for O'Reilly and apps filled from it export (`"O'Reilly Media, Inc."`), or a
    placeholder for an unknown publisher (`names_no_publisher`), which is "", or a catalog's
    words before the name (`Published by Doubleday`: `publisher_credit`), or the house an
    imprint belongs to (`Belknap Press: An Imprint of Harvard University Press`:
    `without_parent_house`), or a place before a colon or after a comma (`New York: Random
    House`, `Orion Books Ltd., London`: `without_place`)."""
    credited = publisher_credit(publisher)
    if credited is not None:
        publisher = credited
    if publisher[:1] == '"' and publisher[-1:] == '"' and publisher.count('"') == 2:
        publisher = publisher[1:-1].strip()
    publisher = without_place(without_parent_house(publisher))
    if names_no_publisher(publisher):
        return ""
    match = _PUBLISHER_PLACE.match(publisher) if publisher.endswith(")") else None
    if match is None:
        return publisher
    inside = match["place"].strip()
    if not is_place(inside) and not _LISTING_DATE.match(inside):
        return publisher
    return match["name"].rstrip(" ,;-")


def is_place(value: str) -> bool:
    """Whether a publisher's cell or a provider's imprint names a place there (`MA`, `Boston/NY`,
    `Hoboken, NJ`, `Berlin`): the one list of the importers and the providers."""
    town = _TOWN_AND_STATE.match(value)
    if town is not None:
        return town["state"] in _US_STATES
    parts = [part.strip() for part in re.split(r"/|,|\s&\s", value)]
    return all(part in _US_STATES or part.casefold() in _PLACES for part in parts)


# Words a publisher's name carries in one catalog and drops in another (`MIT Press` / `The MIT
# Press`, `Tempus` / `Tempus Books`, `Dover` / `Dover Publications`): they tell no publisher.
_PUBLISHER_GENERIC_WORDS = {
    "the", "a", "an", "and", "of", "press", "book", "books", "publishing", "publishers",
    "publications", "editions", "editorial", "ediciones", "edicions", "edizioni", "editores",
    "editora", "verlag", "inc", "ltd", "llc", "co", "company", "group", "sa", "sl", "gmbh", "ag",
}  # fmt: skip


def _publisher_words(name: str) -> list[str]:
    return [w for w in text.normalize_text(name).split() if w not in _PUBLISHER_GENERIC_WORDS]

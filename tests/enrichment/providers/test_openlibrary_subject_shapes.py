"""What Open Library's subjects propose, on its recorded bodies and the dump's real lines: the
paths booksellers' feeds write, and the places and people a work record files apart."""

import json
import re

import pytest

from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import body, load
from tests.enrichment.providers.test_openlibrary_recorded_shapes import dump_edition_line


@pytest.fixture
def openlibrary(make, http):
    # The records' authors are looked up by key: Open Library knows none of them here.
    http.get(
        re.compile(r"https://openlibrary\.org/authors/.*"),
        status=404,
        body=body("openlibrary", "synthetic-author__OL99000002A__notfound.json"),
    )
    return make(OpenLibraryProvider)


def edition_subjects(http, openlibrary, key: str, record: dict) -> list[str]:
    http.get(f"https://openlibrary.org/books/{key}.json", json=record)
    [candidate] = openlibrary.edition(key).candidates
    return candidate.subjects


def test_a_bookseller_s_path_joined_by_dashes_is_its_headings(http, openlibrary):
    """Sabriel's editions (work_editions__OL15832982W.json) carry a bookseller's headings
    joined by " - ": "Children's 12-Up - Fiction - Fantasy" is Children's 12-Up, Fiction and
    Fantasy, "Action & Adventure - General" is Action & Adventure (its General names none),
    as "Juvenile Fiction / General" was read already."""
    entries = load("openlibrary", "work_editions__OL15832982W.json")["entries"]
    record = next(e for e in entries if e["key"] == "/books/OL9788823M")

    subjects = edition_subjects(http, openlibrary, "OL9788823M", record)

    assert subjects == [
        "Action & Adventure",
        "Science Fiction, Fantasy, & Magic",
        "Children's 12-Up",
        "Fiction",
        "Fantasy",
        "Fantastic fiction",
        "Children: Young Adult (Gr. 7-9)",
    ]


def test_a_dashed_path_and_a_slashed_one_are_the_same_headings(http, openlibrary):
    """A real dump line (booklink_editions_head300.txt, /books/OL10042663M) files "Politics /
    Current Events" beside "Government - Comparative"; another (OL10042106M) "Engineering -
    Civil". A heading that only ends in a dash ("…postwar, from c 1945 -") is no path."""
    first = json.loads(dump_edition_line("booklink_editions_head300.txt", "OL10042663M"))
    second = json.loads(dump_edition_line("booklink_editions_head300.txt", "OL10042106M"))

    subjects = edition_subjects(http, openlibrary, "OL10042663M", first)
    engineering = edition_subjects(http, openlibrary, "OL10042106M", second)

    assert "British & Irish history: postwar, from c 1945 -" in subjects
    assert {"Government", "Comparative", "Politics", "Current Events"} <= set(subjects)
    assert not any(" - " in subject for subject in subjects + engineering)
    assert {"Engineering", "Civil"} <= set(engineering)

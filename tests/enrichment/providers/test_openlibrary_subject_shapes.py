"""What Open Library's subjects propose, on its recorded bodies and the dump's real lines: the
paths booksellers' feeds write, and the places and people a work record files apart."""

import json

import pytest

from tests.enrichment.providers.helpers import load
from tests.enrichment.providers.test_openlibrary_recorded_shapes import (
    DUMP_FIXTURES,
    dump_edition_line,
)


@pytest.fixture
def openlibrary(openlibrary_knowing_no_authors):
    return openlibrary_knowing_no_authors


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


def dump_work_line(file: str, key: str) -> dict:
    """The record of a real dump line: what `/works/{key}.json` serves."""
    lines = (DUMP_FIXTURES / file).read_text(encoding="utf-8").splitlines()
    return next(json.loads(c[4]) for line in lines if (c := line.split("\t"))[1] == f"/works/{key}")


def test_the_places_a_work_is_about_are_among_its_subjects(http, openlibrary):
    """Real dump lines: OL999468W (booklink_works_tail30.txt) files "Cornwall (England :
    County)" in `subject_places`, apart from its subjects; OL10018590W (…_head300.txt) two.
    They were never proposed; they are now, after the subjects. People and times are not (a
    bare name, "Philippe Noiret", or "20th century" says too little of what it is)."""
    proposed = {}
    for key, file in (
        ("OL999468W", "tail30"),
        ("OL10018590W", "head300"),
        ("OL10007604W", "head300"),
    ):
        record = dump_work_line(f"booklink_works_{file}.txt", key)
        http.get(f"https://openlibrary.org/works/{key}.json", json=record)
        [candidate] = openlibrary.work(key).candidates
        proposed[key] = candidate.subjects

    assert proposed["OL999468W"] == [
        "Fiction",
        "Historical fiction",
        "History",
        "Cornwall (England : County)",
    ]
    assert proposed["OL10018590W"][-2:] == ["Werl (Germany)", "Wiedenbrück (Germany)"]
    assert proposed["OL10007604W"] == ["Actors", "Biography", "France"]  # not Philippe Noiret


def test_the_books_api_s_places_are_among_the_subjects_its_characters_are_not(openlibrary):
    """The real Books API answer for Wyrd Sisters names Lancre and Ankh-Morpork in
    `subject_places` and its characters, among them Death, in `subject_people`."""
    [record] = load(
        "openlibrary", "books_api_jscmd_data__ISBN_0575043636__wyrd_sisters.json"
    ).values()

    subjects = openlibrary.parse_books_api_record(record).subjects

    assert subjects[-2:] == ["Lancre (Imaginary place)", "Ankh-Morpork (Imaginary place)"]
    assert not {"Death", "Granny Weatherwax", "Greebo"} & set(subjects)

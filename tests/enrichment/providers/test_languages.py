"""A provider's language as the catalog stores it: a value that names no language proposes none."""

import pytest

from enrichment.languages import language_code
from enrichment.providers.isbndb import IsbndbProvider
from tests.enrichment.providers.helpers import load

API = "https://api2.isbndb.com"


@pytest.mark.parametrize(
    "value",
    ["N/A", "n/a", "--", "-", "?", "und", "mul", "zxx", "mis", "unk", "a", "Klingon", "1984"],
)
def test_a_value_that_names_no_language_gives_none(value):
    """`language_code("N/A")` was "a" (the part after the slash, as in "/languages/eng"), "mul"
    and "--" were kept as codes: each was proposed as the edition's language."""
    assert language_code(value) == ""


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("/languages/eng", "en"),
        ("eng ", "en"),
        (" English ", "en"),
        ("English; French", "en"),  # the first, as the importers read a cell
        ("eng, fre", "en"),
        ("EN-us", "en-us"),  # a region stays, lower case, as Google Books' "pt-BR" does
        ("pt_BR", "pt-br"),
        ("iw", "he"),  # ISO 639-1 codes withdrawn for new ones
        ("in", "id"),
        ("ji", "yi"),
        ("iw-IL", "he-il"),
        ("/languages/scr", "hr"),  # MARC's own code
        ("tha", "tha"),  # a code the table does not know is kept
    ],
)
def test_a_language_reads_as_its_code(value, code):
    assert language_code(value) == code


def test_isbndb_not_applicable_language_is_no_language(http, make):
    """ISBNdb's record with its language written "N/A" (the real record 9780000000101, its
    language set by the test) proposed the language "a"."""
    book = load("isbndb", "isbndb_dump_record__9780000000101.json")
    book["language"] = "N/A"
    http.get(f"{API}/book/9780000000101", json={"book": book})

    result = make(IsbndbProvider).lookup_isbns(["9780000000101"])["9780000000101"]

    assert [candidate.language for candidate in result.candidates] == [""]

"""A UTF-8 export with a few bad bytes is read as UTF-8, the bad bytes replaced and their lines
named; a file in an 8-bit code page is still read in it. The files are real exports from
tests/fixtures/imports (see their PROVENANCE.md), damaged or re-encoded here, in the test."""

import json
from pathlib import Path

import pytest

from catalog.importers import read_csv
from tests.catalog.test_import_file_checks import run_import_books

IMPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
# 6 lines, 4 accented letters: "Città Nuova" (line 2), "così", "Unità" (line 3), "realtà" (6).
SALVODIF = IMPORTS / "goodreads_real" / "Salvodif__goodreads_library_export.csv"
# Plain ASCII: no accented letter.
ARGV1 = IMPORTS / "goodreads_real" / "argv1__goodreads_library_export.csv"
# A high surrogate written as 3 bytes, as Java's and MySQL's "utf8" write half an emoji (CESU-8).
ENCODED_SURROGATE = b"\xed\xa0\x80"


def damaged_salvodif() -> bytes:
    """Line 3's "ì" loses its second byte (a bad copy); line 4 gets an encoded surrogate."""
    data = SALVODIF.read_bytes()
    assert "così".encode() in data and b"Evangelii Gaudium:" in data
    data = data.replace("così".encode(), "così".encode()[:-1], 1)
    return data.replace(b"Evangelii Gaudium:", b"Evangelii Gaudium" + ENCODED_SURROGATE + b":")


def test_utf8_export_with_a_broken_letter_and_a_surrogate_keeps_its_other_accents():
    """Read before as a code page (cp1250), "Città" and "realtà" came out as mojibake."""
    csv_file = read_csv(damaged_salvodif())
    rows = dict(csv_file.rows)
    assert csv_file.encoding == "utf-8"
    assert "Città Nuova" in rows[2]
    assert rows[3][1].startswith("Da principio non fu cos\ufffd!: Unità originaria")
    assert rows[4][1].startswith("Evangelii Gaudium\ufffd: The Joy")  # one mark, not three
    assert rows[6][1] == "La realtà dell'orco"
    assert csv_file.warnings[0].startswith(
        "The file is UTF-8 with 2 damaged byte sequence(s), on line(s) 3, 4; each was replaced"
    )


def test_ascii_export_with_encoded_surrogates_is_read_as_utf8_not_a_dos_code_page():
    """Before, two surrogates in an all-ASCII export made it cp1125 (Ukrainian DOS)."""
    lines = ARGV1.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b",", ENCODED_SURROGATE + b",", 1)
    lines[2] = lines[2].replace(b",", ENCODED_SURROGATE + b",", 1)
    csv_file = read_csv(b"\n".join(lines))
    assert csv_file.encoding == "utf-8"
    assert [cells[0].endswith("\ufffd") for _, cells in csv_file.rows[:2]] == [True, True]
    assert "2 damaged byte sequence(s), on line(s) 2, 3;" in csv_file.warnings[0]


def test_the_warning_names_ten_damaged_lines_then_says_there_are_more():
    text = SALVODIF.read_text(encoding="utf-8")
    header, row = text.splitlines()[:2]
    data = "\n".join([header, *[row] * 12]).encode().replace(b"Nuova", b"Nuova\xed\xa0\x80")
    csv_file = read_csv(data)
    assert csv_file.encoding == "utf-8"
    named = "12 damaged byte sequence(s), on line(s) 2, 3, 4, 5, 6, 7, 8, 9, 10, 11…;"
    assert named in csv_file.warnings[0]


@pytest.mark.django_db
def test_the_import_warns_each_row_holding_a_damaged_place(tmp_path):
    path = tmp_path / "goodreads_library_export.csv"
    path.write_bytes(damaged_salvodif())
    result = json.loads(run_import_books(str(path), "--json"))
    assert result["warnings"][0].startswith("The file is UTF-8 with 2 damaged byte sequence(s)")
    assert [row["line"] for row in result["warning_rows"]] == [3, 4]
    assert all("shown as \ufffd in: Title" in row["warnings"][0] for row in result["warning_rows"])


REAL_EXPORTS = IMPORTS / "real_shapes"


@pytest.mark.parametrize(
    ("name", "encoding", "line_end"),
    [
        ("goodreads-carlosperezzz-numbered-series-n.csv", "cp1252", "\n"),
        ("goodreads-advokatb-comma-number-series.csv", "cp1251", "\n"),
        ("librarything-aipotu-two-series-parentheses.tsv", "cp1252", "\n"),
        ("librarything-aipotu-two-series-parentheses.tsv", "mac_roman", "\r"),
    ],
)
def test_a_real_export_saved_in_an_8bit_code_page_is_still_read_in_it(name, encoding, line_end):
    text = (REAL_EXPORTS / name).read_text(encoding="utf-8")
    saved = text.replace("\r\n", "\n").replace("\n", line_end).encode(encoding)
    csv_file, as_utf8 = read_csv(saved), read_csv(text.encode())
    assert csv_file.encoding == encoding
    assert (csv_file.header, csv_file.rows) == (as_utf8.header, as_utf8.rows)

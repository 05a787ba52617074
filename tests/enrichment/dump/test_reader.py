"""The dump reader: real lines -> compact rows, broken lines counted, cut files noticed. No DB."""

import gzip
import json
import random
from collections import Counter

import msgspec
import pytest

from catalog import isbn
from enrichment.dump import isbn_keys, reader
from enrichment.dump.loader import sanity_problem
from tests.enrichment.dump.conftest import (
    REAL_AUTHORS,
    REAL_EDITIONS,
    REAL_WORKS,
    fixture_path,
    real_lines,
)


def rows_by_id(kind: str, names: list[str]) -> dict[int, tuple]:
    rows = {}
    for name in names:
        _, blocks = reader.read_dump(fixture_path(name), kind)
        for block in blocks:
            rows.update((row[0], row) for row in block.rows[kind])
    return rows


def real_line(name: str, key: str) -> bytes:
    for line in fixture_path(name).read_bytes().splitlines():
        if line.split(b"\t")[1] == key.encode():
            return line
    raise LookupError(key)


@pytest.mark.parametrize(
    ("kind", "names", "lines"),
    [("edition", REAL_EDITIONS, 370), ("work", REAL_WORKS, 330), ("author", REAL_AUTHORS, 357)],
)
def test_every_real_line_becomes_a_row(kind, names, lines):
    total = reader.FileReport(path="", kind=kind, compressed=False, file_bytes=0)
    for name in names:
        report, blocks = reader.read_dump(fixture_path(name), kind)
        for _ in blocks:
            pass
        assert not report.truncated
        total.lines += report.lines
        total.rows.update(report.rows)
        total.bad.update(report.bad)
        total.odd_fields.update(report.odd_fields)

    assert total.lines == lines
    assert total.rows[kind] == lines
    assert not total.bad
    assert not total.odd_fields


def test_an_edition_keeps_only_what_matching_needs():
    rows = rows_by_id("edition", ["booklink_editions_head300.txt"])

    assert rows[10000135] == (
        10000135,
        7925046,  # /works/OL7925046W
        "Parliamentary Debates, House of Lords, Bound Volumes, 1992-93",
        "9th November - 3rd December, 1992",
        "2645777",  # /authors/OL2645777A
        "Bernan Press",
        "December 1993",
        64,
        "eng",
        "Hardcover",
        None,  # no covers
        "9780107805401,107805405",  # ISBN-13 and ISBN-10 (0107805405) as lookup keys
        199312,  # publish_month of "December 1993"
        None,  # no series, contributions, contributors, pagination nor places
    )
    # isbn_10 only, with a cover
    assert rows[1000071][10] == "3857213"
    assert rows[1000071][11] == "1562461397"


def test_cover_minus_one_means_no_cover_and_an_isbn10_ending_in_x_is_kept():
    rows = rows_by_id("edition", ["booklink_editions_grep_dostoyevsky50.txt"])
    assert (
        '"covers": [-1]'
        in real_line("booklink_editions_grep_dostoyevsky50.txt", "/books/OL15248986M").decode()
    )

    row = rows[15248986]
    assert row[10] is None
    assert [isbn_keys.isbn_from_key(key) for key in reader.number_list(row[11])] == ["070432542X"]


def test_editions_without_isbn_fields_have_no_isbn_rows():
    report, blocks = reader.read_dump(fixture_path("booklink_editions_head300.txt"), "edition")
    blocks = list(blocks)
    rows = [row for block in blocks for row in block.rows["edition"]]
    isbn_edition_ids = {edition_id for block in blocks for _, edition_id in block.rows["isbn"]}
    without = {row[0] for row in rows if row[11] is None}

    assert without == {100160, 1004484, 1006194}  # the head300 lines with no ISBN field
    assert not without & isbn_edition_ids
    # One row an ISBN, as its ISBN-13: an edition listing both forms of one ISBN has one row.
    table_keys = {(key, edition_id) for block in blocks for key, edition_id in block.rows["isbn"]}
    listed = {
        (isbn_keys.isbn13_of_key(key), row[0])
        for row in rows
        for key in reader.number_list(row[11])
    }
    assert table_keys == listed - {(None, row[0]) for row in rows}
    assert all(key >= isbn_keys.ISBN13_MIN for key, _ in table_keys)
    assert report.rows["isbn"] == len(table_keys)


def test_the_isbn_table_holds_each_valid_isbn_once_as_its_isbn13():
    # 0-7043-2542-X / 978-0-7043-2542-5: one book listed in both forms, one row.
    ten = isbn_keys.isbn_key("070432542X", length=10)
    assert isbn_keys.isbn_table_rows(7, [9780704325425, ten]) == [(9780704325425, 7)]
    assert isbn_keys.isbn_table_rows(7, [ten]) == [(9780704325425, 7)]  # an ISBN-10 alone
    # An ISBN-10 whose check digit is wrong: no valid ISBN looks it up, no row.
    wrong = isbn_keys.isbn_key("0704325421", length=10)
    assert isbn_keys.isbn_table_rows(7, [wrong]) == []
    assert isbn_keys.isbn_table_rows(7, [9791032305690, 9780704325425]) == [
        (9791032305690, 7),
        (9780704325425, 7),
    ]


def test_work_author_roles_in_both_forms_and_descriptions():
    rows = rows_by_id("work", REAL_WORKS)

    # {"type": {"key": "/type/author_role"}, "author": {"key": "/authors/OL3965090A"}}
    assert rows[10000106][3] == "3965090"
    # {"type": "/type/author_role", "author": {"key": "/authors/OL3965242A"}}, "covers": [3140444]
    assert rows[10000223][3:5] == ("3965242", "3140444")
    work = rows[999468]  # description as {"type": "/type/text", "value": ...}
    assert work[1] == "Upon A Moon-Dark Moor"
    assert work[7].startswith("SHE WAS HIGHBORN AND BEAUTIFUL")
    assert json.loads(work[5]) == ["Fiction", "Historical fiction", "History"]


def test_synthetic_work_with_a_plain_string_description():
    rows = rows_by_id("work", ["synthetic-works.txt"])

    assert rows[99000001][7] == "A plain-string description."
    assert rows[99000002][7] == "A typed description."
    assert rows[99000002][4] is None  # covers: [-1]


def test_author_name_dates_and_ids():
    rows = rows_by_id("author", ["booklink_authors_grep_orwell37.txt"])

    _, name, born, died, remote_ids = rows[118077]
    assert (name, born, died) == ("George Orwell", "25 June 1903", "21 January 1950")
    assert json.loads(remote_ids) == {"viaf": "95155403", "wikidata": "Q3335"}


@pytest.mark.parametrize(
    ("kind", "names"),
    [("edition", REAL_EDITIONS), ("work", REAL_WORKS), ("author", REAL_AUTHORS)],
)
def test_the_typed_fast_path_reads_what_a_plain_json_parse_reads(kind, names):
    for line in real_lines(names).splitlines():
        document = line.split(b"\t")[4]
        typed = reader._DECODERS[kind].decode(document)
        generic = msgspec.convert(json.loads(document), reader.DOC_BY_KIND[kind])
        assert typed == generic


def test_a_field_of_an_unexpected_type_is_dropped_not_the_line():
    line = real_line("booklink_editions_head300.txt", "/books/OL10000135M")
    record = json.loads(line.split(b"\t")[4])
    record["title"] = 1992  # a number where a string belongs
    record["number_of_pages"] = "64 p."
    odd = b"\t".join([*line.split(b"\t")[:4], json.dumps(record).encode()])

    block = reader.parse_lines("edition", [odd])

    [row] = block.rows["edition"]
    assert row[2] is None and row[7] is None
    assert row[4] == "2645777" and row[11] == "9780107805401,107805405"
    assert block.odd_fields == {"edition.title": 1, "edition.number_of_pages": 1}
    assert not block.bad


def test_bad_lines_are_counted_and_skipped():
    good = real_line("booklink_editions_head300.txt", "/books/OL10000135M")
    columns = good.split(b"\t")
    broken = [
        good[: len(good) // 2],  # cut in the middle of its JSON
        good.replace(b'"Bernan Press"', b'"Bernan \x00Press"'),  # a NUL byte
        good.replace(b'"Bernan Press"', b'"Bernan \\u0000Press"'),  # PostgreSQL rejects it
        b"\t".join(columns[:3]),  # three columns
        b"\t".join([columns[0], b"/books/not-a-key", *columns[2:]]),
        b"\t".join([*columns[:4], b"[1, 2, 3]"]),  # JSON, but not an object
        good.replace(b'"Bernan Press"', b'"Bernan \xff Press"'),  # not UTF-8
        good.replace(b'"Bernan Press"', b'"Bernan \\ud800 Press"'),  # a lone surrogate
        good.replace(b"OL10000135M", b"OL99999999999M"),  # beyond a 32-bit id
        b"/type/redirect\t/books/OL1M\t2\t2010-01-01T00:00:00\t{}",  # another type: ignored
        b"",  # a blank line is no line
    ]

    block = reader.parse_block("edition", b"\n".join([good, *broken, good]))

    assert len(block.rows["edition"]) == 2
    assert block.lines == 12
    assert block.other_types == 1
    assert block.bad == {
        reader.BAD_JSON: 3,
        reader.BAD_NUL: 2,
        reader.BAD_COLUMNS: 1,
        reader.BAD_KEY: 2,
        reader.BAD_SHAPE: 1,
    }


def test_gzip_and_plain_read_the_same(dump_file):
    data = real_lines(REAL_EDITIONS)
    plain_report, plain = reader.read_dump(dump_file(data), "edition")
    gzip_report, gzipped = reader.read_dump(dump_file(data, compress=True), "edition")

    assert [b.rows for b in plain] == [b.rows for b in gzipped]
    assert gzip_report.compressed and not plain_report.compressed
    assert gzip_report.bytes_read == plain_report.bytes_read == len(data)
    assert gzip_report.lines == plain_report.lines == 370


def test_a_cut_gzip_stream_is_noticed(dump_file):
    data = gzip.compress(real_lines(REAL_EDITIONS))
    report, blocks = reader.read_dump(dump_file(data[: len(data) // 2], name="cut.gz"), "edition")
    for _ in blocks:
        pass

    assert "cut short" in report.truncated


def test_a_last_line_without_newline_is_whole_if_it_parses(dump_file):
    data = real_lines(["booklink_editions_tail20.txt"])
    whole_report, blocks = reader.read_dump(dump_file(data.rstrip(b"\n")), "edition")
    assert sum(len(b.rows["edition"]) for b in blocks) == 20
    assert not whole_report.truncated

    cut_report, blocks = reader.read_dump(dump_file(data[:-200], name="cut.txt"), "edition")
    assert sum(len(b.rows["edition"]) for b in blocks) == 19
    assert cut_report.truncated == "the last line is cut short"
    assert cut_report.bad == {reader.BAD_UNFINISHED: 1}


def test_lines_longer_than_a_block_are_read(dump_file, monkeypatch):
    monkeypatch.setattr(reader, "BLOCK_BYTES", 100)  # every line spans several reads
    report, blocks = reader.read_dump(dump_file(real_lines(REAL_WORKS)), "work")

    assert sum(len(b.rows["work"]) for b in blocks) == 330
    assert not report.bad


def test_wherever_the_reads_cut_the_lines_the_rows_and_bad_lines_are_the_same(
    dump_file, monkeypatch
):
    """The reader splits each read where it lies and joins only a cut line's two pieces: a
    NUL byte or a \\u0000 escape cut in two by the reads is still a bad line."""
    good = real_lines(["booklink_editions_tail20.txt"]).split(b"\n")[:6]
    nul = good[1].replace(b'"title": "', b'"title": "\x00', 1)
    escape = good[3].replace(b'"title": "', b'"title": "\\u0000', 1)
    assert nul != good[1] and escape != good[3]
    data = b"\n".join([good[0], nul, good[2], escape, *good[4:]]) + b"\n"
    path = dump_file(data)
    escape_at = data.index(b"\\u0000")

    def read(block_bytes: int) -> tuple[list, dict, int]:
        monkeypatch.setattr(reader, "BLOCK_BYTES", block_bytes)
        report, blocks = reader.read_dump(path, "edition")
        rows = [row for block in blocks for row in block.rows["edition"]]
        return rows, dict(report.bad), report.lines

    whole = read(len(data) + 1)
    assert whole[1] == {reader.BAD_NUL: 2} and whole[2] == 6 and len(whole[0]) == 4
    # Reads that end inside the escape (each of its six bytes), and a few other sizes.
    for block_bytes in [*range(escape_at + 1, escape_at + 6), 97, 1000, 4096]:
        assert read(block_bytes) == whole, block_bytes


def test_isbn_keys_find_a_valid_isbn_in_either_form_and_never_an_invalid_one():
    rng = random.Random(8)
    for _ in range(2000):
        first12 = "978" + "".join(rng.choice("0123456789") for _ in range(9))
        isbn13 = first12 + isbn.isbn13_check_digit(first12)
        isbn10 = isbn.isbn13_to_isbn10(isbn13)
        keys = isbn_keys.isbn_keys_for_lookup(isbn13)
        assert isbn_keys.isbn_key(isbn13, length=13) in keys
        assert isbn_keys.isbn_key(isbn10, length=10) in keys
        assert isbn_keys.isbn_from_key(isbn_keys.isbn_key(isbn10, length=10)) == isbn10
        # The same digits with a wrong check digit are another key: never matched.
        wrong13 = first12 + str((int(isbn13[-1]) + 1) % 10)
        wrong10 = isbn10[:9] + ("0" if isbn10[9] == "X" else "X")
        assert isbn_keys.isbn_key(wrong13, length=13) not in keys
        assert isbn_keys.isbn_key(wrong10, length=10) not in keys


def test_isbn_spellings_go_through_the_catalog_rules():
    assert isbn_keys.isbn_key("0-306-40615-2", length=10) == 306406152
    assert isbn_keys.isbn_key("978-0-306-40615-7", length=13) == 9780306406157
    assert isbn_keys.isbn_key("9780306406157", length=10) == 9780306406157  # filed as ISBN-10
    assert isbn_keys.isbn_key("0-306-40615-3", length=10) is None  # hyphenated and invalid
    assert isbn_keys.isbn_key("not an isbn", length=13) is None
    # 13 digits that are no ISBN-13 would read as the ISBN-10 0306406152's key: never kept.
    assert isbn_keys.isbn_key("0000306406152", length=13) is None
    assert isbn_keys.edition_isbn_keys(["0000306406152"], []) == []
    assert isbn_keys.isbn_keys_for_lookup("9791032305690") == [9791032305690]  # no ISBN-10


def test_sanity_check_refuses_empty_cut_and_shrunken_dumps():
    def report(**fields):
        base = reader.FileReport(path="d.txt", kind="edition", compressed=False, file_bytes=1)
        for name, value in fields.items():
            setattr(base, name, value)
        return base

    assert "empty" in sanity_problem(report(), previous=None, allow_shrink=False)
    assert "cut short" in sanity_problem(
        report(truncated="x", rows=Counter(edition=5)), previous=None, allow_shrink=False
    )
    assert "wrong file" in sanity_problem(
        report(lines=3, other_types=3), previous=None, allow_shrink=False
    )
    many_bad = report(lines=100, rows=Counter(edition=90), bad=Counter({reader.BAD_JSON: 10}))
    assert "unreadable" in sanity_problem(many_bad, previous=None, allow_shrink=False)
    shrunk = report(lines=10, rows=Counter(edition=10))
    previous = {"rows": {"edition": 100}}
    assert "under 50%" in sanity_problem(shrunk, previous=previous, allow_shrink=False)
    assert sanity_problem(shrunk, previous=previous, allow_shrink=True) == ""


def test_isbns_of_keys_agree_with_the_providers_isbn_lists():
    from enrichment.providers.fields import isbn_lists

    rng = random.Random(3)
    keys = []
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(9))
        # A random last digit: about one in ten is a valid ISBN, the rest are dump noise.
        keys.append(isbn_keys.isbn_key(digits + rng.choice("0123456789X"), length=10))
        prefix = rng.choice(["978", "979", "977"])
        keys.append(int(prefix + digits + rng.choice("0123456789")))
    for start in range(0, len(keys), 7):
        part = keys[start : start + 7]
        assert isbn_keys.isbns_of_keys(part) == isbn_lists(isbn_keys.isbn_from_key(k) for k in part)


def test_the_dump_uses_the_catalogs_check_digits():
    # One routine: a fix to the catalog's check digits reaches the dump's lookups too.
    assert isbn_keys.isbn13_check_digit is isbn.isbn13_check_digit
    assert isbn_keys.isbn10_check_digit is isbn.isbn10_check_digit


def test_author_keys_beyond_32_bits_are_dropped():
    keys = ["/authors/OL12A", "/authors/OL99999999999A", "/authors/OL12A", "/people/OL3A"]

    assert reader.author_numbers(keys) == "12"


def test_an_editions_isbn_columns_follow_the_general_rules_on_every_spelling():
    """`edition_isbn_columns` takes a short path for the usual spellings: it must give what
    `edition_isbn_keys` and `isbn_table_rows` give, for the real lines' lists and the odd ones."""
    cases = [
        (["9780704325425"], ["070432542X"]),  # its own ISBN-10, check digit X
        (["9780704325425"], ["070432542x"]),
        (["9780704325425"], ["0704325421"]),  # same nine digits, a wrong check digit
        (["9780704325425"], ["0306406152"]),  # another book's ISBN-10
        (["9791032305690"], ["1032305690"]),  # 979: no ISBN-10 of its own
        (["9780000000002"], ["0000000000"]),  # leading zeros: stored as a number
        (["978-0-7043-2542-5"], []),
        (["9780704325425"], ["0704325429X"]),
        (["9780704325425", "9780704325425"], []),
        (["0000306406152"], []),
        ([""], [""]),
        ([], ["070432542X"]),
        ([], []),
        # Other scripts' digits: str.isdecimal takes them, the stored keys are ASCII numbers.
        (["978\u0660\u0667\u0660\u0664\u0663\u0662\u0665\u0664\u0662\u0665"], []),
        (["978070432542\u0665"], ["070432542X"]),
        (["9780704325425"], ["\u0660\u0667\u0660\u0664\u0663\u0662\u0665\u0664\u0662X"]),
        ([], ["070432542\u0665"]),
        ([], ["\u0660704325425"]),
        # An ISBN-10 alone, in each spelling: X, x, leading zeros, a wrong check digit, not one.
        ([], ["070432542x"]),
        ([], ["0704325421"]),  # wrong check digit: kept in the list, no table row
        ([], ["0306406152"]),
        ([], ["0000000000"]),
        ([], ["030640615X"]),  # X where the check digit is 2
        ([], ["0-306-40615-2"]),
        ([], ["0 306 40615 2"]),
        ([], ["ISBN 0306406152"]),
        ([], ["9780306406157"]),  # an ISBN-13 in the ISBN-10 list
        ([], ["030640615"]),
        ([], ["03064061522"]),
        ([], ["X306406152"]),
        ([], ["03064061A2"]),
        ([], [""]),
        ([], ["0306406152", "0306406152"]),  # duplicates
        ([], ["0306406152", "070432542X"]),
        # An ISBN-13 alone or with an ISBN-10, in other spellings.
        (["9790000000001"], []),
        (["9791032305690"], []),
        (["9780306406158"], []),  # wrong check digit: kept, as the dump writes it
        (["9780306406157"], ["0306406152"]),
        (["9780306406157"], ["0306406153"]),  # its nine digits, a wrong tenth
        (["9780306406157"], ["030640615x"]),
        (["9780306406157"], ["0704325425"]),  # an ISBN-10 not matching the 13
        (["9780306406157"], ["0-306-40615-2"]),
        (["978 0306406157"], ["0306406152"]),
        (["9780306406157"], ["0306406152", "0306406152"]),
        (["9780306406157", "9780704325425"], ["0306406152", "070432542X"]),
        (["9780306406157"], ["030640615"]),
        (["9780306406157"], ["030640615?"]),
        (["1234567890123"], ["0306406152"]),  # 13 digits, no 978/979: no ISBN
        (["978030640615"], ["0306406152"]),
    ]
    for line in real_lines(REAL_EDITIONS).splitlines():
        document = json.loads(line.split(b"\t")[4])
        cases.append((document.get("isbn_13", []), document.get("isbn_10", [])))
    for line in fixture_path("synthetic-editions.txt").read_bytes().splitlines():
        document = json.loads(line.split(b"\t")[4])
        cases.append((document.get("isbn_13", []), document.get("isbn_10", [])))
    assert len(cases) > 420
    for isbn_13, isbn_10 in cases:
        keys = isbn_keys.edition_isbn_keys(isbn_13, isbn_10)
        expected = (",".join(map(str, keys)) if keys else None, isbn_keys.isbn_table_rows(7, keys))
        assert isbn_keys.edition_isbn_columns(7, isbn_13, isbn_10) == expected, (isbn_13, isbn_10)

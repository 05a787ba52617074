"""The ISBN module, including the bugs users hit in other tools."""

import random

import pytest

from catalog import isbn


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("978-0-306-40615-7", "9780306406157"),
        (" 978 0 306 40615 7 ", "9780306406157"),
        ("ISBN 0-8044-2957-x", "080442957X"),
        ("ISBN-13: 978-0-306-40615-7", "9780306406157"),
        ("0\u2010306\u201040615\u20102", "0306406152"),  # Unicode hyphens from copy-paste
        ("", ""),
        (None, ""),
    ],
)
def test_canonicalize_strips_separators_and_uppercases_x(raw, expected):
    assert isbn.canonicalize(raw) == expected


def test_check_digits_validate_both_forms():
    assert isbn.is_valid_isbn13("9780306406157")
    assert not isbn.is_valid_isbn13("9780306406158")
    assert isbn.is_valid_isbn10("0306406152")
    assert not isbn.is_valid_isbn10("0306406153")


def test_isbn10_with_x_check_digit_converts_and_back():
    assert isbn.is_valid_isbn10("080442957X")
    assert isbn.is_valid_isbn10("080442957x")
    assert isbn.isbn10_to_isbn13("080442957X") == "9780804429573"
    assert isbn.isbn13_to_isbn10("9780804429573") == "080442957X"


def test_979_isbns_are_valid_and_have_no_isbn10():
    # The bug elsewhere: 979 prefixes rejected as invalid, or given a bogus ISBN-10.
    assert isbn.is_valid_isbn13("9791032305690")
    parsed = isbn.parse_isbn("979-10-323-0569-0")
    assert parsed is not None
    assert parsed.isbn13 == "9791032305690"
    assert parsed.isbn10 is None
    assert isbn.isbn13_to_isbn10("9791032305690") is None


def test_other_ean_prefixes_are_not_isbns():
    # A valid EAN-13 check digit, but 977 is a periodical (ISSN) prefix.
    assert not isbn.is_valid_isbn13("9771234567003")


def test_conversion_never_generates_an_11_digit_isbn10():
    # The bug elsewhere: a check digit of 10 written as "10" instead of "X".
    for first9 in ("080442957", "000000019", "999999999"):
        isbn10 = first9 + isbn.isbn10_check_digit(first9)
        assert len(isbn.isbn13_to_isbn10(isbn.isbn10_to_isbn13(isbn10))) == 10


def test_leading_zeros_are_kept():
    # The bug elsewhere: ISBNs stored as integers lose their leading zeros.
    parsed = isbn.parse_isbn("0-306-40615-2")
    assert parsed.isbn10 == "0306406152"
    assert parsed.isbn13 == "9780306406157"
    assert isbn.parse_isbn("306406152").isbn10 == "0306406152"  # an SBN, not a truncated number


def test_isbn10_that_lost_its_leading_zero_reads_as_sbn():
    # Real StoryGraph cell (mapmyreads export, "84, Charing Cross Road"): Penguin's 0140143505
    # with the zero dropped by a spreadsheet. The check digit holds, so it is recoverable.
    assert isbn.parse_isbn("140143505").isbn10 == "0140143505"
    # "38549081" (The Handmaid's Tale, 038549081X) lost both ends: not recoverable, not guessed.
    assert isbn.parse_isbn("38549081") is None


def test_nine_digit_sbn_is_recognized():
    parsed = isbn.parse_isbn("340013818")
    assert parsed.source_form == "sbn"
    assert parsed.isbn10 == "0340013818"
    assert parsed.isbn13 == "9780340013816"
    assert isbn.sbn_to_isbn10("340013819") is None  # wrong check digit


@pytest.mark.parametrize("damaged", ["9.78053E+12", "9.78053e+12", "9.780307E+12", "9E+12"])
def test_spreadsheet_scientific_notation_is_not_an_isbn(damaged):
    assert isbn.is_scientific_notation(damaged)
    assert isbn.parse_isbn(damaged) is None
    assert isbn.to_isbn13(damaged) is None


@pytest.mark.parametrize(
    "not_isbn",
    ["B00K0OI42W", "38549081", "12345", "97803064061570", "abcdefghij", '=""'],
)
def test_asins_and_other_ids_are_not_isbns(not_isbn):
    assert isbn.parse_isbn(not_isbn) is None


def test_invalid_input_to_converters_raises():
    with pytest.raises(ValueError):
        isbn.isbn10_to_isbn13("0306406153")
    with pytest.raises(ValueError):
        isbn.isbn13_to_isbn10("9780306406158")


def test_validation_and_conversions_agree_with_stdnum():
    # The local routines exist only for speed; python-stdnum is the reference. Random digits
    # with random check characters: about one in ten is valid, the rest must be refused alike.
    from stdnum import isbn as stdnum_isbn

    rng = random.Random(5)
    for _ in range(5000):
        body = "".join(rng.choice("0123456789") for _ in range(12))
        isbn13 = rng.choice(["978", "979", "977"]) + body[3:] + rng.choice("0123456789")
        isbn10 = body[:9] + rng.choice("0123456789X")
        assert isbn.is_valid_isbn13(isbn13) == stdnum_isbn.is_valid(isbn13)
        assert isbn.is_valid_isbn10(isbn10) == stdnum_isbn.is_valid(isbn10)
        if isbn.is_valid_isbn10(isbn10):
            assert isbn.isbn10_to_isbn13(isbn10) == stdnum_isbn.to_isbn13(isbn10)
        if isbn.is_valid_isbn13(isbn13) and isbn13.startswith("978"):
            assert isbn.isbn13_to_isbn10(isbn13) == stdnum_isbn.to_isbn10(isbn13)


@pytest.mark.parametrize(
    "raw",
    [
        "97803064061",  # 11 digits: stdnum would not pad it, and neither do we
        "0306406152X",  # 11 characters
        "978030640615\u0667",  # an Arabic-Indic 7 as the check digit: not an ISBN digit
        "\u0660306406152",  # an Arabic-Indic 0 in front
    ],
)
def test_values_stdnum_might_read_are_not_isbns(raw):
    assert isbn.parse_isbn(raw) is None
    assert not isbn.is_valid_isbn13(raw)
    assert not isbn.is_valid_isbn10(raw)

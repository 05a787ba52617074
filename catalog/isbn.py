"""ISBN handling: canonical form, check digits, ISBN-10 <-> ISBN-13, SBN.

ISBNs are strings, always: as integers they lose leading zeros (0-306-40615-2) and spreadsheets
turn them into `9.78053E+12`. Nothing here guesses: a value that is not a valid ISBN is None.

python-stdnum is the reference: the tests hold validation, check digits and ISBN-10 <-> ISBN-13
conversion to its results, and `why_not_isbn` asks it about product barcodes. The hot paths
(every ISBN cell of an import, the Open Library dump reader's millions of lookups) use the
routines here, built on one check-digit routine over ASCII codes: stdnum's check digit costs
about four times as much, and its validation three times as much per import row. What stdnum does
not know stays here: spreadsheet damage, SBNs read on purpose (stdnum pads any 9-digit value
without saying so) and the diagnostics of `why_not_isbn`.
"""

import operator
import re
from dataclasses import dataclass

from stdnum import ean as stdnum_ean

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.]")
_ISBN_PREFIX = re.compile(r"^ISBN(?:-1[03])?:?", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?E\+?\d+$", re.IGNORECASE)


def canonicalize(raw: str | None) -> str:
    """Strip an `ISBN` label, spaces, hyphens and dots; upper-case a trailing x.

    Returns the cleaned string whether or not it is a valid ISBN; use `parse_isbn` to validate.
    A value in scientific notation (spreadsheet damage) is returned as an empty string, since its
    digits are gone for good.
    """
    if raw is None:
        return ""
    value = str(raw).strip()
    if value.isdigit() and value.isascii():
        return value  # already canonical (the common case, and every internal call)
    if is_scientific_notation(value):
        return ""
    value = _ISBN_PREFIX.sub("", value)
    value = _SEPARATORS.sub("", value)
    return value.upper()


def is_scientific_notation(raw: str | None) -> bool:
    """True for spreadsheet damage such as `9.78053E+12`: not an ISBN, and not recoverable."""
    return bool(raw) and bool(_SCIENTIFIC.match(str(raw).strip()))


# Check digits over ASCII codes (the weighted sum minus the weights times ord("0")): the same
# results as stdnum's, without an int() per digit. Callers pass ASCII digits only.
_ISBN10_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def isbn10_check_digit(first9: str) -> str:
    total = sum(map(operator.mul, first9.encode(), _ISBN10_WEIGHTS)) - 48 * 54
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first12: str) -> str:
    """The EAN-13 check digit, which ISBN-13s use."""
    codes = first12.encode()
    total = sum(codes[0:12:2]) + 3 * sum(codes[1:12:2]) - 48 * 24
    return str((10 - total % 10) % 10)


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() alone accepts other scripts' digits (Arabic-Indic, superscripts).
    return value.isascii() and value.isdigit()


def is_valid_isbn10(value: str) -> bool:
    return _is_isbn10(canonicalize(value))


def is_valid_isbn13(value: str) -> bool:
    return _is_isbn13(canonicalize(value))


# The checks on a canonical value (parse_isbn canonicalizes once, not once per check).
def _is_isbn10(value: str) -> bool:
    return (
        len(value) == 10
        and _is_ascii_digits(value[:9])
        and isbn10_check_digit(value[:9]) == value[9]
    )


def _is_isbn13(value: str) -> bool:
    return (
        len(value) == 13
        and _is_ascii_digits(value)
        and value.startswith(("978", "979"))
        and isbn13_check_digit(value[:12]) == value[12]
    )


def _isbn10_of(isbn13: str) -> str | None:
    """A valid canonical ISBN-13's ISBN-10 (None for 979-)."""
    if not isbn13.startswith("978"):
        return None
    return isbn13[3:12] + isbn10_check_digit(isbn13[3:12])


def _isbn13_of(isbn10: str) -> str:
    """A valid canonical ISBN-10's ISBN-13."""
    first12 = "978" + isbn10[:9]
    return first12 + isbn13_check_digit(first12)


def isbn10_to_isbn13(isbn10: str) -> str:
    """ISBN-10 -> ISBN-13 (always 978-). Raises ValueError on an invalid ISBN-10."""
    isbn10 = canonicalize(isbn10)
    if not _is_isbn10(isbn10):
        raise ValueError(f"not a valid ISBN-10: {isbn10!r}")
    return _isbn13_of(isbn10)


def isbn13_to_isbn10(isbn13: str) -> str | None:
    """ISBN-13 -> ISBN-10, or None for 979- ISBNs, which have no ISBN-10.

    Raises ValueError on an invalid ISBN-13.
    """
    isbn13 = canonicalize(isbn13)
    if not _is_isbn13(isbn13):
        raise ValueError(f"not a valid ISBN-13: {isbn13!r}")
    return _isbn10_of(isbn13)


def sbn_to_isbn10(sbn: str) -> str | None:
    """A 9-digit Standard Book Number is an ISBN-10 with a leading 0, if its check digit holds."""
    sbn = canonicalize(sbn)
    if len(sbn) != 9:
        return None
    candidate = "0" + sbn
    return candidate if _is_isbn10(candidate) else None


@dataclass(frozen=True, slots=True)
class ParsedISBN:
    isbn13: str
    isbn10: str | None  # None for 979- ISBNs
    source_form: str  # "isbn13", "isbn10" or "sbn": what the input was


#: The prefix of the International Standard Music Number (sheet music): an EAN-13 starting 979-0
#: is never an ISBN (ISBNs use 979-8 and 979-1x). `parse_isbn` still reads one, for the invented
#: numbers of synthetic fixtures; what a librarian's file says is read by `is_ismn` first.
ISMN_PREFIX = "9790"


def is_ismn(isbn13: str) -> bool:
    """True for a canonical 13-digit number in the ISMN's 979-0 range (see ISMN_PREFIX)."""
    return isbn13.startswith(ISMN_PREFIX)


def parse_isbn(raw: str | None) -> ParsedISBN | None:
    """Any spelling of an ISBN-13, ISBN-10 or SBN -> both canonical forms, else None."""
    value = canonicalize(raw)
    if len(value) == 13 and _is_isbn13(value):
        return ParsedISBN(isbn13=value, isbn10=_isbn10_of(value), source_form="isbn13")
    if len(value) == 10 and _is_isbn10(value):
        return ParsedISBN(isbn13=_isbn13_of(value), isbn10=value, source_form="isbn10")
    if len(value) == 9 and (isbn10 := sbn_to_isbn10(value)):
        return ParsedISBN(isbn13=_isbn13_of(isbn10), isbn10=isbn10, source_form="sbn")
    return None


def why_not_isbn(raw: str | None) -> str:
    """Why a value that `parse_isbn` refused is not an ISBN, as one of:

    - "isbn13_digit_missing": 12 digits starting 978/979, an ISBN-13 that lost a digit;
    - "upc": 12 digits whose UPC-A check digit holds, a product barcode;
    - "ean": 13 digits whose EAN check digit holds but not 978/979, a product barcode;
    - "isbn13_cut": 10 digits starting 978/979, the start of an ISBN-13 cut short;
    - "isbn13_without_prefix": 10 digits that are no ISBN-10 but, after 978, an ISBN-13 whose
      check digit holds (the prefix was dropped, or an ISBN-10 was mistyped: not used);
    - "isbn13_check" / "isbn10_check": an ISBN's shape with a wrong check digit;
    - "": nothing recognisable (another kind of id, or not a number at all).

    Nothing here repairs a value: which digit is wrong or missing cannot be known.
    """
    value = canonicalize(raw)
    if not _is_ascii_digits(value[:-1]):
        return ""
    if len(value) == 12 and value.isdigit():
        if value.startswith(("978", "979")):
            return "isbn13_digit_missing"
        return "upc" if stdnum_ean.is_valid(value) else ""
    if len(value) == 13 and value.isdigit():
        if value.startswith(("978", "979")):
            return "isbn13_check"
        return "ean" if stdnum_ean.is_valid(value) else ""
    if len(value) == 10 and value.isdigit():
        if value.startswith(("978", "979")):
            return "isbn13_cut"
        return "isbn13_without_prefix" if is_valid_isbn13("978" + value) else "isbn10_check"
    if len(value) == 10 and value[9] == "X":
        return "isbn10_check"
    return ""


def to_isbn13(raw: str | None) -> str | None:
    """Canonical ISBN-13 for any valid spelling, else None."""
    parsed = parse_isbn(raw)
    return parsed.isbn13 if parsed else None

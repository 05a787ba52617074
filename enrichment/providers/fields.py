"""Small pure helpers that turn providers' loose field values into Candidate fields."""

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from catalog import isbn
from catalog.models import Edition


class UnexpectedShape(ValueError):
    """The body parsed, but is not the shape the provider documents."""


def as_list(value: Any) -> list:
    """Archive.org and others send one value bare and several as a list."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def first(value: Any) -> str:
    """The first non-empty text of a bare value or a list of them."""
    return next(iter(unique(as_list(value))), "")


def expect(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind):
        raise UnexpectedShape(f"{what}: expected {kind}, got {type(value).__name__}")
    return value


def text(value: Any) -> str:
    """A trimmed string, or "" for anything that is not text (None, numbers stay readable)."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def description_text(value: Any) -> str:
    """Open Library descriptions come as a string or as {"type": "/type/text", "value": ...}."""
    if isinstance(value, dict):
        value = value.get("value")
    return text(value)


def positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def isbn_lists(values: Iterable[Any]) -> tuple[list[str], list[str]]:
    """Any mix of ISBN spellings -> (valid ISBN-13s, valid ISBN-10s), each form added for both."""
    isbn13s: list[str] = []
    isbn10s: list[str] = []
    for value in values:
        parsed = isbn.parse_isbn(text(value))
        if parsed is None:
            continue
        if parsed.isbn13 not in isbn13s:
            isbn13s.append(parsed.isbn13)
        if parsed.isbn10 and parsed.isbn10 not in isbn10s:
            isbn10s.append(parsed.isbn10)
    return isbn13s, isbn10s


_DATE_FORMATS = [
    ("%Y-%m-%d", "%Y-%m-%d"),
    ("%Y-%m", "%Y-%m"),
    ("%Y", "%Y"),
    ("%B %d, %Y", "%Y-%m-%d"),  # "January 22, 1988" (Open Library)
    ("%b %d, %Y", "%Y-%m-%d"),
    ("%d %B %Y", "%Y-%m-%d"),
    ("%B %Y", "%Y-%m"),  # "February 2001"
    ("%b %Y", "%Y-%m"),
]
_ISO_PREFIX = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def iso_date(value: Any) -> str:
    """A publication date as an ISO prefix as precise as known ("2015", "2015-06", "2015-06-01").

    Takes ints (ISBNdb's `date_published: 2015`), ISO dates and timestamps, and English dates;
    anything else falls back to the first plausible year in it, or "".
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    raw = text(value)
    if not raw:
        return ""
    if match := _ISO_PREFIX.match(raw):
        return "-".join(part for part in match.groups() if part)
    cleaned = raw.rstrip(".")
    for parse_format, out_format in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, parse_format).strftime(out_format)
        except ValueError:
            continue
    year = _YEAR.search(raw)
    return year.group(1) if year else ""


def year_of(value: Any) -> int | None:
    date = iso_date(value)
    return int(date[:4]) if date else None


_FORMAT_WORDS = [
    ("mass market", Edition.Format.MASS_MARKET),
    ("hardcover", Edition.Format.HARDCOVER),
    ("hardback", Edition.Format.HARDCOVER),
    ("library binding", Edition.Format.HARDCOVER),
    ("paperback", Edition.Format.PAPERBACK),
    ("softcover", Edition.Format.PAPERBACK),
    ("ebook", Edition.Format.EBOOK),
    ("e-book", Edition.Format.EBOOK),
    ("kindle", Edition.Format.EBOOK),
    ("epub", Edition.Format.EBOOK),
    ("audio", Edition.Format.AUDIOBOOK),
]


def edition_format(value: Any) -> str:
    """A provider's binding text ("Trade Paperback", "Mass Market Paperback") -> Edition.Format."""
    lowered = text(value).casefold()
    if not lowered:
        return ""
    for word, edition_format_value in _FORMAT_WORDS:
        if word in lowered:
            return edition_format_value.value
    return Edition.Format.OTHER.value


# MARC / ISO 639-2 codes and English names of the languages most books in the catalog are in.
# Anything else keeps the provider's own code, as the Candidate contract allows.
_LANGUAGES = {
    "eng": "en",
    "english": "en",
    "fre": "fr",
    "fra": "fr",
    "french": "fr",
    "ger": "de",
    "deu": "de",
    "german": "de",
    "spa": "es",
    "spanish": "es",
    "ita": "it",
    "italian": "it",
    "por": "pt",
    "portuguese": "pt",
    "dut": "nl",
    "nld": "nl",
    "dutch": "nl",
    "rus": "ru",
    "russian": "ru",
    "jpn": "ja",
    "japanese": "ja",
    "chi": "zh",
    "zho": "zh",
    "chinese": "zh",
    "pol": "pl",
    "polish": "pl",
    "swe": "sv",
    "dan": "da",
    "nor": "no",
    "fin": "fi",
    "kor": "ko",
    "ara": "ar",
    "heb": "he",
    "gre": "el",
    "ell": "el",
    "tur": "tr",
    "cze": "cs",
    "ces": "cs",
    "hun": "hu",
    "lat": "la",
}


def language_code(value: Any) -> str:
    """ "/languages/eng", "eng", "English" or "en" -> "en"; unknown codes are kept as given."""
    raw = text(value).rsplit("/", 1)[-1].strip().casefold()
    if not raw or raw in {"un", "und", "unk", "zxx"}:  # "unknown" / "undetermined"
        return ""
    return _LANGUAGES.get(raw, raw)


def unique(values: Iterable[str]) -> list[str]:
    """Non-empty strings, first occurrence kept, order kept."""
    kept: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = text(value)
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept

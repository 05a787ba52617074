"""Small pure helpers that turn providers' loose field values into Candidate fields."""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from django.utils.translation import gettext_noop
from stdnum import isni as stdnum_isni

from catalog import isbn
from catalog.column_text import cut_at_word_boundary
from catalog.importers.fitting import column_width
from catalog.importers.parsing import parse_format
from catalog.importers.publishers import (
    names_no_publisher,
    without_parent_house,
    without_place,
)
from catalog.models import Author, Edition, Work
from catalog.person_names import name_as_written
from catalog.text import normalize_person_name
from enrichment.author_candidates import AuthorCandidate, PhotoLicence
from enrichment.candidate_notes import Note, note
from enrichment.candidates import (
    DESCRIPTION_MAX_CHARS,
    SUBJECTS_MAX_COUNT,
    Candidate,
    Contributor,
)

# Languages and publication dates have one rule each, shared with the merge and the dump reader
# (which import no models).
from enrichment.languages import language_code as language_code
from enrichment.publication_dates import iso_date as iso_date
from enrichment.publication_dates import year_of as year_of

logger = logging.getLogger(__name__)
#: Errors a parser raises on a body it misreads; anything else is a bug (logged with its trace).
PARSE_ERRORS = (LookupError, ValueError, TypeError, AttributeError)
RecordT = TypeVar("RecordT")


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


def sole(value: Any) -> str:
    """The one text a bare value or a list holds, "" when it holds several different ones: a
    work's list (every edition's publishers, every edition's languages) names no edition's."""
    values = unique(as_list(value))
    return values[0] if len(values) == 1 else ""


def readable_records(records: Iterable[Any], parse: Callable[[Any], RecordT]) -> list[RecordT]:
    """Each record of a list answer (a search's docs, a volumes answer's items) parsed on its
    own: one the parser cannot read is left out and the others still count. An answer none of
    whose records can be read is unreadable: the first record's error is raised."""
    parsed: list[RecordT] = []
    errors: list[Exception] = []
    for record in records:
        try:
            parsed.append(parse(record))
        except PARSE_ERRORS as exc:
            errors.append(exc)
    if errors and not parsed:
        raise errors[0]
    if errors:
        logger.warning("%s unreadable record(s) left out of an answer: %s", len(errors), errors[0])
    return parsed


def expect(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind):
        raise UnexpectedShape(f"{what}: expected {kind}, got {type(value).__name__}")
    return value


def storable(value: str) -> str:
    """`value` as every database stores it: NUL characters dropped (PostgreSQL refuses them) and
    lone surrogates (JSON's "\\ud800", not UTF-8) replaced by "?"."""
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value.replace("\x00", "")


def text(value: Any) -> str:
    """A trimmed, storable string, or "" for anything that is not text (numbers stay readable)."""
    if value is None or isinstance(value, dict | list):
        return ""
    return storable(str(value)).strip()


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


# A catalogue's extent of one volume (MARC 300): front matter in roman figures, then the last
# numbered page, maybe unnumbered pages in brackets, then "p." or "pages" ("xi, 292 p. ;",
# "340, [3] p. ;", "277p.", "xxxii, 448 p., [6] leaves of plates :"). Not "p. cm." (no count
# yet), "1 v. (unpaged)", "2 v." (a set of volumes), nor "6 p. l., 3-447 p." (leaves, a range).
_EXTENT = re.compile(
    r"^\s*(?:[ivxlcdm]+,\s*)*(?P<pages>\d+)(?:,\s*\[\d+\])?\s*(?:p(?!\.?\s*l\.)\.?|pages)"
    r"(?=[\s,;:.]|$)",
    re.IGNORECASE,
)


def extent_pages(value: Any) -> int | None:
    """The page count a catalogue's extent states (`_EXTENT`: Open Library's `pagination`, the
    "97 p." ISBNdb files as a book's `dimensions`), None when it states none."""
    match = _EXTENT.match(text(value))
    return positive_int(match["pages"]) if match else None


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


def edition_format(value: Any) -> str:
    """A provider's binding text ("Trade Paperback", "Mass Market Paperback") -> Edition.Format,
    by the importers' rule (one table of the bindings real catalogues write): a binding it does
    not know is "other", a cell that names none (a kind of book, "Comic") no format."""
    return parse_format(text(value))[0]


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


# MARC ends a heading (a subject, a genre, a name) with the catalogue's full stop ("Fiction.",
# "Japan -- Fiction.", "Sigurður Ægisson.", "Dostoyevsky, Fyodor, 1821-1881.") or a comma:
# punctuation, not part of it. A stop only after a word of 3+ letters or a year, so an
# abbreviation keeps its stop ("J. R. R.", "Smith, John, Jr.").
_HEADING_END = re.compile(r"(?:(?<=[^\W\d_]{3})|(?<=\d{4}))\.$|\s*,$")
# Open Library's records put a subdivision's "--" before a person's dates ("Dostoyevsky,
# Fyodor, -- 1821-1881."), where the heading has none.
_DASHES_BEFORE_DATES = re.compile(r",\s*--\s*(?=\d)")


def heading_text(value: Any) -> str:
    """`text`, without the full stop or comma that closes a catalogue heading (a subject, a
    name), nor the "--" before a person's dates."""
    heading = text(value)
    if "--" in heading:
        heading = _DASHES_BEFORE_DATES.sub(", ", heading)
    # Stripped by `text`: only a heading whose last character is a stop or a comma has one.
    return _HEADING_END.sub("", heading) if heading[-1:] in (".", ",") else heading


# Quotation marks around a whole name: Russian catalogues quote a publisher's name
# (Open Library's `"Kniga"`); they are no part of it.
_QUOTED_NAME = re.compile(
    r'^(?:"(?P<straight>[^"]+)"|“(?P<curly>[^“”]+)”|«\s*(?P<guillemets>[^«»]+?)\s*»)$'
)


def unquoted(name: str) -> str:
    """A name without the quotation marks around all of it (`"Kniga"` is Kniga)."""
    match = _QUOTED_NAME.match(name)
    return next(part for part in match.groups() if part).strip() if match else name


# MARC's imprint writes the year after the publisher (a real dump line's "St. Martin's Press,
# 1975."; "Gallimard, c1988", "Orbit, [2008]"; without the comma only when the imprint's full
# stop closes it, Open Library's search "The Baldur Press 1991."): no part of the name.
_IMPRINT_YEAR = re.compile(r"(?:,\s*\[?[c©p]?\s*\d{4}\??\]?\.?|\s+\[?[c©p]?\d{4}\??\]?\.)$")


# A catalogue's imprint names the place first, ISBD's " : " before the publisher (Archive.org's
# "New York : Orbit", "[Oslo] : Damm", "London ; New York : Penguin"), and a second place and
# publisher after " ; ". No digits in a place: "Harper : 1999" is no place.
_ISBD_PLACE = re.compile(r"^[^:\d]{1,80}?\s:\s+(?=\S)")
_NEXT_IMPRINT = re.compile(r"\s;\s.*$")


def publisher_name(value: Any, *, places: Iterable[Any] = ()) -> str:
    """A provider's publisher: the first of a list that names one ("" when none does: "[s. n.]"
    says the publisher is unknown), without quotation marks around all of it, the year an
    imprint writes after it, nor the place of publication an imprint writes with it
    (`_imprint_publisher`): the catalog has no field for a place."""
    places = [place.casefold() for place in (heading_text(p).strip("[] ") for p in places) if place]
    names = (
        _imprint_publisher(_IMPRINT_YEAR.sub("", name), places) for name in unique(as_list(value))
    )
    return next((unquoted(name) for name in names if not names_no_publisher(name)), "")


def _imprint_publisher(name: str, places: list[str]) -> str:
    """The publisher an imprint names with its place: "New York : Harper" and "London ; New
    York : Penguin ; Toronto : Viking" are Harper and Penguin (ISBD's " : "); Open Library's
    "Schmidt, Berlin" is Schmidt: the record's own place of publication, or a place the
    importers know, after the last comma ("Little, Brown" and "Harcourt, Brace" keep theirs:
    `catalog.importers.publishers.without_place`). "Orbit, an imprint of Little, Brown" is
    Orbit (`catalog.importers.publishers.without_parent_house`)."""
    name = without_parent_house(name)
    if " : " in name:
        name = _NEXT_IMPRINT.sub("", _ISBD_PLACE.sub("", name)).strip()
    return without_place(name, places)


# What Open Library files among a book's subjects that says nothing of the book: the Internet
# Archive's lending and accessibility flags ("Accessible book", "Protected DAISY": a print-
# disabled reader may borrow it), the lists a book is on ("Open Library Staff Picks", the Long
# Now Foundation's "Long Now Manual for Civilization", the New York Times' "New York Times
# bestseller" and "New York Times reviewed"), an edition's large print ("Large type books": the
# work's subjects gather every edition's), a bookseller's reading level ("Reading Level-Grade
# 11") and its machine tags: a key, a colon and no space nor capital
# ("nyt:mass-market-paperback=2015-07-05", "award:nebula_award=novel"; a work's subjects may
# capitalise the key, "Nyt:paperback-nonfiction=2013-02-17").
_NO_SUBJECTS = frozenset(
    {
        "new york times bestseller",
        "new york times reviewed",
        "large type books",
        "large print type books",
        "large print books",
        "accessible book",
        "protected daisy",
        "in library",
        "lending library",
        "internet archive wishlist",
        "overdrive",
        "popular print disabled books",
        "open library staff picks",
        "long now manual for civilization",
    }
)
# A bookseller's subject heading (BISAC), which Google Books' categories and Open Library's
# bookseller-fed subjects write as a path, the broader heading first: "Fiction / Science Fiction
# / Alien Contact" is the subjects Fiction, Science Fiction and Alien Contact; its "General"
# ("Juvenile Fiction / General", or alone) names no subject. Open Library's editions from
# booksellers' feeds join the steps by " - " too ("Engineering - Civil", "Children's 12-Up -
# Fiction - Fantasy", "Politics - Current Events" beside "Politics / Current Events"); a dash
# between two numbers is a span ("World War, 1939 - 1945"), and a MARC heading's " -- " no path.
_PATH_STEP = re.compile(r"\s+/\s+|(?<!\d)\s+-\s+|\s+-\s+(?!\d)")
_SAYS_NOTHING = "general"
_MACHINE_TAG = re.compile(r"[A-Za-z][a-z_]*:[^\sA-Z]+")
_READING_LEVEL = re.compile(r"reading level\b", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


def subjects(values: Iterable[Any]) -> list[str]:
    """A provider's subjects, genres or categories: each without MARC's closing full stop, a
    bookseller's path ("A / B", "A - B") read as its headings (`_PATH_STEP`), the first
    spelling kept of those that differ only in case (see `unique`), without the flags, lists,
    large print, reading levels and machine tags Open Library files among them, a path's
    "General", nor a number (ISBNdb's "878", an LC class's number filed as a subject)."""
    return unique(
        heading
        for value in values
        for step in _path_steps(text(value))
        if (heading := heading_text(step))
        and heading.casefold() not in _NO_SUBJECTS
        and heading.casefold() != _SAYS_NOTHING
        and not _MACHINE_TAG.fullmatch(heading)
        and not _READING_LEVEL.match(heading)
        and _LETTER.search(heading)
    )


def _path_steps(heading: str) -> list[str]:
    # Most headings are no path: no regex pass for them.
    return _PATH_STEP.split(heading) if " /" in heading or " -" in heading else [heading]


def person_name(value: Any) -> str:
    """A provider's name of a person as the catalog names people, in reading order: a catalogue
    heading (Open Library's and ISBNdb's `Kiss, Lenke.`, `Tolkien, J. R. R.`, Archive.org's
    `Pepys, Samuel, 1633-1703`) turned around by catalog.person_names.name_as_written, the rule
    the importers read sort names by, and without MARC's closing full stop ("Sigurður
    Ægisson."; initials keep theirs, "J. R. R."). An organisation's name (`Smith, Elder & Co.`),
    a name already in order and a single name are left as written."""
    return name_as_written(heading_text(value))


def person_names(values: Any) -> list[str]:
    """A provider's names of people (a bare name or a list), each read by `person_name`; no
    repeats (see `unique`)."""
    return unique(person_name(value) for value in as_list(values))


def unique_people(people: Iterable[Contributor]) -> list[Contributor]:
    """Each person once in each role, the first kept (with its id): Open Library keeps several
    records of one author (The Last Wish's search result names "Andrzej Sapkowski" twice, as
    OL368638A and OL7212792A), and one person was proposed twice. Names are compared as the
    catalog looks a person up (`Tolkien, J.R.R.` is J. R. R. Tolkien)."""
    kept: list[Contributor] = []
    seen: set[tuple[str, str]] = set()
    for person in people:
        key = (normalize_person_name(person.name), person.role)
        if key[0] and key not in seen:
            seen.add(key)
            kept.append(person)
    return kept


# --- How much of a provider's text is kept -----------------------------------------------------
# A provider's answer is hostile until proved otherwise: a 50 MB description once went whole
# into the catalog, the cache and the review page. Each cut value fits its catalog column.
TITLE_MAX_CHARS = min(500, column_width(Work, "title"))
SUBTITLE_MAX_CHARS = min(500, column_width(Work, "subtitle"))
PUBLISHER_MAX_CHARS = column_width(Edition, "publisher")  # 255
SERIES_MAX_CHARS = column_width(Work, "series")  # 255
SERIES_NUMBER_MAX_CHARS = column_width(Work, "series_number")  # 16
SUBJECT_MAX_CHARS = 200
AUTHORS_MAX_COUNT = 50
AUTHOR_NAME_MAX_CHARS = column_width(Author, "name")  # 255
#: The longest text any field keeps: a cached payload may cut longer strings (see base.py).
LONGEST_TEXT_CHARS = max(TITLE_MAX_CHARS, SUBTITLE_MAX_CHARS, DESCRIPTION_MAX_CHARS)
#: Provider ids the catalog stores, and their columns. An id is never cut (a cut id names
#: another record): one longer than its column is dropped.
ID_MAX_CHARS = {
    "openlibrary_edition": column_width(Edition, "openlibrary_edition_key"),
    "openlibrary_work": column_width(Work, "openlibrary_work_key"),
    "google_books": column_width(Edition, "google_books_id"),
    "goodreads": column_width(Edition, "goodreads_book_id"),
}
OTHER_ID_MAX_CHARS = 100  # Archive.org's longest identifier
AUTHOR_ID_MAX_CHARS = column_width(Author, "openlibrary_key")


def cap_candidate_text(candidate: Candidate) -> Candidate:
    """Cut the candidate's text fields to what the catalog keeps, at a word boundary, and drop
    ids longer than their column, with a note for reviewers saying what was cut. Changes
    `candidate` in place and returns it.

    The notes never quote the provider's full length: a cached payload is already shortened
    (base.py), and a cached answer must read the same as a fresh one.
    """
    cuts = _cut_text_fields(
        candidate,
        (
            ("title", TITLE_MAX_CHARS),
            ("subtitle", SUBTITLE_MAX_CHARS),
            ("series", SERIES_MAX_CHARS),
            ("publisher", PUBLISHER_MAX_CHARS),
            ("description", DESCRIPTION_MAX_CHARS),
        ),
    )
    if len(candidate.subjects) > SUBJECTS_MAX_COUNT:
        candidate.subjects = candidate.subjects[:SUBJECTS_MAX_COUNT]
        cuts.append(
            note(gettext_noop("only the first %(count)s subjects kept"), count=SUBJECTS_MAX_COUNT)
        )
    if any(len(subject) > SUBJECT_MAX_CHARS for subject in candidate.subjects):
        candidate.subjects = unique(
            cut_at_word_boundary(subject, SUBJECT_MAX_CHARS) for subject in candidate.subjects
        )
        cuts.append(
            note(gettext_noop("subjects cut to %(limit)s characters each"), limit=SUBJECT_MAX_CHARS)
        )
    if len(candidate.authors) > AUTHORS_MAX_COUNT:
        candidate.authors = candidate.authors[:AUTHORS_MAX_COUNT]
        cuts.append(
            note(gettext_noop("only the first %(count)s authors kept"), count=AUTHORS_MAX_COUNT)
        )
    if any(len(person.name) > AUTHOR_NAME_MAX_CHARS for person in candidate.authors):
        candidate.authors = [
            replace(person, name=cut_at_word_boundary(person.name, AUTHOR_NAME_MAX_CHARS))
            for person in candidate.authors
        ]
        cuts.append(
            note(
                gettext_noop("author names cut to %(limit)s characters"),
                limit=AUTHOR_NAME_MAX_CHARS,
            )
        )
    long_ids = [
        name
        for name, value in candidate.provider_ids.items()
        if len(value) > ID_MAX_CHARS.get(name, OTHER_ID_MAX_CHARS)
    ]
    if long_ids:
        candidate.provider_ids = {
            name: value for name, value in candidate.provider_ids.items() if name not in long_ids
        }
        cuts.append(
            note(gettext_noop("ids too long to be real dropped: %(ids)s"), ids=", ".join(long_ids))
        )
    if any(len(person.provider_id) > AUTHOR_ID_MAX_CHARS for person in candidate.authors):
        candidate.authors = [
            replace(person, provider_id="")
            if len(person.provider_id) > AUTHOR_ID_MAX_CHARS
            else person
            for person in candidate.authors
        ]
        cuts.append(note(gettext_noop("author ids too long to be real dropped")))
    if cuts:
        candidate.notes.append(
            note(gettext_noop("The provider's answer was too long: %(cuts)s."), cuts=cuts)
        )
    return candidate


# --- People: ids, and how much of an author record is kept ----------

_AUTHOR_ID_PATTERNS = {
    "openlibrary_author": re.compile(r"OL[1-9]\d{0,11}A"),
    "wikidata": re.compile(r"Q[1-9]\d{0,11}"),
    "goodreads_author": re.compile(r"[1-9]\d{0,11}"),
    "viaf": re.compile(r"[1-9]\d{0,21}"),
}
_OPENLIBRARY_AUTHOR_IN_TEXT = re.compile(r"OL[1-9]\d{0,11}A\b")
_LEADING_NUMBER = re.compile(r"\d+")


def author_id(kind: str, value: Any) -> str:
    """A person's id of one of AUTHOR_ID_KINDS in its catalog form, or "" when `value` is none:
    "/authors/OL23919A" -> "OL23919A", "http://www.wikidata.org/entity/Q42" -> "Q42",
    Goodreads' "1265.Jane_Austen" -> "1265", ISNI "0000 0001 2146 8188" -> "0000000121468188"
    (its check digit verified). An id that does not look like one is dropped, never cut."""
    raw = text(value)
    if kind == "isni":
        compact = stdnum_isni.compact(raw) if raw else ""
        return compact if compact and stdnum_isni.is_valid(compact) else ""
    if kind == "openlibrary_author":
        match = _OPENLIBRARY_AUTHOR_IN_TEXT.search(raw)
        raw = match.group(0) if match else ""
    elif kind == "wikidata":
        raw = raw.rsplit("/", 1)[-1]
    elif kind == "goodreads_author":
        match = _LEADING_NUMBER.match(raw)
        raw = match.group(0) if match else ""
    pattern = _AUTHOR_ID_PATTERNS.get(kind)
    return raw if pattern is not None and pattern.fullmatch(raw) else ""


ALTERNATE_NAMES_MAX_COUNT = 50
# An author's text is proposed into the Author columns of the same meaning (author_proposal): it
# is cut to them here, where the note says so, or the proposal would leave it out unsaid.
AUTHOR_DESCRIPTION_MAX_CHARS = column_width(Author, "short_description")  # 500
BIO_MAX_CHARS = DESCRIPTION_MAX_CHARS  # Author.bio is a TextField, as Work.description
BIO_SOURCE_MAX_CHARS = column_width(Author, "bio_source")  # a URL: dropped, never cut
LIFE_DATE_MAX_CHARS = column_width(Author, "birth_date")  # 64, as death_date
GENDER_MAX_CHARS = column_width(Author, "gender")  # 32
NATIONALITY_MAX_CHARS = column_width(Author, "nationality")  # the countries, joined by ", "
CITIZENSHIP_MAX_COUNT = 10
PHOTOS_MAX_COUNT = 20
AUTHOR_WORKS_MAX_COUNT = 1000
LICENCE_TEXT_MAX_CHARS = 500  # a licence name, or the attribution it asks for


def _cut(value: str, limit: int) -> str:
    return cut_at_word_boundary(value, limit) if len(value) > limit else value


def _cut_text_fields(record: Any, limits: Iterable[tuple[str, int]]) -> list[Note]:
    """Cut each named text attribute to its limit at a word boundary; the notes for reviewers."""
    cuts = []
    for name, limit in limits:
        value = getattr(record, name)
        if len(value) > limit:
            setattr(record, name, cut_at_word_boundary(value, limit))
            cuts.append(
                note(
                    gettext_noop("%(field)s cut to %(limit)s characters"),
                    field=name,
                    limit=f"{limit:,}",
                )
            )
    return cuts


def cap_author_candidate_text(candidate: AuthorCandidate) -> AuthorCandidate:
    """An author candidate cut to what the catalog keeps, as `cap_candidate_text` cuts a book's:
    text at a word boundary, lists to their first items, with a note saying what was cut.
    Changes `candidate` in place and returns it."""
    cuts = _cut_text_fields(
        candidate,
        (
            ("name", AUTHOR_NAME_MAX_CHARS),
            ("description", AUTHOR_DESCRIPTION_MAX_CHARS),
            ("bio", BIO_MAX_CHARS),
            ("birth_date", LIFE_DATE_MAX_CHARS),
            ("death_date", LIFE_DATE_MAX_CHARS),
            ("gender", GENDER_MAX_CHARS),
        ),
    )
    if len(candidate.bio_source) > BIO_SOURCE_MAX_CHARS:
        candidate.bio_source = ""
        cuts.append(note(gettext_noop("the bio's page, too long to be real, dropped")))
    for name, count, limit in (
        ("alternate_names", ALTERNATE_NAMES_MAX_COUNT, AUTHOR_NAME_MAX_CHARS),
        ("citizenship", CITIZENSHIP_MAX_COUNT, SUBJECT_MAX_CHARS),
    ):
        values = getattr(candidate, name)
        if len(values) > count or any(len(value) > limit for value in values):
            setattr(candidate, name, unique(_cut(value, limit) for value in values[:count]))
            cuts.append(note(gettext_noop("%(field)s shortened"), field=name))
    # The countries are proposed as one nationality, ", "-joined: the first that fit it are kept.
    if len(", ".join(candidate.citizenship)) > NATIONALITY_MAX_CHARS:
        kept: list[str] = []
        for country in candidate.citizenship:
            if len(", ".join([*kept, country])) > NATIONALITY_MAX_CHARS:
                break
            kept.append(country)
        candidate.citizenship = kept
        cuts.append(
            note(
                gettext_noop("only the first %(count)s countries of citizenship kept"),
                count=len(kept),
            )
        )
    if len(candidate.photos) > PHOTOS_MAX_COUNT:
        candidate.photos = candidate.photos[:PHOTOS_MAX_COUNT]
        cuts.append(
            note(gettext_noop("only the first %(count)s photos kept"), count=PHOTOS_MAX_COUNT)
        )
    if len(candidate.works) > AUTHOR_WORKS_MAX_COUNT or any(
        len(work.title) > TITLE_MAX_CHARS for work in candidate.works
    ):
        candidate.works = [
            replace(work, title=_cut(work.title, TITLE_MAX_CHARS))
            for work in candidate.works[:AUTHOR_WORKS_MAX_COUNT]
        ]
        cuts.append(note(gettext_noop("works shortened")))
    if cuts:
        candidate.notes.append(
            note(gettext_noop("The provider's answer was too long: %(cuts)s."), cuts=cuts)
        )
    return candidate


def cap_photo_licence_text(record: PhotoLicence) -> PhotoLicence:
    """A photo's licence and artist cut to what the catalog keeps. Changes `record` in place."""
    record.licence = _cut(record.licence, LICENCE_TEXT_MAX_CHARS)
    record.artist = _cut(record.artist, LICENCE_TEXT_MAX_CHARS)
    return record

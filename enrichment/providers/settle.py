"""A provider's record as every provider hands it on (`cap_record`, which the provider base
class calls on every parsed answer): its short text single-spaced, a book's subtitle that names
its series read as the series, what no book has dropped (an unclosed parenthesis ending its
title, an audiobook's page count, impossible numbers), each with a note for reviewers, then cut
to what the catalog keeps (`fields.cap_candidate_text`). Pure: no database."""

import re
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_noop

from catalog.column_text import single_spaced
from catalog.importers.parsing import parse_int, parse_year
from catalog.models import Edition
from catalog.series_statements import split_series_statement
from catalog.text import front_article, normalize_text
from enrichment.author_candidates import AuthorCandidate, PhotoLicence
from enrichment.candidate_notes import note
from enrichment.candidates import Candidate
from enrichment.providers.fields import (
    SERIES_NUMBER_MAX_CHARS,
    cap_author_candidate_text,
    cap_candidate_text,
    cap_photo_licence_text,
    heading_text,
)


def series_from_subtitle(candidate: Candidate) -> Candidate:
    """A subtitle that is a series statement ("Book Six of the Elric Saga", "A Jack Reacher
    Novel") read as the candidate's series and number, and no longer its subtitle, with a note
    for reviewers. Changes `candidate` in place and returns it."""
    statement = split_series_statement(candidate.subtitle)
    if statement is None or len(statement[1]) > SERIES_NUMBER_MAX_CHARS:
        return candidate  # a number the catalog cannot hold is no book's in a series
    candidate.series, candidate.series_number = statement
    if candidate.series_number:
        message = gettext_noop(
            "The subtitle “%(subtitle)s” names the series (%(series)s, number %(number)s): "
            "it is not proposed as the subtitle."
        )
    else:
        message = gettext_noop(
            "The subtitle “%(subtitle)s” names the series (%(series)s): it is not proposed as "
            "the subtitle."
        )
    candidate.notes.append(
        note(message, subtitle=candidate.subtitle, series=candidate.series, number=statement[1])
    )
    candidate.subtitle = ""
    return candidate


# A series statement a title carries after its own words, as older books' title pages and
# booksellers' listings write it (Open Library's search: "The Treason of Isengard. Being the Third
# Book of The Lord of the Rings", "THE WAR OF THE RING BEING THE FIFTH BOOK OF …", "The
# Fellowship of the Ring, being the first part of …", "The fellowship of the Ring - Part One of
# the Lord of the Rings Trilogy"): after a full stop, a comma or a dash, or before "being".
_STATEMENT_IN_TITLE = re.compile(
    r"(?:[.,]\s+|\s+-\s+|\s+(?=(?i:being)\b))"
    r"(?P<statement>(?i:being\s+)?(?i:the\s+)?(?:(?i:book|part|volume)\s+\S+|\S+\s+"
    r"(?i:book|part|volume))\s+(?i:of|in)\s+.+)$"
)
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
_ORDINAL_VOLUME = re.compile(
    rf"(?i:being\s+)?(?i:the\s+)?(?P<ordinal>(?i:{'|'.join(_ORDINALS)}))\s+"
    r"(?P<volume>(?i:book|part|volume))\s+(?P<rest>(?i:of|in)\s+.+)"
)
_BEING_THE = re.compile(r"(?i:being\s+)(?i:the\s+)?")


def _title_statement(statement: str) -> tuple[str, str] | None:
    """(series, number) of a statement a title carries (`_STATEMENT_IN_TITLE`), read by the
    subtitle's rule (`split_series_statement`); "the Third Book of X" is "Book 3 of X"."""
    if match := _ORDINAL_VOLUME.fullmatch(statement):
        number = _ORDINALS[match["ordinal"].casefold()]
        statement = f"{match['volume']} {number} {match['rest']}"
    else:
        statement = _BEING_THE.sub("", statement, count=1)
    return split_series_statement(statement)


def series_from_title(candidate: Candidate) -> Candidate:
    """A title that ends in a series statement (`_STATEMENT_IN_TITLE`) read as the book's own
    title and the series and number it states, for a candidate that names no series, with a
    note for reviewers. Changes `candidate` in place and returns it."""
    title = candidate.title
    # Nearly every title has no " of " in it: no regex pass.
    if candidate.series or not (" of " in title or " OF " in title or " Of " in title):
        return candidate
    match = _STATEMENT_IN_TITLE.search(title)
    statement = _title_statement(match["statement"]) if match else None
    if match is None or statement is None or len(statement[1]) > SERIES_NUMBER_MAX_CHARS:
        return candidate
    candidate.notes.append(
        note(
            gettext_noop(
                "The title “%(title)s” names the series (%(series)s, number %(number)s): only "
                "its first part is proposed as the title."
            ),
            title=title,
            series=statement[0],
            number=statement[1],
        )
    )
    candidate.title = title[: match.start()]
    candidate.series, candidate.series_number = statement
    return candidate


# A series that names itself as a publisher's list of books, not a story: a "classics" list
# ("Penguin Classics", "World's classics", "Bantam Classic"), a library of reprints ("The
# Library of America", "Everyman's Library"), a publisher's editions or paperbacks ("Dover
# Giant Thrift Editions", "Ann Arbor paperbacks"), a "Collection" ("Collection Idées"), or an
# academic list ("Illinois studies in language and literature", "Cambridge companions to
# literature", "American university studies", "Arbeiten und Texte zur Slavistik").
_PUBLISHERS_SERIES = re.compile(
    r"(?:\bclassics?|\beditions|\bpaperbacks|\bstudies)$|^(?:the\s+)?library\s+of\b|"
    r"\b(?:everyman['’]?s|modern|classical)\s+library\b|^collection\b|"
    r"\b(?:studies|introductions|companions|readings|essays|lectures|texts)\s+(?:in|to|on)\b|"
    r"\b(?:texte|studien|beiträge|arbeiten)\s+zu[rm]\b",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"['’]s\b")
# The word a catalogue may add after a series' name: "Penguin modern classics series",
# "Everyman's library series", "Routledge introductions to environment series.".
_SERIES_WORD = re.compile(r"[\s,(]+(?:series|ser)\W*$", re.IGNORECASE)
# Words of a publisher's name that say nothing of which publisher it is.
_PUBLISHER_WORDS_SAID_BY_ALL = frozenset(
    {"the", "a", "an", "and", "of", "press", "books", "book", "publishing", "publishers",
     "publications", "editions", "verlag", "inc", "ltd", "llc", "co", "company", "group"}
)  # fmt: skip


def is_publishers_series(series: str, publisher: str) -> bool:
    """Whether a series is the publisher's list of books rather than the work's story: it says
    so (`_PUBLISHERS_SERIES`), or it starts with the publisher's own name ("Dover Giant Thrift
    Editions" from Dover Publications, "Heyne science fiction & fantasy" from Heyne). A
    publisher's series is no part of what the work is, and the catalog keeps no edition's."""
    name = _SERIES_WORD.sub("", heading_text(series))
    if _PUBLISHERS_SERIES.search(name.rstrip(" .")):
        return True
    # Not an initial: "W. Heyne" is Heyne.
    publisher_words = [
        word
        for word in normalize_text(publisher).split()
        if len(word) > 1 and word not in _PUBLISHER_WORDS_SAID_BY_ALL
    ]
    # "Mosby's ace the boards" from Mosby: the publisher's name as a possessive.
    said = _POSSESSIVE.sub("", name)
    series_words = [word for word in normalize_text(said).split() if word not in ("the", "a")]
    return bool(publisher_words and series_words) and series_words[0] == publisher_words[0]


# A subject heading's main part, before its subdivisions ("Foot -- Diseases" is about the foot).
_SUBDIVISION = re.compile(r"\s+--\s+.*$")
_FICTION = re.compile(r"\bfiction\b", re.IGNORECASE)


def is_subject_series(series: str, subjects: list[str]) -> bool:
    """Whether a series is a publisher's list of books on a subject: its name is one of the
    record's subject headings and the word "series" (a real dump line's "Pain series", a book
    on foot pain whose subjects include "Pain."). Not for a story (a subject says "fiction"):
    "Discworld series" may name its world as a subject, and is the story's series."""
    if not _SERIES_WORD.search(series):
        return False
    name = normalize_text(_SERIES_WORD.sub("", series))
    if not name or any(_FICTION.search(subject) for subject in subjects):
        return False
    return any(
        normalize_text(_SUBDIVISION.sub("", heading_text(subject))) == name for subject in subjects
    )


def no_publishers_series(candidate: Candidate) -> Candidate:
    """A candidate's series that is its publisher's (`is_publishers_series`, `is_subject_series`),
    with its number, not proposed as the work's series, with a note for reviewers that names it."""
    if not candidate.series or not (
        is_publishers_series(candidate.series, candidate.publisher)
        or is_subject_series(candidate.series, candidate.subjects)
    ):
        return candidate
    candidate.notes.append(
        note(
            gettext_noop(
                "“%(series)s” is the publisher's series, not the work's: it is not proposed as "
                "the work's series."
            ),
            series=candidate.series,
        )
    )
    candidate.series, candidate.series_number = "", ""
    return candidate


def single_spaced_text(candidate: Candidate) -> Candidate:
    """The record's short text (title, subtitle, series, publisher, people's names, subjects)
    single-spaced as the importers keep a cell (catalog.column_text.single_spaced): Open Library's
    search has "The Treason of Isengard.  Being the Third Book…" and "Harper Collins
    Publishers  Stock Account". A description keeps its lines. Changes `candidate` in place."""
    for name in ("title", "subtitle", "series", "series_number", "publisher"):
        setattr(candidate, name, single_spaced(getattr(candidate, name)))
    # A person is immutable: one whose name is single-spaced already is kept, not copied.
    candidate.authors = [
        person
        if (name := single_spaced(person.name)) == person.name
        else replace(person, name=name)
        for person in candidate.authors
    ]
    candidate.subjects = [single_spaced(subject) for subject in candidate.subjects]
    return candidate


# A title cut inside its closing parenthesis: "The Fellowship of the Ring (Lord of the Rings"
# (Open Library's search, from a bookseller's listing whose series was cut short).
_UNCLOSED_PARENTHESIS = re.compile(r"\s*\([^()]*$")
# The separator a catalogue leaves after a title whose subtitle it files apart ("Official
# Journal of the European Communities: ", Open Library's dump; MARC's "Title :", "Title /").
_SEPARATORS = ":;/,="
_TRAILING_SEPARATOR = re.compile(rf"[\s{re.escape(_SEPARATORS)}]+$")
# Brackets that hold nothing (Open Library's search: "… (IN RUSSIAN LANGUAGE)  (  )").
_EMPTY_BRACKETS = re.compile(r"\s*(?:\(\s*\)|\[\s*\])")


def settled_title(candidate: Candidate) -> Candidate:
    """A title without brackets that hold nothing, nor the separator or the catalogue's full
    stop left at its end (`fields.heading_text`: "Crime and punishment.", the subtitle's too),
    its article in front when a catalogue filed it last (`catalog.text.front_article`: "Lord of
    the Rings, the" is "The Lord of the Rings"),
    and without its last parenthesis when that is never closed (the series it began is cut
    short, its number lost: a note says so); a subtitle the title holds already is not proposed
    (a note says so). Changes `candidate` in place and returns it."""
    # Each pattern below is tried only where its first character is (nearly every title has
    # no bracket and no separator at its end): the same title, without most regex passes.
    title = candidate.title
    bracketed = "(" in title or "[" in title
    title = (_EMPTY_BRACKETS.sub("", title) if bracketed else title).strip() or title
    if title and (title[-1] in _SEPARATORS or title[-1].isspace()):
        title = _TRAILING_SEPARATOR.sub("", title) or title
    title = heading_text(title)
    if (fronted := front_article(title)) != title:  # "Lord of the Rings, the": a filing form
        title = fronted[:1].upper() + fronted[1:]
    candidate.subtitle = heading_text(candidate.subtitle)
    match = _UNCLOSED_PARENTHESIS.search(title) if "(" in title else None
    if match and match.start() > 0:
        cut = _TRAILING_SEPARATOR.sub("", title[: match.start()]) or title[: match.start()]
        candidate.notes.append(
            note(
                gettext_noop(
                    "The title ends in a parenthesis never closed, dropped: “%(dropped)s”."
                ),
                dropped=title[match.start() :].strip(),
            )
        )
        title = cut
    candidate.title = title
    if candidate.subtitle and _title_holds(title, candidate.subtitle):
        candidate.notes.append(
            note(
                gettext_noop("The subtitle “%(subtitle)s” is in the title already: not proposed."),
                subtitle=candidate.subtitle,
            )
        )
        candidate.subtitle = ""
    return candidate


# The parts of a title written "Title: Part: Part" (a catalogue's title with its subtitle in it).
_TITLE_PARTS = re.compile(r"\s*:\s+")


def _title_holds(title: str, subtitle: str) -> bool:
    """Whether the title names the subtitle as one of its parts after a colon (Open Library's
    "Aerospace and Electronics Cost Indices (1990 = 100): Business Monitor: Monthly Statistics:
    Business Monitors", subtitle "Monthly Statistics"): proposed both, the reader sees it twice."""
    if ":" not in title:
        return False
    wanted = subtitle.casefold()
    return any(part.casefold() == wanted for part in _TITLE_PARTS.split(title)[1:])


def no_audiobook_page_count(candidate: Candidate) -> Candidate:
    """An audiobook has no pages: the number a provider gives one counts something else (Open
    Library's Collins Audio cassettes of Sabriel, OL9922813M, "640 pages"), so it is not
    proposed, and a note says so. The importers drop an export's the same way
    (catalog.importers.base.drop_audiobook_page_count). Changes `candidate` in place."""
    if candidate.page_count is None or Edition.Format.has_pages(candidate.format):
        return candidate
    candidate.notes.append(
        note(
            gettext_noop(
                "The page count %(pages)s was not kept: this is an audiobook, which has no pages."
            ),
            pages=candidate.page_count,
        )
    )
    candidate.page_count = None
    return candidate


def no_impossible_numbers(candidate: Candidate) -> Candidate:
    """A page count or a first publication year no book has (Google Books' `pageCount`, Open
    Library's `number_of_pages` or `first_publish_year`, ISBNdb's `pages` of 3,000,000,000: more
    than the catalog's column holds, and approving it failed on PostgreSQL) is not proposed, and
    a note says so. The bounds are the importers' (`parse_int`, `parse_year` of a work), so a
    provider never brings what an export may not. Changes `candidate` in place."""
    pages = candidate.page_count
    if pages is not None and parse_int(str(pages)) is None:
        candidate.notes.append(
            note(
                gettext_noop("The page count %(pages)s was not kept: no book has that many pages."),
                pages=f"{pages:,}",
            )
        )
        candidate.page_count = None
    year = candidate.first_published_year
    if year is not None and parse_year(str(year), ancient=True) is None:
        candidate.notes.append(
            note(
                gettext_noop(
                    "The first publication year %(year)s was not kept: no book was published then."
                ),
                year=year,
            )
        )
        candidate.first_published_year = None
    return candidate


def settle_candidate(candidate: Candidate) -> Candidate:
    """A book's candidate as every provider hands it on: its short text single-spaced
    (`single_spaced_text`), its subtitle's and its title's series statement read
    (`series_from_subtitle`, `series_from_title`), its
    title settled (`settled_title`), a publisher's series not taken for the work's
    (`no_publishers_series`), an audiobook's page count and numbers no book has dropped
    (`no_audiobook_page_count`, `no_impossible_numbers`), then cut to what the catalog keeps
    (`cap_candidate_text`)."""
    candidate = series_from_subtitle(single_spaced_text(candidate))
    candidate = settled_title(series_from_title(candidate))
    candidate = no_publishers_series(candidate)
    candidate = no_audiobook_page_count(candidate)
    return cap_candidate_text(no_impossible_numbers(candidate))


def cap_record(record: Any) -> Any:
    """Any record a provider's parser made, settled and cut to what the catalog keeps (see the
    caps above): the one call the provider base class makes on every parsed answer."""
    if isinstance(record, Candidate):
        return settle_candidate(record)
    if isinstance(record, AuthorCandidate):
        return cap_author_candidate_text(record)
    if isinstance(record, PhotoLicence):
        return cap_photo_licence_text(record)
    return record

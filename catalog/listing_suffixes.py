"""A bookseller's listing suffix after a title (pure): the author, the date, an edition or a
binding that Amazon's listings put after the book's title and Goodreads copies, and a
marketplace's bracketed tags; out of catalog.text, past 600 lines."""

import re

# A bookseller's listing on Amazon names the author and the date after the title, and Goodreads
# copies it: `Silence: Lectures and Writings by John Cage (1994-12-31)`, `… by Tan, Chade-Meng
# (2012)`, `… 1st edition by Huskinson, Lucy (2004) Paperback`, `… by Adrian Shaughnessy, Tony
# Brook 1st (first) Edition (2009)`, `… 5th Edition by John W. Creswell, J. David Creswell
# Paperback`, or the date alone, `Art After the Internet (2013-12-12)`. The last `by` counts
# (`Murder by Numbers by …`). A year alone after `by` is the listing's only with a sort name's
# comma or an edition or binding around it, and no date needs an edition and a binding: `Stand
# by Me (1986)` stays.
_ORDINAL = r"\d+(?:st|nd|rd|th)"
_LISTING_SUFFIX = re.compile(
    rf"\s+(?P<edition>{_ORDINAL}\s+edition\s+)?by\s+(?P<people>(?:(?!\sby\s)[^()])+?)"
    rf"(?P<late_edition>\s+{_ORDINAL}\s+\(\w+\)\s+edition)?"
    # The year may follow the publisher: `(Academic Press,2011)`.
    r"(?:\s+\((?:(?P<date>\d{4}-\d\d-\d\d)|(?:[^(),]+,\s*)?(?P<year>\d{4}))\))?"
    r"(?P<binding>\s+(?:paperback|hardcover))?\s*$",
    re.IGNORECASE,
)
_LISTING_DATE = re.compile(r"\s+\(\d{4}-\d\d-\d\d\)\s*$")
# A marketplace listing's bracketed tags after the title, one of them a binding, an import or
# the listing's date, and what a listing puts after them, an edition or the author's name:
# `… [Paperback] 3rd EDITION`, `…[INFLUENCE REV/E] [Paperback]`, `Birthday Stories (…) (2006)
# ISBN: 4124034946 [Japanese Import]`, `Pyjamas are Forgiving [Paperback] TWINKLE KHANNA`,
# `Mr Oliver's Diary [Feb 15, 2010] Bond, Ruskin`. Before the tags, the listing's ISBN and its
# year are no title's either.
_LISTING_TAGS = re.compile(
    rf"(?P<tags>(?:\s*\[[^\[\]]+\])+)"
    rf"(?:\s+{_ORDINAL}\s+edition|\s+(?P<name>[^\W\d][^\[\]()\d]*?))?\s*$",
    re.IGNORECASE,
)
_LISTING_TAG_WORD = re.compile(
    r"\b(?:paperback|hardcover|hardback|mass market|kindle edition|audio cd|import)\b"
    r"|^\s*\[[a-z]{3}\s\d{1,2},\s\d{4}\]",
    re.IGNORECASE,
)
_LISTING_ISBN_AND_YEAR = re.compile(
    r"(?:\s+\(\d{4}\))?(?:\s+ISBN:?\s*[\dXx-]{10,17})?\s*$", re.IGNORECASE
)
_DIGIT = re.compile(r"\d")


def strip_listing_suffix(title: str) -> str:
    """`Silence: Lectures and Writings by John Cage (1994-12-31)` -> `Silence: Lectures and
    Writings`: a bookseller's listing suffix (_LISTING_SUFFIX, _LISTING_TAGS) taken off; any
    other title comes back whole."""
    title = title or ""
    if "[" not in title and not title.endswith(
        (")", "Paperback", "Hardcover", "EDITION", "Edition", "edition")
    ):
        return title  # nearly every title, at C speed
    tags = _LISTING_TAGS.search(title) if "[" in title else None
    if (
        tags
        and tags.start() > 0
        and _LISTING_TAG_WORD.search(tags["tags"])
        and (not tags["name"] or _names_people(tags["name"]))
    ):
        title = title[: tags.start()]
        before_isbn = _LISTING_ISBN_AND_YEAR.search(title)
        title = title[: before_isbn.start()] if before_isbn and before_isbn.start() else title
    listing = _LISTING_SUFFIX.search(title) if " by " in title else None
    if listing and listing.start() > 0:
        edition = listing["edition"] or listing["late_edition"]
        if (
            (listing["date"] and _names_people(listing["people"]))
            or (
                listing["year"]
                and (_lists_names(listing["people"]) or edition or listing["binding"])
            )
            or (listing["binding"] and edition)  # `5th Edition by … Paperback`, no date
        ):
            return title[: listing.start()]
    dated = _LISTING_DATE.search(title)
    return title[: dated.start()] if dated and dated.start() > 0 else title


def _lists_names(people: str) -> bool:
    """`Tan, Chade-Meng`, `Adrian Shaughnessy, Tony Brook`: names (capitalised words, no
    figure) with a comma between them; `Hand, Vol. 2` is none."""
    parts = [part.split() for part in people.split(",")]
    return len(parts) > 1 and all(_is_name(words) for words in parts)


def _names_people(people: str) -> bool:
    """`John Cage` or a list of names: what a listing puts after `by`. One word is not enough
    (`Death by Chocolate (2001-05-02)` keeps its `by Chocolate`: only the date goes)."""
    return _lists_names(people) or (len(people.split()) > 1 and _is_name(people.split()))


def _is_name(words: list[str]) -> bool:
    return 0 < len(words) <= 4 and all(
        word[0].isupper() and not _DIGIT.search(word) for word in words
    )

"""What the two Open Library discovery sources (the dump and the search API) keep of a work, and
how much of it: the same caps whichever of them found the book."""

from collections.abc import Iterable

from catalog.column_text import cut_at_word_boundary
from enrichment.providers import fields

#: ISBN-13s a discovered book carries (its first-published edition's first): enough to add
#: the edition and to find the catalog's copy, never a work's hundreds.
ISBNS_MAX_COUNT = 20
#: Subjects kept as genres: Open Library lists dozens ("Accessible book", "In library"...).
GENRES_MAX_COUNT = 10
GENRE_MAX_CHARS = 100
AUTHORS_MAX_COUNT = 10
TITLE_MAX_CHARS = fields.TITLE_MAX_CHARS
AUTHOR_NAME_MAX_CHARS = fields.AUTHOR_NAME_MAX_CHARS


def capped_isbn13s(isbn13s: Iterable[str]) -> list[str]:
    """Valid ISBN-13s, first occurrence kept, at most ISBNS_MAX_COUNT."""
    kept: dict[str, None] = {}
    for isbn13 in isbn13s:
        kept[isbn13] = None
        if len(kept) >= ISBNS_MAX_COUNT:
            break
    return list(kept)


def capped_genres(subjects: Iterable[object]) -> list[str]:
    """Subjects as genres, read as the providers read subjects (`fields.subjects`: no lending
    flags, lists or machine tags), cut, without repeats, at most GENRES_MAX_COUNT."""
    genres = fields.unique(
        cut_at_word_boundary(value, GENRE_MAX_CHARS) for value in fields.subjects(subjects)
    )
    return genres[:GENRES_MAX_COUNT]


def capped_authors(names: Iterable[object]) -> list[str]:
    """Author names, read as the providers read people's names (`fields.person_names`: a
    catalogue heading in reading order), cut, without repeats, at most AUTHORS_MAX_COUNT."""
    authors = fields.unique(
        cut_at_word_boundary(value, AUTHOR_NAME_MAX_CHARS)
        for value in fields.person_names(list(names))
        if value
    )
    return authors[:AUTHORS_MAX_COUNT]


def capped_title(value: object) -> str:
    return cut_at_word_boundary(fields.text(value), TITLE_MAX_CHARS)


def work_key(work_id: int) -> str:
    """The dump's work number as Open Library's work id: 27258 -> "OL27258W"."""
    return f"OL{work_id}W"

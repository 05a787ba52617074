"""Which kinds of item are books: the one rule every reader of a column that says what an item
is applies (Zotero's Item Type, Libib's item_type, LibraryThing's Media, a library system's
material type or format).

The catalog holds books: standalone texts a library shelves and catalogs as one (MARC's
language material, monograph). So a book, an e-book and an audiobook are books (formats of one),
and so are a thesis or dissertation and a report, published on their own. A part of another
publication (a book section or chapter, an article of a journal, magazine, newspaper or
encyclopedia, a conference paper), something unpublished or unspecified (a manuscript, a letter,
an e-mail, Zotero's catch-all document), and what is no text (a film, a recording, a web page, a
map, a game, a dataset) is not. A kind this module does not know is imported as before: an
unknown word is no reason to leave a book out.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from catalog.importers.parsing import words_key

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The kinds that are books, as `words_key` writes them (`eBook` -> "e book").
BOOK_KINDS = frozenset(
    {"book", "books", "ebook", "e book", "audiobook", "audio book", "thesis", "dissertation",
     "report", "text", "paperback", "hardcover", "hardback"}
)  # fmt: skip

# The kinds that are not books, each with what a librarian reads ("… is a journal article, not a
# book"): Zotero's item types, Libib's, LibraryThing's media, Dublin Core's types.
NOT_BOOK_KINDS: dict[str, "StrPromise"] = {
    "book section": gettext_lazy("a book section (a chapter)"),
    "journal article": gettext_lazy("a journal article"),
    "magazine article": gettext_lazy("a magazine article"),
    "newspaper article": gettext_lazy("a newspaper article"),
    "encyclopedia article": gettext_lazy("an encyclopedia article"),
    "dictionary entry": gettext_lazy("a dictionary entry"),
    "conference paper": gettext_lazy("a conference paper"),
    "preprint": gettext_lazy("a preprint"),
    "webpage": gettext_lazy("a web page"),
    "web page": gettext_lazy("a web page"),
    "blog post": gettext_lazy("a blog post"),
    "forum post": gettext_lazy("a forum post"),
    "email": gettext_lazy("an e-mail"),
    "e mail": gettext_lazy("an e-mail"),
    "letter": gettext_lazy("a letter"),
    "interview": gettext_lazy("an interview"),
    "instant message": gettext_lazy("an instant message"),
    "presentation": gettext_lazy("a presentation"),
    "manuscript": gettext_lazy("a manuscript"),
    "document": gettext_lazy("a document"),
    "note": gettext_lazy("a note"),
    "attachment": gettext_lazy("an attachment"),
    "map": gettext_lazy("a map"),
    "artwork": gettext_lazy("an artwork"),
    "image": gettext_lazy("an image"),
    "still image": gettext_lazy("an image"),
    "moving image": gettext_lazy("a film"),
    "film": gettext_lazy("a film"),
    "movie": gettext_lazy("a film"),
    "video recording": gettext_lazy("a video recording"),
    "video": gettext_lazy("a video"),
    "dvd": gettext_lazy("a DVD"),
    "blu ray": gettext_lazy("a Blu-ray"),
    "blu ray disc": gettext_lazy("a Blu-ray"),
    "vhs": gettext_lazy("a VHS tape"),
    "laserdisc": gettext_lazy("a LaserDisc"),
    "audio recording": gettext_lazy("an audio recording"),
    # Dublin Core's Sound, as Project Gutenberg's catalog says it: a recording, of a song as
    # often as of a book read aloud (an export that means an audiobook says so).
    "sound": gettext_lazy("a sound recording"),
    "sound recording": gettext_lazy("a sound recording"),
    "music": gettext_lazy("music"),
    "music cd": gettext_lazy("a music CD"),
    "vinyl": gettext_lazy("a vinyl record"),
    "lp": gettext_lazy("an LP"),
    "tv broadcast": gettext_lazy("a TV broadcast"),
    "radio broadcast": gettext_lazy("a radio broadcast"),
    "podcast": gettext_lazy("a podcast"),
    "computer program": gettext_lazy("a computer program"),
    "software": gettext_lazy("software"),
    "video game": gettext_lazy("a video game"),
    "videogame": gettext_lazy("a video game"),
    "board game": gettext_lazy("a board game"),
    "dataset": gettext_lazy("a dataset"),
    "standard": gettext_lazy("a standard"),
    "statute": gettext_lazy("a statute"),
    "bill": gettext_lazy("a bill"),
    "case": gettext_lazy("a legal case"),
    "hearing": gettext_lazy("a hearing"),
    "patent": gettext_lazy("a patent"),
}


# The kinds a format or media column names (LibraryThing's Media, a library system's Format):
# films, recordings, games and software. Only these are read there, as a format cell's other
# words are a book's own (a `Standard` or a `Case` binding, a `Letter` size).
MEDIA_KINDS = frozenset(
    {"film", "movie", "video", "video recording", "dvd", "blu ray", "blu ray disc", "vhs",
     "laserdisc", "audio recording", "music", "music cd", "vinyl", "lp", "sound recording",
     "computer program", "software", "video game", "videogame", "board game"}
)  # fmt: skip


def kind_key(value: str) -> str:
    """A kind as this module's lists name it (`journalArticle` -> "journal article"), the
    same in every language the job page is read in."""
    return words_key(value)


def not_a_book(value: str, *, media_only: bool = False) -> "StrPromise | None":
    """What an item is when its kind cell names a kind that is not a book ("a journal
    article"), else None (a book, an empty cell, or a kind not known here). `media_only`: the
    cell is a format's, which says only a film's, a recording's or a game's kind."""
    if not value:
        return None
    key = kind_key(value)
    if media_only and key not in MEDIA_KINDS:
        return None
    return NOT_BOOK_KINDS.get(key)


def is_known_kind(value: str) -> bool:
    key = kind_key(value)
    return key in BOOK_KINDS or key in NOT_BOOK_KINDS

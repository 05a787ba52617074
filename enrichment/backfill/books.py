"""What a discovery source says about one book, before anything checked it."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class DiscoveredBook:
    """One book a discovery source named for a month.

    `isbns` come only from a source that is a catalogue (the Open Library dump or its search):
    they are the ISBNs of the work's editions there, the first one the edition to add. A
    language model's answer never fills them: its books are proposals that the title + author
    cascade must resolve.
    """

    title: str
    authors: list[str] = field(default_factory=list)
    source: str = ""  # the discovery source's name ("openlibrary_dump", "llm"...)
    year: int | None = None
    month: int | None = None
    description: str = ""
    genres: list[str] = field(default_factory=list)
    isbns: list[str] = field(default_factory=list)  # ISBN-13s, the preferred edition's first
    openlibrary_work_key: str = ""  # "OL27258W" when the source is Open Library
    edition_count: int | None = None  # the source's notability figure, when it has one
    # Also named by these sources (after merging the same book from several), and anything the
    # source said that the fields above do not hold (the models that proposed it...).
    also_from: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else ""

    def as_json(self) -> dict[str, Any]:
        """What a synthetic work keeps of its discovery (`Work.discovery`)."""
        return {
            "source": self.source,
            "also_from": list(self.also_from),
            "title": self.title,
            "authors": list(self.authors),
            "year": self.year,
            "month": self.month,
            "description": self.description,
            "genres": list(self.genres),
            "isbns": list(self.isbns),
            "openlibrary_work_key": self.openlibrary_work_key,
            "edition_count": self.edition_count,
            **({"extra": dict(self.extra)} if self.extra else {}),
        }


@dataclass(slots=True)
class Discovery:
    """What the sources found for one month: the books (distinct), and per source the books it
    named, the requests it sent and the error that stopped it, if any."""

    books: list[DiscoveredBook] = field(default_factory=list)
    found: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

"""What a source says about a person, in one shape: plain dataclasses, no database.

The author sources (the Open Library dump's authors table, Open Library's author API, Wikidata)
turn their answers into these, as the book providers turn theirs into
`enrichment.candidates.Candidate`; matching an author (enrichment.author_matching) and applying
what was found read them.
"""

from dataclasses import dataclass, field

#: The kinds of author id, keys of AuthorCandidate.provider_ids, with what people call them.
AUTHOR_ID_LABELS = {
    "openlibrary_author": "Open Library",
    "wikidata": "Wikidata",
    "goodreads_author": "Goodreads",
    "viaf": "VIAF",
    "isni": "ISNI",
}
AUTHOR_ID_KINDS = tuple(AUTHOR_ID_LABELS)
#: Each kind of author id -> the catalog Author field that holds it (merge.AUTHOR_FIELDS).
AUTHOR_ID_FIELDS = {
    "openlibrary_author": "openlibrary_key",
    "wikidata": "wikidata_id",
    "goodreads_author": "goodreads_author_id",
    "viaf": "viaf_id",
    "isni": "isni",
}
#: What a photo's licence is when its source did not say (or was not asked yet).
LICENCE_UNKNOWN = ""


@dataclass(frozen=True, slots=True)
class PhotoRef:
    """A portrait a source offers, like a CoverRef: not a photo until its bytes are verified."""

    provider: str
    url: str
    photo_id: str = ""  # Open Library's photo id, or the Wikimedia Commons file name
    size_label: str = ""  # "L", "M" (Open Library); "" for an original
    licence: str = LICENCE_UNKNOWN  # "CC BY-SA 4.0", "Public domain"; "" when unknown
    licence_url: str = ""
    artist: str = ""  # the attribution the licence asks for, as plain text
    source_page: str = ""  # the human page that states the licence (a Commons file page)
    width: int | None = None  # the original's, when the source says (Commons does)
    height: int | None = None


@dataclass(frozen=True, slots=True)
class AuthorWork:
    """One of a person's works as a source lists it: what matching compares with ours."""

    title: str
    provider_id: str = ""  # e.g. "OL45804W"
    isbn13: tuple[str, ...] = ()
    first_published_year: int | None = None


@dataclass(slots=True)
class AuthorCandidate:
    """One source's description of one person."""

    provider: str
    # Keys from AUTHOR_ID_KINDS: {"openlibrary_author": "OL23919A", "wikidata": "Q34660",
    # "goodreads_author": "1077326", "viaf": "116796842", "isni": "0000000121226163"}
    provider_ids: dict[str, str] = field(default_factory=dict)
    name: str = ""
    alternate_names: list[str] = field(default_factory=list)
    # The names the person wrote under (Wikidata's P742): a pen name is no name of the person's
    # own, and an author of ours who is the pen name is not the person (author_matching).
    pen_names: list[str] = field(default_factory=list)
    birth_year: int | None = None  # negative before the common era
    birth_date: str = ""  # as the source gives it: "13 September 1916", "1903-06-25"
    death_year: int | None = None
    death_date: str = ""
    # The source's date says its year is a guess ("c. 1200", "1850?"): kept, never taken as exact.
    birth_year_approximate: bool = False
    death_year_approximate: bool = False
    gender: str = ""  # the source's word: "female", "male", "non-binary"...
    citizenship: list[str] = field(default_factory=list)  # country names: ["United Kingdom"]
    description: str = ""  # a line: "English writer and journalist (1903–1950)"
    bio: str = ""
    bio_source: str = ""  # the page the bio was taken from
    photos: list[PhotoRef] = field(default_factory=list)
    works: list[AuthorWork] = field(default_factory=list)  # when the source lists them
    source_url: str = ""  # a human-readable page for the record, for reviewers
    cache_key: str = ""  # the SourceRecord lookup key whose payload this came from
    notes: list[str] = field(default_factory=list)  # how the source found it, for reviewers
    # What the source says the record is instead of a person ("pseudonym", "fictional human",
    # "musical group": Wikidata's P31); "" for a person, or when the source does not say.
    not_a_person: str = ""


@dataclass(slots=True)
class PhotoLicence:
    """What Wikimedia Commons says of one file: where its original is and under which licence."""

    file_name: str  # "George Orwell press photo.jpg" (no "File:" prefix)
    url: str = ""  # the original on upload.wikimedia.org
    source_page: str = ""  # the file's description page
    licence: str = LICENCE_UNKNOWN
    licence_url: str = ""
    artist: str = ""
    cache_key: str = ""
    width: int | None = None  # the original's, in pixels
    height: int | None = None

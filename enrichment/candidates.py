"""What every provider answers with, in one shape: plain dataclasses, no database.

Provider clients turn HTTP into these; matching, merging and the cover pipeline read them.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from enrichment.faults import ClassifiedFault

#: How much of a provider's description and subjects the catalog keeps (the provider fields
#: cap every candidate to these; the dump loader stores no more than them).
DESCRIPTION_MAX_CHARS = 20_000  # Work.description is a TextField; ~3,000 words is plenty
SUBJECTS_MAX_COUNT = 50


@dataclass(frozen=True, slots=True)
class CoverRef:
    """A pointer to a cover image a provider offers. Not a cover until its bytes are verified."""

    provider: str
    url: str
    cover_id: str = ""  # the provider's own id (Open Library cover id, Archive.org identifier)
    size_label: str = ""  # "L", "M", "S", "thumbnail", "extraLarge", ...
    width: int | None = None
    height: int | None = None
    # An author's portrait states its licence (Wikimedia Commons): recorded with the photo.
    licence: str = ""
    licence_url: str = ""
    artist: str = ""


@dataclass(frozen=True, slots=True)
class Contributor:
    name: str
    role: str = "author"  # author / translator / narrator / illustrator / editor / contributor
    provider_id: str = ""  # e.g. Open Library author key "OL23919A", Wikidata "Q42"


@dataclass(slots=True)
class Candidate:
    """One provider's description of one book (usually one edition)."""

    provider: str
    provider_ids: dict[str, str] = field(default_factory=dict)
    # e.g. {"openlibrary_edition": "OL7353617M", "openlibrary_work": "OL27258W",
    #       "google_books": "49T5twEACAAJ", "isbndb": "9780...", "wikidata": "Q123",
    #       "archive_org": "identifier"}
    isbn13: list[str] = field(default_factory=list)
    isbn10: list[str] = field(default_factory=list)
    title: str = ""
    subtitle: str = ""
    # A series statement the provider filed as the subtitle ("Book Six of the Elric Saga"),
    # read by catalog.series_statements: never proposed as the subtitle.
    series: str = ""
    series_number: str = ""
    authors: list[Contributor] = field(default_factory=list)
    publisher: str = ""
    publication_date: str = ""  # ISO prefix as precise as known: "2015", "2015-06", "2015-06-01"
    page_count: int | None = None
    format: str = ""  # catalog Edition.Format values where known
    language: str = ""  # ISO 639-1 ("en") where the provider allows, else its own code
    description: str = ""
    subjects: list[str] = field(default_factory=list)
    covers: list[CoverRef] = field(default_factory=list)
    cache_key: str = ""  # the SourceRecord lookup key whose payload this came from
    queried_isbn: str = ""  # the ISBN-13 this candidate answers, when it came from an ISBN lookup
    first_published_year: int | None = None
    source_url: str = ""  # a human-readable page for the record, for reviewers
    notes: list[str] = field(default_factory=list)  # how the provider found it, for reviewers


class LookupStatus(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    THROTTLED = "throttled"  # 429: retry after `retry_after` seconds
    QUOTA_EXHAUSTED = "quota_exhausted"  # daily budget spent (ours or the provider's)
    AUTH_REFUSED = "auth_refused"  # 400/401/403: bad or missing key
    SERVER_ERROR = "server_error"  # 5xx
    TIMEOUT = "timeout"
    UNPARSEABLE = "unparseable"  # a body we could not read
    CIRCUIT_OPEN = "circuit_open"  # the breaker is open: not asked
    NOT_CONFIGURED = "not_configured"  # no key (or a local source without its data): skipped


#: Why the ISBN cascade (enrichment.providers.cascade) did not ask a provider to search.
NO_TITLE_SEARCH = "no_title_search"

#: What each outcome says of a provider, for people ("Google Books: did not answer in time").
#: Screens show these, never the codes.
LOOKUP_STATUS_LABELS = {
    LookupStatus.FOUND: _("answered"),
    LookupStatus.NOT_FOUND: _("does not know the book"),
    LookupStatus.THROTTLED: _("asked us to slow down (rate limit)"),
    LookupStatus.QUOTA_EXHAUSTED: _("its daily quota is spent"),
    LookupStatus.AUTH_REFUSED: _("it refused our API key"),
    LookupStatus.SERVER_ERROR: _("failed with a server error"),
    LookupStatus.TIMEOUT: _("did not answer in time"),
    LookupStatus.UNPARSEABLE: _("sent an answer that could not be read"),
    LookupStatus.CIRCUIT_OPEN: _("paused after repeated failures"),
    LookupStatus.NOT_CONFIGURED: _("not set up (no API key, or no data loaded)"),
    NO_TITLE_SEARCH: _("it cannot search by title"),
}


def lookup_status_label(status: str) -> str:
    """The words for a lookup outcome code; an unknown code (old stored data) as it is."""
    return str(LOOKUP_STATUS_LABELS.get(status, status))


#: Statuses that are the provider's definite answer (cached); the others are faults.
ANSWER_STATUSES = frozenset({LookupStatus.FOUND, LookupStatus.NOT_FOUND})
#: Faults after which asking again later may work; the engine backs off and retries.
RETRYABLE_STATUSES = frozenset(
    {
        LookupStatus.THROTTLED,
        LookupStatus.SERVER_ERROR,
        LookupStatus.TIMEOUT,
        LookupStatus.UNPARSEABLE,
        LookupStatus.CIRCUIT_OPEN,
    }
)
#: The provider is unavailable for now (skipped, not failed): quota spent, key refused, no key.
SKIP_STATUSES = frozenset(
    {LookupStatus.QUOTA_EXHAUSTED, LookupStatus.AUTH_REFUSED, LookupStatus.NOT_CONFIGURED}
)


class ProviderRecord(Protocol):
    """What a provider's parser makes of an answer: a Candidate (a book), an AuthorCandidate
    (enrichment.author_candidates), or another record of the provider's; each names the cache
    entry it was read from."""

    cache_key: str


if TYPE_CHECKING:
    # The default (PEP 696, in `typing` from Python 3.13) keeps a bare `LookupResult` a book
    # lookup's result; the running code never reads it.
    from typing_extensions import TypeVar as TypeVarWithDefault

    RecordT = TypeVarWithDefault("RecordT", bound=ProviderRecord, default=Candidate)
else:
    RecordT = TypeVar("RecordT")


@dataclass(slots=True)
class LookupResult(Generic[RecordT]):
    """A provider's answer to one lookup key (an ISBN, a title + author search, an author).

    `LookupResult` holds book Candidates; `LookupResult[AuthorCandidate]` an author lookup's.
    """

    provider: str
    key: str
    status: LookupStatus
    candidates: list[RecordT] = field(default_factory=list)
    from_cache: bool = False
    error: str = ""
    retry_after: float | None = None  # seconds, when the provider said so
    # The fault classified (enrichment.faults): kind, host, HTTP status, full text.
    fault: "ClassifiedFault | None" = None
    # False: the request was never sent (breaker open, budget spent, our rate limit): the
    # provider was unavailable for now, which is no fault of its answer.
    asked: bool = True

    @property
    def was_skipped(self) -> bool:
        """Neither an answer nor a fault: the provider was not asked (breaker open, budget or
        rate limit), has no key, refused ours, or its day's quota is spent."""
        return (
            not self.asked
            or self.status in SKIP_STATUSES
            or self.status == LookupStatus.CIRCUIT_OPEN
        )

"""The authors of a batch of author requests as the author engine (enrichment.author_engine)
works them: what we hold of each (their query), what the sources answered and how it scored,
and the works each Open Library author key is credited with."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from catalog.models import Author
from enrichment.author_candidates import AuthorCandidate
from enrichment.author_matching import AuthorMatchScore, AuthorQuery
from enrichment.faults import ClassifiedFault
from enrichment.matching import TIER_ORDER, Tier
from enrichment.models import EnrichmentRequest
from enrichment.proposals import ProviderSkip
from enrichment.waiting import Unavailable


@dataclass
class KeyWorks:
    """The works a source credits to one Open Library author key."""

    titles: list[str] = field(default_factory=list)
    isbns: list[str] = field(default_factory=list)

    def add(self, title: str, isbns: Iterable[str]) -> None:
        if title and title not in self.titles:
            self.titles.append(title)
        self.isbns += [isbn for isbn in isbns if isbn and isbn not in self.isbns]


@dataclass(eq=False)  # each one is itself (hashable by identity): batches key dicts by person
class BatchAuthor:
    """One claimed author request while it is being worked."""

    request: EnrichmentRequest
    author: Author
    query: AuthorQuery
    record_keys: list[tuple[str, str]] = field(default_factory=list)  # works' (edition, work) keys
    keys: list[str] = field(default_factory=list)  # Open Library author keys: held or found
    asked: set[tuple[str, str]] = field(default_factory=set)  # (source, key) asked for a record
    records: list[AuthorCandidate] = field(default_factory=list)
    scored: list[tuple[AuthorCandidate, AuthorMatchScore]] = field(default_factory=list)
    faults: list[ClassifiedFault] = field(default_factory=list)  # asked, and it failed
    skipped: list[ProviderSkip] = field(default_factory=list)  # not asked
    unavailable: list[Unavailable] = field(default_factory=list)  # not asked for now: until when
    attempted: list[str] = field(default_factory=list)  # asked (answered or failed)
    answered: list[str] = field(default_factory=list)  # answered, found or not
    learned: dict[str, str] = field(default_factory=dict)  # ids the matched records taught

    @property
    def best_tier(self) -> Tier:
        return max((s.tier for _, s in self.scored), key=TIER_ORDER.__getitem__, default=Tier.NONE)

    def matched_at_least(self, tier: Tier) -> bool:
        return TIER_ORDER[self.best_tier] >= TIER_ORDER[tier]

    def add_key(self, key: str) -> None:
        if key and key not in self.keys:
            self.keys.append(key)

    def wants_photo(self) -> bool:
        return self.request.wants_cover and not self.author.photo

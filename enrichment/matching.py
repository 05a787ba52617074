"""Scoring a provider's candidate against the book we hold: pure functions, no database.

Scores are on the 0–5 scale of the design notes; the tier decides what may be applied:

| tier   | criteria                                 | action                               |
|--------|------------------------------------------|--------------------------------------|
| high   | ISBN match >= 4 and title >= 3           | auto-apply cover and empty fields    |
| medium | title >= 3 and author >= 2, no ISBN match | auto-apply cover only; rest reviewed |
|        | (a record listing only other ISBNs than ours is capped at low: another edition) |  |
| low    | title >= 2, author < 2                   | needs review                         |
| none   | title < 2                                | skipped (kept, with the reason)      |

A wrong book is worse than no book: without an ISBN match nothing reaches high, and a title
alone (no author agreement) never reaches medium.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz

from catalog import isbn as isbn_module
from catalog import text
from enrichment.candidates import Candidate


class Tier(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


TIER_ORDER = {Tier.HIGH: 3, Tier.MEDIUM: 2, Tier.LOW: 1, Tier.NONE: 0}


@dataclass(frozen=True, slots=True)
class BookQuery:
    """What we know of the book being enriched."""

    title: str
    authors: tuple[str, ...] = ()
    isbn13: str = ""
    subtitle: str = ""


@dataclass(slots=True)
class MatchScore:
    isbn: int
    title: int
    author: int
    tier: Tier
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "isbn": self.isbn,
            "title": self.title,
            "author": self.author,
            "tier": str(self.tier),
            "reasons": self.reasons,
        }


_EDITION_NOISE = re.compile(
    r"\b(a novel|roman|novela|deluxe edition|anniversary edition|illustrated edition|"
    r"edicion ilustrada|second edition|2nd edition|third edition|movie tie in)\b"
)


def clean_title(title: str) -> str:
    """Title for comparison: no series suffix, subtitle, edition noise, punctuation or case."""
    cleaned = text.normalize_title(title)
    cleaned = _EDITION_NOISE.sub(" ", cleaned)
    return re.sub(r"\s+", " ", cleaned).strip()


def score_isbn(query: BookQuery, candidate: Candidate) -> tuple[int, str]:
    if not query.isbn13:
        return 0, "we hold no ISBN"
    ours = query.isbn13
    listed = {isbn_module.to_isbn13(value) for value in (*candidate.isbn13, *candidate.isbn10)}
    listed.discard(None)
    if ours in listed:
        if len(listed) == 1:
            return 5, f"the record is for ISBN {ours}"
        # A record covering several ISBNs (a work, or an ISBN shared by editions).
        return 4, f"ISBN {ours} is one of the {len(listed)} ISBNs on the record"
    if candidate.queried_isbn == ours and not listed:
        return 0, f"the provider answered for {ours} but the record lists no ISBN"
    if listed:
        return 0, f"the record's ISBNs ({', '.join(sorted(listed)[:3])}) are not {ours}"
    return 0, "the record has no ISBN"


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def score_title(query: BookQuery, candidate: Candidate) -> tuple[int, str]:
    ours, theirs = clean_title(query.title), clean_title(candidate.title)
    if not ours or not theirs:
        return 0, "a title is missing"
    ratio = _ratio(ours, theirs)
    # "Title: Subtitle" on one side only, or subtitles that the other side folds into the title.
    full_ours = text.normalize_text(f"{query.title} {query.subtitle}")
    full_theirs = text.normalize_text(f"{candidate.title} {candidate.subtitle}")
    ratio = max(ratio, _ratio(full_ours, full_theirs))
    score = next((s for threshold, s in TITLE_STEPS if ratio >= threshold), 0)
    return score, f"titles '{candidate.title}' and '{query.title}' agree at {ratio:.0f}%"


TITLE_STEPS = ((97, 5), (90, 4), (80, 3), (65, 2), (50, 1))


def _surname_and_initials(name: str) -> tuple[str, str]:
    parts = text.normalize_person_name(name).split()
    if not parts:
        return "", ""
    return parts[-1], "".join(p[0] for p in parts[:-1])


def score_person(ours: str, theirs: str) -> int:
    a, b = text.normalize_person_name(ours), text.normalize_person_name(theirs)
    if not a or not b:
        return 0
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return 5
    if fuzz.token_sort_ratio(a, b) >= 90:
        return 4
    surname_a, initials_a = _surname_and_initials(ours)
    surname_b, initials_b = _surname_and_initials(theirs)
    if surname_a == surname_b:
        # "J. K. Rowling" vs "Joanne K. Rowling": the initials that both give agree.
        if (
            initials_a
            and initials_b
            and (initials_a.startswith(initials_b) or initials_b.startswith(initials_a))
        ):
            return 4
        return 2
    if fuzz.token_set_ratio(a, b) >= 85:
        return 3
    return 0


def score_author(query: BookQuery, candidate: Candidate) -> tuple[int, str]:
    ours = [name for name in query.authors if name]
    theirs = [c.name for c in candidate.authors if c.role in ("author", "")] or [
        c.name for c in candidate.authors
    ]
    if not ours:
        return 0, "we hold no author"
    if not theirs:
        return 0, "the record names no author"
    best = max(score_person(a, b) for a in ours for b in theirs)
    return best, f"authors {', '.join(theirs[:3])} vs {', '.join(ours[:3])}: {best}/5"


def tier_for(isbn: int, title: int, author: int) -> Tier:
    if isbn >= 4 and title >= 3:
        return Tier.HIGH
    if title >= 3 and author >= 2:
        return Tier.MEDIUM
    if title >= 2:
        return Tier.LOW
    return Tier.NONE


def score_candidate(query: BookQuery, candidate: Candidate) -> MatchScore:
    isbn_score, isbn_reason = score_isbn(query, candidate)
    title_score, title_reason = score_title(query, candidate)
    author_score, author_reason = score_author(query, candidate)
    tier = tier_for(isbn_score, title_score, author_score)
    reasons = [isbn_reason, title_reason, author_reason]
    if isbn_score >= 4 and title_score < 3:
        reasons.append("the ISBN matches but the title does not: kept for review")
    listed_isbns = bool(candidate.isbn13 or candidate.isbn10)
    names_other_isbns = bool(query.isbn13) and isbn_score == 0 and listed_isbns
    if names_other_isbns and tier == Tier.MEDIUM:
        # We hold an ISBN and the record names others: most likely another edition.
        tier = Tier.LOW
        reasons.append("the record is for other ISBNs (another edition?): kept for review")
    return MatchScore(isbn_score, title_score, author_score, tier, reasons)

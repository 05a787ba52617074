"""Scoring a provider's candidate against the book we hold: pure functions, no database.

Scores are on the 0–5 scale of the design notes; the tier decides what may be applied:

| tier   | criteria                                 | action                               |
|--------|------------------------------------------|--------------------------------------|
| high   | ISBN or Open Library key match >= 4 and title >= 3 | auto-apply cover, empty fields |
| medium | title >= 3 and author >= 2, no ISBN match | auto-apply cover only; rest reviewed |
|        | (a record listing only other ISBNs than ours is capped at low: another edition) |  |
| low    | title >= 2, author < 2                   | needs review                         |
| none   | title < 2                                | skipped (kept, with the reason)      |

A wrong book is worse than no book: without an identifier match nothing reaches high, and a
title alone (no author agreement) never reaches medium. The identifiers are our ISBN, and our
Open Library keys: a record whose Open Library edition (or work) key is ours is that book, as
surely as one for our ISBN. Even with our ISBN on the record (providers list the ISBNs a record
is *about*, so a study guide lists the book's), high also needs: authors that do not disagree
with ours, a title that is ours rather than ours with extra words, and a record that is not a
derivative work (study guide, summary, workbook, companion…). A record naming Open Library keys
other than ours, or ISBNs other than ours, is at best low.

A placeholder title (an Open Library key standing in for a title the export did not give)
cannot be compared: with an identifier match the record's title is taken as agreeing, without
one nothing matches.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _
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

#: The scores (0–5) at which each part of a record agrees with our book: the tiers below are
#: built from them, and so are the review page's headlines (enrichment.headlines).
ISBN_AGREES = 4  # our ISBN (or Open Library key) is on the record
TITLE_AGREES = 3
AUTHOR_AGREES = 2
TITLE_CLOSE = 2  # close enough to keep for review (low), never to apply


@dataclass(frozen=True, slots=True)
class BookQuery:
    """What we know of the book being enriched."""

    title: str
    authors: tuple[str, ...] = ()
    isbn13: str = ""
    subtitle: str = ""
    openlibrary_edition_key: str = ""  # "OL7353617M"
    openlibrary_work_key: str = ""  # "OL27258W"
    title_is_placeholder: bool = False  # `title` is only a key standing in for the real one


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


def _listed_isbn13s(candidate: Candidate) -> set[str]:
    """Every valid ISBN the record lists, as ISBN-13s (ISBN-10s converted)."""
    listed = (isbn_module.to_isbn13(value) for value in (*candidate.isbn13, *candidate.isbn10))
    return {isbn13 for isbn13 in listed if isbn13}


def score_isbn(query: BookQuery, candidate: Candidate) -> tuple[int, str]:
    if not query.isbn13:
        return 0, _("we hold no ISBN")
    ours = query.isbn13
    listed = _listed_isbn13s(candidate)
    if ours in listed:
        if len(listed) == 1:
            return 5, _("the record is for ISBN %(isbn)s") % {"isbn": ours}
        # A record covering several ISBNs (a work, or an ISBN shared by editions).
        return 4, _("ISBN %(isbn)s is one of the %(count)s ISBNs on the record") % {
            "isbn": ours,
            "count": len(listed),
        }
    if candidate.queried_isbn == ours and not listed:
        return 0, _("the provider answered for %(isbn)s but the record lists no ISBN") % {
            "isbn": ours
        }
    if listed:
        return 0, _("the record's ISBNs (%(theirs)s) are not %(isbn)s") % {
            "theirs": ", ".join(sorted(listed)[:3]),
            "isbn": ours,
        }
    return 0, _("the record has no ISBN")


def _openlibrary_keys(candidate: Candidate) -> tuple[str, str]:
    ids = candidate.provider_ids
    return ids.get("openlibrary_edition", ""), ids.get("openlibrary_work", "")


def score_openlibrary_key(query: BookQuery, candidate: Candidate) -> tuple[int, str]:
    """Our Open Library key on the record: an identity, scored as an ISBN would be ("" reason
    when we hold no key the record names)."""
    edition, work = _openlibrary_keys(candidate)
    if query.openlibrary_edition_key and edition == query.openlibrary_edition_key:
        return 5, _("the record is Open Library's %(key)s, ours") % {"key": edition}
    if query.openlibrary_work_key and work == query.openlibrary_work_key:
        if not edition:
            return 5, _("the record is Open Library's %(key)s, ours") % {"key": work}
        if not query.openlibrary_edition_key:
            # One edition of our work, as a record listing our ISBN among others is.
            return 4, _("the record is an edition of Open Library's %(key)s, ours") % {"key": work}
    return 0, ""


def openlibrary_key_conflict(query: BookQuery, candidate: Candidate) -> str:
    """Why the record is another Open Library record than ours ("" when no key disagrees)."""
    edition, work = _openlibrary_keys(candidate)
    for ours, theirs in (
        (query.openlibrary_edition_key, edition),
        (query.openlibrary_work_key, work),
    ):
        if ours and theirs and theirs != ours:
            return _("the record is Open Library's %(theirs)s, ours is %(ours)s") % {
                "theirs": theirs,
                "ours": ours,
            }
    return ""


def isbn13_of_our_edition(query: BookQuery, candidate: Candidate) -> str:
    """The ISBN-13 that the record of our own edition (found by our Open Library edition key)
    gives it: its only ISBN (ISBN-10s converted); "" when it lists none, or several (one record
    for several bindings: none of them is surely ours)."""
    edition, _work = _openlibrary_keys(candidate)
    if not query.openlibrary_edition_key or edition != query.openlibrary_edition_key:
        return ""
    listed = _listed_isbn13s(candidate)
    return listed.pop() if len(listed) == 1 else ""


#: Title wording of works written *about* a book: never the book itself.
_DERIVATIVE_TITLE = re.compile(
    r"\b(study guide|study notes|readers guide|reading guide|teachers guide|discussion guide|"
    r"book club guide|lesson plans?|summary|summaries|"
    r"summary and analysis|analysis of|literary analysis|workbook|companion|critical essays|"
    r"cliffs? ?notes|sparknotes|spark notes|quicklet|key takeaways|trivia|"
    r"conversation starters|notes on|unofficial guide|sidekick|digest of|a guide to)\b"
)
#: Imprints and houses that publish guides to other people's books.
_DERIVATIVE_CONTRIBUTOR = re.compile(
    r"\b(sparknotes|spark notes|cliffsnotes|cliffs notes|bookrags|supersummary|instaread|"
    r"litcharts|gradesaver|shmoop|course hero|quickread|readtrepreneur|bright summaries|"
    r"summary station|book summaries|bookhabits|book habits|dailybooks|compass summaries|"
    r"gp summary|sumoreads|elite summaries|lea schullery)\b"
)
#: Contributor roles that make a record someone else's work built on the book.
DERIVATIVE_ROLES = frozenset({"adapter", "adaptation", "commentator", "summarizer", "abridger"})


def derivative_reason(query: BookQuery, candidate: Candidate) -> str:
    """Why the record is a work about or built on the book (a guide, a summary…), or ""."""
    ours = text.normalize_whole_title(query.title, query.subtitle)
    theirs = text.normalize_whole_title(candidate.title, candidate.subtitle)
    for match in _DERIVATIVE_TITLE.finditer(theirs):
        if match.group(0) not in ours:  # our own book may be a companion or a workbook
            return _("the record's title says '%(words)s': a work about the book") % {
                "words": match.group(0)
            }
    for person in candidate.authors:
        if person.role in DERIVATIVE_ROLES:
            return _("%(name)s is credited as %(role)s: a work built on the book") % {
                "name": person.name,
                "role": person.role,
            }
        name = text.normalize_text(person.name)
        found = _DERIVATIVE_CONTRIBUTOR.search(name)
        if found and found.group(0) not in ours:
            return _("%(name)s publishes guides to other books") % {"name": person.name}
    return ""


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def score_title(query: BookQuery, candidate: Candidate) -> tuple[int, str]:
    ours, theirs = clean_title(query.title), clean_title(candidate.title)
    if not ours or not theirs:
        return 0, _("a title is missing")
    ratio = _ratio(ours, theirs)
    # "Title: Subtitle" on one side only, or subtitles that the other side folds into the title.
    full_ours = text.normalize_whole_title(query.title, query.subtitle)
    full_theirs = text.normalize_whole_title(candidate.title, candidate.subtitle)
    ratio = max(ratio, _ratio(full_ours, full_theirs))
    # "Series: Title" or "Title, or Other" on one side: one of its parts is the other title.
    ours_parts, theirs_parts = _title_parts(query.title), _title_parts(candidate.title)
    ratio = max(ratio, *(_ratio(ours, part) for part in theirs_parts))
    ratio = max(ratio, *(_ratio(part, theirs) for part in ours_parts))
    score = next((s for threshold, s in TITLE_STEPS if ratio >= threshold), 0)
    reason = _("titles '%(theirs)s' and '%(ours)s' agree at %(percent)s%%") % {
        "theirs": candidate.title,
        "ours": query.title,
        "percent": f"{ratio:.0f}",
    }
    if score > 2 and _only_contains(query, candidate):
        # "Summary of X", "X and Y": the words of ours are there, the book is not.
        return 2, _("the title '%(theirs)s' holds '%(ours)s' with other words") % {
            "theirs": candidate.title,
            "ours": query.title,
        }
    return score, reason


TITLE_STEPS = ((97, 5), (90, 4), (80, 3), (65, 2), (50, 1))
#: Where a title's parts meet: "Series: Title", "Title - Subtitle", "Title; or, Other".
_TITLE_PARTS = re.compile(r"\s*[:;/]\s*|\s+[-\u2013\u2014]\s+|,?\s+or,?\s+|[()\[\]]")


def _title_parts(title: str) -> list[str]:
    """The main title and each of its parts, cleaned (no series suffix)."""
    main, _series, _number = text.split_series(title or "")
    parts = (main, *_TITLE_PARTS.split(main))
    return [p for p in dict.fromkeys(clean_title(part) for part in parts if part) if p]


def _only_contains(query: BookQuery, candidate: Candidate) -> bool:
    """One title is the other's words plus more, and no part of one is the other title.

    "Series: Title", "Title: A Novel" and "Title (Series, #2)" are decorations; "Title Workbook"
    or "Dune Messiah" for "Dune" are other books.
    """
    ours_parts, theirs_parts = _title_parts(query.title), _title_parts(candidate.title)
    if any(_ratio(a, b) >= 90 for a in ours_parts for b in theirs_parts):
        return False
    ours = set(text.normalize_whole_title(query.title, query.subtitle).split())
    theirs = set(text.normalize_whole_title(candidate.title, candidate.subtitle).split())
    return bool(ours and theirs) and (ours < theirs or theirs < ours)


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
        return 0, _("we hold no author")
    if not theirs:
        return 0, _("the record names no author")
    best = max(score_person(a, b) for a in ours for b in theirs)
    return best, _("authors %(theirs)s vs %(ours)s: %(score)s/5") % {
        "theirs": ", ".join(theirs[:3]),
        "ours": ", ".join(ours[:3]),
        "score": best,
    }


def authors_disagree(query: BookQuery, candidate: Candidate, author_score: int) -> bool:
    """Both sides name authors, in the same script, and none of them is one of ours. Only the
    record's authors can disagree: its illustrator or translator (an edition's credited
    contributions) is no author of ours, and says nothing against the book being ours."""
    if author_score >= 2:
        return False
    ours = [text.strip_accents(n) for n in query.authors if n.strip()]
    theirs = [
        text.strip_accents(c.name)
        for c in candidate.authors
        if c.name.strip() and c.role in ("author", "")
    ]
    # "Фёдор Достоевский" and "Fyodor Dostoevsky" cannot be compared by spelling.
    return any(a.isascii() == b.isascii() for a in ours for b in theirs)


def tier_for(isbn: int, title: int, author: int) -> Tier:
    if isbn >= ISBN_AGREES and title >= TITLE_AGREES:
        return Tier.HIGH
    if title >= TITLE_AGREES and author >= AUTHOR_AGREES:
        return Tier.MEDIUM
    if title >= TITLE_CLOSE:
        return Tier.LOW
    return Tier.NONE


def score_placeholder_title(
    identifier: int, query: BookQuery, candidate: Candidate
) -> tuple[int, str]:
    """Our title is only a placeholder (a key): the record's title cannot disagree with it when
    an identifier says the record is ours; without one, nothing says it is."""
    if not candidate.title.strip():
        return 0, _("a title is missing")
    if identifier >= 4:
        return 5, _(
            "our title '%(ours)s' only stands in for the real one: the record's title "
            "'%(theirs)s' is taken as agreeing"
        ) % {"ours": query.title, "theirs": candidate.title}
    return 0, _(
        "our title '%(ours)s' only stands in for the real one, and no identifier agrees"
    ) % {"ours": query.title}


def score_candidate(query: BookQuery, candidate: Candidate) -> MatchScore:
    isbn_score, isbn_reason = score_isbn(query, candidate)
    key_score, key_reason = score_openlibrary_key(query, candidate)
    identifier = max(isbn_score, key_score)  # our ISBN or our Open Library key on the record
    if query.title_is_placeholder:
        title_score, title_reason = score_placeholder_title(identifier, query, candidate)
    else:
        title_score, title_reason = score_title(query, candidate)
    author_score, author_reason = score_author(query, candidate)
    tier = tier_for(identifier, title_score, author_score)
    reasons = [isbn_reason, *([key_reason] if key_reason else []), title_reason, author_reason]
    if identifier >= ISBN_AGREES and title_score < TITLE_AGREES:
        reasons.append(
            _("the ISBN matches but the title does not: kept for review")
            if isbn_score >= 4
            else _("the Open Library key matches but the title does not: kept for review")
        )
    listed_isbns = bool(candidate.isbn13 or candidate.isbn10)
    names_other_isbns = bool(query.isbn13) and isbn_score == 0 and listed_isbns
    if names_other_isbns and tier in (Tier.HIGH, Tier.MEDIUM):
        # We hold an ISBN and the record names others: most likely another edition.
        tier = Tier.LOW
        reasons.append(_("the record is for other ISBNs (another edition?): kept for review"))
    conflict = openlibrary_key_conflict(query, candidate)
    if conflict and isbn_score >= 4:
        reasons.append(
            _("%(conflict)s, but our ISBN is on the record: the ISBN decides")
            % {"conflict": conflict}
        )
    elif conflict and tier in (Tier.HIGH, Tier.MEDIUM):
        # Open Library itself says it is another record (another edition or work).
        tier = Tier.LOW
        reasons.append(_("%(conflict)s: kept for review") % {"conflict": conflict})
    elif conflict:
        reasons.append(conflict)
    if tier == Tier.HIGH and authors_disagree(query, candidate, author_score):
        tier = Tier.LOW
        reasons.append(
            _("the record lists our ISBN but its authors are not ours: kept for review")
            if isbn_score >= 4
            else _(
                "the record lists our Open Library key but its authors are not ours: kept for "
                "review"
            )
        )
    derivative = derivative_reason(query, candidate)
    if derivative:
        tier = min(tier, Tier.LOW, key=TIER_ORDER.__getitem__)
        reasons.append(_("%(why)s: never applied automatically") % {"why": derivative})
    return MatchScore(identifier, title_score, author_score, tier, reasons)

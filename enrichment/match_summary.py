"""What a request's match said, for people: the providers that answered, the review page's
headline (enrichment.headlines; a decided request's, enrichment.decided_headline, may ask whether
it changed the catalog) and its score lines. Reads the request's stored match details.

A score line says what each score measured, and says so where nothing could be compared: a book
we hold no ISBN for is "no ISBN of ours", not "ISBN 0/5", which reads as an ISBN that differs; a
record that names no author is "no author on the record", and its headline does not say the
author disagrees.
"""

from django.utils.translation import gettext, gettext_lazy

from enrichment import headlines
from enrichment.author_candidates import AUTHOR_ID_KINDS
from enrichment.candidates import NO_TITLE_SEARCH
from enrichment.decided_headline import decided_headline
from enrichment.models import EnrichmentRequest
from enrichment.proposals import CandidateSeen, MatchDetails, Scores

Status = EnrichmentRequest.Status
#: The confidences of a match; "none" is no match, never a confidence a screen shows.
MATCHED = (
    EnrichmentRequest.Confidence.HIGH,
    EnrichmentRequest.Confidence.MEDIUM,
    EnrichmentRequest.Confidence.LOW,
)
#: What a proposal's three scores (proposals.Scores) measure: a book's ISBN / title / author (the
#: first its Open Library key, for a book known by its key alone); an author's record is scored
#: on its ids, its works and the name (author_matching).
SCORE_LABELS = {
    "work": (gettext_lazy("ISBN"), gettext_lazy("title"), gettext_lazy("author")),
    "author": (gettext_lazy("id"), gettext_lazy("works"), gettext_lazy("name")),
}
#: The statuses after which the engine tries a request again by itself.
TRIED_AGAIN = (Status.PENDING, Status.IN_PROGRESS)


def answered_providers(req: EnrichmentRequest) -> list[str]:
    """The providers that answered the request (found the book or said they do not know it),
    as the engine recorded them; for a request recorded before that: those asked, less those
    whose every lookup failed (a fault and no record). Skipped providers were never asked."""
    details = req.match_details
    if details.answered:
        return list(details.answered)
    faulted = {fault.provider for fault in details.faults}
    with_records = {candidate.provider for candidate in details.candidates}
    return [
        name
        for name in req.providers_attempted or []
        if name not in faulted or name in with_records
    ]


def known_by_key(details: MatchDetails) -> bool:
    """The book was looked up by its Open Library key, having no ISBN: its identifier score is
    the key's."""
    query = details.query
    return (
        query is not None
        and not query.isbn13
        and bool(query.openlibrary_edition_key or query.openlibrary_work_key)
    )


def request_headline(req: EnrichmentRequest, *, changed_since: dict[str, str] | None = None) -> str:
    """The review page's one sentence: what agreed and what did not (enrichment.headlines), or
    what became of a decided request (enrichment.decided_headline; `changed_since` passed on)."""
    decided = decided_headline(req, changed_since=changed_since)
    if not decided:
        return _match_headline(req)
    if req.status == Status.COMPLETED and req.confidence == EnrichmentRequest.Confidence.HIGH:
        # A high match asked nobody to check anything: why it was applied stays true.
        return f"{decided} {_match_headline(req)}".strip()
    return decided


def _match_headline(req: EnrichmentRequest) -> str:
    details, scores = req.match_details, req.proposal.scores
    if req.author_id:
        return _author_headline(req)
    if req.confidence in MATCHED and scores is not None:
        matched = scored_candidate(details, scores, tier=req.confidence)
        return headlines.match_headline(
            tier=req.confidence,
            isbn=scores.isbn,
            title=scores.title,
            author=scores.author,
            by_key=known_by_key(details),
            author_compared=not _no_author(details, matched),
        )
    if req.confidence in MATCHED:
        return ""  # a match whose proposal changed nothing: the fields say so
    return headlines.no_match_headline(
        looked_up=req.status not in TRIED_AGAIN or bool(req.attempts),
        answered=bool(answered_providers(req)),
        # A provider that cannot search by title was not unavailable: it has no such search.
        unavailable=any(skip.status != NO_TITLE_SEARCH for skip in details.skipped),
        failed=bool(details.faults),
        records_seen=len(details.candidates),
        via_title_search=details.via_title_search,
        final=req.status not in TRIED_AGAIN,
    )


def _author_headline(req: EnrichmentRequest) -> str:
    """An author's headline: the scores are id / works / name (SCORE_LABELS)."""
    details, scores = req.match_details, req.proposal.scores
    if req.confidence in MATCHED and scores is not None:
        return headlines.author_match_headline(
            tier=req.confidence, identifier=scores.isbn, works=scores.title, name=scores.author
        )
    if req.confidence in MATCHED:
        return ""
    return headlines.author_no_match_headline(
        looked_up=req.status not in TRIED_AGAIN or bool(req.attempts),
        answered=bool(answered_providers(req)),
        failed=bool(details.faults),
        records_seen=len(details.candidates),
        final=req.status not in TRIED_AGAIN,
    )


def scored_candidate(
    details: MatchDetails, scores: Scores, *, provider: str = "", tier: str = ""
) -> CandidateSeen | None:
    """The record these scores are of, among those the engine listed (None when not listed)."""
    for candidate in details.candidates:
        if provider and candidate.provider != provider:
            continue
        if tier and candidate.tier != tier:
            continue
        if (candidate.isbn_score, candidate.title_score, candidate.author_score) == (
            scores.isbn,
            scores.title,
            scores.author,
        ):
            return candidate
    return None


def score_line(
    req: EnrichmentRequest, scores: Scores, candidate: CandidateSeen | None = None
) -> str:
    """ "ISBN 5/5 · title 2/5 · author 5/5"; "no ISBN of ours · title 5/5 · author 5/5" for a
    book we hold no ISBN for; "Open Library key 5/5 · …" for one known by its key alone."""
    labels = SCORE_LABELS["author" if req.author_id else "work"]
    parts = [
        _identifier_part(req, scores.isbn, candidate),
        _scored(labels[1], scores.title),
        _author_part(req, scores.author, candidate),
    ]
    return " · ".join(parts)


def _no_author(details: MatchDetails, candidate: CandidateSeen | None) -> str:
    """Why a book's author could not be compared: "ours" (we hold none), "theirs" (the record
    names none), or "" (compared, or not known: recorded before this was kept)."""
    query = details.query
    if query is not None and not any(name.strip() for name in query.authors):
        return "ours"
    if candidate is not None and candidate.names_authors is False:
        return "theirs"
    return ""


def _author_part(req: EnrichmentRequest, score: int, candidate: CandidateSeen | None) -> str:
    if req.author_id:  # an author's third score is the name's: always compared
        return _scored(SCORE_LABELS["author"][2], score)
    missing = _no_author(req.match_details, candidate)
    if missing == "ours":
        return gettext("no author of ours")
    if missing == "theirs":
        return gettext("no author on the record")
    return _scored(SCORE_LABELS["work"][2], score)


def _scored(label, score: int) -> str:
    return gettext("%(label)s %(score)s/5") % {"label": label, "score": score}


def _identifier_part(req: EnrichmentRequest, score: int, candidate: CandidateSeen | None) -> str:
    """The identifier's score, or what left nothing to compare: our side holds none, or the
    record (when known) lists none."""
    details = req.match_details
    if req.author_id:
        held_author = details.held_author
        if held_author is not None and not any(held_author.ids.values()):
            return gettext("no id of ours")
        if candidate is not None and not score and not _author_ids(candidate):
            return gettext("no id on the record")
        return _scored(SCORE_LABELS["author"][0], score)
    query = details.query
    if query is None:  # recorded before what was looked up was kept
        return _scored(SCORE_LABELS["work"][0], score)
    has_key = bool(query.openlibrary_edition_key or query.openlibrary_work_key)
    if not query.isbn13 and not has_key:
        return gettext("no ISBN of ours")
    record_keys = candidate is not None and bool(
        candidate.ids.get("openlibrary_edition") or candidate.ids.get("openlibrary_work")
    )
    if not query.isbn13:
        if candidate is not None and not record_keys:
            return gettext("no Open Library key on the record")
        return _scored(gettext("Open Library key"), score)
    if candidate is not None and not candidate.isbn13:
        # A record that lists no ISBN scored only by our Open Library key, if at all.
        if score and has_key:
            return _scored(gettext("Open Library key"), score)
        return gettext("no ISBN on the record")
    return _scored(SCORE_LABELS["work"][0], score)


def _author_ids(candidate: CandidateSeen) -> list[str]:
    return [value for kind, value in candidate.ids.items() if kind in AUTHOR_ID_KINDS and value]

"""Deciding an author's request once the sources answered (steps 4 and 5 of
enrichment.author_engine): the best tier decides, as for books (enrichment.apply); the match
details keep what we hold and the strongest records seen for the review page; an author no
record is ends unmatched with the reason in a librarian's words."""

from django.conf import settings
from django.utils.translation import gettext

from enrichment import apply, author_proposal, outcomes
from enrichment.author_batch import BatchAuthor, KeyWorks
from enrichment.author_held import author_query
from enrichment.author_lookups import rescore
from enrichment.author_state import (
    author_current_values,
    names_an_organisation,
    names_no_one_person,
)
from enrichment.matching import Tier
from enrichment.proposals import (
    CandidateSeen,
    HeldAuthor,
    MatchDetails,
    Scores,
    build_proposal,
)
from enrichment.tally import end_unmatched

#: What the match details keep of what we hold, and of the records seen.
HELD_SHOWN = 10
CANDIDATES_SHOWN = 20


def _match_details(person: BatchAuthor) -> MatchDetails:
    query = person.query
    return MatchDetails(
        held_author=HeldAuthor(
            name=query.name,
            ids=dict(author_query(person.author).ids),
            work_titles=list(query.work_titles[:HELD_SHOWN]),
            isbn13=list(query.isbns[:HELD_SHOWN]),
            birth_year=query.birth_year,
            death_year=query.death_year,
        ),
        learned_ids=dict(person.learned),
        # For an author the three scores are id / works / name (match_summary.SCORE_LABELS).
        candidates=[
            CandidateSeen(
                provider=record.provider,
                title=record.name,
                ids=dict(record.provider_ids),
                source_url=record.source_url,
                notes=list(record.notes),
                isbn_score=score.identifier,
                title_score=score.works,
                author_score=score.name,
                tier=str(score.tier),
                reasons=list(score.reasons),
            )
            for record, score in sorted(
                person.scored,
                key=lambda item: author_proposal.score_strength(item[1]),
                reverse=True,
            )[:CANDIDATES_SHOWN]  # the strongest first, for the review page
        ],
        skipped=person.skipped,
        faults=person.faults,
        answered=person.answered,
    )


def decide_author(person: BatchAuthor, works_by_key: dict[str, KeyWorks]) -> str:
    rescore([person], works_by_key)
    request = person.request
    request.providers_attempted = person.attempted
    details = _match_details(person)
    request.match_details = details
    if names_no_one_person(person.author.name):
        return end_unmatched(person, request, reason=_no_one_reason(person.author.name))
    tier = person.best_tier
    if tier == Tier.NONE:
        return end_unmatched(person, request, reason=_unmatched_reason(person))

    merged = author_proposal.merge_author_candidates(
        person.scored, provider_order=settings.ENRICHMENT_PROVIDERS
    )
    best = author_proposal.best_score(author_proposal.candidates_to_merge(person.scored))
    assert best is not None
    proposal = build_proposal(
        current=author_current_values(person.author),
        merged=merged,
        tier=str(tier),
        # An author's scores are id / works / name in the slots a book's ISBN / title / author use.
        scores=Scores(isbn=best.identifier, title=best.works, author=best.name),
    )
    details.contributors = merged.contributors()
    photos = merged.covers if request.wants_cover and person.matched_at_least(Tier.MEDIUM) else []
    return apply.request_apply_decision(
        request=request, tier=tier, proposal=proposal, covers=photos
    )


def _no_one_reason(name: str) -> str:
    if names_an_organisation(name):
        return gettext(
            "“%(name)s” is an organisation's name, not a person's: the author sources describe "
            "people, so none was asked."
        ) % {"name": name}
    return gettext(
        "“%(name)s” stands for no one person (a work's unknown or several unnamed authors): "
        "no source can describe them, so none was asked."
    ) % {"name": name}


def _unmatched_reason(person: BatchAuthor) -> str:
    """Why no record is this author, in a librarian's words."""
    if person.skipped and not person.answered:
        return gettext("No source could look this author up: %(why)s.") % {
            "why": outcomes.skips_text(person.skipped)
        }
    if not person.attempted:
        return gettext(
            "No enabled source can look this author up: the author sources are the Open "
            "Library dump, Open Library and Wikidata."
        )
    if person.records:
        return gettext(
            "Sources answered, but no record is this author: neither the name nor a work agrees."
        )
    return gettext("No source knows this author.")

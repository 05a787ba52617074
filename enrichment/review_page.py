"""The review page of one request: its rows (current against proposed), its cover panel, its
candidates, its faults and what it waits for, and the page's whole context (split from
`enrichment.presenters`, which keeps the labels and values these use).
"""

import re
from urllib.parse import urlencode

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext

from catalog import text
from enrichment import cover_apply, outcomes, selectors
from enrichment.covers import medium_thumbnail_url, ordered_cover_refs
from enrichment.decided_headline import fields_changed_since
from enrichment.match_summary import (
    MATCHED,
    answered_providers,
    request_headline,
    score_line,
    scored_candidate,
)
from enrichment.merge import is_empty
from enrichment.models import EnrichmentRequest
from enrichment.presenters import (
    displayable_cover_url,
    field_value_text,
    proposal_decidable,
    proposal_decided_note,
    providers_text,
    request_image_holder,
    request_live_values,
    request_target,
    request_target_url,
    tier_label,
    value_text,
    web_url,
)
from enrichment.proposals import CandidateSeen, Scores, field_label
from enrichment.providers.registry import provider_class, provider_label, record_links
from enrichment.request_status import audit_action_label, image_status_text
from enrichment.safe_approval import safe_approval_allowed, safe_approval_withheld_note
from enrichment.waiting import WaitingWords, waiting_words
from enrichment.work_state import WORK_WAITING, request_work, value_fingerprint

Status = EnrichmentRequest.Status


def proposal_pre_ticked(req: EnrichmentRequest) -> bool:
    """Whether the review page ticks the fields that fill empty ones for the reviewer: only
    where a one-click approval could apply them (`safe_approval`: not where the record may be
    another book's, whose fields the reviewer ticks as they check them). Nor once a reviewer
    has decided the request: the fields they left out were left out on purpose, and approving
    the page as shown must not apply them."""
    return safe_approval_allowed(req) and req.reviewed_by_id is None


def review_rows(
    req: EnrichmentRequest, *, can_review: bool, changed_since: dict[str, str] | None = None
) -> list[dict]:
    """One row per proposed field: current (live) vs proposed, source, score, checkbox."""
    live = request_live_values(req)
    trusted = proposal_pre_ticked(req)
    decided_note = proposal_decided_note(req)
    if changed_since is None:
        changed_since = fields_changed_since(req)
    proposed = {item.name: item.proposed for item in req.proposal.ordered()}
    rows = []
    for item in req.proposal.ordered():
        current = live.get(item.name, item.current)
        replaces = not item.fills_empty or not is_empty(current)
        rows.append(
            {
                "name": item.name,
                "label": field_label(item.name),
                "current": field_value_text(item.name, current, beside=live),
                "shown": value_fingerprint(current),
                "proposed": field_value_text(item.name, item.proposed, beside=proposed),
                "long": item.name in ("description", "bio"),
                "source": provider_label(item.source),
                "agree": [provider_label(name) for name in item.agree],
                "tier": tier_label(item.tier),
                "score": item.score
                and score_line(
                    req,
                    item.score,
                    scored_candidate(req.match_details, item.score, provider=item.source),
                ),
                "target": item.target,
                "applied": item.applied,
                "reverted": item.reverted,
                # Applied, and written over since: why it no longer holds the applied value.
                "applied_then_changed": changed_since.get(item.name, "") if item.applied else "",
                "refused": item.refused,
                "replaces": replaces and not item.applied,
                "decided_note": "" if item.applied else decided_note,
                "changed_since": value_text(current) != value_text(item.current),
                "can_tick": can_review and not item.applied,
                # A value a librarian reverted is not offered again ticked: they turned it down.
                "ticked": trusted and not item.applied and not replaces and not item.reverted,
            }
        )
    if req.author is not None:
        return rows  # an author's request proposes no credits
    people = req.match_details.authors
    credits = [c.author.name for c in request_work(req).credits.all()]
    same = [text.normalize_person_name(n) for n in credits] == [
        text.normalize_person_name(p.name) for p in people
    ]
    if people and not same:
        applied = "authors" in req.fields_applied
        rows.append(
            {
                "name": "authors",
                "label": "Authors",
                "current": "; ".join(credits),
                "proposed": "; ".join(p.name for p in people),
                "source": provider_label(people[0].source),
                "agree": [],
                "applied": applied,
                "refused": "" if not credits or applied else "the work has credits: edit them",
                "replaces": False,
                "decided_note": "" if applied else decided_note,
                "can_tick": can_review and not applied and not credits,
                "ticked": trusted and not applied and not credits,
            }
        )
    return rows


def cover_context(
    req: EnrichmentRequest, *, can_review: bool, changed_since: dict[str, str] | None = None
) -> dict:
    holder, slot = request_image_holder(req)
    current = {}
    if holder is not None:
        image = getattr(holder, slot)
        width, height = getattr(holder, f"{slot}_width"), getattr(holder, f"{slot}_height")
        current = {
            "url": medium_thumbnail_url(holder, slot=slot) or image.url,
            "original": image.url,
            "source": provider_label(getattr(holder, f"{slot}_source")),
            "source_url": web_url(getattr(holder, f"{slot}_source_url")),
            "size": f"{width}×{height}" if width else "",
            "verified": getattr(holder, f"{slot}_verified_at"),
            "licence": getattr(holder, "photo_licence", ""),
        }
    item = req.proposal.cover
    applied = item is not None and item.applied
    chosen = item.chosen if item is not None else ""
    # Drawn as a cover still to decide ("applied if you approve") only while a decision may
    # apply it; a decided proposal's (applied, dismissed, superseded) as decided.
    undecided = proposal_decidable(req) and not applied
    proposed = []
    for ref in ordered_cover_refs(cover_apply.cover_refs(req))[:4]:
        shown, why_not = displayable_cover_url(ref.url)
        size = f"{ref.width}×{ref.height}" if ref.width and ref.height else ref.size_label
        proposed.append(
            {
                "url": web_url(ref.url),
                "applied": applied and ref.url == chosen,
                "shown": shown,
                "why_not": why_not,
                "provider": provider_label(ref.provider),
                "size": size,
                "licence": ref.licence,
                "artist": ref.artist,
                "licence_url": web_url(ref.licence_url),
            }
        )
    return {
        "label": gettext("Photo") if req.author_id else gettext("Cover"),
        "current": current,
        "proposed": proposed,
        "item": item,
        "source": provider_label(item.source) if item is not None else "",
        "applied": applied,
        "reverted": bool(item is not None and item.reverted and not applied),
        "applied_then_changed": (
            (fields_changed_since(req) if changed_since is None else changed_since).get("cover", "")
            if applied
            else ""
        ),
        "chosen": chosen,
        "status": image_status_text(req),
        # Why nothing was applied, when the step says: kept, given up, a decision withheld it.
        "note": cover_apply.cover_note_text(req),
        "rejections": [
            {
                "provider": provider_label(rejection.provider),
                "url": rejection.url,
                "reason": rejection.reason,
                "message": cover_apply.image_step_text(req, rejection.message),
            }
            for rejection in req.match_details.cover_rejections
        ],
        "undecided": undecided,
        "decided_note": "" if applied else proposal_decided_note(req),
        "can_tick": can_review and bool(proposed) and undecided,
        "ticked": proposal_pre_ticked(req)
        and not applied
        and not current
        and bool(proposed)
        and not (item is not None and item.reverted),
        "replaces": bool(current) and not applied,
    }


def cached_answer_url(candidate: CandidateSeen) -> str:
    """The source records' list narrowed to a candidate's cached answer: searched for the key
    it was read from, quoted to be one phrase (a title search's key has spaces), as a title
    search's record lists ISBNs that no answer of ours is kept under. Candidates recorded before
    that key was kept: by the ISBN their lookup asked, else the first their record lists. Empty
    without either: the list searched for nothing would show every answer of the provider; and
    for a provider that keeps no answers (the local dump), whose list is always empty."""
    source = provider_class(candidate.provider)
    if source is not None and not source.keeps_answers:
        return ""
    if candidate.lookup_key:
        escaped = candidate.lookup_key.replace("\\", "\\\\").replace('"', '\\"')
        search = f'"{escaped}"'
    else:
        search = candidate.queried_isbn or next(iter(candidate.isbn13), "")
    if not search:
        return ""
    query = urlencode({"provider__exact": candidate.provider, "q": search})
    return f"{reverse('admin:enrichment_sourcerecord_changelist')}?{query}"


def candidates_context(req: EnrichmentRequest) -> list[dict]:
    out = []
    for candidate in req.match_details.candidates:
        isbns = candidate.isbn13
        out.append(
            {
                "provider": provider_label(candidate.provider),
                "provider_name": candidate.provider,
                "title": candidate.title,
                "tier": tier_label(candidate.tier),
                "score_line": score_line(
                    req,
                    Scores(candidate.isbn_score, candidate.title_score, candidate.author_score),
                    candidate,
                ),
                "reasons": candidate.reasons,
                "notes": candidate.notes_said(),
                "source_url": web_url(candidate.source_url),
                "links": record_links(candidate.ids),
                "isbns": isbns,
                "cache_url": cached_answer_url(candidate),
            }
        )
    return out


def next_for_review(current: EnrichmentRequest | None = None) -> int | None:
    """The request after `current` in the queue's order (needs review first, then priority,
    then age), wrapping around; None when nothing else waits. Only current requests (the queue
    hides those a newer request of their work superseded)."""
    waiting = selectors.current_requests(
        queryset=EnrichmentRequest.objects.filter(status=Status.NEEDS_REVIEW)
    )
    order = ("-priority", "created_at", "pk")
    if current is None:
        return waiting.order_by(*order).values_list("pk", flat=True).first()
    waiting = waiting.exclude(pk=current.pk)
    p, c = current.priority, current.created_at
    # The priority compared through an expression no index answers: with a bare column, SQLite
    # gathered every row each OR term's index found and sorted them (2.1 s on 1,000,000
    # requests) rather than reading the (status, priority, age) index in order to the next one.
    after = waiting.alias(rank=F("priority") + 0).filter(
        Q(rank__lt=p) | Q(rank=p, created_at__gt=c) | Q(rank=p, created_at=c, pk__gt=current.pk)
    )
    return (
        after.order_by(*order).values_list("pk", flat=True).first()
        or waiting.order_by(*order).values_list("pk", flat=True).first()
    )


def fault_context(listed: outcomes.ListedFault) -> dict:
    """A fault as the review page lists it (includes/fault.html), once however many of the
    book's lookups failed so (outcomes.listed_faults): the provider's label, the lookups that
    failed, one short line (host, kind, HTTP status) and the full text for a "details" toggle."""
    fault = listed.fault
    return {
        "provider": provider_label(fault.provider) if fault.provider else "",
        "lookups": listed.lookups_text,
        "kind": fault.kind_label,
        "host": fault.host,
        "http_status": fault.http_status,
        "message": fault.message,
        "detail": fault.detail,
    }


def request_waiting_words(req: EnrichmentRequest) -> WaitingWords | None:
    """The "Waiting: providers unavailable, next try at HH:MM" of a request given back because
    its providers could not be asked or failed, or the "Waiting for a title search with other
    books" of one a batch left for a grouped search (title_search_groups); None otherwise."""
    if req.status != Status.PENDING:
        return None
    if req.awaiting_title_search:
        return WaitingWords(
            gettext("Waiting for a title search"),
            gettext("Waiting for a title search with other books"),
        )
    if request_target(req).enrichment_status != WORK_WAITING:
        return None
    return waiting_words(
        req.next_attempt_at,
        worker_running=getattr(req, "worker_running", None),
        now=getattr(req, "database_now", None),
    )


def request_waiting_text(req: EnrichmentRequest) -> str:
    """request_waiting_words' sentence ("" of a request that does not wait), for its page."""
    words = request_waiting_words(req)
    return words.full if words else ""


def _unless_said(reason: str, headline: str) -> str:
    """The engine's reason, less each sentence the headline already says ("Nothing was found:
    no provider knows this book." and "No provider knows this book.")."""
    said = headline.casefold()
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", reason.strip())
    return " ".join(s for s in sentences if s.rstrip(".").casefold() not in said)


def _proposal_score_line(req: EnrichmentRequest) -> str:
    """The match's scores, beside the headline ("" without a match)."""
    scores = req.proposal.scores
    if req.confidence not in MATCHED or scores is None:
        return ""
    details = req.match_details
    return score_line(req, scores, scored_candidate(details, scores, tier=req.confidence))


def review_context(req: EnrichmentRequest, *, can_review: bool) -> dict:
    details = req.match_details
    next_id = next_for_review(req)
    decidable = can_review and proposal_decidable(req)
    changed_since = fields_changed_since(req)
    rows = review_rows(req, can_review=decidable, changed_since=changed_since)
    cover = cover_context(req, can_review=decidable, changed_since=changed_since)
    headline = request_headline(req, changed_since=changed_since)
    return {
        "req": req,
        "can_review": can_review,
        # A completed request's safe part is in: only fields still to apply can be chosen.
        "reviewable": req.status == Status.NEEDS_REVIEW
        or (
            req.status == Status.COMPLETED
            and (cover["can_tick"] or any(row["can_tick"] for row in rows))
        ),
        # One click approves the safe proposal only where the record is this book's; where it
        # may be another book's, the page says why the reviewer ticks fields instead.
        "safe_approvable": req.status == Status.NEEDS_REVIEW and safe_approval_allowed(req),
        "safe_withheld": safe_approval_withheld_note()
        if req.status == Status.NEEDS_REVIEW and not safe_approval_allowed(req)
        else "",
        "rows": rows,
        "cover": cover,
        "candidates": candidates_context(req),
        "confidence": tier_label(req.confidence) if req.confidence in MATCHED else "",
        "headline": headline,
        "score_line": _proposal_score_line(req),
        "skipped": [outcomes.skip_text(skip) for skip in details.skipped],
        "faults": [fault_context(listed) for listed in outcomes.listed_faults(details.faults)],
        "reason": _unless_said(details.reason, headline),
        "matched": req.confidence in MATCHED,
        "waiting": request_waiting_text(req),
        # Only a record that this search found and that matched was found by it.
        "found_by_title_search": details.via_title_search and req.confidence in MATCHED,
        "held_isbn": bool(details.query and details.query.isbn13),
        "answered": bool(answered_providers(req)),
        # "Answered by" names them: the candidates say nothing of those that gave no record.
        "answered_without_record": providers_text(
            name
            for name in answered_providers(req)
            if name not in {candidate.provider for candidate in details.candidates}
        ),
        "history": [
            (
                entry,
                audit_action_label(entry),
                ", ".join(field_label(name) for name in entry.changes or {}),
            )
            for entry in req.audit_entries.select_related("actor").order_by("-created_at", "-pk")[
                :20
            ]
        ],
        "next_url": reverse("admin:enrichment_enrichmentrequest_change", args=[next_id])
        if next_id
        else "",
        "approve_url": reverse("admin:enrichment_enrichmentrequest_approve", args=[req.pk]),
        "dismiss_url": reverse("admin:enrichment_enrichmentrequest_dismiss", args=[req.pk]),
        "rerun_url": reverse("admin:enrichment_enrichmentrequest_rerun", args=[req.pk]),
        "work_url": request_target_url(req),
        "for_author": bool(req.author_id),
    }

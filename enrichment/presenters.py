"""Presenters of the review panel: plain functions that turn requests, proposals and results
into what the pages show (the review page's rows, cover panel and candidates, labels, the
summary of a bulk action, the dashboard's links). No request handling here: `enrichment.views`.
"""

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from catalog import text
from catalog.admin.filters import language_name
from catalog.life_years import date_says_approximate, year_text
from catalog.models import Edition
from catalog.selectors import cover_holder
from enrichment import cover_apply, outcomes, review, selectors
from enrichment.author_state import author_current_values
from enrichment.covers import medium_thumbnail_url, ordered_cover_refs
from enrichment.covers.errors import CoverRejected
from enrichment.covers.hosts import check_cover_url, upgrade_to_https
from enrichment.covers.store import UPLOADED_BY_HAND, UPLOADED_BY_HAND_LABEL
from enrichment.match_summary import (
    MATCHED,
    answered_providers,
    request_headline,
    score_line,
    scored_candidate,
)
from enrichment.merge import PLACEHOLDER, is_empty, is_placeholder
from enrichment.models import EnrichmentRequest
from enrichment.proposals import CandidateSeen, Scores, field_label
from enrichment.providers.registry import (
    PROVIDER_CLASSES,
    provider_class,
    provider_label,
    record_links,
)
from enrichment.request_status import (
    audit_action_label,
    audit_entry_title,
    image_status_text,
    request_status_words,
)
from enrichment.safe_approval import safe_approval_allowed, safe_approval_withheld_note
from enrichment.waiting import waiting_text
from enrichment.work_state import (
    WORK_WAITING,
    current_values,
    request_work,
    target_edition,
    value_fingerprint,
)

Status = EnrichmentRequest.Status

#: The queue's "History" filter (admin.requests.HistoryFilter): its parameter, and the value that
#: lists every request rather than each work's current one.
HISTORY_PARAMETER, ALL_HISTORY = "show", "all"
#: What queued a request, as the review panel names it: the Trigger choices' labels, except the
#: one that named a management command (its label in the model's choices would cost a migration).
TRIGGER_LABELS = {
    **dict(EnrichmentRequest.Trigger.choices),
    EnrichmentRequest.Trigger.COMMAND: gettext_lazy("Command line"),
}


def trigger_label(trigger: str) -> str:
    return str(TRIGGER_LABELS.get(trigger, trigger))


def tier_label(tier: str) -> str:
    """ "High", "Medium", "Low" (the Confidence choices' labels); "No match" for none; "" for
    a request not decided yet."""
    if tier in MATCHED:
        return str(EnrichmentRequest.Confidence(tier).label)
    return gettext("No match") if tier else ""


def providers_text(names) -> str:
    """Provider keys as their labels, joined: "Open Library, Google Books"."""
    return ", ".join(provider_label(name) for name in names if name)


#: Fields whose stored values are choices: shown by their labels ("Mass market paperback").
_CHOICE_LABELS = {"format": dict(Edition.Format.choices)}
#: A life year, and the date field that says whether it is a guess.
_LIFE_YEARS = {"birth_year": "birth_date", "death_year": "death_date"}


def field_value_text(name: str, value, *, beside: Mapping[str, Any] | None = None) -> str:
    """A field's value as a reviewer reads it: a language by its name, a choice by its label, a
    life year by its era ("384 BC"), and as a guess ("c. 1850") when its date among `beside`
    (the same record's or change's values) says so; the rest as text."""
    if name == "language" and isinstance(value, str) and value:
        return language_name(value)
    if name in _CHOICE_LABELS and isinstance(value, str) and value in _CHOICE_LABELS[name]:
        return str(_CHOICE_LABELS[name][value])
    if name in _LIFE_YEARS and isinstance(value, int):
        date = (beside or {}).get(_LIFE_YEARS[name])
        return year_text(value, approximate=isinstance(date, str) and date_says_approximate(date))
    return value_text(value)


def changes_side(entry, side: str) -> dict[str, Any]:
    """An audit entry's values on one side ("old" or "new"), by field: read beside each other."""
    return {name: change.get(side) for name, change in (entry.changes or {}).items()}


def audit_entry_label(entry) -> str:
    """ "Cover applied on “Coraline” at Nov. 30, 2026, 10:25 p.m. (entry #12)", as a
    confirmation names it: the entry's one line (request_status.audit_entry_title), its id."""
    title = audit_entry_title(entry)
    return gettext("%(entry)s (entry #%(id)s)") % {"entry": title, "id": entry.pk}


def revert_line(name: str, change: dict) -> str:
    """What reverting one field of an entry puts back, as its confirmation lists it:
    "Publisher: back to “Harper” (it holds “HarperTorch”)", "Cover: back to empty (…)"."""
    old, new = field_value_text(name, change.get("old")), field_value_text(name, change.get("new"))
    empty = gettext("empty")
    return gettext("%(field)s: back to %(old)s (it holds %(new)s)") % {
        "field": field_label(name),
        "old": f"“{old}”" if old else empty,
        "new": f"“{new}”" if new else empty,
    }


def value_text(value) -> str:
    if is_placeholder(value):
        return gettext("%(key)s (a placeholder)") % {"key": value[PLACEHOLDER]}
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def web_url(url: str) -> str:
    """The URL if it is http(s), else "": provider data is never trusted with a link's scheme
    (a "javascript:" URL would run in the reviewer's session)."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme in ("http", "https") else ""


def displayable_cover_url(url: str) -> tuple[str, str]:
    """(url to show in an <img>, "") when the URL is on the cover allowlist over https (or an
    operator's own host), else ("", why not). No DNS lookup: the browser fetches it, not us."""
    url = upgrade_to_https((url or "").strip())
    try:
        check_cover_url(url)
    except CoverRejected as rejected:
        return "", rejected.message or str(rejected.reason)
    return url, ""


def request_target(req: EnrichmentRequest):
    """What the request is for: its Work or its Author."""
    return req.author if req.author_id else request_work(req)


def request_target_url(req: EnrichmentRequest) -> str:
    """The admin page of the request's work or author."""
    if req.author_id:
        return reverse("admin:catalog_author_change", args=[req.author_id])
    return reverse("admin:catalog_work_change", args=[req.work_id])


def request_live_values(req: EnrichmentRequest) -> dict:
    """What each of the request's proposal fields holds in the catalog now (its author's, or its
    work's and target edition's): the review page and the API show these beside the proposal."""
    if req.author is not None:
        return author_current_values(req.author)
    return current_values(request_work(req), target_edition(req))


def proposal_decidable(req: EnrichmentRequest) -> bool:
    """Whether a decision may still apply the request's proposal: a request waiting for
    review, or a completed one's fields left out; never a dismissed, superseded or failed one.
    Its page offers fields to tick only then (to a reviewer), and draws a proposed cover as one
    still to decide only then."""
    return req.status in (Status.NEEDS_REVIEW, Status.COMPLETED)


def proposal_decided_note(req: EnrichmentRequest) -> str:
    """What a proposal no decision may apply any more says of what it proposed: "not applied:
    dismissed by alice", "not applied: superseded by request #12"; "" while one may."""
    if proposal_decidable(req):
        return ""
    return gettext("not applied: %(decision)s") % {"decision": request_status_words(req)}


def proposal_pre_ticked(req: EnrichmentRequest) -> bool:
    """Whether the review page ticks the fields that fill empty ones for the reviewer: only
    where a one-click approval could apply them (`safe_approval`: not where the record may be
    another book's, whose fields the reviewer ticks as they check them). Nor once a reviewer
    has decided the request: the fields they left out were left out on purpose, and approving
    the page as shown must not apply them."""
    return safe_approval_allowed(req) and req.reviewed_by_id is None


def review_rows(req: EnrichmentRequest, *, can_review: bool) -> list[dict]:
    """One row per proposed field: current (live) vs proposed, source, score, checkbox."""
    live = request_live_values(req)
    trusted = proposal_pre_ticked(req)
    decided_note = proposal_decided_note(req)
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


def request_image_holder(req: EnrichmentRequest):
    """(the row whose image the page shows as current, its slot): a work's cover (its own or an
    edition's), an author's photo."""
    if req.author is not None:
        return (req.author if req.author.photo else None), "photo"
    return cover_holder(request_work(req)), "cover"


def cover_context(req: EnrichmentRequest, *, can_review: bool) -> dict:
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


def held_back_text(*, waiting_for_review: int, already_queued: int) -> str:
    """What "Enrich all missing" leaves of the works that lack something, and why, said before
    it runs (queue.held_back_counts): "" when it leaves none."""
    reasons = []
    if waiting_for_review:
        reasons.append(
            ngettext(
                "%(count)s has a proposal waiting for review (approve, dismiss or re-run it)",
                "%(count)s have a proposal waiting for review (approve, dismiss or re-run them)",
                waiting_for_review,
            )
            % {"count": f"{waiting_for_review:,}"}
        )
    if already_queued:
        reasons.append(
            ngettext("%(count)s is queued already", "%(count)s are queued already", already_queued)
            % {"count": f"{already_queued:,}"}
        )
    if not reasons:
        return ""
    return gettext("Of these, %(reasons)s: left as they are.") % {
        "reasons": gettext("; ").join(reasons)
    }


def request_waiting_text(req: EnrichmentRequest) -> str:
    """The "Waiting: providers unavailable, next try at HH:MM" of a request given back because
    its providers could not be asked or failed, or the "Waiting for a title search with other
    books" of one a batch left for a grouped search (title_search_groups); "" otherwise."""
    if req.status != Status.PENDING:
        return ""
    if req.awaiting_title_search:
        return gettext("Waiting for a title search with other books")
    if request_target(req).enrichment_status != WORK_WAITING:
        return ""
    return waiting_text(req.next_attempt_at, worker_running=getattr(req, "worker_running", None))


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
    rows = review_rows(req, can_review=decidable)
    cover = cover_context(req, can_review=decidable)
    headline = request_headline(req)
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


def cover_source_label(source: str) -> str:
    """What the dashboard shows for a cover source key: a provider's label, "Uploaded by hand",
    or "Unknown" for covers from before sources were recorded."""
    if source == UPLOADED_BY_HAND:
        return str(UPLOADED_BY_HAND_LABEL)
    if source in ("", "unknown"):
        return gettext("Unknown")
    return provider_label(source)


def cover_source_labels() -> dict[str, str]:
    """The cover sources the project knows, key -> label: each provider, and uploaded by hand
    (the work and edition pages name a cover's source by these labels)."""
    return {
        **{name: provider_label(name) for name in PROVIDER_CLASSES},
        UPLOADED_BY_HAND: str(UPLOADED_BY_HAND_LABEL),
    }


def bulk_summary(result: review.BulkResult, *, verb: str) -> str:
    """ "12 approved, 3 left as they were, 1 failed (1 no longer waiting for review)." """
    parts = [gettext("%(count)s %(verb)s") % {"count": f"{result.changed:,}", "verb": verb}]
    if result.partly:  # "2 reverted, 1 of them in part (Pages not put back)"
        left = ", ".join(field_label(n) for n in dict.fromkeys(sum(result.partly, ())))
        parts.append(
            gettext("%(count)s of them in part (%(fields)s not put back)")
            % {"count": f"{result.partly.total():,}", "fields": left}
        )
    if result.unchanged:
        parts.append(
            ngettext("%(count)s left as it was", "%(count)s left as they were", result.unchanged)
            % {"count": f"{result.unchanged:,}"}
        )
    if result.failed:
        parts.append(gettext("%(count)s failed") % {"count": f"{result.failed:,}"})
    summary = ", ".join(parts)
    if result.reasons:
        reasons = "; ".join(
            gettext("%(count)s %(reason)s") % {"count": f"{n:,}", "reason": why}
            for why, n in result.reasons.most_common(5)
        )
        summary = gettext("%(summary)s (%(reasons)s)") % {"summary": summary, "reasons": reasons}
    return gettext("%(summary)s.") % {"summary": summary}

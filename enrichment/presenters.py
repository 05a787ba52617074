"""Presenters of the review panel: plain functions that turn requests, proposals and results
into what the pages say (labels, a field's value as text, what a request is for, the summary of a
bulk action, the dashboard's links). The review page itself: `enrichment.review_page`. No
request handling here: `enrichment.views`.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from catalog.admin.filters import language_name
from catalog.life_years import date_says_approximate, year_text
from catalog.models import Edition
from catalog.selectors import cover_holder
from enrichment import review
from enrichment.author_state import author_current_values
from enrichment.covers.errors import CoverRejected
from enrichment.covers.hosts import check_cover_url, upgrade_to_https
from enrichment.covers.store import UPLOADED_BY_HAND, UPLOADED_BY_HAND_LABEL
from enrichment.match_summary import (
    MATCHED,
)
from enrichment.merge import PLACEHOLDER, is_placeholder
from enrichment.models import EnrichmentRequest
from enrichment.proposals import field_label
from enrichment.providers.registry import (
    PROVIDER_CLASSES,
    provider_label,
)
from enrichment.request_status import (
    audit_entry_title,
    request_status_words,
)
from enrichment.work_state import (
    current_values,
    request_work,
    target_edition,
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


def revert_line(entry, name: str) -> str:
    """What reverting one field of an entry puts back, as its confirmation lists it:
    "Publisher: back to “Harper” (it holds “HarperTorch”)", "Cover: back to empty (…)", a
    guessed year as one ("c. 1850") by the date beside it in the entry."""
    old, new = (
        field_value_text(name, entry.changes[name].get(side), beside=changes_side(entry, side))
        for side in ("old", "new")
    )
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


def request_image_holder(req: EnrichmentRequest):
    """(the row whose image the page shows as current, its slot): a work's cover (its own or an
    edition's), an author's photo."""
    if req.author is not None:
        return (req.author if req.author.photo else None), "photo"
    return cover_holder(request_work(req)), "cover"


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

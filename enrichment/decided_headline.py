"""The headline of a request that is no longer looked up nor waiting for review: what is true
of it now (what was applied, who dismissed it, why it failed or was skipped), never the match's
advice to the reviewer ("…: check the edition."), which no longer asks anything of anyone."""

from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext, ngettext

from enrichment.models import EnrichmentRequest
from enrichment.proposals import field_label
from enrichment.request_status import request_decided_state, request_status_words

Status = EnrichmentRequest.Status
CoverStatus = EnrichmentRequest.CoverStatus


def decided_headline(req: EnrichmentRequest) -> str:
    """One sentence for a completed, dismissed, superseded, failed or skipped request; "" for
    one still looked up or waiting for review, and for one the engine skipped because nothing
    matched (its no-match headline says why: match_summary.request_headline)."""
    if req.status not in (Status.COMPLETED, Status.FAILED, Status.SKIPPED):
        return ""
    state = request_decided_state(req)
    if state in ("approved", "applied"):
        return _applied_headline(req, approved=state == "approved")
    if state == "nothing_added":
        return gettext(
            "Matched, nothing added: every field the record could fill already held a value."
        )
    if state == "superseded":
        return gettext(
            "Superseded by request #%(id)s (enrichment was run again): nothing of this "
            "proposal was applied."
        ) % {"id": req.superseded_by_id}
    if state == "dismissed":
        return gettext("%(dismissed)s: nothing of its proposal was applied.") % {
            "dismissed": capfirst(request_status_words(req))
        }
    if state == "failed" and req.last_error:
        return ngettext(
            "Failed after %(count)d attempt: %(why)s",
            "Failed after %(count)d attempts: %(why)s",
            req.attempts,
        ) % {"count": req.attempts, "why": req.last_error.rstrip(".") + "."}
    if state == "skipped" and req.review_note:
        return req.review_note  # why it was never looked up ("The author was merged into …")
    return ""


def _applied_headline(req: EnrichmentRequest, *, approved: bool) -> str:
    """ "Approved by alice: Publisher, Pages and Cover applied."; "Applied automatically: …"."""
    names = [_field_label(req, name) for name in req.fields_applied or []]
    if req.cover_status == CoverStatus.APPLIED and "cover" not in (req.fields_applied or []):
        names.append(_field_label(req, "cover"))
    if names:
        applied = gettext("%(fields)s applied") % {"fields": get_text_list(names, gettext("and"))}
    elif req.cover_status == CoverStatus.PENDING:
        applied = gettext("its cover is being downloaded")
    else:
        applied = gettext("nothing of it stands now")  # every applied field reverted since
    if approved:
        user = req.reviewed_by.get_username() if req.reviewed_by else gettext("a reviewer")
        return gettext("Approved by %(user)s: %(applied)s.") % {"user": user, "applied": applied}
    return gettext("Applied automatically: %(applied)s.") % {"applied": applied}


def _field_label(req: EnrichmentRequest, name: str) -> str:
    if name == "cover" and req.author_id:
        return gettext("Photo")
    return field_label(name)

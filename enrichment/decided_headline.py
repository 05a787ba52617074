"""The headline of a request that is no longer looked up nor waiting for review: what is true
of it now (what was applied, who dismissed it, why it failed or was skipped), never the match's
advice to the reviewer ("…: check the edition."), which no longer asks anything of anyone."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext, ngettext

from enrichment.audit_queries import made_by_worker
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import field_label, in_field_order
from enrichment.request_status import (
    CATALOG_CHANGE_ACTIONS,
    request_decided_state,
    request_status_words,
)
from enrichment.revert import REVERTIBLE, revert_check
from enrichment.targets import entry_targets

Status = EnrichmentRequest.Status
CoverStatus = EnrichmentRequest.CoverStatus
Action = AuditLogEntry.Action


def decided_headline(req: EnrichmentRequest, *, changed_since: dict[str, str] | None = None) -> str:
    """One sentence for a completed, dismissed, superseded, failed or skipped request; "" for
    one still looked up or waiting for review, and for one the engine skipped because nothing
    matched (its no-match headline says why: match_summary.request_headline). `changed_since`:
    fields_changed_since(req), when the caller has it already."""
    if req.status not in (Status.COMPLETED, Status.FAILED, Status.SKIPPED):
        return ""
    state = request_decided_state(req)
    if state in ("approved", "applied"):
        return _applied_headline(req, approved=state == "approved", changed_since=changed_since)
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


@dataclass
class FieldsStanding:
    """Who applied each field of a request that stands now, and which were reverted since, as
    its audit entries say (the request's one list of applied fields says neither)."""

    by_reviewer: list[str] = field(default_factory=list)
    by_worker: list[str] = field(default_factory=list)
    reverted: list[str] = field(default_factory=list)


def fields_standing(entries: Iterable[AuditLogEntry]) -> FieldsStanding:
    """From a request's entries, oldest first: each field is what its latest entry did to it (a
    field reverted, then chosen again, stands)."""
    latest: dict[str, str] = {}
    for entry in entries:
        if entry.action == Action.REVERT:
            said = "reverted"
        elif entry.action in CATALOG_CHANGE_ACTIONS:
            worker = entry.action != Action.REVIEW_APPLY and made_by_worker(entry)
            said = "by_worker" if worker else "by_reviewer"
        else:
            continue
        latest.update(dict.fromkeys(entry.changes or {}, said))
    standing = FieldsStanding()
    for name, said in in_field_order(latest):
        getattr(standing, said).append(name)
    return standing


def _applied_headline(
    req: EnrichmentRequest, *, approved: bool, changed_since: dict[str, str] | None
) -> str:
    """ "Approved by alice: Publisher and Pages applied. Cover applied automatically. Title
    reverted since. Publisher changed since."; "Applied automatically: …"."""
    entries = req.audit_entries.only("action", "changes", "actor", "actor_label")
    standing = fields_standing(entries.order_by("created_at", "pk"))
    by_hand = standing.by_reviewer if approved else standing.by_worker
    if by_hand:
        applied = gettext("%(fields)s applied") % {"fields": _field_list(req, by_hand)}
    elif req.cover_status == CoverStatus.PENDING:
        applied = gettext("its cover is being downloaded")
    elif approved and not standing.reverted:
        applied = gettext("nothing more applied")  # the worker's had filled what it could
    else:
        applied = gettext("nothing of it stands now")  # what it applied was reverted since
    if approved:
        user = req.reviewed_by.get_username() if req.reviewed_by else gettext("a reviewer")
        said = [gettext("Approved by %(user)s: %(applied)s.") % {"user": user, "applied": applied}]
        if standing.by_worker:
            said.append(
                gettext("%(fields)s applied automatically.")
                % {"fields": capfirst(_field_list(req, standing.by_worker))}
            )
    else:
        said = [gettext("Applied automatically: %(applied)s.") % {"applied": applied}]
    reverted = reverted_since(req, standing)
    if reverted:
        said.append(reverted)
    # "applied" alone read as if the catalog still held them: a librarian or another proposal
    # wrote those fields since (the review page says beside each what it holds now).
    if changed_since is None:
        changed_since = fields_changed_since(req)
    stands = dict.fromkeys([*standing.by_reviewer, *standing.by_worker])
    changed = [name for name, _ in in_field_order(stands) if name in changed_since]
    if changed:
        said.append(
            gettext("%(fields)s changed since.") % {"fields": capfirst(_field_list(req, changed))}
        )
    return " ".join(said)


def reverted_since(req: EnrichmentRequest, standing: FieldsStanding | None = None) -> str:
    """ "Title and Pages reverted since.", of the fields the request applied that were put back
    since (and not applied again); "" when none was. What the headline says after what was
    applied, and what its Decision line (the decision as it was recorded) adds."""
    if standing is None:
        entries = req.audit_entries.only("action", "changes", "actor", "actor_label")
        standing = fields_standing(entries.order_by("created_at", "pk"))
    if not standing.reverted:
        return ""
    return gettext("%(fields)s reverted since.") % {
        "fields": capfirst(_field_list(req, standing.reverted))
    }


def fields_changed_since(req: EnrichmentRequest) -> dict[str, str]:
    """Field -> why, of each field the request applied that no longer holds what it set (a
    librarian edited it, another proposal wrote it): "it was changed since (it now holds …)", by
    the rule that says whether a revert could put it back (revert.revert_check), asked of the
    entry that wrote the field last. Two queries, however many entries."""
    if not any(item.applied for item in req.proposal.ordered()) and not (
        req.proposal.cover is not None and req.proposal.cover.applied
    ):
        return {}
    reverts = AuditLogEntry.objects.only("pk", "changes", "reverts_id")
    entries = (
        req.audit_entries.filter(action__in=REVERTIBLE)
        .select_related("work", "edition", "author")
        .prefetch_related(Prefetch("reverted_by", reverts))
        .order_by("created_at", "pk")
    )
    latest: dict[str, AuditLogEntry] = {}
    for entry in entries:
        latest.update(dict.fromkeys(entry.changes or {}, entry))
    changed: dict[str, str] = {}
    for entry in {entry.pk: entry for entry in latest.values()}.values():
        check = revert_check(entry, targets=entry_targets(entry, loaded=True))
        changed.update(
            (name, why) for name, why in check.cannot.items() if latest.get(name) is entry
        )
    return changed


def _field_list(req: EnrichmentRequest, names: list[str]) -> str:
    return get_text_list([_field_label(req, name) for name in names], gettext("and"))


def _field_label(req: EnrichmentRequest, name: str) -> str:
    if name == "cover" and req.author_id:
        return gettext("Photo")
    return field_label(name)

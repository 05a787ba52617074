"""What became of a request, in words: one stored status, "skipped", holds both the requests
the engine skipped and those a decision ended: a reviewer dismissed them, or a re-run superseded
them (status values are a contract). A decision is what sets `reviewed_at`
(`review.request_dismiss`, `queue._supersede_waiting`, migration 0027); a re-run's also sets
`superseded_by` (migration 0029 for the earlier ones). `reviewed_by` may be empty (a user since
removed, or nobody: migration 0027), so it cannot tell them apart."""

from typing import TYPE_CHECKING

from django.contrib.admin.utils import display_for_value
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext, gettext_lazy

from catalog.models import Author, EnrichmentStatus, Work
from enrichment.models import AuditLogEntry, EnrichmentRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, StrPromise

Status = EnrichmentRequest.Status
CoverStatus = EnrichmentRequest.CoverStatus
# get_status_display() rebuilds the choices' dict on every call: 50 rows a page.
STATUS_LABELS = dict(Status.choices)
TARGET_STATUS_LABELS = dict(EnrichmentStatus.choices)


def request_was_dismissed(request: EnrichmentRequest) -> bool:
    """Skipped by a decision (dismissed, superseded by a re-run), not by the engine."""
    return request.status == Status.SKIPPED and request.reviewed_at is not None


def request_was_superseded(request: EnrichmentRequest) -> bool:
    """Dismissed by a re-run that queued another request in its place, not by a reviewer."""
    return request_was_dismissed(request) and request.superseded_by_id is not None


def request_cover_may_apply(request: EnrichmentRequest) -> bool:
    """Whether the cover a request proposed may still be downloaded and applied: never once a
    decision turned its proposal down (a reviewer's Dismiss, a re-run that superseded it), since
    nothing of a dismissed proposal is applied. The cover step asks it before downloading and
    again, under the request's row lock, before applying (a dismissal may land in between)."""
    return not request_was_dismissed(request)


def request_found_nothing(request: EnrichmentRequest) -> bool:
    """Skipped by the engine because no provider's record matched (apply.request_finish_unmatched
    sets confidence "none"), not by a decision nor for a merged author."""
    return (
        request.status == Status.SKIPPED
        and request.reviewed_at is None
        and request.confidence == EnrichmentRequest.Confidence.NONE
    )


def request_decided_state(request: EnrichmentRequest) -> str:
    """Where a request not waiting for review stands, the one rule both the single decision's
    refusal and a bulk action's summary say in words."""
    if request.status in EnrichmentRequest.ACTIVE_STATUSES:
        return "looking_up"
    if request.status == Status.FAILED:
        return "failed"
    if request.status == Status.COMPLETED:
        if request_added_nothing(request):
            return "nothing_added"
        # reviewed_at stays when the reviewer's account is deleted (reviewed_by set to null).
        return "approved" if request.reviewed_by_id or request.reviewed_at else "applied"
    if request_was_superseded(request):
        return "superseded"
    return "dismissed" if request_was_dismissed(request) else "skipped"


def request_not_reviewable_reason(request: EnrichmentRequest) -> str:
    # Never asked of a completed request (`review._approvable`): it may still be approved by fields.
    state = request_decided_state(request)
    if state == "superseded":
        return gettext("A re-run replaced it: review request #%(id)s.") % {
            "id": request.superseded_by_id
        }
    return {
        "looking_up": gettext(
            "It is still being looked up: wait until the providers have answered."
        ),
        "failed": gettext("It failed, so there is nothing to approve: re-run it."),
        "dismissed": gettext("It was dismissed: re-run it for a new proposal."),
        "skipped": gettext("It was skipped (no match), so there is nothing to approve: re-run it."),
    }.get(state, gettext("It was approved already."))


def bulk_skip_reason(request: EnrichmentRequest) -> str:
    """Why a bulk action leaves a request not waiting for review, as its summary counts it:
    "13 applied automatically already"."""
    return {
        "looking_up": gettext("still being looked up"),
        "failed": gettext("failed (re-run them)"),
        "approved": gettext("approved already"),
        "applied": gettext("applied automatically already"),
        "nothing_added": gettext("matched already, with nothing to add"),
        "dismissed": gettext("dismissed already"),
        "superseded": gettext("superseded by a re-run already"),
        "skipped": gettext("skipped: nothing was found (re-run them)"),
    }[request_decided_state(request)]


#: The audit actions by which a request changed the catalog: a field, the credits, a cover or
#: a photo (an entry stays when a revert puts the values back: it did change them).
CATALOG_CHANGE_ACTIONS = (
    AuditLogEntry.Action.AUTO_APPLY,
    AuditLogEntry.Action.REVIEW_APPLY,
    AuditLogEntry.Action.COVER,
)
#: What a list annotates on each request (`request_changed_catalog_annotation`), read in the
#: list's own query rather than one more a row.
CHANGED_CATALOG_ANNOTATION = "request_changed_catalog"


def request_changed_catalog_annotation() -> dict[str, Exists]:
    """The annotation a list of requests adds for `request_added_nothing`."""
    changes = AuditLogEntry.objects.filter(
        request=OuterRef("pk"), action__in=CATALOG_CHANGE_ACTIONS
    )
    return {CHANGED_CATALOG_ANNOTATION: Exists(changes)}


def request_added_nothing(request: EnrichmentRequest) -> bool:
    """A completed request that added nothing to the catalog: its record matched, but every
    field it could fill held a value already, and no cover (photo) was applied (none proposed,
    the target had one, or none verified) nor is queued. Stored as "completed" (status values
    are a contract), it reads "Matched, nothing added", never as if it enriched anything. One
    that changed the catalog counts as having added, even once a revert put the values back."""
    if request.status != Status.COMPLETED:
        return False
    if request.cover_status in (CoverStatus.PENDING, CoverStatus.APPLIED):
        return False
    changed = getattr(request, CHANGED_CATALOG_ANNOTATION, None)
    if changed is None:
        changed = request.audit_entries.filter(action__in=CATALOG_CHANGE_ACTIONS).exists()
    return not changed


#: What a work (author) reads where its stored status says "enriched" although no enrichment
#: changed it: its requests matched, with nothing to add (`target_added_nothing`).
NOTHING_ADDED_LABEL = gettext_lazy("Matched, nothing added")
#: The works list's filter value for them (a value of the list's, not a stored status).
NOTHING_ADDED = "nothing_added"
#: What a list of works annotates on each (`target_changed_annotation`).
TARGET_CHANGED_ANNOTATION = "enrichment_changed_it"


def _target_changed_probes(target: str) -> tuple[Exists, Exists]:
    """What says enrichment changed a work (`target` "author": an author), probed per row: an
    entry of CATALOG_CHANGE_ACTIONS (or a synthetic work's resolution) recorded on it, and a
    request of it whose cover (photo) is on its way."""
    changes = AuditLogEntry.objects.filter(
        action__in=[*CATALOG_CHANGE_ACTIONS, AuditLogEntry.Action.RESOLVE]
    )
    cover_queued = EnrichmentRequest.objects.filter(cover_status=CoverStatus.PENDING)
    # The row's id as a range of one, not an equality: PostgreSQL turns an EXISTS correlated by
    # an equality into one hashed subplan over every matching entry, however few rows it is
    # asked for (all 200,000 audit entries read for a page of 50 works: 55 ms at a million
    # works, bench/admin.py); a range is probed per row on the same index, on both databases.
    of_row = {f"{target}__gte": OuterRef("pk"), f"{target}__lte": OuterRef("pk")}
    return Exists(changes.filter(**of_row)), Exists(cover_queued.filter(**of_row))


def target_changed_annotation(target: str = "work") -> dict[str, ExpressionWrapper]:
    """Whether enrichment changed each work (author) of a list, for `target_added_nothing`:
    probed per row, for the rows of a page."""
    changed, cover_queued = _target_changed_probes(target)
    return {
        TARGET_CHANGED_ANNOTATION: ExpressionWrapper(
            Q(changed) | Q(cover_queued), output_field=BooleanField()
        )
    }


def target_added_nothing(target: Work | Author) -> bool:
    """A work (author) whose stored status is "enriched" (its request completed: status values
    are a contract) although no enrichment changed it: `request_added_nothing`'s rule for the
    target, over all its requests, so that one enriched by an earlier request still reads
    "Enriched". Read from the list's annotation (`target_changed_annotation`), else asked."""
    if target.enrichment_status != EnrichmentStatus.ENRICHED:
        return False
    changed = getattr(target, TARGET_CHANGED_ANNOTATION, None)
    if changed is None:
        kind = "author" if isinstance(target, Author) else "work"
        changed = (
            type(target)
            .objects.filter(pk=target.pk)
            .annotate(**target_changed_annotation(kind))
            .values_list(TARGET_CHANGED_ANNOTATION, flat=True)
            .first()
        )
    return status_reads_nothing_added(target.enrichment_status, changed=bool(changed))


def status_reads_nothing_added(status: str, *, changed: bool) -> bool:
    """The rule on a row's values: its stored status, and whether enrichment changed it (a
    list's TARGET_CHANGED_ANNOTATION)."""
    return status == EnrichmentStatus.ENRICHED and not changed


def target_status_label(status: str, *, changed: bool) -> str:
    """A work's (author's) enrichment status as the works list says it, from a row's values:
    "Matched, nothing added" by `status_reads_nothing_added`, else the status's label."""
    if status_reads_nothing_added(status, changed=changed):
        return str(NOTHING_ADDED_LABEL)
    return str(TARGET_STATUS_LABELS.get(status, status))


def target_status_choices() -> list[tuple[str, "StrOrPromise"]]:
    """A work's (author's) enrichment statuses as its list shows them, in order: the stored
    ones, with NOTHING_ADDED after "Enriched" (the lists' filters and the dashboard's bars)."""
    choices: list[tuple[str, StrOrPromise]] = []
    for value, label in EnrichmentStatus.choices:
        choices.append((value, label))
        if value == EnrichmentStatus.ENRICHED:
            choices.append((NOTHING_ADDED, NOTHING_ADDED_LABEL))
    return choices


def target_status_q(value: str, *, target: str = "work") -> Q:
    """The works (authors) whose enrichment status reads `value` as their list shows it:
    "enriched" without those that read "Matched, nothing added", and NOTHING_ADDED for those,
    each probed per row (`_target_changed_probes`); the other values are the stored status."""
    if value not in (EnrichmentStatus.ENRICHED, NOTHING_ADDED):
        return Q(enrichment_status=value)
    changed, cover_queued = _target_changed_probes(target)
    enriched = Q(enrichment_status=EnrichmentStatus.ENRICHED)
    if value == EnrichmentStatus.ENRICHED:
        return enriched & (Q(changed) | Q(cover_queued))
    return enriched & ~Q(changed) & ~Q(cover_queued)


def target_status_filter(queryset: QuerySet, value: str, *, target: str = "work") -> QuerySet:
    """A works (authors) list narrowed to an enrichment status as the list shows it
    (`target_status_q`). "Enriched" and NOTHING_ADDED probe each row: the works list counts them
    up to a cap (an exact count joined every audit entry: 0.4-0.7 s at a million works,
    bench/admin.py)."""
    return queryset.filter(target_status_q(value, target=target))


def request_status_label(request: EnrichmentRequest) -> str:
    """The status as a reader needs it: "Dismissed by alice", "Superseded by request #12" or
    "No match" where the field says "Skipped", "Matched, nothing added" where it says
    "Completed" of a request that added nothing."""
    if request_was_superseded(request):
        return gettext("Superseded by request #%(id)s") % {"id": request.superseded_by_id}
    if request_found_nothing(request):
        return gettext("No match")
    if request_added_nothing(request):
        return str(NOTHING_ADDED_LABEL)
    if not request_was_dismissed(request):
        return str(STATUS_LABELS.get(request.status, request.status))
    if request.reviewed_by_id is None:
        return gettext("Dismissed")
    return gettext("Dismissed by %(user)s") % {"user": request.reviewed_by}


def request_status_words(request: EnrichmentRequest) -> str:
    """The same, inside a sentence ("Jan. 15: dismissed by alice"), the name as it is spelt."""
    if request_was_superseded(request):
        return gettext("superseded by request #%(id)s") % {"id": request.superseded_by_id}
    if request_found_nothing(request):
        return gettext("no match")
    if request_added_nothing(request):
        return gettext("matched, nothing added")
    if not request_was_dismissed(request):
        return str(STATUS_LABELS.get(request.status, request.status)).lower()
    if request.reviewed_by_id is None:
        return gettext("dismissed")
    return gettext("dismissed by %(user)s") % {"user": request.reviewed_by}


def target_name(*, work: Work | None, author: Author | None) -> str | None:
    """What a request or an audit entry is about, as its one line names it: the book by its
    title, quoted ("“Dune”"), the author by name, which a librarian knows them by, not an id;
    None for neither. The caller reads them with it (select_related), never a query a line."""
    if author is not None:
        return author.name
    if work is not None:
        return gettext("“%(title)s”") % {"title": work.title}
    return None


def request_title(request: EnrichmentRequest) -> str:
    """A request as one line (its __str__: its History's title, the deletion page of its work or
    author, its row's checkbox in the queue): "Enrichment #4 of “Dune” (matched, nothing
    added)", by the book's title or the author's name, which a librarian knows it by, not by
    an id. Read from the work (author) a list selects with each request (the queue, a deletion's
    collector), never asked again a row."""
    target = target_name(work=request.work, author=request.author)
    if target is None:  # not saved with its work or author yet
        return gettext("Enrichment #%(id)s (%(status)s)") % {
            "id": request.pk,
            "status": request_status_words(request),
        }
    return gettext("Enrichment #%(id)s of %(target)s (%(status)s)") % {
        "id": request.pk,
        "target": target,
        "status": request_status_words(request),
    }


#: Where the request's cover (an author's photo) stands, said after the word its line or field
#: already names it by ("Cover: Applied.", "Photo: Download queued."): the model's choice labels
#: ("Cover applied") repeat the word, and call a photo a cover.
IMAGE_STATUS_WORDS: dict[str, "StrPromise"] = {
    EnrichmentRequest.CoverStatus.PENDING: gettext_lazy("Download queued"),
    EnrichmentRequest.CoverStatus.APPLIED: gettext_lazy("Applied"),
    EnrichmentRequest.CoverStatus.REJECTED: gettext_lazy("No candidate verified"),
}


def image_status_text(req: EnrichmentRequest) -> str:
    """The request's cover (photo) step in words, without the noun; "" before any."""
    words = IMAGE_STATUS_WORDS.get(req.cover_status)
    return str(words) if words is not None else ""


#: What an audit list annotates on each entry (`entry_superseded_annotation`): the request that
#: replaced the entry's request, read in the list's own query rather than one more a row.
SUPERSEDED_BY_ANNOTATION = "request_superseded_by"


def entry_superseded_annotation() -> dict[str, Subquery]:
    """The annotation an audit list adds for `audit_action_label`: a subquery per listed entry,
    never a join, which the list's count kept (a join of every entry with its request: 115 ms
    of the audit log's 190 at 200,000 entries, bench/admin.py); an unused subquery is left out
    of the count."""
    superseded_by = EnrichmentRequest.objects.filter(pk=OuterRef("request_id"))
    return {SUPERSEDED_BY_ANNOTATION: Subquery(superseded_by.values("superseded_by")[:1])}


def audit_action_label(entry: AuditLogEntry) -> str:
    """An audit entry's action as a reader needs it: the dismissal a re-run recorded for the
    proposal it replaced says "Superseded by a re-run", not "Dismissed" (nobody dismissed it; its
    note names the new request). The rest say their action."""
    if entry.action == AuditLogEntry.Action.DISMISS and entry.request_id is not None:
        if hasattr(entry, SUPERSEDED_BY_ANNOTATION):
            superseded = getattr(entry, SUPERSEDED_BY_ANNOTATION) is not None
        else:
            superseded = getattr(entry.request, "superseded_by_id", None) is not None
        if superseded:
            return activity_label(SUPERSEDED_ACTIVITY)
    return entry.get_action_display()


#: What the dashboard's "Last 24 hours" counts a dismissal a re-run recorded as (not "dismiss"),
#: and the audit list's filter value that lists them (admin.audit.DismissedByFilter).
SUPERSEDED_ACTIVITY = "superseded"
ACTION_LABELS = dict(AuditLogEntry.Action.choices)


def superseded_entries_q() -> Q:
    """audit_action_label's rule in a query: the dismissals a re-run recorded (their request
    was superseded), for a count or a list of them."""
    return Q(action=AuditLogEntry.Action.DISMISS, request__superseded_by__isnull=False)


def entry_activity() -> Case:
    """An entry's action as a reader counts it (an annotation): its stored action, but
    SUPERSEDED_ACTIVITY for a dismissal a re-run recorded."""
    superseded = When(superseded_entries_q(), then=Value(SUPERSEDED_ACTIVITY))
    return Case(superseded, default=F("action"), output_field=CharField())


def activity_keys() -> list[str]:
    """entry_activity's values in the log's order of actions, a re-run's after the dismissals."""
    keys: list[str] = []
    for action in AuditLogEntry.Action.values:
        keys += (
            [action, SUPERSEDED_ACTIVITY] if action == AuditLogEntry.Action.DISMISS else [action]
        )
    return keys


def activity_label(key: str) -> str:
    """An entry_activity value in words: "Dismissed", "Superseded by a re-run"."""
    if key == SUPERSEDED_ACTIVITY:
        return gettext("Superseded by a re-run")
    return str(ACTION_LABELS.get(key, key))


def audit_entry_title(entry: AuditLogEntry) -> str:
    """An entry as one line (its __str__: the admin's page title, breadcrumbs, History and the
    deletion page of its work or author, which lists it): "Superseded by a re-run on “Dune” at
    Nov. 30, 2026, 6:54 a.m." by audit_action_label's rule, the book (author) by target_name,
    the time in the admin's format and the site's time zone. Its work (author) is read with it
    where entries are listed: the audit list selects them, a deletion's collector too."""
    work = entry.work if entry.work_id else None
    author = entry.author if entry.author_id else None
    return gettext("%(action)s on %(target)s at %(when)s") % {
        "action": audit_action_label(entry),
        "target": target_name(work=work, author=author) or "–",
        "when": display_for_value(entry.created_at, "–"),
    }


#: The audit list's filter of dismissals by who made them (admin.audit.DismissedByFilter):
#: its parameter, and its value -> the entry_activity value it lists.
DISMISSED_BY_PARAMETER = "dismissed_by"
DISMISSED_BY = {"reviewer": AuditLogEntry.Action.DISMISS.value, "rerun": SUPERSEDED_ACTIVITY}


def activity_list_query(key: str) -> dict[str, str]:
    """The audit list's filters that list the entries counted under an entry_activity value
    (a dashboard bar's link): a reviewer's dismissals without a re-run's, and the other way."""
    by = {activity: value for value, activity in DISMISSED_BY.items()}.get(key)
    if by is None:
        return {"action__exact": key}
    return {"action__exact": AuditLogEntry.Action.DISMISS.value, DISMISSED_BY_PARAMETER: by}

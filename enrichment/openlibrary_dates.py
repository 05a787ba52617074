"""Publication dates of 31 December that enrichment applied from Open Library before "December
31 is the year alone" (publication_dates.openlibrary_date_parts), put back to the year they
stand for: the service behind `manage.py correct_openlibrary_dates`.

Open Library's bulk imports wrote a year they knew no more of as "December 31, <year>", and
earlier enrichment stored it as that day. Only a date the audit log shows an Open Library record
set, and that nobody changed since, is corrected: the latest audit entry that wrote the
edition's date is an apply (the worker's or a reviewer's) of a value whose provider is Open
Library, the edition still holds that value, and no one edited the date in the admin since. A
date a librarian typed, an import wrote (imports write a year alone) or another provider gave
is never touched. Each correction is one audit entry (action "correct", revertible as any apply)
with its line in the work's History.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from catalog.models import Edition, Work
from enrichment.apply import model_value
from enrichment.history import WORKER_USERNAME, history_record
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.work_state import stored_value

#: The providers whose dates are Open Library's records (the API and the monthly dump).
OPEN_LIBRARY_DATE_SOURCES = frozenset({"openlibrary", "openlibrary_dump"})
DATE = "publication_date"
APPLY_ACTIONS = (AuditLogEntry.Action.AUTO_APPLY, AuditLogEntry.Action.REVIEW_APPLY)
CHUNK = 500
NOTE = gettext_noop(
    "Open Library writes a year it knows no more of as December 31: applied as that day by "
    "entry #%(entry)s, corrected to the year alone."
)


class Left(StrEnum):
    """Why a 31 December date is left as it is (the --json report's `left` keys)."""

    NOT_FROM_ENRICHMENT = "not_from_enrichment"  # no enrichment set it: typed or imported
    ANOTHER_PROVIDER = "another_provider"  # applied from a provider that is not Open Library
    SOURCE_UNKNOWN = "source_unknown"  # applied from several providers, its own not recorded
    EDITED_SINCE = "edited_since"  # changed since: by a librarian, a revert or a later apply


@dataclass(frozen=True)
class DateCorrection:
    edition_id: int
    work_id: int
    old: str  # as the audit log writes a date: "1992-12-31"
    new: str  # "1992"
    provider: str
    applied_by_entry: int


@dataclass
class DateCorrections:
    dry_run: bool
    corrections: list[DateCorrection] = field(default_factory=list)
    left: Counter = field(default_factory=Counter)
    #: Requests waiting for review whose proposal still gives an Open Library 31 December: not
    #: rewritten (read by today's rule, the answers may merge to another provider's date), to
    #: be re-run.
    to_rerun: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "corrected": len(self.corrections),
            "left": {reason.value: count for reason, count in sorted(self.left.items())},
            "editions": [
                {"edition": c.edition_id, "work": c.work_id, "old": c.old, "new": c.new}
                for c in self.corrections
            ],
            "requests_to_rerun": self.to_rerun,
        }


def openlibrary_dates_correct(*, dry_run: bool) -> DateCorrections:
    """Correct (with `dry_run`: only list) every 31 December date that enrichment applied from
    Open Library and nobody changed since; count the others by why they are left."""
    result = DateCorrections(dry_run=dry_run)
    for editions in _day_dates_on_31_december():
        latest = _latest_date_entries([edition.pk for edition in editions])
        edited = _edited_in_the_admin(editions, latest)
        for edition in editions:
            entry = latest.get(edition.pk)
            reason = _why_left(edition, entry, edited)
            if reason is not None:
                result.left[reason] += 1
                continue
            assert entry is not None and edition.publication_date is not None
            correction = DateCorrection(
                edition_id=edition.pk,
                work_id=edition.work_id,
                old=stored_value(edition, DATE),
                new=str(edition.publication_date.year),
                provider=_date_source(entry),
                applied_by_entry=entry.pk,
            )
            if dry_run or _correct(correction):
                result.corrections.append(correction)
            else:
                result.left[Left.EDITED_SINCE] += 1
    result.to_rerun = _proposals_of_31_december()
    return result


def _proposals_of_31_december() -> list[int]:
    """The requests waiting for review whose proposed date is an Open Library 31 December."""
    waiting = EnrichmentRequest.objects.filter(
        status=EnrichmentRequest.Status.NEEDS_REVIEW, proposal__has_key=DATE
    ).order_by("pk")
    found = []
    for request in waiting.only("pk", "proposal").iterator(chunk_size=CHUNK):
        proposed = request.proposal.fields.get(DATE)
        if (
            proposed is not None
            and not proposed.applied
            and proposed.source in OPEN_LIBRARY_DATE_SOURCES
            and str(proposed.proposed or "").endswith("-12-31")
        ):
            found.append(request.pk)
    return found


def _day_dates_on_31_december() -> Iterator[list[Edition]]:
    """The editions dated 31 December to the day, a chunk at a time, in id order."""
    editions = Edition.objects.filter(
        publication_date_precision=Edition.DatePrecision.DAY,
        publication_date__month=12,
        publication_date__day=31,
    ).order_by("pk")
    last = 0
    while chunk := list(editions.filter(pk__gt=last)[:CHUNK]):
        yield chunk
        last = chunk[-1].pk


def _latest_date_entries(edition_ids: list[int]) -> dict[int, AuditLogEntry]:
    """Edition id -> the latest audit entry that wrote its publication date (an apply, a
    revert, a correction), with its request (whose proposal names each field's provider)."""
    entries = (
        AuditLogEntry.objects.filter(edition_id__in=edition_ids, changes__has_key=DATE)
        .select_related("request")
        .order_by("created_at", "pk")
    )
    return {entry.edition_id: entry for entry in entries if entry.edition_id is not None}


def _edited_in_the_admin(editions: list[Edition], latest: dict[int, AuditLogEntry]) -> set[int]:
    """The editions whose date someone changed in the admin (the edition's page, or the work's
    editions) after the entry that applied it: the admin's History names the changed fields
    (JSON; the lines enrichment writes there are sentences). One query a chunk."""
    types = ContentType.objects.get_for_models(Edition, Work)
    dated = [edition for edition in editions if edition.pk in latest]
    changes = (
        LogEntry.objects.filter(
            Q(content_type=types[Edition], object_id__in=[str(e.pk) for e in dated])
            | Q(content_type=types[Work], object_id__in=[str(e.work_id) for e in dated])
        )
        .filter(change_message__startswith="[", change_message__icontains="publication date")
        .exclude(user__username=WORKER_USERNAME)
        .values_list("content_type_id", "object_id", "action_time")
    )
    last_change: dict[tuple[int, str], Any] = {}
    for type_id, object_id, when in changes:
        key = (type_id, object_id)
        last_change[key] = max(when, last_change.get(key, when))
    edited = set()
    for edition in dated:
        applied = latest[edition.pk].created_at
        for key in (
            (types[Edition].pk, str(edition.pk)),
            (types[Work].pk, str(edition.work_id)),
        ):
            if key in last_change and last_change[key] >= applied:
                edited.add(edition.pk)
    return edited


def _why_left(edition: Edition, entry: AuditLogEntry | None, edited: set[int]) -> Left | None:
    if entry is None:
        return Left.NOT_FROM_ENRICHMENT
    if entry.action not in APPLY_ACTIONS:
        return Left.EDITED_SINCE
    if (entry.changes[DATE] or {}).get("new") != stored_value(edition, DATE):
        return Left.EDITED_SINCE
    source = _date_source(entry)
    if not source:
        return Left.SOURCE_UNKNOWN
    if source not in OPEN_LIBRARY_DATE_SOURCES:
        return Left.ANOTHER_PROVIDER
    if edition.pk in edited:
        return Left.EDITED_SINCE
    return None


def _date_source(entry: AuditLogEntry) -> str:
    """The provider whose date the entry applied: its request's proposal names each field's;
    without the request (deleted since), the entry's provider when it names only one."""
    if entry.request is not None and DATE in entry.request.proposal.fields:
        return entry.request.proposal.fields[DATE].source
    providers = [name for name in entry.provider.split(",") if name]
    return providers[0] if len(providers) == 1 else ""


def _correct(correction: DateCorrection) -> bool:
    """Write one correction and its audit entry; False when the date changed meanwhile."""
    with transaction.atomic():
        edition = (
            Edition.objects.select_for_update()
            .select_related("work")
            .filter(pk=correction.edition_id)
            .first()
        )
        if edition is None or stored_value(edition, DATE) != correction.old:
            return False
        values = model_value(DATE, correction.new)
        for attr, value in values.items():
            setattr(edition, attr, value)
        edition.save(update_fields=[*values, "updated_at"])
        entry = AuditLogEntry.objects.create(
            work=edition.work,
            edition=edition,
            action=AuditLogEntry.Action.CORRECT,
            provider=correction.provider,
            changes={DATE: {"old": correction.old, "new": correction.new, "target": "edition"}},
            actor=None,
            actor_label=AuditLogEntry.WORKER_LABEL,
            note=gettext(NOTE) % {"entry": correction.applied_by_entry},
        )
        history_record(entry=entry)
    return True

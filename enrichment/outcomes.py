"""How a claimed request ends when the providers could not settle it: faults back off and
fail after max_attempts; a book whose providers could not be asked waits for them, without
counting an attempt. Also the one wording of faults and skipped providers for people.

(A match is applied by `enrichment.apply`; no match at all ends in
`apply.request_finish_unmatched`.)
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext

from bookstore.db_clock import database_now
from enrichment.candidates import lookup_status_label
from enrichment.faults import LOOKUP_LABELS, ClassifiedFault
from enrichment.models import EnrichmentRequest
from enrichment.proposals import ProviderSkip
from enrichment.providers.registry import provider_label
from enrichment.targets import lock_request_targets
from enrichment.waiting import next_try_at, waits_for_unreachable
from enrichment.work_state import WORK_STATUS, WORK_WAITING

Status = EnrichmentRequest.Status


@dataclass
class RunStats:
    """What a run of claimed requests did (works' and authors'), for enrich_missing's summary."""

    statuses: Counter = field(default_factory=Counter)
    provider_requests: Counter = field(default_factory=Counter)  # lookups answered over HTTP
    cache_hits: int = 0

    def add(self, other: "RunStats") -> None:
        self.statuses.update(other.statuses)
        self.provider_requests.update(other.provider_requests)
        self.cache_hits += other.cache_hits


@dataclass(frozen=True)
class ListedFault:
    """A provider's fault as people read it: once, naming each of the book's lookups that
    failed so (faults.LOOKUP_LABELS' keys, in the order they failed)."""

    fault: ClassifiedFault  # the first of those alike
    lookups: tuple[str, ...] = ()

    @property
    def lookups_text(self) -> str:
        """ "the ISBN lookup and the title search" ("" when no lookup was recorded)."""
        labels = [str(LOOKUP_LABELS.get(name, name)) for name in self.lookups]
        return get_text_list(labels, gettext("and"))


def listed_faults(faults: Sequence[ClassifiedFault]) -> list[ListedFault]:
    """The one rule for listing faults: those alike (one provider, one message) are one line,
    as one provider failing on both a book's ISBN lookup and its title search is one fault."""
    alike: dict[tuple[str, str], list[ClassifiedFault]] = {}
    for fault in faults:
        alike.setdefault((fault.provider, fault.message), []).append(fault)
    return [
        ListedFault(fault=same[0], lookups=tuple(dict.fromkeys(f.lookup for f in same if f.lookup)))
        for same in alike.values()
    ]


def faults_text(faults: list[ClassifiedFault]) -> str:
    """Faults as one short line each (listed_faults), for a request's last error: "Open
    Library: openlibrary.org could not be found (DNS lookup failed)"; never a URL's query."""
    lines = (
        f"{provider_label(f.provider)}: {f.message}" if f.provider else f.message
        for f in (listed.fault for listed in listed_faults(faults))
    )
    return "; ".join(lines)


def skip_text(skip: ProviderSkip) -> str:
    """A provider not asked, in words: "Google Books: it cannot search by title" (the review
    page and a waiting request's last error)."""
    return f"{provider_label(skip.provider)}: {lookup_status_label(skip.status)}"


def skips_text(skips: list[ProviderSkip]) -> str:
    return "; ".join(skip_text(skip) for skip in skips)


def attempts_spent(request: EnrichmentRequest) -> bool:
    return request.attempts >= request.max_attempts


def goes_ahead_without_failing(request: EnrichmentRequest, answered: Sequence[str]) -> bool:
    """Past its attempts, a request that some providers answered is decided on their answers
    (tally.end_unmatched), the providers that kept failing named: one provider down must not
    hold up what the others said, for ever. A book none of them knows by its ISBN is searched
    by title first, as any book nobody knows by its ISBN is (engine._needs_title_search)."""
    return attempts_spent(request) and bool(answered)


def without_failing_text(reason: str, faults: list[ClassifiedFault]) -> str:
    """A decision's reason, and the providers it was made without."""
    return f"{reason} " + gettext(
        "Decided without the providers that failed on every attempt: %(why)s."
    ) % {"why": faults_text(faults)}


def retry_or_fail(
    request: EnrichmentRequest, faults: list[ClassifiedFault], *, answered: Sequence[str] = ()
) -> str:
    """Provider faults: back off exponentially, and give up after max_attempts. Meanwhile the
    work waits; then it failed. Faults that only say the providers could not be reached (a
    machine offline, a provider down) say nothing of the book: past max_attempts, when nothing
    answered (waiting.waits_for_unreachable), it waits for them instead of failing. The next
    try is due on the database's clock, which the claims judge it by (bookstore.db_clock)."""
    now = database_now()
    if attempts_spent(request) and waits_for_unreachable(faults, answered):
        return wait_for_unreachable(request, faults, next_at=next_try_at([], now=now))
    if attempts_spent(request):
        status = Status.FAILED
        next_at = request.next_attempt_at
    else:
        status = Status.PENDING
        delay = settings.ENRICHMENT_RETRY_BASE_SECONDS * 2 ** max(request.attempts - 1, 0)
        next_at = now + timedelta(seconds=delay)
    with transaction.atomic():
        if not _back_off(request, status=status, next_at=next_at, error=faults_text(faults)):
            return status
        if status == Status.FAILED:  # failed unless an earlier enrichment's values stand
            lock_request_targets(request).refresh_ended_unchanged(status=WORK_STATUS[Status.FAILED])
        else:
            _set_work_status(request, WORK_WAITING, touched=True)
    return status


def wait_for_providers(
    request: EnrichmentRequest, next_at: datetime, skipped: list[ProviderSkip]
) -> str:
    """A provider that may know the book could not be asked (and no other matched it): the
    request stays pending until `next_at`, and this claim is no attempt (the providers that
    answered did; those that could not be asked are why it waits: it never ends FAILED)."""
    error = gettext("Waiting for providers unavailable for now: %(why)s.") % {
        "why": skips_text(skipped)
    }
    with transaction.atomic():
        if _back_off(request, status=Status.PENDING, next_at=next_at, error=error, attempt=False):
            _set_work_status(request, WORK_WAITING, touched=False)
    return Status.PENDING


def wait_for_unreachable(
    request: EnrichmentRequest, faults: list[ClassifiedFault], *, next_at: datetime
) -> str:
    """The providers could not be reached, again, after max_attempts: the request stays pending
    until `next_at` and this claim is no attempt, as for providers that could not be asked."""
    error = gettext("Waiting for providers that could not be reached: %(why)s.") % {
        "why": faults_text(faults)
    }
    with transaction.atomic():
        if _back_off(request, status=Status.PENDING, next_at=next_at, error=error, attempt=False):
            _set_work_status(request, WORK_WAITING, touched=True)
    return Status.PENDING


def _back_off(
    request: EnrichmentRequest, *, status: str, next_at, error: str, attempt: bool = True
) -> bool:
    """Give the claimed request back (pending until `next_at`) or fail it; False when it was no
    longer ours (given back as stale meanwhile)."""
    now = timezone.now()
    changes = {
        "status": status,
        "last_error": error[:2000],
        "next_attempt_at": next_at,
        "claim_token": "",
        "queued_at": None,  # no task holds it: the sweep sends it again once it is due
        "awaiting_title_search": False,  # a group's book starts again from its lookups
        "match_details": request.match_details,
        "providers_attempted": request.providers_attempted,
        "updated_at": now,
        "finished_at": now if status == Status.FAILED else None,
    }
    if not attempt:
        changes["attempts"] = F("attempts") - 1
    ours = EnrichmentRequest.objects.filter(pk=request.pk, claim_token=request.claim_token)
    return bool(ours.update(**changes))


def _set_work_status(request: EnrichmentRequest, status: str, *, touched: bool) -> None:
    """The request's work (or author) waits with it."""
    lock_request_targets(request).refresh(status=status, touched=touched)

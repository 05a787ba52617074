"""Backfill months: created by `manage.py backfill` or the admin, as text and ranges, what
people do with them (cancel, retry, run again, queue now) and how they read. A worker's hold on a
month (claim, heartbeat, outcome, giving back) is enrichment.backfill.claims.
"""

import logging
import re
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from bookstore import task_queue
from bookstore.db_clock import database_now
from enrichment.backfill.sources import SOURCE_CLASSES, source_label
from enrichment.backfill_models import month_name
from enrichment.models import BackfillMonth
from enrichment.providers.registry import provider_label

logger = logging.getLogger(__name__)

Status = BackfillMonth.Status
#: One range at most this long (50 years): a typo such as 0024-01 must not create 24,000 months.
MAX_MONTHS_PER_RANGE = 600
#: Who may go where by hand (the admin's actions and the command say so when they skip a month).
CLAIMABLE = (Status.PENDING, Status.RETRY)
CANCELLABLE = (Status.PENDING, Status.RETRY, Status.PROCESSING)
#: What "retry" means, for the admin's Retry and `manage.py backfill --retry` alike: only a month
#: that did not complete is put back (a completed one is run again instead: RERUNNABLE).
RETRYABLE = (Status.FAILED, Status.PARTIAL, Status.CANCELLED)
#: What "run again" means, for the admin's action and `manage.py backfill --rerun` alike: a
#: person runs a completed month again from the start (a source knows more books now, a
#: provider's key was fixed); a month that did not complete is retried instead.
RERUNNABLE = (Status.COMPLETED,)
#: How a month's run ends when it did not (wholly) do its work: failed, partly failed, or back to
#: retry (this try failed). `manage.py backfill --now` exits non-zero for a month it ends so.
RUN_FAILED = (Status.FAILED, Status.PARTIAL, Status.RETRY)

YearMonth = tuple[int, int]
_MONTH_TEXT = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")


# --- Months as text, and ranges (pure, but for this month: the latest a range may reach) -------


def parse_month(text: str) -> YearMonth:
    """ "2024-01" -> (2024, 1); anything else is a ValueError whose message a person can act
    on."""
    found = _MONTH_TEXT.fullmatch(text or "")
    if not found:
        raise ValueError(
            gettext("“%(text)s” is not a month: write it as YYYY-MM, e.g. 2024-01.")
            % {"text": text}
        )
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        raise ValueError(
            gettext("“%(text)s” is not a month: the month must be 01 to 12.") % {"text": text}
        )
    if year < 1:  # the month may be right: say what is wrong
        raise ValueError(
            gettext("“%(text)s” is not a month: the year must be 0001 or later.") % {"text": text}
        )
    return year, month


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_key_name(key: str) -> str:
    """A month's key as recorded ("2024-03", in a work's `discovery`) by its name ("March 2024"),
    the key as it is when it is not one."""
    try:
        return month_name(*parse_month(key))
    except ValueError:
        return key


def current_month(now=None) -> YearMonth:
    """This month (at `now`, default now), in the site's time zone: the latest a backfill may
    take."""
    today = timezone.localdate(now)
    return today.year, today.month


def months_after_q(latest: YearMonth) -> Q:
    """A filter on BackfillMonth: the months after `latest`, where nothing is published yet."""
    return Q(year__gt=latest[0]) | Q(year=latest[0], month__gt=latest[1])


def months_not_begun_q(now=None) -> Q:
    """A filter on BackfillMonth: the months that have not begun (at `now`): no worker takes
    them yet."""
    return months_after_q(current_month(now))


def month_in_future(month: BackfillMonth, *, now=None) -> bool:
    """A month created before future months were refused: it waits until it begins."""
    return (month.year, month.month) > current_month(now)


def month_range(
    start: YearMonth, end: YearMonth, *, latest: YearMonth | None = None
) -> list[YearMonth]:
    """Every month from `start` to `end`, both included, oldest first; a range that reaches past
    `latest` (default: this month) is refused, as nothing is published in the future yet. The
    command and the admin's Add months both come through here."""
    if start > end:
        raise ValueError(
            gettext("The range starts after it ends (%(start)s to %(end)s): swap the months.")
            % {"start": month_label(*start), "end": month_label(*end)}
        )
    latest = latest or current_month()
    if end > latest:
        values = {
            "start": month_label(*start),
            "end": month_label(*end),
            "latest": month_label(*latest),
        }
        if start <= latest:
            message = gettext(
                "%(end)s is in the future: nothing is published in it yet (end the range at "
                "%(latest)s at the latest)."
            )
        elif start == end:
            message = gettext(
                "%(end)s is in the future: nothing is published in it yet (the latest month is "
                "%(latest)s)."
            )
        else:
            message = gettext(
                "%(start)s to %(end)s is in the future: nothing is published in it yet (the "
                "latest month is %(latest)s)."
            )
        raise ValueError(message % values)
    count = (end[0] - start[0]) * 12 + end[1] - start[1] + 1
    if count > MAX_MONTHS_PER_RANGE:
        raise ValueError(
            gettext(
                "%(start)s to %(end)s is %(count)s months; at most %(max)s at a time (ask for "
                "the range in parts)."
            )
            % {
                "start": month_label(*start),
                "end": month_label(*end),
                "count": f"{count:,}",
                "max": MAX_MONTHS_PER_RANGE,
            }
        )
    first = start[0] * 12 + start[1] - 1  # months since year 0, January = 0
    return [(index // 12, index % 12 + 1) for index in range(first, first + count)]


def months_in_range_q(start: YearMonth, end: YearMonth) -> Q:
    """A filter on BackfillMonth: the months from `start` to `end`, both included."""
    after_start = Q(year__gt=start[0]) | Q(year=start[0], month__gte=start[1])
    before_end = Q(year__lt=end[0]) | Q(year=end[0], month__lte=end[1])
    return after_start & before_end


# --- Creating ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthsCreated:
    created: int
    existing: int

    @property
    def months(self) -> int:
        return self.created + self.existing


def backfill_months_create(*, start: YearMonth, end: YearMonth, requested_by=None) -> MonthsCreated:
    """One pending month per month of the range; months that exist already are left as they
    are (whatever their status) and counted."""
    wanted = month_range(start, end)
    in_range = BackfillMonth.objects.filter(months_in_range_q(start, end))
    held = set(in_range.values_list("year", "month"))
    missing = [(year, month) for year, month in wanted if (year, month) not in held]
    # A concurrent creator may add some meanwhile: the unique constraint skips them.
    BackfillMonth.objects.bulk_create(
        [BackfillMonth(year=y, month=m, requested_by=requested_by) for y, m in missing],
        ignore_conflicts=True,
        batch_size=500,
    )
    created = in_range.count() - len(held)
    return MonthsCreated(created=created, existing=len(wanted) - created)


# --- What a run found ---------------------------------------------------------------------------


@dataclass(slots=True)
class MonthMetrics:
    """What one run of a month found and did (the BackfillMonth fields of the same names)."""

    books_discovered: int = 0
    duplicates_dropped: int = 0
    isbns_resolved: int = 0
    resolution_rate: float | None = None
    synthetic_works: int = 0
    queued_for_enrichment: int = 0
    provider_calls: dict[str, int] = field(default_factory=dict)
    sources: dict[str, dict] = field(default_factory=dict)


def calls_added(*tallies: dict[str, int]) -> dict[str, int]:
    """Requests per name, over the sources and the providers (a name in both adds up)."""
    total: dict[str, int] = {}
    for tally in tallies:
        for name, calls in tally.items():
            total[name] = total.get(name, 0) + calls
    return total


def metrics_over_tries(metrics: MonthMetrics, *, calls: dict, sources: dict) -> dict:
    """The fields a try of a month writes, its requests added to those of the run's earlier
    tries (`calls`, `sources`: what the month holds; a run started again holds none): a month
    that failed twice and then completed sent all three tries' requests, which its "Provider
    calls" and its sources' requests say. What the sources named, and their errors, are this
    try's."""
    fields = asdict(metrics)
    fields["provider_calls"] = calls_added(calls, metrics.provider_calls)
    fields["sources"] = {
        name: {**report, "calls": sources.get(name, {}).get("calls", 0) + report["calls"]}
        for name, report in metrics.sources.items()
    }
    return fields


# --- What people do (the admin's actions, the command) -------------------------------------------


def chosen_months(months) -> QuerySet[BackfillMonth]:
    if isinstance(months, QuerySet):
        return months
    return BackfillMonth.objects.filter(pk__in=[m.pk for m in months])


def backfill_months_cancel(*, months, user=None) -> int:
    """Pending, retry and processing months -> cancelled. A processing month's worker learns it
    at its next heartbeat and stops without writing its outcome (its token is cleared)."""
    now = database_now()
    changed = (
        chosen_months(months)
        .filter(status__in=CANCELLABLE)
        .update(status=Status.CANCELLED, claim_token="", updated_at=now)
    )
    logger.info("Backfill: %s months cancelled by %s", changed, user)
    return changed


#: A month that ended with works written (partly failed) keeps that run in `earlier_runs` when
#: a person retries it, as a completed month run again does: the next run's figures replace it.
RUN_KEPT_ON_RETRY = (Status.PARTIAL,)


def backfill_months_retry(*, months, user=None, by: str = "") -> int:
    """RETRYABLE months (failed, partly failed, cancelled) -> retry (the scheduler takes them
    again; a failed or cancelled month's retry count is kept); the others are left as they
    are. A partly failed month starts a new run: its run is kept in `earlier_runs` (`by`, else
    the user's name, says who retried it) and its figures start from zero."""
    now = database_now()
    chosen = chosen_months(months)
    by = by or (user.get_username() if user is not None else "")
    changed = _runs_start_again(
        chosen, statuses=RUN_KEPT_ON_RETRY, to_status=Status.RETRY, by=by, now=now
    )
    changed += (
        chosen.filter(status__in=RETRYABLE)
        .exclude(status__in=RUN_KEPT_ON_RETRY)
        .update(status=Status.RETRY, claim_token="", error="", completed_at=None, updated_at=now)
    )
    logger.info("Backfill: %s months put back to retry by %s", changed, by)
    return changed


def backfill_months_rerun(*, months, by: str, now=None) -> int:
    """RERUNNABLE (completed) months -> pending, to run again from the start; returns how many.
    The run that completed is kept in the month's `earlier_runs` (its outcome and figures, and
    when and by whom it was run again: `by`) and the month's figures start again from zero. The
    new run finds the works the earlier one wrote in the catalog and drops them as duplicates,
    so it never writes them twice. One run of a month at a time: a month moves only while it is
    completed, so a month processing, waiting, or run again by someone else meanwhile is left
    as it is."""
    now = now or database_now()
    changed = _runs_start_again(
        chosen_months(months), statuses=RERUNNABLE, to_status=Status.PENDING, by=by, now=now
    )
    logger.info("Backfill: %s completed months put back to run again by %s", changed, by)
    return changed


def _runs_start_again(
    chosen: QuerySet[BackfillMonth], *, statuses, to_status: str, by: str, now
) -> int:
    """The chosen months in `statuses` -> `to_status`, each run kept in `earlier_runs` and
    its figures reset; returns how many moved."""
    ids = list(chosen.filter(status__in=statuses).values_list("pk", flat=True))
    changed = 0
    for pk in ids:
        # Read and moved in one transaction, the row locked (PostgreSQL; SQLite's transactions
        # take the write lock up front): of two people starting a month again at once, the
        # second finds it moved and leaves it, and the earlier run is recorded once.
        with transaction.atomic():
            month = (
                BackfillMonth.objects.select_for_update().filter(pk=pk, status__in=statuses).first()
            )
            if month is None:
                continue
            earlier = [*(month.earlier_runs or []), _run_record(month, by=by, now=now)]
            BackfillMonth.objects.filter(pk=pk).update(
                status=to_status,
                earlier_runs=earlier,
                retry_count=0,
                error="",
                claim_token="",
                started_at=None,
                heartbeat_at=None,
                completed_at=None,
                updated_at=now,
                **asdict(MonthMetrics()),
            )
        changed += 1
    return changed


def _run_record(month: BackfillMonth, *, by: str, now) -> dict:
    """One entry of `earlier_runs`: the run as it ended, then when and by whom it was run
    again."""
    return {
        "status": month.status,
        "started_at": month.started_at.isoformat() if month.started_at else None,
        "completed_at": month.completed_at.isoformat() if month.completed_at else None,
        "retry_count": month.retry_count,
        "error": month.error,
        **{name: getattr(month, name) for name in MonthMetrics.__dataclass_fields__},
        "run_again_at": now.isoformat(),
        "run_again_by": by,
    }


def backfill_months_queue_now(*, months, user=None) -> int:
    """Claim the chosen pending / retry months now, without waiting for the scheduler, and hand
    each to a worker; returns how many were handed over. QueueUnreachable: none was, the broker
    being unavailable (they wait to retry, no retry counted)."""
    from enrichment.backfill import claims  # here: claims builds on this module

    ids = list(chosen_months(months).filter(status__in=CLAIMABLE).values_list("pk", flat=True))
    claimed = claims.backfill_months_claim(limit=len(ids), month_ids=ids)
    handed = claims.backfill_months_hand_over(claimed)
    logger.info("Backfill: %s months queued now by %s", handed.dispatched, user)
    if handed.broker_unavailable and not handed.dispatched:
        raise task_queue.QueueUnreachable(
            gettext(
                "No month was queued, and nothing was lost: they wait to retry, with no retry "
                "counted, and the scheduler queues them once the queue is back."
            )
        )
    return handed.dispatched


# --- Reading -------------------------------------------------------------------------------------


def statuses_counted(counts: dict[str, int]) -> list[str]:
    """ "Completed 2", "Failed 1": months by status, in the statuses' order of their codes."""
    return [f"{Status(status).label} {n:,}" for status, n in sorted(counts.items())]


def calls_label(name: str) -> str:
    """A key of `provider_calls`: a discovery source's label, or a provider's."""
    return source_label(name) if name in SOURCE_CLASSES else provider_label(name)


#: A month (or an earlier run) in these has run and recorded the requests it sent: none is 0.
CALLS_RECORDED = (Status.COMPLETED, Status.PARTIAL, Status.FAILED)
#: A month in these has sent none yet, or only what its failed tries recorded (a retry's).
CALLS_NONE_YET = (Status.PENDING, Status.RETRY)


def calls_text(calls: dict[str, int] | None, *, status: str = "") -> str:
    """ "Open Library search 3 · Google Books 2": the requests sent, most first (the stored
    order is not kept: PostgreSQL's jsonb sorts keys its own way). None sent says what is known,
    never a dash read as "0" or "unknown": "0" of a run that ended (CALLS_RECORDED), "none yet"
    of a month waiting to run or to retry, that they are counted at the end of a month
    processing, and "not recorded" otherwise (a cancelled month, an old record)."""
    sent = sorted(
        ((n, name) for name, n in (calls or {}).items() if n), key=lambda c: (-c[0], c[1])
    )
    if sent:
        return " · ".join(f"{calls_label(name)} {n:,}" for n, name in sent)
    if calls is None:
        return gettext("not recorded")
    if status in CALLS_RECORDED:
        return "0"
    if status in CALLS_NONE_YET:
        return gettext("none yet")
    if status == Status.PROCESSING:
        return gettext("counted when the run ends")
    return gettext("not recorded")


def backfill_month_summary(month: BackfillMonth) -> dict:
    """One month as `manage.py backfill --json` prints it."""
    return {
        "month": month.label,
        "status": month.status,
        "discovered": month.books_discovered,
        "duplicates": month.duplicates_dropped,
        "resolved": month.isbns_resolved,
        "resolution_rate": month.resolution_rate,
        "synthetic": month.synthetic_works,
        "queued": month.queued_for_enrichment,
        "provider_calls": dict(month.provider_calls or {}),
        "error": month.error,
        "earlier_runs": len(month.earlier_runs or []),
    }

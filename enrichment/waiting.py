"""Books waiting for providers that could not be asked: when they are tried next, and how that
reads on screen.

A request that no provider could be asked about (breaker open, daily quota spent, our rate
limit) stays pending until the earliest of those providers is expected back (`next_try_at`);
its work shows "Waiting: providers unavailable, next try at <time>" (`waiting_text`), in the
admin's format and the site's time zone. The periodic sweep sends it again once it is due.
"""

import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.utils import display_for_value
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext

from bookstore.db_clock import database_now
from enrichment.candidates import LookupStatus
from enrichment.faults import ClassifiedFault
from enrichment.proposals import MatchDetails

#: Provider states that pass: asking again later may work (a missing key or a refused one does
#: not come back on its own).
UNAVAILABLE_FOR_NOW = frozenset(
    {LookupStatus.CIRCUIT_OPEN, LookupStatus.QUOTA_EXHAUSTED, LookupStatus.THROTTLED}
)

#: (LookupStatus, seconds until the provider is expected back, None when it did not say).
Unavailable = tuple[str, float | None]


def waits_for_unreachable(faults: Sequence[ClassifiedFault], answered: Sequence[str]) -> bool:
    """Whether a try that found no match leaves its request waiting for its providers rather
    than failing once its attempts are spent: every fault only says a provider could not be
    reached for now (faults.PASSING_KINDS: offline, a provider down; not a failed secure
    connection, which will not mend by waiting) and no provider answered. The
    engine asks it of a try that ended (outcomes.retry_or_fail), and of the try before one whose
    worker died (last_try_waited)."""
    return bool(faults) and all(f.passes_on_its_own for f in faults) and not answered


def last_try_waited(details: MatchDetails) -> bool:
    """Whether a request's last try (its match details) left it waiting for its providers
    rather than counting an attempt against it: they could not be reached and nothing answered
    (waits_for_unreachable), or one that may know the book could not be asked for now (breaker,
    quota, rate limit) and none failed. A try whose worker died after such a wait counts no
    attempt either (queue.requests_recover_stale): a dead worker says nothing of the providers."""
    if waits_for_unreachable(details.faults, details.answered):
        return True
    return not details.faults and any(s.status in UNAVAILABLE_FOR_NOW for s in details.skipped)


def next_try_at(unavailable: list[Unavailable], *, now: datetime.datetime) -> datetime.datetime:
    """When the first of these providers is expected back: its breaker's reopening or its
    Retry-After; a spent daily quota at the next UTC midnight (when budgets reset); otherwise
    after ENRICHMENT_UNAVAILABLE_RETRY_SECONDS."""
    times = []
    for status, retry_after in unavailable:
        if retry_after is not None:
            times.append(now + datetime.timedelta(seconds=max(0.0, retry_after)))
        elif status == LookupStatus.QUOTA_EXHAUSTED:
            today = now.astimezone(datetime.UTC).date()
            times.append(
                datetime.datetime.combine(
                    today + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
                )
            )
    if times:
        return min(times)
    return now + datetime.timedelta(seconds=settings.ENRICHMENT_UNAVAILABLE_RETRY_SECONDS)


#: A due time passed by more than this is overdue, not merely due: the schedules that take due
#: work run every minute (requests) or five (backfill months), so past this something holds it
#: (no worker, a backlog, a schedule that stopped).
OVERDUE_AFTER = datetime.timedelta(minutes=10)


class Due(enum.Enum):
    AHEAD = "ahead"
    DUE = "due"  # passed by less than OVERDUE_AFTER: taken at the next sweep
    OVERDUE = "overdue"


def due_state(when: datetime.datetime, *, now: datetime.datetime) -> Due:
    """Whether a next try (a next run) is still ahead, due, or overdue at `now`, which callers
    read on the clock the time was stamped on, the database's (db_clock), never this
    machine's."""
    if when > now:
        return Due.AHEAD
    return Due.OVERDUE if now - when > OVERDUE_AFTER else Due.DUE


def next_try_words(next_try: datetime.datetime | None, *, now=None) -> str:
    """ "next try at 6:25 p.m.", or, once that time has passed on the database's clock, "next
    try due now" or "next try overdue since 6:25 p.m." (a past time read as one still ahead)."""
    if next_try is None:
        return gettext("next try not set")
    shown = display_for_value(next_try, "–")  # the admin's format, the site's time zone
    state = due_state(next_try, now=now or database_now())
    if state == Due.OVERDUE:
        return gettext("next try overdue since %(time)s") % {"time": shown}
    if state == Due.DUE:
        return gettext("next try due now")
    return gettext("next try at %(time)s") % {"time": shown}


@dataclass(frozen=True, slots=True)
class WaitingWords:
    """How a waiting work or request reads: `short` in a list's cell (one or two lines at
    1,280 px), `full` on its page and in the cell's tooltip."""

    short: str
    full: str


def waiting_words(
    next_try: datetime.datetime | None,
    *,
    now: datetime.datetime | None = None,
    worker_running: bool | None = None,
) -> WaitingWords:
    """What a waiting work (or its request) shows. Without a worker running (heartbeats say so;
    a list passes `worker_running` read once for its page) no next try comes: it says so. Due or
    not on the clock next tries are stamped on, the database's (a list passes `now` read with
    its rows: database_now_expression), never this machine's."""
    now = now or database_now()
    if worker_running is None:
        from enrichment.heartbeats import no_worker_running  # models: not at import time

        worker_running = not no_worker_running()
    if not worker_running:
        return WaitingWords(
            gettext("Waiting: no worker running"),
            gettext(
                "Waiting: providers unavailable; no worker is running to try again "
                "(start one with manage.py qcluster)"
            ),
        )
    if next_try is not None and due_state(next_try, now=now) == Due.OVERDUE:
        return WaitingWords(
            gettext("Waiting: next try overdue"),
            gettext("Waiting: providers unavailable, next try overdue since %(time)s")
            % {"time": display_for_value(next_try, "–")},
        )
    if next_try is None or next_try <= now:
        return WaitingWords(
            gettext("Waiting: next try now"),
            gettext("Waiting: providers unavailable, next try in a moment"),
        )
    return WaitingWords(
        gettext("Waiting: next try %(time)s") % {"time": time_short(next_try, now=now)},
        gettext("Waiting: providers unavailable, next try at %(time)s")
        % {"time": display_for_value(next_try, "–")},  # the admin's format, the site's time zone
    )


def waiting_text(
    next_try: datetime.datetime | None,
    *,
    now: datetime.datetime | None = None,
    worker_running: bool | None = None,
) -> str:
    """waiting_words' sentence, for a page."""
    return waiting_words(next_try, now=now, worker_running=worker_running).full


def time_short(when: datetime.datetime, *, now: datetime.datetime) -> str:
    """ "3:58 p.m." today (the site's time zone), "12/03/2026 3:58 p.m." another day."""
    local, today = timezone.localtime(when), timezone.localtime(now).date()
    if local.date() == today:
        return time_format(local)
    return date_format(local, "SHORT_DATETIME_FORMAT")

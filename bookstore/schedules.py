"""django-q2's schedules made due again when a clock that ran ahead set them.

django-q2 runs a schedule once its `next_run` has passed and sets the next one from it, on the
clock of the cluster that ran it. A clock stepped back (NTP correcting a machine that ran ahead,
a virtual machine restored from a snapshot), or a cluster on a machine far ahead of the others,
leaves `next_run` further ahead than the schedule's own period, and nothing ran it until the
clock caught up: the minute's sweep that recovers lost work, the retention purge of uploaded
exports and the daily housekeeping all stopped for as long as the jump, and nothing said so.
Each qcluster's heartbeat thread asks at every beat (enrichment/heartbeats.py): a schedule due
later than one period from now, plus a slack of one period (an hour at most: daylight saving,
clocks a little apart), is made due now; django-q2 runs it and spaces it from there.
"""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

logger = logging.getLogger(__name__)

#: The most a schedule's next run may lie past its period (daylight saving moves a daily one by
#: an hour); a shorter period is its own slack, so a minute's schedule is late by two at most.
MAX_SLACK = timedelta(hours=1)


def schedules_bring_back(*, now: datetime | None = None) -> list[str]:
    """Make due now every repeating schedule set further ahead than its period allows; returns
    their names."""
    from django_q.models import Schedule  # needs the app registry: imported when called

    now = now or timezone.now()
    brought_back = []
    ahead = Schedule.objects.exclude(repeats=0).exclude(schedule_type=Schedule.ONCE)
    for schedule in ahead.filter(next_run__gt=now):
        try:
            period = schedule.calculate_next_run(now) - now
        except ImportError:  # a cron schedule without croniter: django-q2 cannot run it either
            continue
        if schedule.next_run <= now + period + min(period, MAX_SLACK):
            continue
        # Guarded: a schedule the scheduler moved meanwhile is left alone.
        moved = Schedule.objects.filter(pk=schedule.pk, next_run=schedule.next_run).update(
            next_run=now
        )
        if moved:
            logger.warning(
                "Schedule %r was due at %s, further ahead than its period (a clock that ran "
                "ahead set it): due now",
                schedule.name,
                schedule.next_run.isoformat(),
            )
            brought_back.append(schedule.name)
    return brought_back

"""What bench/scale.py counts: each process's CPU time by role (Linux /proc), and, from the
database, what became of one run's requests (lost, applied twice, stuck, dispatched again)."""

import os
from collections import Counter
from datetime import timedelta
from pathlib import Path

from processes import child_pids

FINAL = ("completed", "needs_review", "skipped", "failed")
_TICKS = os.sysconf("SC_CLK_TCK")


# --- CPU time by process, from /proc ---------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pids) -> float:
    """User + system CPU of these processes and of their children they have reaped (cutime,
    cstime): summed over a live tree, every process's time counts once, the exited ones' in
    the ancestor that waited for them."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            total += sum(int(value) for value in fields[11:15])
    return total / _TICKS


def group_pids(pgid: int) -> list[int]:
    """Every live process of a process group (a qcluster started in a session of its own: its
    workers keep the group even when they outlive their parent)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat_fields(int(stat.parent.name))
        if fields and int(fields[2]) == pgid:
            found.append(int(stat.parent.name))
    return found


def postmaster_pid() -> int | None:
    """The PostgreSQL server's main process, from its data directory's postmaster.pid."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data_dir = cursor.fetchone()[0]
    try:
        return int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def tree(pid: int | None) -> list[int]:
    return [pid, *child_pids(pid)] if pid else []


# --- One run's requests, from the database ----------------------------------------------------


def run_requests(first_pk: int):
    from enrichment.models import EnrichmentRequest

    return EnrichmentRequest.objects.filter(pk__gte=first_pk)


def progress(first_pk: int) -> tuple[int, int]:
    """(requests of the run, how many are final: a final status and no cover download due)."""
    from django.db.models import Count, Q

    counts = run_requests(first_pk).aggregate(
        total=Count("pk"),
        final=Count("pk", filter=Q(status__in=FINAL) & ~Q(cover_status="pending")),
    )
    return counts["total"], counts["final"]


def stuck_ids(first_pk: int, *, now, margin_seconds: float) -> dict[str, set[int]]:
    """Requests the sweep should have given back or sent again by now, by what holds them: by
    the sweep's own cutoffs (claims: the stale times; unclaimed work: broker_backlog's cutoff,
    later while the broker holds tasks for a live cluster), less `margin_seconds` for the
    sweep's period."""
    from django.conf import settings
    from django.db.models import Q

    from enrichment import broker_backlog
    from enrichment.cover_apply import cover_stale_seconds

    margin = timedelta(seconds=margin_seconds)
    stale, cover_stale = settings.ENRICHMENT_STALE_SECONDS, cover_stale_seconds()
    claimed = now - timedelta(seconds=stale) - margin
    cover_claimed = now - timedelta(seconds=cover_stale) - margin
    unclaimed = (
        broker_backlog.unclaimed_resend_cutoff(
            broker_backlog.main_queue_name(), now=now, stale_seconds=stale
        )
        - margin
    )
    cover_unclaimed = (
        broker_backlog.unclaimed_resend_cutoff(
            broker_backlog.cover_queue_name(), now=now, stale_seconds=cover_stale
        )
        - margin
    )
    return _ids_by_kind(
        first_pk,
        {
            "in progress": Q(status="in_progress", claimed_at__lt=claimed),
            "pending, not sent": Q(status="pending", next_attempt_at__lt=unclaimed)
            & (Q(queued_at__isnull=True) | Q(queued_at__lt=unclaimed)),
            "cover claimed": Q(cover_status="pending", cover_claimed_at__lt=cover_claimed),
            "cover not sent": Q(
                status__in=FINAL, cover_status="pending", cover_claimed_at__isnull=True
            )
            & Q(cover_queued_at__lt=cover_unclaimed),
        },
    )


def waiting_ids(first_pk: int, *, now, stale_seconds: float) -> set[int]:
    """Requests or covers queued and unclaimed for longer than the stale time: lost, or
    waiting behind a backlog (the sweep then leaves them to the broker: broker_backlog)."""
    from django.db.models import Q

    cutoff = now - timedelta(seconds=stale_seconds)
    found = _ids_by_kind(
        first_pk,
        {
            "request": Q(status="pending", queued_at__lt=cutoff),
            "cover": Q(cover_status="pending", cover_claimed_at__isnull=True)
            & Q(cover_queued_at__lt=cutoff),
        },
    )
    return set().union(*found.values())


def _ids_by_kind(first_pk: int, kinds: dict) -> dict[str, set[int]]:
    found = {}
    for kind, condition in kinds.items():
        ids = set(run_requests(first_pk).filter(condition).values_list("pk", flat=True))
        if ids:
            found[kind] = ids
    return found


def title_search_ids(first_pk: int) -> set[int]:
    """Requests waiting for a grouped title search now: given back by their batch with no task
    holding them, handed to a group task past their gathering time by the sweep (by design:
    enrichment/title_search_groups.py), so the bench notes them at each poll."""
    return set(
        run_requests(first_pk).filter(awaiting_title_search=True).values_list("pk", flat=True)
    )


def run_outcome(first_pk: int, *, stale_seconds: float, title_searched: set[int]) -> dict:
    """What became of the run's requests, from the database (and `title_searched`: the
    requests seen waiting for a grouped title search during the run).

    - lost: not final at the end (a status other than completed / needs review / skipped /
      failed, or a cover download still due);
    - applied twice: works with two audit entries of one kind (two automatic metadata applies,
      or two covers) from this run's requests: each apply writes exactly one entry;
    - dispatched again: `queued_at` later than `created_at` + ENRICHMENT_STALE_SECONDS. The
      import's commit dispatches a request as it is created; only the sweep sends one again,
      and only once no task has claimed it for that long (or once it gave a claimed one back);
    - recovered in flight: `attempts` >= 2 (a task claimed it, its worker died, the sweep gave it
      back and another task claimed it; the bench's provider answers every request, so no fault
      retry adds attempts, but for a 429 (counted apart): `fault retries` below says so);
    - handed to a title-search group: dispatched again and seen waiting for a grouped title
      search (the sweep hands such books to a group task: not a loss);
    - sent again unclaimed: the others dispatched again with `attempts` = 1: no task claimed
      it for the stale time and the sweep judged its task lost (the broker held nothing for
      its queue, or no live cluster worked it; a killed cluster's tasks are put back on the
      queue instead, and counted by the bench as reclaimed);
    - the same for covers: `cover_queued_at` later than `finished_at` + the stale time (a cover
      is queued as its request ends), and of those the ones with `cover_attempts` = 1; cover
      claims taken again: `cover_attempts` >= 2.
    """
    from django.db.models import Count, F, Max

    from enrichment.models import AuditLogEntry

    requests = run_requests(first_pk)
    statuses = Counter(dict(requests.values_list("status").annotate(n=Count("pk"))))
    covers = Counter(dict(requests.values_list("cover_status").annotate(n=Count("pk"))))
    lost = (
        requests.exclude(status__in=FINAL).count()
        + requests.filter(status__in=FINAL, cover_status="pending").count()
    )
    twice = (
        AuditLogEntry.objects.filter(
            request_id__gte=first_pk,
            action__in=[AuditLogEntry.Action.AUTO_APPLY, AuditLogEntry.Action.COVER],
        )
        .values("work_id", "action")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    again = requests.filter(queued_at__gt=F("created_at") + timedelta(seconds=stale_seconds))
    # A cover is queued as its request ends; only the sweep queues it again, past the stale time.
    covers_again = requests.filter(
        cover_queued_at__gt=F("finished_at") + timedelta(seconds=stale_seconds)
    )
    fault_retries = requests.filter(attempts__gte=2).exclude(
        last_error__in=["", "The worker stopped while processing this request."]
    )
    last = requests.aggregate(finished=Max("finished_at"))["finished"]
    last_cover = AuditLogEntry.objects.filter(
        request_id__gte=first_pk, action=AuditLogEntry.Action.COVER
    ).aggregate(at=Max("created_at"))["at"]
    return {
        "requests": sum(statuses.values()),
        "statuses": dict(statuses),
        "cover_statuses": {key or "none": value for key, value in covers.items()},
        "lost": lost,
        "applied_twice": len({row["work_id"] for row in twice}),
        "dispatched_again": again.count(),
        "recovered_in_flight": requests.filter(attempts__gte=2).count(),
        "handed_to_title_search_group": again.filter(pk__in=title_searched).count(),
        "sent_again_unclaimed": again.filter(attempts=1).exclude(pk__in=title_searched).count(),
        "cover_claims_retaken": requests.filter(cover_attempts__gte=2).count(),
        "covers_dispatched_again": covers_again.count(),
        "covers_sent_again_unclaimed": covers_again.filter(cover_attempts=1).count(),
        "fault_retries": fault_retries.count(),
        "last_final_at": max((t for t in (last, last_cover) if t), default=None),
    }

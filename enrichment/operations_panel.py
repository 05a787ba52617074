"""The dashboard's operations panel, read live in a few index reads: each django-q2 cluster
process's last heartbeat (enrichment.heartbeats), how long the oldest due request and the oldest
queued cover download have waited, and the biggest tables as the daily housekeeping measured
them (enrichment.table_sizes)."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.models import DateTimeField, Value
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from bookstore.db_clock import database_now_expression
from enrichment.heartbeat_models import ClusterHeartbeat
from enrichment.heartbeats import beat_is_live
from enrichment.models import EnrichmentRequest
from enrichment.table_sizes import table_sizes_kept

#: Pending cover downloads are counted up to this many ("more than 10,000").
COVERS_COUNT_LIMIT = 10_000


def duration_label(seconds: int) -> str:
    """A wait or an age in words a reader takes in at a glance: "12 s", "8 min", "3 h 5 min",
    "2 days"."""
    if seconds < 60:
        return gettext("%(n)d s") % {"n": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return gettext("%(n)d min") % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if minutes:
            return gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
        return gettext("%(h)d h") % {"h": hours}
    days = hours // 24
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


@dataclass
class ClusterRow:
    """One qcluster process as the dashboard shows it."""

    name: str
    host: str
    pid: int
    broker: str  # its label
    workers: int
    started_at: datetime.datetime
    beat_at: datetime.datetime
    age_seconds: int  # since its last heartbeat; below 0, it is dated that far ahead
    state: str  # "running", "silent" (stopped answering) or "stopped" (its cluster ended)

    @property
    def ahead(self) -> bool:
        """Its last beat is dated ahead of the database's clock (which stamps the beats): a
        clock stepped back, or rows restored from elsewhere. Its age would read "0 s ago"."""
        return self.age_seconds < 0

    @property
    def age_label(self) -> str:
        return duration_label(abs(self.age_seconds))


def cluster_state(heartbeat: ClusterHeartbeat, *, now: datetime.datetime) -> tuple[int, str]:
    """Seconds since the process last beat (below 0: the beat is dated ahead of `now`), and
    whether it runs, went silent or stopped."""
    age = int((now - heartbeat.beat_at).total_seconds())
    if heartbeat.stopped_at is not None:
        return age, "stopped"
    return age, "running" if beat_is_live(heartbeat.beat_at, now=now) else "silent"


def cluster_rows(*, now: datetime.datetime | None = None) -> list[ClusterRow]:
    """Every process that beat within a day (housekeeping forgets older ones): the running ones
    first, then by name and host (one query). Judged on the clock the beats are stamped on, the
    database's, which the same query reads (`now`: another moment), never this machine's."""
    order = {"running": 0, "silent": 1, "stopped": 2}
    rows = []
    heartbeats = ClusterHeartbeat.objects.order_by("name", "host", "pid")
    for heartbeat in heartbeats.annotate(read_at=database_now_expression()):
        age, state = cluster_state(heartbeat, now=now or heartbeat.read_at)
        rows.append(
            ClusterRow(
                name=heartbeat.name,
                host=heartbeat.host,
                pid=heartbeat.pid,
                broker=heartbeat.get_broker_display(),
                workers=heartbeat.workers,
                started_at=heartbeat.started_at,
                beat_at=heartbeat.beat_at,
                age_seconds=age,
                state=state,
            )
        )
    return sorted(rows, key=lambda row: order[row.state])


@dataclass
class QueueAge:
    """How long the work waiting longest has waited (None: nothing waits)."""

    oldest_due_seconds: int | None = None  # the oldest pending request that is due
    covers_pending: int = 0  # pending cover downloads, up to COVERS_COUNT_LIMIT + 1
    oldest_cover_seconds: int | None = None  # since the oldest one was queued

    @property
    def covers_over_limit(self) -> bool:
        return self.covers_pending > COVERS_COUNT_LIMIT

    @property
    def oldest_due_label(self) -> str:
        return "" if self.oldest_due_seconds is None else duration_label(self.oldest_due_seconds)

    @property
    def oldest_cover_label(self) -> str:
        if self.oldest_cover_seconds is None:
            return ""
        return duration_label(self.oldest_cover_seconds)


def _seconds_since(read: tuple | None) -> int | None:
    """Seconds from a (moment, now read with it) to that now."""
    if read is None:
        return None
    moment, read_at = read
    return max(0, int((read_at - moment).total_seconds()))


def queue_age(*, now: datetime.datetime | None = None) -> QueueAge:
    """Three index reads: the earliest `next_attempt_at` of the pending requests already due
    (the first entry of the (status, next_attempt_at) index; a request waiting for a later
    retry is not late), and the pending covers counted up to a limit with the earliest
    `cover_queued_at` (the (cover_status, cover_queued_at) index). Each is an ORDER BY … LIMIT 1
    rather than MIN() so that the plan is the index's on every database and table size. Due
    and waited on the clock the due times are stamped on, the database's, which each query
    reads (`now`: another moment), never this machine's."""
    read_at = database_now_expression() if now is None else Value(now, output_field=DateTimeField())
    due = EnrichmentRequest.objects.filter(
        status=EnrichmentRequest.Status.PENDING, next_attempt_at__lte=read_at
    )
    covers = EnrichmentRequest.objects.filter(cover_status=EnrichmentRequest.CoverStatus.PENDING)
    oldest_due = (
        due.order_by("next_attempt_at")
        .annotate(read_at=read_at)
        .values_list("next_attempt_at", "read_at")
    )
    oldest_cover = (
        covers.filter(cover_queued_at__isnull=False)
        .order_by("cover_queued_at")
        .annotate(read_at=read_at)
        .values_list("cover_queued_at", "read_at")
    )
    return QueueAge(
        oldest_due_seconds=_seconds_since(oldest_due.first()),
        covers_pending=covers.order_by().values("pk")[: COVERS_COUNT_LIMIT + 1].count(),
        oldest_cover_seconds=_seconds_since(oldest_cover.first()),
    )


@dataclass
class TableSize:
    name: str  # the database's name for it ("catalog_importrow"), a detail for an operator
    bytes: int
    percent: float  # of the biggest table's size (the bar's length)
    label: str = ""  # what a librarian calls its rows ("Import rows"); the name when unknown


def table_labels() -> dict[str, str]:
    """Each model's table -> its rows' name as the admin says it (verbose_name_plural, in the
    reader's language): "catalog_importrow" -> "Import rows". Many-to-many tables Django
    made are named after their model ("Work-author relationships")."""
    return {
        model._meta.db_table: capfirst(str(model._meta.verbose_name_plural))
        for model in apps.get_models(include_auto_created=True)
    }


@dataclass
class TableSizes:
    """The biggest tables as last measured (`as_of` None: not measured yet)."""

    as_of: datetime.datetime | None = None
    age_seconds: int = 0
    available: bool = False
    tables: list[TableSize] = field(default_factory=list)
    database_bytes: int = 0

    @property
    def age_label(self) -> str:
        return duration_label(self.age_seconds)


def table_sizes(*, now: datetime.datetime) -> TableSizes:
    snapshot = table_sizes_kept()
    if snapshot is None:
        return TableSizes()
    sizes = snapshot.figures
    biggest = max((size for _name, size in sizes["tables"]), default=0)
    labels = table_labels()
    return TableSizes(
        as_of=snapshot.computed_at,
        age_seconds=_seconds_since((snapshot.computed_at, now)) or 0,
        available=sizes["available"],
        tables=[
            TableSize(
                name,
                size,
                round(100 * size / biggest, 1) if biggest else 0.0,
                labels.get(name, name),
            )
            for name, size in sizes["tables"]
        ],
        database_bytes=sizes["database_bytes"],
    )


@dataclass
class OperationsFigures:
    clusters: list[ClusterRow] = field(default_factory=list)
    queue_age: QueueAge = field(default_factory=QueueAge)
    table_sizes: TableSizes = field(default_factory=TableSizes)
    stale_after_seconds: float = 0.0
    heartbeats_off: bool = False  # CLUSTER_HEARTBEAT_SECONDS=0 here: no row is expected
    tasks_in_process: bool = False  # Q_SYNC: tasks run where they are queued, no cluster

    @property
    def no_cluster_running(self) -> bool:
        """No cluster is known to run (heartbeats.no_worker_running, from the rows read): the
        heartbeats tell, and none of the processes beats. Nothing counts the figures again."""
        telling = not (self.heartbeats_off or self.tasks_in_process)
        return telling and not any(row.state == "running" for row in self.clusters)


def operations_figures(*, now: datetime.datetime | None = None) -> OperationsFigures:
    return OperationsFigures(
        clusters=cluster_rows(now=now),
        queue_age=queue_age(now=now),
        table_sizes=table_sizes(now=now or timezone.now()),
        stale_after_seconds=settings.CLUSTER_HEARTBEAT_STALE_SECONDS,
        heartbeats_off=settings.CLUSTER_HEARTBEAT_SECONDS <= 0,
        tasks_in_process=bool(settings.Q_CLUSTER.get("sync")),
    )

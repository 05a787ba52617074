"""The daily housekeeping a long-running install needs (a django-q2 schedule, migration 0024,
and `manage.py housekeeping`): what has outlived its use is deleted, in chunks, so that no
statement holds the database for long, and the biggest tables are measured for the dashboard.

- provider answers (SourceRecord) past `expires_at`: the cache no longer reads them;
- django-q2's stored task results beyond Q_CLUSTER["save_limit"], the newest kept. django-q2
  itself deletes one success each time it saves one while at the limit (so successes stay there
  unless the limit was lowered), and never deletes a failure;
- cluster heartbeats of processes that have been stopped or silent for a day;
- API callers' allowances that are whole again (bookstore.api_throttle): such a row says no
  more than no row, so the table holds only callers of the last period;
- hidden half files a process killed mid-save left in the covers' or uploads' storage, a day
  old (bookstore.file_storage);
- the table sizes the dashboard shows (enrichment.table_sizes).

What has expired is judged on the database's clock (bookstore.db_clock), which the heartbeats
and the allowances are stamped on: from a machine whose clock ran ahead, the machine's own would
forget live clusters and allowances still partly spent. (Half files are judged by their
modification times, which the storage's machine stamps.)

Uploaded import files past IMPORT_RETENTION_DAYS are not purged here: the catalog's own daily
schedule does it (`catalog.tasks.purge_import_files`, `manage.py purge_imports`), and twice a
day would be once too many.
"""

import datetime
import logging
from dataclasses import asdict, dataclass

from django.core.files.storage import storages
from django.db.models import QuerySet
from django_q.conf import Conf
from django_q.models import Failure, Success

from bookstore.db_clock import database_now
from bookstore.file_storage import partial_files_delete
from catalog.storage import import_storage
from enrichment.models import ApiAllowance, ClusterHeartbeat, SourceRecord
from enrichment.table_sizes import table_sizes_refresh

logger = logging.getLogger(__name__)

#: Rows deleted per statement (each in its own transaction).
CHUNK_SIZE = 5000
#: A cluster heartbeat silent (or stopped) this long is forgotten.
HEARTBEAT_KEEP = datetime.timedelta(days=1)
#: A half file this old is no save in progress.
PARTIAL_FILE_KEEP = datetime.timedelta(days=1)


@dataclass
class HousekeepingResult:
    source_records: int = 0
    task_successes: int = 0
    task_failures: int = 0
    cluster_heartbeats: int = 0
    api_allowances: int = 0
    partial_files: int = 0
    biggest_table: str = ""
    database_bytes: int = 0

    def as_json(self) -> dict:
        return asdict(self)


def _delete_in_chunks(queryset: QuerySet, *, chunk_size: int) -> int:
    """Delete the queryset's rows `chunk_size` at a time (ids first, then a short DELETE that
    asks the queryset's condition again: a row may have changed between the two)."""
    deleted = 0
    while ids := list(queryset.values_list("pk", flat=True)[:chunk_size]):
        deleted += queryset.filter(pk__in=ids).delete()[0]
        if len(ids) < chunk_size:
            break
    return deleted


def source_records_purge_expired(*, now=None, chunk_size: int = CHUNK_SIZE) -> int:
    """Provider answers past their expiry: the cache reads only `expires_at > now`
    (providers/cache.read), so these are never read again."""
    now = now or database_now()
    expired = SourceRecord.objects.filter(expires_at__lte=now).order_by()
    return _delete_in_chunks(expired, chunk_size=chunk_size)


def task_results_trim(*, keep: int | None = None, chunk_size: int = CHUNK_SIZE) -> tuple[int, int]:
    """Successes and failures beyond the newest `keep` of each (save_limit); 0 or less keeps
    everything, as django-q2 reads it. Returns (successes, failures) deleted."""
    keep = Conf.SAVE_LIMIT if keep is None else keep
    if keep <= 0:
        return 0, 0
    deleted = []
    for model in (Success, Failure):
        newest_first = model.objects.order_by("-stopped", "-pk")
        trimmed = 0
        # The rows past the newest `keep`, a chunk at a time (the kept ones are read again).
        while ids := list(newest_first.values_list("pk", flat=True)[keep : keep + chunk_size]):
            chunk = model.objects.filter(pk__in=ids).delete()[0]
            trimmed += chunk
            if not chunk:  # another run deleted them meanwhile
                break
        deleted.append(trimmed)
    return deleted[0], deleted[1]


def cluster_heartbeats_purge(*, now=None) -> int:
    """Processes that have not beaten for a day (stopped, or killed with their machine)."""
    now = now or database_now()
    dead = ClusterHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_KEEP)
    return dead.delete()[0]


def api_allowances_purge_full(*, now=None, chunk_size: int = CHUNK_SIZE) -> int:
    """API callers' allowances whole again by `now` (their `full_at`, epoch seconds, passed): the
    throttle counts a missing row as a whole allowance."""
    now = now or database_now()
    full = ApiAllowance.objects.filter(full_at__lte=now.timestamp()).order_by()
    return _delete_in_chunks(full, chunk_size=chunk_size)


def housekeeping_run(*, now=None) -> HousekeepingResult:
    """Every purge, then the table sizes measured after them; logged with its counts."""
    now = now or database_now()
    result = HousekeepingResult(source_records=source_records_purge_expired(now=now))
    result.task_successes, result.task_failures = task_results_trim()
    result.cluster_heartbeats = cluster_heartbeats_purge(now=now)
    result.api_allowances = api_allowances_purge_full(now=now)
    result.partial_files = sum(
        partial_files_delete(storage, older_than=PARTIAL_FILE_KEEP)
        for storage in (storages["default"], import_storage())
    )
    sizes = table_sizes_refresh().figures
    result.biggest_table = sizes["tables"][0][0] if sizes["tables"] else ""
    result.database_bytes = sizes["database_bytes"]
    logger.info("housekeeping done: %s", result.as_json(), extra={"housekeeping": result.as_json()})
    return result

"""Everything the broker carries, and how it comes back: the periodic sweep.

A task can be lost in the broker: held by a Redis that restarts without its data, taken by a
cluster that is killed or by a worker that dies (bookstore.receipt_broker keeps those, and the
sweep first puts a stopped cluster's tasks, and those never done within Q_RETRY, back on their
queue), deleted by hand. So no work lives only in the broker: each piece is recorded in the
database before its task is queued, and this sweep (every minute:
`enrichment.tasks.dispatch_due_requests`, enrichment migration 0003) finds what no live task
holds and hands it over again. Each step selects by a status few rows have (indexed, but for
the small BulkOperation table), so a sweep with nothing stale is about a dozen cheap queries
(14: tests/enrichment/test_sweep.py); a task handed over twice (two sweeps at once, or a lost
task that turns up late) is harmless, since every worker first claims its work atomically.
Unclaimed requests, covers and import jobs are not copied while they may only be waiting
behind a backlog that a live cluster is working (enrichment/broker_backlog.py; the broker is
asked once a queue per sweep): then they are sent again once their queue has drained, or after
BACKLOG_PATIENCE stale intervals.

What is recorded, and what brings it back when its task is lost in the broker (a) or its worker
dies mid-task (b):

- **Enrichment batch** (`process_enrichment_batch`): each request, pending with `queued_at`.
  (a) pending and queued more than ENRICHMENT_STALE_SECONDS ago: queued again. (b) in progress
  and claimed more than ENRICHMENT_STALE_SECONDS ago: back to pending (the attempt counts: one
  that kills its worker every time ends failed), then queued.
- **Title-search group** (`process_title_search_group`): its books, pending and
  `awaiting_title_search`. (a) and (b) as a batch's requests: a group task is queued for them.
- **Cover download** (`fetch_covers_for_requests`): `cover_status` pending with
  `cover_queued_at` / `cover_claimed_at`. (a) a mark older than `cover_stale_seconds()` is
  queued again (on the main cluster when the covers cluster never started it). (b) a claim
  older than that is taken over; after MAX_COVER_ATTEMPTS claims the cover is given up.
- **Bulk operation** (`run_bulk_operation`): BulkOperation pending / running with its progress
  (`done`, `updated_at`). (a) and (b) no progress for Q_RETRY seconds: dispatched again from
  its progress (a chunk's work and its progress commit together, so none runs twice).
- **Import job** (`run_import_job`): ImportJob pending with `queued_at`, running with
  `heartbeat_at` (each batch commits its rows, counts and heartbeat together). (a) pending and
  queued more than ENRICHMENT_STALE_SECONDS ago (later behind a backlog, as a batch's
  requests): queued again. (b) running without a heartbeat
  for ENRICHMENT_STALE_SECONDS: resumed from the lines not yet recorded; after three resumes
  in a row without a batch committed it fails with the reason; a cancelled one ends cancelled.
- **Backfill month** (`process_backfill_month`): BackfillMonth processing with `heartbeat_at`
  (set at its claim). (a) and (b) no heartbeat for BACKFILL_STALE_MINUTES: back to retry (its
  retry counted; failed past BACKFILL_MAX_RETRIES), and the backfill's own schedule (every 5
  minutes) claims it again.

Each of those stamps dated further ahead of the database's clock than its stale interval (the
clock set back after stamping it, rows restored from a backup) counts as stale too
(bookstore.db_clock.stamp_expired_q): it would otherwise hold its work for as long as the jump.
"""

from dataclasses import dataclass

from django.conf import settings

from bookstore.db_clock import database_now
from catalog.services import RecoveredImports, import_jobs_recover
from enrichment import broker_backlog, bulk_operations, queue
from enrichment.backfill.claims import RecoveredMonths, backfill_months_recover_stale


@dataclass(frozen=True)
class SweepRun:
    """What one sweep handed over again: tasks of stopped clusters or dead workers put back on
    their queues, enrichment tasks queued (batches and title-search groups, covers not
    counted), bulk operations resumed, import jobs and backfill months."""

    broker_tasks_reclaimed: int
    request_tasks: int
    bulk_operations: int
    imports: RecoveredImports
    backfill_months: RecoveredMonths

    def as_json(self) -> dict:
        return {
            "broker_tasks_reclaimed": self.broker_tasks_reclaimed,
            "request_tasks": self.request_tasks,
            "bulk_operations": self.bulk_operations,
            "imports": self.imports.as_json(),
            "backfill_months": {
                "retried": self.backfill_months.retried,
                "failed": self.backfill_months.failed,
                "requeued": self.backfill_months.requeued,
            },
        }


def sweep(*, now=None) -> SweepRun:
    """Every recovery, in one place (the module's docstring says what each brings back). Judged
    on the database's clock, which the heartbeats and claims are stamped on: a worker whose
    clock runs behind must not look dead, nor one ahead keep a dead claim alive."""
    now = now or database_now()
    with broker_backlog.one_look_per_queue():
        return _sweep(now)


def _sweep(now) -> SweepRun:
    return SweepRun(
        # First, so that a stopped cluster's tasks count as held, not as lost.
        broker_tasks_reclaimed=broker_backlog.reclaim_lost_tasks(),
        # Stale requests back to pending, then due requests, title-search groups and covers.
        request_tasks=queue.requests_dispatch_due(now=now),
        bulk_operations=bulk_operations.bulk_operations_recover(now=now),
        imports=import_jobs_recover(
            stale_seconds=settings.ENRICHMENT_STALE_SECONDS,
            unclaimed_before=broker_backlog.unclaimed_resend_cutoff(
                broker_backlog.main_queue_name(),
                now=now,
                stale_seconds=settings.ENRICHMENT_STALE_SECONDS,
            ),
            now=now,
        ),
        backfill_months=backfill_months_recover_stale(now=now),
    )

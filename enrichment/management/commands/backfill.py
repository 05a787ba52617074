"""manage.py backfill --from YYYY-MM [--to YYYY-MM] [--now] [--retry] [--rerun] [--json]"""

import time
from collections import Counter

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext, ngettext

from bookstore.json_command import JsonCommand
from bookstore.progress import TerminalProgress
from enrichment.backfill import claims as backfill_claims
from enrichment.backfill import months as backfill_months
from enrichment.backfill.run import backfill_month_process
from enrichment.models import BackfillMonth

Status = BackfillMonth.Status
#: The table's figures, after the month and its status.
FIGURES = ("discovered", "duplicates", "resolved", "synthetic", "queued")
#: Who started a month again, in its earlier runs, when the command did.
RERUN_BY = "manage.py backfill --rerun"
RETRY_BY = "manage.py backfill --retry"


class Command(JsonCommand):
    help = (
        "Create the backfill months of a range (pending: the scheduler processes them, newest "
        "first). With --now, process them in this process; with --retry, put the range's "
        "failed (wholly or partly) and cancelled months back to retry; with --rerun, run the "
        "range's completed months again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="start", required=True, metavar="YYYY-MM", help="First month."
        )
        parser.add_argument(
            "--to", dest="end", metavar="YYYY-MM", help="Last month (default: --from)."
        )
        parser.add_argument(
            "--retry",
            action="store_true",
            help="Failed (wholly or partly) and cancelled months back to retry.",
        )
        parser.add_argument(
            "--rerun",
            action="store_true",
            help=(
                "Completed months run again from the start (their earlier run is kept in each "
                "month's history; the works it wrote are found again, not copied)."
            ),
        )
        parser.add_argument(
            "--now", action="store_true", help="Process the range's waiting months here."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, start, end, retry, rerun, now, json: bool, **options):
        as_json = json
        try:
            first = backfill_months.parse_month(start)
            last = backfill_months.parse_month(end) if end else first
            created = backfill_months.backfill_months_create(start=first, end=last)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        in_range = BackfillMonth.objects.filter(backfill_months.months_in_range_q(first, last))
        not_rerun: dict[str, int] = {}
        summary: dict = {
            "months": created.months,
            "created": created.created,
            "existing": created.existing,
        }
        if retry:
            # The service keeps to the months it may retry (the admin's Retry's rule).
            summary["retried"] = backfill_months.backfill_months_retry(months=in_range, by=RETRY_BY)
        if rerun:
            before = Counter(in_range.values_list("status", flat=True))
            summary["rerun"] = backfill_months.backfill_months_rerun(months=in_range, by=RERUN_BY)
            # Said, not put in --json: the table below gives every month's status.
            # (Waiting months are not named: they run anyway.)
            not_rerun = {
                status: n
                for status, n in before.items()
                if status not in (*backfill_months.RERUNNABLE, *backfill_months.CLAIMABLE)
            }
        failed: list[dict] = []
        if now:
            # What the scheduler does first: a month a stopped process (a closed terminal, a
            # killed worker) left processing is given back, else with no cluster running
            # nothing ever would.
            recovered = backfill_claims.backfill_months_recover_stale(months=in_range)
            summary["recovered"] = recovered.retried + recovered.failed
            started = time.monotonic()
            summary["processed"] = self.process_here(in_range, as_json=as_json)
            summary["seconds"] = round(time.monotonic() - started, 2)
            failed = [
                row for row in summary["processed"] if row["status"] in backfill_months.RUN_FAILED
            ]
            summary["failed"] = len(failed)
        if as_json:
            self.write_json(summary)
        else:
            self.report(summary, in_range, not_rerun=not_rerun)
        if failed:
            # After the report: a script or a cron job learns from the exit status (1) that
            # the backfill did not do its work, and from stderr which months and why.
            raise CommandError(_failed_text(failed, processed=len(summary["processed"])))

    def process_here(self, in_range, *, as_json: bool) -> list[dict]:
        """Claim the range's waiting months one at a time, newest first, as the scheduler does
        (a running cluster never gets the same month), and process each here."""
        waiting = set(in_range.values_list("pk", flat=True))
        processed = []
        # Each month once: a month sent back to retry waits for the scheduler.
        while claimed := backfill_claims.backfill_months_claim(limit=1, month_ids=waiting):
            month = claimed[0]
            waiting.discard(month.pk)
            started = time.monotonic()
            # On a terminal (never with --json), the month's title searches as a bar on
            # stderr: a month may search for minutes at the providers' rate limits.
            bar = _SearchBar(month.label, enabled=False if as_json else None)
            try:
                month = backfill_month_process(
                    month_id=month.pk, token=month.claim_token, progress=bar.update
                )
            except KeyboardInterrupt:
                # Ctrl-C: what the month wrote stays (a later run finds it as duplicates); the
                # month waits again now instead of "processing" until it is found stale.
                backfill_claims.backfill_month_release(
                    month,
                    month.claim_token,
                    error=gettext("Stopped (Ctrl-C) while manage.py backfill --now processed it."),
                )
                raise
            finally:
                bar.close()
            summary = backfill_months.backfill_month_summary(month)
            summary["seconds"] = round(time.monotonic() - started, 2)
            processed.append(summary)
            if not as_json:
                self.stdout.write(_progress_line(summary))
        return processed

    def report(self, summary: dict, in_range, *, not_rerun: dict[str, int]) -> None:
        self.stdout.write(
            ngettext(
                "%(months)s month: %(created)s created, %(existing)s existed already.",
                "%(months)s months: %(created)s created, %(existing)s existed already.",
                summary["months"],
            )
            % {key: f"{summary[key]:,}" for key in ("months", "created", "existing")}
        )
        if "retried" in summary:
            self.stdout.write(
                gettext("%(n)s failed, partly failed or cancelled months put back to retry.")
                % {"n": f"{summary['retried']:,}"}
            )
        if "rerun" in summary:
            self.stdout.write(
                ngettext(
                    "%(n)s completed month put back to run again (it keeps its earlier run in "
                    "its history).",
                    "%(n)s completed months put back to run again (each keeps its earlier run "
                    "in its history).",
                    summary["rerun"],
                )
                % {"n": f"{summary['rerun']:,}"}
            )
            if not_rerun:
                self.stdout.write(
                    gettext("Left as they are: %(months)s (only completed months run again).")
                    % {"months": ", ".join(backfill_months.statuses_counted(not_rerun))}
                )
        if summary.get("recovered"):
            self.stdout.write(
                ngettext(
                    "%(n)s month left processing by a process that stopped answering (no sign "
                    "of life for %(minutes)s minutes) taken back.",
                    "%(n)s months left processing by a process that stopped answering (no sign "
                    "of life for %(minutes)s minutes) taken back.",
                    summary["recovered"],
                )
                % {"n": f"{summary['recovered']:,}", "minutes": settings.BACKFILL_STALE_MINUTES}
            )
        if "processed" in summary:
            self.stdout.write(
                ngettext(
                    "Processed %(n)s month here in %(seconds)s s.",
                    "Processed %(n)s months here in %(seconds)s s.",
                    len(summary["processed"]),
                )
                % {"n": len(summary["processed"]), "seconds": summary["seconds"]}
            )
        rows = [
            backfill_months.backfill_month_summary(m) for m in in_range.order_by("year", "month")
        ]
        self.stdout.write(_table(rows))
        if "processed" not in summary and any(
            row["status"] in (Status.PENDING, Status.RETRY) for row in rows
        ):
            self.stdout.write(
                gettext(
                    "Waiting months are processed by the scheduler (a running qcluster), newest "
                    "first; --now processes them here."
                )
            )
        processed = {row["month"] for row in summary.get("processed", [])}
        left = Counter(
            row["status"]
            for row in rows
            if row["month"] not in processed
            and row["status"] in (Status.COMPLETED, Status.PROCESSING, *backfill_months.RETRYABLE)
        )
        if "processed" in summary and left:
            # --now takes waiting months only: say why the others were not processed, and how.
            self.stdout.write(
                gettext(
                    "Not processed here: %(months)s (completed months run again with --rerun; "
                    "failed, partly failed and cancelled ones with --retry; a processing month "
                    "is a worker's)."
                )
                % {"months": ", ".join(backfill_months.statuses_counted(left))}
            )


class _SearchBar:
    """A TerminalProgress for one month's title searches, drawn from the first search on (their
    number is known only once the month's books are checked against the catalog)."""

    def __init__(self, label: str, *, enabled: bool | None):
        self.label = label
        self.enabled = enabled
        self.bar: TerminalProgress | None = None

    def update(self, searched: int, total: int) -> None:
        if self.bar is None:
            self.bar = TerminalProgress(
                total,
                label=gettext("%(month)s title searches ") % {"month": self.label},
                unit=gettext("books"),
                enabled=self.enabled,
            )
        self.bar.update(searched)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress_line(row: dict) -> str:
    text = gettext(
        "%(month)s %(status)s: %(discovered)s discovered, %(duplicates)s duplicates dropped, "
        "%(resolved)s resolved, %(synthetic)s synthetic, %(queued)s queued; provider calls: "
        "%(calls)s (%(seconds)s s)"
    ) % {
        **row,
        "status": Status(row["status"]).label,
        "calls": backfill_months.calls_text(row["provider_calls"], status=row["status"]),
    }
    if row["error"]:
        text += f"\n    {row['error']}"
    return text


def _failed_text(failed: list[dict], *, processed: int) -> str:
    """ "1 of the 2 months processed here did not complete:", then each such month, its status
    and its error."""
    head = ngettext(
        "The month processed here did not complete:",
        "%(failed)s of the %(processed)s months processed here did not complete:",
        processed,
    ) % {"failed": len(failed), "processed": processed}
    lines = [
        f"  {row['month']} ({Status(row['status']).label}): "
        + (row["error"] or gettext("no reason recorded"))
        for row in failed
    ]
    return "\n".join([head, *lines])


def _table(rows: list[dict]) -> str:
    headers = [
        gettext("month"),
        gettext("status"),
        gettext("discovered"),
        gettext("duplicates dropped"),
        gettext("resolved"),
        gettext("synthetic"),
        gettext("queued"),
        gettext("provider calls"),
    ]
    cells = [
        [
            row["month"],
            str(Status(row["status"]).label),
            *(f"{row[key]:,}" for key in FIGURES),
            backfill_months.calls_text(row["provider_calls"], status=row["status"]),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [headers, *cells]) for i in range(len(headers))]
    numeric = range(2, 2 + len(FIGURES))

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(widths[i]) if i in numeric else value.ljust(widths[i])
            for i, value in enumerate(values)
        ).rstrip()

    return "\n".join([line(headers), *(line(values) for values in cells)])

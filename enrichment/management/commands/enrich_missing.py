"""manage.py enrich_missing [--covers|--metadata] [--limit N] [--dry-run] [--now] [--json]"""

import json
import time

from django.core.management.base import BaseCommand
from django.db.models import Count

from bookstore.progress import TerminalProgress
from enrichment import engine, queue
from enrichment.models import EnrichmentRequest


class Command(BaseCommand):
    help = (
        "Queue enrichment for every work that lacks a cover or key metadata. With --now, "
        "process the queue in this process (no worker needed)."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--covers", action="store_true", help="Only works without a cover.")
        what.add_argument("--metadata", action="store_true", help="Only works lacking metadata.")
        parser.add_argument("--limit", type=int, default=None, help="At most N works.")
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument("--now", action="store_true", help="Process here, with progress.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, covers, metadata, limit, dry_run, now, json: bool, **options):
        as_json = json
        want_covers, want_metadata = (covers or not metadata), (metadata or not covers)
        started = time.monotonic()
        candidates = queue.works_needing_enrichment(covers=want_covers, metadata=want_metadata)
        summary = {
            "missing": candidates.count(),
            "covers": want_covers,
            "metadata": want_metadata,
            "dry_run": dry_run,
        }
        if dry_run:
            summary["would_enqueue"] = min(summary["missing"], limit or summary["missing"])
            return self.report(summary, as_json)

        ids = queue.works_enqueue_enrichment(
            trigger=EnrichmentRequest.Trigger.COMMAND,
            covers=want_covers,
            metadata=want_metadata,
            limit=limit,
            dispatch=not now,
        )
        summary["enqueued"] = len(ids)
        if now and ids:
            bar = TerminalProgress(
                len(ids), label="Enriching ", unit="works", enabled=False if as_json else None
            )
            stats = engine.run_now(request_ids=ids, progress=bar.update)
            bar.close()
            final = dict(
                EnrichmentRequest.objects.filter(pk__in=ids)
                .values_list("status")
                .annotate(n=Count("pk"))
            )
            summary.update(
                completed=final.get("completed", 0),
                needs_review=final.get("needs_review", 0),
                skipped=final.get("skipped", 0),
                failed=final.get("failed", 0),
                retry_later=final.get("pending", 0),
                provider_requests=dict(stats.provider_requests),
                cache_hits=stats.cache_hits,
            )
        summary["seconds"] = round(time.monotonic() - started, 2)
        return self.report(summary, as_json)

    def report(self, summary: dict, as_json: bool):
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        # The works counted lack either (queue.works_needing_enrichment): "or", never "and".
        what = " or ".join(
            w for w, on in (("a cover", summary["covers"]), ("metadata", summary["metadata"])) if on
        )
        self.stdout.write(f"{summary['missing']:,} works lack {what}.")
        if summary["dry_run"]:
            self.stdout.write(f"Dry run: {summary['would_enqueue']:,} would be queued.")
            return
        self.stdout.write(f"Queued {summary['enqueued']:,} (works already queued are skipped).")
        if "completed" in summary:
            requests = ", ".join(f"{p} {n}" for p, n in summary["provider_requests"].items())
            self.stdout.write(
                f"Completed {summary['completed']:,}, needs review {summary['needs_review']:,}, "
                f"skipped {summary['skipped']:,}, failed {summary['failed']:,}, "
                f"retrying later {summary['retry_later']:,} in {summary['seconds']:.1f} s.\n"
                f"Provider requests: {requests or 'none'}; cache hits: {summary['cache_hits']:,}."
            )

"""manage.py enrich_missing [--covers|--metadata|--authors] [--limit N] [--dry-run] [--now]
[--json]"""

import json
import time
from collections import Counter

from django.contrib.admin.utils import display_for_value
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext

from bookstore.command_args import positive_int
from bookstore.progress import TerminalProgress
from catalog.models import Author
from enrichment import engine, queue, selectors
from enrichment.author_state import authors_missing_q
from enrichment.models import EnrichmentRequest
from enrichment.templatetags.admin_time import sentence_end


class Command(BaseCommand):
    help = (
        "Queue enrichment for every work that lacks a cover or key metadata (with --authors: "
        "every author that lacks a bio, dates or ids, and nothing else). With --now, process "
        "the queue in this process (no worker needed)."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--covers", action="store_true", help="Only works without a cover.")
        what.add_argument("--metadata", action="store_true", help="Only works lacking metadata.")
        what.add_argument(
            "--authors",
            action="store_true",
            help="Only authors lacking a bio, dates or ids (no works are queued).",
        )
        parser.add_argument(
            "--limit",
            type=positive_int,
            default=None,
            metavar="N",
            help="At most N works (authors); N is 1 or more (leave it out for no limit).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument("--now", action="store_true", help="Process here, with progress.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, covers, metadata, authors, limit, dry_run, now, json: bool, **options):
        as_json = json
        started = time.monotonic()
        #: The last errors of the requests processed here that failed, with how many each.
        self.failed_reasons: Counter[str] = Counter()
        if authors:
            summary = self.enqueue_authors(limit=limit, dry_run=dry_run, now=now, as_json=as_json)
        else:
            summary = self.enqueue_works(
                covers=covers,
                metadata=metadata,
                limit=limit,
                dry_run=dry_run,
                now=now,
                as_json=as_json,
            )
        if not dry_run:
            summary["seconds"] = round(time.monotonic() - started, 2)
        self.report(summary, as_json)
        if not_done := self.not_done_text(summary):
            # After the report: a script or a cron job learns from the exit status (1) that
            # the books were not enriched, and from stderr why.
            raise CommandError(not_done)

    def enqueue_works(self, *, covers, metadata, limit, dry_run, now, as_json) -> dict:
        want_covers, want_metadata = (covers or not metadata), (metadata or not covers)
        candidates = queue.works_needing_enrichment(covers=want_covers, metadata=want_metadata)
        summary = {
            "missing": candidates.count(),
            "covers": want_covers,
            "metadata": want_metadata,
            "authors": False,
            "dry_run": dry_run,
            # Not queued again: waiting for review, or queued already (queue.holding_requests).
            **queue.held_back_counts(candidates, "work"),
        }
        if dry_run:
            to_enqueue = queue.works_to_enqueue(covers=want_covers, metadata=want_metadata).count()
            summary["would_enqueue"] = min(to_enqueue, limit or to_enqueue)
            return summary
        ids = queue.works_enqueue_enrichment(
            trigger=EnrichmentRequest.Trigger.COMMAND,
            covers=want_covers,
            metadata=want_metadata,
            limit=limit,
            dispatch=not now,
        )
        summary["enqueued"] = len(ids)
        if now and ids:
            summary.update(self.work_here(ids, unit="works", as_json=as_json))
        return summary

    def enqueue_authors(self, *, limit, dry_run, now, as_json) -> dict:
        """--authors means authors only: queueing works too would surprise whoever asked for
        authors (run the command again without it for the works)."""
        candidates = Author.objects.filter(authors_missing_q())
        missing = candidates.count()
        summary = {
            "authors": True,
            "covers": False,
            "metadata": False,
            "dry_run": dry_run,
            "authors_missing": missing,
            # Not queued again: waiting for review, or queued already (queue.holding_requests).
            **queue.held_back_counts(candidates, "author"),
        }
        if dry_run:
            to_queue = queue.authors_to_enqueue().count()
            summary["authors_would_queue"] = min(to_queue, limit or to_queue)
            summary["would_enqueue"] = summary["authors_would_queue"]
            return summary
        ids = queue.authors_enqueue_enrichment(
            trigger=EnrichmentRequest.Trigger.COMMAND, limit=limit, dispatch=not now
        )
        summary["authors_queued"] = summary["enqueued"] = len(ids)
        if now and ids:
            summary.update(self.work_here(ids, unit="authors", as_json=as_json))
        return summary

    def work_here(self, ids: list[int], *, unit: str, as_json: bool) -> dict:
        """Work the new requests in this process (the one engine, for works and authors alike),
        with a progress bar on a terminal; what became of them."""
        bar = TerminalProgress(
            len(ids), label="Enriching ", unit=unit, enabled=False if as_json else None
        )
        stats = engine.run_now(request_ids=ids, progress=bar.update)
        bar.close()
        final = dict(
            EnrichmentRequest.objects.filter(pk__in=ids)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        waiting = selectors.requests_waiting(ids)
        self.failed_reasons = Counter(
            EnrichmentRequest.objects.filter(
                pk__in=ids, status=EnrichmentRequest.Status.FAILED
            ).values_list("last_error", flat=True)
        )
        return {
            "waiting": {
                "next_try_at": waiting.next_try_at.isoformat() if waiting.next_try_at else None,
                "providers_unreachable": waiting.unreachable,
                "providers_unavailable": waiting.unavailable,
            },
            "completed": final.get("completed", 0),
            "needs_review": final.get("needs_review", 0),
            "skipped": final.get("skipped", 0),
            "failed": final.get("failed", 0),
            "retry_later": final.get("pending", 0),
            "provider_requests": dict(stats.provider_requests),
            "cache_hits": stats.cache_hits,
        }

    def report(self, summary: dict, as_json: bool):
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        if summary["authors"]:
            missing = summary["authors_missing"]
            self.stdout.write(
                ngettext(
                    "%(n)s author lacks a bio, dates or ids.",
                    "%(n)s authors lack a bio, dates or ids.",
                    missing,
                )
                % {"n": f"{missing:,}"}
            )
        else:
            # The works counted lack either (queue.works_needing_enrichment): "or", never "and".
            what = " or ".join(
                w
                for w, on in (("a cover", summary["covers"]), ("metadata", summary["metadata"]))
                if on
            )
            self.stdout.write(f"{summary['missing']:,} works lack {what}.")
        if waiting := summary.get("waiting_for_review"):
            self.stdout.write(
                ngettext(
                    "%(n)s of them waits for review and is not queued again: approve or dismiss "
                    "its proposal in the admin, or re-run it to replace the proposal.",
                    "%(n)s of them wait for review and are not queued again: approve or dismiss "
                    "their proposals in the admin, or re-run them to replace the proposals.",
                    waiting,
                )
                % {"n": f"{waiting:,}"}
            )
        if queued := summary.get("already_queued"):
            self.stdout.write(
                ngettext(
                    "%(n)s of them is queued already and is not queued again.",
                    "%(n)s of them are queued already and are not queued again.",
                    queued,
                )
                % {"n": f"{queued:,}"}
            )
        if summary["dry_run"]:
            self.stdout.write(f"Dry run: {summary['would_enqueue']:,} would be queued.")
            return
        if summary["authors"]:
            self.stdout.write(
                gettext("Queued %(n)s (authors already queued, and redirects, are skipped).")
                % {"n": f"{summary['enqueued']:,}"}
            )
        else:
            self.stdout.write(f"Queued {summary['enqueued']:,} (works already queued are skipped).")
        if "completed" in summary:
            requests = ", ".join(f"{p} {n}" for p, n in summary["provider_requests"].items())
            self.stdout.write(
                f"Completed {summary['completed']:,}, needs review {summary['needs_review']:,}, "
                f"skipped {summary['skipped']:,}, failed {summary['failed']:,}, "
                f"retrying later {summary['retry_later']:,} in {summary['seconds']:.1f} s.\n"
                f"Provider requests: {requests or 'none'}; cache hits: {summary['cache_hits']:,}."
            )
        if summary.get("retry_later"):
            self.stdout.write(self.waiting_line(summary))

    def not_done_text(self, summary: dict) -> str:
        """Why the requests processed here did not do their work: those that failed (with
        their reasons), and those waiting for providers that could not be reached (the machine
        offline, a provider down); "" when neither. Providers unavailable for now (a breaker,
        a quota, a rate limit) are a wait by design, not a failure."""
        parts = []
        if failed := summary.get("failed"):
            reasons = "; ".join(
                f"{reason or gettext('no reason recorded')} ({n:,})"
                for reason, n in self.failed_reasons.most_common()
            )
            parts.append(
                ngettext(
                    "%(n)s of %(of)s request processed here failed: %(reasons)s",
                    "%(n)s of %(of)s requests processed here failed: %(reasons)s",
                    summary["enqueued"],
                )
                % {"n": f"{failed:,}", "of": f"{summary['enqueued']:,}", "reasons": reasons}
            )
        if summary.get("retry_later") and summary["waiting"]["providers_unreachable"]:
            parts.append(self.waiting_line(summary))
        return "\n".join(parts)

    def waiting_line(self, summary: dict) -> str:
        """Why the pending requests wait and who tries them again: --now does not come back
        for them, a worker does (the sweep sends them when due)."""
        waiting = summary["waiting"]
        values = {
            "n": f"{summary['retry_later']:,}",
            "of": f"{summary['enqueued']:,}",
            "when": display_for_value(parse_datetime(waiting["next_try_at"] or ""), "–"),
        }
        by_reason: dict[str, list[str]] = {}
        for label, why in {
            **waiting["providers_unreachable"],
            **waiting["providers_unavailable"],
        }.items():
            by_reason.setdefault(why, []).append(label)
        if waiting["providers_unreachable"]:
            line = (
                gettext("%(n)s of %(of)s waiting for providers that could not be reached") % values
            )
        else:
            line = gettext("%(n)s of %(of)s waiting for providers unavailable for now") % values
        if by_reason:
            line += ": " + "; ".join(f"{', '.join(ls)} ({why})" for why, ls in by_reason.items())
        line += gettext("; a worker (manage.py qcluster) tries them again from %(when)s") % values
        return sentence_end(line)  # the time may end with a full stop ("3:25 a.m.")

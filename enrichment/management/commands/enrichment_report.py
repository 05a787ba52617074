"""manage.py enrichment_report [--json]"""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from bookstore.json_command import JsonCommand
from enrichment.faults import KIND_LABELS
from enrichment.models import BackfillMonth
from enrichment.presenters import cover_source_label
from enrichment.providers.registry import provider_label
from enrichment.reports import coverage_report
from enrichment.request_status import target_status_choices
from enrichment.selectors import NOT_ENRICHED_KEY
from enrichment.templatetags.admin_time import admin_time, sentence_end


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "–"


def _table_head(first: str) -> str:
    """A Markdown table's header: `first`, then the count and percentage columns."""
    return f"| {first} | {gettext('Count')} | {gettext('Percentage')} |\n| :--- | ---: | ---: |"


class Command(JsonCommand):
    help = (
        "Coverage of the catalog: verified covers by source, metadata, author completeness, "
        "queue, providers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, json: bool, **options):
        report = coverage_report()
        if json:
            self.write_json(report)
            return
        works, covers = report["works"], report["covers"]
        open_library = covers["verified_open_library_and_archive_org"]
        rows = [
            (gettext("Total works"), works),
            (gettext("Verified covers: Open Library and Archive.org"), open_library),
            (gettext("Verified covers: other providers"), covers["verified_other_providers"]),
            (gettext("Missing (no verified cover)"), covers["missing"]),
        ]
        self.stdout.write(_table_head(gettext("Metric")))
        for label, count in rows:
            self.stdout.write(f"| {label} | {count:,} | {_percent(count, works)} |")
        self.stdout.write(
            "\n" + gettext("Only covers whose bytes were downloaded and verified are counted.")
        )
        if covers["by_source"]:
            by_source = ", ".join(
                f"{cover_source_label(s)} {n:,}" for s, n in covers["by_source"].items()
            )
            self.stdout.write(
                gettext("Verified covers by source: %(sources)s.") % {"sources": by_source}
            )
        meta = report["metadata"]
        self.stdout.write(
            "\n"
            + gettext(
                "Metadata: average completeness %(average)s%%; %(lacking)s works lack key "
                "metadata (%(description)s no description, %(year)s no first publication year, "
                "%(subjects)s no subjects); %(unresolved)s unknown to every provider (they "
                "answered and none knew it); %(waiting)s waiting (providers unavailable: "
                "retried on their own)."
            )
            % {
                "average": meta["average_completeness"],
                "lacking": f"{meta['missing_any_key_metadata']:,}",
                "description": f"{meta['missing_description']:,}",
                "year": f"{meta['missing_first_published_year']:,}",
                "subjects": f"{meta['missing_subjects']:,}",
                "unresolved": f"{meta['unresolved']:,}",
                "waiting": f"{meta['waiting']:,}",
            }
        )
        self._write_authors(report["authors"])
        self._write_backfill(report["backfill"])
        queue = ", ".join(f"{status} {n:,}" for status, n in report["queue"].items())
        self.stdout.write(gettext("Queue: %(statuses)s.") % {"statuses": queue})
        for name, state in report["providers"].items():
            if not state["configured"]:
                # Its budget would read as requests it could make: it makes none.
                self.stdout.write(
                    gettext("%(provider)s: not configured: skipped (never asked).")
                    % {"provider": provider_label(name)}
                )
                continue
            if state["quota_exhausted"]:
                budget = gettext("none left today: the provider says its quota is spent")
            elif state["daily_budget"]:
                budget = gettext("%(left)s of %(budget)s left today") % {
                    "left": f"{state['budget_left']:,}",
                    "budget": f"{state['daily_budget']:,}",
                }
            else:
                budget = gettext("no daily budget")
            # The last error's one line: kind and host, never a URL's query.
            error = (
                gettext("; last error: %(error)s") % {"error": state["last_error"]}
                if state["last_error"]
                else ""
            )
            self.stdout.write(
                gettext(
                    "%(provider)s: %(requests)s requests today, %(budget)s, breaker "
                    "%(breaker)s%(error)s."
                )
                % {
                    "provider": provider_label(name),
                    "requests": f"{state['requests_today']:,}",
                    "budget": budget,
                    "breaker": state["breaker"],
                    "error": error,
                }
            )
        for item in report["providers_unreachable"]:
            line = gettext("Unreachable: %(provider)s (%(host)s): %(kind)s") % {
                "provider": provider_label(item["provider"]),
                "host": item["host"],
                "kind": KIND_LABELS.get(item["kind"], item["kind"]),
            }
            if item["since"]:  # in the admin's words, as the dashboard's notice says it
                line += gettext(" since %(time)s") % {
                    "time": admin_time(parse_datetime(item["since"]))
                }
            if item["breaker_open"]:
                line += gettext("; paused after repeated failures")
            if item["next_try_at"]:
                line += gettext("; next try at %(time)s") % {
                    "time": admin_time(parse_datetime(item["next_try_at"]))
                }
            self.stdout.write(sentence_end(line))

    def _write_authors(self, authors: dict) -> None:
        """Author completeness beside the works': a table of the same shape, then the average
        and the enrichment statuses. Redirects are counted apart, in no other figure."""
        total = authors["total"]
        rows = [
            (gettext("With a bio"), authors["with_bio"]),
            (gettext("With a birth year"), authors["with_birth_year"]),
            (gettext("With an id (Open Library or Wikidata)"), authors["with_id"]),
            (gettext("With a photo"), authors["with_photo"]),
            (
                gettext("Lacking a bio, dates or ids (enrich_missing --authors queues them)"),
                authors["missing_bio_dates_or_ids"],
            ),
        ]
        self.stdout.write("\n" + _table_head(gettext("Authors")))
        self.stdout.write(f"| {gettext('Total authors (redirects apart)')} | {total:,} | |")
        for label, count in rows:
            self.stdout.write(f"| {label} | {count:,} | {_percent(count, total)} |")
        self.stdout.write(
            f"| {gettext('Redirects (merged into another author)')} | {authors['redirects']:,} | |"
        )
        # As the author list and the dashboard count them: the JSON's figures, said in words.
        labels = {value or NOT_ENRICHED_KEY: label for value, label in target_status_choices()}
        statuses = ", ".join(
            f"{str(labels.get(key, key)).lower()} {n:,}"
            for key, n in authors["by_enrichment_status_as_listed"].items()
            if n
        )
        self.stdout.write(
            "\n"
            + gettext("Authors: average completeness %(average)s%%; by enrichment status: %(s)s.")
            % {"average": authors["average_completeness"], "s": statuses or gettext("none")}
        )

    def _write_backfill(self, backfill: dict) -> None:
        months = {key: n for key, n in backfill["months"].items() if n}
        if not months and not backfill["synthetic_works_now"]:
            return
        labels = dict(BackfillMonth.Status.choices)
        by_status = ", ".join(f"{str(labels.get(k, k)).lower()} {n:,}" for k, n in months.items())
        self.stdout.write(
            "\n"
            + gettext(
                "Catalog backfill: months %(months)s; %(discovered)s books discovered, "
                "%(duplicates)s already in the catalog, %(resolved)s resolved to an ISBN, "
                "%(synthetic)s kept as synthetic works (%(now)s still unresolved)."
            )
            % {
                "months": by_status or gettext("none"),
                "discovered": f"{backfill['books_discovered']:,}",
                "duplicates": f"{backfill['duplicates_dropped']:,}",
                "resolved": f"{backfill['isbns_resolved']:,}",
                "synthetic": f"{backfill['synthetic_created']:,}",
                "now": f"{backfill['synthetic_works_now']:,}",
            }
        )

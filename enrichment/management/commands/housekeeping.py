"""manage.py housekeeping [--json]: what the daily schedule does, now."""

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from bookstore.json_command import JsonCommand
from enrichment.housekeeping import housekeeping_run


class Command(JsonCommand):
    help = (
        "Delete expired provider answers, django-q2 task results beyond save_limit, dead "
        "clusters' heartbeats and API allowances whole again; measure the biggest tables for "
        "the dashboard."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, json: bool, **options):
        result = housekeeping_run()
        if json:
            self.write_json(dict(sorted(result.as_json().items())))  # keys in order, as always
            return
        self.stdout.write(
            gettext(
                "Deleted {records} expired provider answers, {successes} successful and "
                "{failures} failed task results beyond save_limit, {heartbeats} heartbeats of "
                "clusters silent for a day, {allowances} API allowances whole again, {partial} "
                "half-saved files a stopped process left. Database: {size}, the biggest table "
                "{table}."
            ).format(
                records=result.source_records,
                successes=result.task_successes,
                failures=result.task_failures,
                heartbeats=result.cluster_heartbeats,
                allowances=result.api_allowances,
                partial=result.partial_files,
                size=filesizeformat(result.database_bytes),
                table=result.biggest_table or "–",
            )
        )

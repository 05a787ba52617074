"""manage.py purge_imports [--days N] [--json]"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from bookstore.command_args import non_negative_int
from catalog import services


class Command(BaseCommand):
    help = (
        "Delete uploaded exports (and their rows' cells) older than IMPORT_RETENTION_DAYS. "
        "The schedule runs this daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=non_negative_int,
            default=None,
            metavar="N",
            help="Override IMPORT_RETENTION_DAYS for this run (0 deletes nothing).",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON object."
        )

    def handle(self, *args, days, as_json: bool, **options):
        days = settings.IMPORT_RETENTION_DAYS if days is None else days
        purged = services.import_files_purge(retention_days=days)
        if as_json:
            self.stdout.write(json.dumps({"retention_days": days, "purged": purged}))
        elif days == 0:
            self.stdout.write("IMPORT_RETENTION_DAYS is 0: uploaded files are kept forever.")
        else:
            self.stdout.write(
                f"Deleted the uploaded files of {purged:,} imports older than {days} days."
            )

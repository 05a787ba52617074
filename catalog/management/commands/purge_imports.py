"""manage.py purge_imports [--days N] [--json]"""

from django.conf import settings
from django.utils.translation import gettext, ngettext

from bookstore.command_args import non_negative_int
from bookstore.json_command import JsonCommand
from catalog import services


class Command(JsonCommand):
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
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, days, json: bool, **options):
        given = days is not None
        days = days if given else settings.IMPORT_RETENTION_DAYS
        purged = services.import_files_purge(retention_days=days)
        if json:
            self.write_json({"retention_days": days, "purged": purged})
        elif days == 0:
            # Say which 0: a person who typed --days 0 was told of a setting they never set.
            self.stdout.write(
                gettext("--days 0: uploaded files are kept forever.")
                if given
                else gettext("IMPORT_RETENTION_DAYS is 0: uploaded files are kept forever.")
            )
        else:
            self.stdout.write(
                ngettext(
                    "Deleted the uploaded file of %(count)s import older than %(days)s days.",
                    "Deleted the uploaded files of %(count)s imports older than %(days)s days.",
                    purged,
                )
                % {"count": f"{purged:,}", "days": days}
            )

"""manage.py dump_campaign [--batch-size N] [--json]"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from bookstore.command_args import positive_int
from bookstore.json_command import JsonCommand
from bookstore.progress import TerminalProgress
from catalog.models import Edition
from enrichment.dump import campaign


class Command(JsonCommand):
    help = (
        "Map every catalog edition without a cover to a cover through the loaded Open Library "
        "dump (ISBN -> edition -> work -> sibling edition) and record each cover found as a "
        "proposal waiting for review. Nothing is downloaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=campaign.DEFAULT_BATCH_SIZE,
            help=_("Editions looked up and written per transaction."),
        )
        parser.add_argument("--json", action="store_true", help=_("Print one JSON object."))

    def handle(self, *args, batch_size: int, json: bool, **options):
        as_json = json
        total = 0 if as_json else Edition.objects.filter(isbn13__isnull=False).count()
        bar = TerminalProgress(
            total, label=_("editions "), unit="editions", enabled=False if as_json else None
        )
        try:
            summary = campaign.dump_campaign(
                batch_size=batch_size, progress=lambda done, _covers: bar.update(done)
            )
        finally:
            bar.close()
        if not summary.dump_loaded:
            raise CommandError(
                _("No Open Library dump is loaded: run load_openlibrary_dump --editions first.")
            )
        if as_json:
            self.write_json(summary.to_json())
            return
        steps = summary.by_step
        self.stdout.write(
            _(
                "%(editions)s editions examined in %(seconds).1f s (%(rate)s a second): "
                "%(covers)s covers proposed (%(edition)s from the edition, %(work)s from the "
                "work, %(sibling)s from a sibling edition), %(no_cover)s in the dump without a "
                "cover, %(missing)s not in the dump."
            )
            % {
                "editions": f"{summary.editions:,}",
                "seconds": summary.seconds,
                "rate": f"{summary.rate:,.0f}",
                "covers": f"{summary.covers:,}",
                "edition": f"{steps['edition']:,}",
                "work": f"{steps['work']:,}",
                "sibling": f"{steps['sibling']:,}",
                "no_cover": f"{summary.no_cover:,}",
                "missing": f"{summary.not_in_dump:,}",
            }
        )

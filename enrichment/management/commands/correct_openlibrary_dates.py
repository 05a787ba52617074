"""manage.py correct_openlibrary_dates [--dry-run] [--json]: the 31 December dates enrichment
applied from Open Library before "December 31 is the year alone" put back to their year
(enrichment.openlibrary_dates)."""

from django.utils.translation import gettext, gettext_noop, ngettext

from bookstore.json_command import JsonCommand
from enrichment.openlibrary_dates import Left, openlibrary_dates_correct

#: Requests named in the human summary (--json lists them all).
SHOWN_IDS = 20
LEFT_LABELS = {
    Left.NOT_FROM_ENRICHMENT: gettext_noop("typed or imported, not applied by enrichment"),
    Left.ANOTHER_PROVIDER: gettext_noop("applied from another provider"),
    Left.SOURCE_UNKNOWN: gettext_noop("applied from several providers, its own not recorded"),
    Left.EDITED_SINCE: gettext_noop("changed since it was applied"),
}


class Command(JsonCommand):
    help = (
        "Put back to their year the 31 December publication dates that enrichment applied from "
        "Open Library (which writes a year it knows no more of as December 31), with an audit "
        "entry each; a date a librarian typed, an import wrote or another provider gave is left."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be corrected; change nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, dry_run: bool = False, json: bool = False, **options):
        result = openlibrary_dates_correct(dry_run=dry_run)
        if json:
            self.write_json(result.as_json())
            return
        count = len(result.corrections)
        message = (
            ngettext(
                "Would correct %(count)s publication date to its year.",
                "Would correct %(count)s publication dates to their year.",
                count,
            )
            if dry_run
            else ngettext(
                "Corrected %(count)s publication date to its year.",
                "Corrected %(count)s publication dates to their year.",
                count,
            )
        )
        self.stdout.write(message % {"count": f"{count:,}"})
        for reason, left in sorted(result.left.items()):
            self.stdout.write(
                ngettext(
                    "Left %(count)s dated 31 December: %(why)s.",
                    "Left %(count)s dated 31 December: %(why)s.",
                    left,
                )
                % {"count": f"{left:,}", "why": gettext(LEFT_LABELS[reason])}
            )
        if result.to_rerun:
            self.stdout.write(
                ngettext(
                    "%(count)s proposal waiting for review still gives an Open Library "
                    "31 December: re-run it (Re-run enrichment) to read its answers by today's "
                    "rule: request %(ids)s.",
                    "%(count)s proposals waiting for review still give an Open Library "
                    "31 December: re-run them (Re-run enrichment) to read their answers by "
                    "today's rule: requests %(ids)s.",
                    len(result.to_rerun),
                )
                % {
                    "count": f"{len(result.to_rerun):,}",
                    "ids": ", ".join(str(pk) for pk in result.to_rerun[:SHOWN_IDS])
                    + (", …" if len(result.to_rerun) > SHOWN_IDS else ""),
                }
            )

"""manage.py reconcile_authors [--json]: propose merging duplicate authors (merges nothing)."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from enrichment.models import AuthorMerge
from enrichment.reconcile import author_duplicates_propose


class Command(BaseCommand):
    help = (
        "Propose merging authors that share an external id, or whose names match "
        "(transliterated) and who share a work. Reviewers merge or dismiss in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, json: bool = False, **options):
        result = author_duplicates_propose()
        if json:
            self.stdout.write(_dumps(result.as_json()))
            return
        by_reason = ", ".join(
            f"{label}: {result.by_reason.get(value, 0):,}"
            for value, label in AuthorMerge.Reason.choices
        )
        self.stdout.write(
            gettext("Proposed %(count)s merges (%(by_reason)s).")
            % {"count": f"{result.proposed:,}", "by_reason": by_reason}
        )
        if result.already_proposed:
            self.stdout.write(
                gettext("%(count)s pairs were proposed before (open or decided): left as they are.")
                % {"count": f"{result.already_proposed:,}"}
            )
        if result.conflicting_ids:
            self.stdout.write(
                gettext(
                    "%(count)s pairs with matching names and a shared work hold different ids "
                    "of one kind: not proposed."
                )
                % {"count": f"{result.conflicting_ids:,}"}
            )
        if result.conflicting_years:
            self.stdout.write(
                gettext(
                    "%(count)s pairs with matching names and a shared work were born or died in "
                    "different years: not proposed."
                )
                % {"count": f"{result.conflicting_years:,}"}
            )
        if result.different_generations:
            self.stdout.write(
                gettext(
                    "%(count)s pairs with matching names are two generations of a family "
                    "(père and fils, Sr. and Jr., II and III): not proposed."
                )
                % {"count": f"{result.different_generations:,}"}
            )


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)

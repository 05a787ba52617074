"""manage.py reconcile_authors [--json]: propose merging duplicate authors (merges nothing)."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

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
            ngettext(
                "Proposed %(count)s merge (%(by_reason)s).",
                "Proposed %(count)s merges (%(by_reason)s).",
                result.proposed,
            )
            % {"count": f"{result.proposed:,}", "by_reason": by_reason}
        )
        for count, message in (
            (
                result.already_proposed,
                ngettext(
                    "%(count)s pair was proposed before (open or decided): left as it is.",
                    "%(count)s pairs were proposed before (open or decided): left as they are.",
                    result.already_proposed,
                ),
            ),
            (
                result.conflicting_ids,
                ngettext(
                    "%(count)s pair with matching names and a shared work holds different ids "
                    "of one kind: not proposed.",
                    "%(count)s pairs with matching names and a shared work hold different ids "
                    "of one kind: not proposed.",
                    result.conflicting_ids,
                ),
            ),
            (
                result.conflicting_years,
                ngettext(
                    "%(count)s pair with matching names and a shared work was born or died in "
                    "different years: not proposed.",
                    "%(count)s pairs with matching names and a shared work were born or died in "
                    "different years: not proposed.",
                    result.conflicting_years,
                ),
            ),
            (
                result.different_generations,
                ngettext(
                    "%(count)s pair with matching names is two generations of a family (père "
                    "and fils, Sr. and Jr., II and III): not proposed.",
                    "%(count)s pairs with matching names are two generations of a family (père "
                    "and fils, Sr. and Jr., II and III): not proposed.",
                    result.different_generations,
                ),
            ),
            (
                result.person_and_organisation,
                ngettext(
                    "%(count)s pair with matching names and a shared work is a person and an "
                    "organisation (“S. Norwell” and “S. Norwell (Firm)”): not proposed.",
                    "%(count)s pairs with matching names and a shared work are a person and an "
                    "organisation (“S. Norwell” and “S. Norwell (Firm)”): not proposed.",
                    result.person_and_organisation,
                ),
            ),
        ):
            if count:
                self.stdout.write(message % {"count": f"{count:,}"})


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)

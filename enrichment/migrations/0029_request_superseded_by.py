"""Which request a re-run queued in place of a proposal it superseded, as a field: the request's
page said a reviewer ("someone since removed") decided what a re-run replaced. The requests
superseded before (by a re-run, or by migration 0027) are found by the note both wrote,
"Superseded by request #N: enrichment was run again." (English: the project has no
translation), when request #N still exists."""

import re

import django.db.models.deletion
from django.db import migrations, models

CHUNK = 500
NOTE = re.compile(r"^Superseded by request #(\d+)\b")


def link_superseded_requests(apps, schema_editor):
    Request = apps.get_model("enrichment", "EnrichmentRequest")
    superseded = Request.objects.filter(
        status="skipped",
        reviewed_at__isnull=False,
        superseded_by__isnull=True,
        review_note__startswith="Superseded by request #",
    ).order_by("pk")
    last = 0
    while True:
        rows = list(superseded.filter(pk__gt=last).only("pk", "review_note")[:CHUNK])
        if not rows:
            return
        last = rows[-1].pk
        named = {
            row.pk: int(found.group(1)) for row in rows if (found := NOTE.match(row.review_note))
        }
        existing = set(
            Request.objects.filter(pk__in=set(named.values())).values_list("pk", flat=True)
        )
        linked = []
        for row in rows:
            if named.get(row.pk) in existing:
                row.superseded_by_id = named[row.pk]
                linked.append(row)
        Request.objects.bulk_update(linked, ["superseded_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0028_audit_provider_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrichmentrequest",
            name="superseded_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The request a re-run queued in its place.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="enrichment.enrichmentrequest",
            ),
        ),
        migrations.RunPython(link_superseded_requests, migrations.RunPython.noop),
    ]

"""Proposals left waiting for review under a newer request of the same work (or author): earlier
versions queued a work again beside its waiting proposal, which the review list (each work's
newest request) then hid. Each is dismissed as superseded by the newest request, with an audit
entry, as a reviewer's re-run now does (enrichment.queue._supersede_waiting): no proposal waits
where no list shows it, and no work has two to approve."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

CHUNK = 500
LABEL = "migration enrichment 0027"


def supersede_hidden_proposals(apps, schema_editor):
    Request = apps.get_model("enrichment", "EnrichmentRequest")
    Entry = apps.get_model("enrichment", "AuditLogEntry")
    newer = Request.objects.filter(target_key=OuterRef("target_key"), pk__gt=OuterRef("pk"))
    hidden = (
        Request.objects.filter(status="needs_review")
        .filter(Exists(newer))
        .annotate(newest=Subquery(newer.order_by("-pk").values("pk")[:1]))
        .order_by("pk")
    )
    now = timezone.now()
    while True:
        rows = list(hidden[:CHUNK])
        if not rows:
            return
        entries = []
        for row in rows:
            note = f"Superseded by request #{row.newest}: enrichment was run again."
            Request.objects.filter(pk=row.pk, status="needs_review").update(
                status="skipped",
                retry_when_available=False,
                reviewed_at=now,
                review_note=note,
                finished_at=row.finished_at or now,
                updated_at=now,
            )
            entries.append(
                Entry(
                    request_id=row.pk,
                    work_id=row.work_id,
                    edition_id=row.edition_id,
                    author_id=row.author_id,
                    action="dismiss",
                    tier=row.confidence,
                    changes={},
                    actor_label=LABEL,
                    note=note,
                )
            )
        Entry.objects.bulk_create(entries)


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0026_backfillmonth_earlier_runs"),
    ]

    operations = [
        migrations.RunPython(supersede_hidden_proposals, migrations.RunPython.noop),
    ]

"""A completed backfill month can be run again (permission rerun_backfill); the run it
replaces is kept in `earlier_runs`. Existing months start with no earlier run. The resolution
rate's help counts the synthetic works a month meets again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0025_backfillmonth_partly_failed"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="backfillmonth",
            options={
                "ordering": ["-year", "-month"],
                "permissions": [
                    ("run_backfill", "Can queue, retry and cancel backfill months"),
                    ("rerun_backfill", "Can run completed backfill months again"),
                ],
            },
        ),
        migrations.AddField(
            model_name="backfillmonth",
            name="earlier_runs",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The month's earlier runs, oldest first: each run's outcome and figures, kept when a person ran the completed month again.",
            ),
        ),
        migrations.AlterField(
            model_name="backfillmonth",
            name="resolution_rate",
            field=models.FloatField(
                blank=True,
                help_text="Resolved ÷ the books needing an ISBN (new books, and synthetic works met again), 0–1.",
                null=True,
            ),
        ),
    ]

"""Import jobs: a retry of many failed rows runs on a worker (ImportJob.retry_failed_rows)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0020_edition_librarything_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="retry_failed_rows",
            field=models.BooleanField(
                default=False, help_text="Waiting for a worker to retry its failed rows."
            ),
        ),
    ]

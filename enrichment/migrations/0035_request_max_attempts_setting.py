# A request's max_attempts defaults to ENRICHMENT_MAX_ATTEMPTS (enrichment.models), no longer 3.

from django.db import migrations, models

import enrichment.models


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0034_cover_write"),
    ]

    # A Python default only: the column is unchanged, so no database operation (SQLite would
    # otherwise copy the whole queue table to a new one, on a million rows, for nothing).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="enrichmentrequest",
                    name="max_attempts",
                    field=models.PositiveSmallIntegerField(
                        default=enrichment.models.default_max_attempts
                    ),
                ),
            ],
        ),
    ]

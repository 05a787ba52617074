"""An index of the failed rows that say they are not books, by job: the job page counts them
(services.import_job_not_books) from the index instead of reading every failed row's JSON."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0033_import_job_retry_progress"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="importrow",
            index=models.Index(
                condition=models.Q(("normalized__has_key", "not_a_book"), ("status", "failed")),
                fields=["job"],
                name="importrow_job_not_book_idx",
            ),
        ),
    ]

"""Import jobs: a retry records how far it got (ImportJob.retried_through_line), so a retry handed
over or resumed goes on from its failed rows' kept cells, never from the file."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0032_title_keys_number_after_colon_or_dash"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="retried_through_line",
            field=models.PositiveIntegerField(
                default=0, help_text="The last line the retry in progress has imported again."
            ),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="retry_failed_rows",
            field=models.BooleanField(
                default=False, help_text="Retrying its failed rows, or waiting for a worker to."
            ),
        ),
    ]

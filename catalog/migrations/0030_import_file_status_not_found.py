"""ImportJob.file_status "missing" is labelled "File not found", where it said "Not found when
uploads moved to private storage", which fits only the jobs 0006 marked. The stored values are
kept; only the choices change."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0029_title_keys_listing_tags_and_ranges'),
    ]

    operations = [
        migrations.AlterField(
            model_name='importjob',
            name='file_status',
            field=models.CharField(choices=[('stored', 'Stored'), ('deleted', 'Deleted after the retention period'), ('missing', 'File not found')], default='stored', max_length=16),
        ),
    ]

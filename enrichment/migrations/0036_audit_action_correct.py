# An audit entry may record a correction (manage.py correct_openlibrary_dates).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrichment', '0035_request_max_attempts_setting'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditlogentry',
            name='action',
            field=models.CharField(choices=[('auto_apply', 'Applied automatically'), ('cover', 'Cover applied'), ('review_apply', 'Applied by a reviewer'), ('dismiss', 'Dismissed'), ('revert', 'Reverted'), ('merge', 'Authors merged'), ('resolve', 'Synthetic work resolved'), ('correct', 'Corrected')], max_length=16),
        ),
    ]

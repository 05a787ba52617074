"""BackfillMonth.status gains "partial" (Partly failed): a month done while some of its
discovery sources failed. The existing values are kept; only the choices change."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrichment', '0024_housekeeping_schedule'),
    ]

    operations = [
        migrations.AlterField(
            model_name='backfillmonth',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending'), ('processing', 'Processing'), ('completed', 'Completed'), ('failed', 'Failed'), ('retry', 'Waiting to retry'), ('cancelled', 'Cancelled'), ('partial', 'Partly failed')], default='pending', max_length=16),
        ),
    ]

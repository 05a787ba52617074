"""The dashboard's figures are counted by a django-q2 schedule every minute, so that the page
reads them in one query at any catalog size (enrichment.dashboard.dashboard_snapshot_refresh)."""

from django.db import migrations

REFRESH = "enrichment.dashboard.dashboard_snapshot_refresh"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        func=REFRESH,
        defaults={
            "name": "Enrichment dashboard: count the figures",
            "schedule_type": "I",  # minutes
            "minutes": 1,
            "repeats": -1,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=REFRESH).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0017_dashboard_snapshot"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]

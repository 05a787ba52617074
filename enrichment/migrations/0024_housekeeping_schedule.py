"""The daily housekeeping (enrichment.tasks.run_housekeeping): expired provider answers, task
results beyond save_limit and dead clusters' heartbeats deleted, the biggest tables measured.
Its first run is at the cluster's first schedule pass, so the dashboard has sizes at once."""

from django.db import migrations

FUNC = "enrichment.tasks.run_housekeeping"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        func=FUNC,
        defaults={
            "name": "Daily housekeeping: purge what expired, measure the biggest tables",
            "schedule_type": "D",  # daily
            "repeats": -1,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0023_cluster_heartbeat"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]

"""The daily schedule that proposes merging duplicate authors (it never merges: a reviewer does)."""

from django.db import migrations

FUNC = "enrichment.tasks.propose_author_merges"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        func=FUNC,
        defaults={
            "name": "Propose merging duplicate authors",
            "schedule_type": "D",  # daily
            "repeats": -1,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0011_author_requests_and_merges"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]

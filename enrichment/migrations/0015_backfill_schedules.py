"""The catalog backfill's two schedules: the month scheduler every 5 minutes, and the daily retry
of synthetic works at 00:30 UTC, once the providers' daily budgets have reset (at midnight UTC)."""

from datetime import UTC, datetime, time, timedelta

from django.db import migrations

SCHEDULER = "enrichment.tasks.run_backfill_scheduler"
SYNTHETIC_RETRY = "enrichment.tasks.retry_synthetic_works"


def next_half_past_midnight_utc(now: datetime) -> datetime:
    tomorrow = (now.astimezone(UTC) + timedelta(days=1)).date()
    return datetime.combine(tomorrow, time(0, 30), tzinfo=UTC)


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        func=SCHEDULER,
        defaults={
            "name": "Catalog backfill: claim and process months",
            "schedule_type": "I",  # minutes
            "minutes": 5,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        func=SYNTHETIC_RETRY,
        defaults={
            "name": "Catalog backfill: retry synthetic works",
            "schedule_type": "D",  # daily, from next_run on
            "next_run": next_half_past_midnight_utc(datetime.now(UTC)),
            "repeats": -1,
        },
    )


def delete_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(
        func__in=[SCHEDULER, SYNTHETIC_RETRY]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0014_backfill_month"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]

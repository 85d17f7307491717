"""The metrics schedules, editable afterwards in the admin ("Periodic tasks"): daily KPI
snapshots, the monthly adoption report and the quarterly readiness report."""

import json

from django.db import migrations

SCHEDULES = [
    # name, task, kwargs, crontab (minute, hour, day_of_month, month_of_year)
    ("Daily KPI snapshots", "metrics.tasks.take_kpi_snapshots", {}, ("15", "1", "*", "*")),
    (
        "Monthly adoption report",
        "metrics.tasks.generate_scheduled_report",
        {"kind": "adoption"},
        ("0", "6", "1", "*"),
    ),
    (
        "Quarterly readiness report",
        "metrics.tasks.generate_scheduled_report",
        {"kind": "readiness"},
        ("30", "6", "1", "1,4,7,10"),
    ),
]


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, kwargs, (minute, hour, day_of_month, month_of_year) in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month=day_of_month,
            month_of_year=month_of_year,
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "crontab": crontab, "kwargs": json.dumps(kwargs)},
        )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, *_ in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""Create the role groups, the single settings row with a first 'How the CoE works' page,
and the worker heartbeat schedule."""

from pathlib import Path

from django.db import migrations

ROLE_GROUPS = ["CoE admin", "CoE reviewer", "Department champion", "Leadership"]
HOW_IT_WORKS = Path(__file__).resolve().parent.parent / "content" / "how_it_works.md"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)

    PortalSettings = apps.get_model("coe_portal", "PortalSettings")
    settings_row, _ = PortalSettings.objects.get_or_create(pk=1)
    if not settings_row.how_it_works:
        settings_row.how_it_works = HOW_IT_WORKS.read_text(encoding="utf-8")
        settings_row.save(update_fields=["how_it_works"])

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Worker heartbeat",
        defaults={"task": "coe_portal.tasks.record_worker_heartbeat", "interval": every_five_minutes},
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="Worker heartbeat"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coe_portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

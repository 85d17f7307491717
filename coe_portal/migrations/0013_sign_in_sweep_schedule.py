"""Schedule the hourly sweep of expired API tokens and sessions and of old login-throttle
logs (Celery beat; coe_portal.tasks.forget_expired_sign_ins)."""

from django.db import migrations

TASK_NAME = "Forget expired sign-ins"


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_hour, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "coe_portal.tasks.forget_expired_sign_ins", "interval": every_hour},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coe_portal", "0012_move_plain_api_tokens"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

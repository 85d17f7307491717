"""Issue 18: a review's SLA clock starts at its own opening (``opened_at``), and a condition
of approval may be waived by a CoE reviewer with a reason."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

import coe_portal.limits


def opened_when_created(apps, schema_editor):
    """Existing reviews opened when they were created (a reopening left no other trace)."""
    Review = apps.get_model("governance", "Review")
    Review.objects.update(opened_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0005_long_text_limits"),
        ("usecases", "0009_long_text_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="opened_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(opened_when_created, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="review", name="governance__status_b7e478_idx"),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["status", "opened_at"], name="review_status_opened"),
        ),
        migrations.AlterField(
            model_name="condition",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("met", "Met"), ("waived", "Waived")],
                default="open",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="condition",
            name="waived_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="condition",
            name="waived_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="condition",
            name="waiver_reason",
            field=coe_portal.limits.LongTextField(blank=True, max_length=2000),
        ),
    ]

"""Long texts people write get a length limit (coe_portal.limits): a state change only; the
database keeps its text columns, and forms, the API and the imports enforce the limit."""

from django.db import migrations

import coe_portal.limits


class Migration(migrations.Migration):
    dependencies = [
        ("usecases", "0008_event_note_audience"),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="body",
            field=coe_portal.limits.LongTextField(max_length=5000),
        ),
        migrations.AlterField(
            model_name="usecase",
            name="benefits",
            field=coe_portal.limits.LongTextField(
                blank=True, max_length=20000, verbose_name="Benefits in words"
            ),
        ),
        migrations.AlterField(
            model_name="usecase",
            name="data_used",
            field=coe_portal.limits.LongTextField(
                blank=True, max_length=20000, verbose_name="Data used"
            ),
        ),
        migrations.AlterField(
            model_name="usecase",
            name="problem",
            field=coe_portal.limits.LongTextField(
                blank=True, max_length=20000, verbose_name="The problem and who has it"
            ),
        ),
        migrations.AlterField(
            model_name="usecase",
            name="solution",
            field=coe_portal.limits.LongTextField(
                blank=True, max_length=20000, verbose_name="Proposed generative-AI solution"
            ),
        ),
        migrations.AlterField(
            model_name="usecase",
            name="success_measure",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
    ]

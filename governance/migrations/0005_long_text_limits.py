"""Long texts people write get a length limit (coe_portal.limits): a state change only; the
database keeps its text columns, and forms, the API and the imports enforce the limit."""

from django.db import migrations

import coe_portal.limits


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0004_indexes_for_queue_lookups"),
    ]

    operations = [
        migrations.AlterField(
            model_name="answer",
            name="evidence",
            field=coe_portal.limits.LongTextField(
                blank=True, help_text="Links to evidence, one per line.", max_length=20000
            ),
        ),
        migrations.AlterField(
            model_name="answer",
            name="note",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
        migrations.AlterField(
            model_name="condition",
            name="text",
            field=coe_portal.limits.LongTextField(max_length=20000),
        ),
        migrations.AlterField(
            model_name="criterion",
            name="guidance",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
        migrations.AlterField(
            model_name="criterion",
            name="text",
            field=coe_portal.limits.LongTextField(max_length=20000),
        ),
        migrations.AlterField(
            model_name="review",
            name="rationale",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
        migrations.AlterField(
            model_name="riskassessment",
            name="override_reason",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
    ]

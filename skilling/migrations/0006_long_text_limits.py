"""Long texts people write get a length limit (coe_portal.limits): a state change only; the
database keeps its text columns, and forms, the API and the imports enforce the limit."""

from django.db import migrations

import coe_portal.limits


class Migration(migrations.Migration):
    dependencies = [
        ("skilling", "0005_indexes_for_remaining_filters"),
    ]

    operations = [
        migrations.AlterField(
            model_name="adoptionrole",
            name="responsibilities",
            field=coe_portal.limits.LongTextField(
                help_text="One responsibility per line.", max_length=20000
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="description",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
        migrations.AlterField(
            model_name="learningpath",
            name="summary",
            field=coe_portal.limits.LongTextField(
                blank=True, help_text="Who the path is for and what it builds.", max_length=20000
            ),
        ),
        migrations.AlterField(
            model_name="learningresource",
            name="description",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
        migrations.AlterField(
            model_name="skill",
            name="description",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
    ]

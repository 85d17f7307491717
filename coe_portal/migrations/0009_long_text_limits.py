"""Long texts people write get a length limit (coe_portal.limits): a state change only; the
database keeps its text columns, and forms, the API and the imports enforce the limit."""

from django.db import migrations

import coe_portal.limits


class Migration(migrations.Migration):
    dependencies = [
        ("coe_portal", "0008_user_manager"),
    ]

    operations = [
        migrations.AlterField(
            model_name="aiplatform",
            name="description",
            field=coe_portal.limits.LongTextField(blank=True, max_length=20000),
        ),
        migrations.AlterField(
            model_name="portalsettings",
            name="how_it_works",
            field=coe_portal.limits.LongTextField(
                blank=True, help_text="The 'How the CoE works' page, in Markdown.", max_length=20000
            ),
        ),
    ]

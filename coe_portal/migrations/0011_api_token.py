"""API tokens hashed at rest (django-rest-knox's token, swapped in): named, expiring, several
per person."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coe_portal", "0010_sso_identity"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("token_key", models.CharField(db_index=True, max_length=25)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("digest", models.CharField(editable=False, max_length=128, unique=True)),
                ("expiry", models.DateTimeField()),
                (
                    "name",
                    models.CharField(
                        help_text="What uses the token, e.g. 'Reporting script'.", max_length=50
                    ),
                ),
                ("creation_key", models.UUIDField(blank=True, editable=False, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="auth_token_set",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "ordering": ["-created"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "creation_key"), name="api_token_made_once_per_form"
                    )
                ],
            },
        ),
    ]

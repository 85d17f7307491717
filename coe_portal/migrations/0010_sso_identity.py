"""Single sign-on identities: a person is signed in by their provider's (issuer, subject),
not by e-mail address (coe_portal/sso.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coe_portal", "0009_long_text_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="SsoIdentity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "issuer",
                    models.CharField(
                        help_text="The provider's issuer URL exactly as in its tokens (iss), e.g. https://login.example.com/realms/corp.",
                        max_length=255,
                    ),
                ),
                (
                    "subject",
                    models.CharField(
                        help_text="The person's subject (sub) at that provider: its id for them, not their e-mail address.",
                        max_length=255,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sso_identities",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "single sign-on identity",
                "verbose_name_plural": "single sign-on identities",
                "ordering": ["issuer", "subject"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("issuer", "subject"),
                        name="sso_identity_unique_subject",
                        violation_error_message="This subject at this provider already signs in another person.",
                    ),
                    models.UniqueConstraint(
                        fields=("user", "issuer"),
                        name="sso_identity_one_per_issuer",
                        violation_error_message="This person already has an identity at this provider.",
                    ),
                ],
            },
        ),
    ]

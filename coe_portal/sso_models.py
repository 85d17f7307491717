"""The single sign-on identity: which person a provider's (issuer, subject) pair signs in.

Kept beside models.py (which imports it, so the app registers it) rather than inside it, so
single sign-on's data has its own file. The rules that create and use these rows are in
sso.py; admins add and remove them on the person's page in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SsoIdentity(models.Model):
    """A person's identity at an OpenID Connect provider: the ID token's issuer (``iss``)
    and subject (``sub``, the provider's stable id for them, never their e-mail address).

    Sign-in finds the person by this pair (sso.PortalOIDCBackend); the e-mail address only
    links an existing account the first time, under the rules in sso.py. One pair belongs to
    one person, and a person has at most one identity per provider.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    issuer = models.CharField(
        max_length=255,
        help_text="The provider's issuer URL exactly as in its tokens (iss), e.g. "
        "https://login.example.com/realms/corp.",
    )
    subject = models.CharField(
        max_length=255,
        help_text="The person's subject (sub) at that provider: its id for them, "
        "not their e-mail address.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        ordering = ["issuer", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                name="sso_identity_unique_subject",
                violation_error_message="This subject at this provider already signs in "
                "another person.",
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"],
                name="sso_identity_one_per_issuer",
                violation_error_message="This person already has an identity at this provider.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"

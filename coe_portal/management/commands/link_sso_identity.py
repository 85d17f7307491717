"""Link a person to their identity at the single sign-on provider from the shell.

The admin's user page does the same (Single sign-on identities). This is for when nobody
can reach the admin: with LOCAL_LOGIN_ENABLED=0 a CoE admin who has no identity yet cannot
sign in, because sign-in never links a privileged account by e-mail address (sso.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coe_portal.models import SsoIdentity


class Command(BaseCommand):
    help = (
        "Link a portal account to its single sign-on identity (the provider's subject), "
        "so that identity signs that person in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The portal account")
        parser.add_argument("subject", help="The person's subject (sub) at the provider")
        parser.add_argument(
            "--issuer", help="The provider's issuer exactly as in its tokens (default: OIDC_ISSUER)"
        )

    def handle(self, *args, username: str, subject: str, issuer: str | None, **options):
        issuer = issuer or settings.OIDC_ISSUER
        if not issuer:
            raise CommandError("No issuer: pass --issuer or set OIDC_ISSUER.")
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No account with the username {username!r}.") from exc
        identity = SsoIdentity(user=user, issuer=issuer, subject=subject)
        try:
            identity.full_clean()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        identity.save()
        self.stdout.write(self.style.SUCCESS(f"{subject} at {issuer} now signs in {username}."))

"""Personal API tokens (django-rest-knox): several per person, each named, each expiring.

The database keeps a SHA-512 digest of each key and its first characters only; the key
itself is returned once, by ``create_api_token``, for the page to show. The API's
authentication (``ApiTokenAuthentication``, knox's) refuses an expired token and deletes it;
``delete_expired_api_tokens`` sweeps the rest (hourly, coe_portal.tasks).
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from coe_portal.choices import TokenLifetime
from coe_portal.models import ApiToken, User

logger = logging.getLogger(__name__)

# What a key can look like: knox's ("coe_" and 64 hex digits) or a moved DRF key (40 hex
# digits; migration 0012), with room to spare.
_KEY_SHAPE = re.compile(rb"[A-Za-z0-9_]{1,128}")


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication, answering 401 to a key that cannot be one before it
    reaches the database: knox itself fails with a server error on a header that is not
    UTF-8, and PostgreSQL on one holding a NUL."""

    def authenticate_credentials(self, token: bytes):
        if not _KEY_SHAPE.fullmatch(token):
            raise AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class TokenRefused(Exception):
    """A token that may not be made; ``field`` is the form field the reason belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class AlreadyCreated(TokenRefused):
    """The same form was sent again: its token exists (and its key was shown once)."""

    def __init__(self, token: ApiToken):
        super().__init__(
            f"That form was already sent, and the token “{token.name}” was made then. Its key "
            "was shown only that once: if you did not copy it, revoke it and make another."
        )
        self.token = token


def live_api_tokens(user):
    """``user``'s tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now())


def get_api_token_for_user(user, pk: int) -> ApiToken:
    """One of ``user``'s own tokens; 404 for anyone else's (whose existence is not told)."""
    return get_object_or_404(ApiToken, pk=pk, user=user)


def create_api_token(
    *,
    actor: User,
    name: str,
    lifetime: TokenLifetime | int,
    creation_key: uuid.UUID | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``actor``, named ``name``, expiring after ``lifetime`` days: the row
    and the key (the only time the key exists outside the client). ``creation_key`` is the
    form's one-time key: sent again, it makes nothing and raises AlreadyCreated. Raises
    TokenRefused at the cap of live tokens or for a name already in use."""
    lifetime = TokenLifetime(lifetime)  # ValueError for a lifetime not offered
    now = timezone.now()
    with transaction.atomic():
        # Two requests at once (a double click, two tabs) would both count the tokens below
        # the cap and both make one: the person's row makes the second wait for the first.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        mine = ApiToken.objects.filter(user=actor)
        if creation_key is not None:
            earlier = mine.filter(creation_key=creation_key).first()
            if earlier is not None:
                raise AlreadyCreated(earlier)
        mine.filter(expiry__lte=now).delete()  # they no longer work: they count for nothing
        if mine.count() >= settings.API_TOKENS_PER_PERSON:
            raise TokenRefused(
                f"You have {settings.API_TOKENS_PER_PERSON} API tokens, the most one person "
                "may hold. Revoke one you no longer use, then make the new one."
            )
        if mine.filter(name__iexact=name).exists():
            raise TokenRefused(
                f"You already have a token named “{name}”: choose another name, or revoke "
                "that token first.",
                field="name",
            )
        token, key = ApiToken.objects.create(
            actor, expiry=timedelta(days=lifetime), name=name, creation_key=creation_key
        )
    logger.info("API token %s (%s) made by user %s", token.pk, token.token_key, actor.pk)
    return token, key


def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    """Delete ``token``: requests with its key fail from now on. ``actor`` is its owner (the
    page) or an admin (the Django admin); access is checked by the caller."""
    ApiToken.objects.filter(pk=token.pk).delete()
    logger.info(
        "API token %s (%s) of user %s revoked by user %s",
        token.pk, token.token_key, token.user_id, actor.pk,
    )  # fmt: skip


def delete_expired_api_tokens() -> int:
    """Delete every expired token (they are refused anyway); how many went."""
    deleted, _ = ApiToken.objects.filter(expiry__lte=timezone.now()).delete()
    return deleted

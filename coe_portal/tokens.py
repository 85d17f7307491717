"""Personal API tokens (DRF's TokenAuthentication): one per person, replaceable, revocable."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def replace_token(user) -> Token:
    """A fresh token for ``user``; any earlier one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def revoke_token(user) -> None:
    Token.objects.filter(user=user).delete()

"""How the person behind a session is loaded on every request: with their role names in the
same query (``User.objects.with_role_names``), which saves every page but the floor a
query, since nearly every page asks what roles the person holds."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from coe_portal.models import User


def load_user(user_id) -> User | None:
    return User.objects.with_role_names().filter(pk=user_id).first()


class PortalModelBackend(ModelBackend):
    """Django's password backend, loading the session's person with their roles."""

    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

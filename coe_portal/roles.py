"""The portal's roles and the permission helpers every app uses.

Roles are Django groups; a person may hold several, and everyone who can log in is an
employee. Object rules ("may this person see this proposal") live in each app's
``visible_to(user)`` queryset method; these helpers answer the role questions they build on.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

# Defined beside the other plain types so settings.py can check role names (OIDC_ROLE_MAP)
# before the apps load; imported from here everywhere else.
from coe_portal.choices import Role as Role


def has_role(user, *roles: Role) -> bool:
    """True when the user holds any of ``roles``. Superusers hold every role."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return not user.role_names.isdisjoint(roles)


def is_coe_admin(user) -> bool:
    return has_role(user, Role.COE_ADMIN)


def is_coe_staff(user) -> bool:
    """Reviewers and admins: the people who run governance."""
    return has_role(user, Role.COE_REVIEWER, Role.COE_ADMIN)


def sees_everything(user) -> bool:
    """Reviewers, admins and leadership see every proposal, confidential ones included."""
    return has_role(user, Role.COE_REVIEWER, Role.COE_ADMIN, Role.LEADERSHIP)


# The roles that reach past the person's own department: admins change everything, reviewers
# decide every proposal, and both, with leadership, read every confidential one. A champion's
# reach stops at their department, and a plain employee's at their own work.
PRIVILEGED_ROLES = frozenset({Role.COE_ADMIN, Role.COE_REVIEWER, Role.LEADERSHIP})


def is_privileged(user) -> bool:
    """True for an account whose takeover would expose or change the whole portal: staff
    and superusers (the Django admin), and holders of PRIVILEGED_ROLES. Single sign-on
    never links such an account by e-mail address; an admin links it by hand (sso.py)."""
    return user.is_staff or has_role(user, *PRIVILEGED_ROLES)


def is_champion_of(user, department_id: int | None) -> bool:
    """True when the user is a champion of the given department."""
    return (
        department_id is not None
        and user.department_id == department_id
        and has_role(user, Role.CHAMPION)
    )


def require_role(user, roles: Iterable[Role]) -> None:
    """Raise PermissionDenied (403) unless the user holds one of ``roles``."""
    if not has_role(user, *roles):
        raise PermissionDenied("Your role does not allow this.")


class RoleRequiredMixin(AccessMixin):
    """For class-based views open to some roles only: set ``required_roles``."""

    required_roles: tuple[Role, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require_role(request.user, self.required_roles)
        return super().dispatch(request, *args, **kwargs)


class HasRole(BasePermission):
    """DRF permission: the view's ``required_roles`` (any of them)."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *getattr(view, "required_roles", ()))

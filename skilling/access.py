"""Who may do what in skilling, in one place, for pages and API alike.

- Every employee reads the catalogs and manages their own enrolments, roles and event seats.
- CoE admins edit the catalogs (skills, roles, resources, paths, events) and import CSVs.
- Coverage: a champion sees their own department; leadership, reviewers and admins see all.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from coe_portal.models import Department
from coe_portal.roles import Role, has_role, is_coe_admin, sees_everything
from skilling.models import Event, LearningResource


def can_manage_catalog(user) -> bool:
    return is_coe_admin(user)


def require_catalog_admin(user) -> None:
    if not can_manage_catalog(user):
        raise PermissionDenied("Only CoE admins edit the learning catalog.")


def can_see_coverage(user) -> bool:
    return sees_everything(user) or has_role(user, Role.CHAMPION)


def coverage_departments(user):
    """The departments whose coverage the person may see (an empty queryset for none)."""
    if sees_everything(user):
        return Department.objects.all()
    if has_role(user, Role.CHAMPION) and user.department_id:
        return Department.objects.filter(pk=user.department_id)
    return Department.objects.none()


def get_resource_for_user(user, pk: int, *, write: bool = False) -> LearningResource:
    """404 when the person may not see the resource, 403 when they may see but not edit it."""
    try:
        resource = LearningResource.objects.visible_to(user).get(pk=pk)
    except LearningResource.DoesNotExist:
        raise Http404("No such learning resource.") from None
    if write:
        require_catalog_admin(user)
    return resource


def get_event_for_user(user, pk: int, *, write: bool = False) -> Event:
    try:
        event = Event.objects.visible_to(user).select_related("resource").get(pk=pk)
    except Event.DoesNotExist:
        raise Http404("No such event.") from None
    if write:
        require_catalog_admin(user)
    return event

"""Who may see which metrics page. One function per question, used by the views and the API.

- The organisation dashboard, the readiness heatmap and reports: leadership, CoE reviewers
  and CoE admins (``sees_everything``).
- A department's dashboard: those, and the department's champions.
- A department's readiness summary (radar, history, submitted assessments): those, and
  every member of the department. Employees see how ready their own department says it is
  (it is their department's self-assessment, not anyone's personal data), but not the
  leadership dashboard nor other departments.
- Running the assessment: the department's champions only.
- Generating a report (now, or a period again): CoE staff. Leadership reads reports and is
  emailed them, but is read-only (DESIGN.md, "Who uses it").
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from coe_portal.models import Department
from coe_portal.roles import Role, has_role, is_champion_of, is_coe_staff, sees_everything
from metrics.models import ReadinessAssessment, Report

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def can_see_organisation(user) -> bool:
    return sees_everything(user)


def can_see_department_dashboard(user, department: Department) -> bool:
    return sees_everything(user) or is_champion_of(user, department.pk)


def can_see_readiness(user, department: Department) -> bool:
    return sees_everything(user) or (user.is_authenticated and user.department_id == department.pk)


def may_manage_reports(user) -> bool:
    """Who may generate a report or generate one again: the pages, the API and
    ``reports.request_report`` all ask this."""
    return is_coe_staff(user)


def can_assess(user, department: Department) -> bool:
    return is_champion_of(user, department.pk)


def is_any_champion(user) -> bool:
    return has_role(user, Role.CHAMPION)


def get_department_for_user(user, code: str, check) -> Department:
    """The department by code; 404 for no such (or malformed) code, 403 when
    ``check(user, department)`` says no."""
    if not _SLUG.fullmatch(code or ""):  # e.g. a NUL byte, which PostgreSQL refuses outright
        raise Http404("No such department.")
    department = get_object_or_404(Department, code=code)
    if not check(user, department):
        raise PermissionDenied("Your role does not allow this.")
    return department


def get_assessment_for_user(user, pk: int) -> ReadinessAssessment:
    """404 for assessments the user may not see (so their existence does not leak)."""
    return get_object_or_404(
        ReadinessAssessment.objects.visible_to(user).select_related("department", "submitted_by"),
        pk=pk,
    )


def get_report_for_user(user, pk: int) -> Report:
    if not sees_everything(user):
        raise PermissionDenied("Reports are for leadership and CoE staff.")
    return get_object_or_404(Report, pk=pk)

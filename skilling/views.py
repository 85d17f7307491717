"""Skilling's pages: parse, authorise, call the logic modules, render.

Employees: the catalog, a resource, "My learning", their roles, the roles and their paths,
skills, events. Champions and leadership: coverage. CoE admins: the catalog pages under
``manage/`` (views_manage.py).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from coe_portal.htmx import render_page, wants_fragment
from coe_portal.spreadsheets import safe_cell
from coe_portal.subqueries import count_of
from skilling import access, coverage, enrolments, events, paths, recommendations
from skilling.choices import EnrolmentStatus, EventStatus, Level, RegistrationStatus, SkillCategory
from skilling.errors import SkillingError
from skilling.filters import LearningResourceFilter
from skilling.forms import CompleteForm, LearnerRolesForm, ProgressForm
from skilling.models import (
    AdoptionRole,
    Enrolment,
    Event,
    EventRegistration,
    LearnerProfile,
    LearningResource,
    PathStep,
    RoleSkill,
    Skill,
)

CATALOG_PAGE_SIZE = 20
LIST_PAGE_SIZE = 20
DEPARTMENTS_PER_PAGE = 25


# --- helpers -----------------------------------------------------------------------------


def paginate(request: HttpRequest, queryset, per_page: int):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def back_to(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the form's ``next`` when it is a local address, else to ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def enrolment_statuses(user, resource_ids) -> dict[int, Enrolment]:
    return {
        e.resource_id: e
        for e in Enrolment.objects.filter(user=user, resource_id__in=list(resource_ids))
    }


# --- catalog -----------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def catalog(request: HttpRequest) -> HttpResponse:
    """Search and filter the active catalog; htmx swaps the results and keeps the URL."""
    filterset = LearningResourceFilter(
        request.GET or None,
        queryset=LearningResource.objects.active().prefetch_related("skills"),
    )
    page = paginate(request, filterset.qs, CATALOG_PAGE_SIZE)
    enrolled = enrolment_statuses(request.user, [resource.pk for resource in page])
    for resource in page:
        resource.enrolment = enrolled.get(resource.pk)
    return render_page(
        request,
        "skilling/catalog.html",
        {
            "filter": filterset,
            "page": page,
            "filtered": bool(request.GET),
        },
        partial="results",
    )


@require_GET
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = access.get_resource_for_user(request.user, pk)
    enrolment = Enrolment.objects.filter(user=request.user, resource=resource).first()
    steps = PathStep.objects.filter(resource=resource).select_related("path__role")
    upcoming = Event.objects.filter(
        resource=resource, status=EventStatus.SCHEDULED, starts_at__gt=timezone.now()
    ).order_by("starts_at")[:5]
    return render(
        request,
        "skilling/resource_detail.html",
        {
            "resource": resource,
            "skills": resource.skills.all(),
            "enrolment": enrolment,
            "steps": steps,
            "events": upcoming,
            "progress_form": ProgressForm(
                initial={"progress": enrolment.progress if enrolment else 0}
            ),
            "complete_form": CompleteForm(
                initial={"evidence_url": enrolment.evidence_url if enrolment else ""}
            ),
        },
    )


@require_POST
def resource_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    resource = access.get_resource_for_user(request.user, pk)
    try:
        enrolment = enrolments.enrol(resource, actor=request.user)
    except SkillingError as exc:
        if wants_fragment(request):
            return render(
                request,
                "skilling/catalog.html#row_status",
                {"resource": resource, "enrolment": None, "error": str(exc)},
            )
        messages.error(request, str(exc))
        return back_to(request, resource.get_absolute_url())
    if wants_fragment(request):
        return render(
            request,
            "skilling/catalog.html#row_status",
            {"resource": resource, "enrolment": enrolment, "just_enrolled": True},
        )
    messages.success(request, f"You are enrolled in “{resource}”. It is on your learning page.")
    return back_to(request, resource.get_absolute_url())


@require_POST
def resource_progress(request: HttpRequest, pk: int) -> HttpResponse:
    resource = access.get_resource_for_user(request.user, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Progress is a percentage between 0 and 100.")
        return back_to(request, resource.get_absolute_url())
    try:
        enrolment = enrolments.record_progress(
            resource, form.cleaned_data["progress"], actor=request.user
        )
    except SkillingError as exc:
        messages.error(request, str(exc))
    else:
        if enrolment.is_completed:
            messages.success(request, f"Well done: “{resource}” is completed.")
        else:
            messages.success(request, f"Progress saved: {enrolment.progress} %.")
    return back_to(request, resource.get_absolute_url())


@require_POST
def resource_complete(request: HttpRequest, pk: int) -> HttpResponse:
    resource = access.get_resource_for_user(request.user, pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("evidence_url", []):
            messages.error(request, f"Evidence link: {error}")
        return back_to(request, resource.get_absolute_url())
    try:
        enrolments.complete(
            resource, actor=request.user, evidence_url=form.cleaned_data["evidence_url"]
        )
    except SkillingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Well done: “{resource}” is completed.")
    return back_to(request, resource.get_absolute_url())


@require_POST
def resource_leave(request: HttpRequest, pk: int) -> HttpResponse:
    resource = access.get_resource_for_user(request.user, pk)
    try:
        enrolments.leave(resource, actor=request.user)
    except SkillingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You left “{resource}”.")
    return back_to(request, resource.get_absolute_url())


# --- my learning -------------------------------------------------------------------------


@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = (
        LearnerProfile.objects.filter(user=user)
        .select_related("current_role", "target_role")
        .first()
    )
    roles = [profile.target_role, profile.current_role] if profile else []
    progress = paths.path_progress(user, roles)
    recommendation = (
        recommendations.recommend(user, profile.target_role)
        if (profile and profile.target_role)
        else None
    )

    in_progress = (
        Enrolment.objects.filter(user=user)
        .exclude(status=EnrolmentStatus.COMPLETED)
        .select_related("resource")
        .order_by("-updated_at")
    )
    completed = paginate(
        request,
        Enrolment.objects.filter(user=user, status=EnrolmentStatus.COMPLETED)
        .select_related("resource")
        .order_by("-completed_at", "-id"),
        LIST_PAGE_SIZE,
    )
    ahead = EventRegistration.objects.filter(
        event_id=OuterRef("event_id"),
        status=RegistrationStatus.WAITLISTED,
        registered_at__lt=OuterRef("registered_at"),
    )
    registrations = (
        EventRegistration.objects.filter(
            user=user,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
            event__ends_at__gt=timezone.now(),
        )
        .select_related("event")
        .annotate(ahead=count_of(ahead, "event_id"))
        .order_by("event__starts_at")
    )
    return render(
        request,
        "skilling/my_learning.html",
        {
            "profile": profile,
            "progress": progress,
            "recommendation": recommendation,
            "in_progress": in_progress,
            "completed": completed,
            "registrations": registrations,
        },
    )


@require_http_methods(["GET", "POST"])
def my_roles(request: HttpRequest) -> HttpResponse:
    profile = LearnerProfile.objects.filter(user=request.user).first()
    initial = (
        {"current_role": profile.current_role_id, "target_role": profile.target_role_id}
        if profile
        else {}
    )
    form = LearnerRolesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            enrolments.set_roles(
                actor=request.user,
                current_role=form.cleaned_data["current_role"],
                target_role=form.cleaned_data["target_role"],
            )
        except SkillingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your roles are saved. Your recommendations follow them.")
            return back_to(request, "skilling:my_learning")
    return render(request, "skilling/my_roles.html", {"form": form})


# --- roles, paths, skills ----------------------------------------------------------------


@require_GET
def role_list(request: HttpRequest) -> HttpResponse:
    roles = list(
        AdoptionRole.objects.prefetch_related(
            Prefetch("requirements", queryset=RoleSkill.objects.select_related("skill"))
        )
    )
    progress = {p.role.pk: p for p in paths.path_progress(request.user, roles)}
    profile = LearnerProfile.objects.filter(user=request.user).first()
    return render(
        request,
        "skilling/role_list.html",
        {
            "rows": [(role, progress[role.pk]) for role in roles],
            "profile": profile,
        },
    )


@require_GET
def role_path(request: HttpRequest, slug: str) -> HttpResponse:
    """A role: what it does, the skills it needs, and its learning path with the person's
    progress. Public within the portal: proposals link here for the roles their team lacks."""
    role = get_object_or_404(AdoptionRole, slug=slug)
    path = paths.path_with_steps(role)
    steps = list(path.steps.all())
    statuses = enrolment_statuses(request.user, (s.resource_id for s in steps))
    progress = paths.path_progress(request.user, [role])[0]
    requirements = RoleSkill.objects.filter(role=role).select_related("skill")
    held = recommendations.held_levels(request.user)
    profile = LearnerProfile.objects.filter(user=request.user).first()
    return render(
        request,
        "skilling/role_path.html",
        {
            "role": role,
            "path": path,
            "steps": [(step, statuses.get(step.resource_id)) for step in steps],
            "progress": progress,
            "requirements": [
                (
                    r,
                    held.get(r.skill_id, 0),
                    Level(held[r.skill_id]).label if r.skill_id in held else "",
                )
                for r in requirements
            ],
            "profile": profile,
            "can_manage": access.can_manage_catalog(request.user),
        },
    )


@require_POST
def role_target(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Skill me for this role": make it the person's target role."""
    role = get_object_or_404(AdoptionRole, slug=slug)
    profile = (
        LearnerProfile.objects.filter(user=request.user).select_related("current_role").first()
    )
    current = profile.current_role if profile else None
    try:
        enrolments.set_roles(actor=request.user, current_role=current, target_role=role)
    except SkillingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{role} is now your target role.")
    return redirect(role.get_absolute_url())


@require_GET
def skill_list(request: HttpRequest) -> HttpResponse:
    skills = Skill.objects.annotate(
        resource_count=Count("resources", filter=Q(resources__status="active"))
    ).order_by("name")
    # Categories in the taxonomy's order (foundations first), not alphabetically.
    order = list(SkillCategory.values)
    skills = sorted(skills, key=lambda s: order.index(s.category) if s.category in order else 99)
    return render(request, "skilling/skill_list.html", {"skills": skills})


# --- events ------------------------------------------------------------------------------


def _with_seats(queryset, user):
    mine = EventRegistration.objects.filter(event=OuterRef("pk"), user=user).exclude(
        status=RegistrationStatus.CANCELLED
    )
    return queryset.annotate(
        seats_taken=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waiting=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
        my_status=Subquery(mine.values("status")[:1]),
    ).annotate(seats_left=F("capacity") - F("seats_taken"))


@require_GET
@vary_on_headers("HX-Request")
def event_list(request: HttpRequest) -> HttpResponse:
    past = request.GET.get("when") == "past"
    now = timezone.now()
    events_qs = Event.objects.visible_to(request.user)
    events_qs = (
        events_qs.filter(ends_at__lte=now).order_by("-starts_at")
        if past
        else events_qs.filter(ends_at__gt=now).order_by("starts_at")
    )
    page = paginate(request, _with_seats(events_qs, request.user), LIST_PAGE_SIZE)
    return render_page(
        request, "skilling/event_list.html", {"page": page, "past": past}, partial="results"
    )


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.get_event_for_user(request.user, pk)
    event = (
        _with_seats(Event.objects.filter(pk=event.pk), request.user)
        .select_related("resource")
        .get()
    )
    registration = EventRegistration.objects.filter(event=event, user=request.user).first()
    return render(
        request,
        "skilling/event_detail.html",
        {
            "event": event,
            "registration": registration,
            "position": events.waiting_list_position(registration) if registration else None,
            "open": not event.is_cancelled and event.starts_at > timezone.now(),
            "can_manage": access.can_manage_catalog(request.user),
        },
    )


@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.get_event_for_user(request.user, pk)
    try:
        registration = events.register_for_event(event.pk, actor=request.user)
    except SkillingError as exc:
        messages.error(request, str(exc))
    else:
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(request, f"You have a seat at “{event}”.")
        else:
            position = events.waiting_list_position(registration)
            messages.warning(
                request,
                f"“{event}” is full: you are number {position} on the waiting list. "
                "We email you if a seat opens up.",
            )
    return back_to(request, event.get_absolute_url())


@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.get_event_for_user(request.user, pk)
    registration = events.cancel_registration(event.pk, actor=request.user)
    if registration is not None:
        messages.success(request, f"Your registration for “{event}” is cancelled.")
    return back_to(request, event.get_absolute_url())


# --- coverage ----------------------------------------------------------------------------


def _coverage_scope(request: HttpRequest):
    """(departments the person may see, the chosen one or None for all of them)."""
    if not access.can_see_coverage(request.user):
        raise PermissionDenied("Coverage is for champions, leadership and the CoE.")
    allowed = list(access.coverage_departments(request.user))
    code = request.GET.get("department", "")
    if not code and len(allowed) == 1:
        return allowed, allowed[0]
    chosen = next((d for d in allowed if d.code == code), None)
    if code and code != "all" and chosen is None:
        raise PermissionDenied("You may not see that department's coverage.")
    return allowed, chosen


@require_GET
@vary_on_headers("HX-Request")
def coverage_view(request: HttpRequest) -> HttpResponse:
    """The coverage report of the departments the person may see, worked out live."""
    return render_page(
        request, "skilling/coverage.html", _coverage_report(request), partial="report"
    )


def _coverage_report(request: HttpRequest) -> dict:
    """The report's context. A department the person may not see raises PermissionDenied."""
    allowed, chosen = _coverage_scope(request)
    scope = [chosen] if chosen else allowed
    reports, total = coverage.department_coverage(scope)
    report = reports[0] if chosen else total
    return {
        "departments": allowed,
        "chosen": chosen,
        "report": report,
        # 25 departments a page: the table stays the same size at 20 or 200 departments.
        "by_department": None
        if chosen
        else Paginator(reports, DEPARTMENTS_PER_PAGE).get_page(request.GET.get("page")),
        "chart": _role_chart(report),
    }


def _role_chart(report) -> dict:
    """Geometry of the server-drawn bar chart (holding and targeting per role), in SVG
    units: labels take the first 220, bars up to 360 more, values follow each bar."""
    biggest = max(report.max_learners, 1)
    bars = []
    for index, row in enumerate(report.roles):
        holding_w = round(360 * row.holding / biggest, 1)
        targeting_w = round(360 * row.targeting / biggest, 1)
        bars.append(
            {
                "row": row,
                "y": 6 + index * 34,
                "holding_w": holding_w,
                "targeting_w": targeting_w,
                "holding_x": round(226 + holding_w, 1),
                "targeting_x": round(226 + targeting_w, 1),
            }
        )
    return {"bars": bars, "height": 12 + len(bars) * 34}


@require_GET
def coverage_csv(request: HttpRequest) -> HttpResponse:
    allowed, chosen = _coverage_scope(request)
    scope = [chosen] if chosen else allowed
    reports, total = coverage.department_coverage(scope)
    reports = reports if chosen else [*reports, total]
    table = "skills" if request.GET.get("table") == "skills" else "roles"
    slug = chosen.code if chosen else "all-departments"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coverage-{table}-{slug}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly only with the BOM
    writer = csv.writer(response)
    if table == "roles":
        writer.writerow(
            ["department", "role", "holding", "targeting", "learners", "path_steps",
             "path_completion_percent", "completed_path"]
        )  # fmt: skip
        for report in reports:
            for row in report.roles:
                writer.writerow(
                    [safe_cell(report.name), safe_cell(row.role.name), row.holding, row.targeting,
                     row.learners, row.path_steps,
                     "" if row.path_completion_percent is None else row.path_completion_percent,
                     row.completed_path]
                )  # fmt: skip
    else:
        writer.writerow(
            ["department", "skill", "category", "needed_by", "below_level", "gap_percent"]
        )
        for report in reports:
            for row in report.skill_gaps:
                writer.writerow(
                    [safe_cell(report.name), safe_cell(row.skill.name), row.skill.get_category_display(),
                     row.needed_by, row.below_level, row.gap_percent]
                )  # fmt: skip
    return response

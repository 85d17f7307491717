"""The CoE admins' catalog pages (/learning/manage/): skills, roles, resources, paths,
events and the CSV import. Every view starts with ``access.require_catalog_admin``."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from coe_portal.htmx import render_page
from skilling import access, events, imports, paths
from skilling.choices import ImportStatus, RegistrationStatus, ResourceStatus
from skilling.errors import SkillingError
from skilling.filters import ManageResourceFilter
from skilling.forms import (
    AdoptionRoleForm,
    EventForm,
    LearningResourceForm,
    PathStepForm,
    PathSummaryForm,
    ResourceImportForm,
    RoleSkillFormSet,
    SkillForm,
)
from skilling.models import (
    AdoptionRole,
    Event,
    EventRegistration,
    LearningPath,
    LearningResource,
    PathStep,
    ResourceImport,
    RoleSkill,
    Skill,
)
from skilling.views import LIST_PAGE_SIZE, paginate

MANAGE_PAGE_SIZE = 25


@require_GET
def manage_home(request: HttpRequest) -> HttpResponse:
    access.require_catalog_admin(request.user)
    counts = LearningResource.objects.aggregate(
        active=Count("id", filter=Q(status=ResourceStatus.ACTIVE)),
        retired=Count("id", filter=Q(status=ResourceStatus.RETIRED)),
    )
    return render(
        request,
        "skilling/manage/home.html",
        {
            "counts": counts,
            "skill_count": Skill.objects.count(),
            "role_count": AdoptionRole.objects.count(),
            "event_count": Event.objects.count(),
            "imports": ResourceImport.objects.select_related("uploaded_by")[:5],
        },
    )


# --- resources ---------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def manage_resources(request: HttpRequest) -> HttpResponse:
    access.require_catalog_admin(request.user)
    filterset = ManageResourceFilter(
        request.GET or None,
        queryset=LearningResource.objects.annotate(enrolled=Count("enrolments", distinct=True))
        .order_by("title", "id")
        .prefetch_related("skills"),
    )
    page = paginate(request, filterset.qs, MANAGE_PAGE_SIZE)
    return render_page(
        request,
        "skilling/manage/resources.html",
        {"filter": filterset, "page": page},
        partial="results",
    )


@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access.require_catalog_admin(request.user)
    resource = access.get_resource_for_user(request.user, pk, write=True) if pk else None
    form = LearningResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        resource = form.save()
        messages.success(request, f"“{resource}” is saved.")
        return redirect("skilling:manage_resources")
    return render(
        request, "skilling/manage/resource_form.html", {"form": form, "resource": resource}
    )


@require_http_methods(["GET", "POST"])
def resource_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV: a clean file goes to its preview for confirmation; a file with errors
    comes back with every problem listed and nothing kept."""
    access.require_catalog_admin(request.user)
    form = ResourceImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            staged, result = imports.stage_upload(upload.read(), upload.name, actor=request.user)
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if staged:
                return redirect("skilling:resource_import_confirm", pk=staged.pk)
    return render(
        request,
        "skilling/manage/import.html",
        {"form": form, "result": result, "columns": imports.TEMPLATE_HEADER},
    )


@require_GET
def resource_import_template(request: HttpRequest) -> HttpResponse:
    access.require_catalog_admin(request.user)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="learning-resources-template.csv"'
    return response


@require_http_methods(["GET", "POST"])
def resource_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_catalog_admin(request.user)
    staged = get_object_or_404(ResourceImport, pk=pk)
    if request.method == "POST":
        try:
            staged = imports.confirm_import(staged, actor=request.user)
        except imports.ImportRejected as exc:
            # The catalog changed since the preview (a skill was renamed, say).
            messages.error(request, str(exc))
            return render(
                request,
                "skilling/manage/import_preview.html",
                {"staged": staged, "result": exc.result},
            )
        messages.success(
            request,
            f"Imported {staged.filename}: {staged.created_count} new, "
            f"{staged.updated_count} updated.",
        )
        return redirect("skilling:manage_resources")
    result = (
        imports.preview(staged.content, staged.encoding)
        if staged.status == ImportStatus.PENDING
        else None
    )
    return render(
        request, "skilling/manage/import_preview.html", {"staged": staged, "result": result}
    )


# --- skills ------------------------------------------------------------------------------


@require_GET
def manage_skills(request: HttpRequest) -> HttpResponse:
    access.require_catalog_admin(request.user)
    skills = Skill.objects.annotate(
        resource_count=Count("resources", distinct=True),
        role_count=Count("requirements", distinct=True),
    ).order_by("category", "name")
    return render(request, "skilling/manage/skills.html", {"skills": skills})


@require_http_methods(["GET", "POST"])
def skill_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access.require_catalog_admin(request.user)
    skill = get_object_or_404(Skill, pk=pk) if pk else None
    form = SkillForm(request.POST or None, instance=skill)
    if request.method == "POST" and form.is_valid():
        skill = form.save()
        messages.success(request, f"The skill “{skill}” is saved.")
        return redirect("skilling:manage_skills")
    return render(request, "skilling/manage/skill_form.html", {"form": form, "skill": skill})


# --- roles and paths ---------------------------------------------------------------------


@require_GET
def manage_roles(request: HttpRequest) -> HttpResponse:
    access.require_catalog_admin(request.user)
    roles = AdoptionRole.objects.annotate(
        skill_count=Count("requirements", distinct=True),
        step_count=Count("path__steps", distinct=True),
    ).order_by("position", "name")
    # Not "roles": the base layout's context already uses that name for the person's roles.
    return render(request, "skilling/manage/roles.html", {"adoption_roles": roles})


@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    access.require_catalog_admin(request.user)
    role = get_object_or_404(AdoptionRole, slug=slug) if slug else AdoptionRole()
    form = AdoptionRoleForm(request.POST or None, instance=role)
    formset = RoleSkillFormSet(
        request.POST or None,
        instance=role,
        prefix="skills",
        queryset=RoleSkill.objects.filter(role=role.pk).select_related("skill")
        if role.pk
        else RoleSkill.objects.none(),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            role = form.save()
            formset.instance = role
            formset.save()
            LearningPath.objects.get_or_create(role=role)
        messages.success(request, f"The role “{role}” is saved.")
        return redirect("skilling:manage_roles")
    return render(
        request,
        "skilling/manage/role_form.html",
        {"form": form, "formset": formset, "role": role if role.pk else None},
    )


@require_http_methods(["GET", "POST"])
def path_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit a role's path: its summary, and the steps (add, move, remove)."""
    access.require_catalog_admin(request.user)
    role = get_object_or_404(AdoptionRole, slug=slug)
    path = paths.path_with_steps(role)
    summary_form = PathSummaryForm(
        request.POST if request.POST.get("action") == "summary" else None, instance=path
    )
    step_form = PathStepForm(
        request.POST if request.POST.get("action") == "add" else None, path=path
    )
    if request.method == "POST":
        if summary_form.is_bound and summary_form.is_valid():
            summary_form.save()
            messages.success(request, "The path summary is saved.")
            return redirect("skilling:path_edit", slug=role.slug)
        if step_form.is_bound and step_form.is_valid():
            try:
                step = paths.add_step(
                    path,
                    step_form.cleaned_data["resource"],
                    note=step_form.cleaned_data["note"],
                    actor=request.user,
                )
            except SkillingError as exc:
                step_form.add_error("resource", str(exc))
            else:
                messages.success(request, f"Added step {step.position}: {step.resource}.")
                return redirect("skilling:path_edit", slug=role.slug)
    return render(
        request,
        "skilling/manage/path_form.html",
        {
            "role": role,
            "path": path,
            "steps": path.steps.all(),
            "summary_form": summary_form,
            "step_form": step_form,
        },
    )


@require_POST
def path_step_move(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_catalog_admin(request.user)
    step = get_object_or_404(PathStep.objects.select_related("path__role"), pk=pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    paths.move_step(step, offset, actor=request.user)
    return redirect("skilling:path_edit", slug=step.path.role.slug)


@require_POST
def path_step_remove(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_catalog_admin(request.user)
    step = get_object_or_404(PathStep.objects.select_related("path__role", "resource"), pk=pk)
    paths.remove_step(step, actor=request.user)
    messages.success(request, f"Removed “{step.resource}” from the path.")
    return redirect("skilling:path_edit", slug=step.path.role.slug)


# --- events ------------------------------------------------------------------------------


@require_GET
def manage_events(request: HttpRequest) -> HttpResponse:
    access.require_catalog_admin(request.user)
    queryset = Event.objects.annotate(
        seats_taken=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waiting=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    ).order_by("-starts_at")
    page = paginate(request, queryset, MANAGE_PAGE_SIZE)
    return render(request, "skilling/manage/events.html", {"page": page})


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access.require_catalog_admin(request.user)
    event = access.get_event_for_user(request.user, pk, write=True) if pk else None
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = events.save_event(form.instance, actor=request.user)
        except SkillingError as exc:
            form.add_error("capacity", str(exc))
        else:
            messages.success(request, f"“{event}” is saved.")
            return redirect(event.get_absolute_url())
    return render(request, "skilling/manage/event_form.html", {"form": form, "event": event})


@require_GET
def event_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """Who holds a seat and who waits, in queue order."""
    event = access.get_event_for_user(request.user, pk, write=True)
    registrations = (
        EventRegistration.objects.filter(event=event)
        .select_related("user__department")
        .annotate(
            queue=Case(
                When(status=RegistrationStatus.CONFIRMED, then=Value(0)),
                When(status=RegistrationStatus.WAITLISTED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("queue", "registered_at", "id")
    )
    page = paginate(request, registrations, LIST_PAGE_SIZE * 5)
    return render(request, "skilling/manage/event_roster.html", {"event": event, "page": page})

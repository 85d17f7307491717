from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coe_portal.forms import HowItWorksForm
from coe_portal.health import health_report
from coe_portal.markdown import render_markdown
from coe_portal.models import PortalSettings
from coe_portal.roles import Role, require_role


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's starting points; the template shows the sections for the person's roles."""
    return render(request, "coe_portal/home.html", {"settings": PortalSettings.load()})


@require_GET
def how_it_works(request: HttpRequest) -> HttpResponse:
    portal_settings = PortalSettings.objects.select_related(
        "how_it_works_updated_by"
    ).get_or_create(pk=1)[0]
    return render(
        request,
        "coe_portal/how_it_works.html",
        {"settings": portal_settings, "body": render_markdown(portal_settings.how_it_works)},
    )


@require_http_methods(["GET", "POST"])
def how_it_works_edit(request: HttpRequest) -> HttpResponse:
    require_role(request.user, [Role.COE_ADMIN])
    portal_settings = PortalSettings.load()
    form = HowItWorksForm(request.POST or None, instance=portal_settings)
    if request.method == "POST" and form.is_valid():
        page = form.save(commit=False)
        page.how_it_works_updated_at = timezone.now()
        page.how_it_works_updated_by = request.user
        page.save()
        messages.success(request, "The 'How the CoE works' page is updated.")
        return redirect("how_it_works")
    return render(request, "coe_portal/how_it_works_form.html", {"form": form})


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The rendered Markdown for the editor's live preview (htmx)."""
    require_role(request.user, [Role.COE_ADMIN])
    text = request.POST.get("how_it_works", "")[:50_000]
    return HttpResponse(render_markdown(text))


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)

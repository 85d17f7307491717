from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coe_portal import tokens
from coe_portal.forms import HowItWorksForm
from coe_portal.health import health_report
from coe_portal.markdown import render_markdown
from coe_portal.models import PortalSettings
from coe_portal.roles import Role, require_role
from coe_portal.token_forms import ApiTokenForm
from usecases.counts import person_counts


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's starting points; the template shows the sections for the person's roles."""
    # The tiles need all the person's counts: read them first, in one query, so the
    # navigation (rendered before the tiles) takes its unread count from them.
    person_counts(request)
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


@never_cache  # the answer to a creation holds the new key
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens; the form makes a named one and shows its key once."""
    created = new_key = None
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created, new_key = tokens.create_api_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                lifetime=form.cleaned_data["lifetime"],
                creation_key=form.cleaned_data["creation_key"],
            )
        except tokens.AlreadyCreated as already:
            messages.warning(request, already.message)
            form = ApiTokenForm()
        except tokens.TokenRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, f"The token “{created.name}” is ready. Copy it now.")
            form = ApiTokenForm()
    live = list(tokens.live_api_tokens(request.user))
    return render(
        request,
        "coe_portal/api_tokens.html",
        {
            "form": form,
            "tokens": live,
            "created": created,
            "new_key": new_key,
            "at_cap": len(live) >= settings.API_TOKENS_PER_PERSON,
            "cap": settings.API_TOKENS_PER_PERSON,
        },
    )


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the person's own tokens (another person's answers 404)."""
    token = tokens.get_api_token_for_user(request.user, pk)
    tokens.revoke_api_token(token, actor=request.user)
    messages.success(request, f"The token “{token.name}” is revoked; requests using it now fail.")
    return redirect("api_tokens")


@login_not_required
@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No dependencies, so a database outage does not make
    an orchestrator restart healthy web processes."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and (when configured) Redis answer."""
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)

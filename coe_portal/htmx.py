"""What the apps' htmx pages share: whether a request wants a fragment, and answering with
a page or one of its fragments (django-template-partials) from the same template."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a fragment. Boosted links and history restores want whole pages."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(
    request: HttpRequest, template: str, context: dict, partial: str | None = None
) -> HttpResponse:
    """``template``, or only its ``partial`` when htmx asks for a fragment. The same URL then
    answers with either, so caches are told to keep them apart (``Vary: HX-Request``)."""
    fragment = bool(partial) and wants_fragment(request)
    response = render(request, f"{template}#{partial}" if fragment else template, context)
    if partial:
        patch_vary_headers(response, ["HX-Request"])
    return response

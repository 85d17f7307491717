"""Answers to a signed-in person are theirs alone: no shared cache may keep them.

A proposal page, an export or an attachment fetched by one person must not be served from
a proxy's or the browser's shared cache to the next one at the same machine, nor left in
the browser's disk cache after they sign out. So every response to an authenticated
request (a session or an API token: DRF sets the user on the request it wraps) says
``Cache-Control: private, no-store``. Anonymous answers (the login page, health checks,
static files served before this runs) keep whatever they set.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class PrivateResponsesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

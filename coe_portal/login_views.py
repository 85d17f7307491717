"""Sign-in pages: the local login form and the two ends of the single sign-on round trip.

The rules (discovery, token checks, claims to department and roles) live in sso.py; these
views only switch the pieces on and off from the settings and turn a failed sign-in into a
message on the login page instead of an error page.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from coe_portal import sso
from coe_portal.forms import PortalAuthenticationForm

logger = logging.getLogger("coe_portal.sso")

SSO_FAILED = "Single sign-on did not complete. Try again; if it keeps failing, ask a CoE admin."


class PortalLoginView(LoginView):
    """The login page: a single sign-on button when OIDC is on, the password form unless
    LOCAL_LOGIN_ENABLED is off (then passwords are refused here too)."""

    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_LOGIN_ENABLED:
            return HttpResponseNotAllowed(["GET"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": settings.OIDC_ENABLED,
            "local_login_enabled": settings.LOCAL_LOGIN_ENABLED,
        }


def _sso_failed(request, reason: object):
    logger.warning("Single sign-on failed: %s", reason)
    messages.error(request, SSO_FAILED)
    return redirect("login")


@method_decorator(login_not_required, name="dispatch")
class SsoStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorisation endpoint with a fresh state, nonce
    and PKCE challenge (kept in the session by the library)."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is off.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso.provider_endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except sso.ProviderError as exc:
            return _sso_failed(request, exc)
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class SsoCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks the state, the backend
    exchanges the code and checks the tokens (sso.PortalOIDCBackend)."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is off.")
        try:
            return super().get(request)
        except (
            SuspiciousOperation,
            sso.ProviderError,
            requests.RequestException,
            jwt.PyJWTError,
        ) as exc:
            return _sso_failed(request, exc)

    def login_failure(self):
        return _sso_failed(self.request, self.request.GET.get("error") or "sign-in refused")

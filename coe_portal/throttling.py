"""Who a request comes from, by one rule for every throttle, and the API's throttles.

The client's address is REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
address the outermost of them saw (settings.py turns the count into django-axes' ipware
settings). The login throttle (django-axes) reads it with the same function, so a failed
login and an API request from one client count against the same address.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.http import HttpRequest
from rest_framework import throttling


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address; None behind proxies when the request did not come through them."""
    return get_client_ip_address(request)


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's, keyed by client_address: DRF's own reading trusts any X-Forwarded-For."""

    def get_ident(self, request) -> str | None:
        return client_address(request)


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's (by person; by client_address for an anonymous request)."""

    def get_ident(self, request) -> str | None:
        return client_address(request)

"""The login throttle's rules, plugged into django-axes by the AXES_* settings.

Axes keeps every failed password login as a row (its AccessAttempt) in the database, so the
throttle holds while Redis is down, and admins see and delete the rows in the Django admin.
Failures are counted for a username at one client address, and for the address over every
username. Once either count reaches its limit (LOGIN_FAILURES_PER_USER_AND_ADDRESS,
LOGIN_FAILURES_PER_ADDRESS) the next attempt waits LOGIN_WAIT_SECONDS after the latest
failure; each further failure doubles the wait, up to LOGIN_MAX_WAIT_SECONDS. An attempt
made while waiting is refused without its password being checked, and is not counted.
Failures are forgotten LOGIN_FAILURE_WINDOW_SECONDS after the latest one, and those of a
username at an address when it logs in there.

Only failures from a person's own address make them wait, so nobody elsewhere can lock
them out; an address trying many usernames is held back by its own, looser, limit.
Single sign-on is not throttled here: no password is tried, the provider guards its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

LOCKED = "locked"  # the code of the login forms' error for a refused attempt (forms.py)


@dataclass(frozen=True)
class Failures:
    """The failures remembered for a username at an address, or for an address."""

    count: int
    latest: datetime | None

    def wait_ends(self, limit: int) -> datetime | None:
        """When the wait these failures earned against ``limit`` ends; None below it."""
        if self.count < limit or self.latest is None:
            return None
        return self.latest + wait_after(self.count - limit)


def wait_after(failures_beyond_limit: int) -> timedelta:
    """The wait earned at the limit, doubled for each failure beyond it, capped."""
    # The exponent is bounded only to keep the number small; the cap decides.
    seconds = settings.LOGIN_WAIT_SECONDS * 2 ** min(failures_beyond_limit, 32)
    return timedelta(seconds=min(seconds, settings.LOGIN_MAX_WAIT_SECONDS))


def _total(attempts: QuerySet) -> Failures:
    totals = attempts.aggregate(count=Sum("failures_since_start"), latest=Max("attempt_time"))
    return Failures(totals["count"] or 0, totals["latest"])


def _failures(request: HttpRequest, credentials: dict | None) -> tuple[Failures, Failures]:
    """This username's failures at this address, and the address's over every username."""
    # The rows axes counts itself (get_failures): this address's, within the cool-off window.
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    username = get_client_username(request, credentials)
    return _total(attempts.filter(username=username)), _total(attempts)


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """AXES_FAILURE_LIMIT: how many failures this username may have at this address before
    its next attempt is refused (axes compares it with the count of the same rows).

    LOGIN_FAILURES_PER_USER_AND_ADDRESS, until the wait that many earned has passed: then one
    more than it has, so one attempt goes through, whose failure earns twice the wait. None
    while the address as a whole must wait, whatever the username.
    """
    mine, address = _failures(request, credentials)
    now = request.axes_attempt_time
    address_waits_until = address.wait_ends(settings.LOGIN_FAILURES_PER_ADDRESS)
    if address_waits_until is not None and now < address_waits_until:
        return 0
    limit = settings.LOGIN_FAILURES_PER_USER_AND_ADDRESS
    waits_until = mine.wait_ends(limit)
    if waits_until is not None and now >= waits_until:
        return mine.count + 1
    return limit


def retry_after(request: HttpRequest, credentials: dict | None) -> timedelta:
    """How long until this username may try again at this address (zero if it may now)."""
    mine, address = _failures(request, credentials)
    ends = [
        mine.wait_ends(settings.LOGIN_FAILURES_PER_USER_AND_ADDRESS),
        address.wait_ends(settings.LOGIN_FAILURES_PER_ADDRESS),
    ]
    # From the clock, not the request's start: a new row's time is when it was written.
    now = timezone.now()
    return max(max((end for end in ends if end is not None), default=now) - now, timedelta(0))


def is_not_a_password_attempt(request: HttpRequest, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: a sign-in without a password (single sign-on's) is neither
    held back nor counted; the throttle is for guessed passwords."""
    return (credentials or {}).get("password") is None


def lockout_message(request: HttpRequest) -> str:
    """What a person whose attempt the throttle refused is told: to wait, and how long."""
    wait = retry_after(request, request.axes_credentials)
    minutes = max(math.ceil(wait.total_seconds() / 60), 1)
    return (
        "Too many failed attempts to log in. For your security, wait "
        f"{minutes} minute{'s' if minutes != 1 else ''} and then try again. "
        "If you have forgotten your password, ask a CoE admin."
    )


def lockout_response(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the answer to an attempt the throttle refused, or to the
    failure that reached a limit. A login page has already said so in its own look
    (forms.LockoutMessageMixin) and only gets the status; anything else gets the message."""
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form") if isinstance(original_response, TemplateResponse) else None
    if form is not None and form.has_error(NON_FIELD_ERRORS, LOCKED):
        response = original_response
    else:
        response = HttpResponse(lockout_message(request), content_type="text/plain; charset=utf-8")
    response.status_code = 429
    wait = retry_after(request, credentials)
    response["Retry-After"] = str(max(math.ceil(wait.total_seconds()), 1))
    return response

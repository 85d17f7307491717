"""The login throttle (django-axes with coe_portal/login_throttle.py's rules): per username
at an address and per address, growing waits, every password login, the database only.

Limits here are small (3 per username at an address, 6 per address, waits of 1 to 4
minutes). Time passes by moving the recorded attempts into the past (``pass_time``): the
throttle reads nothing else that ages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from coe_portal.login_throttle import is_not_a_password_attempt
from coe_portal.throttling import AnonRateThrottle, client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests-only"
HOME, ELSEWHERE = "10.0.0.1", "10.0.0.2"
WRONG_PASSWORD = b"Please enter a correct username and password"
LOCKED = b"Too many failed attempts to log in"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.LOGIN_FAILURES_PER_USER_AND_ADDRESS = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    settings.LOGIN_WAIT_SECONDS = 60
    settings.LOGIN_MAX_WAIT_SECONDS = 240


def log_in(client, username="emma", password=PASSWORD, address=HOME, path=None, **headers):
    data = {"username": username, "password": password}
    return client.post(path or reverse("login"), data, REMOTE_ADDR=address, **headers)


def fail(client, times=1, **kwargs):
    for _ in range(times):
        response = log_in(client, password="not-the-password", **kwargs)
    return response


def pass_time(seconds: int) -> None:
    """Time passes for the throttle: every recorded attempt becomes that much older."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_locked(response, minutes: int) -> None:
    assert response.status_code == 429
    assert LOCKED in response.content
    wait = f"wait {minutes} minute{'s' if minutes != 1 else ''} and then try again"
    assert wait.encode() in response.content


def test_failures_up_to_the_limit_say_the_password_was_wrong(client, employee):
    for _ in range(2):
        response = fail(client)
        assert response.status_code == 200
        assert WRONG_PASSWORD in response.content


def test_the_limit_holds_back_even_the_right_password_on_the_login_page(client, employee):
    assert_locked(fail(client, times=3), minutes=1)

    response = log_in(client)

    assert_locked(response, minutes=1)
    assert response["Retry-After"] == "60"
    assert not logged_in(client)
    # The portal's own login page says so, form and all, not a bare error page.
    page = response.content.decode()
    assert "<h1>CoE Portal</h1>" in page and 'name="password"' in page


def test_nobody_elsewhere_can_lock_a_person_out(client, employee):
    fail(client, times=5)  # someone at another address keeps trying Emma's name

    assert log_in(client, address=ELSEWHERE).status_code == 302
    assert logged_in(client)


def test_the_wait_doubles_with_each_failure_after_it_up_to_the_longest(client, employee):
    fail(client, times=3)
    pass_time(50)
    assert_locked(log_in(client), minutes=1)  # still waiting; the right password is not read
    assert AccessAttempt.objects.get().failures_since_start == 3  # and the try is not counted

    pass_time(11)
    assert_locked(fail(client), minutes=2)  # one try once the wait is over; it failed
    pass_time(110)
    assert_locked(log_in(client), minutes=1)
    pass_time(11)
    assert_locked(fail(client), minutes=4)
    pass_time(241)
    assert_locked(fail(client), minutes=4)  # 8 minutes, but the longest wait is 4

    pass_time(241)
    assert log_in(client).status_code == 302


def test_an_address_trying_many_usernames_waits_for_all_of_them(client, employee):
    for n in range(6):
        response = log_in(client, username=f"guess{n}", password="x")
    assert_locked(response, minutes=1)

    assert_locked(log_in(client), minutes=1)  # a name it never tried
    assert log_in(client, address=ELSEWHERE).status_code == 302

    pass_time(61)
    client.logout()
    assert_locked(log_in(client, username="guess7", password="x"), minutes=2)


def test_the_admin_login_is_throttled_the_same_way(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")

    for _ in range(2):
        response = fail(client, username="root", path=admin_login)
        assert response.status_code == 200
    response = fail(client, username="root", path=admin_login)

    assert_locked(response, minutes=1)
    assert b'id="login-form"' in response.content  # the admin's own login page
    assert_locked(log_in(client, username="root", path=admin_login), minutes=1)
    assert not logged_in(client)
    assert log_in(client, username="root", path=admin_login, address=ELSEWHERE).status_code == 302


def test_one_count_for_the_login_page_and_the_admin_login(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    fail(client, times=2, username="root")

    assert_locked(fail(client, username="root", path=reverse("admin:login")), minutes=1)


def test_the_throttle_holds_while_redis_is_down(client, employee, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "coe_portal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert_locked(fail(client, times=3), minutes=1)
    assert_locked(log_in(client), minutes=1)
    # Counted in the database, where the cache's outage cannot reach.
    assert AccessAttempt.objects.get(username="emma", ip_address=HOME).failures_since_start == 3
    assert log_in(client, address=ELSEWHERE).status_code == 302


def test_a_successful_login_starts_the_username_afresh(client, employee):
    fail(client, times=2)
    assert log_in(client).status_code == 302
    client.logout()

    assert fail(client, times=2).status_code == 200
    assert log_in(client).status_code == 302


def test_a_successful_login_keeps_the_addresss_other_failures(client, employee):
    for n in range(5):
        log_in(client, username=f"guess{n}", password="x")
    assert log_in(client).status_code == 302  # an attacker with an account of their own
    client.logout()

    assert_locked(log_in(client, username="guess9", password="x"), minutes=1)


def test_admins_see_the_attempts_and_deleting_one_lifts_the_wait(client, employee):
    fail(client, times=3)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_client = type(client)()
    admin_client.force_login(admin)

    attempts = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert attempts.status_code == 200
    assert b"emma" in attempts.content and HOME.encode() in attempts.content
    failures = admin_client.get(reverse("admin:axes_accessfailurelog_changelist"))
    assert failures.status_code == 200 and b"emma" in failures.content
    assert AccessFailureLog.objects.filter(username="emma", ip_address=HOME).count() == 3

    attempt = AccessAttempt.objects.get(username="emma")
    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert not AccessAttempt.objects.exists()
    assert log_in(client).status_code == 302


def test_single_sign_on_is_not_held_back_or_counted():
    assert is_not_a_password_attempt(None, {"username": None, "password": None, "nonce": "n"})
    assert is_not_a_password_attempt(None, {"nonce": "********************"})
    assert not is_not_a_password_attempt(None, {"username": "emma", "password": "x"})


def _settings_for(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import json, coe_portal.settings as s; print(json.dumps([s.AXES_IPWARE_PROXY_COUNT, "
        "s.AXES_IPWARE_META_PRECEDENCE_ORDER, s.IPWARE_STRICT]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", "DEBUG": "1", **env}, capture_output=True, text=True,
    )  # fmt: skip


@pytest.fixture(params=[0, 1], ids=["no-proxy", "one-proxy"])
def trusted_proxies(request, settings) -> int:
    """The portal configured with TRUSTED_PROXY_COUNT=0 or 1, as its settings read it."""
    result = _settings_for({"TRUSTED_PROXY_COUNT": str(request.param)})
    assert result.returncode == 0, result.stderr
    count, order, strict = json.loads(result.stdout)
    settings.AXES_IPWARE_PROXY_COUNT = count
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(order)
    settings.IPWARE_STRICT = strict
    return request.param


def test_the_client_address_follows_the_trusted_proxies(trusted_proxies):
    # The proxy (10.0.0.254) appended the address it was reached from; the rest is the client's.
    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5"
    )
    expected = {0: "10.0.0.254", 1: "203.0.113.5"}[trusted_proxies]

    assert client_address(request) == expected
    assert AnonRateThrottle().get_ident(request) == expected  # the API's throttle agrees


def test_a_made_up_forwarded_for_never_escapes_the_throttle(client, employee, trusted_proxies):
    # Without proxies the header is the client's own; behind one, its real address is last.
    remote, client_ip = ("10.0.0.254", "203.0.113.5") if trusted_proxies else (HOME, HOME)
    for n in range(3):
        response = fail(client, address=remote, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, {client_ip}")
    assert_locked(response, minutes=1)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {client_ip}

    if trusted_proxies:  # another client behind the same proxy is not held back
        assert log_in(client, address=remote, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT=-1 must be 0 or more"),
        ({"LOGIN_FAILURES_PER_ADDRESS": "2"}, "must be at least LOGIN_FAILURES_PER_USER"),
        ({"LOGIN_MAX_WAIT_SECONDS": "7200"}, "LOGIN_MAX_WAIT_SECONDS < LOGIN_FAILURE_WINDOW"),
    ],
)
def test_settings_refuse_a_throttle_that_cannot_work(env, message):
    result = _settings_for(env)
    assert result.returncode != 0
    assert message in result.stderr

"""Single sign-on end to end: the portal against a real OpenID Connect provider on loopback
(tests/sso_provider.py) with RS256-signed tokens. Django's test client plays the browser;
the portal's backend talks HTTP to the provider for discovery, token, JWKS and userinfo."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from coe_portal import sso
from coe_portal.login_views import SSO_FAILED
from coe_portal.models import User
from coe_portal.roles import Role
from tests.factories import UserFactory
from tests.sso_provider import TestProvider, point_portal_at, rsa_key

pytestmark = pytest.mark.django_db

ALICE = {
    "sub": "idp-0001",
    "email": "alice@example.com",
    "email_verified": True,
    "preferred_username": "alice",
    "given_name": "Alice",
    "family_name": "Liddell",
    "job_title": "Data scientist",
    "department": "finance",
    "groups": ["coe-reviewers", "all-staff"],
}


@pytest.fixture
def provider():
    provider = TestProvider().start()
    provider.claims = dict(ALICE)
    yield provider
    provider.stop()


@pytest.fixture
def sso_on(settings, provider, department, other_department):
    """The portal signing in through the provider, with Finance and Marketing departments."""
    point_portal_at(settings, provider)
    yield provider
    cache.delete(sso._discovery_cache_key(provider.issuer))


def sign_in(client, provider, query: dict | None = None):
    """The browser's round trip: portal -> provider's authorize -> portal's callback.
    Returns the callback's response."""
    start = client.get(reverse("oidc_authentication_init"), query or {})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.issuer}/authorize?")
    sent = dict(parse_qsl(urlsplit(start["Location"]).query))
    assert sent["code_challenge_method"] == "S256" and sent["nonce"] and sent["state"]

    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("oidc_authentication_callback")
    return client.get(back.path, dict(parse_qsl(back.query)))


def signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def role_groups(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_first_sign_in_creates_the_person_with_department_and_roles(client, sso_on):
    response = sign_in(client, sso_on)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = signed_in_user(client)
    assert (user.username, user.email, user.get_full_name(), user.job_title) == (
        "alice",
        "alice@example.com",
        "Alice Liddell",
        "Data scientist",
    )
    assert user.department.code == "finance"
    assert role_groups(user) == {Role.COE_REVIEWER}
    assert not user.has_usable_password()
    # Every part of the protocol went over the wire.
    assert sso_on.requests == [
        "/.well-known/openid-configuration",
        "/authorize",
        "/token",
        "/jwks",
        "/userinfo",
    ]
    assert client.get(reverse("home")).status_code == 200


def test_next_sign_in_follows_the_changed_claims(client, sso_on):
    sign_in(client, sso_on)
    user = signed_in_user(client)
    # Roles the map does not name belong to the portal's admins and survive sign-ins.
    user.groups.add(Group.objects.get_or_create(name=Role.LEADERSHIP)[0])
    client.logout()

    sso_on.claims.update(
        department="Marketing", groups=["coe-admins", "champions"], job_title="Lead"
    )
    sign_in(client, sso_on)

    user = signed_in_user(client)
    assert User.objects.count() == 1  # the same account, updated
    assert user.department.name == "Marketing"
    assert user.job_title == "Lead"
    assert role_groups(user) == {Role.COE_ADMIN, Role.CHAMPION, Role.LEADERSHIP}

    client.logout()
    sso_on.claims.update(department="Dissolved unit", groups=[])
    sign_in(client, sso_on)
    user = signed_in_user(client)
    assert user.department is None
    assert role_groups(user) == {Role.LEADERSHIP}


def test_an_existing_account_is_found_by_email(client, sso_on, employee):
    sso_on.claims.update(email="EMMA@example.com", preferred_username="emma.w")

    sign_in(client, sso_on)

    assert signed_in_user(client) == employee
    employee.refresh_from_db()
    assert employee.email == "EMMA@example.com"
    assert employee.has_usable_password()  # local login keeps working for this account


def test_the_page_asked_for_is_where_sign_in_ends(client, sso_on):
    response = sign_in(client, sso_on, {"next": reverse("how_it_works")})
    assert response["Location"] == reverse("how_it_works")


def test_an_anonymous_visitor_is_sent_to_login_and_back(client, sso_on):
    login = client.get(reverse("how_it_works"))
    assert login.status_code == 302 and login["Location"].startswith(reverse("login"))
    page = client.get(login["Location"])
    assert b"Sign in with single sign-on" in page.content


def wrong_key(provider):
    provider.signing_key = rsa_key("impostor")


REFUSALS = {
    "signed by another key": wrong_key,
    "another nonce": lambda p: p.id_token_overrides.update(nonce="replayed-nonce"),
    "for another client": lambda p: p.id_token_overrides.update(aud="some-other-app"),
    "from another issuer": lambda p: p.id_token_overrides.update(iss="https://evil.example"),
    "expired": lambda p: p.id_token_overrides.update(exp=1_000_000_000, iat=999_999_000),
    "userinfo about someone else": lambda p: p.userinfo_overrides.update(sub="idp-9999"),
    "unverified e-mail": lambda p: p.claims.update(email_verified=False),
    "no e-mail": lambda p: p.claims.pop("email"),
}


@pytest.mark.parametrize("spoil", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_bad_token_or_claim_is_refused(client, sso_on, spoil):
    spoil(sso_on)

    response = sign_in(client, sso_on)

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert not User.objects.filter(email__iexact=ALICE["email"]).exists()
    assert SSO_FAILED in client.get(reverse("login")).content.decode()


def test_an_inactive_account_cannot_sign_in(client, sso_on):
    UserFactory(username="alice", email=ALICE["email"], is_active=False)
    sign_in(client, sso_on)
    assert signed_in_user(client) is None


def test_a_callback_with_a_state_never_issued_is_refused(client, sso_on):
    client.get(reverse("oidc_authentication_init"))
    response = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "forged"})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert "/token" not in sso_on.requests


def test_an_error_from_the_provider_is_shown_on_the_login_page(client, sso_on):
    response = client.get(
        reverse("oidc_authentication_callback"), {"error": "access_denied"}, follow=True
    )
    assert SSO_FAILED in response.content.decode()


def test_an_unreachable_provider_gives_a_message_not_an_error(client, sso_on):
    sso_on.stop()
    response = client.get(reverse("oidc_authentication_init"), follow=True)
    assert response.status_code == 200
    assert SSO_FAILED in response.content.decode()


def test_a_discovery_document_for_another_issuer_is_refused(client, sso_on, settings):
    settings.OIDC_ISSUER = sso_on.issuer + "/"  # not exactly the provider's own
    response = client.get(reverse("oidc_authentication_init"))
    assert response["Location"] == reverse("login")


def test_password_login_still_works_and_never_calls_the_provider(client, sso_on, employee):
    response = client.post(reverse("login"), {"username": "emma", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert signed_in_user(client) == employee
    assert sso_on.requests == []


def test_login_page_offers_single_sign_on_above_the_form(client, sso_on):
    page = client.get(reverse("login")).content.decode()
    assert page.index("Sign in with single sign-on") < page.index('name="password"')


def test_without_local_login_only_single_sign_on_is_offered(client, sso_on, settings, employee):
    settings.LOCAL_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["coe_portal.sso.PortalOIDCBackend"]

    page = client.get(reverse("login")).content.decode()
    assert "Sign in with single sign-on" in page and 'name="password"' not in page
    response = client.post(reverse("login"), {"username": "emma", "password": "pw-for-tests-only"})
    assert response.status_code == 405
    assert signed_in_user(client) is None


def test_with_sso_off_nothing_changes(client, settings):
    assert settings.OIDC_ENABLED is False
    assert b"single sign-on" not in client.get(reverse("login")).content
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404

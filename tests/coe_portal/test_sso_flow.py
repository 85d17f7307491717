"""Single sign-on end to end: the portal against a real OpenID Connect provider on loopback
(tests/sso_provider.py) with RS256-signed tokens. Django's test client plays the browser;
the portal's backend talks HTTP to the provider for discovery, token, JWKS and userinfo."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from coe_portal import sso
from coe_portal.admin import SsoIdentityInline
from coe_portal.login_views import SSO_FAILED
from coe_portal.models import SsoIdentity, User
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


def test_a_plain_account_with_the_verified_address_is_linked(client, sso_on, employee):
    sso_on.claims.update(email="EMMA@example.com", preferred_username="emma.w")

    sign_in(client, sso_on)

    assert signed_in_user(client) == employee
    employee.refresh_from_db()
    assert employee.email == "EMMA@example.com"
    assert employee.has_usable_password()  # local login keeps working for this account
    assert linked_users(sso_on) == {"idp-0001": "emma"}


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


# --- Who signs in: the identity at the provider, not the address -----------------------


def linked_users(provider) -> dict[str, str]:
    """The provider's subjects linked in the portal, each to its person's username."""
    identities = SsoIdentity.objects.filter(issuer=provider.issuer).select_related("user")
    return {identity.subject: identity.user.username for identity in identities}


def assert_refused(client, response) -> None:
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_user(client) is None
    assert SSO_FAILED in client.get(reverse("login")).content.decode()


def test_first_sign_in_stores_the_identity_from_the_id_token(client, sso_on):
    # Userinfo cannot name another issuer: the identity is the checked ID token's.
    sso_on.userinfo_overrides.update(iss="https://evil.example")

    sign_in(client, sso_on)

    identity = SsoIdentity.objects.get()
    assert (identity.issuer, identity.subject) == (sso_on.issuer, ALICE["sub"])
    assert identity.user == signed_in_user(client)
    assert identity.last_used_at is not None


def test_a_changed_address_at_the_provider_signs_in_the_same_person(client, sso_on):
    sign_in(client, sso_on)
    alice = signed_in_user(client)
    client.logout()
    # A new address, not (yet) verified: the identity, not the address, finds the person.
    sso_on.claims.update(email="alice.liddell@example.com")
    del sso_on.claims["email_verified"]

    sign_in(client, sso_on)

    assert signed_in_user(client) == alice
    assert User.objects.count() == 1
    alice.refresh_from_db()
    assert alice.email == "alice.liddell@example.com"


def test_an_address_another_account_holds_is_not_copied(client, sso_on, employee):
    sign_in(client, sso_on)
    alice = signed_in_user(client)
    client.logout()
    sso_on.claims.update(email=employee.email.upper())

    sign_in(client, sso_on)

    assert signed_in_user(client) == alice  # still the person the identity names
    alice.refresh_from_db()
    assert alice.email == ALICE["email"]  # not the colleague's
    assert linked_users(sso_on) == {ALICE["sub"]: "alice"}


def superuser(**kwargs):
    return UserFactory(is_superuser=True, is_staff=True, **kwargs)


def staff(**kwargs):
    return UserFactory(is_staff=True, **kwargs)


PRIVILEGED = {
    "superuser": superuser,
    "staff": staff,
    "CoE admin": lambda **kw: UserFactory(roles=[Role.COE_ADMIN], **kw),
    "CoE reviewer": lambda **kw: UserFactory(roles=[Role.COE_REVIEWER], **kw),
    "leadership": lambda **kw: UserFactory(roles=[Role.LEADERSHIP], **kw),
}


def set_verified(claims: dict, verified) -> None:
    """The provider's ``email_verified`` claim: ``"missing"`` leaves it out."""
    if verified == "missing":
        claims.pop("email_verified", None)
    else:
        claims["email_verified"] = verified


@pytest.mark.parametrize("verified", ["missing", True, "true"])
@pytest.mark.parametrize("make", PRIVILEGED.values(), ids=PRIVILEGED.keys())
def test_a_privileged_account_is_never_linked_by_address(client, sso_on, make, verified):
    """The attack of issue 16: a provider user who gives themselves a superuser's address."""
    target = make(username="root", email="Alice@Example.com")
    set_verified(sso_on.claims, verified)

    response = sign_in(client, sso_on)

    assert_refused(client, response)
    assert not SsoIdentity.objects.exists()
    assert User.objects.get() == target  # nobody created beside it either


def test_a_champion_account_is_linked_by_a_verified_address(client, sso_on, champion):
    sso_on.claims.update(email=champion.email, groups=[])

    sign_in(client, sso_on)

    assert signed_in_user(client) == champion
    assert linked_users(sso_on) == {ALICE["sub"]: "chloe"}


@pytest.mark.parametrize("verified", ["missing", False, "false", "yes", 1])
def test_an_unverified_address_links_no_account(client, sso_on, employee, verified):
    sso_on.claims.update(email=employee.email)
    set_verified(sso_on.claims, verified)

    response = sign_in(client, sso_on)

    assert_refused(client, response)
    assert not SsoIdentity.objects.exists()
    assert User.objects.get() == employee


def test_a_new_person_needs_no_verified_claim(client, sso_on):
    del sso_on.claims["email_verified"]  # Entra ID, for one, does not by default
    sign_in(client, sso_on)
    assert linked_users(sso_on) == {ALICE["sub"]: "alice"}


def identity_formset(rf, person, *, add=(), delete=()):
    """The admin's inline of ``person``'s identities (on their user page), bound to a
    superuser's post that adds the (issuer, subject) pairs in ``add`` and deletes the
    identities in ``delete``."""
    request = rf.post("/")
    request.user = superuser(username="root")
    formset_class = SsoIdentityInline(User, admin.site).get_formset(request, person)
    prefix = formset_class.get_default_prefix()
    data = {f"{prefix}-TOTAL_FORMS": len(delete) + len(add), f"{prefix}-INITIAL_FORMS": len(delete)}
    for index, identity in enumerate(delete):
        data |= {
            f"{prefix}-{index}-id": identity.pk,
            f"{prefix}-{index}-issuer": identity.issuer,
            f"{prefix}-{index}-subject": identity.subject,
            f"{prefix}-{index}-DELETE": "on",
        }
    for index, (issuer, subject) in enumerate(add, start=len(delete)):
        data |= {f"{prefix}-{index}-issuer": issuer, f"{prefix}-{index}-subject": subject}
    return formset_class(data, instance=person)


def test_the_user_admin_page_shows_identities_with_the_configured_issuer(client, sso_on, coe_admin):
    client.force_login(superuser(username="root"))
    page = client.get(reverse("admin:coe_portal_user_change", args=[coe_admin.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Single sign-on identities" in html
    assert f'value="{sso_on.issuer}"' in html  # the empty form's issuer, ready to add


def test_an_identity_an_admin_links_signs_in_the_privileged_person(client, sso_on, coe_admin, rf):
    formset = identity_formset(rf, coe_admin, add=[(sso_on.issuer, ALICE["sub"])])
    assert formset.is_valid(), formset.errors
    formset.save()
    # The provider knows the admin by another address and does not vouch for it.
    sso_on.claims.update(email="ada@corp.example.com", groups=["coe-admins"])
    del sso_on.claims["email_verified"]

    sign_in(client, sso_on)

    assert signed_in_user(client) == coe_admin
    assert linked_users(sso_on) == {ALICE["sub"]: "ada"}
    assert SsoIdentity.objects.get().last_used_at is not None


def test_the_admin_cannot_link_a_subject_that_signs_in_someone_else(rf, sso_on, employee, leader):
    SsoIdentity.objects.create(user=employee, issuer=sso_on.issuer, subject=ALICE["sub"])
    formset = identity_formset(rf, leader, add=[(sso_on.issuer, ALICE["sub"])])
    assert not formset.is_valid()
    assert "already signs in another person" in str(formset.errors)


def test_an_identity_the_admin_unlinks_signs_nobody_in(client, sso_on, coe_admin, rf):
    identity = SsoIdentity.objects.create(
        user=coe_admin, issuer=sso_on.issuer, subject=ALICE["sub"]
    )
    sso_on.claims.update(email=coe_admin.email)
    sign_in(client, sso_on)
    assert signed_in_user(client) == coe_admin
    client.logout()

    formset = identity_formset(rf, coe_admin, delete=[identity])
    assert formset.is_valid(), formset.errors
    formset.save()

    # Now only the address is left, and it links no privileged account.
    assert_refused(client, sign_in(client, sso_on))


def test_the_shell_command_links_an_admin_when_only_single_sign_on_is_on(
    client, sso_on, settings, coe_admin, leader
):
    settings.LOCAL_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["coe_portal.sso.PortalOIDCBackend"]
    sso_on.claims.update(email=coe_admin.email)
    assert_refused(client, sign_in(client, sso_on))

    call_command("link_sso_identity", "ada", ALICE["sub"], stdout=io.StringIO())

    sign_in(client, sso_on)
    assert signed_in_user(client) == coe_admin
    with pytest.raises(CommandError, match="already signs in another person"):
        call_command("link_sso_identity", "leo", ALICE["sub"], stdout=io.StringIO())


def test_another_subject_with_a_linked_accounts_address_is_refused(client, sso_on):
    sign_in(client, sso_on)
    client.logout()
    sso_on.claims.update(sub="idp-0002", preferred_username="mallory")

    response = sign_in(client, sso_on)

    assert_refused(client, response)
    assert linked_users(sso_on) == {ALICE["sub"]: "alice"}
    assert User.objects.count() == 1


def test_two_accounts_with_the_address_are_refused(client, sso_on):
    UserFactory(username="alice1", email="alice@example.com")
    UserFactory(username="alice2", email="ALICE@example.com")

    assert_refused(client, sign_in(client, sso_on))
    assert not SsoIdentity.objects.exists()


def test_a_deactivated_linked_person_cannot_sign_in(client, sso_on):
    sign_in(client, sso_on)
    alice = signed_in_user(client)
    client.logout()
    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert_refused(client, sign_in(client, sso_on))


def test_without_account_creation_a_new_identity_is_refused(client, sso_on, settings):
    settings.OIDC_CREATE_USER = False
    assert_refused(client, sign_in(client, sso_on))
    assert not User.objects.exists()

"""Single sign-on rules as tables: settings parsing, and claims to department and roles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from coe_portal import sso
from coe_portal.roles import Role, is_privileged
from coe_portal.sso_config import check_oidc_settings, parse_role_map
from tests.factories import DepartmentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
ROLE_MAP = parse_role_map(
    "coe-admins=CoE admin,coe-reviewers=CoE reviewer,champions=Department champion,"
    "coe-admins=Leadership"
)


# --- OIDC_ROLE_MAP ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", {}),
        ("coe-admins=CoE admin", {"coe-admins": {Role.COE_ADMIN}}),
        (" coe-admins = coe ADMIN , ", {"coe-admins": {Role.COE_ADMIN}}),
        ("leads=leadership", {"leads": {Role.LEADERSHIP}}),
        ("x=COE_REVIEWER", {"x": {Role.COE_REVIEWER}}),
        ("x=CoE admin,x=Leadership", {"x": {Role.COE_ADMIN, Role.LEADERSHIP}}),
        ("a=Leadership,b=Leadership", {"a": {Role.LEADERSHIP}, "b": {Role.LEADERSHIP}}),
    ],
)
def test_role_map_parsing(raw, expected):
    assert parse_role_map(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("coe-admins", "is not 'idp-group=Role name'"),
        ("=CoE admin", "is not 'idp-group=Role name'"),
        ("coe-admins=", "is not 'idp-group=Role name'"),
        ("coe-admins=Superuser", "'Superuser' is not a portal role"),
        ("champs=Champions", "'Champions' is not a portal role"),
        # A group name cannot hold '=': the rest would be read as the role.
        ("CN=AI Champions=Department champion", "is not a portal role"),
    ],
)
def test_role_map_refuses_bad_pairs_with_a_message(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_role_map(raw)


# --- OIDC_* settings ---------------------------------------------------------------------

GOOD = {
    "enabled": True,
    "local_login_enabled": True,
    "issuer": "https://login.example.com/realms/corp",
    "client_id": "coe-portal",
    "client_secret": "secret",
    "sign_algo": "RS256",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": ""}, "needs OIDC_ISSUER"),
        ({"client_id": "", "client_secret": ""}, "needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET"),
        ({"issuer": "login.example.com"}, "is not an http"),
        ({"sign_algo": "none"}, "OIDC_SIGN_ALGO='none'"),
        ({"enabled": False, "local_login_enabled": False}, "nobody can log in"),
    ],
)
def test_oidc_settings_refused(changes, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        check_oidc_settings(**{**GOOD, **changes})


@pytest.mark.parametrize(
    "changes", [{}, {"enabled": False, "issuer": "", "client_id": ""}, {"sign_algo": "ES256"}]
)
def test_oidc_settings_accepted(changes):
    check_oidc_settings(**{**GOOD, **changes})


def _import_settings(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import coe_portal.settings as s; print(s.AUTHENTICATION_BACKENDS)"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", "DEBUG": "1", **env}, capture_output=True, text=True,
    )  # fmt: skip


def test_settings_refuse_an_unknown_role_at_start_up():
    result = _import_settings({"OIDC_ROLE_MAP": "coe-admins=Root"})
    assert result.returncode != 0
    assert "'Root' is not a portal role" in result.stderr


def test_settings_refuse_sso_without_a_client():
    result = _import_settings({"OIDC_ENABLED": "1", "OIDC_ISSUER": "https://idp.example.com"})
    assert result.returncode != 0
    assert "needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET" in result.stderr


def test_settings_read_the_client_secret_from_a_file(tmp_path):
    secret = tmp_path / "oidc-secret"
    secret.write_text("from-a-file\n")
    result = _import_settings(
        {
            "OIDC_ENABLED": "1",
            "OIDC_ISSUER": "https://idp.example.com",
            "OIDC_CLIENT_ID": "coe-portal",
            "OIDC_CLIENT_SECRET_FILE": str(secret),
            "LOCAL_LOGIN_ENABLED": "0",
        }
    )
    assert result.returncode == 0, result.stderr
    # Without local login only the single sign-on backend is left (after the login throttle's).
    backends = "['axes.backends.AxesStandaloneBackend', 'coe_portal.sso.PortalOIDCBackend']"
    assert result.stdout.strip() == backends


def test_sso_is_off_by_default_and_passwords_work():
    result = _import_settings({})
    assert result.returncode == 0, result.stderr
    backends = "['axes.backends.AxesStandaloneBackend', 'coe_portal.backends.PortalModelBackend']"
    assert result.stdout.strip() == backends


# --- Claims -> roles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (None, set()),
        ([], set()),
        (["all-staff"], set()),
        (["coe-reviewers"], {Role.COE_REVIEWER}),
        ("coe-reviewers", {Role.COE_REVIEWER}),  # one group as a plain string
        (["coe-admins"], {Role.COE_ADMIN, Role.LEADERSHIP}),
        (["champions", "coe-reviewers", "x"], {Role.CHAMPION, Role.COE_REVIEWER}),
        (["COE-REVIEWERS"], set()),  # group names are exact
        ([42, {"name": "coe-admins"}], set()),  # junk is ignored, not an error
    ],
)
def test_roles_from_claims(groups, expected):
    claims = {} if groups is None else {"groups": groups}
    assert sso.roles_from_claims(claims, "groups", ROLE_MAP) == expected


@pytest.mark.django_db
def test_role_sync_adds_and_removes_mapped_groups_only(settings):
    settings.OIDC_ROLE_MAP = parse_role_map("coe-admins=CoE admin,coe-reviewers=CoE reviewer")
    user = UserFactory(roles=[Role.COE_ADMIN, Role.LEADERSHIP])

    sso.sync_role_groups(user, {"groups": ["coe-reviewers"]})

    # CoE admin is mapped and no longer granted; Leadership is not in the map: kept.
    assert set(user.groups.values_list("name", flat=True)) == {"CoE reviewer", "Leadership"}
    assert user.role_names == {"CoE reviewer", "Leadership"}


@pytest.mark.django_db
def test_role_sync_does_nothing_without_a_map(settings):
    settings.OIDC_ROLE_MAP = {}
    user = UserFactory(roles=[Role.COE_ADMIN])
    sso.sync_role_groups(user, {"groups": []})
    assert user.role_names == {"CoE admin"}


# --- Claims -> department ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "expected_code"),
    [
        ("finance", "finance"),
        ("FINANCE", "finance"),
        ("Finance", "finance"),
        (" People & Culture ", "people"),
        (["finance", "marketing"], "finance"),
        ("Unknown division", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_department_from_claims(settings, value, expected_code):
    settings.OIDC_DEPARTMENT_CLAIM = "department"
    settings.OIDC_CREATE_DEPARTMENTS = False
    DepartmentFactory(name="Finance", code="finance")
    DepartmentFactory(name="People & Culture", code="people")
    claims = {} if value is None else {"department": value}

    department = sso.department_from_claims(claims)

    assert (department.code if department else None) == expected_code


@pytest.mark.django_db
def test_unknown_department_is_created_when_allowed(settings):
    settings.OIDC_DEPARTMENT_CLAIM = "dept"
    settings.OIDC_CREATE_DEPARTMENTS = True

    department = sso.department_from_claims({"dept": "Supply Chain"})

    assert (department.name, department.code) == ("Supply Chain", "supply-chain")
    assert sso.department_from_claims({"dept": "supply-chain"}) == department


# --- Who may sign in, and as whom --------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "refused"),
    [
        # Many providers never send email_verified: such a person may sign in, but their
        # address links no existing account (email_verified below).
        ({"email": "a@example.com"}, False),
        ({"email": "a@example.com", "email_verified": True}, False),
        ({"email": "a@example.com", "email_verified": False}, True),
        ({"email": "a@example.com", "email_verified": "false"}, True),
        ({"email": ""}, True),
        ({}, True),
    ],
)
def test_email_refusal(claims, refused):
    assert (sso.email_refusal(claims) is not None) is refused


@pytest.mark.parametrize(
    ("value", "verified"),
    [
        (True, True),
        ("true", True),
        (" TRUE ", True),
        (None, False),  # missing
        (False, False),
        ("false", False),
        ("yes", False),
        (1, False),
        ("", False),
    ],
)
def test_email_verified_only_when_the_provider_says_true(value, verified):
    claims = {"email": "a@example.com"} if value is None else {"email_verified": value}
    assert sso.email_verified(claims) is verified


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("account", "privileged"),
    [
        ({}, False),
        ({"roles": [Role.CHAMPION]}, False),
        ({"roles": [Role.COE_REVIEWER]}, True),
        ({"roles": [Role.COE_ADMIN]}, True),
        ({"roles": [Role.LEADERSHIP]}, True),
        ({"roles": [Role.CHAMPION, Role.LEADERSHIP]}, True),
        ({"is_staff": True}, True),
        ({"is_superuser": True}, True),
    ],
)
def test_who_is_privileged(account, privileged):
    assert is_privileged(UserFactory(**account)) is privileged


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"preferred_username": "alice", "email": "alice@example.com"}, "alice"),
        ({"email": "alice@example.com"}, "alice@example.com"),
        # Taken (in another case) by a local account: fall back to the e-mail address.
        ({"preferred_username": "Taken", "email": "t2@example.com"}, "t2@example.com"),
        ({"preferred_username": "has space", "email": "s@example.com"}, "s@example.com"),
        ({"preferred_username": "taken", "email": "taken"}, None),
    ],
)
def test_free_username(claims, expected):
    UserFactory(username="taken")
    assert sso.free_username(claims) == expected

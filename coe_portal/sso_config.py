"""Parsing of the single sign-on settings that settings.py needs before the apps load.

Kept free of models so that a bad value stops the portal at start-up with a message naming
the variable, like every other setting (see env.py).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from coe_portal.choices import Role

# What OIDC_SIGN_ALGO may be: RS*/ES* are checked against the provider's JWKS, HS256 against
# the client secret. "none" is never accepted.
SIGN_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256"})


def _role_named(text: str) -> Role | None:
    """The role a configuration names, by its group name ("CoE admin") or its code name
    ("COE_ADMIN"), either case."""
    wanted = text.strip().casefold()
    for role in Role:
        if wanted in (role.value.casefold(), role.name.casefold()):
            return role
    return None


def parse_role_map(raw: str, *, variable: str = "OIDC_ROLE_MAP") -> dict[str, frozenset[Role]]:
    """``"coe-admins=CoE admin,coe-reviewers=CoE reviewer"`` as {idp group: roles}.

    An identity-provider group may appear more than once to grant several roles. Group names
    are compared exactly (providers treat them as opaque ids); role names must be the
    portal's, or the whole value is refused.
    """
    mapping: dict[str, set[Role]] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        group, sep, role_text = item.partition("=")
        group = group.strip()
        if not sep or not group or not role_text.strip():
            raise ImproperlyConfigured(
                f"{variable}: {item.strip()!r} is not 'idp-group=Role name'. "
                "Write pairs separated by commas, e.g. 'coe-admins=CoE admin'."
            )
        role = _role_named(role_text)
        if role is None:
            known = ", ".join(repr(r.value) for r in Role)
            raise ImproperlyConfigured(
                f"{variable}: {role_text.strip()!r} is not a portal role; use one of {known}."
            )
        mapping.setdefault(group, set()).add(role)
    return {group: frozenset(roles) for group, roles in mapping.items()}


def check_oidc_settings(
    *,
    enabled: bool,
    local_login_enabled: bool,
    issuer: str,
    client_id: str,
    client_secret: str,
    sign_algo: str,
) -> None:
    """Refuse a configuration that would fail at the first login, or lock everyone out."""
    if not enabled:
        if not local_login_enabled:
            raise ImproperlyConfigured(
                "LOCAL_LOGIN_ENABLED=0 needs OIDC_ENABLED=1: otherwise nobody can log in."
            )
        return
    missing = [
        name
        for name, value in [
            ("OIDC_ISSUER", issuer),
            ("OIDC_CLIENT_ID", client_id),
            ("OIDC_CLIENT_SECRET", client_secret),
        ]
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            f"OIDC_ENABLED=1 needs {', '.join(missing)} (the secret may come from "
            "OIDC_CLIENT_SECRET_FILE)."
        )
    if not issuer.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"OIDC_ISSUER={issuer!r} is not an http(s) URL.")
    if sign_algo not in SIGN_ALGORITHMS:
        raise ImproperlyConfigured(
            f"OIDC_SIGN_ALGO={sign_algo!r}: use one of {', '.join(sorted(SIGN_ALGORITHMS))}."
        )

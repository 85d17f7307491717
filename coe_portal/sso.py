"""Single sign-on with OpenID Connect: who a person is, their department and their roles,
as the company's identity provider (IdP) says.

mozilla-django-oidc runs the authorisation-code flow; this module adds what the portal needs:

- the provider's endpoints come from its discovery document (the library has no discovery),
  fetched when a sign-in first needs them and cached; endpoints set in the settings win;
- ID tokens are checked for issuer, audience and expiry as well as signature and nonce
  (the library checks only the last two), and userinfo must be about the same subject;
- a person is found by their identity at the IdP, the ID token's issuer and subject
  (SsoIdentity), never by e-mail address: an address is only a claim, and IdPs that let
  people edit theirs would otherwise hand out other people's accounts;
- without an identity, the address (any case) decides once. No account has it: the person
  and their identity are created. One account has it: the identity is linked to it only when
  the IdP says ``email_verified`` is true (missing counts as unverified), the account is not
  privileged (roles.is_privileged: staff, superusers, CoE admins, reviewers, leadership) and
  has no identity at this IdP yet. Anything else, two accounts sharing the address included,
  is refused and logged; a CoE admin then links the identity on the person's admin page.
  Claims without an address, or with ``email_verified: false``, are always refused;
- on every sign-in the names, e-mail, job title, department and the role groups named in
  OIDC_ROLE_MAP are set from the claims. Role groups that the map never names stay as the
  portal's admins set them. A new address that another account already holds is not
  copied (the old one stays, and a warning is logged): two accounts must not share the
  address that links accounts.

A department claim is matched to a Department's code or name (either case). An unknown
department leaves the person without one (and is logged) unless OIDC_CREATE_DEPARTMENTS is
on: departments carry champions and readiness assessments, so a typo in the IdP should not
silently start a new one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any, NoReturn

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from coe_portal.backends import load_user
from coe_portal.choices import Role
from coe_portal.models import Department, SsoIdentity
from coe_portal.roles import is_privileged

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 60 * 60
# Clock difference tolerated between the provider and the portal when checking exp and iat.
CLOCK_LEEWAY_SECONDS = 60

# The library's setting for each endpoint, and the discovery document's field for it.
_DISCOVERED_FIELDS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class ProviderError(Exception):
    """The identity provider could not be reached or described itself wrongly."""


# --- Discovery ---------------------------------------------------------------------------


def _discovery_cache_key(issuer: str) -> str:
    return "oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()[:32]


def discovery_document() -> dict[str, Any]:
    """The issuer's ``/.well-known/openid-configuration``, cached for an hour (in Redis in
    production, so every web process shares one copy)."""
    issuer = settings.OIDC_ISSUER
    key = _discovery_cache_key(issuer)
    document = cache.get(key)
    if document is not None:
        return document
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(f"discovery document {url} unavailable: {exc}") from exc
    # OpenID Connect Discovery 1.0, section 4.3: the issuer must be exactly the one asked.
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise ProviderError(f"discovery document {url} names another issuer")
    cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def provider_endpoint(setting: str) -> str:
    """The endpoint for one of the library's OIDC_OP_* settings: the setting when given,
    otherwise the discovery document's."""
    explicit = getattr(settings, setting, "")
    if explicit:
        return explicit
    value = discovery_document().get(_DISCOVERED_FIELDS[setting])
    if not value:
        raise ProviderError(f"the discovery document has no {_DISCOVERED_FIELDS[setting]}")
    return value


# --- Claims -> portal ---------------------------------------------------------------------


def claim_text(claims: Mapping[str, Any], name: str) -> str:
    """A claim as one stripped string ("" when absent); a list counts as its first item."""
    if not name:
        return ""
    value = claims.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def claim_list(claims: Mapping[str, Any], name: str) -> list[str]:
    """A claim holding several values (a list, or one string) as a list of strings."""
    value = claims.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, str)]


def roles_from_claims(
    claims: Mapping[str, Any], claim: str, role_map: Mapping[str, frozenset[Role]]
) -> set[Role]:
    """The portal roles the person's IdP groups grant under ``role_map``."""
    roles: set[Role] = set()
    for group in claim_list(claims, claim):
        roles |= role_map.get(group, frozenset())
    return roles


def email_refusal(claims: Mapping[str, Any]) -> str | None:
    """Why these claims cannot sign anyone in, or None. The e-mail address is copied onto
    the account and may create or link one, so it must be there and not declared
    unverified."""
    if not claim_text(claims, "email"):
        return "the provider sent no e-mail address"
    if _verified_flag(claims) is False:
        return "the provider says the e-mail address is not verified"
    return None


def _verified_flag(claims: Mapping[str, Any]) -> bool | None:
    """The ``email_verified`` claim: True or False as a boolean or as the string some IdPs
    send; None when missing or anything else."""
    verified = claims.get("email_verified")
    if isinstance(verified, str):
        verified = {"true": True, "false": False}.get(verified.strip().lower())
    return verified if isinstance(verified, bool) else None


def email_verified(claims: Mapping[str, Any]) -> bool:
    """True only when the IdP vouches for the address. Many IdPs never send the claim;
    missing is unverified."""
    return _verified_flag(claims) is True


def link_refusal(user, claims: Mapping[str, Any]) -> str | None:
    """Why the existing account holding the claims' address may not be linked to the
    claims' identity (issuer and subject), or None. Linking hands the account to whoever
    controls that identity, so it needs an address the IdP vouches for, and a privileged
    account is linked only by an admin."""
    if not email_verified(claims):
        return "the IdP does not say the e-mail address is verified, so it links no account"
    if not user.is_active:
        return f"account {user.pk} holding the address is deactivated"
    if is_privileged(user):
        return f"account {user.pk} holding the address is privileged: an admin links it"
    if user.sso_identities.filter(issuer=claims["iss"]).exists():
        return f"account {user.pk} holding the address has another identity at this IdP"
    return None


def refuse_sign_in(claims: Mapping[str, Any], reason: str) -> NoReturn:
    """Log why and stop the sign-in; the library turns SuspiciousOperation into a failed
    login, and the callback view into the SSO_FAILED message on the login page."""
    logger.warning("Single sign-on refused for sub %r: %s", claims.get("sub"), reason)
    raise SuspiciousOperation(f"single sign-on refused: {reason}")


def link_identity(user, claims: Mapping[str, Any]) -> SsoIdentity:
    """Record that the claims' identity (issuer and subject) signs in ``user``."""
    return SsoIdentity.objects.create(
        user=user, issuer=claims["iss"], subject=claims["sub"], last_used_at=timezone.now()
    )


def department_from_claims(claims: Mapping[str, Any]) -> Department | None:
    """The Department the claim names (by code or name, either case); None when the claim
    is empty or unknown, or a new Department when OIDC_CREATE_DEPARTMENTS is on."""
    value = claim_text(claims, settings.OIDC_DEPARTMENT_CLAIM)
    if not value:
        return None
    department = Department.objects.filter(Q(code__iexact=value) | Q(name__iexact=value)).first()
    if department is not None:
        return department
    if not settings.OIDC_CREATE_DEPARTMENTS:
        logger.warning("Single sign-on: department %r is not in the portal; left empty", value)
        return None
    code = slugify(value)[:40]
    if not code:
        logger.warning("Single sign-on: department %r gives no usable code; left empty", value)
        return None
    department, _ = Department.objects.get_or_create(code=code, defaults={"name": value[:120]})
    return department


def sync_role_groups(user, claims: Mapping[str, Any]) -> None:
    """Put the person in exactly the mapped role groups their IdP groups grant; role groups
    the map never names are left alone."""
    role_map: Mapping[str, frozenset[Role]] = settings.OIDC_ROLE_MAP
    if not settings.OIDC_ROLES_CLAIM or not role_map:
        return
    managed = set().union(*role_map.values())
    wanted = roles_from_claims(claims, settings.OIDC_ROLES_CLAIM, role_map)
    user.groups.remove(*Group.objects.filter(name__in=managed - wanted))
    user.groups.add(*[Group.objects.get_or_create(name=role.value)[0] for role in wanted])
    # The cached_property on User, and the names read with the person at login.
    user.__dict__.pop("role_names", None)
    user.__dict__.pop("role_list", None)


def apply_claims(user, claims: Mapping[str, Any]) -> None:
    """Copy who the person is from the claims onto the user, in one transaction."""
    with transaction.atomic():
        email = claim_text(claims, "email")
        if email.lower() != user.email.lower() and _address_taken(email, user):
            # Refusing the sign-in would lock the person out over another account; copying
            # would give two accounts the address that links accounts. Keep the old one
            # until an admin sorts the two out.
            logger.warning(
                "Single sign-on kept the old e-mail address of user %s: the IdP's new one "
                "belongs to another account",
                user.pk,
            )
        else:
            user.email = email
        user.first_name = claim_text(claims, "given_name")[:150] or user.first_name
        user.last_name = claim_text(claims, "family_name")[:150] or user.last_name
        job_title = claim_text(claims, settings.OIDC_JOB_TITLE_CLAIM)
        if job_title:
            user.job_title = job_title[:120]
        if settings.OIDC_DEPARTMENT_CLAIM:
            user.department = department_from_claims(claims)
        user.save()
        sync_role_groups(user, claims)


def _address_taken(email: str, user) -> bool:
    """True when an account other than ``user`` has ``email`` (any case)."""
    return get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


def free_username(claims: Mapping[str, Any]) -> str | None:
    """A username for a new account: the IdP's preferred_username, else the e-mail
    address; the first that is valid and not taken (either case) by another account."""
    User = get_user_model()
    for candidate in (claim_text(claims, "preferred_username"), claim_text(claims, "email")):
        candidate = candidate[:150]
        if not candidate:
            continue
        try:
            User.username_validator(candidate)
        except ValidationError:
            continue
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    return None


# --- The authentication backend -----------------------------------------------------------


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with discovery, full ID-token checks, sign-in by
    identity and the claim rules above. Listed in AUTHENTICATION_BACKENDS only when
    OIDC_ENABLED is on."""

    def __init__(self, *args, **kwargs):
        # The library reads every endpoint here. Django builds each backend for every
        # password login too, so the endpoints (and discovery) wait for a real callback.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; a password form posted to a URL that happens
        # to carry ?code=&state= must not start a token exchange.
        if request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        if not request.GET.get("code") or not request.GET.get("state"):
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = provider_endpoint("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = provider_endpoint("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = (
            provider_endpoint("OIDC_OP_JWKS_ENDPOINT")
            if not self.OIDC_RP_SIGN_ALGO.startswith("HS")
            else None
        )
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        """The session's person with their roles in one query (coe_portal.backends), and,
        as with passwords, nobody once their account is deactivated."""
        user = load_user(user_id)
        return user if user is not None and user.is_active else None

    def _verify_jws(self, payload, key):
        """The signature, with the algorithm pinned, plus issuer, audience and expiry."""
        try:
            alg = jwt.get_unverified_header(payload).get("alg")
            if alg != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation(
                    f"token signed with {alg!r}, expected {self.OIDC_RP_SIGN_ALGO!r}"
                )
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"token refused: {exc}") from exc

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except (jwt.PyJWTError, KeyError) as exc:
            raise SuspiciousOperation(f"no usable signing key in the JWKS: {exc!r}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        """Userinfo claims over the ID token's; both must describe the same subject. The
        issuer and subject, which find the person, are always the checked ID token's."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        return {**payload, **userinfo, "iss": payload["iss"], "sub": payload["sub"]}

    def verify_claims(self, claims) -> bool:
        reason = email_refusal(claims)
        if reason:
            logger.warning("Single sign-on refused for sub %r: %s", claims.get("sub"), reason)
        return reason is None

    def get_or_create_user(self, access_token, id_token, payload):
        """The person the tokens sign in: the one their identity (issuer, subject) is
        linked to; else, by e-mail address, an account linked under link_refusal's rules
        or a new one (the module docstring has the whole rule)."""
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("claims refused")
        identity = (
            SsoIdentity.objects.select_related("user")
            .filter(issuer=claims["iss"], subject=claims["sub"])
            .first()
        )
        if identity is not None:
            if not identity.user.is_active:
                refuse_sign_in(claims, f"linked account {identity.user_id} is deactivated")
            SsoIdentity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())
            return self.update_user(identity.user, claims)
        try:
            with transaction.atomic():
                return self._link_or_create(claims)
        except IntegrityError as exc:
            # Race: two first sign-ins of one person at once (two tabs) both found no
            # identity; the unique constraints let one of them write it. The other is
            # refused, and trying again finds the identity.
            refuse_sign_in(claims, f"a simultaneous sign-in wrote this identity first ({exc})")

    def _link_or_create(self, claims):
        """For an identity seen for the first time: link the one account with its address,
        or create the person, or refuse."""
        email = claim_text(claims, "email")
        accounts = list(self.UserModel.objects.filter(email__iexact=email)[:2])
        if len(accounts) > 1:
            refuse_sign_in(claims, "several accounts have the e-mail address: an admin links one")
        if accounts:
            account = accounts[0]
            reason = link_refusal(account, claims)
            if reason:
                refuse_sign_in(claims, reason)
            link_identity(account, claims)
            logger.info("Single sign-on linked user %s to sub %r", account.pk, claims["sub"])
            return self.update_user(account, claims)
        if not settings.OIDC_CREATE_USER:
            logger.info(
                "Single sign-on: no account for sub %r and OIDC_CREATE_USERS is off",
                claims["sub"],
            )
            return None
        return self.create_user(claims)

    def create_user(self, claims):
        """A new person with the claims' identity linked."""
        username = free_username(claims)
        if username is None:
            raise SuspiciousOperation("no free username for this person")
        with transaction.atomic():
            user = self.UserModel.objects.create_user(username, email=claim_text(claims, "email"))
            link_identity(user, claims)
            apply_claims(user, claims)
        logger.info("Single sign-on created user %s", username)
        return user

    def update_user(self, user, claims):
        apply_claims(user, claims)
        return user

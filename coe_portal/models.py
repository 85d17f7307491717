"""The shared core: people, departments and the portal-wide settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS as KNOX

from coe_portal.limits import LongTextField

# Single sign-on's model has its own module; imported here so the app registers it.
from coe_portal.sso_models import SsoIdentity as SsoIdentity


class Department(models.Model):
    """A part of the company that proposes use cases and has its own champions."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. 'finance'.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PortalUserManager(UserManager):
    def with_role_names(self) -> models.QuerySet:
        """People with the names of their role groups (``User.role_names``) read in the
        same query, for the person every request loads (coe_portal.backends). Only
        PostgreSQL has the array subquery; elsewhere the names cost their own query."""
        if not settings.IS_POSTGRES:
            return self.all()
        return self.annotate(role_list=RawSQL(_role_names_sql(), []))  # noqa: S611 (no input)


def _role_names_sql() -> str:
    """The array of the person's group names, in SQL. Written out rather than built with
    ArraySubquery: compiling that costs about 0.9 ms a request, as much as the query it
    saves; this costs 0.3 ms (measured on the bench data)."""
    groups, links, users = (
        Group._meta.db_table, User.groups.through._meta.db_table, User._meta.db_table
    )  # fmt: skip
    # The models' own table names; no input.
    sql = "ARRAY(SELECT g.name FROM {} g JOIN {} l ON g.id = l.group_id WHERE l.user_id = {}.id)"
    return sql.format(groups, links, users)


class User(AbstractUser):
    """A person who can log in. Everyone is an employee; roles come from groups (roles.py)."""

    objects = PortalUserManager()

    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    job_title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The names of the person's role groups, read once per request."""
        names = self.__dict__.get("role_list")  # read with the person (with_role_names)
        if names is None:
            names = self.groups.values_list("name", flat=True)
        return frozenset(names)


class DataSensitivity(models.TextChoices):
    """How sensitive data is, in increasing order (intake asks it; platforms are cleared up to one)."""

    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"

    @classmethod
    def rank(cls, value: str) -> int:
        return cls.values.index(value)


class AIPlatform(models.Model):
    """An AI platform or model people may propose to use; governance decides its status."""

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        RESTRICTED = "restricted", "Restricted"  # allowed only with the CoE's conditions
        PROHIBITED = "prohibited", "Prohibited"

    name = models.CharField(max_length=120, unique=True)
    vendor = models.CharField(max_length=120, blank=True)
    description = LongTextField(blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RESTRICTED, db_index=True
    )
    max_data_sensitivity = models.CharField(
        max_length=20,
        choices=DataSensitivity.choices,
        default=DataSensitivity.INTERNAL,
        help_text="The most sensitive data this platform is cleared to receive.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "AI platform"

    def __str__(self) -> str:
        return self.name

    def accepts(self, sensitivity: str) -> bool:
        """True when the platform may be used (approved or restricted) for data of
        ``sensitivity``."""
        return self.status != self.Status.PROHIBITED and DataSensitivity.rank(
            sensitivity
        ) <= DataSensitivity.rank(self.max_data_sensitivity)


def choosable_platforms() -> models.QuerySet:
    """The platforms a proposal may name: every one the CoE has not prohibited."""
    return AIPlatform.objects.exclude(status=AIPlatform.Status.PROHIBITED)


def validate_platform_choice(platform: AIPlatform | None) -> None:
    """Refuse (ValidationError) a platform a proposal may not name, saying why and what to do.

    The one rule for the intake form, the API and the CSV import: a prohibited platform is
    refused the same way everywhere, and a restricted one is allowed (the CoE sets its
    conditions in review; the form only warns).
    """
    if platform is not None and platform.status == AIPlatform.Status.PROHIBITED:
        raise ValidationError(
            f"{platform} is prohibited by the CoE and cannot be proposed: choose an approved "
            "or restricted platform.",
            code="prohibited_platform",
        )


class OperatingModel(models.TextChoices):
    CENTRALIZED = "centralized", "Centralized"
    FEDERATED = "federated", "Federated"
    HYBRID = "hybrid", "Hybrid"


class PortalSettings(models.Model):
    """The single row of portal-wide settings that CoE admins edit (see PortalSettings.load)."""

    operating_model = models.CharField(
        max_length=20, choices=OperatingModel.choices, default=OperatingModel.CENTRALIZED
    )
    review_sla_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text="Working days a review may take before it counts as overdue.",
    )
    how_it_works = LongTextField(blank=True, help_text="The 'How the CoE works' page, in Markdown.")
    how_it_works_updated_at = models.DateTimeField(null=True, blank=True)
    how_it_works_updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    worker_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time a Celery worker ran the heartbeat task."
    )

    class Meta:
        verbose_name = "portal settings"
        verbose_name_plural = "portal settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="portal_settings_single_row"),
        ]

    def __str__(self) -> str:
        return "Portal settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> PortalSettings:
        """The one row, created with defaults on first use."""
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class OutboxMessage(models.Model):
    """A side effect of a committed change (a notification, an email, a queued job), written
    in the same transaction as the change and delivered after it: at once through Celery
    when the broker answers, otherwise by the periodic re-send. ``handler`` is the dotted
    path of a function called with ``kwargs``; it must be safe to call again after a crash."""

    handler = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(delivered_at__isnull=True),
                name="outbox_undelivered",
            )
        ]

    def __str__(self) -> str:
        state = "delivered" if self.delivered_at else f"pending ({self.attempts} attempts)"
        return f"{self.handler}({self.kwargs}) {state}"


class ApiToken(AbstractAuthToken):
    """A person's API token (django-rest-knox, swapped in by KNOX_TOKEN_MODEL). Only a SHA-512
    digest of the key and the key's first characters (``token_key``, to find the row) are
    kept: the key itself is shown once, when it is made (coe_portal/tokens.py). Every token
    expires; a person holds several, each named for what uses it."""

    # knox makes the digest the primary key; here rows are named by a plain id instead, so
    # no digest ever appears in a URL, a form or the admin.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=KNOX.DIGEST_LENGTH, unique=True, editable=False)
    expiry = models.DateTimeField()  # required: knox's null means "never expires"
    name = models.CharField(
        max_length=50, help_text="What uses the token, e.g. 'Reporting script'."
    )
    # The form's one-time key: a form sent twice (a double click, a reload) makes one token.
    creation_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "creation_key"], name="api_token_made_once_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user}, {self.token_key}…)"

"""Use-case proposals and their append-only event log."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from coe_portal.models import AIPlatform, DataSensitivity, Department
from coe_portal.roles import Role, has_role, sees_everything
from usecases.choices import OPEN_STATUSES, Category, Effort, Quadrant, Status


class UseCaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> UseCaseQuerySet:
        """The proposals ``user`` may see. Every list, search, export and API uses this.

        Drafts are their owner's alone. Submitted proposals are open to everyone unless
        confidential; confidential ones to the owner, the department's champions, CoE
        reviewers and admins, and leadership.
        """
        if not user.is_authenticated:
            return self.none()
        own = Q(owner=user)
        if sees_everything(user):
            return self.filter(own | ~Q(status=Status.DRAFT))
        shared = ~Q(status=Status.DRAFT) & Q(confidential=False)
        if has_role(user, Role.CHAMPION) and user.department_id:
            shared |= ~Q(status=Status.DRAFT) & Q(department_id=user.department_id)
        return self.filter(own | shared)


class UseCase(models.Model):
    """A proposed generative-AI use case, from draft to retirement.

    Its status changes only through ``usecases.lifecycle``; every change writes a
    UseCaseEvent in the same transaction.
    """

    # The idea
    title = models.CharField(max_length=200)
    problem = models.TextField("The problem and who has it", blank=True)
    solution = models.TextField("Proposed generative-AI solution", blank=True)
    category = models.CharField(max_length=30, choices=Category.choices, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="use_cases")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="use_cases"
    )
    business_sponsor = models.CharField(max_length=120, blank=True)

    # Who it reaches and what it is worth
    intended_users = models.CharField("Who will use it", max_length=200, blank=True)
    reach = models.PositiveIntegerField("People it reaches", null=True, blank=True)
    hours_saved_per_month = models.PositiveIntegerField(null=True, blank=True)
    estimated_annual_value = models.DecimalField(
        "Estimated annual value", max_digits=14, decimal_places=2, null=True, blank=True
    )
    realised_annual_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    benefits = models.TextField("Benefits in words", blank=True)
    success_measure = models.TextField(blank=True)

    # Data and risk signals
    data_used = models.TextField("Data used", blank=True)
    data_sensitivity = models.CharField(max_length=20, choices=DataSensitivity.choices, blank=True)
    uses_personal_data = models.BooleanField(default=False)
    customer_facing = models.BooleanField(default=False)
    decides_about_people = models.BooleanField("Informs decisions about people", default=False)
    regulated_domain = models.BooleanField(default=False)

    # Delivery
    platform = models.ForeignKey(
        AIPlatform, null=True, blank=True, on_delete=models.SET_NULL, related_name="use_cases"
    )
    platform_other = models.CharField("Other platform or model", max_length=120, blank=True)
    effort = models.CharField(max_length=2, choices=Effort.choices, blank=True)
    data_readiness = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    team_roles = models.JSONField(
        "Roles the team already has", default=list, blank=True
    )  # slugs from choices.TEAM_ROLES
    confidential = models.BooleanField(default=False)

    # State
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # Bumped by every change, so a form posted from a stale copy is refused, not applied.
    version = models.PositiveIntegerField(default=1)

    # Scores (scoring.py), recomputed on every change
    value_score = models.PositiveSmallIntegerField(default=0)
    feasibility_score = models.PositiveSmallIntegerField(default=0)
    quadrant = models.CharField(max_length=20, choices=Quadrant.choices, blank=True)

    # Counters kept by the functions that change them, so lists sort without aggregating.
    endorsement_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = UseCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["category"]),
            models.Index(fields=["quadrant"]),
            models.Index(fields=["-endorsement_count", "-id"]),
            models.Index(fields=["-value_score", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["confidential", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("usecases:usecase_detail", args=[self.pk])

    # Answers a proposal needs before it can be submitted: (field, what the form calls it).
    REQUIRED_FOR_SUBMISSION = (
        ("title", "title"),
        ("problem", "the problem and who has it"),
        ("solution", "the proposed solution"),
        ("category", "category"),
        ("business_sponsor", "business sponsor"),
        ("intended_users", "who will use it"),
        ("reach", "how many people it reaches"),
        ("benefits", "expected benefits"),
        ("success_measure", "success measure"),
        ("data_used", "data used"),
        ("data_sensitivity", "data sensitivity"),
        ("effort", "effort"),
        ("data_readiness", "data readiness"),
    )

    def missing_answers(self) -> list[str]:
        """What the form calls each required answer that is still blank."""
        missing = [
            label
            for field, label in self.REQUIRED_FOR_SUBMISSION
            if str(getattr(self, field) or "").strip() == ""
        ]
        if self.platform_id is None and not self.platform_other.strip():
            missing.append("intended platform or model")
        return missing

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class UseCaseEvent(models.Model):
    """One entry in a proposal's history. Written once, in the same transaction as the
    change it records, and never edited."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Status change"
        EDIT = "edit", "Edited"
        COMMENT = "comment", "Comment"
        DUPLICATE = "duplicate", "Marked duplicate"
        RISK = "risk", "Risk tier"
        ASSIGNMENT = "assignment", "Assignment"
        REVIEW = "review", "Review"

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["use_case", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_status} → {self.to_status}"

"""Skilling: skills, the roles of AI adoption, learning resources and paths, enrolments,
events and their registrations.

Access follows one rule per model, in its queryset's ``visible_to(user)``: the catalogs
(skills, roles, paths, events, active resources) are open to every employee; enrolments,
registrations and role profiles belong to their person (CoE admins see all of them).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from coe_portal.limits import LongTextField
from coe_portal.roles import is_coe_admin
from skilling.choices import (
    EnrolmentStatus,
    EventKind,
    EventStatus,
    ImportStatus,
    Language,
    Level,
    Provider,
    RegistrationStatus,
    ResourceKind,
    ResourceStatus,
    SkillCategory,
)


class OpenCatalogQuerySet(models.QuerySet):
    """A catalog every employee may read."""

    def visible_to(self, user):
        return self if user.is_authenticated else self.none()


class OwnRowsQuerySet(models.QuerySet):
    """Rows that belong to one person: they see their own, CoE admins see everyone's."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if is_coe_admin(user):
            return self
        return self.filter(user=user)


class Skill(models.Model):
    """One skill of the generative-AI taxonomy, e.g. prompting or AI security."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    category = models.CharField(max_length=20, choices=SkillCategory.choices, db_index=True)
    description = LongTextField(blank=True)

    objects = OpenCatalogQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AdoptionRole(models.Model):
    """A role that generative-AI adoption needs (AI champion, LLM engineer, …).

    Named so it is never confused with the portal's permission roles (coe_portal.roles).
    """

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=240, help_text="One sentence: why the role exists.")
    responsibilities = LongTextField(help_text="One responsibility per line.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists: lower first.")
    skills = models.ManyToManyField(Skill, through="RoleSkill", related_name="roles")

    objects = OpenCatalogQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "adoption role"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("skilling:role_path", args=[self.slug])

    @property
    def responsibility_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.responsibilities.splitlines() if line.strip()]


class RoleSkill(models.Model):
    """A skill a role needs, and how deeply."""

    role = models.ForeignKey(AdoptionRole, on_delete=models.CASCADE, related_name="requirements")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="requirements")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.FOUNDATION)

    class Meta:
        ordering = ["role", "-level", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["role", "skill"], name="role_skill_once"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.skill} ({self.get_level_display()})"


class LearningResourceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ResourceStatus.ACTIVE)

    def visible_to(self, user):
        """Active resources for everyone; retired ones too for CoE admins and for the
        people enrolled in them (their record must not vanish)."""
        if not user.is_authenticated:
            return self.none()
        if is_coe_admin(user):
            return self
        # A subquery, not a join: joining enrolments would repeat each active resource once
        # per enrolment and need DISTINCT.
        enrolled = Enrolment.objects.filter(user=user).values("resource_id")
        return self.filter(Q(status=ResourceStatus.ACTIVE) | Q(pk__in=enrolled))


class LearningResource(models.Model):
    """A course, workshop, lab, article, video or certification in the catalog."""

    title = models.CharField(max_length=200)
    description = LongTextField(blank=True)
    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    provider_name = models.CharField(
        max_length=120, blank=True, help_text="Who runs it, e.g. 'CoE Academy' or 'Coursera'."
    )
    url = models.URLField(
        "link",
        max_length=500,
        unique=True,
        help_text="Where to take it. A CSV import updates the resource with the same link.",
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    duration_minutes = models.PositiveIntegerField(
        "duration (minutes)", validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    skills = models.ManyToManyField(Skill, related_name="resources")
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    status = models.CharField(
        max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LearningResourceQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            # The catalog filters active resources by kind, level, language and duration.
            models.Index(fields=["status", "kind"], name="resource_status_kind"),
            models.Index(fields=["status", "level"], name="resource_status_level"),
            models.Index(fields=["status", "language"], name="resource_status_language"),
            models.Index(fields=["status", "duration_minutes"], name="resource_status_duration"),
            models.Index(fields=["status", "title"], name="resource_status_title"),
            models.Index(fields=["status", "provider"], name="resource_status_provider"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("skilling:resource_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == ResourceStatus.ACTIVE

    @property
    def duration_display(self) -> str:
        hours, minutes = divmod(self.duration_minutes, 60)
        if hours >= 8 and not minutes and hours % 8 == 0:
            days = hours // 8
            return f"{days} day{'s' if days > 1 else ''}"
        if not hours:
            return f"{minutes} min"
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class LearningPath(models.Model):
    """The ordered steps that skill a person for one role."""

    role = models.OneToOneField(AdoptionRole, on_delete=models.CASCADE, related_name="path")
    summary = LongTextField(blank=True, help_text="Who the path is for and what it builds.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpenCatalogQuerySet.as_manager()

    class Meta:
        ordering = ["role__position", "role__name"]

    def __str__(self) -> str:
        return f"Path: {self.role}"

    def get_absolute_url(self) -> str:
        return self.role.get_absolute_url()


class PathStep(models.Model):
    """One resource at one position of a path."""

    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    resource = models.ForeignKey(
        LearningResource, on_delete=models.PROTECT, related_name="path_steps"
    )
    position = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=200, blank=True, help_text="Why this step, in a line.")

    class Meta:
        ordering = ["path", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "resource"], name="path_step_resource_once"),
        ]

    def __str__(self) -> str:
        return f"{self.path.role} #{self.position}: {self.resource}"


class Enrolment(models.Model):
    """A person taking a resource: enrolled, in progress or completed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    resource = models.ForeignKey(
        LearningResource, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(
        max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Per cent done."
    )
    evidence_url = models.URLField(
        "evidence link", max_length=500, blank=True, help_text="A certificate or badge, if any."
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="enrolment_once"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="enrolment_progress_pct"),
            models.CheckConstraint(
                condition=Q(status=EnrolmentStatus.COMPLETED, completed_at__isnull=False)
                | (~Q(status=EnrolmentStatus.COMPLETED) & Q(completed_at__isnull=True)),
                name="enrolment_completed_has_date",
            ),
        ]
        indexes = [
            # "My learning" lists a person's enrolments by status; coverage reads completions.
            models.Index(fields=["user", "status"], name="enrolment_user_status"),
            models.Index(fields=["status", "resource"], name="enrolment_status_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.resource} ({self.get_status_display()})"

    @property
    def is_completed(self) -> bool:
        return self.status == EnrolmentStatus.COMPLETED


class LearnerProfile(models.Model):
    """The adoption role a person holds now and the one they are working towards."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    current_role = models.ForeignKey(
        AdoptionRole,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
        help_text="The AI-adoption role you hold today, if any.",
    )
    target_role = models.ForeignKey(
        AdoptionRole,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aspirants",
        help_text="The role you are skilling for. The portal recommends training for it.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnRowsQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.user}: {self.current_role or '-'} → {self.target_role or '-'}"

    def clean(self) -> None:
        if self.current_role_id and self.current_role_id == self.target_role_id:
            raise ValidationError(
                {"target_role": "Your target is the role you already hold: pick another one."}
            )


class Event(models.Model):
    """A workshop, AI day, office hours or webinar with limited seats."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    description = LongTextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(
        "place", max_length=200, blank=True, help_text="Room and building, if in person."
    )
    online_url = models.URLField(
        "online link", max_length=500, blank=True, help_text="Meeting link, if online."
    )
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10_000)], help_text="Seats."
    )
    resource = models.ForeignKey(
        LearningResource,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text="The catalog resource this is a session of, if any.",
    )
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OpenCatalogQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # Lists show upcoming scheduled events; the reminder task scans a time window.
            models.Index(fields=["status", "starts_at"], name="event_status_starts"),
            # The events page lists those not over yet (ends_at) and the API filters by kind.
            models.Index(fields=["ends_at"], name="event_ends"),
            models.Index(fields=["kind", "starts_at"], name="event_kind_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_has_seats"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("skilling:event_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The event must end after it starts."
        if not self.location and not self.online_url:
            errors["location"] = "Give a place, an online link, or both."
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED


class EventRegistration(models.Model):
    """A person's seat at an event, or their place on its waiting list.

    The waiting list is first come, first served by ``registered_at``; registering again
    after cancelling goes to the back of the queue.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the day-before reminder was sent (once)."
    )
    seat_notice_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person was told a seat opened up for them (once).",
    )

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_once"),
        ]
        indexes = [
            # Seat counts and the waiting-list queue of one event.
            models.Index(fields=["event", "status", "registered_at"], name="registration_queue"),
            # The reminder task: confirmed seats not yet reminded.
            models.Index(
                fields=["status", "reminded_at"],
                name="registration_to_remind",
                condition=Q(reminded_at__isnull=True),
            ),
            models.Index(fields=["user", "status"], name="registration_user_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.event} ({self.get_status_display()})"


class ResourceImport(models.Model):
    """An uploaded CSV of learning resources, kept from preview until it is imported."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    encoding = models.CharField(max_length=30)
    content = models.TextField()
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="resource_import_status")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

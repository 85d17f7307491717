"""Use-case proposals and their append-only event log."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from coe_portal.limits import LongTextField
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
    problem = LongTextField("The problem and who has it", blank=True)
    solution = LongTextField("Proposed generative-AI solution", blank=True)
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
    benefits = LongTextField("Benefits in words", blank=True)
    success_measure = LongTextField(blank=True)

    # Data and risk signals
    data_used = LongTextField("Data used", blank=True)
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
    # Where an imported proposal came from (e.g. an inventory's own id), so a re-import
    # skips it instead of duplicating it.
    source_ref = models.CharField(max_length=120, blank=True, db_index=True)

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
            # The review queue (oldest first), the register's default and "decided" sorts:
            # walked in order so page 1 reads a few rows, not the whole table.
            models.Index(fields=["submitted_at", "id"], name="usecase_submitted_id"),
            models.Index(fields=["title", "id"], name="usecase_title_id"),
            models.Index(fields=["-decided_at", "-id"], name="usecase_decided_id"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        """Scores follow the answers: they are recomputed on every save (scoring.py)."""
        from usecases.scoring import apply_scores

        apply_scores(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "value_score",
                "feasibility_score",
                "quadrant",
            }
        super().save(*args, **kwargs)

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


class EventLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete a written event."""


def shown_note(user, *, via: str = ""):
    """An expression for the note of the event at ``via`` ("" for events themselves,
    "event__" for notifications) as ``user`` may read it: the note when ``user`` is in its
    audience, blank otherwise. The one place a note is matched to its audience in a query;
    ``UseCaseEvent.note_for`` is the same for one event in hand."""
    from usecases.access import reasoning_readers  # access reads these models

    audience = Q(**{f"{via}note_audience": UseCaseEvent.NoteAudience.EVERYONE})
    return Case(
        When(audience | reasoning_readers(user, via=f"{via}use_case__"), then=F(f"{via}note")),
        default=Value(""),
        output_field=models.TextField(),
    )


class UseCaseEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> UseCaseEventQuerySet:
        """The events of the proposals ``user`` may see, each with ``shown_note``: its note
        when ``user`` is in the note's audience, else blank. Every surface that shows a note
        (history, notifications, emails) shows ``shown_note`` or ``note_for``, never ``note``."""
        return self.filter(use_case__in=UseCase.objects.visible_to(user)).annotate(
            shown_note=shown_note(user)
        )


class UseCaseEvent(models.Model):
    """One entry in a proposal's history. Written once, in the same transaction as the
    change it records, and never edited.

    Its note has an audience: everyone who may see the proposal, or only the readers of its
    governance reasoning (review rationales, decisions, risk overrides, conditions:
    ``usecases.access.may_read_reasoning``). Another proposal it names is kept as an id in
    ``data`` (``usecases.history.MENTIONS``), never as a title in the note, so its title is
    shown only to readers who may see that proposal."""

    class NoteAudience(models.TextChoices):
        EVERYONE = "everyone", "Everyone who may see the proposal"
        GOVERNANCE = "governance", "Readers of its governance reasoning"

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Status change"
        EDIT = "edit", "Edited"
        COMMENT = "comment", "Comment"
        DUPLICATE = "duplicate", "Marked duplicate"
        RISK = "risk", "Risk tier"
        ASSIGNMENT = "assignment", "Assignment"
        REVIEW = "review", "Review"

    # PROTECT, not CASCADE or SET_NULL: history is never rewritten, so a proposal or a person
    # with history is retired or deactivated, not deleted. PostgreSQL enforces the same with
    # a trigger (migration 0004) against UPDATE and DELETE from any client.
    use_case = models.ForeignKey(UseCase, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    # db_default too: bulk writers that list their columns (usecases.scale) get "everyone"
    # unless they say otherwise.
    note_audience = models.CharField(
        max_length=20,
        choices=NoteAudience.choices,
        default=NoteAudience.EVERYONE,
        db_default=NoteAudience.EVERYONE,
    )
    data = models.JSONField(default=dict, blank=True)
    # A default, not auto_now_add: an imported inventory or a test may record when something
    # happened; what is written is still never changed afterwards.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = UseCaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["use_case", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise EventLogIsAppendOnly("An event, once written, is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventLogIsAppendOnly("Events are never deleted.")

    def note_for(self, user) -> str:
        """The note as ``user`` may read it (blank outside its audience), for one event in
        hand whose proposal ``user`` may see; lists use ``visible_to``'s ``shown_note``."""
        from usecases.access import may_read_reasoning  # access reads these models

        if self.note_audience == self.NoteAudience.EVERYONE:
            return self.note
        return self.note if may_read_reasoning(user, self.use_case) else ""


MAX_COMMENT_LENGTH = 5_000


class Comment(models.Model):
    """A remark on a proposal. Written through ``engagement.add_comment``."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="use_case_comments"
    )
    body = LongTextField(max_length=MAX_COMMENT_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["use_case", "created_at"])]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.use_case_id}"


class Endorsement(models.Model):
    """One person's support for a proposal; at most one per person (a unique constraint)."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["use_case", "user"], name="one_endorsement_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} endorses {self.use_case_id}"


class Follow(models.Model):
    """A person who hears of a proposal's status changes and comments."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_use_cases"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["use_case", "user"], name="one_follow_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.use_case_id}"


def _attachment_path(instance, filename: str) -> str:
    # The stored name is random: the person's file name is kept only as data, never as a path.
    import uuid

    return f"attachments/{instance.use_case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file added to a proposal. Stored under MEDIA_ROOT with a random name and served
    only through the permission-checked download view."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("usecases:attachment_download", args=[self.use_case_id, self.pk])


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        """The person's own notifications about proposals they may still see: one made
        confidential since, or of a department the person has left, drops out. Each has
        ``shown_note``: its event's note as the person may read it now."""
        return self.filter(recipient=user, use_case__in=UseCase.objects.visible_to(user)).annotate(
            shown_note=shown_note(user, via="event__")
        )


class Notification(models.Model):
    """A line in a person's notification list, made from one event; at most one per
    (event, recipient), so sending twice changes nothing."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(UseCaseEvent, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"], name="one_notification_per_event_and_person"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # The notification list, newest first, read in order for one person.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return self.message


class ImportMapping(models.Model):
    """A saved way to read one kind of CSV: which column feeds which field."""

    name = models.CharField(max_length=120, unique=True)
    columns = models.JSONField(default=dict, help_text="field name → CSV column header")
    values = models.JSONField(
        default=dict, blank=True, help_text="field name → {source value: stored value}"
    )
    defaults = models.JSONField(
        default=dict, blank=True, help_text="field name → value used when the cell is blank"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

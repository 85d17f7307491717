"""Governance data: policy (tiers, criteria), risk assessments, reviews, conditions and the
register's re-review dates.

State changes happen only through the logic modules (reviews.py, risk.py, register.py,
triage.py); these classes hold the data and the rules about a single row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from coe_portal.limits import LongTextField
from coe_portal.roles import Role, has_role, is_coe_staff, sees_everything
from governance import sla
from governance.choices import (
    AnswerResult,
    ConditionStatus,
    Outcome,
    ReviewArea,
    ReviewerKind,
    ReviewKind,
    ReviewStatus,
    RiskTier,
)
from usecases.access import reasoning_visible_to
from usecases.choices import Status
from usecases.models import UseCase


class GovernedQuerySet(models.QuerySet):
    """Rows of a proposal's governance detail: reviews, their answers, conditions, risk
    assessments. ``proposal`` is the path from a row to its proposal."""

    proposal = "use_case"

    def visible_to(self, user):
        """The rows of the proposals whose governance reasoning ``user`` may read: one rule
        for all of them, ``usecases.access.reasoning_visible_to`` (the owner, the
        department's champions, CoE staff and leadership)."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            # No subquery for those who read all of it: governance rows exist only for
            # submitted proposals, every one of which these readers see.
            return self.all()
        return self.filter(**{f"{self.proposal}__in": reasoning_visible_to(user)})


class GovernanceSettings(models.Model):
    """The single row recording whether the first-run setup has been completed."""

    setup_completed_at = models.DateTimeField(null=True, blank=True)
    setup_completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "governance settings"
        verbose_name_plural = "governance settings"

    def __str__(self) -> str:
        return "Governance settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> GovernanceSettings:
        return cls.objects.get_or_create(pk=1)[0]


class TierPolicy(models.Model):
    """For one risk tier: the review areas a proposal needs and how often it is re-reviewed.

    Editable by CoE admins (setup wizard and settings page); routing reads it for new
    reviews only, so a change never moves reviews that already exist.
    """

    tier = models.CharField(max_length=20, choices=RiskTier.choices, unique=True)
    required_areas = models.JSONField(default=list, help_text="ReviewArea values.")
    rereview_after_days = models.PositiveIntegerField(default=365)

    class Meta:
        verbose_name_plural = "tier policies"

    def __str__(self) -> str:
        return f"{self.get_tier_display()} risk"

    @property
    def area_labels(self) -> list[str]:
        return [ReviewArea(a).label for a in self.required_areas if a in ReviewArea.values]


class Criterion(models.Model):
    """One question of an area's policy pack, citing the framework clause it comes from.

    Answers copy the text and clauses when a review opens, so editing or retiring a
    criterion never changes a review already under way or answered.
    """

    area = models.CharField(max_length=20, choices=ReviewArea.choices, db_index=True)
    code = models.SlugField(max_length=20, unique=True, help_text="Short id, e.g. 'PRV-03'.")
    text = LongTextField()
    guidance = LongTextField(blank=True)
    nist_ai_rmf = models.CharField(
        "NIST AI RMF", max_length=60, blank=True, help_text="Function and category, e.g. MAP 1.1"
    )
    eu_ai_act = models.CharField("EU AI Act", max_length=60, blank=True, help_text="e.g. Art. 10")
    iso_42001 = models.CharField(
        "ISO/IEC 42001", max_length=80, blank=True, help_text="Annex A control area"
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area", "position", "code"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    @property
    def clauses(self) -> str:
        parts = [
            f"NIST AI RMF {self.nist_ai_rmf}" if self.nist_ai_rmf else "",
            f"EU AI Act {self.eu_ai_act}" if self.eu_ai_act else "",
            f"ISO/IEC 42001 {self.iso_42001}" if self.iso_42001 else "",
        ]
        return " · ".join(p for p in parts if p)


class RiskAssessment(models.Model):
    """A proposal's risk tier: the rules' suggestion with reasons, and the effective tier
    (equal to the suggestion unless a reviewer overrode it with a reason)."""

    use_case = models.OneToOneField(
        UseCase, on_delete=models.CASCADE, related_name="risk_assessment"
    )
    suggested_tier = models.CharField(max_length=20, choices=RiskTier.choices)
    reasons = models.JSONField(default=list)
    nist_flags = models.JSONField(default=list, help_text="NIST AI 600-1 risk codes.")
    tier = models.CharField(max_length=20, choices=RiskTier.choices, db_index=True)
    override_reason = LongTextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    assessed_at = models.DateTimeField(auto_now_add=True)

    objects = GovernedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.use_case}: {self.get_tier_display()}"

    @property
    def is_overridden(self) -> bool:
        return self.tier != self.suggested_tier or bool(self.override_reason)

    @property
    def nist_flag_labels(self) -> list[str]:
        from governance.risk import NIST_RISKS

        return [NIST_RISKS[c] for c in self.nist_flags if c in NIST_RISKS]


class Triage(models.Model):
    """Who has picked up a proposal in the queue."""

    use_case = models.OneToOneField(UseCase, on_delete=models.CASCADE, related_name="triage")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Triage of {self.use_case}"


class ReviewQuerySet(GovernedQuerySet):
    def actionable_by(self, user) -> ReviewQuerySet:
        """Reviews the user may answer: CoE staff any; champions those routed to their
        department's champions."""
        if is_coe_staff(user):
            return self.all()
        if has_role(user, Role.CHAMPION) and user.department_id:
            return self.filter(
                reviewer_kind=ReviewerKind.CHAMPION, use_case__department_id=user.department_id
            )
        return self.none()

    def overdue(self, today: dt.date, *, sla_days: int | None = None) -> ReviewQuerySet:
        """The reviews overdue on ``today`` (governance.sla has the rule): still open at the
        end of that day and opened before ``sla.overdue_cutoff``. The one query behind the
        queue's "overdue only" filter, its home page tile, the dashboard's "reviews past
        their SLA" and the daily reminders.

        Still open means open and still awaited: an initial review while its proposal is in
        review (one withdrawn mid-review leaves reviews nobody may decide), a re-review
        while it is open. For a past ``today`` (the KPI back-fill) a review decided after
        that day counts as open then; a review reopened since has a later ``opened_at`` and
        drops out of the days before, as its earlier round left no trace but ``decided_at``.
        """
        if sla_days is None:
            sla_days = sla.review_sla_days()
        cutoff = sla.overdue_cutoff(today, sla_days)
        awaited = Q(kind=ReviewKind.RE_REVIEW) | Q(use_case__status=Status.IN_REVIEW)
        open_then = (Q(status=ReviewStatus.OPEN) & awaited) | Q(
            status=ReviewStatus.DECIDED, decided_at__gte=sla.start_of(today + dt.timedelta(days=1))
        )
        return self.filter(open_then, opened_at__lt=sla.start_of(cutoff))


class Review(models.Model):
    """One review area's review of a proposal, in one round (the first review, or a
    re-review of a register entry). Requested changes reopen the same row."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="reviews")
    area = models.CharField(max_length=20, choices=ReviewArea.choices)
    round = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=ReviewKind.choices, default=ReviewKind.INITIAL)
    reviewer_kind = models.CharField(max_length=20, choices=ReviewerKind.choices)
    # The operating model routing used, kept so a later switch does not move this review.
    operating_model = models.CharField(max_length=20)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN, db_index=True
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    rationale = LongTextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the review (re)opened: the start of its SLA clock (governance.sla). Reopening
    # after the owner resubmits starts the clock again.
    opened_at = models.DateTimeField(default=timezone.now)
    # The due date the review was given when it (re)opened, under that day's SLA: kept for
    # the on-time share of decided reviews (metrics.kpis). Whether an open review is overdue,
    # and the due date shown, come from ``opened_at`` and today's SLA (governance.sla).
    due_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    # Bumped by every change, so a form posted from a stale copy is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["use_case", "-round", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["use_case", "round", "area"], name="one_review_per_area_and_round"
            )
        ]
        indexes = [
            # Overdue reviews: open ones opened before a cutoff (ReviewQuerySet.overdue).
            models.Index(fields=["status", "opened_at"], name="review_status_opened"),
            # The queue's "open re-reviews" and "routed to champions" lookups.
            models.Index(fields=["status", "kind"], name="review_status_kind"),
            models.Index(fields=["status", "reviewer_kind"], name="review_status_reviewer_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()} review of {self.use_case}"

    def get_absolute_url(self) -> str:
        return reverse("governance:review", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN


class AnswerQuerySet(GovernedQuerySet):
    proposal = "review__use_case"


class Answer(models.Model):
    """A reviewer's answer to one criterion, with the criterion's wording as it was when the
    review opened."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    criterion_code = models.CharField(max_length=20)
    criterion_text = models.TextField()
    clauses = models.CharField(max_length=250, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(max_length=10, choices=AnswerResult.choices, blank=True)
    note = LongTextField(blank=True)
    evidence = LongTextField(blank=True, help_text="Links to evidence, one per line.")
    # Served only through governance:evidence, which checks who may read the review.
    evidence_file = models.FileField(upload_to="governance/evidence/%Y/%m/", blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion_code"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_code}: {self.result or 'unanswered'}"

    @property
    def evidence_links(self) -> list[str]:
        return [
            line.strip()
            for line in self.evidence.splitlines()
            if line.strip().startswith(("http://", "https://"))
        ]


# The longest reason a reviewer may give for waiving a condition.
WAIVER_REASON_LENGTH = 2_000


class ConditionQuerySet(GovernedQuerySet):
    def open(self) -> ConditionQuerySet:
        """Neither met nor waived: what still holds back the pilot and production
        (usecases.lifecycle.conditions_gate asks this through ``use_case.conditions``)."""
        return self.filter(status=ConditionStatus.OPEN)


class Condition(models.Model):
    """Something an approval depends on, with an owner and a due date, tracked to done:
    met, or waived by a CoE reviewer with a reason. While one is open the proposal may not
    start its pilot or move to production (usecases.lifecycle.conditions_gate)."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="conditions")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="conditions"
    )
    text = LongTextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.OPEN
    )
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Governance reasoning: shown only to readers of it (usecases.access.may_read_reasoning).
    waiver_reason = LongTextField(blank=True, max_length=WAIVER_REASON_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["use_case", "status"])]

    def __str__(self) -> str:
        return self.text[:80]


class RegisterEntry(models.Model):
    """A proposal's place in the AI use-case register: its next re-review and whether one
    is open. Created when the proposal is approved."""

    use_case = models.OneToOneField(
        UseCase, on_delete=models.CASCADE, related_name="register_entry"
    )
    next_review_on = models.DateField(null=True, blank=True, db_index=True)
    rereview_open = models.BooleanField(default=False)
    last_reviewed_on = models.DateField(null=True, blank=True)
    went_live_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "register entries"
        indexes = [
            models.Index(
                fields=["next_review_on"],
                condition=Q(rereview_open=False),
                name="register_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Register: {self.use_case}"

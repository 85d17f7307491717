"""Readiness assessments, KPI snapshots and generated reports.

``metrics`` reads every other app and nothing imports it. The questionnaire itself (six
dimensions, their questions and level descriptions) is code in ``readiness.py``; an
assessment stores the answers and the per-dimension scores computed from them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from coe_portal.models import Department
from coe_portal.roles import Role, has_role, sees_everything


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssessmentQuerySet:
        """Leadership and CoE staff see every assessment; members of a department see its
        submitted ones; its champions also see its drafts."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        if not user.department_id:
            return self.none()
        mine = Q(department_id=user.department_id)
        if has_role(user, Role.CHAMPION):
            return self.filter(mine)
        return self.filter(mine, status=ReadinessAssessment.Status.SUBMITTED)


class ReadinessAssessment(models.Model):
    """One department's self-assessment for one quarter: a draft until its champion submits it.

    ``answers`` maps a question code (readiness.QUESTIONS) to {"score": 1-5, "evidence": str};
    ``dimension_scores`` and ``overall`` are derived from it by readiness.py on every save,
    so the heatmap and the index read columns, not the questionnaire.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="readiness_assessments"
    )
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    dimension_scores = models.JSONField(default=dict, blank=True)
    overall = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "quarter"],
                name="readiness_one_per_department_per_quarter",
            ),
        ]
        indexes = [models.Index(fields=["status", "year", "quarter"])]

    def __str__(self) -> str:
        return f"{self.department} · {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("metrics:assessment_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class KpiSnapshot(models.Model):
    """The value of one KPI on one date, organisation-wide (department empty) or for one
    department. Dashboards read these rows, never the live tables.

    ``scope`` is the department's id, or 0 for the organisation: a unique key on a nullable
    column would let two organisation-wide rows in (NULLs are distinct), and the upsert in
    snapshots.py needs one key that both SQLite and PostgreSQL can conflict on.
    """

    date = models.DateField()
    kpi = models.CharField(max_length=40)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scope = models.PositiveBigIntegerField(default=0, editable=False)
    value = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "kpi", "scope"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "kpi", "scope"], name="kpi_snapshot_one_per_date_kpi_scope"
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=True, scope=0)
                | Q(department__isnull=False, scope=models.F("department")),
                name="kpi_snapshot_scope_matches_department",
            ),
        ]
        indexes = [models.Index(fields=["kpi", "scope", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.kpi} {self.department or 'organisation'}: {self.value}"

    def save(self, *args, **kwargs):
        self.scope = self.department_id or 0
        super().save(*args, **kwargs)


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportQuerySet:
        """Reports are for leadership and CoE staff."""
        return self.all() if sees_everything(user) else self.none()


class Report(models.Model):
    """A generated adoption (monthly) or readiness (quarterly) report for one period.

    One row per kind and period: generating it again replaces the content in place.
    ``status``, ``error`` and ``attempts`` are kept here so a page (and a person) can see
    what the worker did; reports.py is the only writer.
    """

    class Kind(models.TextChoices):
        ADOPTION = "adoption", "Adoption (monthly)"
        READINESS = "readiness", "Readiness (quarterly)"

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Generating"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start"], name="report_one_per_kind_and_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("metrics:report_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.kind == self.Kind.READINESS:
            return f"{self.period_start.year} Q{(self.period_start.month - 1) // 3 + 1}"
        return self.period_start.strftime("%B %Y")

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    def filename(self, extension: str) -> str:
        return f"coe-{self.kind}-report-{self.period_start:%Y-%m}.{extension}"


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(year, quarter) that ``day`` falls in."""
    return day.year, (day.month - 1) // 3 + 1

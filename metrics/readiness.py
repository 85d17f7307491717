"""The readiness questionnaire and the functions that change an assessment.

Six dimensions, three questions each, every question scored 1-5 against a description of
each level. A department's champion saves answers as a draft and submits them once per
quarter; the index is the mean of the dimension scores (each the mean of its questions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from coe_portal.models import Department
from coe_portal.roles import is_champion_of
from metrics.models import ReadinessAssessment, quarter_of

LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    levels: tuple[str, str, str, str, str]  # what a score of 1…5 looks like


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    questions: tuple[Question, ...]


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "strategy",
        "Strategy and leadership",
        (
            Question(
                "strategy_goals",
                "Generative AI is part of the department's goals and plans.",
                (
                    "Not discussed",
                    "Mentioned, no goals",
                    "Goals for a few teams",
                    "Department goals with owners",
                    "Goals reviewed quarterly against results",
                ),
            ),
            Question(
                "strategy_sponsor",
                "A senior sponsor owns adoption and removes obstacles.",
                (
                    "No sponsor",
                    "Informal interest",
                    "Named sponsor, little time",
                    "Active sponsor with budget",
                    "Sponsor reports progress to leadership",
                ),
            ),
            Question(
                "strategy_portfolio",
                "Use cases are chosen by value and feasibility, not by enthusiasm.",
                (
                    "Ad hoc",
                    "A list of ideas",
                    "Ideas scored once",
                    "A ranked portfolio, reviewed",
                    "Portfolio managed with measured benefits",
                ),
            ),
        ),
    ),
    Dimension(
        "data",
        "Data",
        (
            Question(
                "data_quality",
                "The data use cases need is known, documented and of usable quality.",
                (
                    "Unknown",
                    "Known to a few people",
                    "Documented for key sources",
                    "Documented with quality checks",
                    "Catalogued, monitored, owned",
                ),
            ),
            Question(
                "data_access",
                "Teams can get governed access to the data they need.",
                (
                    "No route",
                    "Case by case, slow",
                    "A request process exists",
                    "Standard access within days",
                    "Self-service within guardrails",
                ),
            ),
            Question(
                "data_classification",
                "Data is classified so people know what may go into an AI tool.",
                (
                    "No classification",
                    "Some labels",
                    "Policy exists, little used",
                    "Most data classified",
                    "Classification enforced by tools",
                ),
            ),
        ),
    ),
    Dimension(
        "technology",
        "Technology and platforms",
        (
            Question(
                "tech_platforms",
                "Approved AI platforms are available to the people who need them.",
                (
                    "None",
                    "Pilots only",
                    "Available to some teams",
                    "Available to most staff",
                    "Available with usage monitoring",
                ),
            ),
            Question(
                "tech_integration",
                "AI can be integrated with the department's systems.",
                (
                    "Not possible",
                    "Manual copy and paste",
                    "One-off integrations",
                    "Reusable connectors",
                    "Integration is routine",
                ),
            ),
            Question(
                "tech_operations",
                "AI solutions in use are monitored and supported.",
                (
                    "Nobody watches",
                    "Best effort",
                    "Named owner",
                    "Monitoring and support process",
                    "Measured service levels",
                ),
            ),
        ),
    ),
    Dimension(
        "skills",
        "Skills and talent",
        (
            Question(
                "skills_literacy",
                "Staff understand what generative AI can and cannot do.",
                (
                    "Little awareness",
                    "A few enthusiasts",
                    "Basic training offered",
                    "Most staff trained",
                    "Training is part of onboarding",
                ),
            ),
            Question(
                "skills_roles",
                "The roles adoption needs (product owner, prompt engineer, data steward…) are filled.",
                (
                    "None",
                    "Borrowed from other teams",
                    "Some roles filled",
                    "Most roles filled",
                    "All roles filled with cover",
                ),
            ),
            Question(
                "skills_practice",
                "People share practice: prompts, patterns, lessons learnt.",
                (
                    "Not at all",
                    "Occasionally",
                    "A channel exists",
                    "Regular community sessions",
                    "Curated library in daily use",
                ),
            ),
        ),
    ),
    Dimension(
        "governance",
        "Governance and risk",
        (
            Question(
                "gov_policy",
                "People know the AI policy and follow it.",
                (
                    "Unknown",
                    "Known to a few",
                    "Published",
                    "Known and followed",
                    "Followed and audited",
                ),
            ),
            Question(
                "gov_review",
                "Use cases go through risk review before they go live.",
                (
                    "Never",
                    "Sometimes",
                    "High-risk ones",
                    "All of them",
                    "All, with re-reviews on schedule",
                ),
            ),
            Question(
                "gov_incidents",
                "AI incidents and near misses are reported and learnt from.",
                (
                    "No route",
                    "Informal",
                    "A reporting route",
                    "Reported and reviewed",
                    "Reviewed and acted upon",
                ),
            ),
        ),
    ),
    Dimension(
        "culture",
        "Culture and change",
        (
            Question(
                "culture_openness",
                "People are encouraged to experiment safely.",
                (
                    "Discouraged",
                    "Tolerated",
                    "Encouraged by some managers",
                    "Encouraged broadly",
                    "Experiments are celebrated and shared",
                ),
            ),
            Question(
                "culture_change",
                "Changes to ways of working are planned, communicated and supported.",
                (
                    "Not at all",
                    "Announcements only",
                    "Some change plans",
                    "Planned with training",
                    "Planned, supported and measured",
                ),
            ),
            Question(
                "culture_trust",
                "Staff trust AI outputs appropriately: they check, and know when to.",
                (
                    "Blind trust or refusal",
                    "Mixed",
                    "Guidance exists",
                    "Checking is habitual",
                    "Checks built into processes",
                ),
            ),
        ),
    ),
)

DIMENSION_CODES = tuple(d.code for d in DIMENSIONS)
DIMENSION_NAMES = {d.code: d.name for d in DIMENSIONS}
QUESTIONS = {q.code: q for d in DIMENSIONS for q in d.questions}


class IncompleteAssessment(ValidationError):
    """Submitting needs a score for every question."""


def current_quarter(today: dt.date | None = None) -> tuple[int, int]:
    return quarter_of(today or timezone.localdate())


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def clean_answers(raw: dict) -> dict:
    """Keep only known questions; a score must be 1-5 (or absent in a draft)."""
    answers = {}
    for code, answer in (raw or {}).items():
        if code not in QUESTIONS or not isinstance(answer, dict):
            continue
        score = answer.get("score")
        if score in ("", None):
            score = None
        else:
            score = int(score)
            if score not in LEVELS:
                raise ValidationError(f"Scores are 1 to 5; got {score} for {code}.")
        evidence = str(answer.get("evidence") or "").strip()[:2000]
        if score is not None or evidence:
            answers[code] = {"score": score, "evidence": evidence}
    return answers


def score(answers: dict) -> tuple[dict[str, float], Decimal | None]:
    """Per-dimension means of the answered questions, and the overall index (the mean of
    the dimensions that have any score), rounded to two places."""
    dims = {}
    for dimension in DIMENSIONS:
        scores = [
            answers[q.code]["score"]
            for q in dimension.questions
            if answers.get(q.code, {}).get("score") is not None
        ]
        if scores:
            dims[dimension.code] = round(mean(scores), 2)
    if not dims:
        return {}, None
    overall = Decimal(str(mean(dims.values()))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return dims, overall


def missing_questions(answers: dict) -> list[str]:
    return [code for code in QUESTIONS if answers.get(code, {}).get("score") not in LEVELS]


def _authorise(actor, department_id: int) -> None:
    if not is_champion_of(actor, department_id):
        raise PermissionDenied("Only the department's champion runs its readiness assessment.")


def save_assessment(
    department: Department,
    answers: dict,
    *,
    actor,
    submit: bool = False,
    year: int | None = None,
    quarter: int | None = None,
) -> ReadinessAssessment:
    """Save the department's assessment for the quarter (the current one by default) as a
    draft, or submit it. A submitted assessment is history: it cannot be changed."""
    _authorise(actor, department.pk)
    if year is None or quarter is None:
        year, quarter = current_quarter()
    answers = clean_answers(answers)
    with transaction.atomic():
        # Lock (or create) the quarter's row: two champions saving at once take turns, and
        # the unique constraint stops a second row for the same quarter.
        assessment, _ = ReadinessAssessment.objects.select_for_update().get_or_create(
            department=department, year=year, quarter=quarter, defaults={"created_by": actor}
        )
        if not assessment.is_draft:
            raise ValidationError(
                f"The {assessment.period_label} assessment was submitted and is now history."
            )
        assessment.answers = answers
        assessment.dimension_scores, assessment.overall = score(answers)
        if submit:
            if missing := missing_questions(answers):
                raise IncompleteAssessment(
                    f"Score every question before submitting ({len(missing)} left)."
                )
            assessment.status = ReadinessAssessment.Status.SUBMITTED
            assessment.submitted_by = actor
            assessment.submitted_at = timezone.now()
            # The readiness tiles read snapshots: refresh today's index once this commits
            # rather than leaving it stale until the nightly run.
            transaction.on_commit(_refresh_readiness_snapshot)
        assessment.save()
    return assessment


def _refresh_readiness_snapshot() -> None:
    from metrics.tasks import take_kpi_snapshots

    take_kpi_snapshots.delay(slugs=["readiness_index"])


def latest_submitted(as_of: dt.datetime | None = None):
    """The latest submitted assessment of each department (submitted by ``as_of``),
    as {department_id: assessment}. One query; rows bounded by departments by quarters."""
    qs = ReadinessAssessment.objects.filter(status=ReadinessAssessment.Status.SUBMITTED)
    if as_of is not None:
        qs = qs.filter(submitted_at__lte=as_of)
    latest: dict[int, ReadinessAssessment] = {}
    for a in qs.order_by("department_id", "-year", "-quarter").only(
        "id", "department_id", "year", "quarter", "dimension_scores", "overall", "submitted_at"
    ):
        latest.setdefault(a.department_id, a)
    return latest


def organisation_profile(latest: dict) -> dict[str, float]:
    """The mean score per dimension over departments' latest assessments."""
    profile = {}
    for code in DIMENSION_CODES:
        values = [a.dimension_scores[code] for a in latest.values() if code in a.dimension_scores]
        if values:
            profile[code] = round(mean(values), 2)
    return profile


def heat_level(value: float | None) -> str:
    """A CSS class for a heatmap cell: heat-0 (no data) to heat-5."""
    if value is None:
        return "heat-0"
    return f"heat-{max(1, min(5, round(value)))}"

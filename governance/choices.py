"""The fixed lists of governance: review areas, risk tiers, review outcomes."""

from __future__ import annotations

from django.db import models


class ReviewArea(models.TextChoices):
    RESPONSIBLE_AI = "responsible_ai", "Responsible AI"
    LEGAL = "legal", "Legal and compliance"
    PRIVACY = "privacy", "Privacy"
    SECURITY = "security", "Security"
    OPERATIONS = "operations", "Operations"


class RiskTier(models.TextChoices):
    """The EU AI Act's tiers, most severe first."""

    PROHIBITED = "prohibited", "Prohibited"
    HIGH = "high", "High"
    LIMITED = "limited", "Limited"
    MINIMAL = "minimal", "Minimal"


class ReviewerKind(models.TextChoices):
    COE = "coe", "CoE reviewers"
    CHAMPION = "champion", "Department champion"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decided"


class Outcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    REQUEST_CHANGES = "request_changes", "Request changes"
    REJECT = "reject", "Reject"


class AnswerResult(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    NOT_APPLICABLE = "na", "Not applicable"


class ConditionStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    WAIVED = "waived", "Waived"


class ReviewKind(models.TextChoices):
    INITIAL = "initial", "Initial review"
    RE_REVIEW = "re_review", "Re-review"


# Which review areas each tier needs until a CoE admin says otherwise (setup wizard,
# settings page); the days between re-reviews: quarterly for high risk, yearly for the rest.
DEFAULT_TIER_POLICY = {
    RiskTier.PROHIBITED: (list(ReviewArea.values), 90),
    RiskTier.HIGH: (list(ReviewArea.values), 90),
    RiskTier.LIMITED: (
        [ReviewArea.RESPONSIBLE_AI, ReviewArea.PRIVACY, ReviewArea.SECURITY],
        365,
    ),
    RiskTier.MINIMAL: ([ReviewArea.RESPONSIBLE_AI], 365),
}

"""The fixed lists the intake form and the lifecycle use."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    TRIAGE = "triage", "In triage"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    REJECTED = "rejected", "Rejected"
    IN_PILOT = "in_pilot", "In pilot"
    IN_PRODUCTION = "in_production", "In production"
    RETIRED = "retired", "Retired"
    WITHDRAWN = "withdrawn", "Withdrawn"


# States in which a proposal is still on its way to a decision; its owner may withdraw it.
OPEN_STATUSES = frozenset(
    {Status.DRAFT, Status.SUBMITTED, Status.TRIAGE, Status.IN_REVIEW, Status.CHANGES_REQUESTED}
)
# States of an approved workload: these make up the AI use-case register.
LIVE_STATUSES = frozenset(
    {Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.IN_PILOT, Status.IN_PRODUCTION}
)


class Category(models.TextChoices):
    CONTENT_GENERATION = "content_generation", "Content generation"
    SUMMARISATION = "summarisation", "Summarisation"
    KNOWLEDGE_SEARCH = "knowledge_search", "Knowledge search and Q&A"
    CODE_ASSISTANCE = "code_assistance", "Code assistance"
    CUSTOMER_SUPPORT = "customer_support", "Customer support"
    DOCUMENT_PROCESSING = "document_processing", "Document processing"
    DATA_ANALYSIS = "data_analysis", "Data analysis"
    OTHER = "other", "Other"


class Effort(models.TextChoices):
    S = "S", "S (weeks)"
    M = "M", "M (1–3 months)"
    L = "L", "L (3–6 months)"
    XL = "XL", "XL (over 6 months)"


class Quadrant(models.TextChoices):
    QUICK_WIN = "quick_win", "Quick win"
    STRATEGIC_BET = "strategic_bet", "Strategic bet"
    INCREMENTAL = "incremental", "Incremental"
    RECONSIDER = "reconsider", "Reconsider"


# The roles generative-AI adoption needs, by the slugs skilling seeds them under: a proposal
# records which its team already has, and links the missing ones to their learning paths.
TEAM_ROLES = [
    ("executive-sponsor", "Executive sponsor"),
    ("ai-champion", "AI champion"),
    ("ai-product-owner", "AI product owner"),
    ("power-user", "Prompt engineer / power user"),
    ("llm-engineer", "LLM engineer"),
    ("ai-platform-engineer", "AI platform engineer"),
    ("data-steward", "Data steward"),
    ("responsible-ai-lead", "Responsible-AI lead"),
    ("ai-security-engineer", "AI security engineer"),
    ("change-lead", "Change lead"),
]

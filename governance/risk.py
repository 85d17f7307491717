"""Risk tiering: a suggested EU AI Act tier from the intake answers, with the reasons; the
NIST AI 600-1 (Generative AI Profile) risks that apply; and a reviewer's override.

The suggestion is a pure function of the answers (``suggest_tier``, ``nist_flags``), so it
is tested as a table and shown before anything is stored. ``assess`` stores it;
``override_tier`` changes the effective tier with a reason kept in the event log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from coe_portal.models import AIPlatform, DataSensitivity
from coe_portal.roles import is_coe_staff
from governance.choices import RiskTier
from usecases.models import UseCase, UseCaseEvent

# The twelve risks of NIST AI 600-1, by a short code stored on the assessment.
NIST_RISKS = {
    "cbrn": "CBRN information or capabilities",
    "confabulation": "Confabulation",
    "dangerous_content": "Dangerous, violent or hateful content",
    "data_privacy": "Data privacy",
    "environmental": "Environmental impacts",
    "harmful_bias": "Harmful bias or homogenization",
    "human_ai_config": "Human-AI configuration",
    "information_integrity": "Information integrity",
    "information_security": "Information security",
    "intellectual_property": "Intellectual property",
    "obscene_content": "Obscene, degrading and/or abusive content",
    "value_chain": "Value chain and component integration",
}

# Practices the EU AI Act (Art. 5) prohibits, as words a proposal would use to describe them.
PROHIBITED_PRACTICES = {
    "social scoring": "social scoring of people",
    "emotion recognition": "emotion recognition at work or in education",
    "biometric categori": "biometric categorisation by sensitive traits",
    "facial recognition database": "untargeted scraping of faces for recognition databases",
    "subliminal": "subliminal or manipulative techniques",
    "predictive policing": "predicting criminal offences from profiling",
}
CBRN_WORDS = re.compile(
    r"\b(chemical weapon|biological agent|pathogen|radiological|nuclear|toxin synthesis)\b", re.I
)
SENSITIVE = {DataSensitivity.CONFIDENTIAL, DataSensitivity.RESTRICTED}
GENERATIVE_CATEGORIES = {"content_generation", "customer_support", "summarisation"}


@dataclass(frozen=True)
class Suggestion:
    tier: RiskTier
    reasons: list[str]


def _text(use_case) -> str:
    return " ".join(
        str(getattr(use_case, f, "") or "") for f in ("title", "problem", "solution", "data_used")
    ).lower()


def suggest_tier(use_case) -> Suggestion:
    """The tier the intake answers point to, and every reason that points there.

    prohibited: the description matches a practice the EU AI Act (Art. 5) prohibits.
    high:       it informs decisions about people (Annex III: employment, credit, access to
                services), handles restricted data, or processes personal data in a
                regulated domain.
    limited:    it faces customers (Art. 50 transparency), uses personal data, works in a
                regulated domain or on confidential data.
    minimal:    none of these.
    """
    text = _text(use_case)
    prohibited = [
        f"Describes {label} (EU AI Act Art. 5)"
        for words, label in PROHIBITED_PRACTICES.items()
        if words in text
    ]
    if prohibited:
        return Suggestion(RiskTier.PROHIBITED, prohibited)

    high = []
    if use_case.decides_about_people:
        high.append("Informs decisions about people (EU AI Act Annex III)")
    if use_case.data_sensitivity == DataSensitivity.RESTRICTED:
        high.append("Uses restricted data")
    if use_case.regulated_domain and use_case.uses_personal_data:
        high.append("Processes personal data in a regulated domain")
    if high:
        return Suggestion(RiskTier.HIGH, high)

    limited = []
    if use_case.customer_facing:
        limited.append("Faces customers: people must know they deal with AI (Art. 50)")
    if use_case.uses_personal_data:
        limited.append("Uses personal data")
    if use_case.regulated_domain:
        limited.append("Works in a regulated domain")
    if use_case.data_sensitivity == DataSensitivity.CONFIDENTIAL:
        limited.append("Uses confidential data")
    if limited:
        return Suggestion(RiskTier.LIMITED, limited)
    return Suggestion(
        RiskTier.MINIMAL,
        ["Internal use on public or internal data, no personal data, no decisions about people"],
    )


def nist_flags(use_case) -> list[str]:
    """The NIST AI 600-1 risks the answers make relevant, in the profile's order."""
    text = _text(use_case)
    category = use_case.category or ""
    sensitive = use_case.data_sensitivity in SENSITIVE
    platform: AIPlatform | None = use_case.platform
    flags = {
        "cbrn": bool(CBRN_WORDS.search(text)),
        # Every generative model can state falsehoods with confidence.
        "confabulation": True,
        "dangerous_content": use_case.customer_facing or category == "content_generation",
        "data_privacy": use_case.uses_personal_data or sensitive,
        "environmental": (use_case.reach or 0) >= 1000 or use_case.effort == "XL",
        "harmful_bias": use_case.decides_about_people
        or (use_case.customer_facing and use_case.uses_personal_data),
        "human_ai_config": use_case.decides_about_people
        or use_case.customer_facing
        or category in GENERATIVE_CATEGORIES,
        "information_integrity": use_case.customer_facing or category == "content_generation",
        "information_security": sensitive
        or category == "code_assistance"
        or (platform is not None and platform.status != AIPlatform.Status.APPROVED),
        "intellectual_property": category
        in {"content_generation", "code_assistance", "document_processing"},
        "obscene_content": use_case.customer_facing and category in GENERATIVE_CATEGORIES,
        "value_chain": platform is None or platform.vendor.lower() != "internal",
    }
    return [code for code in NIST_RISKS if flags[code]]


def platform_warnings(use_case) -> list[str]:
    """What triage should notice about the proposal's platform."""
    platform: AIPlatform | None = use_case.platform
    if platform is None:
        if use_case.platform_other:
            return [f"'{use_case.platform_other}' is not in the platform catalog"]
        return []
    warnings = []
    if platform.status != AIPlatform.Status.APPROVED:
        warnings.append(f"{platform.name} is {platform.get_status_display().lower()}")
    if use_case.data_sensitivity and DataSensitivity.rank(
        use_case.data_sensitivity
    ) > DataSensitivity.rank(platform.max_data_sensitivity):
        warnings.append(
            f"{DataSensitivity(use_case.data_sensitivity).label} data is above "
            f"{platform.name}'s clearance ({platform.get_max_data_sensitivity_display().lower()})"
        )
    return warnings


def assess(use_case_id: int, *, actor=None):
    """Store (or refresh, unless overridden) the suggested tier and flags for a proposal."""
    from governance.models import RiskAssessment

    with transaction.atomic():
        use_case = UseCase.objects.select_related("platform").get(pk=use_case_id)
        suggestion = suggest_tier(use_case)
        flags = nist_flags(use_case)
        assessment = (
            RiskAssessment.objects.select_for_update().filter(use_case_id=use_case_id).first()
        )
        if assessment is None:
            assessment = RiskAssessment.objects.create(
                use_case=use_case,
                suggested_tier=suggestion.tier,
                tier=suggestion.tier,
                reasons=suggestion.reasons,
                nist_flags=flags,
            )
            UseCaseEvent.objects.create(
                use_case=use_case,
                actor=actor,
                kind=UseCaseEvent.Kind.RISK,
                note=f"Suggested risk tier: {suggestion.tier.label}.",
                data={"tier": suggestion.tier, "reasons": suggestion.reasons, "nist": flags},
            )
            return assessment
        assessment.suggested_tier = suggestion.tier
        assessment.reasons = suggestion.reasons
        assessment.nist_flags = flags
        if not assessment.override_reason:
            assessment.tier = suggestion.tier
        assessment.save()
        return assessment


class OverrideError(Exception):
    """An override that may not happen; the message says why."""


def override_tier(use_case_id: int, tier: str, *, actor, reason: str):
    """Set the effective tier by hand, with the reason kept in the proposal's event log.

    CoE reviewers and admins only: the tier decides who reviews, so a champion moving their
    own department's proposal to a tier they review would be marking their own homework.
    """
    from governance.models import RiskAssessment

    reason = (reason or "").strip()
    if not is_coe_staff(actor):
        raise OverrideError("Only CoE reviewers may change a risk tier.")
    if not reason:
        raise OverrideError("Say why the tier changes.")
    if tier not in RiskTier.values:
        raise OverrideError("Choose a risk tier.")
    assess(use_case_id, actor=actor)
    with transaction.atomic():
        assessment = RiskAssessment.objects.select_for_update().get(use_case_id=use_case_id)
        previous = assessment.tier
        assessment.tier = tier
        assessment.override_reason = reason
        assessment.overridden_by = actor
        assessment.overridden_at = timezone.now()
        assessment.save()
        UseCaseEvent.objects.create(
            use_case_id=use_case_id,
            actor=actor,
            kind=UseCaseEvent.Kind.RISK,
            note=f"Risk tier {RiskTier(previous).label} → {RiskTier(tier).label}: {reason}",
            note_audience=UseCaseEvent.NoteAudience.GOVERNANCE,
            data={"from": previous, "to": tier, "reason": reason},
        )
    return assessment

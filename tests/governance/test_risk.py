"""risk.suggest_tier and risk.nist_flags as tables of intake answers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from coe_portal.models import AIPlatform
from governance.risk import NIST_RISKS, nist_flags, platform_warnings, suggest_tier


def answers(**overrides):
    base = dict(
        title="Summarise meeting notes", problem="", solution="", data_used="",
        data_sensitivity="internal", uses_personal_data=False, customer_facing=False,
        decides_about_people=False, regulated_domain=False, category="summarisation",
        reach=20, effort="S", platform=None, platform_other="Azure OpenAI",
    )  # fmt: skip
    base.update(overrides)
    return SimpleNamespace(**base)


# answers, expected tier, a reason that must be given
TIERS = [
    ({}, "minimal", "no personal data"),
    ({"data_sensitivity": "public"}, "minimal", "Internal use"),
    ({"customer_facing": True}, "limited", "Art. 50"),
    ({"uses_personal_data": True}, "limited", "personal data"),
    ({"regulated_domain": True}, "limited", "regulated domain"),
    ({"data_sensitivity": "confidential"}, "limited", "confidential"),
    ({"decides_about_people": True}, "high", "Annex III"),
    ({"data_sensitivity": "restricted"}, "high", "restricted"),
    ({"regulated_domain": True, "uses_personal_data": True}, "high", "regulated domain"),
    ({"solution": "Emotion recognition of call agents"}, "prohibited", "Art. 5"),
    (
        {"problem": "A social scoring of tenants", "decides_about_people": True},
        "prohibited",
        "social scoring",
    ),
]


@pytest.mark.parametrize(("overrides", "tier", "reason"), TIERS)
def test_suggested_tier(overrides, tier, reason):
    suggestion = suggest_tier(answers(**overrides))

    assert suggestion.tier == tier
    assert any(reason.lower() in r.lower() for r in suggestion.reasons)


APPROVED = AIPlatform(
    name="Tenant LLM", vendor="Microsoft", status="approved", max_data_sensitivity="confidential"
)
INTERNAL = AIPlatform(
    name="Own model", vendor="Internal", status="approved", max_data_sensitivity="restricted"
)
PENDING = AIPlatform(
    name="New LLM", vendor="X", status="restricted", max_data_sensitivity="internal"
)

# answers, flags that must be raised, flags that must not
FLAGS = [
    ({}, {"confabulation", "value_chain", "human_ai_config"}, {"data_privacy", "cbrn", "obscene_content"}),
    ({"uses_personal_data": True}, {"data_privacy"}, set()),
    ({"customer_facing": True, "category": "customer_support"}, {"dangerous_content", "information_integrity", "obscene_content"}, set()),
    ({"decides_about_people": True}, {"harmful_bias", "human_ai_config"}, set()),
    ({"reach": 5000}, {"environmental"}, set()),
    ({"category": "code_assistance"}, {"information_security", "intellectual_property"}, {"human_ai_config"}),
    ({"solution": "Summarise pathogen research"}, {"cbrn"}, set()),
    ({"platform": INTERNAL}, set(), {"value_chain"}),
    ({"platform": PENDING}, {"information_security"}, set()),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "raised", "not_raised"), FLAGS)
def test_nist_flags(overrides, raised, not_raised):
    flags = set(nist_flags(answers(**overrides)))

    assert raised <= flags
    assert not (not_raised & flags)
    assert flags <= set(NIST_RISKS)


def test_the_twelve_nist_risks_are_all_there():
    assert len(NIST_RISKS) == 12


# platform, sensitivity, warning fragments
WARNINGS = [
    (APPROVED, "confidential", []),
    (APPROVED, "restricted", ["above Tenant LLM's clearance"]),
    (PENDING, "internal", ["is restricted"]),
    (None, "internal", ["not in the platform catalog"]),
]


@pytest.mark.parametrize(("platform", "sensitivity", "expected"), WARNINGS)
def test_platform_warnings(platform, sensitivity, expected):
    warnings = platform_warnings(answers(platform=platform, data_sensitivity=sensitivity))
    assert len(warnings) == len(expected)
    for fragment, warning in zip(expected, warnings, strict=True):
        assert fragment in warning

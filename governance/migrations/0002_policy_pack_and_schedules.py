"""Seed the first policy pack (criteria per review area, each citing its framework clauses),
the tier policy (areas per risk tier, re-review intervals) and the daily governance tasks.

Written for this portal; the clause references point at NIST AI RMF 1.0 (function and
category), the EU AI Act (article) and ISO/IEC 42001:2023 Annex A (control area).
"""

from django.db import migrations

# area, code, text, NIST AI RMF, EU AI Act, ISO/IEC 42001
CRITERIA = [
    ("responsible_ai", "RAI-01", "The intended purpose, users and context of use are written down, including uses that are out of scope.", "MAP 1.1", "Art. 13", "A.6.2.2 System requirements"),
    ("responsible_ai", "RAI-02", "None of the uses falls under a practice the EU AI Act prohibits.", "GOVERN 1.1", "Art. 5", "A.2.2 AI policy"),
    ("responsible_ai", "RAI-03", "People affected by the outputs have been considered, with the potential for harmful bias and how it will be measured.", "MEASURE 2.11", "Art. 10(2)(f)", "A.5.4 Impact on individuals"),
    ("responsible_ai", "RAI-04", "A named person reviews outputs before they are acted on where outputs inform decisions about people.", "MANAGE 2.4", "Art. 14", "A.9.3 Human oversight"),
    ("responsible_ai", "RAI-05", "Users are told they are interacting with AI or reading AI-generated content.", "MAP 3.4", "Art. 50", "A.8.2 Information for users"),
    ("responsible_ai", "RAI-06", "Confabulation is mitigated: answers are grounded in named sources or checked, and users know the limits.", "MEASURE 2.5", "Art. 15(1)", "A.6.2.4 Verification and validation"),
    ("legal", "LEG-01", "The lawful basis and contractual terms for each data source are identified.", "GOVERN 1.1", "Art. 10", "A.7.5 Data provenance"),
    ("legal", "LEG-02", "Intellectual-property risk in inputs and outputs is assessed, including licences of training or grounding data.", "MAP 4.1", "Art. 53(1)(c)", "A.10.3 Suppliers"),
    ("legal", "LEG-03", "Sector regulation that applies (financial, health, employment, consumer) is identified and met.", "GOVERN 1.1", "Art. 6 and Annex III", "A.2.4 Review of the AI policy"),
    ("legal", "LEG-04", "For a high-risk use, the deployer obligations (logs, oversight, informing workers) are assigned to named owners.", "GOVERN 2.1", "Art. 26", "A.3.2 AI roles and responsibilities"),
    ("privacy", "PRV-01", "Personal data is limited to what the purpose needs and is not sent to the model otherwise.", "MAP 2.1", "Art. 10(5)", "A.7.4 Quality of data"),
    ("privacy", "PRV-02", "A data protection impact assessment is done where the use is likely high risk to people.", "MAP 5.1", "Art. 27", "A.5.2 Impact assessment process"),
    ("privacy", "PRV-03", "Prompts, outputs and logs holding personal data have a retention period and are deleted on time.", "MANAGE 1.3", "Art. 12", "A.7.6 Data preparation"),
    ("privacy", "PRV-04", "The platform does not train on or retain company data beyond the agreed terms.", "GOVERN 6.1", "Art. 25", "A.10.2 Allocating responsibilities"),
    ("security", "SEC-01", "The platform is approved in the catalog for the proposal's data sensitivity.", "GOVERN 6.1", "Art. 15(5)", "A.10.3 Suppliers"),
    ("security", "SEC-02", "Prompt injection, data exfiltration through outputs and insecure tool use were threat-modelled and tested.", "MEASURE 2.7", "Art. 15(5)", "A.6.2.4 Verification and validation"),
    ("security", "SEC-03", "Access to the system and its data follows least privilege and existing permissions.", "MANAGE 2.3", "Art. 15", "A.4.3 Data resources"),
    ("security", "SEC-04", "Inputs, outputs and administrative actions are logged and monitored for misuse.", "MEASURE 2.7", "Art. 12", "A.6.2.8 Event logs"),
    ("operations", "OPS-01", "A named owner runs the system, with support hours and an escalation path.", "GOVERN 2.1", "Art. 26(2)", "A.3.2 AI roles and responsibilities"),
    ("operations", "OPS-02", "Quality is measured in production against the success measure, with a threshold that triggers review.", "MEASURE 4.2", "Art. 72", "A.6.2.6 Operation and monitoring"),
    ("operations", "OPS-03", "There is a fallback when the system is unavailable or must be switched off.", "MANAGE 2.4", "Art. 14(4)(e)", "A.6.2.5 Deployment"),
    ("operations", "OPS-04", "Cost and energy use are estimated and tracked against the expected value.", "MAP 1.6", "Art. 40", "A.4.4 Tooling resources"),
    ("operations", "OPS-05", "Changes to the model, prompts or data are versioned and re-tested before release.", "MANAGE 4.1", "Art. 43(4)", "A.6.2.3 Design and development"),
]  # fmt: skip

ALL = ["responsible_ai", "legal", "privacy", "security", "operations"]
TIERS = [
    ("prohibited", ALL, 90),
    ("high", ALL, 90),
    ("limited", ["responsible_ai", "privacy", "security"], 365),
    ("minimal", ["responsible_ai"], 365),
]
TASKS = [
    ("Open due re-reviews", "governance.tasks.open_due_rereviews", "30", "6"),
    ("Remind overdue reviews", "governance.tasks.remind_overdue_reviews", "0", "7"),
]


def forwards(apps, schema_editor):
    Criterion = apps.get_model("governance", "Criterion")
    for position, (area, code, text, rmf, act, iso) in enumerate(CRITERIA):
        Criterion.objects.get_or_create(
            code=code,
            defaults={"area": area, "text": text, "nist_ai_rmf": rmf, "eu_ai_act": act,
                      "iso_42001": iso, "position": position},
        )  # fmt: skip
    TierPolicy = apps.get_model("governance", "TierPolicy")
    for tier, areas, days in TIERS:
        TierPolicy.objects.get_or_create(
            tier=tier, defaults={"required_areas": areas, "rereview_after_days": days}
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in TASKS:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone="UTC",
        )  # fmt: skip
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[t[0] for t in TASKS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

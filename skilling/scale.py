"""Skilling at scale (``manage.py generate_data``): a large catalog, a path per adoption role,
role profiles for a share of the staff, enrolments over two years, and events with seats.

Uses the taxonomy the migrations seed (skills, adoption roles and their requirements).
"""

from __future__ import annotations

import datetime as dt

from coe_portal.scale import ScaleRun
from skilling.choices import (
    EnrolmentStatus,
    EventKind,
    Language,
    RegistrationStatus,
    ResourceKind,
)
from skilling.models import (
    AdoptionRole,
    Enrolment,
    Event,
    EventRegistration,
    LearnerProfile,
    LearningPath,
    LearningResource,
    PathStep,
    RoleSkill,
    Skill,
)
from skilling.taxonomy import seed_taxonomy

TOPICS = [
    "prompt engineering", "retrieval-augmented generation", "evaluating LLM output",
    "responsible AI", "the EU AI Act", "data privacy for AI", "AI security", "prompt injection",
    "fine-tuning", "LLM operations", "AI product management", "change management",
    "use-case value", "data stewardship", "AI strategy", "agents and tool use",
    "document processing", "AI for customer service", "AI for finance", "AI for HR",
    "AI for software engineering", "vector search", "model risk management", "guardrails",
]  # fmt: skip
FORMATS = [
    "Introduction to {t}", "{T} in practice", "Advanced {t}", "{T} for managers",
    "Hands-on {t}", "{T}: a field guide", "{T} masterclass", "Getting started with {t}",
    "{T} for power users", "Case studies in {t}",
]  # fmt: skip
PROVIDERS = [
    ("internal", "CoE Academy"), ("internal", "CoE Platform team"), ("internal", "Data Office"),
    ("internal", "HR Academy"), ("external", "Coursera"), ("external", "DeepLearning.AI"),
    ("external", "LinkedIn Learning"), ("external", "Udemy Business"), ("external", "edX"),
    ("external", "Hugging Face"),
]  # fmt: skip
DESCRIPTIONS = [
    "Short lessons with exercises from real work; ends with a quiz.",
    "A practical session: bring a task from your team and leave with a working result.",
    "Covers the concepts, the company's rules and the approved tools, with examples.",
    "For people who already use AI daily and want reliable, repeatable results.",
    "Includes a graded project reviewed by a CoE mentor.",
]  # fmt: skip
MINUTES = [15, 20, 30, 45, 60, 90, 120, 180, 240, 480, 960, 1440, 2400]


def generate(run: ScaleRun) -> None:
    size, rng, shared = run.size, run.rng, run.shared
    seed_taxonomy(Skill, AdoptionRole, RoleSkill)
    skills = list(Skill.objects.values_list("pk", flat=True))
    roles = list(AdoptionRole.objects.order_by("position", "name"))

    start = run.first_id(LearningResource)
    resources, resource_skills = [], []
    languages = [Language.ENGLISH] * 6 + list(Language.values)
    for n in range(size.resources):
        pk = start + n
        topic = rng.choice(TOPICS)
        title = rng.choice(FORMATS).format(t=topic, T=topic[0].upper() + topic[1:])
        if n >= len(TOPICS) * len(FORMATS) // 2:
            title = f"{title} ({n // 60 + 1})"
        provider, provider_name = rng.choice(PROVIDERS)
        created = run.spread(900)
        resources.append(
            (pk, title, f"{rng.choice(DESCRIPTIONS)} Topic: {topic}.",
             rng.choice(ResourceKind.values), provider, provider_name,
             f"https://learning.example.com/catalog/{pk}", rng.randint(1, 3), rng.choice(MINUTES),
             rng.choice(languages), "retired" if rng.random() < 0.05 else "active", created,
             created)
        )  # fmt: skip
        resource_skills.extend(
            (pk, s) for s in rng.sample(skills, min(len(skills), rng.randint(1, 3)))
        )
    run.write(
        LearningResource,
        ["id", "title", "description", "kind", "provider", "provider_name", "url", "level",
         "duration_minutes", "language", "status", "created_at", "updated_at"],
        resources,
    )  # fmt: skip
    run.write(LearningResource.skills.through, ["learningresource_id", "skill_id"], resource_skills)
    active = [r[0] for r in resources if r[10] == "active"]

    # A path per role (the migrations may have made them, empty): five to seven steps,
    # from a pool so paths share some resources.
    existing = dict(LearningPath.objects.values_list("role_id", "pk"))
    filled = set(PathStep.objects.values_list("path__role_id", flat=True))
    path_pk = run.first_id(LearningPath)
    paths, steps, path_of_role = [], [], {}
    for role in roles:
        if role.pk in filled:
            continue
        pk = existing.get(role.pk)
        if pk is None:
            pk, path_pk = path_pk, path_pk + 1
            paths.append(
                (pk, role.pk, f"The steps that build the {role.name.lower()} role.", run.now)
            )
        chosen = rng.sample(active[: max(40, len(active) // 10)], rng.randint(5, 7))
        steps.extend((pk, r, pos, "") for pos, r in enumerate(chosen, start=1))
        path_of_role[role.pk] = chosen
    run.write(LearningPath, ["id", "role_id", "summary", "updated_at"], paths)
    run.write(PathStep, ["path_id", "resource_id", "position", "note"], steps)

    users = shared["user_ids"]
    demo = set(shared["demo"].values())
    profiles, profile_of = [], {}
    for user in users:
        if user in demo or rng.random() < 0.4:
            current = rng.choice(roles).pk if rng.random() < 0.5 else None
            target = rng.choice([r.pk for r in roles if r.pk != current])
            profiles.append((user, current, target, run.now))
            profile_of[user] = target
    run.write(
        LearnerProfile, ["user_id", "current_role_id", "target_role_id", "updated_at"], profiles
    )

    # Enrolments: people with a target role follow its path first, then browse the catalog.
    per_user = size.enrolments / len(users)
    popular = active[: max(50, len(active) // 5)]

    def enrolments():
        written = 0
        for n, user in enumerate(users):
            want = min(int(rng.expovariate(1 / per_user)) + (0 if n % 3 else 1), len(active))
            if user in demo:
                want = max(want, 8)
            if written + want > size.enrolments:
                want = max(size.enrolments - written, 0)
            picked = list(path_of_role.get(profile_of.get(user), []))[:want]
            pool = popular if rng.random() < 0.7 else active
            while len(picked) < want:
                candidate = rng.choice(pool)
                if candidate not in picked:
                    picked.append(candidate)
            for resource in picked:
                enrolled = run.spread(730, recent_bias=1.4)
                roll = rng.random()
                if roll < 0.5:
                    status, progress = EnrolmentStatus.COMPLETED, 100
                    completed = enrolled + (run.now - enrolled) * rng.uniform(0.05, 0.6)
                elif roll < 0.8:
                    status, progress, completed = (
                        EnrolmentStatus.IN_PROGRESS,
                        rng.randint(5, 95),
                        None,
                    )
                else:
                    status, progress, completed = EnrolmentStatus.ENROLLED, 0, None
                updated = completed or enrolled
                yield (user, resource, status, progress, "", enrolled, updated, completed)
            written += want

    run.write(
        Enrolment,
        ["user_id", "resource_id", "status", "progress", "evidence_url", "enrolled_at",
         "updated_at", "completed_at"],
        enrolments(),
    )  # fmt: skip

    # Events: half past, half in the next two months; registrations up to capacity and a
    # waiting list on the popular ones.
    event_start = run.first_id(Event)
    events, registrations = [], []
    for k in range(size.events):
        pk = event_start + k
        topic = rng.choice(TOPICS)
        starts = (run.now + dt.timedelta(days=rng.randint(-120, 60))).replace(
            hour=rng.choice([9, 10, 13, 15]), minute=0, second=0, microsecond=0
        )
        capacity = rng.choice([10, 20, 30, 50, 100, 300])
        kind = rng.choice(EventKind.values)
        events.append(
            (pk, f"{kind.replace('_', ' ').capitalize()}: {topic}", kind,
             f"A session on {topic} run by the CoE.", starts,
             starts + dt.timedelta(hours=rng.choice([1, 2, 3, 8])),
             "Room 2.04, Headquarters" if rng.random() < 0.5 else "",
             "https://meet.example.com/coe", capacity, rng.choice(active), "scheduled",
             shared["demo"]["admin"], starts - dt.timedelta(days=30))
        )  # fmt: skip
        people = rng.sample(users, min(len(users), int(capacity * rng.uniform(0.3, 1.3))))
        for seat, user in enumerate(people):
            registered = starts - dt.timedelta(days=30) + dt.timedelta(minutes=seat)
            confirmed = seat < capacity
            registrations.append(
                (pk, user, RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED,
                 registered, registered if confirmed else None, None, None, None)
            )  # fmt: skip
    run.write(
        Event,
        ["id", "title", "kind", "description", "starts_at", "ends_at", "location", "online_url",
         "capacity", "resource_id", "status", "created_by_id", "created_at"],
        events,
    )  # fmt: skip
    run.write(
        EventRegistration,
        ["event_id", "user_id", "status", "registered_at", "confirmed_at", "cancelled_at",
         "reminded_at", "seat_notice_at"],
        registrations,
    )  # fmt: skip

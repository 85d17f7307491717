"""Rows for the performance tests: ``grow(world, n)`` adds n more of everything the pinned
pages list or aggregate, with the related rows an N+1 would trip over (events, comments,
endorsements, reviews, risk assessments, register entries, conditions, notifications,
resources with skills, enrolments, learning profiles, events, KPI snapshots)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from coe_portal.models import Department, User
from governance.models import Condition, RegisterEntry, Review, RiskAssessment, Triage
from metrics import snapshots
from skilling.models import AdoptionRole, Enrolment, LearnerProfile, RoleSkill
from tests.factories import UseCaseFactory, UserFactory
from tests.skilling.factories import (
    EventFactory,
    LearningResourceFactory,
    SkillFactory,
    completed,
    path_for,
)
from usecases import engagement
from usecases.models import Notification, UseCase, UseCaseEvent

STATUSES = ["submitted", "triage", "in_review", "approved", "in_pilot", "in_production"]


@dataclass
class World:
    """The people asking, and a proposal whose page grows with the others."""

    department: Department
    employee: User
    featured: UseCase
    role: AdoptionRole
    grown: int = 0
    people: list[User] = field(default_factory=list)


def make_world(department: Department, employee: User) -> World:
    owner = UserFactory(username="featured-owner", department=department)
    featured = UseCaseFactory(
        owner=owner, status="in_review", submitted_at=timezone.now(), title="Contracts digest"
    )
    skill = SkillFactory()
    role = AdoptionRole.objects.create(name="Perf role", slug="perf-role", summary="A role.")
    RoleSkill.objects.create(role=role, skill=skill, level=1)
    return World(department=department, employee=employee, featured=featured, role=role)


def grow(world: World, n: int) -> None:
    """Add ``n`` of every kind of row (numbered after those already there)."""
    now = timezone.now()
    skill = world.role.requirements.first().skill
    resources = []
    for i in range(world.grown, world.grown + n):
        person = UserFactory(username=f"perf{i}", department=world.department)
        world.people.append(person)
        status = STATUSES[i % len(STATUSES)]
        uc = UseCaseFactory(
            owner=person,
            status=status,
            title=f"Summarise supplier contracts {i}",
            submitted_at=now - dt.timedelta(days=i % 9),
            decided_at=now if status in ("approved", "in_pilot", "in_production") else None,
        )
        event = UseCaseEvent.objects.create(
            use_case=uc, actor=person, kind="transition", from_status="draft", to_status=status
        )
        Notification.objects.create(
            recipient=world.employee, use_case=uc, event=event, message=f"News {i}"
        )
        RiskAssessment.objects.create(
            use_case=uc, suggested_tier="limited", tier="limited", reasons=["r"], nist_flags=[]
        )
        Triage.objects.create(use_case=uc, assignee=person)
        for area in ("responsible_ai", "privacy"):
            Review.objects.create(
                use_case=uc,
                area=area,
                reviewer_kind="coe",
                operating_model="centralized",
                status="open" if status == "in_review" else "decided",
                assignee=person,
            )
        if status in ("approved", "in_pilot", "in_production"):
            RegisterEntry.objects.create(use_case=uc, next_review_on=now.date())
            Condition.objects.create(
                use_case=uc, text="Label outputs", owner=person, due_on=now.date()
            )
        # The featured proposal's page: one more endorsement, comment, event and follower.
        engagement.toggle_endorsement(world.featured.pk, actor=person)
        engagement.add_comment(world.featured.pk, actor=person, body=f"Comment {i}")
        engagement.set_following(world.featured.pk, actor=person, follow=True)
        resource = LearningResourceFactory(skills=[skill])
        resources.append(resource)
        Enrolment.objects.create(user=world.employee, resource=resource, status="in_progress")
        completed(person, resource)
        LearnerProfile.objects.update_or_create(user=person, defaults={"target_role": world.role})
        EventFactory(title=f"Workshop {i}", resource=resource, capacity=5)
    if world.grown == 0:
        path_for(world.role, resources[:3])
    snapshots.take_snapshots(timezone.localdate())
    world.grown += n
    # The rows above were written behind the logic functions' backs, so nothing told the
    # cached pages (coverage) that they changed.
    cache.clear()

"""factory_boy factories for skilling's models."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from skilling.choices import EnrolmentStatus, Level
from skilling.models import (
    AdoptionRole,
    Enrolment,
    Event,
    LearnerProfile,
    LearningPath,
    LearningResource,
    PathStep,
    RoleSkill,
    Skill,
)
from tests.factories import UserFactory


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    # Not the seeded taxonomy's slugs, so tests own their data.
    name = factory.Sequence(lambda n: f"Test skill {n}")
    slug = factory.Sequence(lambda n: f"test-skill-{n}")
    category = "building"


class AdoptionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdoptionRole
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test role {n}")
    slug = factory.Sequence(lambda n: f"test-role-{n}")
    summary = "A role for tests."
    responsibilities = "Does things\nChecks things"
    position = 500


class RoleSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleSkill

    role = factory.SubFactory(AdoptionRoleFactory)
    skill = factory.SubFactory(SkillFactory)
    level = Level.FOUNDATION


class LearningResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningResource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Resource {n}")
    description = "Learn something useful."
    kind = "course"
    provider = "internal"
    provider_name = "CoE Academy"
    url = factory.Sequence(lambda n: f"https://learning.example.com/r/{n}")
    level = Level.FOUNDATION
    duration_minutes = 60
    language = "en"
    status = "active"

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


def path_for(role: AdoptionRole, resources: list[LearningResource]) -> LearningPath:
    """The role's path with exactly these steps, in order."""
    path, _ = LearningPath.objects.get_or_create(role=role)
    path.steps.all().delete()
    for position, resource in enumerate(resources, start=1):
        PathStep.objects.create(path=path, resource=resource, position=position)
    return path


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    user = factory.SubFactory(UserFactory)
    resource = factory.SubFactory(LearningResourceFactory)
    status = EnrolmentStatus.ENROLLED


def completed(user, resource) -> Enrolment:
    return Enrolment.objects.create(
        user=user,
        resource=resource,
        status=EnrolmentStatus.COMPLETED,
        progress=100,
        completed_at=timezone.now(),
    )


def profile(user, current=None, target=None) -> LearnerProfile:
    return LearnerProfile.objects.update_or_create(
        user=user, defaults={"current_role": current, "target_role": target}
    )[0]


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Workshop {n}")
    kind = "workshop"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=2))
    location = "Room 1"
    capacity = 2

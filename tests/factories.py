"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from coe_portal.models import Department, User
from coe_portal.roles import Role


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    department = factory.SubFactory(DepartmentFactory)
    job_title = "Analyst"
    password = factory.django.Password("pw-for-tests-only")

    @factory.post_generation
    def roles(self, create, extracted: list[Role] | None, **kwargs):
        """``UserFactory(roles=[Role.CHAMPION])`` puts the user in those role groups."""
        if create and extracted:
            self.groups.set([Group.objects.get_or_create(name=role)[0] for role in extracted])


class UseCaseFactory(factory.django.DjangoModelFactory):
    """A complete proposal (every answer submission needs), as a draft unless told otherwise."""

    class Meta:
        model = "usecases.UseCase"

    title = factory.Sequence(lambda n: f"Summarise supplier contracts {n}")
    problem = "Legal spends hours reading supplier contracts to find renewal terms."
    solution = "An assistant that summarises each contract and lists its key dates."
    category = "summarisation"
    owner = factory.SubFactory(UserFactory)
    department = factory.LazyAttribute(lambda uc: uc.owner.department)
    business_sponsor = "Head of Legal"
    intended_users = "Contracts team"
    reach = 25
    hours_saved_per_month = 120
    estimated_annual_value = 90000
    benefits = "Faster renewals, fewer missed notice periods."
    success_measure = "Review time per contract halves within three months."
    data_used = "Supplier contracts (PDF)."
    data_sensitivity = "confidential"
    platform_other = "Azure OpenAI"
    effort = "M"
    data_readiness = 4
    status = "draft"


# governance


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.RiskAssessment"

    use_case = factory.SubFactory(UseCaseFactory, status="in_review")
    suggested_tier = "limited"
    tier = factory.LazyAttribute(lambda ra: ra.suggested_tier)
    reasons = factory.LazyFunction(lambda: ["Uses confidential data"])
    nist_flags = factory.LazyFunction(lambda: ["confabulation", "data_privacy"])


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Review"

    use_case = factory.SubFactory(UseCaseFactory, status="in_review")
    area = "responsible_ai"
    reviewer_kind = "coe"
    operating_model = "centralized"


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Condition"

    use_case = factory.SubFactory(UseCaseFactory, status="approved_with_conditions")
    text = "Add an AI-generated notice to every reply."
    owner = factory.LazyAttribute(lambda c: c.use_case.owner)
    due_on = factory.Faker("future_date")


class RegisterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.RegisterEntry"

    use_case = factory.SubFactory(UseCaseFactory, status="approved")
    next_review_on = factory.Faker("future_date")


# metrics


class ReadinessAssessmentFactory(factory.django.DjangoModelFactory):
    """A submitted assessment with every question scored ``score`` (default 3)."""

    class Meta:
        model = "metrics.ReadinessAssessment"

    class Params:
        score = 3

    department = factory.SubFactory(DepartmentFactory)
    year = 2026
    quarter = 1
    status = "submitted"
    answers = factory.LazyAttribute(
        lambda a: {code: {"score": a.score, "evidence": ""} for code in _question_codes()}
    )
    dimension_scores = factory.LazyAttribute(
        lambda a: {code: float(a.score) for code in _dimension_codes()}
    )
    overall = factory.LazyAttribute(lambda a: a.score)
    submitted_at = factory.LazyFunction(lambda: _now())


def _now():
    from django.utils import timezone

    return timezone.now()


def _question_codes():
    from metrics.readiness import QUESTIONS

    return list(QUESTIONS)


def _dimension_codes():
    from metrics.readiness import DIMENSION_CODES

    return list(DIMENSION_CODES)

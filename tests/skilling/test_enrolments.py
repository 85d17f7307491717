from __future__ import annotations

import pytest

from skilling import enrolments
from skilling.choices import EnrolmentStatus
from skilling.errors import SkillingError
from skilling.models import Enrolment, LearnerProfile
from tests.skilling.factories import AdoptionRoleFactory, LearningResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource():
    return LearningResourceFactory()


def test_enrolling_twice_keeps_one_enrolment(employee, resource):
    first = enrolments.enrol(resource, actor=employee)
    second = enrolments.enrol(resource, actor=employee)

    assert first.pk == second.pk
    assert Enrolment.objects.filter(user=employee).count() == 1


def test_retired_resources_take_no_new_enrolments(employee):
    with pytest.raises(SkillingError, match="retired"):
        enrolments.enrol(LearningResourceFactory(status="retired"), actor=employee)


# progress -> (status, stored progress)
PROGRESS = [
    (0, EnrolmentStatus.ENROLLED, 0),
    (40, EnrolmentStatus.IN_PROGRESS, 40),
    (100, EnrolmentStatus.COMPLETED, 100),
]


@pytest.mark.parametrize(("progress", "status", "stored"), PROGRESS)
def test_progress_sets_the_status(employee, resource, progress, status, stored):
    enrolment = enrolments.record_progress(resource, progress, actor=employee)
    assert (enrolment.status, enrolment.progress) == (status, stored)


@pytest.mark.parametrize("bad", [-1, 101])
def test_progress_outside_0_to_100_is_refused(employee, resource, bad):
    with pytest.raises(SkillingError):
        enrolments.record_progress(resource, bad, actor=employee)


def test_completing_records_date_and_evidence(employee, resource):
    enrolment = enrolments.complete(
        resource, actor=employee, evidence_url="https://badges.example.com/1"
    )
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.completed_at is not None
    assert enrolment.evidence_url == "https://badges.example.com/1"


def test_completing_again_only_updates_the_evidence(employee, resource):
    first = enrolments.complete(resource, actor=employee)
    again = enrolments.complete(resource, actor=employee, evidence_url="https://x.example.com")

    assert again.completed_at == first.completed_at
    assert again.evidence_url == "https://x.example.com"


def test_progress_after_completion_is_refused(employee, resource):
    enrolments.complete(resource, actor=employee)
    with pytest.raises(SkillingError, match="already completed"):
        enrolments.record_progress(resource, 50, actor=employee)


def test_leaving_drops_an_open_enrolment_but_never_a_completion(employee, resource):
    enrolments.enrol(resource, actor=employee)
    enrolments.leave(resource, actor=employee)
    assert not Enrolment.objects.filter(user=employee).exists()

    enrolments.complete(resource, actor=employee)
    with pytest.raises(SkillingError, match="stays on your record"):
        enrolments.leave(resource, actor=employee)


def test_target_role_must_differ_from_the_current_one(employee):
    role = AdoptionRoleFactory()
    with pytest.raises(SkillingError):
        enrolments.set_roles(actor=employee, current_role=role, target_role=role)
    assert not LearnerProfile.objects.filter(user=employee).exists()


def test_setting_roles_twice_updates_the_one_profile(employee):
    a, b = AdoptionRoleFactory(), AdoptionRoleFactory()
    enrolments.set_roles(actor=employee, current_role=None, target_role=a)
    enrolments.set_roles(actor=employee, current_role=a, target_role=b)

    profile = LearnerProfile.objects.get(user=employee)
    assert (profile.current_role, profile.target_role) == (a, b)

from __future__ import annotations

import pytest

from coe_portal.roles import Role
from tests.factories import UseCaseFactory, UserFactory
from usecases.models import UseCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(employee, outsider):
    """Emma's (Finance) and Otto's (Marketing) drafts, open and confidential proposals."""
    return {
        "emma_draft": UseCaseFactory(owner=employee),
        "emma_open": UseCaseFactory(owner=employee, status="submitted"),
        "emma_secret": UseCaseFactory(owner=employee, status="in_review", confidential=True),
        "otto_draft": UseCaseFactory(owner=outsider),
        "otto_open": UseCaseFactory(owner=outsider, status="approved"),
        "otto_secret": UseCaseFactory(owner=outsider, status="submitted", confidential=True),
    }


VISIBLE = {
    "employee": {"emma_draft", "emma_open", "emma_secret", "otto_open"},
    "colleague": {"emma_open", "otto_open"},
    "outsider": {"otto_draft", "otto_open", "otto_secret", "emma_open"},
    "champion": {"emma_open", "emma_secret", "otto_open"},
    "reviewer": {"emma_open", "emma_secret", "otto_open", "otto_secret"},
    "coe_admin": {"emma_open", "emma_secret", "otto_open", "otto_secret"},
    "leader": {"emma_open", "emma_secret", "otto_open", "otto_secret"},
}


@pytest.mark.parametrize("who", VISIBLE)
def test_each_role_sees_only_what_it_may(request, proposals, who):
    user = request.getfixturevalue(who)
    names = {name for name, uc in proposals.items() if uc in UseCase.objects.visible_to(user)}
    assert names == VISIBLE[who]


def test_champion_without_department_sees_no_confidential(proposals):
    user = UserFactory(department=None, roles=[Role.CHAMPION])
    assert not UseCase.objects.visible_to(user).filter(confidential=True).exists()

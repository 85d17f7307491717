from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from coe_portal.models import Department, User
from coe_portal.roles import Role, has_role

pytestmark = pytest.mark.django_db


def test_seed_demo_is_safe_to_run_twice_and_prints_accounts():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Department.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=io.StringIO())

    assert (Department.objects.count(), User.objects.count()) == counts
    text = out.getvalue()
    for username in ["admin", "reviewer", "champion", "leader", "employee"]:
        assert username in text


@pytest.mark.parametrize(
    ("username", "role"),
    [("admin", Role.COE_ADMIN), ("reviewer", Role.COE_REVIEWER), ("champion", Role.CHAMPION),
     ("leader", Role.LEADERSHIP)],
)  # fmt: skip
def test_demo_has_one_account_per_role(username, role):
    call_command("seed_demo", stdout=io.StringIO())
    assert has_role(User.objects.get(username=username), role)

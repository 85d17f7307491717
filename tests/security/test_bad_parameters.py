"""Search and filter parameters tried with injection strings and absurd values.

Every list page, export and API list endpoint is asked with each bad parameter, as a CoE
admin (who may see every list). The answer must be a normal page (the bad value ignored
or the result empty) or a clean 400/404, never a 500; and an employee's search must not
turn up a confidential proposal of another department, however it is phrased.
"""

from __future__ import annotations

import html

import pytest
from django.core.cache import cache
from django.urls import reverse

from coe_portal.api import router
from coe_portal.roles import Role
from tests.factories import DepartmentFactory, UseCaseFactory, UserFactory

LONG = "x" * 10_000
# (parameter, value): one bad value a request, so a failure names its cause.
BAD_PARAMETERS = [
    ("q", "' OR 1=1 --"),
    ("q", "<script>alert(1)</script>"),
    ("q", "%' AND 1=0 UNION SELECT username, password FROM coe_portal_user --"),
    ("q", LONG),
    ("q", "nul\x00byte"),
    ("q", "ünïcödé ✓ 中文 🤖 \u202e"),
    ("page", "-1"),
    ("page", "99999999"),
    ("page", "abc"),
    ("page", LONG),
    ("department", "abc"),
    ("department", "99999999"),
    ("department", "\x00"),
    ("status", "nonsense"),
    ("category", "nonsense"),
    ("sort", "__class__"),
    ("ordering", "password"),
    ("period", "nonsense"),
    ("scope", "department"),
    ("tier", "nonsense"),
    ("platform", "abc"),
    ("assignee", "nonsense"),
    ("overdue", "nonsense"),
    ("due", "nonsense"),
    ("skill", "abc"),
    ("role", "../../etc/passwd"),
    ("kind", "nonsense"),
    ("provider", "nonsense"),
    ("when", "nonsense"),
    ("table", "nonsense"),
    ("kpi", "nonsense"),
    ("date_after", "not-a-date"),
    ("date_before", "99999-99-99"),
    ("exclude", "99999999999999999999999"),
    ("title", LONG),
    ("problem", "' OR 1=1 --"),
    ("offset", "abc"),
    ("page_size", "100000000"),
]

# Every list page and export of the portal (URL name, kwargs).
PAGES = [
    ("home", {}),
    ("usecases:usecase_list", {}),
    ("usecases:my_proposals", {}),
    ("usecases:usecase_similar", {}),
    ("usecases:usecase_export", {}),
    ("usecases:notification_list", {}),
    ("governance:queue", {}),
    ("governance:register", {}),
    ("governance:register_csv", {}),
    ("governance:criteria", {}),
    ("governance:platforms", {}),
    ("skilling:catalog", {}),
    ("skilling:my_learning", {}),
    ("skilling:role_list", {}),
    ("skilling:skill_list", {}),
    ("skilling:event_list", {}),
    ("skilling:coverage", {}),
    ("skilling:coverage_csv", {}),
    ("skilling:manage_resources", {}),
    ("skilling:manage_skills", {}),
    ("skilling:manage_roles", {}),
    ("skilling:manage_events", {}),
    ("metrics:dashboard", {}),
    ("metrics:dashboard_csv", {"chart": "funnel"}),
    ("metrics:dashboard_csv", {"chart": "radar"}),
    ("metrics:dashboard_csv", {"chart": "heatmap"}),
    ("metrics:department_dashboard", {"code": "finance"}),
    ("metrics:readiness", {}),
    ("metrics:department_readiness", {"code": "finance"}),
    ("metrics:report_list", {}),
]

# Every API list endpoint, from the router itself so a new one is tried too.
API_LISTS = sorted({url.name for url in router.urls if url.name and url.name.endswith("-list")})

# 403: a department code the person may not choose is refused, not guessed at.
ALLOWED = {200, 400, 403, 404}
SECRET = "Zebra merger codename"


@pytest.fixture
def world(db):
    finance = DepartmentFactory(name="Finance", code="finance")
    marketing = DepartmentFactory(name="Marketing", code="marketing")
    admin = UserFactory(username="ada", department=marketing, roles=[Role.COE_ADMIN], is_staff=True)
    employee = UserFactory(username="emma", department=finance)
    secret_owner = UserFactory(username="sam", department=marketing)
    UseCaseFactory(owner=employee, status="submitted", title="Open invoice matching")
    secret = UseCaseFactory(owner=secret_owner, status="submitted", confidential=True, title=SECRET)
    UseCaseFactory(owner=secret_owner, title=f"{SECRET} draft")
    cache.clear()  # the API throttle counts requests in the cache
    return {"admin": admin, "employee": employee, "secret": secret}


def _urls():
    for name, kwargs in PAGES:
        yield pytest.param(
            name, kwargs, id=f"{name}{'-' + '-'.join(kwargs.values()) if kwargs else ''}"
        )
    for name in API_LISTS:
        yield pytest.param(name, {}, id=f"api-{name}")


@pytest.mark.parametrize(("url_name", "kwargs"), list(_urls()))
def test_bad_parameters_never_cause_a_server_error(client, world, url_name, kwargs):
    client.force_login(world["admin"])
    url = reverse(url_name, kwargs=kwargs)
    failures = []
    for name, value in BAD_PARAMETERS:
        response = client.get(url, {name: value}, secure=True)
        if response.status_code not in ALLOWED:
            failures.append(f"{name}={value[:40]!r}: {response.status_code}")
        elif response.status_code == 400 and url_name.endswith("-list"):
            assert "Traceback" not in response.content.decode()
    assert not failures, f"{url}: " + "; ".join(failures)


INJECTIONS = [
    "' OR 1=1 --",
    "%",
    "_",
    "' OR '1'='1",
    f"{SECRET}' --",
    SECRET,
    "Zebra",
]


@pytest.mark.parametrize("q", INJECTIONS)
@pytest.mark.parametrize(
    "url_name", ["usecases:usecase_list", "usecases:usecase_export", "use-case-list"]
)
def test_injected_search_does_not_leak_confidential_proposals(client, world, url_name, q):
    client.force_login(world["employee"])

    response = client.get(reverse(url_name), {"q": q, "status": "submitted"}, secure=True)

    assert response.status_code in ALLOWED
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    if url_name == "usecases:usecase_list":  # the page shows the search box with its text
        body = body.replace(html.escape(q), "").replace(q, "")
    assert SECRET not in body
    assert reverse("usecases:usecase_detail", args=[world["secret"].pk]) not in body


def test_similar_proposals_do_not_leak_on_injected_text(client, world):
    client.force_login(world["employee"])

    response = client.get(
        reverse("usecases:usecase_similar"),
        {"title": f"{SECRET}' OR 1=1 --", "problem": SECRET},
        secure=True,
    )

    assert response.status_code == 200
    assert SECRET not in response.content.decode()

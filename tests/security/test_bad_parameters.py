"""Search and filter parameters tried with injection strings and absurd values.

Every list page, export and API list endpoint is asked with each bad parameter, as a CoE
admin (who may see every list). The answer must be a normal page (the bad value ignored
or the result empty) or a clean 400/404, never a 500; and an employee's search must not
turn up a confidential proposal of another department, however it is phrased.

Then each kind of bad value on its own: NUL characters anywhere (400 from the guard), page
numbers and ids past what a 64-bit integer holds (the last page; 404 in a path, 400 in a
filter), texts over the length limit (the same sentence from the form, the API and the
import), filters naming a hidden object (the same answer as a missing one) and a prohibited
platform (the same refusal from the form, the API and the import).
"""

from __future__ import annotations

import html

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from coe_portal import request_guard
from coe_portal.api import router
from coe_portal.limits import LONG_TEXT
from coe_portal.models import AIPlatform, validate_platform_choice
from coe_portal.paging import CappedPageNumberPagination
from coe_portal.roles import Role
from skilling.models import LearningResource
from tests.factories import (
    ConditionFactory,
    DepartmentFactory,
    ReviewFactory,
    RiskAssessmentFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.skilling.factories import LearningResourceFactory
from usecases import importing
from usecases.forms import CommentForm, UseCaseForm
from usecases.models import Comment, UseCase

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


# --- NUL characters: refused at the door (coe_portal.request_guard) -------------------------
# SQLite accepts NUL in text and PostgreSQL does not, so these tests ask for the guard's own
# answer (400 and its message), not for whatever the database would have done.

NUL_URLS = [
    "/learning/roles/a%00b/",
    "/learning/?skill=a%00b",
    "/proposals/?q=a%00b",
    "/proposals/?a%00b=1",
    "/governance/register/?q=%00",
    "/api/v1/skills/a%00b/",
    "/api/v1/adoption-roles/a%00b/",
    "/api/v1/use-cases/?q=a%00b",
    "/api/v1/learning-resources/?skill=a%00b",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_in_the_path_or_query_is_a_400_with_a_message(client, world, url):
    client.force_login(world["admin"])

    response = client.get(url, secure=True)

    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json() == {"detail": request_guard.MESSAGE}
    else:
        assert html.escape(request_guard.MESSAGE) in response.content.decode()


def test_nul_in_a_form_field_is_a_400_and_saves_nothing(client, world):
    client.force_login(world["employee"])
    before = UseCase.objects.count()

    response = client.post(
        reverse("usecases:usecase_create"),
        {"title": "Null\x00 byte proposal", "department": world["employee"].department_id},
        secure=True,
    )

    assert response.status_code == 400
    assert html.escape(request_guard.MESSAGE) in response.content.decode()
    assert UseCase.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Null\u0000 byte proposal"},
        {"title": "A fine title", "team_roles": ["prompt\u0000engineer"]},
        {"title": "A fine title", "platform": "1\u0000"},
        {"title\u0000": "A fine title"},
    ],
)
def test_nul_in_a_json_body_is_a_400_with_a_message(client, world, body):
    client.force_login(world["employee"])

    response = client.post(
        reverse("use-case-list"), body, content_type="application/json", secure=True
    )

    assert response.status_code == 400
    assert response.json() == {"detail": request_guard.MESSAGE}


def test_nul_in_a_form_encoded_api_body_is_a_400(client, world):
    client.force_login(world["employee"])
    use_case = UseCaseFactory(owner=world["employee"], status="submitted")

    response = client.post(
        reverse("use-case-comments", args=[use_case.pk]), {"body": "a\x00b"}, secure=True
    )

    assert response.status_code == 400
    assert response.json() == {"detail": request_guard.MESSAGE}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", False),
        ("a\x00b", True),
        (["ok", {"key": "a\x00"}], True),
        ({"a\x00": "ok"}, True),
        ({"list": [1, 2, None, "fine"]}, False),
        (QueryDict("a=1&a=2%00"), True),
        (QueryDict("a=1&a=2"), False),
    ],
)
def test_contains_nul_looks_through_nested_values(value, expected):
    assert request_guard.contains_nul(value) is expected


# --- page numbers and ids past what the database can hold -----------------------------------

HUGE = "99999999999999999999"  # more than a 64-bit integer holds


@pytest.mark.parametrize(
    "url_name", ["usecases:usecase_list", "governance:queue", "skilling:catalog", "use-case-list"]
)
@pytest.mark.parametrize("page", [HUGE, str(2**63), "-1", "0"])
def test_a_page_past_the_end_shows_the_last_page(client, world, url_name, page):
    client.force_login(world["admin"])

    response = client.get(reverse(url_name), {"page": page}, secure=True)

    assert response.status_code == 200


def test_the_api_answers_a_page_past_the_end_with_the_last_page(client, world, monkeypatch):
    monkeypatch.setattr(CappedPageNumberPagination, "page_size", 1)
    client.force_login(world["admin"])
    every = client.get(reverse("use-case-list"), secure=True).json()

    last = client.get(reverse("use-case-list"), {"page": HUGE}, secure=True).json()
    first = client.get(reverse("use-case-list"), {"page": "abc"}, secure=True).json()

    assert every["count"] == 2  # the submitted proposals the admin sees, one a page
    assert last["next"] is None and last["previous"] is not None
    assert first["previous"] is None and first["results"] == every["results"]


@pytest.mark.parametrize(
    "url",
    [
        f"/proposals/{HUGE}/",
        f"/proposals/{HUGE}/edit/",
        f"/governance/proposals/{HUGE}/",
        f"/learning/resources/{HUGE}/",
        f"/api/v1/use-cases/{HUGE}/",
        f"/api/v1/governance/reviews/{HUGE}/",
        f"/api/v1/learning-resources/{HUGE}/",
    ],
)
def test_an_id_past_bigint_in_a_path_is_a_404(client, world, url):
    client.force_login(world["admin"])

    assert client.get(url, secure=True).status_code == 404


@pytest.mark.parametrize(
    ("url_name", "parameter"),
    [
        ("use-case-list", "department"),
        ("governance-review-list", "use_case"),
        ("governance-risk-list", "use_case"),
        ("governance-condition-list", "use_case"),
        ("governance-register-list", "platform"),
        ("enrolment-list", "resource"),
    ],
)
def test_an_id_past_bigint_in_an_api_filter_is_a_400_with_a_message(
    client, world, url_name, parameter
):
    client.force_login(world["admin"])

    response = client.get(reverse(url_name), {parameter: HUGE}, secure=True)

    assert response.status_code == 400
    assert "not one of the available choices" in response.json()[parameter][0]


# --- a filter by a hidden object answers as one by a missing object -------------------------

PROPOSAL_FILTERS = ["governance-review-list", "governance-risk-list", "governance-condition-list"]


def _missing_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


@pytest.mark.parametrize("url_name", PROPOSAL_FILTERS)
def test_a_filter_by_a_hidden_proposal_answers_as_one_by_a_missing_proposal(
    client, world, url_name
):
    hidden = world["secret"]  # confidential, of another department
    ReviewFactory(use_case=hidden)
    RiskAssessmentFactory(use_case=hidden)
    ConditionFactory(use_case=hidden)
    missing = _missing_id(UseCase)
    client.force_login(world["employee"])

    on_hidden = client.get(reverse(url_name), {"use_case": hidden.pk}, secure=True)
    on_missing = client.get(reverse(url_name), {"use_case": missing}, secure=True)

    assert on_hidden.status_code == on_missing.status_code == 400
    assert on_hidden.content.replace(str(hidden.pk).encode(), b"ID") == (
        on_missing.content.replace(str(missing).encode(), b"ID")
    )


@pytest.mark.parametrize("url_name", PROPOSAL_FILTERS)
def test_a_filter_by_a_proposal_the_person_sees_is_applied(client, world, url_name):
    client.force_login(world["admin"])

    response = client.get(reverse(url_name), {"use_case": world["secret"].pk}, secure=True)

    assert response.status_code == 200


def test_a_filter_by_a_hidden_resource_answers_as_one_by_a_missing_resource(client, world):
    retired = LearningResourceFactory(status="retired")  # hidden: not enrolled in it
    missing = _missing_id(LearningResource)
    client.force_login(world["employee"])
    url = reverse("enrolment-list")

    on_hidden = client.get(url, {"resource": retired.pk}, secure=True)
    on_missing = client.get(url, {"resource": missing}, secure=True)

    assert on_hidden.status_code == on_missing.status_code == 400
    assert on_hidden.content.replace(str(retired.pk).encode(), b"ID") == (
        on_missing.content.replace(str(missing).encode(), b"ID")
    )


# --- texts longer than the limit: the same sentence from the form, the API and the import ---

TOO_LONG = "x" * (LONG_TEXT + 1)
TOO_LONG_MESSAGE = f"Keep this under {LONG_TEXT:,} characters (it has {LONG_TEXT + 1})."


@pytest.mark.parametrize(
    "field", ["problem", "solution", "benefits", "success_measure", "data_used"]
)
def test_a_proposal_text_over_the_limit_is_refused_by_form_and_api_alike(client, world, field):
    employee = world["employee"]
    answers = {"title": "Long answers proposal", "department": employee.department_id}
    form = UseCaseForm(data={**answers, field: TOO_LONG}, user=employee)
    client.force_login(employee)

    response = client.post(
        reverse("use-case-list"), {**answers, field: TOO_LONG}, content_type="application/json",
        secure=True,
    )  # fmt: skip

    assert form.errors[field] == [TOO_LONG_MESSAGE]
    assert response.status_code == 400
    assert response.json() == {field: [TOO_LONG_MESSAGE]}
    assert not UseCase.objects.filter(title="Long answers proposal").exists()


def test_a_text_at_the_limit_is_accepted(world):
    answers = {"title": "Long answers proposal", "department": world["employee"].department_id}

    form = UseCaseForm(data={**answers, "problem": "x" * LONG_TEXT}, user=world["employee"])

    assert form.is_valid(), form.errors


def test_a_comment_over_its_limit_is_refused_by_form_and_api_alike(client, world):
    use_case = UseCaseFactory(owner=world["employee"], status="submitted")
    limit = Comment._meta.get_field("body").max_length
    text = "y" * (limit + 1)
    client.force_login(world["employee"])

    response = client.post(
        reverse("use-case-comments", args=[use_case.pk]), {"body": text}, secure=True
    )

    expected = f"Keep this under {limit:,} characters (it has {limit + 1})."
    assert CommentForm(data={"body": text}).errors["body"] == [expected]
    assert response.status_code == 400 and response.json() == {"body": [expected]}


def test_a_decision_rationale_over_the_limit_is_a_400(client, world):
    review = ReviewFactory(use_case=world["secret"])
    client.force_login(world["admin"])

    response = client.post(
        reverse("governance-review-decide", args=[review.pk]),
        {"outcome": "approve", "rationale": TOO_LONG, "version": 1},
        content_type="application/json",
        secure=True,
    )

    assert response.status_code == 400
    assert response.json()["rationale"] == [TOO_LONG_MESSAGE]


def _import(world, header: str, cell: str):
    raw = f"title,department,{header}\nA proposal from the inventory,Finance,{cell}\n".encode()
    mapping = importing.Mapping(
        "test", {"title": "title", "department": "department", header: header}
    )
    table = importing.read_table(raw)
    return importing.prepare(table, mapping)[0]


def test_the_import_refuses_an_over_long_cell_on_its_row(world):
    row = _import(world, "problem", TOO_LONG)

    assert row.errors == [f"{importing.IMPORT_FIELDS['problem']}: {TOO_LONG_MESSAGE}"]


# --- one rule for platforms: the form, the API and the import refuse a prohibited one alike -


@pytest.fixture
def prohibited(db):
    return AIPlatform.objects.create(name="Shadow chatbot", status=AIPlatform.Status.PROHIBITED)


def _platform_message(platform) -> str:
    with pytest.raises(ValidationError) as refusal:
        validate_platform_choice(platform)
    return refusal.value.messages[0]


def test_the_api_refuses_a_prohibited_platform_with_the_forms_message(client, world, prohibited):
    employee = world["employee"]
    answers = {"title": "Prohibited platform proposal", "department": employee.department_id}
    form = UseCaseForm(data={**answers, "platform": prohibited.pk}, user=employee)
    client.force_login(employee)

    response = client.post(
        reverse("use-case-list"), {**answers, "platform": prohibited.pk},
        content_type="application/json", secure=True,
    )  # fmt: skip

    assert form.errors["platform"] == [_platform_message(prohibited)]
    assert response.status_code == 400
    assert response.json() == {"platform": [_platform_message(prohibited)]}
    assert "prohibited" in _platform_message(prohibited)


def test_the_form_does_not_offer_a_prohibited_platform(world, prohibited):
    allowed = AIPlatform.objects.create(name="Approved assistant", status="approved")

    choices = [value for value, _ in UseCaseForm(user=world["employee"]).fields["platform"].choices]

    assert allowed.pk in [getattr(v, "value", v) for v in choices]
    assert prohibited.pk not in [getattr(v, "value", v) for v in choices]


def test_the_api_accepts_a_restricted_platform(client, world):
    restricted = AIPlatform.objects.create(name="Restricted model", status="restricted")
    client.force_login(world["employee"])

    response = client.post(
        reverse("use-case-list"),
        {"title": "Restricted platform proposal", "platform": restricted.pk},
        content_type="application/json",
        secure=True,
    )

    assert response.status_code == 201, response.content


def test_the_import_refuses_a_prohibited_platform_with_the_same_message(world, prohibited):
    row = _import(world, "platform", "shadow CHATBOT")

    assert row.errors == [f"{importing.IMPORT_FIELDS['platform']}: {_platform_message(prohibited)}"]


def test_the_import_links_a_catalogued_platform_and_refuses_an_unknown_one(world):
    platform = AIPlatform.objects.create(name="Approved assistant", status="approved")

    assert _import(world, "platform", "approved assistant").values["platform"] == platform
    assert "not in the platform catalogue" in _import(world, "platform", "Mystery AI").errors[0]

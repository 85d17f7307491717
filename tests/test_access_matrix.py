"""The access matrix: every URL of the portal and its API, asked for by every kind of
person, with the answer each must get.

The test walks the URL configuration itself, so a URL added without a row here fails
`test_every_url_is_in_the_matrix`. Only GET is asked: it is what a person can do by
following or guessing a link; the changes behind POST are tested view by view.
The Django admin is left to Django's own staff checks, apart from its front door.

The rules the rows follow (DESIGN.md "Who uses it", issues 4, 6 and 8):

- an employee sees their own drafts and every submitted proposal not marked confidential;
  a champion all of their department's; reviewers, admins and leadership everything;
- a proposal's governance detail (reviews, evidence, risk, conditions) is for its owner,
  its department's champions, the CoE and leadership;
- leadership is read-only; champions act only within their department;
- the AI use-case register is for reviewers, admins and leadership (issue 4);
- an object the person may not see answers 404; one they see but may not use, 403;
- anonymous pages redirect to the login page, the anonymous API answers 401;
- POST-only views answer GET with 405 (in the API, after the role check: 401 and 403 first).

The objects are Finance's and owned by the employee, and the proposals confidential, so
"employee" is the owner, "other_dept" someone who must not even learn they exist.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coe_portal.models import AIPlatform
from coe_portal.roles import Role
from governance.models import Answer, Criterion
from metrics import readiness
from metrics.models import KpiSnapshot, Report
from tests.factories import (
    ConditionFactory,
    DepartmentFactory,
    ReadinessAssessmentFactory,
    RegisterEntryFactory,
    ReviewFactory,
    RiskAssessmentFactory,
    UseCaseFactory,
    UserFactory,
)

ROLES = ("anonymous", "employee", "other_dept", "champion", "reviewer", "admin", "leader")
LOGIN = "login"  # a redirect to the login page


@dataclass
class Row:
    """Expected answers: ``default`` for every logged-in role, with per-role exceptions."""

    default: int | str
    anonymous: int | str = LOGIN
    exceptions: dict[str, int | str] = field(default_factory=dict)
    kwargs: object = None  # world -> URL kwargs

    def expected(self, role: str):
        if role == "anonymous":
            return self.anonymous
        return self.exceptions.get(role, self.default)


def only(**allowed) -> dict:
    return allowed


def pk(name: str):
    """URL kwargs for the world's object ``name``."""
    return lambda world: {"pk": world[name].pk}


def code(name: str):
    return lambda world: {"code": world[name].code}


API = 401  # an anonymous API call
COE_AND_LEADERS = only(reviewer=200, admin=200, leader=200)  # who sees everything
QUEUE_ROLES = only(champion=200, reviewer=200, admin=200)  # leadership does not triage
NOT_QUEUE_ROLES = only(employee=403, other_dept=403, leader=403)

MATRIX: dict[str, Row] = {
    # core
    "home": Row(200),
    "how_it_works": Row(200),
    "how_it_works_edit": Row(403, exceptions=only(admin=200)),
    "markdown_preview": Row(405),  # POST only (for admins)
    "login": Row(302, anonymous=200),  # a logged-in person is sent home
    "logout": Row(405),  # POST only
    "api_token": Row(200),
    "healthz": Row(200, anonymous=200),
    "livez": Row(200, anonymous=200),
    # single sign-on: off in tests, so not there for anyone (tests/coe_portal/test_sso_flow.py
    # drives it switched on)
    "oidc_authentication_init": Row(404, anonymous=404),
    "oidc_authentication_callback": Row(404, anonymous=404),
    "admin:index": Row(302, anonymous=302, exceptions=only(admin=200)),
    # API
    "api-root": Row(200, anonymous=API),
    "api_schema": Row(200, anonymous=API),
    "api_docs": Row(200, anonymous=API),
    # governance: the queue and triage ("new": a confidential Finance proposal waiting)
    "governance:queue": Row(403, exceptions=QUEUE_ROLES),
    "governance:assign": Row(405, kwargs=pk("new")),
    "governance:accept": Row(405, kwargs=pk("new")),
    "governance:reject": Row(  # the form: for whoever triages it (Finance's champion, CoE)
        200, exceptions=only(employee=403, other_dept=404, leader=403), kwargs=pk("new")
    ),
    # governance: one proposal ("confidential": under review; "live": approved with
    # conditions and in the register)
    "governance:case": Row(200, exceptions=only(other_dept=404), kwargs=pk("confidential")),
    "governance:risk_override": Row(405, kwargs=pk("confidential")),
    "governance:go_live": Row(  # owners and the CoE move approved work on
        200, exceptions=only(other_dept=404, champion=403, leader=403), kwargs=pk("live")
    ),
    # A review routed to CoE reviewers: Finance's champion still reads it (all of their
    # department's); routing only decides who answers, which is a POST.
    "governance:review": Row(200, exceptions=only(other_dept=404), kwargs=pk("review")),
    "governance:review_assign": Row(405, kwargs=pk("review")),
    "governance:evidence": Row(200, exceptions=only(other_dept=404), kwargs=pk("answer")),
    "governance:condition_met": Row(405, kwargs=pk("condition")),
    # the register: reviewers, admins and leadership only (issue 4)
    "governance:register": Row(403, exceptions=COE_AND_LEADERS),
    "governance:register_csv": Row(403, exceptions=COE_AND_LEADERS),
    # policy: CoE admins change it; reviewers and champions read the criteria they apply
    "governance:settings": Row(403, exceptions=only(admin=200)),
    "governance:setup": Row(403, exceptions=only(admin=302)),  # done (there are proposals)
    "governance:criteria": Row(403, exceptions=QUEUE_ROLES),
    "governance:criterion_new": Row(403, exceptions=only(admin=200)),
    "governance:criterion_edit": Row(403, exceptions=only(admin=200), kwargs=pk("criterion")),
    "governance:platforms": Row(200),  # the catalog everyone proposes from
    "governance:platform_new": Row(403, exceptions=only(admin=200)),
    "governance:platform_edit": Row(403, exceptions=only(admin=200), kwargs=pk("platform")),
    # governance API
    "governance-queue-list": Row(403, anonymous=API, exceptions=QUEUE_ROLES),
    "governance-queue-detail": Row(403, anonymous=API, exceptions=QUEUE_ROLES, kwargs=pk("new")),
    "governance-queue-assign": Row(
        405, anonymous=API, exceptions=NOT_QUEUE_ROLES, kwargs=pk("new")
    ),
    "governance-queue-accept": Row(
        405, anonymous=API, exceptions=NOT_QUEUE_ROLES, kwargs=pk("new")
    ),
    "governance-queue-reject": Row(
        405, anonymous=API, exceptions=NOT_QUEUE_ROLES, kwargs=pk("new")
    ),
    "governance-review-list": Row(200, anonymous=API),  # filtered to what each may read
    "governance-review-detail": Row(
        200, anonymous=API, exceptions=only(other_dept=404), kwargs=pk("review")
    ),
    "governance-review-decide": Row(405, anonymous=API, kwargs=pk("review")),
    "governance-risk-list": Row(200, anonymous=API),
    "governance-risk-detail": Row(
        200, anonymous=API, exceptions=only(other_dept=404), kwargs=pk("risk")
    ),
    "governance-risk-override": Row(405, anonymous=API, kwargs=pk("risk")),
    "governance-condition-list": Row(200, anonymous=API),
    "governance-condition-detail": Row(
        200, anonymous=API, exceptions=only(other_dept=404), kwargs=pk("condition")
    ),
    "governance-condition-met": Row(405, anonymous=API, kwargs=pk("condition")),
    "governance-register-list": Row(403, anonymous=API, exceptions=COE_AND_LEADERS),
    "governance-register-detail": Row(
        403, anonymous=API, exceptions=COE_AND_LEADERS, kwargs=pk("live")
    ),
    "governance-platform-list": Row(200, anonymous=API),
    "governance-platform-detail": Row(200, anonymous=API, kwargs=pk("platform")),
    # metrics: the organisation's dashboard and reports are for leadership and the CoE;
    # a department's dashboard also for its champions; its readiness also for its members
    "metrics:dashboard": Row(403, exceptions=COE_AND_LEADERS),
    "metrics:dashboard_csv": Row(
        403, exceptions=COE_AND_LEADERS, kwargs=lambda world: {"chart": "funnel"}
    ),
    "metrics:my_department": Row(302),  # to one's own department's dashboard (checked there)
    "metrics:department_dashboard": Row(
        403, exceptions=only(champion=200, **COE_AND_LEADERS), kwargs=code("finance")
    ),
    "metrics:readiness": Row(302, exceptions=COE_AND_LEADERS),  # others: their department's
    "metrics:department_readiness": Row(
        200, exceptions=only(other_dept=403), kwargs=code("finance")
    ),
    "metrics:assess": Row(403, exceptions=only(champion=200), kwargs=code("finance")),
    # Finance's draft assessment: its champion's until submitted, then its members' too
    "metrics:assessment_detail": Row(
        200, exceptions=only(employee=404, other_dept=404), kwargs=pk("draft_assessment")
    ),
    "metrics:report_list": Row(403, exceptions=COE_AND_LEADERS),
    "metrics:report_detail": Row(403, exceptions=COE_AND_LEADERS, kwargs=pk("report")),
    "metrics:report_status": Row(403, exceptions=COE_AND_LEADERS, kwargs=pk("report")),
    "metrics:report_regenerate": Row(405, kwargs=pk("report")),
    "metrics:report_download": Row(
        403, exceptions=COE_AND_LEADERS, kwargs=lambda w: {"pk": w["report"].pk, "fmt": "csv"}
    ),
    # metrics API
    "kpi-snapshot-list": Row(403, anonymous=API, exceptions=only(champion=200, **COE_AND_LEADERS)),
    # a Marketing snapshot: not for Finance's champion
    "kpi-snapshot-detail": Row(
        403,
        anonymous=API,
        exceptions=only(champion=404, **COE_AND_LEADERS),
        kwargs=pk("marketing_snapshot"),
    ),
    "readiness-assessment-list": Row(200, anonymous=API),  # filtered to what each may read
    # Finance's submitted assessment: its members see it
    "readiness-assessment-detail": Row(
        200, anonymous=API, exceptions=only(other_dept=404), kwargs=pk("assessment")
    ),
    "report-list": Row(403, anonymous=API, exceptions=COE_AND_LEADERS),
    "report-detail": Row(403, anonymous=API, exceptions=COE_AND_LEADERS, kwargs=pk("report")),
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns == "admin":
                continue
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def all_url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns)) | {"admin:index"}


def test_every_url_is_in_the_matrix():
    missing = all_url_names() - MATRIX.keys()
    assert not missing, f"URLs without a row in the access matrix: {sorted(missing)}"
    stale = MATRIX.keys() - all_url_names()
    assert not stale, f"Rows for URLs that no longer exist: {sorted(stale)}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One person per role, and the objects the URLs need.

    Built once for the module, in a transaction rolled back at its end; each test runs in
    a savepoint inside it (pytest-django's ``db``), so what one request changes (a login
    session) never reaches the next. Building it per test would take most of the time.
    """
    media = override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    media.enable()
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            objects = _build_world()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            media.disable()
            raise
    yield objects
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    media.disable()


def _build_world() -> dict:
    now = timezone.now()
    finance = DepartmentFactory(name="Finance", code="finance")
    marketing = DepartmentFactory(name="Marketing", code="marketing")
    people = {
        "employee": UserFactory(department=finance),
        "other_dept": UserFactory(department=marketing),
        "champion": UserFactory(department=finance, roles=[Role.CHAMPION]),
        "reviewer": UserFactory(department=marketing, roles=[Role.COE_REVIEWER]),
        "admin": UserFactory(
            department=marketing, roles=[Role.COE_ADMIN], is_staff=True, is_superuser=True
        ),
        "leader": UserFactory(department=marketing, roles=[Role.LEADERSHIP]),
    }
    owner = people["employee"]
    platform = AIPlatform.objects.create(
        name="Matrix LLM", status="approved", max_data_sensitivity="confidential"
    )
    criterion = Criterion.objects.create(area="privacy", code="MTX-01", text="Is a DPIA done?")

    def finance_proposal(status, **extra):
        return UseCaseFactory(
            owner=owner, status=status, confidential=True, submitted_at=now, **extra
        )

    confidential = finance_proposal("in_review")
    review = ReviewFactory(use_case=confidential, area="privacy", reviewer_kind="coe")
    answer = Answer(
        review=review,
        criterion=criterion,
        criterion_code=criterion.code,
        criterion_text=criterion.text,
    )
    answer.evidence_file.save("dpia.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
    answer.save()
    live = finance_proposal("approved_with_conditions", platform=platform, decided_at=now)
    RegisterEntryFactory(use_case=live)

    year, quarter = readiness.current_quarter()
    return {
        "people": people,
        "finance": finance,
        "draft": UseCaseFactory(owner=owner),
        "submitted": UseCaseFactory(owner=owner, status="submitted", submitted_at=now),
        "new": finance_proposal("submitted"),
        "confidential": confidential,
        "risk": RiskAssessmentFactory(use_case=confidential),
        "review": review,
        "answer": answer,
        "live": live,
        "condition": ConditionFactory(use_case=live),
        "criterion": criterion,
        "platform": platform,
        "assessment": ReadinessAssessmentFactory(
            department=finance, year=year - 1, quarter=quarter
        ),
        "draft_assessment": ReadinessAssessmentFactory(
            department=finance, year=year, quarter=quarter, status="draft", submitted_at=None
        ),
        "marketing_snapshot": KpiSnapshot.objects.create(
            date=timezone.localdate(), kpi="approval_rate", department=marketing, value=0.5
        ),
        "report": Report.objects.create(
            kind="adoption",
            period_start=timezone.localdate().replace(day=1),
            period_end=timezone.localdate(),
            status="ready",
            data={"kpis": [], "departments": [], "changes": {"previous_report": None, "items": []}},
        ),
    }


CASES = [pytest.param(name, role, id=f"{name}-{role}") for name in sorted(MATRIX) for role in ROLES]


@pytest.mark.parametrize(("url_name", "role"), CASES)
def test_access(db, client, world, url_name, role):
    row = MATRIX[url_name]
    kwargs = row.kwargs(world) if row.kwargs else {}
    url = reverse(url_name, kwargs=kwargs)
    if role != "anonymous":
        client.force_login(world["people"][role])

    response = client.get(url, secure=True)

    expected = row.expected(role)
    if expected == LOGIN:
        assert response.status_code == 302, f"{url} as {role}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, f"{url} as {role}: {response.status_code}"

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

Object URLs are asked about Finance's confidential proposals, owned by "employee", so
"other_dept" must not even learn they exist; where it tells more, also about Marketing's
open ones, owned by "other_dept", so Finance's employee and champion meet a department
not theirs. Intake rows also ask about "employee"'s draft (their alone, even for the CoE)
and files reached through the wrong proposal; skilling rows about a retired course only
"employee" is enrolled in, and about Finance's and Marketing's coverage (the world fixture
at the end builds them all). What the lists and exports hold per role is checked on the same
world in test_access_lists.py.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coe_portal import tokens
from coe_portal.models import AIPlatform
from coe_portal.roles import Role
from governance.models import Answer, Criterion
from metrics import readiness
from metrics.models import KpiSnapshot, Report
from skilling import events, imports
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
from tests.skilling.factories import (
    AdoptionRoleFactory,
    EnrolmentFactory,
    EventFactory,
    LearningResourceFactory,
    SkillFactory,
    path_for,
    profile,
)
from usecases import engagement, notifications
from usecases.models import Attachment, Follow, Notification, UseCaseEvent

ROLES = ("anonymous", "employee", "other_dept", "champion", "reviewer", "admin", "leader")
LOGIN = "login"  # a redirect to the login page


@dataclass
class Row:
    """Expected answers: ``default`` for every logged-in role, with per-role exceptions,
    for the URL asked about the world's object ``on`` (its pk unless ``kwargs`` says)."""

    default: int | str
    anonymous: int | str = LOGIN
    exceptions: dict[str, int | str] = field(default_factory=dict)
    on: str | None = None  # a key of the world
    kwargs: object = None  # the object (or None) -> URL kwargs; default {"pk": object.pk}
    session: str | None = None  # a key of the world: data put in the person's session first
    query: object = None  # the object -> the query string's parameters

    def expected(self, role: str):
        if role == "anonymous":
            return self.anonymous
        return self.exceptions.get(role, self.default)

    def url_kwargs(self, world) -> dict:
        obj = world[self.on] if self.on else None
        if self.kwargs:
            return self.kwargs(obj)
        return {"pk": obj.pk} if obj is not None else {}


def only(**allowed) -> dict:
    return allowed


def by_code(department) -> dict:
    return {"code": department.code}


def by_department(department) -> dict:
    return {"department": department.code}


def no_kwargs(_) -> dict:  # a URL without arguments, asked about an object by its query
    return {}


def by_slug(obj) -> dict:
    return {"slug": obj.slug}


def attachment_kwargs(attachment) -> dict:
    return {"pk": attachment.use_case_id, "attachment_pk": attachment.pk}


IMPORT_TOKEN = "0123456789abcdef0123456789abcdef"  # an upload waiting to be mapped


API = 401  # an anonymous API call
COE_AND_LEADERS = only(reviewer=200, admin=200, leader=200)  # who sees everything
COE = only(reviewer=200, admin=200)
QUEUE_ROLES = only(champion=200, **COE)  # leadership does not triage
NOT_QUEUE_ROLES = only(employee=403, other_dept=403, leader=403)
# Governance detail (reviews, evidence, risk, conditions) of Marketing's proposal, which is
# not confidential: its owner, the CoE and leadership; not Finance's employee or champion.
MARKETING_DETAIL = only(employee=404, champion=404)

# A URL name maps to one Row, or to several asked about different objects.
MATRIX: dict[str, Row | tuple[Row, ...]] = {
    # core
    "home": Row(200),
    "how_it_works": Row(200),
    "how_it_works_edit": Row(403, exceptions=only(admin=200)),
    "markdown_preview": Row(405),  # POST only (for admins)
    "login": Row(302, anonymous=200),  # a logged-in person is sent home
    "logout": Row(405),  # POST only
    "api_tokens": Row(200),  # one's own tokens only (tests/coe_portal/test_api_tokens.py)
    "api_token_revoke": Row(405, on="api_token"),  # POST only
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
    # governance: the queue and triage ("new": a proposal waiting for triage)
    "governance:queue": Row(403, exceptions=QUEUE_ROLES),
    "governance:assign": Row(405, on="new"),
    "governance:accept": Row(405, on="new"),
    "governance:reject": (  # the form, for whoever may triage it: its champions and the CoE
        Row(200, exceptions=only(employee=403, other_dept=404, leader=403), on="new"),
        Row(403, exceptions=COE, on="marketing_new"),
    ),
    # governance: one proposal ("proposal": under review; "live": approved with conditions
    # and in the register)
    "governance:case": (
        Row(200, exceptions=only(other_dept=404), on="proposal"),
        Row(200, on="marketing_proposal"),  # detail shown only to those who may read it
        Row(404, exceptions=only(employee=200), on="draft"),  # a draft is its owner's alone
    ),
    "governance:risk_override": Row(405, on="proposal"),
    "governance:go_live": (  # owners and the CoE move approved work on
        Row(200, exceptions=only(other_dept=404, champion=403, leader=403), on="live"),
        Row(403, exceptions=only(other_dept=200, **COE), on="marketing_live"),
    ),
    # Reviews routed to CoE reviewers: Finance's champion still reads Finance's (all of their
    # department's); routing only decides who answers, which is a POST.
    "governance:review": (
        Row(200, exceptions=only(other_dept=404), on="review"),
        Row(200, exceptions=MARKETING_DETAIL, on="marketing_review"),
    ),
    "governance:review_assign": Row(405, on="review"),
    "governance:evidence": (
        Row(200, exceptions=only(other_dept=404), on="answer"),
        Row(200, exceptions=MARKETING_DETAIL, on="marketing_answer"),
    ),
    "governance:condition_met": Row(405, on="condition"),
    # the waiver form: CoE reviewers only; others who read the condition are refused
    "governance:condition_waive": (
        Row(403, exceptions=only(other_dept=404, **COE), on="condition"),
        Row(403, exceptions=only(**MARKETING_DETAIL, **COE), on="marketing_condition"),
    ),
    # the register: reviewers, admins and leadership only (issue 4)
    "governance:register": Row(403, exceptions=COE_AND_LEADERS),
    "governance:register_csv": Row(403, exceptions=COE_AND_LEADERS),
    # policy: CoE admins change it; reviewers and champions read the criteria they apply
    "governance:settings": Row(403, exceptions=only(admin=200)),
    "governance:setup": Row(403, exceptions=only(admin=302)),  # done (there are proposals)
    "governance:criteria": Row(403, exceptions=QUEUE_ROLES),
    "governance:criterion_new": Row(403, exceptions=only(admin=200)),
    "governance:criterion_edit": Row(403, exceptions=only(admin=200), on="criterion"),
    "governance:platforms": Row(200),  # the catalog everyone proposes from
    "governance:platform_new": Row(403, exceptions=only(admin=200)),
    "governance:platform_edit": Row(403, exceptions=only(admin=200), on="platform"),
    # governance API
    "governance-queue-list": Row(403, anonymous=API, exceptions=QUEUE_ROLES),
    "governance-queue-detail": (
        Row(403, anonymous=API, exceptions=QUEUE_ROLES, on="new"),
        Row(403, anonymous=API, exceptions=only(champion=404, **COE), on="marketing_new"),
    ),
    # POST-only actions: the role check answers before the method check
    "governance-queue-assign": Row(405, anonymous=API, exceptions=NOT_QUEUE_ROLES, on="new"),
    "governance-queue-accept": Row(405, anonymous=API, exceptions=NOT_QUEUE_ROLES, on="new"),
    "governance-queue-reject": Row(405, anonymous=API, exceptions=NOT_QUEUE_ROLES, on="new"),
    "governance-review-list": Row(200, anonymous=API),  # filtered to what each may read
    "governance-review-detail": (
        Row(200, anonymous=API, exceptions=only(other_dept=404), on="review"),
        Row(200, anonymous=API, exceptions=MARKETING_DETAIL, on="marketing_review"),
    ),
    "governance-review-decide": Row(405, anonymous=API, on="review"),
    "governance-risk-list": Row(200, anonymous=API),
    "governance-risk-detail": (
        Row(200, anonymous=API, exceptions=only(other_dept=404), on="risk"),
        Row(200, anonymous=API, exceptions=MARKETING_DETAIL, on="marketing_risk"),
    ),
    "governance-risk-override": Row(405, anonymous=API, on="risk"),
    "governance-condition-list": Row(200, anonymous=API),
    "governance-condition-detail": (
        Row(200, anonymous=API, exceptions=only(other_dept=404), on="condition"),
        Row(200, anonymous=API, exceptions=MARKETING_DETAIL, on="marketing_condition"),
    ),
    "governance-condition-met": Row(405, anonymous=API, on="condition"),
    "governance-condition-waive": Row(405, anonymous=API, on="condition"),
    "governance-register-list": Row(403, anonymous=API, exceptions=COE_AND_LEADERS),
    "governance-register-detail": (
        Row(403, anonymous=API, exceptions=COE_AND_LEADERS, on="live"),
        Row(403, anonymous=API, exceptions=COE_AND_LEADERS, on="marketing_live"),
    ),
    "governance-platform-list": Row(200, anonymous=API),
    "governance-platform-detail": Row(200, anonymous=API, on="platform"),
    # metrics: the organisation's dashboard and reports are for leadership and the CoE;
    # a department's dashboard also for its champions; its readiness also for its members
    "metrics:dashboard": Row(403, exceptions=COE_AND_LEADERS),
    "metrics:dashboard_csv": Row(
        403, exceptions=COE_AND_LEADERS, kwargs=lambda _: {"chart": "funnel"}
    ),
    "metrics:my_department": Row(302),  # to one's own department's dashboard (checked there)
    "metrics:department_dashboard": (
        Row(403, exceptions=only(champion=200, **COE_AND_LEADERS), on="finance", kwargs=by_code),
        Row(403, exceptions=COE_AND_LEADERS, on="marketing", kwargs=by_code),
    ),
    "metrics:readiness": Row(302, exceptions=COE_AND_LEADERS),  # others: their department's
    "metrics:department_readiness": (
        Row(200, exceptions=only(other_dept=403), on="finance", kwargs=by_code),
        Row(200, exceptions=only(employee=403, champion=403), on="marketing", kwargs=by_code),
    ),
    "metrics:assess": Row(403, exceptions=only(champion=200), on="finance", kwargs=by_code),
    # Finance's draft assessment: its champion's until submitted, then its members' too
    "metrics:assessment_detail": Row(
        200, exceptions=only(employee=404, other_dept=404), on="draft_assessment"
    ),
    "metrics:report_list": Row(403, exceptions=COE_AND_LEADERS),
    "metrics:report_detail": Row(403, exceptions=COE_AND_LEADERS, on="report"),
    "metrics:report_status": Row(403, exceptions=COE_AND_LEADERS, on="report"),
    "metrics:report_regenerate": Row(405, on="report"),
    "metrics:report_download": Row(
        403, exceptions=COE_AND_LEADERS, on="report", kwargs=lambda r: {"pk": r.pk, "fmt": "csv"}
    ),
    # metrics API
    "kpi-snapshot-list": Row(403, anonymous=API, exceptions=only(champion=200, **COE_AND_LEADERS)),
    # a Marketing snapshot: not for Finance's champion
    "kpi-snapshot-detail": Row(
        403,
        anonymous=API,
        exceptions=only(champion=404, **COE_AND_LEADERS),
        on="marketing_snapshot",
    ),
    "readiness-assessment-list": Row(200, anonymous=API),  # filtered to what each may read
    # Finance's submitted assessment: its members see it
    "readiness-assessment-detail": Row(
        200, anonymous=API, exceptions=only(other_dept=404), on="assessment"
    ),
    "report-list": Row(403, anonymous=API, exceptions=COE_AND_LEADERS),
    "report-detail": Row(403, anonymous=API, exceptions=COE_AND_LEADERS, on="report"),
    # intake: lists, the form and its helpers, data in and out ("draft": Finance's employee's
    # draft; lists and exports are filtered, test_access_lists.py checks what they hold)
    "usecases:usecase_list": Row(200),
    "usecases:my_proposals": Row(200),
    # everyone who logs in is an employee and may propose, leadership included (read-only
    # is about the leadership role's powers, not the person's own proposals)
    "usecases:usecase_create": Row(200),
    "usecases:usecase_validate": Row(405),  # POST only (htmx)
    "usecases:usecase_similar": Row(200),
    "usecases:usecase_export": Row(200),
    # CSV import of an existing inventory: CoE admins only; map and preview are asked about
    # an upload waiting in the admin's session (the role check answers first for others)
    "usecases:usecase_import": Row(403, exceptions=only(admin=200)),
    "usecases:usecase_import_map": Row(
        403,
        exceptions=only(admin=200),
        kwargs=lambda _: {"token": IMPORT_TOKEN},
        session="import_session",
    ),
    "usecases:usecase_import_preview": Row(
        403,
        exceptions=only(admin=200),
        kwargs=lambda _: {"token": IMPORT_TOKEN},
        session="import_session",
    ),
    # notifications: one's own only ("notification": Finance's employee's, about a comment
    # on their confidential proposal)
    "usecases:notification_list": Row(200),
    "usecases:notification_read": Row(405),  # POST only
    "usecases:notification_open": Row(
        404,
        exceptions=only(employee=302),
        on="notification",
        kwargs=lambda n: {"notification_pk": n.pk},
    ),
    # one proposal: Finance's confidential one under review, and the draft
    "usecases:usecase_detail": (
        Row(200, exceptions=only(other_dept=404), on="proposal"),
        Row(404, exceptions=only(employee=200), on="draft"),  # a draft is its owner's alone
        Row(200, on="marketing_proposal"),  # open: everyone
    ),
    "usecases:usecase_edit": (  # owners edit drafts (and changes requested) only
        Row(404, exceptions=only(employee=200), on="draft"),
        Row(403, exceptions=only(other_dept=404), on="proposal"),  # under review: nobody
    ),
    "usecases:usecase_transition": Row(405, on="proposal"),  # POST only
    "usecases:usecase_endorse": Row(405, on="proposal"),  # POST only
    "usecases:usecase_follow": Row(405, on="proposal"),  # POST only
    "usecases:usecase_comment": Row(405, on="proposal"),  # POST only
    # mark as a duplicate: CoE staff and the proposal's department's champions
    "usecases:usecase_mark_duplicate": (
        Row(403, exceptions=only(other_dept=404, champion=200, **COE), on="new"),
        Row(403, exceptions=COE, on="marketing_new"),  # not Finance's champion's department
    ),
    # attachments: only through the proposal, for those who may see it
    "usecases:attachment_download": (
        Row(200, exceptions=only(other_dept=404), on="attachment", kwargs=attachment_kwargs),
        Row(404, exceptions=only(employee=200), on="draft_attachment", kwargs=attachment_kwargs),
        # the confidential proposal's file asked for through Marketing's open proposal
        Row(404, on="attachment_elsewhere", kwargs=attachment_kwargs),
    ),
    # intake API: the same rules
    "use-case-list": Row(200, anonymous=API),  # filtered to what each may see
    "use-case-detail": (
        Row(200, anonymous=API, exceptions=only(other_dept=404), on="proposal"),
        Row(404, anonymous=API, exceptions=only(employee=200), on="draft"),
    ),
    "use-case-transitions": (
        Row(200, anonymous=API, exceptions=only(other_dept=404), on="proposal"),
        Row(404, anonymous=API, exceptions=only(employee=200), on="draft"),
    ),
    "use-case-comments": (  # GET lists them, POST adds one
        Row(200, anonymous=API, exceptions=only(other_dept=404), on="proposal"),
        Row(404, anonymous=API, exceptions=only(employee=200), on="draft"),
    ),
    # POST-only actions: DRF answers the method before looking the proposal up
    "use-case-transition": Row(405, anonymous=API, on="proposal"),
    "use-case-endorsement": Row(405, anonymous=API, on="proposal"),  # POST and DELETE
    "use-case-mark-duplicate": Row(405, anonymous=API, on="proposal"),
    # skilling: the catalogs are open to every employee, their own learning is their own;
    # "retired": a retired course only Finance's employee is enrolled in, so it is still
    # theirs to see, and the CoE admins'; nobody else's
    "skilling:catalog": Row(200),
    "skilling:resource_detail": (
        Row(200, on="resource"),
        Row(404, exceptions=only(employee=200, admin=200), on="retired"),
    ),
    "skilling:resource_enrol": Row(405, on="resource"),  # POST only
    "skilling:resource_progress": Row(405, on="resource"),  # POST only
    "skilling:resource_complete": Row(405, on="resource"),  # POST only
    "skilling:resource_leave": Row(405, on="resource"),  # POST only
    "skilling:my_learning": Row(200),
    "skilling:my_roles": Row(200),
    "skilling:role_list": Row(200),
    "skilling:role_path": Row(200, on="role", kwargs=by_slug),
    "skilling:role_target": Row(405, on="role", kwargs=by_slug),  # POST only
    "skilling:skill_list": Row(200),
    "skilling:event_list": Row(200),
    "skilling:event_detail": Row(200, on="event"),
    "skilling:event_register": Row(405, on="event"),  # POST only
    "skilling:event_cancel": Row(405, on="event"),  # POST only
    # coverage: champions their own department, leadership and the CoE all of them (also
    # asked for Marketing's by ?department=, which Finance's champion may not see)
    "skilling:coverage": (
        Row(403, exceptions=only(champion=200, **COE_AND_LEADERS)),
        Row(403, exceptions=COE_AND_LEADERS, on="marketing", kwargs=no_kwargs, query=by_department),
    ),
    "skilling:coverage_csv": (
        Row(403, exceptions=only(champion=200, **COE_AND_LEADERS)),
        Row(403, exceptions=COE_AND_LEADERS, on="marketing", kwargs=no_kwargs, query=by_department),
    ),
    # the catalogs' editing: CoE admins only (the role check answers before the object's)
    "skilling:manage": Row(403, exceptions=only(admin=200)),
    "skilling:manage_resources": Row(403, exceptions=only(admin=200)),
    "skilling:resource_create": Row(403, exceptions=only(admin=200)),
    "skilling:resource_edit": Row(403, exceptions=only(admin=200), on="retired"),
    "skilling:resource_import": Row(403, exceptions=only(admin=200)),
    "skilling:resource_import_template": Row(403, exceptions=only(admin=200)),
    "skilling:resource_import_confirm": Row(403, exceptions=only(admin=200), on="resource_import"),
    "skilling:manage_skills": Row(403, exceptions=only(admin=200)),
    "skilling:skill_create": Row(403, exceptions=only(admin=200)),
    "skilling:skill_edit": Row(403, exceptions=only(admin=200), on="skill"),
    "skilling:manage_roles": Row(403, exceptions=only(admin=200)),
    "skilling:role_create": Row(403, exceptions=only(admin=200)),
    "skilling:role_edit": Row(403, exceptions=only(admin=200), on="role", kwargs=by_slug),
    "skilling:path_edit": Row(403, exceptions=only(admin=200), on="role", kwargs=by_slug),
    "skilling:path_step_move": Row(405, on="path_step"),  # POST only
    "skilling:path_step_remove": Row(405, on="path_step"),  # POST only
    "skilling:manage_events": Row(403, exceptions=only(admin=200)),
    "skilling:event_create": Row(403, exceptions=only(admin=200)),
    "skilling:event_edit": Row(403, exceptions=only(admin=200), on="event"),
    "skilling:event_roster": Row(403, exceptions=only(admin=200), on="event"),  # who registered
    # skilling API: read for everyone logged in, write for CoE admins (tested per view)
    "skill-list": Row(200, anonymous=API),
    "skill-detail": Row(200, anonymous=API, on="skill", kwargs=by_slug),
    "adoption-role-list": Row(200, anonymous=API),
    "adoption-role-detail": Row(200, anonymous=API, on="role", kwargs=by_slug),
    "learning-resource-list": Row(200, anonymous=API),
    "learning-resource-detail": (
        Row(200, anonymous=API, on="resource"),
        Row(404, anonymous=API, exceptions=only(employee=200, admin=200), on="retired"),
    ),
    "learning-path-list": Row(200, anonymous=API),
    "learning-path-detail": Row(
        200, anonymous=API, on="role", kwargs=lambda role: {"role": role.slug}
    ),
    # enrolments: one's own; CoE admins read everyone's ("enrolment": Finance's employee's)
    "enrolment-list": Row(200, anonymous=API),
    "enrolment-detail": Row(
        404, anonymous=API, exceptions=only(employee=200, admin=200), on="enrolment"
    ),
    "enrolment-progress": Row(405, anonymous=API, on="enrolment"),  # POST only
    "enrolment-complete": Row(405, anonymous=API, on="enrolment"),  # POST only
    "learner-profile-me": Row(200, anonymous=API),
    # what to learn next for one's target role: Finance's employee has set one; for the
    # others the API answers "set a target role first" as a 404
    "learning-recommendation-list": Row(404, anonymous=API, exceptions=only(employee=200)),
    "learning-event-list": Row(200, anonymous=API),
    "learning-event-detail": Row(200, anonymous=API, on="event"),
    "learning-event-register": Row(405, anonymous=API, on="event"),  # POST only
    "learning-event-cancel": Row(405, anonymous=API, on="event"),  # POST only
    "skills-coverage-list": Row(
        403, anonymous=API, exceptions=only(champion=200, **COE_AND_LEADERS)
    ),
    "skills-coverage-detail": (
        Row(
            403,
            anonymous=API,
            exceptions=only(champion=200, **COE_AND_LEADERS),
            on="finance",
            kwargs=lambda d: {"department": d.code},
        ),
        Row(
            403,
            anonymous=API,
            exceptions=COE_AND_LEADERS,
            on="marketing",
            kwargs=lambda d: {"department": d.code},
        ),
    ),
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
    platform = AIPlatform.objects.create(
        name="Matrix LLM", status="approved", max_data_sensitivity="confidential"
    )
    criterion = Criterion.objects.create(area="privacy", code="MTX-01", text="Is a DPIA done?")
    finance_cases = _proposals(people["employee"], True, platform, criterion, now)
    marketing_cases = _proposals(people["other_dept"], False, platform, criterion, now)
    year, quarter = readiness.current_quarter()
    draft = UseCaseFactory(owner=people["employee"])
    return {
        "people": people,
        "finance": finance,
        "marketing": marketing,
        "draft": draft,
        "api_token": tokens.create_api_token(
            actor=people["employee"], name="Matrix script", lifetime=30
        )[0],
        "submitted": UseCaseFactory(owner=people["employee"], status="submitted", submitted_at=now),
        **finance_cases,
        **{f"marketing_{name}": obj for name, obj in marketing_cases.items()},
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
        **_intake(people, draft, finance_cases["proposal"], marketing_cases["new"]),
        **_skilling(people),
    }


def _intake(people, draft, confidential, marketing_open) -> dict:
    """Files on the draft and on Finance's confidential proposal, a comment on the latter
    and the notification it made for its owner (not for a follower who may not see it), and an inventory upload waiting in an
    admin's session."""

    def attachment(use_case):
        upload = Attachment(
            use_case=use_case, original_name="plan.pdf", content_type="application/pdf",
            size=15, uploaded_by=use_case.owner,
        )  # fmt: skip
        upload.file.save("plan.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
        upload.save()
        return upload

    secret_file = attachment(confidential)
    # Marketing's employee followed it once (before it was marked confidential, say): they
    # must not hear of the comment below.
    Follow.objects.create(use_case=confidential, user=people["other_dept"])
    comment = engagement.add_comment(confidential.pk, actor=people["reviewer"], body="DPIA?")
    notifications.notify_event(UseCaseEvent.objects.get(data__comment=comment.pk).pk)
    staged = Path(settings.MEDIA_ROOT) / "imports"
    staged.mkdir(parents=True, exist_ok=True)
    (staged / f"{IMPORT_TOKEN}.csv").write_bytes(b"Title,Problem\nInventory bot,Too slow\n")
    return {
        "attachment": secret_file,
        "draft_attachment": attachment(draft),
        "attachment_elsewhere": SimpleNamespace(pk=secret_file.pk, use_case_id=marketing_open.pk),
        "notification": Notification.objects.get(recipient=people["employee"]),
        "import_session": {
            f"usecase-import:{IMPORT_TOKEN}": {
                "name": "",
                "columns": {"title": "Title", "problem": "Problem"},
                "values": {},
                "defaults": {},
                "file_name": "inventory.csv",
            }
        },
    }


def _skilling(people) -> dict:
    """A role with a path of one active course, a retired course only Finance's employee is
    enrolled in, an event with their seat, and a resource CSV waiting to be confirmed."""
    skill = SkillFactory()
    role = AdoptionRoleFactory()
    resource = LearningResourceFactory(skills=[skill])
    retired = LearningResourceFactory(skills=[skill], status="retired")
    path = path_for(role, [resource])
    event = EventFactory(resource=resource)
    events.register_for_event(event.pk, actor=people["employee"])
    profile(people["employee"], target=role)
    staged, _ = imports.stage_upload(
        imports.template_csv().encode(), "resources.csv", actor=people["admin"]
    )
    return {
        "skill": skill,
        "role": role,
        "resource": resource,
        "retired": retired,
        "enrolment": EnrolmentFactory(user=people["employee"], resource=retired),
        "path_step": path.steps.get(),
        "event": event,
        "resource_import": staged,
    }


def _proposals(owner, confidential: bool, platform, criterion, now) -> dict:
    """``owner``'s proposals at each stage governance has URLs for, with their review (routed
    to CoE reviewers), its answer's evidence file, risk, condition and register entry."""

    def proposal(status, **extra):
        return UseCaseFactory(
            owner=owner, status=status, confidential=confidential, submitted_at=now, **extra
        )

    under_review = proposal("in_review")
    review = ReviewFactory(use_case=under_review, area="privacy", reviewer_kind="coe")
    answer = Answer(
        review=review, criterion=criterion, criterion_code=criterion.code,
        criterion_text=criterion.text,
    )  # fmt: skip
    answer.evidence_file.save("dpia.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
    answer.save()
    live = proposal("approved_with_conditions", platform=platform, decided_at=now)
    RegisterEntryFactory(use_case=live)
    return {
        "new": proposal("submitted"),
        "proposal": under_review,
        "risk": RiskAssessmentFactory(use_case=under_review),
        "review": review,
        "answer": answer,
        "live": live,
        "condition": ConditionFactory(use_case=live),
    }


def rows_of(matrix: dict, name: str) -> tuple[Row, ...]:
    return matrix[name] if isinstance(matrix[name], tuple) else (matrix[name],)


def cases(matrix: dict):
    """One test case per URL name, row and role of ``matrix``."""
    for name in sorted(matrix):
        rows = rows_of(matrix, name)
        for row in rows:
            label = f"{name}[{row.on}]" if len(rows) > 1 else name
            for role in ROLES:
                yield pytest.param(name, row, role, id=f"{label}-{role}")


@pytest.mark.parametrize(("url_name", "row", "role"), list(cases(MATRIX)))
def test_access(db, client, world, url_name, row, role):
    url = reverse(url_name, kwargs=row.url_kwargs(world))
    if role != "anonymous":
        client.force_login(world["people"][role])
        if row.session:
            session = client.session
            session.update(world[row.session])
            session.save()

    response = client.get(url, row.query(world[row.on]) if row.query else None, secure=True)

    if role != "anonymous":
        # Whatever the answer, nothing said to a signed-in person may be kept by a shared
        # cache (coe_portal/private_responses.py).
        directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, f"{url} as {role}: {directives}"

    expected = row.expected(role)
    if expected == LOGIN:
        assert response.status_code == 302, f"{url} as {role}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, f"{url} as {role}: {response.status_code}"

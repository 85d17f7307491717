"""Script and HTML payloads in every free-text field, in every place it is shown.

One world where every text a person can type holds a payload that is also a spreadsheet
formula; each page and htmx partial that shows it is asked for as someone who may see
it, and must show it escaped. Emails must carry it as plain text, and CSV exports must
defuse the formula with a leading quote.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coe_portal.roles import Role
from governance.models import Answer, Criterion
from metrics import readiness, snapshots
from metrics.models import Report
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
from tests.skilling.factories import EventFactory, LearningResourceFactory

# Starts with "=" so the same text tries the CSV exports; ends with a script and an
# attribute break-out for the pages.
PAYLOAD = '=HYPERLINK("x")"><img src=x onerror=alert(1)><script>alert(1)</script>'
JS_URL = "javascript:alert(1)"


def payload(field: str) -> str:
    return f"{PAYLOAD}{field}"


class _Unescaped(HTMLParser):
    """What a browser would run: a script holding the payload's alert, an ``on…`` handler
    attribute, or a ``javascript:`` link. Text inside attribute values stays text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()
        self._in_script = False
        self._json = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        self._json = self._in_script and ("type", "application/json") in attrs
        for name, value in attrs:
            if name.startswith("on") and "alert(1)" in (value or ""):
                self.found.add(f"an {name} attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.add(f"a javascript: {name} on <{tag}>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and self._json:
            # json_script: data, not code, as long as no "<" can close the tag
            if "<" in data:
                self.found.add("an unescaped < in a JSON script")
        elif self._in_script and "alert(1)" in data:
            self.found.add("a script tag with the payload")


def unescaped(body: str) -> list[str]:
    parser = _Unescaped()
    parser.feed(body)
    return sorted(parser.found)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    now = timezone.now()
    finance = DepartmentFactory(name=payload("dept"), code="finance")
    marketing = DepartmentFactory(name="Marketing", code="marketing")

    def person(username, department, roles=None, **extra):
        return UserFactory(
            username=username,
            department=department,
            roles=roles,
            first_name=payload("first"),
            last_name=payload("last"),
            job_title=payload("job"),
            **extra,
        )

    owner = person("owner", finance)
    champion = person("champion", finance, [Role.CHAMPION])
    reviewer = person("reviewer", marketing, [Role.COE_REVIEWER])
    admin = person("admin", marketing, [Role.COE_ADMIN])
    texts = {
        field: payload(field)
        for field in (
            "title", "problem", "solution", "benefits", "success_measure", "data_used",
            "business_sponsor", "intended_users", "platform_other",
        )
    }  # fmt: skip
    texts["title"] = texts["title"][:200]
    proposal = UseCaseFactory(owner=owner, status="in_review", submitted_at=now, **texts)
    live = UseCaseFactory(
        owner=owner, status="approved_with_conditions", submitted_at=now, decided_at=now, **texts
    )
    RegisterEntryFactory(use_case=live)
    ConditionFactory(use_case=live, text=payload("condition"))
    RiskAssessmentFactory(use_case=proposal, override_reason=payload("override"))
    review = ReviewFactory(use_case=proposal, rationale=payload("rationale"), assignee=reviewer)
    criterion = Criterion.objects.create(area="privacy", code="ESC-01", text=payload("criterion"))
    Answer.objects.create(
        review=review, criterion=criterion, criterion_code=criterion.code,
        criterion_text=criterion.text, note=payload("note"),
    )  # fmt: skip
    from usecases.engagement import add_comment

    add_comment(proposal.pk, actor=champion, body=payload("comment"))
    resource = LearningResourceFactory(title=payload("resource"), description=payload("desc"))
    event = EventFactory(
        title=payload("event"), description=payload("event-description"), location=payload("at")
    )
    snapshots.take_snapshots()
    year, quarter = readiness.current_quarter()
    assessment = ReadinessAssessmentFactory(department=finance, year=year - 1, quarter=quarter)
    assessment.answers = {
        code: {"score": 3, "evidence": payload("evidence")} for code in assessment.answers
    }
    assessment.save()
    report = Report.objects.create(
        kind="adoption",
        period_start=timezone.localdate().replace(day=1),
        period_end=timezone.localdate(),
        status="ready",
        data={
            "kpis": [],
            "departments": [{"id": finance.pk, "name": finance.name}],
            "changes": {"previous_report": None, "items": []},
        },
    )
    return {
        "owner": owner, "champion": champion, "reviewer": reviewer, "admin": admin,
        "proposal": proposal, "live": live, "review": review, "resource": resource,
        "event": event, "assessment": assessment, "report": report, "finance": finance,
    }  # fmt: skip


# (who asks, URL name, kwargs from the world, query, htmx partial?)
PAGES = [
    ("owner", "home", None, None, False),
    ("admin", "home", None, None, False),
    ("reviewer", "usecases:usecase_list", None, None, False),
    ("reviewer", "usecases:usecase_list", None, {"q": "HYPERLINK"}, True),
    ("owner", "usecases:usecase_detail", "proposal", None, False),
    ("admin", "usecases:usecase_detail", "live", None, False),
    ("owner", "usecases:my_proposals", None, None, False),
    ("admin", "usecases:usecase_similar", None, {"title": PAYLOAD, "problem": PAYLOAD}, True),
    ("owner", "usecases:notification_list", None, None, False),
    ("owner", "usecases:notification_list", None, None, True),
    ("reviewer", "governance:queue", None, None, False),
    ("champion", "governance:queue", None, None, True),
    ("owner", "governance:case", "proposal", None, False),
    ("reviewer", "governance:case", "live", None, False),
    ("reviewer", "governance:review", "review", None, False),
    ("reviewer", "governance:register", None, None, False),
    ("reviewer", "governance:register", None, None, True),
    ("champion", "governance:criteria", None, None, False),
    ("owner", "skilling:catalog", None, None, False),
    ("owner", "skilling:catalog", None, {"q": "HYPERLINK"}, True),
    ("owner", "skilling:resource_detail", "resource", None, False),
    ("owner", "skilling:event_list", None, None, False),
    ("owner", "skilling:event_detail", "event", None, False),
    ("admin", "skilling:manage_resources", None, None, False),
    ("admin", "skilling:manage_events", None, None, False),
    ("champion", "skilling:coverage", None, None, False),
    ("admin", "skilling:coverage", None, None, False),
    ("admin", "metrics:dashboard", None, None, False),
    ("admin", "metrics:dashboard", None, {"period": "quarter"}, True),
    ("champion", "metrics:department_dashboard", "finance", None, False),
    ("admin", "metrics:readiness", None, None, False),
    ("owner", "metrics:department_readiness", "finance", None, False),
    ("owner", "metrics:assessment_detail", "assessment", None, False),
    ("admin", "metrics:report_list", None, None, False),
    ("admin", "metrics:report_detail", "report", None, False),
    ("admin", "metrics:report_download", "report-html", None, False),
]


def _kwargs(world, key):
    if key is None:
        return {}
    if key == "finance":
        return {"code": world["finance"].code}
    if key == "report-html":
        return {"pk": world["report"].pk, "fmt": "html"}
    return {"pk": world[key].pk}


def test_every_page_shows_typed_text_escaped(client, world):
    problems = []
    for who, name, key, query, htmx in PAGES:
        client.force_login(world[who])
        url = reverse(name, kwargs=_kwargs(world, key))
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, query or {}, secure=True, headers=headers)
        label = f"{name}{' (htmx)' if htmx else ''} as {who}"
        if response.status_code != 200:
            problems.append(f"{label}: {response.status_code}")
            continue
        body = response.content.decode()
        if found := unescaped(body):
            problems.append(f"{label}: {', '.join(found)}")
    assert not problems, "\n".join(problems)


def test_the_payload_is_shown_as_text(client, world):
    """The check above would pass on a page that shows nothing: the text is there, escaped."""
    client.force_login(world["owner"])

    body = client.get(reverse("usecases:usecase_detail", args=[world["proposal"].pk])).content

    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_emails_carry_typed_text_as_plain_text(world, django_capture_on_commit_callbacks):
    from governance.tasks import email_assignment
    from usecases.engagement import add_comment

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(world["proposal"].pk, actor=world["reviewer"], body=payload("reply"))
    email_assignment(world["proposal"].pk, world["reviewer"].pk, world["review"].pk)

    assert len(mail.outbox) >= 2
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None)  # no HTML part to run script in
        assert "\n" not in message.subject


FORMULA_STARTS = ("=", "+", "-", "@")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


CSV_EXPORTS = [
    ("admin", "usecases:usecase_export", {}, None),
    ("reviewer", "governance:register_csv", {}, None),
    ("admin", "skilling:coverage_csv", {}, None),
    ("admin", "skilling:coverage_csv", {}, {"table": "skills"}),
    ("admin", "metrics:dashboard_csv", {"chart": "funnel"}, None),
    ("admin", "metrics:dashboard_csv", {"chart": "heatmap"}, None),
    ("admin", "metrics:dashboard_csv", {"chart": "radar"}, {"department": "finance"}),
    ("admin", "metrics:report_download", "report-csv", None),
]


def test_csv_exports_defuse_formulas(client, world):
    problems = []
    for who, name, kwargs, query in CSV_EXPORTS:
        if kwargs == "report-csv":
            kwargs = {"pk": world["report"].pk, "fmt": "csv"}
        client.force_login(world[who])
        response = client.get(reverse(name, kwargs=kwargs), query or {}, secure=True)
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        cells = _cells(body.decode())
        bad = [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)]
        if bad:
            problems.append(f"{name} {kwargs} {query}: {bad[:2]}")
    assert not problems, "\n".join(problems)


def _number(cell: str) -> bool:
    """A negative figure is a number, not a formula."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("model", "field"),
    [("skilling.LearningResource", "url"), ("skilling.Event", "online_url")],
)
def test_links_people_type_cannot_be_javascript(model, field):
    """Pages put these in href; every way in (forms, admin, API) validates with the model
    field, and the CSV import with its own http(s) check (tests/skilling/test_imports.py)."""
    from django.apps import apps

    model_field = apps.get_model(model)._meta.get_field(field)
    with pytest.raises(ValidationError):
        model_field.clean(JS_URL, None)

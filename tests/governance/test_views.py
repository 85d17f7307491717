"""Each governance page for each role: who sees it, who may act, and nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coe_portal.roles import Role
from governance.models import Criterion, Review
from tests.factories import UseCaseFactory, UserFactory
from tests.governance.conftest import answer_all

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "employee", "other_champion", "champion", "reviewer", "coe_admin", "leader"]


@pytest.fixture
def other_champion(other_department):
    return UserFactory(username="carl", department=other_department, roles=[Role.CHAMPION])


@pytest.fixture
def as_role(request, client):
    def log_in(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return log_in


def status_of(response):
    if response.status_code == 302 and "/login/" in response["Location"]:
        return "login"
    return response.status_code


QUEUE = {"anonymous": "login", "employee": 403, "other_champion": 200, "champion": 200,
         "reviewer": 200, "coe_admin": 200, "leader": 403}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_queue_is_for_reviewers_and_champions(as_role, submitted, role):
    response = as_role(role).get(reverse("governance:queue"))
    assert status_of(response) == QUEUE[role]
    if response.status_code == 200:
        shown = "Contract digest" in response.content.decode()
        assert shown == (role != "other_champion")  # a Marketing champion never sees Finance's


ACCEPT = {"anonymous": "login", "employee": 403, "other_champion": 403, "champion": 302,
          "reviewer": 302, "coe_admin": 302, "leader": 403}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_only_triagers_accept_for_review(as_role, submitted, role):
    response = as_role(role).post(reverse("governance:accept", args=[submitted.pk]))
    assert status_of(response) == ACCEPT[role]
    submitted.refresh_from_db()
    assert (submitted.status == "in_review") == (ACCEPT[role] == 302)


def test_champion_of_another_department_cannot_see_a_confidential_proposal(as_role, employee):
    secret = UseCaseFactory(owner=employee, status="submitted", confidential=True)
    assert (
        as_role("other_champion").get(reverse("governance:case", args=[secret.pk])).status_code
        == 404
    )


def test_reject_needs_a_note_and_records_it(as_role, submitted):
    client = as_role("reviewer")
    url = reverse("governance:reject", args=[submitted.pk])
    assert "This field is required" in client.post(url, {"note": ""}).content.decode()
    client.post(url, {"note": "Not generative AI.", "expected_status": "submitted"})
    submitted.refresh_from_db()
    assert submitted.status == "rejected"


def test_assign_to_me_from_the_queue(as_role, submitted, reviewer):
    as_role("reviewer").post(
        reverse("governance:assign", args=[submitted.pk]), {"next": "/governance/queue/"}
    )
    submitted.refresh_from_db()
    assert submitted.triage.assignee == reviewer and submitted.status == "triage"


REVIEW_POST = {"anonymous": "login", "employee": 403, "other_champion": 404, "champion": 403,
               "reviewer": 302, "coe_admin": 302, "leader": 403}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_only_routed_reviewers_decide(as_role, submitted, reviewer, role):
    from governance.reviews import accept_for_review

    submitted.confidential = True
    submitted.save()
    accept_for_review(submitted.pk, actor=reviewer)
    review = Review.objects.filter(use_case=submitted).first()
    data = {"outcome": "reject", "rationale": "Not now.", "version": review.version}
    response = as_role(role).post(reverse("governance:review", args=[review.pk]), data)
    assert status_of(response) == REVIEW_POST[role]


def test_review_page_answers_and_decides_with_a_condition(as_role, submitted, reviewer, employee):
    from governance.reviews import accept_for_review

    accept_for_review(submitted.pk, actor=reviewer)
    client = as_role("reviewer")
    for review in Review.objects.filter(use_case=submitted):
        data = {"version": review.version, "outcome": "approve_with_conditions", "rationale": "Ok."}
        for pk in answer_all(review):
            data[f"a{pk}-result"] = "pass"
        data.update({"c0-text": "Label output", "c0-owner": employee.pk,
                     "c0-due_on": (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()})  # fmt: skip
        response = client.post(reverse("governance:review", args=[review.pk]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    submitted.refresh_from_db()
    assert submitted.status == "approved_with_conditions"
    page = as_role("employee").get(reverse("governance:case", args=[submitted.pk])).content.decode()
    assert "Approved with conditions" in page and "Label output" in page


# Issue 4: the register is "visible to reviewers, admins and leadership".
REGISTER = {"anonymous": "login", "employee": 403, "other_champion": 403, "champion": 403,
            "reviewer": 200, "coe_admin": 200, "leader": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_register_is_for_reviewers_admins_and_leadership(as_role, employee, role):
    UseCaseFactory(owner=employee, status="in_production", title="Open workload")
    UseCaseFactory(owner=employee, status="approved", confidential=True, title="Secret workload")
    response = as_role(role).get(reverse("governance:register"))
    assert status_of(response) == REGISTER[role]
    if response.status_code == 200:
        body = response.content.decode()
        assert "Open workload" in body and "Secret workload" in body
    csv_response = as_role(role).get(reverse("governance:register_csv"))
    assert status_of(csv_response) == REGISTER[role]


def test_register_csv_export(as_role, employee):
    UseCaseFactory(owner=employee, status="approved", title="=cmd()")
    response = as_role("leader").get(reverse("governance:register_csv"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("id,title,status")
    assert "'=cmd()" in body


ADMIN_ONLY = {"anonymous": "login", "employee": 403, "other_champion": 403, "champion": 403,
              "reviewer": 403, "coe_admin": 200, "leader": 403}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url", ["governance:settings", "governance:criterion_new", "governance:platform_new"]
)
def test_admin_pages(as_role, role, url):
    assert status_of(as_role(role).get(reverse(url))) == ADMIN_ONLY[role]


def test_settings_switch_the_operating_model(as_role):
    from coe_portal.models import PortalSettings

    data = {"operating_model": "federated", "review_sla_days": 5}
    for tier in ("prohibited", "high", "limited", "minimal"):
        data[f"tier-{tier}-required_areas"] = ["responsible_ai", "privacy"]
        data[f"tier-{tier}-rereview_after_days"] = 180
    response = as_role("coe_admin").post(reverse("governance:settings"), data)
    assert response.status_code == 302
    assert PortalSettings.load().operating_model == "federated"


def test_setup_wizard_on_an_empty_portal(as_role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coe_portal.models import Department

    client = as_role("coe_admin")
    assert client.get(reverse("governance:setup")).status_code == 200
    data = {"operating_model": "hybrid", "review_sla_days": 7, "departments": "Research, research",
            "departments_csv": SimpleUploadedFile("d.csv", b"name,code\nLogistics,logistics\n")}  # fmt: skip
    for tier in ("prohibited", "high", "limited", "minimal"):
        data[f"tier-{tier}-required_areas"] = ["responsible_ai"]
        data[f"tier-{tier}-rereview_after_days"] = 365
    response = client.post(reverse("governance:setup"), data)
    assert response.status_code == 302
    assert {"research", "logistics"} <= set(Department.objects.values_list("code", flat=True))
    assert client.get(reverse("governance:setup")).status_code == 302  # done: back to settings


def test_admin_edits_a_criterion(as_role):
    criterion = Criterion.objects.get(code="PRV-01")
    data = {
        "area": "privacy",
        "code": "PRV-01",
        "text": "Minimise personal data.",
        "position": 1,
        "active": "on",
    }
    assert (
        as_role("coe_admin")
        .post(reverse("governance:criterion_edit", args=[criterion.pk]), data)
        .status_code
        == 302
    )
    criterion.refresh_from_db()
    assert criterion.text == "Minimise personal data."


def test_admin_changes_a_platforms_clearance(as_role):
    from coe_portal.models import AIPlatform

    platform = AIPlatform.objects.get(name="Public consumer chatbots")
    data = {
        "name": platform.name,
        "vendor": "Various",
        "status": "approved",
        "max_data_sensitivity": "public",
    }
    as_role("coe_admin").post(reverse("governance:platform_edit", args=[platform.pk]), data)
    platform.refresh_from_db()
    assert platform.status == "approved"


def test_queue_flags_platforms_without_clearance(as_role, employee):
    from coe_portal.models import AIPlatform

    platform = AIPlatform.objects.get(name="GitHub Copilot Business")  # internal only
    UseCaseFactory(
        owner=employee,
        status="submitted",
        platform=platform,
        data_sensitivity="restricted",
        submitted_at=timezone.now(),
    )
    body = as_role("reviewer").get(reverse("governance:queue")).content.decode()
    assert "above GitHub Copilot Business" in body


def test_home_shows_queue_counts_to_reviewers(as_role, submitted):
    body = as_role("reviewer").get(reverse("home")).content.decode()
    assert "Review queue" in body and "1 new" in body


@pytest.mark.parametrize(
    # Limited risk: champions review it in the federated and hybrid models (issue 18).
    ("model", "champion_sees_it"),
    [("centralized", False), ("hybrid", True), ("federated", True)],
)
def test_champion_queue_holds_in_review_proposals_only_when_routed_to_champions(
    as_role, champion, submitted, reviewer, model, champion_sees_it
):
    from coe_portal.models import PortalSettings
    from governance.reviews import accept_for_review

    PortalSettings.objects.filter(pk=1).update(operating_model=model)
    accept_for_review(submitted.pk, actor=reviewer)
    body = as_role("champion").get(reverse("governance:queue")).content.decode()
    assert ("Contract digest" in body) == champion_sees_it


def test_open_rereviews_appear_in_the_coe_queue(as_role, employee):
    from datetime import timedelta

    from governance import register
    from tests.factories import RegisterEntryFactory

    entry = RegisterEntryFactory(
        use_case__owner=employee,
        use_case__title="Live bot",
        next_review_on=timezone.localdate() - timedelta(days=1),
    )
    register.open_due_rereviews()
    body = as_role("reviewer").get(reverse("governance:queue")).content.decode()
    assert "Live bot" in body and "re-review" in body
    assert entry.use_case.reviews.filter(kind="re_review").exists()


def test_owner_starts_the_pilot_with_realised_value_and_admin_moves_it_to_production(
    as_role, employee
):
    from governance.models import RegisterEntry

    uc = UseCaseFactory(owner=employee, status="approved")
    RegisterEntry.objects.create(use_case=uc)
    response = as_role("employee").post(
        reverse("governance:go_live", args=[uc.pk]),
        {"target": "in_pilot", "realised_annual_value": "1200", "expected_status": "approved"},
    )
    assert response.status_code == 302
    uc.refresh_from_db()
    assert uc.status == "in_pilot" and uc.realised_annual_value == 1200

    as_role("coe_admin").post(
        reverse("governance:go_live", args=[uc.pk]),
        {"target": "in_production", "on_date": "2026-11-02", "expected_status": "in_pilot"},
    )
    uc.refresh_from_db()
    assert uc.status == "in_production"
    assert str(RegisterEntry.objects.get(use_case=uc).went_live_on) == "2026-11-02"


def test_colleague_cannot_move_someone_elses_use_case(as_role, employee, colleague):
    uc = UseCaseFactory(owner=employee, status="approved")
    assert as_role("colleague").get(reverse("governance:go_live", args=[uc.pk])).status_code == 403


def test_other_employees_see_only_the_tier_and_decision_of_a_proposal(as_role, submitted, reviewer):
    from governance.reviews import accept_for_review

    accept_for_review(submitted.pk, actor=reviewer)
    review = Review.objects.filter(use_case=submitted).first()
    owner_page = (
        as_role("employee").get(reverse("governance:case", args=[submitted.pk])).content.decode()
    )
    assert "Responsible AI" in owner_page

    client = as_role("colleague")
    page = client.get(reverse("governance:case", args=[submitted.pk])).content.decode()
    assert "Limited" in page and "Responsible AI" not in page
    assert client.get(reverse("governance:review", args=[review.pk])).status_code == 404


@pytest.mark.parametrize("url", ["governance:queue", "governance:register"])
def test_filters_answer_htmx_with_just_the_results(as_role, submitted, url):
    response = as_role("reviewer").get(reverse(url), {"q": "digest"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="results">') and "<html" not in body


def test_evidence_file_upload_and_who_may_download_it(
    as_role, submitted, reviewer, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance.models import Answer
    from governance.reviews import accept_for_review

    settings.MEDIA_ROOT = tmp_path
    accept_for_review(submitted.pk, actor=reviewer)
    review = Review.objects.filter(use_case=submitted).first()
    answer = review.answers.first()
    data = {"version": review.version, "outcome": "", "rationale": "",
            f"a{answer.pk}-result": "pass",
            f"a{answer.pk}-evidence_file": SimpleUploadedFile("dpia.pdf", b"%PDF-1.4 test", "application/pdf")}  # fmt: skip
    response = as_role("reviewer").post(reverse("governance:review", args=[review.pk]), data)
    assert response.status_code == 302
    answer = Answer.objects.get(pk=answer.pk)
    assert answer.evidence_file.name.endswith(".pdf")

    url = reverse("governance:evidence", args=[answer.pk])
    assert b"".join(as_role("employee").get(url).streaming_content) == b"%PDF-1.4 test"
    assert as_role("colleague").get(url).status_code == 404


def test_evidence_rejects_executables(as_role, submitted, reviewer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance.reviews import accept_for_review

    accept_for_review(submitted.pk, actor=reviewer)
    review = Review.objects.filter(use_case=submitted).first()
    answer = review.answers.first()
    data = {
        "version": review.version,
        f"a{answer.pk}-evidence_file": SimpleUploadedFile("x.exe", b"MZ"),
    }
    response = as_role("reviewer").post(reverse("governance:review", args=[review.pk]), data)
    assert response.status_code == 200 and "not allowed" in response.content.decode()

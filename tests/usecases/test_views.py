"""The intake pages per role: what each person sees and may do."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UseCaseFactory, UserFactory
from usecases.models import Attachment, Endorsement, Follow, UseCase, UseCaseEvent

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def proposals(employee, outsider):
    """Otto's (Marketing) draft and confidential proposal, and an open one; all share a word."""
    return {
        "otto_draft": UseCaseFactory(owner=outsider, title="Zebra draft idea"),
        "otto_secret": UseCaseFactory(
            owner=outsider, status="submitted", confidential=True, title="Zebra secret plan"
        ),
        "otto_open": UseCaseFactory(owner=outsider, status="submitted", title="Zebra open idea"),
    }


def _titles(response) -> str:
    return response.content.decode()


HIDDEN = ("Zebra draft idea", "Zebra secret plan")


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("usecases:usecase_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("usecases:usecase_list"),
        reverse("usecases:usecase_list") + "?q=Zebra",
        reverse("usecases:usecase_export"),
        reverse("usecases:usecase_export") + "?q=zebra",
        reverse("usecases:usecase_similar") + "?title=Zebra+idea&problem=zebra",
        "/api/v1/use-cases/",
        "/api/v1/use-cases/?q=Zebra",
    ],
)
def test_employee_never_sees_others_draft_or_confidential(client, employee, proposals, url):
    client.force_login(employee)
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    assert "Zebra open idea" in text
    for title in HIDDEN:
        assert title not in text


@pytest.mark.parametrize(
    ("who", "sees_secret"),
    [
        ("employee", False),
        ("champion", False),
        ("reviewer", True),
        ("leader", True),
        ("outsider", True),
    ],
)
def test_confidential_in_explore_by_role(client, proposals, who, sees_secret, request):
    client.force_login(request.getfixturevalue(who))
    text = _titles(client.get(reverse("usecases:usecase_list")))
    assert ("Zebra secret plan" in text) is sees_secret
    # A draft is its owner's alone.
    assert ("Zebra draft idea" in text) is (who == "outsider")


@pytest.mark.parametrize(
    ("who", "status"),
    [("employee", 404), ("colleague", 404), ("reviewer", 200), ("outsider", 200)],
)
def test_confidential_proposal_page(client, proposals, who, status, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(proposals["otto_secret"].get_absolute_url()).status_code == status


def test_others_draft_is_404_even_for_staff(client, proposals, reviewer):
    client.force_login(reviewer)
    assert client.get(proposals["otto_draft"].get_absolute_url()).status_code == 404


def test_explore_filters_and_sorts(client, employee, other_department):
    low = UseCaseFactory(status="submitted", title="Low value", reach=1, category="other")
    high = UseCaseFactory(
        status="submitted", title="High value", reach=5000, category="summarisation"
    )
    UseCase.objects.filter(pk=low.pk).update(endorsement_count=9)
    client.force_login(employee)
    url = reverse("usecases:usecase_list")
    by_value = client.get(url, {"sort": "value"}).content.decode()
    assert by_value.index("High value") < by_value.index("Low value")
    by_endorsed = client.get(url, {"sort": "endorsed"}).content.decode()
    assert by_endorsed.index("Low value") < by_endorsed.index("High value")
    only = client.get(url, {"category": "other"}).content.decode()
    assert "Low value" in only and "High value" not in only
    assert high.quadrant


def test_explore_htmx_returns_only_the_results(client, employee, proposals):
    client.force_login(employee)
    response = client.get(
        reverse("usecases:usecase_list"), {"q": "Zebra"}, headers={"HX-Request": "true"}
    )
    assert b'id="results"' in response.content
    assert b"<html" not in response.content


def _rows(n, owner, **kwargs):
    for i in range(n):
        UseCaseFactory(owner=owner, status="submitted", title=f"Row {i}", **kwargs)


@pytest.mark.parametrize("rows", [3, 30])
def test_explore_query_count_is_flat(
    client, employee, outsider, rows, django_assert_max_num_queries
):
    _rows(rows, outsider)
    client.force_login(employee)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("usecases:usecase_list")).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_my_proposals_query_count_is_flat(client, employee, rows, django_assert_max_num_queries):
    _rows(rows, employee)
    client.force_login(employee)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("usecases:my_proposals"))
    assert b"CoE triage" in response.content


@pytest.mark.parametrize("rows", [3, 30])
def test_proposal_page_query_count_is_flat(
    client, employee, colleague, rows, django_assert_max_num_queries
):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    from usecases import engagement

    for i in range(rows):
        person = UserFactory(username=f"fan{i}")
        engagement.toggle_endorsement(use_case.pk, actor=person)
        engagement.add_comment(use_case.pk, actor=person, body=f"Comment {i}")
    client.force_login(colleague)
    with django_assert_max_num_queries(16):
        assert client.get(use_case.get_absolute_url()).status_code == 200


FULL_ANSWERS = {
    "title": "Summarise incident reports",
    "problem": "Ops reads long incident reports every morning.",
    "solution": "A daily digest written by an assistant.",
    "category": "summarisation",
    "business_sponsor": "COO",
    "intended_users": "Operations",
    "reach": "40",
    "benefits": "Time back every morning.",
    "success_measure": "Digest read by 80% of the team.",
    "data_used": "Incident reports.",
    "data_sensitivity": "internal",
    "platform_other": "Azure OpenAI",
    "effort": "S",
    "data_readiness": "4",
}


def test_save_draft_with_few_answers_then_come_back(client, employee, department):
    client.force_login(employee)
    response = client.post(
        reverse("usecases:usecase_create"),
        {"title": "Half an idea", "department": department.pk, "action": "save"},
    )
    use_case = UseCase.objects.get(title="Half an idea")
    assert response.status_code == 302
    assert use_case.status == "draft" and use_case.owner == employee
    assert client.get(reverse("usecases:usecase_edit", args=[use_case.pk])).status_code == 200


def test_submit_with_missing_answers_keeps_everything_and_says_what_is_missing(
    client, employee, department
):
    client.force_login(employee)
    response = client.post(
        reverse("usecases:usecase_create"),
        {
            "title": "Half an idea",
            "problem": "Typed with care.",
            "department": department.pk,
            "action": "submit",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Typed with care." in text
    assert "Needed before you submit." in text
    use_case = UseCase.objects.get(title="Half an idea")
    assert use_case.status == "draft" and use_case.problem == "Typed with care."


def test_complete_proposal_submits(client, employee, department):
    client.force_login(employee)
    response = client.post(
        reverse("usecases:usecase_create"),
        {
            **FULL_ANSWERS,
            "department": department.pk,
            "team_roles": ["data-steward"],
            "action": "submit",
        },
    )
    use_case = UseCase.objects.get(title=FULL_ANSWERS["title"])
    assert response.status_code == 302
    assert use_case.status == "submitted"
    assert use_case.team_roles == ["data-steward"]
    assert use_case.value_score > 0 and use_case.quadrant
    assert UseCaseEvent.objects.filter(use_case=use_case, to_status="submitted").exists()


def test_stale_edit_is_refused(client, employee):
    use_case = UseCaseFactory(owner=employee)
    client.force_login(employee)
    url = reverse("usecases:usecase_edit", args=[use_case.pk])
    data = {
        **FULL_ANSWERS,
        "department": use_case.department_id,
        "version": use_case.version,
        "action": "save",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "title": "Older copy"})
    assert response.status_code == 200
    assert "changed since you opened it" in response.content.decode()


@pytest.mark.parametrize(
    ("status", "code"), [("draft", 200), ("changes_requested", 200), ("submitted", 403)]
)
def test_owner_edits_drafts_only(client, employee, status, code):
    use_case = UseCaseFactory(owner=employee, status=status)
    client.force_login(employee)
    assert client.get(reverse("usecases:usecase_edit", args=[use_case.pk])).status_code == code


def test_others_cannot_edit(client, employee, colleague, reviewer):
    use_case = UseCaseFactory(owner=employee, status="changes_requested")
    for person, code in ((colleague, 403), (reviewer, 403)):
        client.force_login(person)
        assert client.get(reverse("usecases:usecase_edit", args=[use_case.pk])).status_code == code


def test_inline_validation_returns_the_fields_messages(client, employee):
    client.force_login(employee)
    url = reverse("usecases:usecase_validate")
    assert (
        "at least 5 characters"
        in client.post(url, {"_field": "title", "title": "ab"}).content.decode()
    )
    assert (
        client.post(url, {"_field": "title", "title": "A fine title"}).content.decode().strip()
        == ""
    )
    assert (
        "Needed before you submit"
        in client.post(url, {"_field": "problem", "problem": ""}).content.decode()
    )
    assert "whole number" in client.post(url, {"_field": "reach", "reach": "lots"}).content.decode()


def test_similar_excludes_the_current_proposal(client, employee, outsider):
    mine = UseCaseFactory(owner=employee, title="Translate product manuals")
    other = UseCaseFactory(
        owner=outsider, status="submitted", title="Translate product manuals for export"
    )
    client.force_login(employee)
    text = client.get(
        reverse("usecases:usecase_similar"),
        {"title": "Translate product manuals", "exclude": mine.pk},
    ).content.decode()
    assert other.get_absolute_url() in text
    assert mine.get_absolute_url() not in text


def test_endorse_toggles_in_place_with_oob_counter(client, employee, colleague):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    client.force_login(colleague)
    url = reverse("usecases:usecase_endorse", args=[use_case.pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert b'hx-swap-oob="true">1 endorsement<' in response.content
    assert Endorsement.objects.filter(use_case=use_case, user=colleague).count() == 1
    response = client.post(url, headers={"HX-Request": "true"})
    assert b">0 endorsements<" in response.content
    assert not Endorsement.objects.filter(use_case=use_case).exists()


def test_follow_toggles_in_place_with_oob_follower_count(client, employee, colleague, champion):
    """Following answers the htmx request with the buttons and the page's follower count,
    out of band, as endorsing does: the count is never stale until a reload (issue 18)."""
    use_case = UseCaseFactory(owner=employee, status="submitted")
    Follow.objects.create(use_case=use_case, user=champion)
    client.force_login(colleague)
    url = reverse("usecases:usecase_follow", args=[use_case.pk])
    page = client.get(use_case.get_absolute_url()).content
    assert b'<span id="follower-count">1 follower</span>' in page

    response = client.post(url, {"follow": "1"}, headers={"HX-Request": "true"})
    assert b'<span id="follower-count" hx-swap-oob="true">2 followers</span>' in response.content
    assert b"Following" in response.content
    response = client.post(url, {"follow": "0"}, headers={"HX-Request": "true"})
    assert b'<span id="follower-count" hx-swap-oob="true">1 follower</span>' in response.content
    assert not Follow.objects.filter(use_case=use_case, user=colleague).exists()


def test_owner_cannot_endorse_own(client, employee):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    client.force_login(employee)
    client.post(reverse("usecases:usecase_endorse", args=[use_case.pk]))
    assert not Endorsement.objects.exists()


def test_withdraw_through_the_page_with_stale_detection(client, employee, reviewer):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    client.force_login(reviewer)
    client.post(
        reverse("usecases:usecase_transition", args=[use_case.pk]),
        {"target": "triage", "expected_status": "submitted"},
    )
    client.force_login(employee)
    response = client.post(
        reverse("usecases:usecase_transition", args=[use_case.pk]),
        {"target": "withdrawn", "expected_status": "submitted"},
        follow=True,
    )
    assert "someone changed it" in response.content.decode()
    use_case.refresh_from_db()
    assert use_case.status == "triage"
    client.post(
        reverse("usecases:usecase_transition", args=[use_case.pk]),
        {"target": "withdrawn", "expected_status": "triage"},
    )
    use_case.refresh_from_db()
    assert use_case.status == "withdrawn"


def test_follow_and_comment(client, employee, colleague):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    client.force_login(colleague)
    client.post(reverse("usecases:usecase_follow", args=[use_case.pk]), {"follow": "1"})
    assert use_case.follows.filter(user=colleague).exists()
    client.post(reverse("usecases:usecase_comment", args=[use_case.pk]), {"body": "Great idea"})
    use_case.refresh_from_db()
    assert use_case.comment_count == 1
    assert "Great idea" in client.get(use_case.get_absolute_url()).content.decode()


class TestAttachments:
    def _upload(self, client, use_case, name, content):
        data = {**FULL_ANSWERS, "department": use_case.department_id, "action": "save",
                "attachment": SimpleUploadedFile(name, content)}  # fmt: skip
        return client.post(reverse("usecases:usecase_edit", args=[use_case.pk]), data)

    def test_pdf_is_stored_and_downloaded_only_by_those_who_see_it(
        self, client, employee, outsider, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        use_case = UseCaseFactory(owner=employee)
        client.force_login(employee)
        assert self._upload(client, use_case, "../../evil name.pdf", PDF_BYTES).status_code == 302
        attachment = Attachment.objects.get()
        assert attachment.content_type == "application/pdf"
        assert str(tmp_path) in attachment.file.path and ".." not in attachment.file.name
        response = client.get(attachment.get_absolute_url())
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="evil name.pdf"'
        assert b"".join(response.streaming_content) == PDF_BYTES
        client.force_login(outsider)  # the proposal is a draft: invisible to others
        assert client.get(attachment.get_absolute_url()).status_code == 404

    def test_file_checked_by_content_not_name(self, client, employee, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        use_case = UseCaseFactory(owner=employee)
        client.force_login(employee)
        response = self._upload(client, use_case, "report.pdf", b"MZ\x90\x00 this is an executable")
        assert response.status_code == 200
        assert "not accepted" in response.content.decode()
        assert not Attachment.objects.exists()

    def test_size_limit(self, client, employee, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        settings.USECASE_ATTACHMENT_MAX_BYTES = 100
        use_case = UseCaseFactory(owner=employee)
        client.force_login(employee)
        response = self._upload(client, use_case, "big.pdf", PDF_BYTES + b"x" * 200)
        assert "the limit is" in response.content.decode()
        assert not Attachment.objects.exists()


def test_history_restore_gets_the_whole_page_and_responses_vary_on_htmx(client, employee):
    client.force_login(employee)
    response = client.get(
        reverse("usecases:usecase_list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in response.content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("status", "clearance", "sensitivity", "warning"),
    [
        ("approved", "confidential", "internal", ""),
        ("approved", "internal", "restricted", "not restricted: choose another platform"),
        ("restricted", "confidential", "internal", "is restricted"),
    ],
)
def test_intake_warns_when_the_platform_does_not_allow_the_data(
    client, employee, status, clearance, sensitivity, warning
):
    from coe_portal.models import AIPlatform

    platform = AIPlatform.objects.create(
        name="Tenant LLM", status=status, max_data_sensitivity=clearance
    )
    client.force_login(employee)
    response = client.post(
        reverse("usecases:usecase_validate"),
        {"_field": "data_sensitivity", "platform": platform.pk, "data_sensitivity": sensitivity},
    )
    text = response.content.decode()
    if warning:
        assert warning in text
    else:
        assert "help hint" not in text


def test_prohibited_platforms_are_not_offered(client, employee):
    from coe_portal.models import AIPlatform

    AIPlatform.objects.create(name="Consumer chatbot", status="prohibited")
    client.force_login(employee)
    assert b"Consumer chatbot" not in client.get(reverse("usecases:usecase_create")).content

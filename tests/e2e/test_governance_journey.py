"""A reviewer takes a submitted proposal from the queue to the register, in a real browser."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coe_portal.models import User
from tests.factories import UseCaseFactory


@pytest.fixture
def submitted_proposal(demo):
    from django.apps import apps

    from coe_portal.models import AIPlatform

    # The platform catalog is a data migration's; an earlier journey's flush emptied it.
    import_module("coe_portal.migrations.0004_seed_ai_platforms").forwards(apps, None)
    # An older proposal past the review SLA, on a platform that is not approved.
    UseCaseFactory(
        owner=User.objects.get(username="noah.berg"),
        title="Answer customer chats with a public chatbot",
        customer_facing=True,
        platform=AIPlatform.objects.get(name="Public consumer chatbots"),
        status="submitted",
        submitted_at=timezone.now() - timedelta(days=21),
    )
    return UseCaseFactory(
        owner=User.objects.get(username="employee"),
        title="Draft replies to supplier emails",
        data_sensitivity="internal",
        status="submitted",
        submitted_at=timezone.now() - timedelta(days=1),
    )


def test_reviewer_triages_reviews_and_approves_with_a_condition(
    submitted_proposal, page, live_server, login, screenshot
):
    login(page, "reviewer")
    page.get_by_role("link", name="Review queue").first.click()
    row = page.get_by_role("row").filter(has_text="Draft replies to supplier emails")
    expect(row).to_be_visible()
    screenshot(page, "governance-queue")

    row.get_by_role("button", name="Assign to me").click()
    row = page.get_by_role("row").filter(has_text="Draft replies to supplier emails")
    expect(row).to_contain_text("Rui Reviewer")
    row.get_by_role("button", name="Accept for review").click()
    expect(page.get_by_text("is accepted for review")).to_be_visible()

    page.get_by_role("link", name="Review", exact=True).first.click()
    expect(page.get_by_role("heading", name="Responsible AI review")).to_be_visible()
    for radio in page.get_by_role("radio", name="Pass").all():
        radio.check()
    page.get_by_role("radio", name="Approve with conditions").check()
    page.get_by_label("Rationale").fill(
        "Low risk; replies are checked by the buyer before sending."
    )
    page.locator("#id_c0-text").fill("Label every drafted reply as AI-assisted.")
    page.locator("#id_c0-owner").select_option(label="Emma Employee")
    page.locator("#id_c0-due_on").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    screenshot(page, "governance-review")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Decision: Approved with conditions")).to_be_visible()
    page.get_by_role("link", name="AI register").first.click()
    # The demo's register has hundreds of entries: find ours by searching, as a person would.
    page.get_by_label("Search").fill("Draft replies to supplier emails")
    page.get_by_label("Search").press("Enter")
    expect(
        page.get_by_role("row").filter(has_text="Draft replies to supplier emails")
    ).to_contain_text("1")
    screenshot(page, "governance-register")

    page.context.clear_cookies()
    login(page, "employee")
    page.goto(f"{live_server.url}/governance/proposals/{submitted_proposal.pk}/")
    expect(page.get_by_text("Decision: Approved with conditions")).to_be_visible()
    condition = page.get_by_role("listitem").filter(has_text="Label every drafted reply")
    expect(condition).to_be_visible()
    # The pilot waits for the open condition (issue 18).
    expect(page.get_by_text("'Start pilot' waits for the conditions")).to_be_visible()
    screenshot(page, "governance-owner-sees-decision")


def test_admin_sees_the_operating_models_explained(demo, page, live_server, login, screenshot):
    login(page, "admin")
    page.locator("details.menu summary").click()
    page.locator(".menu-items").get_by_role("link", name="Operating model & policy").click()
    expect(page.get_by_text("Department champions review and decide their")).to_be_visible()
    expect(page.get_by_text("champions review their department's minimal- and")).to_be_visible()
    page.get_by_label("Federated").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Governance settings saved")).to_be_visible()
    screenshot(page, "governance-settings")


def test_first_run_setup_on_an_empty_portal(transactional_db, page, live_server, login, screenshot):
    from coe_portal.demo import DEMO_PASSWORD
    from tests.factories import UserFactory

    UserFactory(username="founder", first_name="Fay", roles=["CoE admin"], password=DEMO_PASSWORD)
    login(page, "founder")
    page.goto(f"{live_server.url}/governance/setup/")
    expect(page.get_by_role("heading", name="Set up your Center of Excellence")).to_be_visible()
    page.get_by_label("Hybrid").check()
    page.get_by_label("Departments").fill("Finance, finance\nClaims Handling")
    screenshot(page, "governance-setup")
    page.get_by_role("button", name="Finish setup").click()
    expect(page.get_by_text("Your CoE is set up (2 departments added)")).to_be_visible()

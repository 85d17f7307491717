"""Single sign-on in a real browser: Chromium clicks the button on the login page, visits
the loopback provider (tests/sso_provider.py) and comes back signed in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coe_portal.models import Department, User
from tests.sso_provider import TestProvider, point_portal_at


@pytest.fixture
def provider(transactional_db, settings):
    Department.objects.create(name="Legal", code="legal")
    provider = TestProvider().start()
    provider.claims = {
        "sub": "idp-42",
        "email": "rosa.reviewer@example.com",
        "email_verified": True,
        "preferred_username": "rosa",
        "given_name": "Rosa",
        "family_name": "Reviewer",
        "department": "Legal",
        "groups": ["coe-reviewers"],
    }
    point_portal_at(settings, provider)
    yield provider
    provider.stop()


def test_a_reviewer_signs_in_with_single_sign_on(provider, page, live_server, screenshot):
    page.goto(f"{live_server.url}/login/")
    screenshot(page, "login-with-sso")

    page.get_by_role("link", name="Sign in with single sign-on").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="For CoE reviewers")).to_be_visible()
    expect(page.get_by_role("link", name="Rosa Reviewer")).to_be_visible()
    screenshot(page, "home-after-sso")
    user = User.objects.get(username="rosa")
    assert user.department.code == "legal"
    assert "/userinfo" in provider.requests

from __future__ import annotations

import pytest
from playwright.sync_api import expect

# username, a heading only that role's home page shows
ROLE_HOMES = [
    ("employee", "Start here"),
    ("champion", "For department champions"),
    ("reviewer", "For CoE reviewers"),
    ("leader", "For leadership"),
    ("admin", "For CoE admins"),
]


@pytest.mark.parametrize(("username", "section"), ROLE_HOMES)
def test_each_demo_role_lands_on_its_own_home_page(
    demo, page, live_server, login, screenshot, username, section
):
    login(page, username)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name=section)).to_be_visible()
    screenshot(page, f"home-{username}")


def test_employee_sees_no_admin_sections(demo, page, login):
    login(page, "employee")

    expect(page.get_by_role("heading", name="For CoE admins")).to_have_count(0)
    expect(page.locator("details.menu")).to_have_count(0)


def test_wrong_password_shows_a_clear_message(demo, page, login, screenshot):
    login(page, "employee", password="not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    screenshot(page, "login-error")


def test_admin_edits_how_it_works_with_live_preview(demo, page, live_server, login, screenshot):
    login(page, "admin")
    page.goto(f"{live_server.url}/how-the-coe-works/edit/")

    page.get_by_label("Page text (Markdown)").fill("## Office hours\n\nEvery Thursday.")
    expect(page.locator("#preview h2")).to_have_text("Office hours")
    screenshot(page, "how-it-works-edit")
    page.get_by_role("button", name="Save page").click()

    expect(page.get_by_role("heading", name="Office hours")).to_be_visible()
    screenshot(page, "how-it-works")

"""Browser journeys through skilling on the demo data (headless Chromium)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

COURSE = "Advanced prompt patterns for power users"
PATH = "Prompt engineer / power user"
FULL_EVENT = "CoE office hours: bring your use case"


def path_tile(page):
    return page.locator(".path-tile", has_text=PATH)


def test_employee_finds_a_course_by_skill_completes_it_and_joins_a_waiting_list(
    demo, page, live_server, login, screenshot
):
    login(page, "employee")
    page.get_by_role("link", name="Learning", exact=True).click()
    expect(page.get_by_role("heading", name="Learning catalog")).to_be_visible()

    # Filter by skill, then kind: htmx swaps the results and keeps the URL in sync.
    page.get_by_label("Skill").select_option(label="Prompting")
    expect(page).to_have_url(re.compile(r"skill=prompting"))
    page.get_by_label("Kind").select_option(label="Course")
    expect(page).to_have_url(re.compile(r"skill=prompting.*kind=course"))
    card = page.locator(".resource-card", has_text=COURSE)
    expect(card).to_be_visible()
    expect(page.locator(".resource-card", has_text="Prompting clinic")).to_have_count(0)
    screenshot(page, "skilling-catalog-filtered")

    card.get_by_role("button", name="Enrol").click()
    expect(card.get_by_text("Added to My learning")).to_be_visible()
    expect(page).to_have_url(re.compile(r"skill=prompting.*kind=course"))
    screenshot(page, "skilling-catalog-enrolled")

    # The path of the target role before completing: 1 of 6 steps.
    page.get_by_role("link", name="My learning").first.click()
    expect(path_tile(page)).to_contain_text("1 of 6 steps · 17 %")
    expect(page.get_by_role("cell", name=COURSE)).to_be_visible()
    screenshot(page, "skilling-my-learning-before")

    page.get_by_role("link", name=COURSE).first.click()
    page.get_by_label("Evidence link (optional)").fill("https://badges.example.com/emma/prompting")
    page.get_by_role("button", name="Mark as completed").click()
    expect(page.get_by_text(f"Well done: “{COURSE}” is completed.")).to_be_visible()
    screenshot(page, "skilling-resource-completed")

    page.get_by_role("link", name="My learning").first.click()
    expect(path_tile(page)).to_contain_text("2 of 6 steps · 33 %")
    screenshot(page, "skilling-my-learning-after")

    # A full event: registering puts the employee on the waiting list.
    page.get_by_role("link", name="Events").click()
    event = page.locator(".event-card", has_text=FULL_EVENT)
    expect(event).to_contain_text("Full · 2 waiting")
    screenshot(page, "skilling-events")
    event.get_by_role("link", name=FULL_EVENT).click()
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_text("you are number 3 on the waiting list")).to_be_visible()
    expect(page.get_by_text("Waiting list · number 3")).to_be_visible()
    screenshot(page, "skilling-event-waiting-list")

    page.get_by_role("link", name="My learning").first.click()
    expect(page.get_by_role("row", name=re.compile(FULL_EVENT))).to_contain_text(
        "Waiting list · number 3"
    )


def test_champion_sees_their_department_coverage(demo, page, live_server, login, screenshot):
    login(page, "champion")
    page.get_by_role("link", name="Skills coverage").click()

    expect(page.get_by_role("heading", name="Finance")).to_be_visible()
    expect(page.locator("svg.bar-chart")).to_be_visible()
    expect(page.get_by_role("heading", name="Skills with the largest gaps")).to_be_visible()
    expect(page.get_by_label("Department", exact=True)).to_have_count(0)  # one department only
    screenshot(page, "skilling-coverage-champion")


def test_leader_switches_departments_with_the_url_in_sync(
    demo, page, live_server, login, screenshot
):
    login(page, "leader")
    page.goto(f"{live_server.url}/learning/coverage/")
    expect(page.get_by_role("heading", name="All departments")).to_be_visible()
    screenshot(page, "skilling-coverage-all")

    page.get_by_label("Department", exact=True).select_option(label="Engineering")
    expect(page).to_have_url(re.compile(r"department=engineering"))
    expect(page.get_by_role("heading", name="Engineering")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="All departments")).to_be_visible()


def test_admin_edits_a_path_and_previews_an_import(
    demo, page, live_server, login, screenshot, tmp_path
):
    login(page, "admin")
    page.locator("details.menu summary").click()
    page.locator(".menu-items").get_by_role("link", name="Learning catalog").click()
    screenshot(page, "skilling-manage-home")
    page.goto(f"{live_server.url}/learning/manage/roles/power-user/path/")
    expect(page.locator(".step-list .step")).to_have_count(6)
    screenshot(page, "skilling-manage-path")

    csv_path = tmp_path / "resources.csv"
    csv_path.write_bytes(
        "title,kind,link,level,duration,skills\n"
        "Agents 101,course,https://learn.example.com/agents,foundation,2 h,llm-engineering\n"
        "Bad row,podcast,https://learn.example.com/bad,foundation,1 h,knitting\n".encode("cp1252")
    )
    page.goto(f"{live_server.url}/learning/manage/resources/import/")
    page.get_by_label("CSV file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("unknown skill: knitting")).to_be_visible()
    screenshot(page, "skilling-import-errors")


TOUR = [
    ("employee", "/", "home-employee-learning"),
    ("employee", "/learning/roles/", "skilling-roles"),
    ("employee", "/learning/roles/power-user/", "skilling-role-path"),
    ("employee", "/learning/skills/", "skilling-skills"),
    ("employee", "/learning/my/roles/", "skilling-my-roles"),
    ("admin", "/learning/manage/resources/", "skilling-manage-resources"),
    ("admin", "/learning/manage/resources/new/", "skilling-manage-resource-form"),
    ("admin", "/learning/manage/roles/", "skilling-manage-roles"),
    ("admin", "/learning/manage/roles/llm-engineer/edit/", "skilling-manage-role-form"),
    ("admin", "/learning/manage/skills/", "skilling-manage-skills"),
    ("admin", "/learning/manage/events/", "skilling-manage-events"),
    ("admin", "/learning/manage/events/new/", "skilling-manage-event-form"),
]


def test_pages_render_without_browser_errors(demo, page, live_server, login, screenshot):
    """Every page loads with no console error (a CSP violation from an inline script or
    style would show up here) and gets a screenshot for people to look at."""
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    current = None
    for username, path, name in TOUR:
        if username != current:
            page.context.clear_cookies()
            login(page, username)
            current = username
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        screenshot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in [("/learning/?skill=prompting", "skilling-catalog-phone"),
                       ("/learning/coverage/", "skilling-coverage-phone")]:  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        screenshot(page, name)
    assert errors == []

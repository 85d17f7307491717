"""The metrics journey in a real browser: a champion completes the quarter's readiness
assessment; leadership opens the dashboard, filters it by a department, follows a tile to
the list behind it and downloads the latest report. Charts must draw from the vendored
Chart.js under the portal's CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from coe_portal.models import Department
from metrics.models import ReadinessAssessment, Report


def _charts_drawn(page) -> int:
    """How many canvases Chart.js has drawn (fails the test on a CSP or script error)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => window.Chart && window.Chart.getChart(c))"
    )
    return page.locator("canvas[data-chart]").count()


@pytest.fixture
def browser_errors(page):
    """Console errors (a CSP violation shows up here) collected during the test."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_champion_assesses_and_leadership_follows_the_dashboard_to_a_report(
    demo, page, live_server, login, screenshot, browser_errors
):
    finance = Department.objects.get(code="finance")

    # The champion fills in the quarter's questionnaire, saves a draft, then submits.
    login(page, "champion")
    page.get_by_role("link", name="Readiness assessment").click()
    expect(
        page.get_by_role("heading", name=re.compile("Readiness assessment · Finance"))
    ).to_be_visible()
    radios = page.locator('input[type="radio"][value="4"]')
    for i in range(radios.count()):
        radios.nth(i).check()
    page.locator("textarea").first.fill("Our AI goals are in the 2026 finance plan.")
    screenshot(page, "metrics-assessment-form")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_text(re.compile("Submitted the .* assessment"))).to_be_visible()
    submitted = ReadinessAssessment.objects.filter(department=finance, status="submitted")
    assert submitted.order_by("-year", "-quarter").first().overall == 4

    page.get_by_role("link", name="My department").click()
    expect(page.get_by_role("heading", name="Finance", exact=True)).to_be_visible()
    assert _charts_drawn(page) >= 4  # funnel, two trends, radar, scatter
    screenshot(page, "metrics-department-dashboard")
    page.get_by_role("button", name="Log out").click()

    # Leadership opens the dashboard and filters it to Finance (htmx, URL kept in sync).
    login(page, "leader")
    page.get_by_role("link", name="Dashboards").click()
    expect(page.get_by_role("heading", name="Adoption dashboard")).to_be_visible()
    assert _charts_drawn(page) >= 5
    screenshot(page, "metrics-dashboard")
    page.get_by_label("Department", exact=True).select_option("finance")
    expect(page).to_have_url(re.compile(r"department=finance"))
    expect(page.get_by_text("for Finance")).to_be_visible()
    assert _charts_drawn(page) >= 5  # drawn again after the swap
    screenshot(page, "metrics-dashboard-finance")

    # Every tile links to the list behind it: the proposals' Explore page with filters.
    tile = page.locator('a.kpi-tile[data-kpi="stage_pilot"]')
    href = tile.get_attribute("href")
    assert href == f"/proposals/?status=in_pilot&department={finance.pk}"
    with page.expect_navigation() as navigation:
        tile.click()
    assert navigation.value.status == 200
    assert page.url.endswith(href)
    expect(page.get_by_role("heading", name="Explore proposals")).to_be_visible()

    # The readiness heatmap.
    page.goto(f"{live_server.url}/metrics/readiness/")
    expect(page.locator("table.heatmap")).to_be_visible()
    screenshot(page, "metrics-readiness-heatmap")

    # The latest report, and its download.
    page.get_by_role("link", name="Reports").click()
    latest = Report.objects.filter(status="ready").order_by("-period_start").first()
    page.locator(f'a[href="/metrics/reports/{latest.pk}/"]').click()
    expect(page.get_by_role("heading", name="What changed since the last report")).to_be_visible()
    screenshot(page, "metrics-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download HTML").click()
    assert download.value.suggested_filename == latest.filename("html")

    assert browser_errors == []

"""An employee proposes a use case in the browser, from the first keystroke to "submitted"."""

from __future__ import annotations

from playwright.sync_api import expect

TITLE = "Suggested replies for support tickets in Finance"


def test_employee_proposes_saves_a_draft_submits_and_finds_it(
    demo, page, live_server, login, screenshot
):
    login(page, "employee")
    page.get_by_role("link", name="Propose", exact=True).click()
    expect(page.get_by_role("heading", name="Propose a use case")).to_be_visible()

    # Typing the title brings up the similar proposal a colleague already made.
    page.locator("#id_title").press_sequentially(TITLE, delay=10)
    similar = page.locator("#similar-results")
    expect(
        similar.get_by_role("link", name="Suggested replies for customer support tickets")
    ).to_be_visible()
    page.locator("#id_problem").fill(
        "Finance answers the same supplier payment questions by email every day."
    )
    # Inline validation says what submitting will still need.
    page.locator("#id_solution").fill("x")
    page.locator("#id_solution").fill("")
    expect(page.locator("#messages-solution")).to_contain_text("Needed before you submit")
    screenshot(page, "intake-form")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved. You can come back to it")).to_be_visible()
    expect(page.get_by_role("heading", name="Edit proposal")).to_be_visible()
    # Nothing typed was lost.
    expect(page.locator("#id_problem")).to_have_value(
        "Finance answers the same supplier payment questions by email every day."
    )

    page.locator("#id_solution").fill(
        "Draft a reply from past answers; a person checks and sends it."
    )
    page.locator("#id_category").select_option("customer_support")
    page.locator("#id_business_sponsor").fill("Head of Finance Operations")
    page.locator("#id_intended_users").fill("Accounts payable team")
    page.locator("#id_reach").fill("12")
    page.locator("#id_hours_saved_per_month").fill("40")
    page.locator("#id_benefits").fill("Faster answers to suppliers.")
    page.locator("#id_success_measure").fill("Reply time under one day.")
    page.locator("#id_data_used").fill("Past supplier emails and payment status.")
    page.locator("#id_data_sensitivity").select_option("internal")
    page.locator("#id_platform_other").fill("Azure OpenAI")
    page.locator("#id_effort").select_option("S")
    page.locator("#id_data_readiness").select_option("4")
    page.get_by_role("button", name="Submit proposal").click()

    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("Submitted. The CoE will triage it")).to_be_visible()
    screenshot(page, "intake-proposal-page")

    page.get_by_role("link", name="My proposals", exact=True).click()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("CoE triage")
    screenshot(page, "intake-my-proposals")


def test_explore_filters_keep_the_url_and_back_works(demo, page, live_server, login, screenshot):
    login(page, "employee")
    page.get_by_role("link", name="Explore", exact=True).click()
    expect(page.get_by_role("heading", name="Explore proposals")).to_be_visible()
    screenshot(page, "intake-explore")
    page.locator("#id_sort").select_option("endorsed")
    expect(page).to_have_url(
        f"{live_server.url}/proposals/?q=&department=&category=&quadrant=&sort=endorsed"
    )
    first = page.locator("#results tbody tr").first
    expect(first).to_contain_text("Code review assistant")
    page.locator("#id_q").fill("translation")
    page.wait_for_url("**q=translation**")
    expect(page.locator("#results")).to_contain_text("Translat")
    page.go_back()
    expect(page).to_have_url(
        f"{live_server.url}/proposals/?q=&department=&category=&quadrant=&sort=endorsed"
    )


def test_endorse_in_place(demo, page, live_server, login, screenshot):
    login(page, "james.okafor")
    page.goto(f"{live_server.url}/proposals/?q=Knowledge+search+over")
    page.get_by_role("link", name="Knowledge search over operating procedures").click()
    expect(page.locator("#endorsement-count")).to_have_text("2 endorsements")
    page.get_by_role("button", name="Endorse").click()
    expect(page.locator("#endorsement-count")).to_have_text("3 endorsements")
    expect(page.get_by_role("button", name="Endorsed ✓ (take back)")).to_be_visible()
    screenshot(page, "intake-endorsed")


def test_reviewer_requests_changes_on_a_review_not_on_the_proposal(
    demo, page, live_server, login, screenshot
):
    """Decisions are made on the reviews (issue 15): the proposal page offers none, the
    review page records one with its rationale."""
    login(page, "reviewer")
    page.goto(f"{live_server.url}/proposals/?q=Suggested+replies")
    page.get_by_role("link", name="Suggested replies for customer support tickets").click()
    expect(page.get_by_role("heading", name="Governance")).to_be_visible()
    expect(page.get_by_role("button", name="Request changes")).to_have_count(0)
    screenshot(page, "intake-proposal-reviewer")
    page.locator("#governance-panel").get_by_role("link", name="Review").first.click()
    page.get_by_label("Request changes").check()
    page.get_by_label("Rationale").fill("Add the data retention plan.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("decision is recorded.")).to_be_visible()


def test_reviewer_opens_the_duplicate_form(demo, page, live_server, login, screenshot):
    login(page, "reviewer")
    page.goto(f"{live_server.url}/proposals/?q=Meeting+notes")
    page.get_by_role("link", name="Meeting notes and follow-ups for sales calls").click()
    page.get_by_role("link", name="Mark as duplicate").click()
    expect(page.get_by_role("heading", name="Likely originals")).to_be_visible()
    screenshot(page, "intake-mark-duplicate")


def test_admin_imports_the_federal_slice_in_the_browser(demo, page, live_server, login, screenshot):
    from usecases.demo import FEDERAL_SLICE

    login(page, "admin")
    page.goto(f"{live_server.url}/proposals/import/")
    page.get_by_label("CSV file").set_input_files(str(FEDERAL_SLICE))
    page.get_by_label("Use a saved mapping").select_option(
        label="US federal AI use-case inventory 2025"
    )
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", name="Map the columns")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("use_case_name")
    screenshot(page, "intake-import-map")
    page.get_by_role("button", name="Preview the import").click()
    expect(
        page.get_by_text("516 of them were imported before and will be skipped.")
    ).to_be_visible()
    screenshot(page, "intake-import-preview")
    page.get_by_role("button", name="Import all 516 rows").click()
    expect(page.get_by_text("Imported 0 proposals, skipped 516 imported before.")).to_be_visible()


def test_a_reviewers_pages_fit_a_phone(demo, page, live_server, login):
    """Wide tables scroll inside their cards; nothing widens the page itself (the proposal's
    reviews table and the queue's hidden labels once did)."""
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "reviewer")
    page.goto(f"{live_server.url}/proposals/?q=Suggested+replies")
    page.get_by_role("link", name="Suggested replies for customer support tickets").click()
    for url in [page.url, f"{live_server.url}/governance/queue/", f"{live_server.url}/proposals/"]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url

"""The API docs in a real browser: Swagger UI comes from the portal itself (the pinned
sidecar package), runs under the portal's CSP and lists the operations, with no console
error (a CSP refusal or a failed load shows up as one)."""

from __future__ import annotations

from playwright.sync_api import expect

from coe_portal.models import User

PASSWORD = "api-docs-reader-2026"


def test_the_api_docs_list_the_operations_without_console_errors(
    transactional_db, page, live_server, login, screenshot
):
    User.objects.create_user("docs.reader", password=PASSWORD)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    outside: list[str] = []
    page.on(
        "request",
        lambda request: request.url.startswith(live_server.url) or outside.append(request.url),
    )

    login(page, "docs.reader", PASSWORD)
    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.get_by_text("/api/v1/use-cases/", exact=True).count() >= 1
    screenshot(page, "api-docs")
    assert errors == []
    assert outside == []

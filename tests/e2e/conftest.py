"""Browser journeys: Debian's headless Chromium driven by Playwright against the live server.

Screenshots go to artifacts/screenshots/ (ignored by git) so people can look at the pages.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.demo_data import seed_demo

# Playwright's sync API runs an event loop; the ORM calls in live_server tests need this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    # Decided at collection, before the live server's database fixtures run.
    journeys = [item for item in items if "tests/e2e/" in str(item.fspath)]
    for item in journeys:
        item.add_marker(pytest.mark.e2e)
    if journeys and not Path(CHROMIUM).exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            raise pytest.UsageError(f"CI=true but {reason}")
        for item in journeys:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def demo(transactional_db):
    """The demo data, as `make run` serves it."""
    seed_demo()


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves a full-page PNG under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    """``login(page, username)`` logs in through the real login form with the demo password."""
    from coe_portal.demo import DEMO_PASSWORD

    def log_in(page, username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("networkidle")

    return log_in

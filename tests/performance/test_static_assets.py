"""What a page makes the browser download, and how long the browser may keep it.

Issue 7: the JavaScript and CSS of a page stay under 200 KB compressed, and production
serves hashed static files with far-future, immutable cache headers (whitenoise), so a
returning reader downloads nothing.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from whitenoise.middleware import WhiteNoiseMiddleware

from metrics import snapshots

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 200 * 1024
ONE_YEAR = 365 * 24 * 3600
_ASSET = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="(/static/[^"?#]+\.(?:js|css))"')


def _assets(html: str) -> list[str]:
    return sorted(set(_ASSET.findall(html)))


def _gzip_size(static_url: str) -> int:
    path = finders.find(static_url.removeprefix("/static/"))
    assert path, f"{static_url} is referenced but not found"
    with open(path, "rb") as handle:
        return len(gzip.compress(handle.read(), compresslevel=9))


@pytest.mark.parametrize("url", ["/metrics/", "/proposals/", "/learning/coverage/", "/"])
def test_a_page_loads_under_200_kb_of_compressed_js_and_css(client, leader, url):
    snapshots.take_snapshots(timezone.localdate())
    client.force_login(leader)
    html = client.get(url).content.decode()
    assets = _assets(html)
    assert any(a.endswith(".css") for a in assets)
    total = sum(_gzip_size(a) for a in assets)
    assert total < BUDGET_BYTES, f"{url} loads {total / 1024:.0f} KB compressed: {assets}"


def test_the_dashboard_loads_its_charts_script(client, leader):
    client.force_login(leader)
    assets = _assets(client.get("/metrics/").content.decode())
    assert any("chart" in a for a in assets), assets


def test_production_settings_serve_hashed_compressed_files():
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    env = {k: v for k, v in os.environ.items() if k not in ("STATIC_MANIFEST", "DEBUG")}
    env.update(DEBUG="0", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="coe_portal.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_whitenoise_serves_hashed_files_as_immutable_for_a_year(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._setup()  # the storage is lazy and was set up with the old settings
    hashed = staticfiles_storage.url("vendor/chartjs/chart.umd.min.js")
    assert re.search(r"\.[0-9a-f]{12}\.js$", hashed), hashed

    middleware = WhiteNoiseMiddleware(lambda request: None)
    response = middleware(RequestFactory().get(hashed, headers={"accept-encoding": "gzip, br"}))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control
    max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
    assert max_age >= ONE_YEAR
    assert response.get("Content-Encoding") in ("gzip", "br")

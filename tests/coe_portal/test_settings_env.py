from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from coe_portal.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("COUNT", 1)


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example.com, ,b.example.com")
    assert env_list("HOSTS") == ["a.example.com", "b.example.com"]


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("API_KEY_FILE", str(secret))
    assert env_str("API_KEY") == "from-a-file"


def _import_settings(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import coe_portal.settings"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True,
    )  # fmt: skip


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _import_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_starts_without_secret_key_in_debug():
    assert _import_settings({"DEBUG": "1"}).returncode == 0


def _setting(name: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"from coe_portal import settings; print(repr(settings.{name}))"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", "DEBUG": "1", **env}, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_the_proxy_https_header_is_ignored_unless_configured():
    assert _setting("SECURE_PROXY_SSL_HEADER", {}) == "None"
    assert _setting("SECURE_PROXY_SSL_HEADER", {"PROXY_SSL_HEADER": "X-Forwarded-Proto"}) == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )

"""The dependencies are audited twice: `make audit` (pip-audit over uv.lock, in CI when the
advisory service is reachable) and the repository host's Dependabot, configured here."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_dependabot_watches_the_lock_file_and_the_base_image():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    watched = {(update["package-ecosystem"], update["directory"]) for update in config["updates"]}
    assert ("uv", "/") in watched and (ROOT / "uv.lock").exists()
    assert ("docker", "/") in watched and (ROOT / "Dockerfile").exists()


def test_make_audit_fails_on_a_package_it_could_not_audit():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\naudit:", 1)[1].split("\n\n", 1)[0]
    assert "pip-audit" in recipe and "--strict" in recipe

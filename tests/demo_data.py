"""The demo data as `make run` seeds it (DEBUG on); the test runner turns DEBUG off, under
which seed_demo refuses to run (it makes a superuser with a published password)."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import override_settings


def seed_demo() -> str:
    """Run seed_demo as on a developer's machine; returns what it printed."""
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=out)
    return out.getvalue()

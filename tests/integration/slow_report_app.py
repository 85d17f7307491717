"""The portal's Celery app for the worker-killed test: building a report first waits
SLOW_REPORT_SECONDS, so the test can SIGKILL the worker in the middle of it."""

from __future__ import annotations

import os
import time

from celery import signals

from coe_portal.celery import app

__all__ = ["app"]


@signals.worker_init.connect
def _slow_down_reports(**kwargs):
    import django

    django.setup()
    from metrics import reports

    delay = float(os.environ.get("SLOW_REPORT_SECONDS", "0"))
    for kind, build in list(reports.BUILDERS.items()):

        def slow(report, progress, build=build):
            progress(50)  # the test waits for this before it kills the worker
            time.sleep(delay)
            return build(report, progress)

        reports.BUILDERS[kind] = slow

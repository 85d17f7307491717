"""The Celery application. Tasks live in each app's tasks.py; beat schedules in the database."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coe_portal.settings")

app = Celery("coe_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The full load test: ``make loadtest`` (or ``python -m tests.load --seconds 60``).

Serves the portal with gunicorn (3 sync workers) on the PostgreSQL database in
DATABASE_URL, with a Celery worker when REDIS_URL is set, runs 50 employees and 10
reviewers against it for 60 seconds, checks the database against what the clients were
told, and prints the figures. Exits 1 on any server error or lost write. It adds a
department of its own (load-…) and its people and proposals to that database: point
DATABASE_URL at a scratch database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--employees", type=int, default=50)
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.25, help="mean pause between actions")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL=postgres://… (a scratch database): the load test needs PostgreSQL.")
        return 2
    redis_url = os.environ.get("REDIS_URL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coe_portal.settings")
    os.environ.setdefault("DEBUG", "1")  # this process only prepares and checks rows
    import django

    django.setup()
    from django.core.management import call_command

    from coe_portal.models import OutboxMessage
    from tests.load import loadgen
    from tests.processes import celery_worker, gunicorn, portal_env, wait_for

    call_command("migrate", verbosity=0)
    world = loadgen.prepare(args.employees, args.reviewers)
    env = portal_env(database_url, redis_url)
    print(f"{world.tag}: {args.employees} employees and {args.reviewers} reviewers for "
          f"{args.seconds:.0f} s against gunicorn ({args.web_workers} workers)", flush=True)  # fmt: skip
    with contextlib.ExitStack() as stack:
        web = stack.enter_context(gunicorn(env, workers=args.web_workers))
        if redis_url:
            stack.enter_context(celery_worker({**env, "DB_CONN_MAX_AGE": "0"}, name="load"))
        started = time.monotonic()
        tally = loadgen.run(web.url, world, args.seconds, think=args.think)
        elapsed = time.monotonic() - started
        undelivered = OutboxMessage.objects.filter(
            delivered_at__isnull=True, created_at__gte=web.started_at
        )
        if redis_url:
            with contextlib.suppress(TimeoutError):
                wait_for(lambda: not undelivered.exists(), 300, "notifications delivered")
    result = loadgen.figures(tally, elapsed)
    result["notifications_undelivered"] = undelivered.count()
    problems = loadgen.verify(world, tally)
    print(json.dumps(result, indent=2))
    for line in tally.errors[:20] + problems:
        print("PROBLEM:", line)
    return 1 if tally.errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())

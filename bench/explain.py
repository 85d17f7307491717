"""The plans of every query the benchmarked pages run, on the database in DATABASE_URL.

For each page type of bench/draw.py it renders one drawn URL once in-process (Django's test
client, logged in as a person of the page's role), captures its SQL, and runs EXPLAIN (ANALYZE, BUFFERS) on each
SELECT. Prints per page the queries by execution time with a flag on sequential scans of
large tables (issue #7: "no query without an index on large tables").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coe_scale_large DEBUG=1 \\
        .venv/bin/python bench/explain.py [page …] [--plans]
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coe_portal.settings")
os.environ["BENCH"] = "1"  # the floor page

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import catalogue  # noqa: E402
from bench.draw import Draws, thread_rng  # noqa: E402
from bench.run import FLOOR  # noqa: E402
from coe_portal.models import User  # noqa: E402

LARGE_ROWS = 10_000


def walk(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from walk(child)


def main() -> None:
    wanted = [a for a in sys.argv[1:] if not a.startswith("--")]
    show_plans = "--plans" in sys.argv
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
            [LARGE_ROWS],
        )
        large = {name for name, _ in cursor.fetchall()}
    found = catalogue.read()
    clients: dict[str, Client] = {}
    for page in [FLOOR, *Draws(found).pages()]:
        if wanted and page.key not in wanted:
            continue
        person = found["people"][page.role][0]
        client = clients.get(page.role)
        if client is None:
            client = clients[page.role] = Client(HTTP_HOST="127.0.0.1")
            # Not client.login(): it passes no request, which the login throttle refuses.
            client.force_login(User.objects.get(username=person["username"]))
        headers = {"HX-Request": "true"} if page.htmx else {}
        # One URL drawn as the benchmark draws them; the seed makes it the same each run.
        path = page.draw(thread_rng(found["seed"], page.key, 0), person)
        client.get(path, headers=headers)  # warm: code and connections as in steady use
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, headers=headers)
        wall = (time.perf_counter() - started) * 1000
        sql_ms = 1000 * sum(float(q["time"]) for q in captured.captured_queries)
        print(f"\n== {page.label} ({path}): HTTP {response.status_code}, "
              f"{len(captured.captured_queries)} queries; one request in-process "
              f"{wall:.0f} ms, of which SQL {sql_ms:.0f} ms")  # fmt: skip
        rows = []
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            seq = sorted(
                {
                    node["Relation Name"]
                    for node in walk(plan["Plan"])
                    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in large
                }
            )
            rows.append((plan["Execution Time"], seq, sql, plan))
        for ms, seq, sql, _plan in sorted(rows, key=lambda r: -r[0]):
            flag = f"  SEQ SCAN on {', '.join(seq)}" if seq else ""
            flat = re.sub(r"\s+", " ", sql)[:300]
            print(f"  {ms:8.1f} ms{flag}")
            print(f"      {flat}")
            if show_plans and ms > 20:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE) {sql}")
                    for (line,) in cursor.fetchall():
                        print(f"        {line}")


if __name__ == "__main__":
    main()

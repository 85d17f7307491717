"""The dev server on PostgreSQL keeps its connections within the pool (issue 17).

``runserver`` serves each request in a thread of its own. With persistent connections each
thread opened its own and kept it when it ended, so the connections grew with the clients
and leaked until PostgreSQL refused more; with Django's pool (settings ``DB_POOL_MAX``) a
request borrows one of a bounded set and gives it back. The connections are counted while
the requests run and after, on a throwaway cluster, so nobody else's are counted. The same
requests without the pool show what the test guards against.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.processes import (
    ROOT,
    api_token,
    free_port,
    http,
    manage,
    portal_env,
    stop_process,
    throwaway_postgres,
    wait_for,
)

REQUESTS = 300
CLIENTS = 8
POOL = 3


def _connections(cluster, database: str) -> int:
    import psycopg

    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]
        ).fetchone()[0]


def _serve_and_count(cluster, env: dict, token: str) -> tuple[int, list[int]]:
    """Send the requests through a dev server; the most connections it held at once, while
    they ran and after, and the answers' statuses."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: http("GET", f"{base}/livez")[0] == 200, 60, "the dev server")
        headers = {"Authorization": f"Token {token}"}
        urls = [f"{base}/api/v1/use-cases/", f"{base}/api/v1/skills/", f"{base}/healthz"]
        counts, done = [], threading.Event()

        def count():
            while not done.is_set():
                counts.append(_connections(cluster, "coe_dev"))
                time.sleep(0.05)

        counter = threading.Thread(target=count)
        counter.start()
        try:
            with ThreadPoolExecutor(CLIENTS) as clients:
                statuses = list(
                    clients.map(
                        lambda n: http("GET", urls[n % len(urls)], headers=headers)[0],
                        range(REQUESTS),
                    )
                )
        finally:
            done.set()
            counter.join()
        return max([*counts, _connections(cluster, "coe_dev")]), statuses
    finally:
        stop_process(server)


@pytest.mark.parametrize(("pool", "within"), [(POOL, True), (0, False)])
def test_the_dev_servers_connections_stay_within_the_pool(pool, within):
    with throwaway_postgres() as cluster:
        env = portal_env(cluster.create_database("coe_dev"), None, DEBUG="1", DB_POOL_MAX=str(pool))
        manage(env, "migrate", "--noinput")
        token = api_token(env, "dev")
        held, statuses = _serve_and_count(cluster, env, token)
    if within:
        assert statuses == [200] * REQUESTS, sorted(set(statuses))
        assert held <= POOL, f"{held} connections open at once, pool of {POOL}"
    else:
        # Without the pool each request thread opened its own; on a slow machine they pile
        # up past PostgreSQL's limit and requests fail (500, or 503 from /healthz), the leak
        # the pool ends.
        refused = {500, 503} & set(statuses)
        assert held > POOL or refused, f"only {held} connections at once without the pool"
        assert set(statuses) <= {200, 500, 503}, sorted(set(statuses))

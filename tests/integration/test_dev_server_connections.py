"""The dev server on PostgreSQL keeps its connections within the pool (issue 17).

``runserver`` serves each request in a thread of its own. With persistent connections each
thread kept one open when it ended, so a few hundred requests used up PostgreSQL's
connections; with Django's pool (settings ``DB_POOL_MAX``) a request borrows a connection
and gives it back. The server runs on a throwaway cluster, so counting its connections
counts nobody else's. The same requests without the pool show what the test guards against.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.processes import (
    ROOT,
    free_port,
    http,
    portal_env,
    stop_process,
    throwaway_postgres,
    wait_for,
)

REQUESTS = 300
CLIENTS = 8
POOL = 3
MAKE_USER = (
    "from coe_portal.models import User; from rest_framework.authtoken.models import Token; "
    "u = User.objects.create_user('dev', 'dev@example.com', 'unused-password'); "
    "print(Token.objects.create(user=u).key)"
)


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _connections(cluster, database: str) -> int:
    import psycopg

    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]
        ).fetchone()[0]


def _serve_and_count(cluster, env: dict, token: str) -> int:
    """Send the requests through a dev server; the connections it holds afterwards."""
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
        with ThreadPoolExecutor(CLIENTS) as clients:
            statuses = list(
                clients.map(
                    lambda n: http("GET", urls[n % len(urls)], headers=headers)[0],
                    range(REQUESTS),
                )
            )
        assert statuses == [200] * REQUESTS, sorted(set(statuses))
        return _connections(cluster, "coe_dev")
    finally:
        stop_process(server)


@pytest.mark.parametrize(("pool", "within"), [(POOL, True), (0, False)])
def test_the_dev_servers_connections_stay_within_the_pool(pool, within):
    with throwaway_postgres() as cluster:
        env = portal_env(cluster.create_database("coe_dev"), None, DEBUG="1", DB_POOL_MAX=str(pool))
        _manage(env, "migrate", "--noinput")
        token = _manage(env, "shell", "-c", MAKE_USER).strip().splitlines()[-1]
        held = _serve_and_count(cluster, env, token)
    if within:
        assert held <= POOL, f"{held} connections open, pool of {POOL}"
    else:  # without the pool each request thread left its connection open
        assert held > POOL, f"only {held} connections without the pool"

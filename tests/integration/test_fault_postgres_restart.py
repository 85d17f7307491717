"""PostgreSQL restarts under a serving portal: requests during the outage get the clean
error page (no traceback), and afterwards the portal answers again by itself — its pooled
connections (DB_POOL_MAX, as deployed) or persistent ones (CONN_MAX_AGE) are checked and
replaced.

The database is a throwaway cluster of the test's own, so stopping it disturbs nobody.
"""

from __future__ import annotations

import pytest

from tests.processes import (
    api_token,
    gunicorn,
    http,
    manage,
    portal_env,
    throwaway_postgres,
    wait_for,
)


@pytest.mark.parametrize(
    "connections",
    [{"DB_POOL_MAX": "4"}, {"DB_POOL_MAX": "0", "DB_CONN_MAX_AGE": "60"}],
    ids=["pooled", "persistent"],
)
def test_postgres_restart_gives_a_clean_error_page_then_recovers(tmp_path, connections):
    with throwaway_postgres() as cluster:
        env = portal_env(cluster.create_database("coe_restart"), None, **connections)
        manage(env, "migrate", "--noinput")
        token = api_token(env, "pat")
        headers = {"Authorization": f"Token {token}", "Accept": "text/html"}

        with gunicorn(env, workers=2, log_dir=tmp_path) as web:
            api = f"{web.url}/api/v1/use-cases/"
            # Warm: each worker now holds an open connection.
            for _ in range(10):
                assert http("GET", api, headers=headers)[0] == 200

            cluster.stop("fast")
            for _ in range(6):
                status, body = http("GET", api, headers=headers)
                assert status in (500, 503), f"{status}: {body[:300]}"
                assert "Something went wrong" in body
                for leak in ("Traceback", "OperationalError", "psycopg", str(cluster.port)):
                    assert leak not in body
            status, body = http("GET", f"{web.url}/healthz")
            assert status == 503 and '"database"' in body
            assert http("GET", f"{web.url}/livez")[0] == 200  # the process itself is alive

            cluster.start()
            wait_for(lambda: http("GET", api, headers=headers)[0] == 200, 30, "recovery")

            # Every worker recovers, not only the one that answered first: a pool that
            # failed to reconnect during the outage retries with a growing pause, so give
            # it a bounded while, then twenty answers in a row must be good.
            def all_recovered():
                return all(http("GET", api, headers=headers)[0] == 200 for _ in range(20))

            wait_for(all_recovered, 60, "every worker to recover", 1)
            assert http("GET", f"{web.url}/healthz")[0] == 200
            assert web.process.poll() is None  # served on without a restart

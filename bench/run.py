"""The portal's benchmark: pages under load on the large and the small data set, measured
against the floor (the cheapest authenticated page) and the Django admin's change list (the
peer), plus the heavy jobs, checked against the targets of issue #7.

    make bench                        # both data sets, 10 s per page, 8 clients
    make bench BENCH_ARGS="--sizes small --duration 5"

For each size it makes sure the database exists and holds generated data (``manage.py
generate_data``; a comment on the database marks a finished generation, so the next run
reuses it), serves the portal under gunicorn as in production (DEBUG=0, manifest static
files, persistent connections, three sync workers), logs in as each role through the login
form and drives ``--concurrency`` clients at each page for ``--duration`` seconds. Results:
bench/results/<time>.json and .txt (git-ignored). Only the standard library is used for the
load, so the client's own cost is small next to the server's (it shares the 2 cores).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "coe-demo-2026"  # noqa: S105 (the generated data's public demo accounts)
ROLES = ["employee", "champion", "reviewer", "leader", "admin"]
MARKER = "coe-bench generated size={size}"

# The targets of issue #7.
FLOOR_FACTOR = 5.0
ADMIN_FRACTION = 0.25
FLAT_RATIO = 1.5
MAX_QUERIES = 15
JOB_LIMITS = {"adoption_report_s": 30.0, "kpi_snapshot_s": 20.0, "federal_import_s": 30.0}


@dataclass
class Page:
    key: str
    label: str
    role: str
    paths: list[str]  # requests cycle through these (a page of many objects is not one URL)


@dataclass
class Measure:
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    queries: set = field(default_factory=set)
    elapsed: float = 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "statuses": self.statuses,
            "rps": round(self.requests / self.elapsed, 1) if self.elapsed else 0,
            "p50_ms": _ms(self.percentile(0.5)),
            "p95_ms": _ms(self.percentile(0.95)),
            "queries": sorted(self.queries),
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


# ------------------------------------------------------------------ databases


def pg_connect(base_url: str, dbname: str):
    import psycopg

    return psycopg.connect(f"{base_url.rstrip('/')}/{dbname}", autocommit=True)


def database_url(base_url: str, dbname: str) -> str:
    return f"{base_url.rstrip('/')}/{dbname}"


def manage(args: list[str], env: dict, *, echo: bool = True) -> None:
    cmd = [PYTHON, "manage.py", *args]
    print(f"$ {' '.join(cmd)}", flush=True)
    stdout = None if echo else subprocess.DEVNULL
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=stdout)  # noqa: S603 (manage.py)


def ensure_database(base_url: str, dbname: str, size: str, env: dict) -> float | None:
    """Create, migrate and fill the database unless a finished generation is marked on it.
    Returns the generation's duration in seconds, or None when the data was reused."""
    marker = MARKER.format(size=size)
    with pg_connect(base_url, "postgres") as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [dbname],
        ).fetchone()
        if row is not None and (row[0] or "").startswith(marker):
            print(f"{dbname}: reusing the generated {size} data ({row[0]})", flush=True)
            manage(["migrate", "--noinput"], env, echo=False)
            return None
        if row is not None:
            print(f"{dbname}: exists without a finished generation; recreating it", flush=True)
            conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    manage(["migrate", "--noinput"], env, echo=False)
    started = time.monotonic()
    manage(["generate_data", "--size", size], env)
    took = time.monotonic() - started
    with pg_connect(base_url, "postgres") as conn:
        note = f"{marker} in {took:.0f} s on {time.strftime('%Y-%m-%d %H:%M')}"
        conn.execute(f"COMMENT ON DATABASE \"{dbname}\" IS '{note}'")
    return took


def fixtures(base_url: str, dbname: str) -> dict:
    """Ids and words the pages need, read from the generated data."""
    with pg_connect(base_url, dbname) as conn:
        dept = conn.execute(
            "SELECT d.id FROM coe_portal_department d WHERE d.code = 'finance'"
        ).fetchone()[0]
        proposals = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM usecases_usecase WHERE NOT confidential AND status <> 'draft' "
                "ORDER BY id LIMIT 400"
            )
        ][::8]
        titles = [
            r[0]
            for r in conn.execute(
                "SELECT title FROM usecases_usecase WHERE status <> 'draft' ORDER BY id DESC "
                "LIMIT 40"
            )
        ]
    return {"department": dept, "proposals": proposals, "titles": titles}


def pages(fx: dict) -> list[Page]:
    similar = []
    for title in fx["titles"][:20]:
        words = title.split()
        # What someone types: the title's first words, a variation of an existing proposal.
        query = urllib.parse.urlencode({"title": " ".join(words[:5]), "problem": ""})
        similar.append(f"/proposals/similar/?{query}")
    filtered = urllib.parse.urlencode(
        [("department", fx["department"]), ("status", "in_review"), ("status", "approved"),
         ("q", "contracts")]
    )  # fmt: skip
    return [
        Page("floor", "Floor (minimal authenticated view)", "employee", ["/bench/floor/"]),
        Page("explore", "Explore, page 1", "employee", ["/proposals/"]),
        Page("explore_filtered", "Explore: department+status+search", "employee",
             [f"/proposals/?{filtered}"]),
        Page("proposal", "A proposal's page", "employee",
             [f"/proposals/{pk}/" for pk in fx["proposals"]]),
        Page("similar", "Similar proposals (htmx)", "employee", similar),
        Page("queue", "Review queue", "reviewer", ["/governance/queue/"]),
        Page("register", "AI use-case register", "reviewer", ["/governance/register/"]),
        Page("catalog", "Learning catalog search", "employee", ["/learning/?q=prompt"]),
        Page("coverage", "Department skills coverage", "leader", ["/learning/coverage/"]),
        Page("dashboard", "Leadership dashboard", "leader", ["/metrics/"]),
        Page("api", "API: list of use cases", "employee", ["/api/v1/use-cases/"]),
        Page("admin", "Django admin change list (peer)", "admin", ["/admin/usecases/usecase/"]),
    ]  # fmt: skip


# ------------------------------------------------------------------ the server


def server_env(base: dict, db_url: str, args) -> dict:
    env = dict(base)
    env.update(
        DATABASE_URL=db_url,
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        SECURE_SSL_REDIRECT="0",
        STATIC_MANIFEST="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        BENCH="1",
        BIND=f"127.0.0.1:{args.port}",
        WEB_CONCURRENCY=str(args.workers),
        # The API's per-person throttle would turn a load test into 429s.
        API_RATE_USER="10000000/minute",
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def start_server(env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    proc = subprocess.Popen(  # noqa: S603 (our own gunicorn)
        [GUNICORN, "coe_portal.wsgi:application", "--access-logfile", "-"],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host, port = env["BIND"].split(":")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log}")
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=2)
            conn.request("GET", "/livez")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"gunicorn did not answer in 60 s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ------------------------------------------------------------------ the client


class Session:
    """A logged-in person: cookies from the login form (CSRF token included)."""

    def __init__(self, host: str, port: int, username: str):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        body = self._request("GET", "/login/")[1].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, _ = self._request(
            "POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"could not log in as {username} (HTTP {status})")

    def _request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.request(method, path, body, {**(headers or {}), "Cookie": self.cookie_header})
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def drive(session: Session, page: Page, seconds: float, clients: int) -> Measure:
    """``clients`` threads request the page's URLs in turn for ``seconds``."""
    measure = Measure()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    headers = {"Cookie": session.cookie_header, "Accept-Encoding": "gzip"}
    if page.key == "similar":
        headers["HX-Request"] = "true"

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(session.host, session.port, timeout=60)
        n = offset
        while time.monotonic() < stop_at:
            path = page.paths[n % len(page.paths)]
            n += clients
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                took = time.perf_counter() - started
                status = response.status
                count = response.getheader("X-Query-Count")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(session.host, session.port, timeout=60)
                took, status, count = time.perf_counter() - started, 0, None
            with lock:
                measure.requests += 1
                measure.statuses[status] = measure.statuses.get(status, 0) + 1
                if status == 200:
                    measure.latencies.append(took)
                    if count is not None:
                        measure.queries.add(int(count))
                else:
                    measure.errors += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    measure.elapsed = time.monotonic() - started
    return measure


def cold(session: Session, page: Page, redis_url: str, samples: int = 3) -> float | None:
    """The median time of one request to the page's first URL with the cache emptied just
    before: what the first reader pays after a change."""
    import redis

    store = redis.Redis.from_url(redis_url)
    headers = {"Cookie": session.cookie_header, "Accept-Encoding": "gzip"}
    if page.key == "similar":
        headers["HX-Request"] = "true"
    took = []
    for _ in range(samples):
        store.flushdb()
        conn = http.client.HTTPConnection(session.host, session.port, timeout=60)
        started = time.perf_counter()
        conn.request("GET", page.paths[0], headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            took.append(time.perf_counter() - started)
        conn.close()
    return _ms(statistics.median(took)) if took else None


def bench_size(size: str, args, base_env: dict) -> dict:
    dbname = f"{args.db_prefix}_{size}"
    db_url = database_url(args.pg_url, dbname)
    env = dict(base_env, DATABASE_URL=db_url, DEBUG="1")
    generated = ensure_database(args.pg_url, dbname, size, env)
    fx = fixtures(args.pg_url, dbname)
    senv = server_env(base_env, db_url, args)
    if args.redis_url:
        # Cached pages from the other data set must not answer for this one.
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    print(f"\n== {size}: starting gunicorn on :{args.port} ({dbname})", flush=True)
    log = RESULTS / f"gunicorn-{size}.log"
    proc = start_server(senv, log)
    result = {
        "size": size,
        "database": dbname,
        "generation_s": generated,
        "load_before": os.getloadavg(),
        "pages": {},
    }
    try:
        sessions = {role: Session("127.0.0.1", args.port, role) for role in ROLES}
        for page in pages(fx):
            if args.pages and page.key not in args.pages:
                continue
            session = sessions[page.role]
            cold_ms = cold(session, page, args.redis_url) if args.redis_url else None
            # Warm up: every URL of the page once per worker, so caches and connections
            # are as they would be in steady use.
            drive(session, page, min(2.0, args.duration / 3), args.concurrency)
            measure = drive(session, page, args.duration, args.concurrency)
            summary = measure.summary()
            summary.update(label=page.label, role=page.role, path=page.paths[0], cold_ms=cold_ms)
            result["pages"][page.key] = summary
            print(
                f"  {page.label:<38} {summary['rps']:>7} req/s  p50 {summary['p50_ms']} ms  "
                f"p95 {summary['p95_ms']} ms  cold {cold_ms} ms  queries {summary['queries']}  "
                f"errors {summary['errors']}",
                flush=True,
            )
        if size == args.jobs_on and not args.pages:
            print("  timing the heavy jobs…", flush=True)
            out = subprocess.run(  # noqa: S603 (our own script)
                [PYTHON, str(ROOT / "bench" / "timings.py"), str(args.inventory)],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            result["jobs"] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  {result['jobs']}", flush=True)
    finally:
        stop_server(proc)
    result["load_after"] = os.getloadavg()
    return result


# ------------------------------------------------------------------ the report


def verdicts(results: dict) -> tuple[list[list[str]], list[tuple[str, bool, str]]]:
    """The table's rows and (target, passed, detail) for every check."""
    large = results.get("large") or next(iter(results.values()))
    small = results.get("small") if large is not results.get("small") else None
    floor_p95 = large["pages"]["floor"]["p95_ms"]
    admin_p95 = large["pages"]["admin"]["p95_ms"]
    rows, checks = [], []
    for key, page in large["pages"].items():
        p95 = page["p95_ms"]
        vs_floor = p95 / floor_p95 if p95 and floor_p95 else None
        vs_admin = p95 / admin_p95 if p95 and admin_p95 else None
        flat = None
        if small and key in small["pages"] and small["pages"][key]["p50_ms"]:
            flat = page["p50_ms"] / small["pages"][key]["p50_ms"] if page["p50_ms"] else None
        queries = page["queries"]
        rows.append([
            page["label"], f"{page['rps']}", f"{page['p50_ms']}", f"{p95}",
            f"{page.get('cold_ms') or '-'}",
            _fmt(vs_floor), _fmt(vs_admin), _fmt(flat),
            "/".join(map(str, queries)) or "-",
            "/".join(map(str, small["pages"][key]["queries"])) if small and key in small["pages"] else "-",
            str(page["errors"]),
        ])  # fmt: skip
        if key in ("floor", "admin"):
            continue
        name = page["label"]
        checks.append(
            (
                f"{name}: p95 ≤ {FLOOR_FACTOR:g}× floor",
                vs_floor is not None and vs_floor <= FLOOR_FACTOR,
                _fmt(vs_floor),
            )
        )
        checks.append(
            (
                f"{name}: p95 ≤ ¼ admin",
                vs_admin is not None and vs_admin <= ADMIN_FRACTION,
                _fmt(vs_admin),
            )
        )
        if small:
            checks.append(
                (
                    f"{name}: large/small p50 ≤ {FLAT_RATIO}",
                    flat is not None and flat <= FLAT_RATIO,
                    _fmt(flat),
                )
            )
            same = small["pages"].get(key, {}).get("queries") == queries
            checks.append(
                (
                    f"{name}: queries constant",
                    bool(queries) and same,
                    f"{queries} vs {small['pages'].get(key, {}).get('queries')}",
                )
            )
        checks.append(
            (
                f"{name}: queries ≤ {MAX_QUERIES}",
                bool(queries) and max(queries) <= MAX_QUERIES,
                str(max(queries) if queries else "-"),
            )
        )
        checks.append((f"{name}: no errors", page["errors"] == 0, str(page["statuses"])))  # fmt: skip
    for job, limit in JOB_LIMITS.items():
        seconds = large.get("jobs", {}).get(job)
        if seconds is not None:
            checks.append((f"{job[:-2]} < {limit:g} s", seconds < limit, f"{seconds} s"))
    return rows, checks


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render(results: dict, args) -> str:
    rows, checks = verdicts(results)
    head = ["page", "req/s", "p50 ms", "p95 ms", "cold ms", "p95/floor", "p95/admin", "p50 L/S",
            "queries", "q small", "errors"]  # fmt: skip
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        f"CoE Portal benchmark, {time.strftime('%Y-%m-%d %H:%M')}: {args.concurrency} clients, "
        f"{args.duration:g} s per page, {args.workers} gunicorn sync workers",
    ]
    for size, result in results.items():
        gen = result["generation_s"]
        lines.append(
            f"  {size}: database {result['database']}, "
            + (f"generated in {gen:.0f} s" if gen is not None else "reused generated data")
            + f"; load average {result['load_before'][0]:.1f} before, "
            f"{result['load_after'][0]:.1f} after (2 cores, shared)"
        )
    lines.append("")
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    for size, result in results.items():
        if size != "large" and "large" in results:
            lines.append(f"\n{size} data set:")
            for page in result["pages"].values():
                lines.append(
                    f"  {page['label']:<38} {page['rps']:>7} req/s  p50 {page['p50_ms']} ms  "
                    f"p95 {page['p95_ms']} ms  queries {page['queries']}"
                )
    jobs = next((r["jobs"] for r in results.values() if "jobs" in r), None)
    if jobs:
        lines.append("\nJobs: " + ", ".join(f"{k[:-2]} {v} s" for k, v in jobs.items()))
    lines.append("\nTargets:")
    for name, passed, detail in checks:
        lines.append(f"  {'PASS' if passed else 'FAIL'}  {name}  ({detail})")
    failed = sum(1 for _, passed, _ in checks if not passed)
    lines.append(f"\n{len(checks) - failed} of {len(checks)} targets met.")
    return "\n".join(lines)


def default_inventory() -> Path | None:
    for candidate in sorted(
        (ROOT.parent / "shared" / "data").glob("**/*individually_reported*.csv")
    ):
        return candidate
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="large,small", help="comma-separated: large,small")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db-prefix", default=os.environ.get("BENCH_DB_PREFIX", "coe_scale"))
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", ""),
        help="the cache, as in production (this Redis database is flushed between runs)",
    )
    parser.add_argument("--inventory", type=Path, default=default_inventory())
    parser.add_argument("--jobs-on", default="large", help="the size to time the jobs on")
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated page keys (e.g. proposal,queue) to measure alone, beside the "
        "floor and the admin; the jobs are then left out",
    )
    args = parser.parse_args()
    args.pages = {p.strip() for p in args.pages.split(",") if p.strip()}
    if args.pages:
        args.pages |= {"floor", "admin"}
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.jobs_on not in sizes:
        args.jobs_on = sizes[0]
    if args.inventory is None or not args.inventory.exists():
        parser.error("the federal inventory CSV was not found; pass --inventory")
    RESULTS.mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    print("collectstatic…", flush=True)
    static_env = dict(base_env, DEBUG="0", STATIC_MANIFEST="1")
    static_env["SECRET_KEY"] = "bench-collectstatic"  # noqa: S105 (only for collectstatic)
    manage(["collectstatic", "--noinput", "--verbosity", "0"], static_env)
    results = {}
    for size in sizes:
        results[size] = bench_size(size, args, base_env)
    text = render(results, args)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    payload = {"args": {k: str(v) for k, v in vars(args).items()}, "results": results}
    (RESULTS / f"{stamp}.json").write_text(json.dumps(payload, indent=2))
    (RESULTS / f"{stamp}.txt").write_text(text + "\n")
    (RESULTS / "latest.txt").write_text(text + "\n")
    print("\n" + text)
    print(f"\nWritten to {RESULTS / stamp}.json and .txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())

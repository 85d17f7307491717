"""The portal's benchmark: pages under the load real readers make, on the large and the
small data set, measured against the floor (the cheapest authenticated page) and the Django
admin's change list (the peer), a mixed phase with writes, and the heavy jobs, checked
against the targets of issue 17.

    make bench                              # large and small, 10 s per page, 8 clients
    make bench BENCH_ARGS=--quick           # small only, 3 s per page: a look, not figures

For each size it makes sure the database exists and holds generated data (``manage.py
generate_data``; a comment on the database marks a finished generation, so the next run
reuses it), reads the catalogue (bench/catalogue.py: every proposal id, department code,
count and choice, and the people to log in as), serves the portal under gunicorn as in
production (DEBUG=0, manifest static files, three sync workers), logs in through the login
form as many people of each role, and measures every page type of bench/draw.py with
``--concurrency`` clients for ``--duration`` seconds, each request to a URL drawn at random
over the whole data, each client thread its own people; the floor is measured before and
after every page. Then the mixed phase: reads and writes from many people at once, and a
check that every accepted write is in the database. Results: bench/results/<time>.json and
.txt (git-ignored). Only the standard library is used for the load, so the client's own cost
is small next to the server's (it shares the machine).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gzip
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
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.draw import (  # noqa: E402
    MIX,
    Draws,
    Page,
    Writes,
    people_for,
    thread_rng,
)

RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "coe-demo-2026"  # noqa: S105 (the generated data's public demo accounts)
MARKER = "coe-bench generated size={size}"
FLOOR = Page(
    "floor", "Floor (minimal authenticated view)", "employee", lambda rng, p: "/bench/floor/"
)

# The targets of issue 17.
FLOOR_FACTOR = 5.0  # p95 at most 5 times the floor's p95
ADMIN_FRACTION = 0.25  # p95 ≤ ¼ of the admin change list's
FLAT_RATIO = 1.5  # p50 large ÷ small
MAX_QUERIES = 15
COLD_SERVER_MS = 50.0  # one cold request, server time
MAX_HTML_BYTES = 100_000
MIXED_FACTOR = 3.0  # mixed-phase throughput at least 3 times the baseline's
JOB_LIMITS = {"adoption_report_s": 30.0, "kpi_snapshot_s": 20.0, "federal_import_s": 30.0}


@dataclass
class Measure:
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    queries: set = field(default_factory=set)
    sizes: list = field(default_factory=list)
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, reply: Reply, *, expected: tuple[int, ...] = (200,)) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[reply.status] = self.statuses.get(reply.status, 0) + 1
            if reply.status not in expected:
                self.errors += 1
                return
            self.latencies.append(reply.took)
            if reply.queries is not None:
                self.queries.add(reply.queries)
            if reply.status == 200:
                self.sizes.append(reply.size)

    def percentile(self, p: float) -> float | None:
        return percentile(self.latencies, p)

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "rps": round(self.requests / self.elapsed, 1) if self.elapsed else 0,
            "p50_ms": _ms(self.percentile(0.5)),
            "p95_ms": _ms(self.percentile(0.95)),
            "queries": sorted(self.queries),
            "max_bytes": max(self.sizes, default=None),
            "mean_bytes": round(statistics.mean(self.sizes)) if self.sizes else None,
        }


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


# ------------------------------------------------------------------ the ratios


def floor_reference(before: float | None, after: float | None) -> float | None:
    """The floor a page is measured against: the mean of the floor's p95 just before and
    just after the page, so a change of the machine's pace between pages cancels out."""
    known = [v for v in (before, after) if v]
    return sum(known) / len(known) if known else None


def ratio(value: float | None, reference: float | None) -> float | None:
    return value / reference if value and reference else None


def relative_to_admin(vs_floor: float | None, admin_vs_floor: float | None) -> float | None:
    """A page's p95 over the admin change list's, each first taken against its own floor:
    on a steady machine the same as p95 ÷ admin p95, on a shared one free of its drift."""
    return ratio(vs_floor, admin_vs_floor)


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


@dataclass
class Reply:
    status: int
    took: float
    queries: int | None = None
    server_ms: float | None = None
    size: int = 0
    location: str = ""
    body: bytes = b""


SERVER_TIMING = re.compile(r"dur=([0-9.]+)")


class Session:
    """A logged-in person: cookies from the login form (CSRF token included), kept up to
    date from every answer (a write's message cookie is shown on the person's next page)."""

    def __init__(self, host: str, port: int, person: dict):
        self.host, self.port, self.person = host, port, person
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()
        connection = Connection(host, port)
        body = connection.send(self, "GET", "/login/", keep_body=True).body.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        reply = connection.send(
            self, "POST", "/login/", {"username": person["username"], "password": PASSWORD,
                                      "csrfmiddlewaretoken": token},
        )  # fmt: skip
        connection.close()
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"could not log in as {person['username']} (HTTP {reply.status})")

    @property
    def cookie_header(self) -> str:
        with self.lock:
            return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def remember(self, response: http.client.HTTPResponse) -> None:
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                with self.lock:
                    self.cookies[key.strip()] = rest.split(";", 1)[0]

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


class Connection:
    """One client thread's keep-alive HTTP connection."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def close(self) -> None:
        self.conn.close()

    def send(self, session: Session, method: str, path: str, form: dict | list | None = None,
             *, htmx: bool = False, keep_body: bool = False) -> Reply:  # fmt: skip
        """Request ``path`` as ``session``'s person; ``form``: fields to POST. The body
        is kept only when asked (``keep_body``), its size always (unzipped)."""
        headers = {"Cookie": session.cookie_header, "Accept-Encoding": "gzip"}
        body = None
        if htmx:
            headers["HX-Request"] = "true"
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return Reply(status=0, took=time.perf_counter() - started)
        took = time.perf_counter() - started
        session.remember(response)
        if response.getheader("Content-Encoding", "") == "gzip":
            data = gzip.decompress(data)
        count = response.getheader("X-Query-Count")
        timing = SERVER_TIMING.search(response.getheader("Server-Timing", ""))
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return Reply(
            status=response.status,
            took=took,
            queries=int(count) if count is not None else None,
            server_ms=float(timing.group(1)) if timing else None,
            size=len(data),
            location=response.getheader("Location", ""),
            body=data if keep_body else b"",
        )


def log_in(host: str, port: int, catalogue: dict) -> dict[str, list[Session]]:
    """Every person of the catalogue logged in through the login form (a few at a time:
    a password hash costs the server a while)."""
    people = [p for role in catalogue["people"].values() for p in role]
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        sessions = list(pool.map(lambda p: Session(host, port, p), people))
    by_role: dict[str, list[Session]] = {}
    for session in sessions:
        by_role.setdefault(session.person["role"], []).append(session)
    return by_role


def drive(
    page: Page, groups: list[list[Session]], seconds: float, seed: int, phase: str
) -> Measure:
    """One client thread per group requests URLs drawn by ``page`` for ``seconds``, each
    request as the next person of its group."""
    measure = Measure()
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        rng = thread_rng(seed, phase, index)
        mine = groups[index]
        connection = Connection(mine[0].host, mine[0].port)
        n = 0
        while time.monotonic() < stop_at:
            session = mine[n % len(mine)]
            n += 1
            measure.record(connection.send(session, "GET", page.draw(rng, session.person),
                                           htmx=page.htmx))  # fmt: skip
        connection.close()

    run_threads(client, len(groups), measure)
    return measure


def run_threads(target, count: int, measure: Measure) -> None:
    started = time.monotonic()
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    measure.elapsed = time.monotonic() - started


def cold(page: Page, sessions: list[Session], args, samples: int = 3) -> dict:
    """Single requests, one at a time, each to a newly drawn URL with the cache emptied just
    before (with ``--redis-url``): what the first reader of an object pays. The median of
    the server's own time (Server-Timing) and of the time the client saw."""
    store = None
    if args.redis_url:
        import redis

        store = redis.Redis.from_url(args.redis_url)
    rng = thread_rng(args.seed, f"{page.key}:cold", 0)
    server, wall = [], []
    for i in range(samples):
        if store is not None:
            store.flushdb()
        session = sessions[i % len(sessions)]
        connection = Connection(session.host, session.port)
        reply = connection.send(session, "GET", page.draw(rng, session.person), htmx=page.htmx)
        connection.close()
        if reply.status == 200:
            wall.append(reply.took * 1000)
            if reply.server_ms is not None:
                server.append(reply.server_ms)
    return {
        "server_ms": round(statistics.median(server), 1) if server else None,
        "wall_ms": round(statistics.median(wall), 1) if wall else None,
    }


class FormFields(HTMLParser):
    """The fields a browser sends from the form whose class includes ``css_class``: the
    values as filled in (checked boxes, selected options, textareas), files left out."""

    def __init__(self, css_class: str):
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._text: tuple[str, list[str]] | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, first, selected

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.css_class in (a.get("class") or "").split():
            self._inside = True
        if not self._inside or (not a.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("file", "submit", "button"):
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._text = (a["name"], [])
        elif tag == "select":
            self._select = (a["name"], [], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value") or "")
            if "selected" in a:
                self._select[2].append(a.get("value") or "")

    def handle_data(self, data):
        if self._text is not None:
            self._text[1].append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._text is not None:
            self.fields.append((self._text[0], "".join(self._text[1]).lstrip("\n")))
            self._text = None
        elif tag == "select" and self._select is not None:
            name, options, selected = self._select
            chosen = selected or options[:1]
            self.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "form":
            self._inside = False


def write(connection: Connection, session: Session, action: dict, measure: Measure) -> bool:
    """Make one write as a browser would; True when the answer says it was accepted."""
    kind, path, token = action["kind"], action["path"], session.csrf
    if kind == "comment":
        reply = connection.send(session, "POST", path,
                                {"body": action["marker"], "csrfmiddlewaretoken": token})  # fmt: skip
        measure.record(reply, expected=(302,))
        return reply.status == 302
    if kind == "endorse":  # the page's button is htmx: it answers with the new button
        reply = connection.send(session, "POST", path, {"csrfmiddlewaretoken": token}, htmx=True)
        measure.record(reply)
        return reply.status == 200
    if kind == "submit":
        form = {"target": "submitted", "expected_status": "draft", "note": "",
                "csrfmiddlewaretoken": token}  # fmt: skip
        reply = connection.send(session, "POST", path, form)
        measure.record(reply, expected=(302,))
        # An incomplete proposal is sent back to its form; a submitted one to its page.
        return reply.status == 302 and reply.location.rstrip("/").endswith(
            f"/proposals/{action['use_case']}"
        )
    # A decision: the reviewer opens the review, then decides (changes requested: a
    # decision that needs no criterion answered), keeping the answers the form shows.
    page = connection.send(session, "GET", path, keep_body=True)
    measure.record(page)
    if page.status != 200:
        return False
    parser = FormFields("review-form")
    parser.feed(page.body.decode())
    fields = [(k, v) for k, v in parser.fields if k not in ("outcome", "rationale")]
    fields += [("outcome", "request_changes"), ("rationale", action["marker"])]
    reply = connection.send(session, "POST", path, fields)
    # 200 is the form again: refused (someone decided first); not an error, not accepted.
    measure.record(reply, expected=(302, 200))
    return reply.status == 302


def mixed(draws: Draws, sessions: dict[str, list[Session]], catalogue: dict, args, tag: str):
    """The mixed phase: ``--concurrency`` threads, one of them reviewers', the others
    employees', each request a read (MIX) or a write. Returns the measure and the writes."""
    threads = args.concurrency
    reviewers, employees = sessions.get("reviewer", []), sessions["employee"]
    reviewer_threads = 1 if reviewers and threads > 1 else 0
    groups = people_for(reviewer_threads, reviewers) + people_for(
        threads - reviewer_threads, employees
    )
    state = Writes.from_catalogue(catalogue, thread_rng(args.seed, "mixed:writes", 0))
    measure, writes, lock = Measure(), [], threading.Lock()
    stop_at = time.monotonic() + args.mixed_duration

    def client(index: int) -> None:
        rng = thread_rng(args.seed, "mixed", index)
        mine = groups[index]
        connection = Connection(mine[0].host, mine[0].port)
        n = 0
        while time.monotonic() < stop_at:
            session = mine[n % len(mine)]
            n += 1
            if rng.random() >= MIX["write"]:
                path = draws.mixed_read(rng, session.person)
                measure.record(connection.send(session, "GET", path))
                continue
            action = state.choose(rng, session.person, draws, tag)
            accepted = write(connection, session, action, measure)
            with lock:
                writes.append({**action, "person": session.person["id"], "accepted": accepted})
        connection.close()

    run_threads(client, threads, measure)
    return measure, writes


# ------------------------------------------------------------------ one data set


def read_catalogue(env: dict, args) -> dict:
    out = subprocess.run(  # noqa: S603 (our own script)
        [PYTHON, str(ROOT / "bench" / "catalogue.py"), "read", "--seed", str(args.seed),
         "--employees", str(args.employees)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def verify_writes(env: dict, writes: list[dict], size: str) -> dict:
    path = RESULTS / f"writes-{size}.json"
    path.write_text(json.dumps(writes))
    out = subprocess.run(  # noqa: S603 (our own script)
        [PYTHON, str(ROOT / "bench" / "catalogue.py"), "verify", str(path)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_floor(floor_groups, args, n: int) -> dict:
    summary = drive(FLOOR, floor_groups, args.floor_duration, args.seed, f"floor:{n}").summary()
    print(f"  {'floor':<38} {summary['rps']:>7} req/s  p95 {summary['p95_ms']} ms", flush=True)
    return summary


def bench_size(size: str, args, base_env: dict) -> dict:
    dbname = f"{args.db_prefix}_{size}"
    db_url = database_url(args.pg_url, dbname)
    env = dict(base_env, DATABASE_URL=db_url, DEBUG="1")
    generated = ensure_database(args.pg_url, dbname, size, env)
    catalogue = read_catalogue(env, args)
    draws = Draws(catalogue, seed=args.seed)
    senv = server_env(base_env, db_url, args)
    if args.redis_url:
        # Cached pages from the other data set must not answer for this one.
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    print(f"\n== {size}: starting gunicorn on :{args.port} ({dbname})", flush=True)
    log = RESULTS / f"gunicorn-{size}.log"
    proc = start_server(senv, log)
    people = {role: len(p) for role, p in catalogue["people"].items()}
    result = {
        "size": size,
        "database": dbname,
        "generation_s": generated,
        "load_before": os.getloadavg(),
        "people": people,
        "proposals": len(catalogue["proposals"]),
        "departments": len(catalogue["departments"]),
        "pages": {},
        "floors": [],
    }
    try:
        print(f"  logging in {sum(people.values())} people: {people}", flush=True)
        sessions = log_in("127.0.0.1", args.port, catalogue)
        floor_groups = people_for(args.concurrency, sessions["employee"])
        # Warm the workers (code, templates, connections) before the first floor.
        drive(FLOOR, floor_groups, args.warmup, args.seed, "floor:warm")
        floors = result["floors"]
        floors.append(measure_floor(floor_groups, args, 0))
        for page in draws.pages():
            if args.pages and page.key not in args.pages:
                continue
            group = sessions.get(page.role) or []
            if not group:
                print(f"  {page.label}: nobody of the role {page.role}; left out", flush=True)
                continue
            cold_figures = cold(page, group, args)
            groups = people_for(args.concurrency, group)
            drive(page, groups, args.warmup, args.seed, f"{page.key}:warm")
            summary = drive(page, groups, args.duration, args.seed, page.key).summary()
            floors.append(measure_floor(floor_groups, args, len(floors)))
            before, after = floors[-2]["p95_ms"], floors[-1]["p95_ms"]
            summary.update(
                label=page.label, role=page.role, people=len(group),
                cold_server_ms=cold_figures["server_ms"], cold_wall_ms=cold_figures["wall_ms"],
                floor_before_p95_ms=before, floor_after_p95_ms=after,
                vs_floor=ratio(summary["p95_ms"], floor_reference(before, after)),
            )  # fmt: skip
            result["pages"][page.key] = summary
            print(
                f"  {page.label:<38} {summary['rps']:>7} req/s  p50 {summary['p50_ms']} ms  "
                f"p95 {summary['p95_ms']} ms  ×floor {_fmt(summary['vs_floor'])}  cold "
                f"{cold_figures['server_ms']} ms  queries {summary['queries']}  "
                f"max {summary['max_bytes']} B  errors {summary['errors']}",
                flush=True,
            )
        if not args.pages or "mixed" in args.pages:
            result["mixed"] = run_mixed(draws, sessions, catalogue, args, env, size, floors)
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
    result["floor"] = pooled_floor(result["floors"])
    result["load_after"] = os.getloadavg()
    return result


def run_mixed(draws, sessions, catalogue, args, env, size, floors) -> dict:
    tag = f"{size}-{time.strftime('%Y%m%d%H%M%S')}"
    measure, writes = mixed(draws, sessions, catalogue, args, tag)
    floors.append(
        measure_floor(people_for(args.concurrency, sessions["employee"]), args, len(floors))
    )
    summary = measure.summary()
    before, after = floors[-2]["p95_ms"], floors[-1]["p95_ms"]
    checked = verify_writes(env, writes, size)
    kinds: dict[str, dict] = {}
    for w in writes:
        tally = kinds.setdefault(w["kind"], {"made": 0, "accepted": 0})
        tally["made"] += 1
        tally["accepted"] += int(w["accepted"])
    summary.update(
        label="Mixed: 60% proposals, 35% Explore, 5% writes",
        floor_before_p95_ms=before, floor_after_p95_ms=after,
        vs_floor=ratio(summary["p95_ms"], floor_reference(before, after)),
        writes=kinds, lost_writes=len(checked["lost"]),
        counter_mismatches=checked["counter_mismatches"],
        people=sum(len(g) for g in (sessions["employee"], sessions.get("reviewer", []))),
    )  # fmt: skip
    print(
        f"  {summary['label']:<38} {summary['rps']:>7} req/s  p95 {summary['p95_ms']} ms  "
        f"×floor {_fmt(summary['vs_floor'])}  writes {kinds}  lost {summary['lost_writes']}  "
        f"errors {summary['errors']}",
        flush=True,
    )
    return summary


def pooled_floor(floors: list[dict]) -> dict:
    """The floor's figures over the whole run, for the table (ratios use each page's own)."""
    p95s = [f["p95_ms"] for f in floors if f["p95_ms"]]
    return {
        "label": "Floor (minimal authenticated view)",
        "measurements": len(floors),
        "rps": round(statistics.mean(f["rps"] for f in floors), 1) if floors else 0,
        "p50_ms": statistics.median([f["p50_ms"] for f in floors if f["p50_ms"]] or [0]),
        "p95_ms": statistics.median(p95s) if p95s else None,
        "p95_range_ms": [min(p95s), max(p95s)] if p95s else None,
        "queries": sorted({q for f in floors for q in f["queries"]}),
        "errors": sum(f["errors"] for f in floors),
        "statuses": {},
    }


# ------------------------------------------------------------------ the report


def baseline_mixed_rps(args, size: str) -> tuple[float | None, str]:
    """The mixed-phase throughput to compare with, and where it came from."""
    if args.baseline_mixed_rps:
        return args.baseline_mixed_rps, "--baseline-mixed-rps"
    if args.baseline_results:
        previous = json.loads(Path(args.baseline_results).read_text())["results"]
        rps = (previous.get(size) or {}).get("mixed", {}).get("rps")
        return rps, str(args.baseline_results)
    return None, ""


def verdicts(results: dict, baseline: tuple[float | None, str] = (None, "")):
    """The table's rows and (target, passed, detail) for every check; passed is None for a
    target that could not be compared (it is reported, not counted)."""
    main = results.get("large") or next(iter(results.values()))
    small = results.get("small") if main is not results.get("small") else None
    admin = main["pages"].get("admin", {})
    rows, checks = [], []

    def row(page, key):
        vs_admin = relative_to_admin(page.get("vs_floor"), admin.get("vs_floor"))
        flat = None
        small_page = (small or {}).get("pages", {}).get(key) if small else None
        if small_page and small_page.get("p50_ms") and page.get("p50_ms"):
            flat = page["p50_ms"] / small_page["p50_ms"]
        queries = page.get("queries") or []
        rows.append([
            page["label"], f"{page['rps']}", f"{page['p50_ms']}", f"{page['p95_ms']}",
            _fmt(page.get("vs_floor")), _fmt(vs_admin) if key not in ("admin", "mixed") else "-",
            f"{page.get('cold_server_ms') or '-'}", _fmt(flat),
            "/".join(map(str, queries)) or "-",
            "/".join(map(str, small_page["queries"])) if small_page else "-",
            f"{page['max_bytes'] / 1000:.0f}" if page.get("max_bytes") else "-",
            str(page["errors"]),
        ])  # fmt: skip
        return vs_admin, flat, small_page

    row(main["floor"], "floor")
    for key, page in main["pages"].items():
        vs_admin, flat, small_page = row(page, key)
        if key == "admin":
            continue
        name, queries = page["label"], page["queries"]
        checks.append(
            (
                f"{name}: p95 ≤ {FLOOR_FACTOR:g}× floor",
                _within(page["vs_floor"], FLOOR_FACTOR),
                _fmt(page["vs_floor"]),
            )
        )
        checks.append((f"{name}: p95 ≤ ¼ admin", _within(vs_admin, ADMIN_FRACTION), _fmt(vs_admin)))
        checks.append(
            (
                f"{name}: cold ≤ {COLD_SERVER_MS:g} ms server",
                _within(page["cold_server_ms"], COLD_SERVER_MS),
                f"{page['cold_server_ms']} ms",
            )
        )
        if small_page is not None:
            checks.append(
                (f"{name}: p50 large/small ≤ {FLAT_RATIO}", _within(flat, FLAT_RATIO), _fmt(flat))
            )
            worst = max(queries, default=None)
            checks.append(
                (
                    f"{name}: queries constant (most large = most small)",
                    bool(queries) and worst == max(small_page["queries"], default=None),
                    f"{queries} vs {small_page['queries']}",
                )
            )
        checks.append(
            (
                f"{name}: queries ≤ {MAX_QUERIES}",
                bool(queries) and max(queries) <= MAX_QUERIES,
                str(max(queries) if queries else "-"),
            )
        )
        checks.append(
            (
                f"{name}: HTML ≤ {MAX_HTML_BYTES // 1000} KB",
                _within(page["max_bytes"], MAX_HTML_BYTES),
                f"{page['max_bytes']} B",
            )
        )
        checks.append((f"{name}: no errors", page["errors"] == 0, str(page["statuses"])))
    mixed = main.get("mixed")
    if mixed:
        row(mixed, "mixed")
        name = "Mixed phase"
        checks.append(
            (
                f"{name}: p95 ≤ {FLOOR_FACTOR:g}× floor",
                _within(mixed["vs_floor"], FLOOR_FACTOR),
                _fmt(mixed["vs_floor"]),
            )
        )
        rps, source = baseline
        if rps:
            checks.append(
                (
                    f"{name}: throughput ≥ {MIXED_FACTOR:g}× baseline",
                    mixed["rps"] >= MIXED_FACTOR * rps,
                    f"{mixed['rps']} req/s vs {rps} req/s ({source})",
                )
            )
        else:
            checks.append(
                (
                    f"{name}: throughput ≥ {MIXED_FACTOR:g}× baseline",
                    None,
                    f"{mixed['rps']} req/s; not compared: pass --baseline-mixed-rps "
                    "or --baseline-results",
                )
            )
        checks.append((f"{name}: no errors", mixed["errors"] == 0, str(mixed["statuses"])))
        checks.append(
            (
                f"{name}: no lost writes",
                mixed["lost_writes"] == 0 and not mixed["counter_mismatches"],
                f"{mixed['lost_writes']} lost of {mixed['writes']}; counters off on "
                f"{mixed['counter_mismatches'] or 'none'}",
            )
        )
    for job, limit in JOB_LIMITS.items():
        seconds = main.get("jobs", {}).get(job)
        if seconds is not None:
            checks.append((f"{job[:-2]} < {limit:g} s", seconds < limit, f"{seconds} s"))
    return rows, checks  # fmt: skip


def _within(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render(results: dict, args) -> str:
    main_size = "large" if "large" in results else next(iter(results))
    rows, checks = verdicts(results, baseline_mixed_rps(args, main_size))
    head = ["page", "req/s", "p50 ms", "p95 ms", "×floor", "×admin", "cold ms", "p50 L/S",
            "queries", "q small", "max KB", "errors"]  # fmt: skip
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        f"CoE Portal benchmark, {time.strftime('%Y-%m-%d %H:%M')}: {args.concurrency} clients, "
        f"{args.duration:g} s per page (floor {args.floor_duration:g} s before and after each, "
        f"mixed {args.mixed_duration:g} s), {args.workers} gunicorn sync workers, seed "
        f"{args.seed}, cache {'Redis' if args.redis_url else 'per process (no --redis-url)'}",
    ]
    for size, result in results.items():
        gen = result["generation_s"]
        lines.append(
            f"  {size}: database {result['database']} ({result['proposals']:,} public "
            f"proposals, {result['departments']} departments), "
            + (f"generated in {gen:.0f} s" if gen is not None else "reused generated data")
            + f"; people {result['people']}; load average {result['load_before'][0]:.1f} "
            f"before, {result['load_after'][0]:.1f} after"
        )
    lines.append(f"\n{main_size} data set (×floor: p95 over the mean floor p95 just before "
                 "and after; ×admin: that over the admin's; cold: server ms):")  # fmt: skip
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    for size, result in results.items():
        if size != main_size:
            lines.append(f"\n{size} data set:")
            for page in [
                *result["pages"].values(),
                *([result["mixed"]] if "mixed" in result else []),
            ]:
                lines.append(
                    f"  {page['label']:<44} {page['rps']:>7} req/s  p50 {page['p50_ms']} ms  "
                    f"p95 {page['p95_ms']} ms  ×floor {_fmt(page['vs_floor'])}  "
                    f"queries {page['queries']}"
                )
    jobs = next((r["jobs"] for r in results.values() if "jobs" in r), None)
    if jobs:
        lines.append("\nJobs: " + ", ".join(f"{k[:-2]} {v} s" for k, v in jobs.items()))
    lines.append("\nTargets (issue 17):")
    for name, passed, detail in checks:
        verdict = "----" if passed is None else "PASS" if passed else "FAIL"
        lines.append(f"  {verdict}  {name}  ({detail})")
    compared = [passed for _, passed, _ in checks if passed is not None]
    lines.append(
        f"\n{sum(compared)} of {len(compared)} targets met"
        + (f"; {len(checks) - len(compared)} not compared." if len(compared) < len(checks) else ".")
    )
    return "\n".join(lines)


def default_inventory() -> Path | None:
    for candidate in sorted(
        (ROOT.parent / "shared" / "data").glob("**/*individually_reported*.csv")
    ):
        return candidate
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None, help="comma-separated: large,small (default "
                        "both; small with --quick)")  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help="a look, not figures: small data, 3 s per page, 2 s floors")  # fmt: skip
    parser.add_argument("--duration", type=float, default=None, help="seconds per page (10)")
    parser.add_argument("--floor-duration", type=float, default=None,
                        help="seconds of each floor measurement (half --duration, at least 2)")  # fmt: skip
    parser.add_argument("--mixed-duration", type=float, default=None,
                        help="seconds of the mixed phase (3× --duration)")  # fmt: skip
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--employees", type=int, default=24, help="employees to log in as")
    parser.add_argument("--seed", type=int, default=2026, help="the same seed draws the same URLs")
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
    parser.add_argument("--baseline-mixed-rps", type=float, default=None,
                        help="the mixed phase's req/s before the change, for the 3× target")  # fmt: skip
    parser.add_argument("--baseline-results", type=Path, default=None,
                        help="a previous run's bench/results/<time>.json to take it from")  # fmt: skip
    parser.add_argument("--inventory", type=Path, default=default_inventory())
    parser.add_argument("--jobs-on", default="large", help="the size to time the jobs on")
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated page keys (e.g. proposal,queue,mixed) to measure alone, beside "
        "the floor and the admin; the jobs are then left out",
    )
    args = parser.parse_args()
    args.sizes = args.sizes or ("small" if args.quick else "large,small")
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.floor_duration = args.floor_duration or max(2.0, args.duration / 2)
    args.mixed_duration = args.mixed_duration or 3 * args.duration
    args.warmup = min(1.0, args.duration / 4)
    args.pages = {p.strip() for p in args.pages.split(",") if p.strip()}
    if args.pages:
        args.pages |= {"admin"}
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

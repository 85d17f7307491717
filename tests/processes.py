"""Real processes for the fault and load tests: a throwaway Redis, a throwaway PostgreSQL
cluster, the portal under gunicorn and a Celery worker, each stopped (or killed) on exit
even when the test fails. Every wait is bounded.

A missing tool (redis-server, initdb, gunicorn) skips the test, or fails it with CI=true.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel's choice, never 5432 or 6379)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_tool(name: str, *candidates: str) -> str:
    """The path of a tool, from PATH or the given glob patterns; skip (or fail in CI)."""
    found = shutil.which(name)
    for pattern in candidates:
        found = found or next(iter(sorted(glob.glob(pattern), reverse=True)), None)
    if not found:
        skip_or_fail(f"{name} is not installed")
    return found


def wait_for(condition: Callable[[], object], timeout: float, what: str, interval=0.1):
    """Poll ``condition`` until truthy; raise TimeoutError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            result = condition()
            if result:
                return result
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout}s")


def stop_process(process: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if it has not gone within ``timeout``; quiet if already gone."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --- Redis --------------------------------------------------------------------------------


@dataclass
class ThrowawayRedis:
    """A redis-server of our own that a test may stop and start again on the same port.
    With a ``directory`` it keeps its dump there (written by SAVE) and reloads it on start,
    as a production Redis with persistence comes back with its data."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    directory: Path | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = require_tool("redis-server")
        dump = ["--dir", str(self.directory)] if self.directory else []
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", *dump],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: _port_open(self.port), 10, f"redis-server on port {self.port}")

    def stop(self) -> None:
        stop_process(self.process)
        wait_for(lambda: not _port_open(self.port), 10, "redis-server to stop")


@contextlib.contextmanager
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        stop_process(server.process)


# --- PostgreSQL ---------------------------------------------------------------------------


@dataclass
class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory on a free port, trust auth, user
    ``postgres``. initdb refuses to run as root, so as root it runs as user postgres."""

    directory: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["su", "postgres", "-c", " ".join(_quote(a) for a in command)]
        subprocess.run(command, check=True, timeout=timeout, capture_output=True)

    def _bin(self, name: str) -> str:
        return require_tool(name, f"/usr/lib/postgresql/*/bin/{name}")

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        os.chmod(self.directory, 0o700)
        self._run(self._bin("initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip

    def start(self) -> None:
        self._run(
            self._bin("pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
            "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(self._bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    directory = Path(tempfile.mkdtemp(prefix="coe-pg-"))
    cluster = ThrowawayPostgres(directory)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(Exception):
                cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


# --- the portal and its worker -------------------------------------------------------------


def portal_env(database_url: str, redis_url: str | None = None, **extra: str) -> dict:
    """The environment of a production-like portal process (DEBUG off) on plain HTTP."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="test-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        STATIC_MANIFEST="0",
        LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


# A management-shell snippet that makes a person with an API token and prints its key (the
# database keeps only a digest: the key exists only in what create_api_token returns).
MAKE_TOKEN_USER = (
    "from coe_portal.models import User; from coe_portal.tokens import create_api_token; "
    "u = User.objects.create_user({name!r}, {name!r} + '@example.com', 'unused-password'); "
    "print(create_api_token(actor=u, name='Integration test', lifetime=7)[1])"
)


def manage(env: dict, *args: str) -> str:
    """Run ``manage.py`` with ``env``; its output (fails the test with its errors)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def api_token(env: dict, name: str) -> str:
    """A new person's API token, made through the management shell."""
    return manage(env, "shell", "-c", MAKE_TOKEN_USER.format(name=name)).strip().splitlines()[-1]


def database_url_of(connection) -> str:
    """The URL of the database ``connection`` is on (the pytest test database)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Gunicorn:
    port: int
    process: subprocess.Popen
    log: Path
    started_at: object = field(default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 2, log_dir: Path | None = None) -> Iterator[Gunicorn]:
    """The portal under gunicorn (the project's gunicorn.conf.py) on a free port."""
    binary = require_tool("gunicorn", str(Path(sys.executable).parent / "gunicorn"))
    port = free_port()
    log = Path(log_dir or tempfile.mkdtemp(prefix="coe-gunicorn-")) / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [binary, "coe_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--access-logfile", "/dev/null"],
            cwd=ROOT, env={**env, "WEB_CONCURRENCY": str(workers)}, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    from django.utils import timezone

    server = Gunicorn(port, process, log, timezone.now())
    try:

        def live():
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{server.log_tail()}")
            with urllib.request.urlopen(f"{server.url}/livez", timeout=2) as response:  # noqa: S310
                return response.status == 200

        try:
            wait_for(live, 60, "gunicorn to serve /livez", interval=0.3)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{server.log_tail()}") from exc
        yield server
    finally:
        stop_process(process, timeout=30)


@contextlib.contextmanager
def celery_worker(env: dict, app: str = "coe_portal", name: str = "w", log_dir=None):
    """A `celery worker` process (solo pool); killed on exit. Yields the Popen."""
    log = Path(log_dir or tempfile.mkdtemp(prefix="coe-worker-")) / f"worker-{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app, "worker", "--pool=solo",
             "--loglevel=info", "--without-heartbeat", "--without-gossip", "--without-mingle",
             "-n", f"{name}-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    process.log_path = log
    try:
        wait_for(
            lambda: process.poll() is None and "ready." in log.read_text(errors="replace"),
            60,
            f"the Celery worker to start:\n{log}",
            interval=0.3,
        )
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)


def http(method: str, url: str, *, headers=None, body: bytes | None = None, timeout=10):
    """(status, text) of one request; a refused or timed-out request is status 0."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        return 0, str(exc)

"""pytest plugin: the real server (``python wsgi.py``, eventlet) in a subprocess.

Fixtures
--------
``live_server``
    Module-scoped: one server per test module, on a free port, with its own fresh database
    (a SQLite file in a temp dir, migrated with ``flask db upgrade`` and loaded with
    ``flask demo``). Tests in a module share the demo event, so each test creates and checks
    its own data (its own participants, its own ``client_id``s, counts as before/after).
    Parametrize it indirectly to pick the database::

        @pytest.mark.parametrize("live_server", ["sqlite", "postgres"], indirect=True)

    ``"postgres"`` creates a throwaway database ``facilitation_test_<random>`` on the server
    of ``TEST_DATABASE_URL`` and drops it afterwards; without that variable the test skips.

``live_server_factory``
    Function-scoped: ``start(database="sqlite", share_db_with=None, **env)`` starts one more
    server; every server it started is stopped at teardown. Two workers behind one Redis
    message queue, sharing one database and one secret key::

        a = live_server_factory(database="postgres", SOCKETIO_MESSAGE_QUEUE=redis_url)
        b = live_server_factory(share_db_with=a, SOCKETIO_MESSAGE_QUEUE=redis_url)

``test_redis_url``
    ``TEST_REDIS_URL`` or a skip.

The server object: ``url``, ``port``, ``env`` (the subprocess environment), ``proc``,
``restart()``, ``stop()``, ``kill()`` (SIGKILL), ``flask(*args)`` (a ``flask --app
facilitation`` command in the same environment) and ``logs()``. When a test using it fails, the server's output is shown
in a "live server" section under the failure.

Register it from ``tests/conftest.py``::

    pytest_plugins = ["tests.support.strict_skips", "tests.support.live_server"]

It overrides pytest-flask's own ``live_server`` fixture (which runs the app in a
multiprocessing child with Werkzeug, not the eventlet server we ship).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HEALTH_PATH = "/healthz"
START_TIMEOUT = float(os.environ.get("LIVE_SERVER_START_TIMEOUT", "30"))
COMMAND_TIMEOUT = 120

#: Variables of the developer's shell that must not leak into a test server.
_SCRUBBED = (
    "DATABASE_URL",
    "SECRET_KEY",
    "SOCKETIO_MESSAGE_QUEUE",
    "PUBLIC_BASE_URL",
    "INSTANCE_PATH",
    "FLASK_APP",
    "PORT",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------- databases
class SqliteDatabase:
    def __init__(self, directory: Path) -> None:
        self.url = f"sqlite:///{directory / 'facilitation.sqlite3'}"

    def drop(self) -> None:  # the temp dir goes with pytest's tmp_path retention
        pass


class PostgresDatabase:
    """A throwaway database on the server of ``TEST_DATABASE_URL``."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.name = f"facilitation_test_{secrets.token_hex(6)}"
        admin = make_url(admin_url)
        self._admin_dsn = _libpq_dsn(admin)
        self.url = admin.set(database=self.name).render_as_string(hide_password=False)
        self._execute(f'CREATE DATABASE "{self.name}"')

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._admin_dsn, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _libpq_dsn(url: Any) -> str:
    """SQLAlchemy URL (``postgresql+psycopg://...``) -> libpq URI for psycopg.connect."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _test_database_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def make_database(kind: str, directory: Path) -> SqliteDatabase | PostgresDatabase:
    if kind == "sqlite":
        return SqliteDatabase(directory)
    if kind == "postgres":
        url = _test_database_url()
        if not url:
            pytest.skip("TEST_DATABASE_URL not set (PostgreSQL live server)")
        return PostgresDatabase(url)
    raise ValueError(f"unknown database kind {kind!r} (sqlite or postgres)")


# ---------------------------------------------------------------------------- the server
class LiveServer:
    def __init__(self, workdir: Path, env: dict[str, str], database: Any = None) -> None:
        self.workdir = workdir
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self._database = database  # owned (dropped at close) when not None
        self._log_path = workdir / "server.log"
        self._starts = 0

    # -- commands ------------------------------------------------------------------
    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``flask --app facilitation ARGS`` in the server's environment."""
        cmd = [sys.executable, "-m", "flask", "--app", "facilitation", *args]
        result = subprocess.run(
            cmd,
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"`flask {' '.join(args)}` exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def prepare(self) -> None:
        self.flask("db", "upgrade", "heads")
        self.flask("demo")

    # -- process -------------------------------------------------------------------
    def start(self) -> LiveServer:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self._starts += 1
        with self._log_path.open("ab") as log:
            log.write(f"\n===== start #{self._starts} on port {self.port}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "wsgi.py"],
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + HEALTH_PATH, timeout=2) as resp:
                    if resp.status == 200:
                        return
                    last_error = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}"
            except OSError as exc:  # connection refused while the server boots
                last_error = repr(exc)
            # Wait for the process for a short while: returns at once if it died.
            try:
                code = self.proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(
                f"server exited with {code} before {HEALTH_PATH} answered\n{self.logs()}"
            )
        self.stop()
        raise RuntimeError(
            f"{self.url}{HEALTH_PATH} not 200 after {START_TIMEOUT}s ({last_error})\n{self.logs()}"
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: no shutdown code runs."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.kill()
        proc.wait(timeout=10)

    def restart(self) -> LiveServer:
        """Stop and start again on the same port with the same database."""
        self.stop()
        return self.start()

    def close(self) -> None:
        self.stop()
        if self._database is not None:
            self._database.drop()

    def logs(self) -> str:
        try:
            text = self._log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no server output)"
        return f"----- server output ({self._log_path})\n{text[-20000:]}"

    def __repr__(self) -> str:
        return f"<LiveServer {self.url} pid={self.proc.pid if self.proc else None}>"


def _base_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        FLASK_DEBUG="0",
        PYTHONUNBUFFERED="1",
        HOST="127.0.0.1",
        # Rate limits off unless a test turns them on (RATELIMIT_ENABLED="1" in **env).
        RATELIMIT_ENABLED="0",
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def create_server(
    workdir: Path,
    database: str = "sqlite",
    share_db_with: LiveServer | None = None,
    start: bool = True,
    **env: str,
) -> LiveServer:
    """A prepared (migrated + demo data) server; ``share_db_with`` reuses another's data."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = str(free_port())
    if share_db_with is not None:
        shared = share_db_with.env
        server = LiveServer(
            workdir,
            _base_env(
                DATABASE_URL=shared["DATABASE_URL"],
                SECRET_KEY=shared["SECRET_KEY"],
                INSTANCE_PATH=str(workdir / "instance"),
                PORT=port,
                **env,
            ),
        )
    else:
        db = make_database(database, workdir)
        try:
            server = LiveServer(
                workdir,
                _base_env(
                    DATABASE_URL=db.url,
                    SECRET_KEY=secrets.token_urlsafe(32),
                    INSTANCE_PATH=str(workdir / "instance"),
                    PORT=port,
                    **env,
                ),
                database=db,
            )
            server.prepare()
        except BaseException:
            db.drop()
            raise
    if start:
        try:
            server.start()
        except BaseException:
            server.close()
            raise
    return server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    """A failing test that used a live server shows the server's output under its failure."""
    report: pytest.TestReport = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        servers = []
        if isinstance(funcargs.get("live_server"), LiveServer):
            servers.append(funcargs["live_server"])
        servers += getattr(funcargs.get("live_server_factory"), "servers", [])
        for server in servers:
            report.sections.append((f"live server {server.url}", server.logs()))
    return report


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    database = getattr(request, "param", "sqlite")
    server = create_server(tmp_path_factory.mktemp(f"live-{database}"), database=database)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def live_server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    servers: list[LiveServer] = []

    def start(
        database: str = "sqlite", share_db_with: LiveServer | None = None, **env: str
    ) -> LiveServer:
        server = create_server(
            tmp_path_factory.mktemp("live"),
            database=database,
            share_db_with=share_db_with,
            **env,
        )
        servers.append(server)
        return server

    start.servers = servers  # type: ignore[attr-defined]  # read by pytest_runtest_makereport
    try:
        yield start
    finally:
        # Stop every server before any shared database is dropped.
        for server in servers:
            server.stop()
        for server in reversed(servers):
            server.close()


@pytest.fixture(scope="session")
def test_redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (Redis message queue)")
    return url

"""``make bench``: the load test against servers started here, written up as a Markdown table.

    python -m facilitation.ops.loadtest.bench [--sizes 200,1000,2000] [--duration 30] [--out DIR]

1. one eventlet worker on SQLite (fresh temp database, free port), once per size, each followed
   by the floor (``floor.py``: the same stack bare, in memory) at the same size with the same
   generator; a table gives both and the ratios app ÷ floor;
2. the same with gevent at ``--compare-size`` phones, when gevent is installed;
3. when PostgreSQL (``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL``), ``redis-server`` and
   nginx are available: two workers + a private Redis + a throwaway PostgreSQL database
   behind the shipped nginx.conf, every phone from ONE address (as at a venue), at
   ``--compare-size`` phones, with how many phones and burst taps each worker served; then a
   throughput pair, 1 worker and 2 workers under the same heavy post rate, and their ratio.

Each server gets ``LOADTEST_TOKEN`` (the run creates and removes its own event) and
rate limits off (thousands of phones share one loopback address here, as they can share a
venue's NAT). Every subprocess has a timeout, so the bench ends in bounded time. Results:
``<out>/bench-<UTC time>.md`` (+ one JSON per run) and ``<out>/latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "loadavg_at_start": os.getloadavg()[0],
    }


# ============================================================================ processes
@dataclass
class Server:
    """``python wsgi.py`` on a free port."""

    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    #: What to run: the app (``wsgi.py``) or the floor (``-m facilitation.ops.loadtest.floor``).
    command: tuple[str, ...] = ("wsgi.py",)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**self.env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        self.proc = subprocess.Popen(
            [PY, *self.command],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}, see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server not healthy after 60 s, see {self.log}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def base_env(workdir: Path, database_url: str, **extra: str) -> dict[str, str]:
    scrub = ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "FLASK_APP", "PORT")
    env = {k: v for k, v in os.environ.items() if k not in scrub}
    env.update(
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(workdir / "instance"),
        SECRET_KEY=secrets.token_urlsafe(32),
        LOADTEST_TOKEN=secrets.token_urlsafe(24),
        RATELIMIT_ENABLED="0",
        SOCKET_RATE_BURST="1000",
        SOCKET_RATE_PER_SECOND="1000",
        PYTHONUNBUFFERED="1",
        FLASK_DEBUG="0",
        # eventlet's deprecation notice, printed by every process, buries the progress lines
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str, timeout: float = 300) -> None:
    subprocess.run(
        [PY, "-m", "flask", "--app", "facilitation", *args],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )


def loadtest(
    url: str,
    env: dict[str, str],
    out: Path,
    *,
    participants: int,
    duration: float,
    pids: list[int],
    posts_per_minute: float | None = None,
    extra: tuple[str, ...] = (),
    scenarios: bool = True,
    storm: bool = True,
) -> dict[str, Any]:
    """One ``flask loadtest`` run (its progress streams through); its JSON report.

    ``scenarios``: after the run, the vote burst (5 dots a phone within 10 s) and, unless
    ``storm`` is false, the reconnect storm (every phone drops and is back within 10 s).
    """
    ateliers = max(1, participants // 50)
    cmd = [
        PY, "-m", "flask", "--app", "facilitation", "loadtest",
        "--url", url, "--participants", str(participants), "--ateliers", str(ateliers),
        "--duration", str(duration), "--json", str(out),
        "--token", env["LOADTEST_TOKEN"], *extra,
    ]  # fmt: skip
    if scenarios:
        cmd += ["--dots", "5", "--burst-window", "10"]
        if storm:
            cmd += ["--storm", "--storm-window", "10"]
    if posts_per_minute is not None:
        cmd += ["--posts-per-minute", str(posts_per_minute)]
    for pid in pids:
        cmd += ["--server-pid", str(pid)]
    budget = 120 + duration + (0.4 if scenarios else 0.25) * participants
    print(f"\n$ flask loadtest --url {url} --participants {participants} ...", flush=True)
    try:
        subprocess.run(cmd, cwd=REPO_ROOT, env=env, timeout=budget, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        print(f"(run stopped after {budget:.0f} s)", flush=True)
    if not out.exists():
        return {"failed": True, "participants": participants}
    return json.loads(out.read_text())


# ============================================================================ scenarios
def single_worker(
    work: Path, results: Path, n: int, duration: float, mode: str = "eventlet"
) -> dict[str, Any]:
    d = Path(tempfile.mkdtemp(prefix=f"bench-{mode}-{n}-", dir=work))
    env = base_env(d, f"sqlite:///{d / 'bench.sqlite3'}", SOCKETIO_ASYNC_MODE=mode)
    flask(env, "db", "upgrade", "heads")
    server = Server(env, d / "server.log").start()
    try:
        assert server.proc is not None
        report = loadtest(
            server.url, env, results / f"{mode}-sqlite-{n}.json",
            participants=n, duration=duration, pids=[server.proc.pid],
        )  # fmt: skip
    finally:
        server.stop()
    report["setup"] = f"1 worker, {mode}, SQLite"
    return report


def floor_run(work: Path, results: Path, n: int, duration: float) -> dict[str, Any]:
    """The floor (the same stack bare, in memory) under the same generator and sizes."""
    d = Path(tempfile.mkdtemp(prefix=f"bench-floor-{n}-", dir=work))
    # The generator is `flask loadtest`: its app needs a database URL, never opened here.
    env = base_env(d, f"sqlite:///{d / 'unused.sqlite3'}")
    server = Server(env, d / "floor.log", command=("-m", "facilitation.ops.loadtest.floor"))
    server.start()
    try:
        assert server.proc is not None
        report = loadtest(
            server.url, env, results / f"floor-{n}.json",
            participants=n, duration=duration, pids=[server.proc.pid],
        )  # fmt: skip
    finally:
        server.stop()
    report["setup"] = "floor: Flask-SocketIO + eventlet, in memory"
    return report


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class PostgresDatabase:
    def __init__(self, admin_url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        self.name = f"facilitation_bench_{secrets.token_hex(4)}"
        url = make_url(admin_url)
        self._admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = url.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def multi_worker(
    work: Path, results: Path, n: int, duration: float, throughput: tuple[int, float]
) -> list[dict[str, Any]]:
    """2 workers + Redis + PostgreSQL behind nginx; then 1 vs 2 workers under heavy posting."""
    from facilitation.ops.deploy import LocalNginx, nginx_binary

    admin = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    missing = [
        name
        for name, ok in (
            ("PostgreSQL (BENCH_DATABASE_URL / TEST_DATABASE_URL)", bool(admin)),
            ("redis-server", bool(shutil.which("redis-server"))),
            ("nginx", bool(nginx_binary())),
        )
        if not ok
    ]
    if missing:
        print(f"\nmulti-worker section skipped: missing {', '.join(missing)}", flush=True)
        return [{"setup": "2 workers", "skipped": "missing " + ", ".join(missing)}]
    assert admin is not None
    out: list[dict[str, Any]] = []
    tp_n, tp_ppm = throughput
    for label, workers, size, ppm, via_nginx in (
        ("2 workers + Redis + PostgreSQL, nginx", 2, n, None, True),
        ("throughput: 1 worker + Redis + PostgreSQL", 1, tp_n, tp_ppm, False),
        ("throughput: 2 workers + Redis + PostgreSQL, nginx", 2, tp_n, tp_ppm, True),
    ):
        d = Path(tempfile.mkdtemp(prefix=f"bench-pg{workers}-", dir=work))
        db = PostgresDatabase(admin)
        redis = PrivateRedis(d)
        servers: list[Server] = []
        proxy = None
        try:
            env = base_env(d, db.url, SOCKETIO_MESSAGE_QUEUE=redis.url)
            flask(env, "db", "upgrade", "heads")
            servers = [Server(env, d / f"server{i}.log").start() for i in range(workers)]
            url = servers[0].url
            extra: tuple[str, ...] = ()
            if via_nginx:
                proxy = LocalNginx(
                    d / "nginx", free_port(), [s.port for s in servers], REPO_ROOT / "static"
                )
                # Every phone from one address (127.0.0.1), as a venue's Wi-Fi: nginx's
                # cookie hash must share them out; each worker counts its own.
                url = proxy.url
                for s in servers:
                    extra += ("--worker-url", s.url)
            tag = "mq" if ppm is None else "tp"
            report = loadtest(
                url, env, results / f"{tag}-{workers}w-{size}.json",
                participants=size, duration=duration, posts_per_minute=ppm,
                pids=[s.proc.pid for s in servers if s.proc], extra=extra,
                # The throughput pair also takes the vote burst: it is what saturates a
                # worker (card deliveries saturate the generator first on 2 cores).
                storm=ppm is None,
            )  # fmt: skip
        finally:
            if proxy:
                proxy.stop()
            for s in servers:
                s.stop()
            redis.stop()
            db.drop()
        report["setup"] = label
        out.append(report)
    return out


# ============================================================================ the table
def absorbed_per_s(r: dict[str, Any]) -> float | None:
    """Dots acknowledged per second of a run's vote burst (``None`` without one)."""
    burst = r.get("vote_burst") or {}
    acked, seconds = burst.get("dots_acked"), burst.get("all_acked_s")
    if not acked or not seconds:
        return None
    return float(acked) / float(seconds)


def _ms(r: dict[str, Any], key: str) -> str:
    v = (r.get("latency_ms") or {}).get(key)
    return "–" if v is None else f"{v:.0f}"


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| setup | phones / ateliers | connected | posts | lost | p50 ms | p95 ms | p99 ms "
        "| max ms | deliveries/s | dots sent / counted | reconnects | memory / phone "
        "| server CPU (cores) | load avg | errors |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        if r.get("skipped") or r.get("failed"):
            lines.append(f"| {r.get('setup', '?')} | {r.get('participants', '')} | "
                         f"{r.get('skipped') or 'run failed'} |||||||||||||")  # fmt: skip
            continue
        mem = (r.get("server_rss_kb") or {}).get("per_phone_kb")
        dots = (
            f"{r['dots_sent']} / {r['dots_counted']} ({r['dot_errors']} refused)"
            if r.get("dots_enabled")
            else "–"
        )
        cpu = r.get("server_cpu") or {}
        lines.append(
            f"| {r['setup']} | {r['participants']} / {r['ateliers']} | {r['connected']} | "
            f"{r['posts_acked']} | {r['lost']} | {_ms(r, 'p50')} | {_ms(r, 'p95')} | "
            f"{_ms(r, 'p99')} | {_ms(r, 'max')} | {r['throughput']['deliveries_per_s']} | "
            f"{dots} | {r['reconnects']} | {'–' if mem is None else f'{mem:.0f} KB'} | "
            f"{cpu.get('run_cores', '–')} | {cpu.get('loadavg_1m_end', '–')} | {r['errors']} |"
        )
    return head + "\n".join(lines) + "\n"


def _phase_ms(r: dict[str, Any], phase: str, key: str = "p95") -> str:
    v = ((r.get("latency_ms_by_phase") or {}).get(phase) or {}).get(key)
    return "–" if v is None else f"{v:.0f} ms"


def scenarios_table(rows: list[dict[str, Any]]) -> str:
    """The vote burst and the reconnect storm of each run, against the issue's targets."""
    head = (
        "| setup | phones | vote burst: dots acked / counted | lost | over budget "
        "| tallies exact | all acked after (window 10 s) | dot ack p95 | cards p95 during burst "
        "| storm: resynced | all resynced after (target 15 s) | resync p95 / max "
        "| cards p95 during storm | memory / phone |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        burst, storm = r.get("vote_burst"), r.get("reconnect_storm")
        if r.get("skipped") or r.get("failed") or not (burst or storm):
            continue
        mem = r.get("memory_per_phone_kb")
        b = burst or {}
        st = storm or {}
        b_cells = (
            f"{b.get('dots_acked')} / {b.get('dots_counted')} | {b.get('lost')} | "
            f"{b.get('over_budget')} | {'yes' if b.get('tallies_exact') else 'NO'} | "
            f"{b.get('all_acked_s')} s | {(b.get('ack_ms') or {}).get('p95')} ms | "
            f"{_phase_ms(r, 'vote_burst')}"
            if burst
            else "– | – | – | – | – | – | –"
        )
        rs = st.get("resync_ms") or {}
        s_cells = (
            f"{st.get('resynced')} / {st.get('phones')} | {st.get('all_resynced_s')} s | "
            f"{rs.get('p95')} / {rs.get('max')} ms | {_phase_ms(r, 'reconnect_storm')}"
            if storm
            else "– | – | – | –"
        )
        lines.append(
            f"| {r['setup']} | {r['participants']} | {b_cells} | {s_cells} | "
            f"{'–' if mem is None else f'{mem:.0f} KB'} |"
        )
    return head + "\n".join(lines) + "\n" if lines else ""


def _dig(r: dict[str, Any], path: str) -> float | None:
    """``r["a"]["b"]`` for ``"a.b"``; ``None`` when any step is missing."""
    value: Any = r
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


#: The comparison's measures: label, key in the run's report, unit.
FLOOR_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("post → room p50", "latency_ms.p50", "ms"),
    ("post → room p95", "latency_ms.p95", "ms"),
    ("vote burst absorbed (window 10 s)", "vote_burst.all_acked_s", "s"),
    ("dot ack p95", "vote_burst.ack_ms.p95", "ms"),
    ("storm: all resynced", "reconnect_storm.all_resynced_s", "s"),
    ("join ramp", "ramp_s", "s"),
    ("server CPU per tap", "server_cpu.per_tap_ms", "ms"),
    ("server CPU per delivered card", "server_cpu.per_delivered_card_ms", "ms"),
    ("memory per phone", "memory_per_phone_kb", "KB"),
)


def ratio(app: float | None, floor: float | None) -> float | None:
    """app ÷ floor, ``None`` when either is missing or the floor is 0."""
    if app is None or floor is None or floor <= 0:
        return None
    return app / floor


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms" and value < 10:
        return f"{value:.2f} ms"
    return f"{value:.0f} {unit}" if unit in ("ms", "KB") else f"{value:.1f} {unit}"


def floor_table(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    """The app beside the floor at each size, with the ratio app ÷ floor of every measure."""
    lines = [
        "| phones | measure | app (1 worker, eventlet, SQLite) | floor (bare stack) "
        "| app ÷ floor |",
        "|---|---|---|---|---|",
    ]
    for app, floor in pairs:
        for label, key, unit in FLOOR_MEASURES:
            a, f = _dig(app, key), _dig(floor, key)
            r = ratio(a, f)
            lines.append(
                f"| {app.get('participants', '?')} | {label} | {_figure(a, unit)} | "
                f"{_figure(f, unit)} | {'–' if r is None else f'{r:.2f}'} |"
            )
    return "\n".join(lines) + "\n"


def workers_table(rows: list[dict[str, Any]]) -> str:
    """Per worker of each multi-worker run: the phones it held and the burst taps it served."""
    lines = []
    for r in rows:
        workers = r.get("workers") or []
        phones = sum(w.get("phones") or 0 for w in workers)
        taps = sum(w.get("burst_taps") or 0 for w in workers)
        for n, w in enumerate(workers, 1):
            p, t = w.get("phones"), w.get("burst_taps")
            share_p = f"{100 * p / phones:.0f} %" if p is not None and phones else "–"
            share_t = f"{100 * t / taps:.0f} %" if t is not None and taps else "–"
            lines.append(
                f"| {r.get('setup', '?')} | {n} (pid {w.get('pid', '?')}) | "
                f"{'–' if p is None else p} | {share_p} | {'–' if t is None else t} | {share_t} |"
            )
    if not lines:
        return ""
    return (
        "| setup | worker | phones connected (after the ramp) | share | burst dot:set served "
        "| share |\n|---|---|---|---|---|---|\n" + "\n".join(lines) + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="200,1000,2000")
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--throughput", default="1000:3000", help="phones:posts-per-minute")
    parser.add_argument("--out", default=str(REPO_ROOT / "instance" / "bench"))
    parser.add_argument(
        "--compare-size",
        type=int,
        default=1000,
        help="phones for the gevent and 2-worker runs (0: the largest size)",
    )
    parser.add_argument("--no-single", action="store_true", help="skip the SQLite sizes")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor beside them")
    parser.add_argument("--no-gevent", action="store_true")
    parser.add_argument("--no-multi", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.replace(",", " ").split()]
    compare = args.compare_size or max(sizes)
    tp_n, tp_ppm = (float(x) for x in args.throughput.split(":"))
    results = Path(args.out)
    results.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="facilitation-bench-"))
    info = machine()
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    try:
        for n in [] if args.no_single else sizes:
            rows.append(single_worker(work, results, n, args.duration))
            if not args.no_floor:
                # Right after the app at the same size: the same machine, the same moment.
                floor = floor_run(work, results, n, args.duration)
                rows.append(floor)
                pairs.append((rows[-2], floor))
        if not args.no_gevent:
            try:
                import gevent  # noqa: F401
            except ImportError:
                rows.append({"setup": "1 worker, gevent", "skipped": "gevent not installed"})
            else:
                rows.append(single_worker(work, results, compare, args.duration, "gevent"))
        if not args.no_multi:
            rows += multi_worker(work, results, compare, args.duration, (int(tp_n), tp_ppm))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    tp = [r for r in rows if str(r.get("setup", "")).startswith("throughput") and "throughput" in r]
    tp_ratio = burst_ratio = None
    if len(tp) == 2 and tp[0]["throughput"]["deliveries_per_s"]:
        tp_ratio = tp[1]["throughput"]["deliveries_per_s"] / tp[0]["throughput"]["deliveries_per_s"]
    rates = [absorbed_per_s(r) for r in tp]
    if len(rates) == 2 and rates[0] and rates[1]:
        burst_ratio = rates[1] / rates[0]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%MZ")
    text = (
        f"### Load test — {stamp}\n\n"
        f"Machine: {info['nproc']} CPU ({info['cpu']}), {info['ram_gb']} GB RAM, "
        f"Python {info['python']}, Linux {info['kernel']}; load average at start "
        f"{info['loadavg_at_start']:.1f}. Generator on the same machine. "
        f"{args.duration:.0f} s per run, 50 phones per atelier, 10 % of phones drop and "
        f"reconnect, 6 cards/min per atelier (throughput runs: {tp_ppm:.0f} cards/min). "
        "Latencies in the first table: cards posted during the run itself (p95 target "
        "≤ 150 ms); cards posted during the vote burst and the storm are in the second.\n\n"
        + table(rows)
        + (
            "\nScenarios after each run: every phone taps 5 dots, one `dot:set` "
            "each, starting within 10 s; then every phone drops and is back within 10 s.\n\n"
            + scenarios_table(rows)
            if scenarios_table(rows)
            else ""
        )
        + (
            "\nThe app beside the floor (`facilitation/ops/loadtest/floor.py`: Flask-SocketIO + "
            "eventlet, in-memory state, no database, no rules; same generator, same sizes, "
            "run right after the app). Absolute figures move with the machine; the ratios "
            "app ÷ floor are the result. Server CPU is read from /proc before and after each "
            "phase: per `dot:set` call of the burst, per card delivered live in the run.\n\n"
            + floor_table(pairs)
            if pairs
            else ""
        )
        + (
            "\nEvery phone from one address (127.0.0.1) through the shipped nginx.conf (its "
            "routing cookie, not the address, picks the worker); each worker counted its own "
            "sockets and `dot:set` calls (`GET /_loadtest/worker`).\n\n" + workers_table(rows)
            if workers_table(rows)
            else ""
        )
        + (
            f"\n2 workers / 1 worker delivery throughput ratio: **{tp_ratio:.2f}**\n"
            if tp_ratio is not None
            else ""
        )
        + (
            f"\n2 workers / 1 worker vote burst (dots absorbed per second: "
            f"{rates[1]:.0f} / {rates[0]:.0f}): **{burst_ratio:.2f}**\n"
            if burst_ratio is not None
            else ""
        )
        + f"\nBench time: {time.monotonic() - started:.0f} s.\n"
    )
    (results / f"bench-{stamp}.md").write_text(text)
    (results / "latest.md").write_text(text)
    print("\n" + text)
    print(f"Written: {results / f'bench-{stamp}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

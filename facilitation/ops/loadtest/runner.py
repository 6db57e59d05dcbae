"""Run a load test: phones spread over generator processes, a progress line, a summary.

Each generator process runs its share of phones on one asyncio loop (one aiohttp session and
one ``socketio.AsyncClient`` per phone): thousands of idle websockets cost little there,
where a thread per client would not. Processes are started with ``spawn`` and talk to the
parent over queues; the parent times the phases:

    ramp             every phone joins over HTTP, connects, joins its atelier (not timed)
    run              ``duration`` seconds: posts (Poisson, ``posts_per_minute`` for the
                     whole event), ``drop_fraction`` of the phones drop and come back
    vote_burst       (``dots`` > 0 and the server has ``dot:set``) every phone taps its
                     ``dots`` dots one at a time, starting within ``burst_window`` seconds,
                     each tap a ``dot:set`` retried with the same ``client_id`` when no answer
                     comes; posts go on during the window
    word_burst       (``words`` > 0 and the atelier has an open « en un mot » cloud) every
                     phone sends its ``words`` words one at a time, starting within
                     ``words_window`` seconds, each a ``cloud:send`` retried with the same
                     ``client_id`` when no answer comes; the tallies are coalesced
                     (``cloud:tally``, a few a second per atelier, whatever the words)
    reconnect_storm  (``storm``) every phone drops and comes back within ``storm_window``
                     seconds; posts go on during the window
    drain            until every card reached every phone of its atelier, 15 s at most

Each phase after ``run`` starts when every generator finished the previous one; the parent
gives the start time. Posts carry the phase they were sent in, so card latency is reported
for the steady ``run`` (``latency_ms``) and for each phase (``latency_ms_by_phase``). The
keys of the report are documented in ``facilitation/ops/loadtest/REPORT.md``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing as mp
import os
import queue
import random
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

from facilitation.ops.loadtest.stats import summary_ms

PROGRESS_EVERY_S = 1.0
#: Phases in order; the parent waits for every generator to reach one before the next.
PHASES = (
    "ramp",
    "ready",
    "run",
    "run_done",
    "vote_burst",
    "burst_done",
    "word_burst",
    "words_done",
    "reconnect_storm",
    "storm_done",
    "drain",
)
#: A phase (its acknowledgements, its reconnections) may take this long before the run moves on.
PHASE_MAX_S = 240.0
DOT_TIMEOUT_S = 30.0
DOT_ATTEMPTS = 3
STORM_ATTEMPTS = 4
#: Dot refusals that mean "try the same tap again" (nothing or something stored: a set).
RETRY_DOT_CODES = {"busy", "server_error", "rate_limited"}
WORD_TIMEOUT_S = 30.0
WORD_ATTEMPTS = 3
#: Words the phones send (several spellings of one word: the cloud groups them).
VOCABULARY = (
    "Solidarité", "solidarités", "solidarite", "télétravail", "Télétravail", "écoute",
    "entraide", "fatigue", "adaptation", "lien social", "liens sociaux", "numérique",
    "urgence", "isolement", "réactivité", "visio", "confiance", "précarité", "coordination",
    "proximité", "créativité", "souplesse", "partenariat", "épuisement",
)  # fmt: skip
#: Target of the reconnect storm: every phone resynced within this many seconds.
STORM_TARGET_S = 15.0
DRAIN_MAX_S = 15.0
DRAIN_IDLE_S = 5.0
IN_FLIGHT_WAIT_S = 35.0
MAX_ERROR_SAMPLES = 20


@dataclass
class RunConfig:
    url: str
    slug: str
    atelier_ids: list[int]
    participants: int
    duration: float
    posts_per_minute: float
    dots: int = 0
    dots_enabled: bool = False
    drop_fraction: float = 0.1
    processes: int = 2
    #: Give each phone a loopback source address 127.0.<n>.1 so nginx's ip_hash spreads them.
    spread_sources: bool = False
    seed: int = 0
    join_concurrency: int = 24
    #: Seconds for every phone to be in; later ones are given up. 0: 30 s + 0.1 s a phone.
    ramp_timeout: float = 0.0
    #: Vote burst: every phone starts tapping its dots within this window (seconds).
    burst_window: float = 10.0
    #: Reconnect storm: every phone drops and is back within this window (seconds).
    storm: bool = False
    storm_window: float = 10.0
    #: « En un mot »: words each phone sends to its atelier's open cloud (0: no such phase),
    #: starting within ``words_window`` seconds.
    words: int = 0
    words_window: float = 10.0
    #: Each worker's own address (behind nginx): its phones and burst taps are read there
    #: (``GET /_loadtest/worker``, with ``token``) to show how the proxy shared them out.
    worker_urls: list[str] = field(default_factory=list)
    token: str | None = None
    #: Phones post titles with words of the field (``flask loadtest --consoles``).
    field_titles: bool = False

    def __post_init__(self) -> None:
        if not self.ramp_timeout:
            self.ramp_timeout = 30.0 + 0.1 * self.participants


@dataclass
class WorkerResult:
    worker: int
    phones: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    dots_sent: int = 0
    dot_errors: int = 0
    errors: list[str] = field(default_factory=list)
    #: Why dots were refused: error code (or exception name) -> count.
    dot_error_codes: dict[str, int] = field(default_factory=dict)
    #: CPU seconds this generator process used during the run (is the generator the limit?)
    run_cpu_s: float = 0.0
    #: Dot taps sent (each one ``dot:set`` of one more dot), retries not counted.
    dot_taps: int = 0
    dot_retries: int = 0
    #: « En un mot »: words sent (first tries), resends, refusals by code.
    word_sends: int = 0
    word_retries: int = 0
    word_errors: int = 0
    word_error_codes: dict[str, int] = field(default_factory=dict)


# ============================================================================ generator process
def run_sync(coroutine: Any) -> Any:
    """``asyncio.run(coroutine)``, also from a thread whose loop is already running (a test
    session that drives a browser with Playwright's sync API, or a process forked from one):
    then the coroutine runs on its own loop in a short-lived thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _worker_entry(
    cfg: RunConfig,
    worker: int,
    indices: list[int],
    progress: Any,
    results: Any,
    go: Any,
    start_at: Any,
    stop: Any,
    phases: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    try:
        result = run_sync(_worker(cfg, worker, indices, progress, go, start_at, stop, phases or {}))
    except BaseException as exc:  # the parent must hear from every worker
        result = WorkerResult(worker=worker, errors=[f"générateur {worker} : {exc!r}"])
    results.put(asdict(result))


async def _wait_flag(flag: Any) -> None:
    while not flag.is_set():
        await asyncio.sleep(0.05)


async def _worker(
    cfg: RunConfig,
    worker: int,
    indices: list[int],
    progress: Any,
    go: Any,
    start_at: Any,
    stop: Any,
    phases: dict[str, tuple[Any, Any]],
) -> WorkerResult:
    from facilitation.ops.loadtest.consoles import PRACTICES
    from facilitation.ops.loadtest.phone import UNKNOWN_EVENT_CODES, Phone
    from facilitation.ops.loadtest.target import Target

    rng = random.Random(cfg.seed * 1000 + worker)
    target = Target(cfg.url)
    k = len(cfg.atelier_ids)
    phones = [
        Phone(
            target,
            i,
            cfg.atelier_ids[i % k],
            local_addr=f"127.0.{i % 250 + 1}.1" if cfg.spread_sources else None,
            titles=PRACTICES if cfg.field_titles else (),
        )
        for i in indices
    ]
    result = WorkerResult(worker=worker)
    acked_by_atelier: dict[int, int] = {}
    state = {"phase": "ramp", "posts": 0, "acked": 0}

    def errors_count() -> int:
        return len(result.errors) + sum(len(p.record.errors) for p in phones)

    async def report() -> None:
        while True:
            ready_by_atelier: dict[int, int] = {}
            for p in phones:
                if p.record.ready:
                    ready_by_atelier[p.atelier_id] = ready_by_atelier.get(p.atelier_id, 0) + 1
            progress.put(
                {
                    "worker": worker,
                    "phase": state["phase"],
                    "ready": sum(ready_by_atelier.values()),
                    "ready_by_atelier": ready_by_atelier,
                    "connected": sum(1 for p in phones if p.sio is not None and p.sio.connected),
                    "posts": state["posts"],
                    "acked_by_atelier": dict(acked_by_atelier),
                    "seen": sum(len(p.record.seen) for p in phones if p.record.ready),
                    "reconnects": sum(p.record.reconnects for p in phones),
                    "errors": errors_count(),
                }
            )
            await asyncio.sleep(PROGRESS_EVERY_S)

    reporter = asyncio.get_running_loop().create_task(report())
    gate = asyncio.Semaphore(cfg.join_concurrency)

    async def ramp(phone: Phone) -> None:
        async with gate:
            started = time.monotonic()
            try:
                await phone.open()
                await phone.join_event(cfg.slug)
                await phone.connect()
            except Exception as exc:
                phone.record.errors.append(f"connexion : {exc!r}"[:200])
                return
            phone.record.join_s = time.monotonic() - started
            phone.record.ready = True

    # The ramp has a deadline: phones still trying then are given up (counted as errors)
    # rather than holding the whole run hostage.
    pending = [asyncio.get_running_loop().create_task(ramp(p)) for p in phones]
    _done, late = await asyncio.wait(pending, timeout=cfg.ramp_timeout)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    for phone in phones:
        if not phone.record.ready and not phone.record.errors:
            phone.record.errors.append("connexion : abandonnée à la fin de la rampe")
    state["phase"] = "ready"
    await _wait_flag(go)
    state["phase"] = "run"
    cpu_at_go = time.process_time()
    t0 = start_at.value
    end = t0 + cfg.duration
    ready = [p for p in phones if p.record.ready]
    tasks: list[asyncio.Task[Any]] = []

    async def post(phone: Phone, phase: str) -> None:
        cid = f"lt{worker}-{uuid.uuid4().hex[:20]}"
        entry: dict[str, Any] = {
            "cid": cid,
            "atelier_id": phone.atelier_id,
            "ok": False,
            "phase": phase,
        }
        result.posts.append(entry)
        state["posts"] += 1
        entry["t_sent"] = time.monotonic()
        try:
            ack = await phone.post(cid)
        except Exception as exc:
            entry["error"] = repr(exc)[:200]
            return
        entry["t_ack"] = time.monotonic()
        if isinstance(ack, dict) and ack.get("ok") is True:
            entry["ok"] = True
            entry["duplicate"] = bool(ack.get("duplicate"))
            acked_by_atelier[phone.atelier_id] = acked_by_atelier.get(phone.atelier_id, 0) + 1
        else:
            entry["error"] = str(ack)[:200]

    async def poster(start: float, stop_at: float, phase: str) -> None:
        rate = cfg.posts_per_minute / 60.0 * len(ready) / max(1, cfg.participants)
        if rate <= 0 or not ready:
            return
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        at = start
        while True:
            at += rng.expovariate(rate)
            if at >= stop_at:
                return
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            candidates = [p for p in ready if p.sio is not None and p.sio.connected]
            if candidates:
                tasks.append(loop.create_task(post(rng.choice(candidates), phase)))

    async def drop(phone: Phone, at: float, away: float) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        try:
            await phone.drop_and_return(away)
        except Exception as exc:
            phone.record.errors.append(f"reconnexion : {exc!r}"[:200])

    async def tap(phone: Phone, contribution_id: int, count: int) -> bool | None:
        """One more dot on a card (``count`` is the new total): True stored, False refused,
        None when no answer ever came (the server may have stored it)."""
        cid = f"ltd-{uuid.uuid4().hex[:20]}"
        result.dot_taps += 1
        started = time.monotonic()
        for attempt in range(DOT_ATTEMPTS):
            if attempt:
                result.dot_retries += 1
            try:
                # The same client_id on every try: a set, harmless to repeat.
                ack = await phone.set_dots(cid, contribution_id, count, timeout=DOT_TIMEOUT_S)
            except Exception as exc:
                name = type(exc).__name__
                result.dot_error_codes[name] = result.dot_error_codes.get(name, 0) + 1
                if phone.sio is None or not phone.sio.connected:
                    await asyncio.sleep(1.0)  # a reconnection is under way: then resend
                continue
            if isinstance(ack, dict) and ack.get("ok") is True:
                phone.record.dot_ack_s.append(time.monotonic() - started)
                phone.record.dots_last_ack_at = time.monotonic()
                return True
            code = ack.get("code") if isinstance(ack, dict) else None
            result.dot_error_codes[str(code)] = result.dot_error_codes.get(str(code), 0) + 1
            if code in RETRY_DOT_CODES:
                await asyncio.sleep(float((ack or {}).get("retry_after") or 0.5))
                continue
            if code not in UNKNOWN_EVENT_CODES:
                phone.record.errors.append(f"dot:set refusé : {ack}"[:200])
            result.dot_errors += 1
            return False
        result.dot_errors += 1
        phone.record.errors.append(f"dot:set : pas de réponse après {DOT_ATTEMPTS} essais")
        return None

    async def dots(phone: Phone, at: float) -> None:
        """Tap ``cfg.dots`` dots, one ``dot:set`` each, as a person does on the wall."""
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        cards = sorted(set(phone.cards.values()))
        if not cards:
            phone.record.errors.append("gommettes : aucune carte à voter")
            return
        rng_local = random.Random(phone.record.index)
        chosen = rng_local.sample(cards, min(len(cards), cfg.dots))
        for n in range(cfg.dots):
            card = chosen[n % len(chosen)]
            want = phone.record.dots_acked.get(card, 0) + 1
            outcome = await tap(phone, card, want)
            if outcome is True:
                phone.record.dots_acked[card] = want
                if card in phone.record.dots_unsure:
                    phone.record.dots_unsure.remove(card)
                result.dots_sent += 1
            elif outcome is None:
                if card not in phone.record.dots_unsure:
                    phone.record.dots_unsure.append(card)
                return  # the phone does not know its budget any more: it stops tapping

    async def word(phone: Phone, text: str) -> bool | None:
        """One word to the open cloud: True stored, False refused, None never answered."""
        cid = f"ltw-{uuid.uuid4().hex[:20]}"
        result.word_sends += 1
        started = time.monotonic()
        for attempt in range(WORD_ATTEMPTS):
            if attempt:
                result.word_retries += 1
            try:
                # The same client_id on every try: a resend stores nothing twice.
                ack = await phone.send_word(cid, text, timeout=WORD_TIMEOUT_S)
            except Exception as exc:
                name = type(exc).__name__
                result.word_error_codes[name] = result.word_error_codes.get(name, 0) + 1
                if phone.sio is None or not phone.sio.connected:
                    await asyncio.sleep(1.0)
                continue
            if isinstance(ack, dict) and ack.get("ok") is True:
                phone.record.word_ack_s.append(time.monotonic() - started)
                phone.record.words_acked += 1
                return True
            code = ack.get("code") if isinstance(ack, dict) else None
            result.word_error_codes[str(code)] = result.word_error_codes.get(str(code), 0) + 1
            if code in RETRY_DOT_CODES:
                await asyncio.sleep(float((ack or {}).get("retry_after") or 0.5))
                continue
            if code not in UNKNOWN_EVENT_CODES:
                phone.record.errors.append(f"cloud:send refusé : {ack}"[:200])
            result.word_errors += 1
            return False
        result.word_errors += 1
        phone.record.errors.append(f"cloud:send : pas de réponse après {WORD_ATTEMPTS} essais")
        return None

    async def words(phone: Phone, at: float) -> None:
        """Send ``cfg.words`` words, one ``cloud:send`` each, as a person does on the wall."""
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        if phone.record.cloud_id is None:
            phone.record.errors.append("en un mot : aucun nuage ouvert dans l'atelier")
            return
        rng_local = random.Random(phone.record.index * 7 + 1)
        for text in rng_local.sample(VOCABULARY, min(cfg.words, len(VOCABULARY))):
            if await word(phone, text) is None:
                return

    async def storm_drop(phone: Phone, at: float, away: float) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        try:
            took = await phone.drop_and_return(away, attempts=STORM_ATTEMPTS)
        except Exception as exc:
            phone.record.errors.append(f"tempête de reconnexions : {exc!r}"[:200])
            return
        phone.record.storm_resync_s = took
        phone.record.storm_back_at = time.monotonic()

    async def phase_gate(name: str) -> float | None:
        """Wait for the parent to open phase ``name``; its start time (None if never)."""
        flag, at = phases[name]
        while not flag.is_set():
            if stop.is_set():
                return None
            await asyncio.sleep(0.05)
        return float(at.value)

    async def settle(phase_tasks: list[asyncio.Task[Any]]) -> None:
        if phase_tasks:
            await asyncio.wait(phase_tasks, timeout=PHASE_MAX_S)

    loop = asyncio.get_running_loop()
    # -- run: posts, and a fraction of the phones drop and come back
    tasks.append(loop.create_task(poster(t0, end, "run")))
    for phone in ready:
        if rng.random() < cfg.drop_fraction:
            at = t0 + rng.uniform(0.1, 0.7) * cfg.duration
            tasks.append(loop.create_task(drop(phone, at, rng.uniform(0.5, 3.0))))
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    # Calls still in flight (a post, a reconnection) get their answer before the next phase:
    # cancelling them would count as lost what the server may have stored.
    in_flight = [t for t in tasks if not t.done()]
    if in_flight:
        await asyncio.wait(in_flight, timeout=IN_FLIGHT_WAIT_S)
    if "vote_burst" in phases:
        # Every atelier gets at least ``dots`` cards to vote on: its first phone posts the
        # missing ones (phase "seed", counted in the deliveries like any card).
        for phone in ready:
            if phone.record.index < k:
                missing = cfg.dots - len(phone.cards)
                await asyncio.gather(*(post(phone, "seed") for _ in range(max(0, missing))))
    state["phase"] = "run_done"

    # -- vote burst: every phone taps its dots, starting within burst_window
    if "vote_burst" in phases:
        tb = await phase_gate("vote_burst")
        if tb is not None:
            state["phase"] = "vote_burst"
            tasks.append(loop.create_task(poster(tb, tb + cfg.burst_window, "vote_burst")))
            burst = [
                loop.create_task(dots(p, tb + rng.uniform(0, cfg.burst_window))) for p in ready
            ]
            tasks.extend(burst)
            await settle(burst + [t for t in tasks if not t.done()])
            state["phase"] = "burst_done"

    # -- word burst: every phone sends its words to the open cloud, within words_window
    if "word_burst" in phases:
        tw = await phase_gate("word_burst")
        if tw is not None:
            state["phase"] = "word_burst"
            sends = [
                loop.create_task(words(p, tw + rng.uniform(0, cfg.words_window))) for p in ready
            ]
            tasks.extend(sends)
            await settle(sends)
            # The last coalesced tally reaches the phones after the last word.
            await asyncio.sleep(1.5)
            state["phase"] = "words_done"

    # -- reconnect storm: every phone drops and is back within storm_window
    if "reconnect_storm" in phases:
        ts = await phase_gate("reconnect_storm")
        if ts is not None:
            state["phase"] = "reconnect_storm"
            w = cfg.storm_window
            tasks.append(loop.create_task(poster(ts, ts + w, "reconnect_storm")))
            storm = [
                loop.create_task(
                    storm_drop(p, ts + rng.uniform(0, 0.5 * w), rng.uniform(0.5, 0.4 * w))
                )
                for p in ready
            ]
            tasks.extend(storm)
            await settle(storm + [t for t in tasks if not t.done()])
            state["phase"] = "storm_done"

    state["phase"] = "drain"
    await _wait_flag(stop)
    result.run_cpu_s = time.process_time() - cpu_at_go
    for task in tasks:
        if not task.done():
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    reporter.cancel()
    for i in range(0, len(phones), 100):
        await asyncio.gather(*(p.close() for p in phones[i : i + 100]), return_exceptions=True)
    result.phones = [asdict(p.record) for p in phones]
    return result


# ============================================================================ parent
class Progress:
    """The one-line progress display (rewritten in place on a terminal)."""

    def __init__(self, out: TextIO, total: int, duration: float) -> None:
        self.out = out
        self.total = total
        self.duration = duration
        self.tty = out.isatty()
        self.last_print = 0.0
        self.latest: dict[int, dict[str, Any]] = {}

    def update(self, message: dict[str, Any]) -> None:
        self.latest[message["worker"]] = message

    def sum(self, key: str) -> int:
        return sum(m[key] for m in self.latest.values())

    def by_atelier(self, key: str) -> dict[int, int]:
        out: dict[int, int] = {}
        for m in self.latest.values():
            for atelier, n in m[key].items():
                out[int(atelier)] = out.get(int(atelier), 0) + n
        return out

    def expected_seen(self, cards_before: int = 0) -> int:
        ready = self.by_atelier("ready_by_atelier")
        acked = self.by_atelier("acked_by_atelier")
        return sum(n * ready.get(a, 0) for a, n in acked.items())

    def show(self, label: str, elapsed: float, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_print < (0.5 if self.tty else 5.0):
            return
        self.last_print = now
        line = (
            f"[{label:<6} {elapsed:5.0f}s/{self.duration:.0f}s] "
            f"prêts {self.sum('ready')}/{self.total} · connectés {self.sum('connected')} · "
            f"cartes {self.sum('posts')} · reçues {self.sum('seen')}/{self.expected_seen()} · "
            f"reconnexions {self.sum('reconnects')} · erreurs {self.sum('errors')}"
        )
        if self.tty:
            self.out.write("\r" + line[:160].ljust(160))
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def done(self) -> None:
        if self.tty:
            self.out.write("\n")
            self.out.flush()


def rss_kb(pids: list[int]) -> int | None:
    """Resident memory of local processes (Linux /proc), summed; ``None`` when unreadable."""
    if not pids:
        return None
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            return None
    return total


def cpu_s(pids: list[int]) -> float | None:
    """CPU seconds (user + system) used so far by local processes; ``None`` when unreadable.

    Next to wall-clock latency it tells a slow server from a starved one: on a shared
    machine a server that got 30 % of a core is not the same finding as one that used 100 %.
    """
    if not pids:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def worker_counts(url: str, token: str | None) -> dict[str, Any]:
    """One worker's own counts (``GET /_loadtest/worker``): its pid, open sockets, ``dot:set``
    calls so far; ``{"url": url, "error": ...}`` when it does not answer."""
    import json
    import urllib.request

    from facilitation.ops.loadtest.target import Target

    request = urllib.request.Request(Target(url).url("/_loadtest/worker"))
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.loads(response.read())
    except (OSError, ValueError) as exc:
        return {"url": url, "error": repr(exc)[:200]}
    return {"url": url, "pid": body.get("pid"), "phones": body.get("sockets"),
            "dot_sets": body.get("dot_sets")}  # fmt: skip


def cpu_per_unit(report: dict[str, Any], phases_s: dict[str, float | None]) -> dict[str, Any]:
    """Server CPU (ms) per ``dot:set`` call of the burst and per card delivered live in the run.

    The burst's CPU also pays for the few cards posted during it, the run's for its 10 % of
    reconnections: both are what a tap and a card cost the server in that scenario.
    """
    burst = report.get("vote_burst") or {}
    calls = (burst.get("taps") or 0) + (burst.get("retries") or 0)
    delivered = (report.get("deliveries_live_by_phase") or {}).get("run") or 0
    burst_s, run_s = phases_s.get("vote_burst"), phases_s.get("run")
    return {
        "per_tap_ms": round(burst_s * 1000 / calls, 3) if burst_s is not None and calls else None,
        "per_delivered_card_ms": (
            round(run_s * 1000 / delivered, 3) if run_s is not None and delivered else None
        ),
    }


def run(cfg: RunConfig, out: TextIO = sys.stdout, server_pids: list[int] | None = None) -> dict:
    """Run the phases and return the raw aggregate (see :func:`aggregate`)."""
    ctx = mp.get_context("spawn")
    progress_q, results_q = ctx.Queue(), ctx.Queue()
    go, stop = ctx.Event(), ctx.Event()
    start_at = ctx.Value("d", 0.0)
    # The phases after ``run`` that this configuration has, each a flag and a start time.
    phase_names = [
        name
        for name, wanted in (
            ("vote_burst", cfg.dots_enabled and cfg.dots > 0),
            ("word_burst", cfg.words > 0),
            ("reconnect_storm", cfg.storm),
        )
        if wanted
    ]
    phases = {name: (ctx.Event(), ctx.Value("d", 0.0)) for name in phase_names}
    n_proc = max(1, min(cfg.processes, cfg.participants))
    shares = [list(range(w, cfg.participants, n_proc)) for w in range(n_proc)]
    procs = [
        ctx.Process(
            target=_worker_entry,
            args=(cfg, w, shares[w], progress_q, results_q, go, start_at, stop, phases),
            daemon=True,
            name=f"loadtest-{w}",
        )
        for w in range(n_proc)
    ]
    pids = server_pids or []
    rss_before = rss_kb(pids)
    cpu_start = cpu_s(pids)
    display = Progress(out, cfg.participants, cfg.duration)
    ramp_started = time.monotonic()
    for p in procs:
        p.start()

    def pump(timeout: float) -> None:
        with contextlib.suppress(queue.Empty):
            display.update(progress_q.get(timeout=timeout))
            while True:
                display.update(progress_q.get_nowait())

    # -- ramp: until every generator says its phones are in (or gave up)
    while True:
        pump(0.2)
        display.show("rampe", time.monotonic() - ramp_started)
        if len(display.latest) == n_proc and all(
            m["phase"] != "ramp" for m in display.latest.values()
        ):
            break
        if time.monotonic() - ramp_started > cfg.ramp_timeout + 15 or not any(
            p.is_alive() for p in procs
        ):
            break
    ramp_s = time.monotonic() - ramp_started
    display.show("rampe", ramp_s, force=True)
    rss_connected = rss_kb(pids)
    cpu_ramp_end = cpu_s(pids)
    connected = display.sum("ready")

    workers_at_ramp = [worker_counts(url, cfg.token) for url in cfg.worker_urls]
    # Server CPU per phase, read at its boundaries: CPU per tap and per delivered card.
    cpu_at: dict[str, float | None] = {"run": cpu_ramp_end}

    # -- run
    start_at.value = time.monotonic() + 0.2
    go.set()
    while time.monotonic() < start_at.value + cfg.duration:
        pump(0.2)
        display.show("charge", time.monotonic() - start_at.value)
    cpu_at["run_end"] = cpu_s(pids)

    def reached(phase: str) -> bool:
        rank = PHASES.index(phase)
        return len(display.latest) == n_proc and all(
            PHASES.index(m["phase"]) >= rank for m in display.latest.values()
        )

    def wait_for(phase: str, label: str) -> None:
        deadline = time.monotonic() + PHASE_MAX_S + IN_FLIGHT_WAIT_S
        while not reached(phase) and time.monotonic() < deadline:
            if not any(p.is_alive() for p in procs):
                return
            pump(0.2)
            display.show(label, time.monotonic() - start_at.value)

    # -- the scenarios after the run, one after the other, each started by the parent
    wait_for("run_done", "charge")
    phase_at: dict[str, float] = {}
    for name, done, label in (
        ("vote_burst", "burst_done", "vote"),
        ("word_burst", "words_done", "en un mot"),
        ("reconnect_storm", "storm_done", "tempête"),
    ):
        if name not in phases:
            continue
        flag, at = phases[name]
        before = [worker_counts(url, cfg.token) for url in cfg.worker_urls]
        cpu_at[name] = cpu_s(pids)
        at.value = phase_at[name] = time.monotonic() + 0.2
        flag.set()
        wait_for(done, label)
        phase_at[name + "_end"] = time.monotonic()
        cpu_at[name + "_end"] = cpu_s(pids)
        if name == "vote_burst":
            after = [worker_counts(url, cfg.token) for url in cfg.worker_urls]
            for counts, b, a in zip(workers_at_ramp, before, after, strict=True):
                counts["burst_taps"] = (
                    a["dot_sets"] - b["dot_sets"]
                    if a.get("dot_sets") is not None and b.get("dot_sets") is not None
                    else None
                )
    # -- drain: until every acked card reached every phone of its atelier
    drain_started = time.monotonic()
    last_seen, last_change = -1, drain_started
    while True:
        pump(0.2)
        now = time.monotonic()
        seen = display.sum("seen")
        if seen != last_seen:
            last_seen, last_change = seen, now
        display.show("vidage", now - start_at.value)
        settled = all(m["phase"] == "drain" for m in display.latest.values())
        if settled and seen >= display.expected_seen():
            break
        if settled and (now - drain_started > DRAIN_MAX_S or now - last_change > DRAIN_IDLE_S):
            break
        if now - drain_started > IN_FLIGHT_WAIT_S + DRAIN_MAX_S:
            break
    rss_end = rss_kb(pids)
    cpu_run_end = cpu_s(pids)
    run_wall = time.monotonic() - start_at.value
    stop.set()
    display.show("fin", time.monotonic() - start_at.value, force=True)
    display.done()

    results: list[dict[str, Any]] = []
    deadline = time.monotonic() + 120
    while len(results) < n_proc and time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            results.append(results_q.get(timeout=0.5))
        with contextlib.suppress(queue.Empty):
            while True:
                progress_q.get_nowait()
    for p in procs:
        p.join(timeout=10)
        if p.is_alive():
            p.terminate()
    missing = n_proc - len(results)
    report = aggregate(
        cfg, results, connected=connected, ramp_s=ramp_s, t0=start_at.value, phase_at=phase_at
    )
    if missing:
        report["errors"] += missing
        report["error_samples"].append(f"{missing} générateur(s) sans résultat")
    report["server_cpu"] = {
        "ramp_s": round(cpu_ramp_end - cpu_start, 1) if cpu_start is not None else None,
        "run_s": (
            round(cpu_run_end - cpu_ramp_end, 1)
            if cpu_run_end is not None and cpu_ramp_end is not None
            else None
        ),
        # Share of one core the server(s) got during the run (+ drain): < 1 with high
        # latency means the server was starved of CPU, not busy.
        "run_cores": (
            round((cpu_run_end - cpu_ramp_end) / run_wall, 2)
            if cpu_run_end is not None and cpu_ramp_end is not None
            else None
        ),
        "loadavg_1m_end": round(os.getloadavg()[0], 1),
    }
    report["server_cpu"]["phases_s"] = phases_s = {
        phase: round(end - start, 2) if start is not None and end is not None else None
        for phase, start, end in (
            ("run", cpu_at.get("run"), cpu_at.get("run_end")),
            ("vote_burst", cpu_at.get("vote_burst"), cpu_at.get("vote_burst_end")),
            ("word_burst", cpu_at.get("word_burst"), cpu_at.get("word_burst_end")),
            ("reconnect_storm", cpu_at.get("reconnect_storm"), cpu_at.get("reconnect_storm_end")),
        )
        if phase == "run" or phase in phases
    }
    report["server_cpu"].update(cpu_per_unit(report, phases_s))
    report["workers"] = workers_at_ramp
    report["server_rss_kb"] = {
        "pids": pids,
        "before": rss_before,
        "connected": rss_connected,
        "end": rss_end,
        "per_phone_kb": (
            round((rss_connected - rss_before) / connected, 1)
            if rss_before is not None and rss_connected is not None and connected
            else None
        ),
    }
    report["memory_per_phone_kb"] = report["server_rss_kb"]["per_phone_kb"]
    return report


def _merge_counts(parts: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in parts:
        for key, n in part.items():
            out[key] = out.get(key, 0) + n
    return out


def _vote_burst(
    cfg: RunConfig,
    results: list[dict[str, Any]],
    phones: list[dict[str, Any]],
    phase_at: dict[str, float],
) -> dict[str, Any] | None:
    """The burst as the phones saw it; the server's side is added by ``compare_dots``."""
    if not (cfg.dots_enabled and cfg.dots > 0):
        return None
    start = phase_at.get("vote_burst")
    expected: dict[str, int] = {}
    unsure: set[str] = set()
    for ph in phones:
        for card, n in ph["dots_acked"].items():
            expected[str(card)] = expected.get(str(card), 0) + n
        unsure.update(str(card) for card in ph["dots_unsure"])
    last = max((ph["dots_last_ack_at"] or 0.0 for ph in phones), default=0.0)
    return {
        "phones": sum(1 for ph in phones if ph["ready"]),
        "dots_per_phone": cfg.dots,
        "window_s": cfg.burst_window,
        "taps": sum(r.get("dot_taps", 0) for r in results),
        "retries": sum(r.get("dot_retries", 0) for r in results),
        "dots_acked": sum(expected.values()),
        "unanswered_cards": len(unsure),
        "all_acked_s": round(last - start, 1) if start and last else None,
        "ack_ms": summary_ms([s for ph in phones for s in ph["dot_ack_s"]]),
        "expected_by_contribution": expected,
        "unsure_contributions": sorted(unsure),
    }


def compare_dots(report: dict[str, Any], server: dict[str, Any]) -> None:
    """Add what the server counted to the report's vote burst: lost, over budget, exact."""
    burst = report.get("vote_burst")
    report["dots_counted"] = server.get("dots")
    if not burst:
        return
    counted = {str(k): int(v) for k, v in (server.get("dots_by_contribution") or {}).items()}
    expected = burst["expected_by_contribution"]
    unsure = set(burst["unsure_contributions"])
    checked = (set(expected) | set(counted)) - unsure
    wrong = sorted(c for c in checked if expected.get(c, 0) != counted.get(c, 0))
    burst["dots_counted"] = server.get("dots")
    burst["lost"] = sum(max(0, expected.get(c, 0) - counted.get(c, 0)) for c in checked)
    burst["extra"] = sum(max(0, counted.get(c, 0) - expected.get(c, 0)) for c in checked)
    burst["over_budget"] = server.get("over_budget")
    burst["budget_mismatch"] = server.get("budget_mismatch")
    burst["cards_checked"] = len(checked)
    burst["cards_wrong"] = wrong[:20]
    burst["tallies_exact"] = not wrong and bool(checked)


def _word_burst(
    cfg: RunConfig,
    results: list[dict[str, Any]],
    phones: list[dict[str, Any]],
    phase_at: dict[str, float],
) -> dict[str, Any] | None:
    """« En un mot » as the phones saw it; ``compare_words`` adds what the server stored."""
    if cfg.words <= 0:
        return None
    start, end = phase_at.get("word_burst"), phase_at.get("word_burst_end")
    ready = [ph for ph in phones if ph["ready"]]
    acked = sum(ph["words_acked"] for ph in ready)
    tallies = [ph["cloud_tallies"] for ph in ready]
    span = (end - start) if start and end else None
    return {
        "phones": len(ready),
        "phones_with_cloud": sum(1 for ph in ready if ph["cloud_id"] is not None),
        "words_per_phone": cfg.words,
        "window_s": cfg.words_window,
        "sends": sum(r.get("word_sends", 0) for r in results),
        "retries": sum(r.get("word_retries", 0) for r in results),
        "words_acked": acked,
        "errors": sum(r.get("word_errors", 0) for r in results),
        "error_codes": _merge_counts(r.get("word_error_codes", {}) for r in results),
        "ack_ms": summary_ms([s for ph in ready for s in ph["word_ack_s"]]),
        # Coalescing: tallies a phone received during the phase, against the words its
        # atelier sent (without coalescing it would get one per word of its atelier).
        "tallies_per_phone": {
            "mean": round(sum(tallies) / len(tallies), 1) if tallies else None,
            "max": max(tallies, default=None),
        },
        "phase_s": round(span, 1) if span else None,
        "words_stored": None,
    }


def compare_words(report: dict[str, Any], server: dict[str, Any]) -> None:
    """What the server stored against what the phones had acknowledged (equal: no word lost,
    none stored twice)."""
    burst = report.get("word_burst")
    if not burst or server.get("words") is None:
        return
    burst["words_stored"] = server["words"]
    burst["stored_equals_acked"] = server["words"] == burst["words_acked"]


def _reconnect_storm(
    cfg: RunConfig, ready: list[dict[str, Any]], phase_at: dict[str, float]
) -> dict[str, Any] | None:
    if not cfg.storm:
        return None
    start = phase_at.get("reconnect_storm")
    back = [ph["storm_back_at"] for ph in ready if ph["storm_back_at"] is not None]
    all_back = round(max(back) - start, 1) if start and back and len(back) == len(ready) else None
    return {
        "phones": len(ready),
        "window_s": cfg.storm_window,
        "resynced": len(back),
        "not_resynced": len(ready) - len(back),
        # From the storm's start to the last phone holding its snapshot again.
        "all_resynced_s": all_back,
        "target_s": STORM_TARGET_S,
        "within_target": all_back is not None and all_back <= STORM_TARGET_S,
        # Each phone: from its reconnection to its snapshot (connect + join + snapshot).
        "resync_ms": summary_ms(
            [ph["storm_resync_s"] for ph in ready if ph["storm_resync_s"] is not None]
        ),
    }


def aggregate(
    cfg: RunConfig,
    results: list[dict[str, Any]],
    *,
    connected: int,
    ramp_s: float,
    t0: float | None = None,
    phase_at: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Everything the generators saw, reduced to the report's numbers (REPORT.md)."""
    phase_at = phase_at or {}
    posts = [p for r in results for p in r["posts"]]
    phones = [ph for r in results for ph in r["phones"]]
    ready = [ph for ph in phones if ph["ready"]]
    members: dict[int, list[dict[str, Any]]] = {}
    for ph in ready:
        members.setdefault(ph["atelier_id"], []).append(ph)
    new_cards = [p for p in posts if p["ok"] and not p.get("duplicate")]
    by_phase: dict[str, list[float]] = {}
    expected = received = live = 0
    for card in new_cards:
        phase_latencies = by_phase.setdefault(card.get("phase", "run"), [])
        for ph in members.get(card["atelier_id"], []):
            expected += 1
            if card["cid"] in ph["seen"]:
                received += 1
                at = ph["seen"][card["cid"]]
                if at is not None:
                    live += 1
                    phase_latencies.append(max(0.0, at - card["t_sent"]))
    latencies = by_phase.get("run", [])
    acks = [p["t_ack"] - p["t_sent"] for p in posts if p.get("t_ack")]
    # Throughput over the time the deliveries really took: when the server falls behind,
    # the last card arrives after the end of the run and the rate drops accordingly.
    last = max((at for ph in ready for at in ph["seen"].values() if at is not None), default=None)
    span = max(cfg.duration, (last - t0) if (t0 and last) else 0.0)
    error_samples = [e for ph in phones for e in ph["errors"]]
    error_samples += [f"carte : {p['error']}" for p in posts if p.get("error")]
    error_samples += [e for r in results for e in r["errors"]]
    return {
        "url": cfg.url,
        "event": cfg.slug,
        "participants": cfg.participants,
        "ateliers": len(cfg.atelier_ids),
        "duration_s": cfg.duration,
        "posts_per_minute": cfg.posts_per_minute,
        "processes": max(1, min(cfg.processes, cfg.participants)),
        "ramp_s": round(ramp_s, 1),
        "connected": connected,
        "connect_ms": summary_ms([ph["join_s"] for ph in ready if ph["join_s"] is not None]),
        "posts_sent": len(posts),
        "posts_acked": sum(1 for p in posts if p["ok"]),
        "posts_failed": sum(1 for p in posts if not p["ok"]),
        "deliveries_expected": expected,
        "deliveries_received": received,
        "deliveries_live": live,
        "deliveries_resynced": received - live,
        "lost": expected - received,
        "latency_ms": summary_ms(latencies),
        "latency_ms_by_phase": {
            phase: {"cards": sum(1 for c in new_cards if c.get("phase", "run") == phase)}
            | summary_ms(values)
            for phase, values in by_phase.items()
        },
        "deliveries_live_by_phase": {phase: len(values) for phase, values in by_phase.items()},
        "ack_ms": summary_ms(acks),
        "throughput": {
            "posts_per_s": round(sum(1 for p in posts if p["ok"]) / span, 2),
            "deliveries_per_s": round(live / span, 1),
            "span_s": round(span, 1),
        },
        "dots_enabled": cfg.dots_enabled,
        "dots_per_phone": cfg.dots,
        "dots_sent": sum(r["dots_sent"] for r in results),
        "dot_errors": sum(r["dot_errors"] for r in results),
        "dot_error_codes": _merge_counts(r.get("dot_error_codes", {}) for r in results),
        "dots_counted": None,
        "vote_burst": _vote_burst(cfg, results, phones, phase_at),
        "word_burst": _word_burst(cfg, results, phones, phase_at),
        "reconnect_storm": _reconnect_storm(cfg, ready, phase_at),
        "reconnects": sum(ph["reconnects"] for ph in phones),
        "unexpected_disconnects": sum(ph["unexpected_disconnects"] for ph in phones),
        "resync_ms": summary_ms([s for ph in phones for s in ph["resync_s"]]),
        "errors": len(error_samples),
        "error_samples": error_samples[:MAX_ERROR_SAMPLES],
        "generator_cpus": os.cpu_count(),
        # CPU seconds each generator process used from the start of the run to the end of
        # the drain; near the wall time it means the generator, not the server, was the limit
        "generator_run_cpu_s": [round(r.get("run_cpu_s", 0.0), 1) for r in results],
    }

"""A vote burst with reconnections on two workers, PostgreSQL + Redis (issues 18.2 and 21.4).

Before the fix, 200 phones tapping with disconnects ran each worker's pool out (5 + 10
connections, 30 s to wait for one): 48 ``server_error`` answers and ~25 of 30 connections
« idle in transaction ». Here 160 real python-socketio clients (the load generator's own
phones) tap dots on both workers while half of them drop and come back (1–3 times); every tap is
resent with the same ``client_id`` until it is answered, as a phone's outbox does. The run
must end with no ``server_error``, and each voter's stored dots (read back from the snapshot a
rejoin sends) must equal the last state the server acknowledged to that voter.

The message queue is a private ``redis-server`` (tests/realserver/test_scaling.py), so other
runs on the machine's shared Redis never hear these broadcasts.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from typing import Any

import psycopg
import pytest
import requests

from facilitation.ops.loadtest.phone import Phone
from facilitation.ops.loadtest.runner import run_sync
from facilitation.ops.loadtest.target import Target
from tests.realserver.test_scaling import private_redis  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.realserver, pytest.mark.redis, pytest.mark.postgres]

TOKEN = "jeton-de-test-de-charge-pool-postgresql"
PHONES = 160
ATELIERS = 3
DOTS = 5
CARDS_PER_ATELIER = 8
TAPS_PER_PHONE = 8
#: Long enough to see a pool timeout (30 s before the fix) as an answer, not as silence.
CALL_TIMEOUT = 45.0


class VoterPhone(Phone):
    """The generator's phone, keeping the last snapshot (it carries the voter's own dots)."""

    snapshot: dict[str, Any] | None = None

    async def _on_snapshot(self, payload: dict[str, Any]) -> None:
        self.snapshot = payload
        await super()._on_snapshot(payload)


def _post_json(url: str, body: Any = None, method: str = "POST") -> Any:
    response = requests.request(
        method, url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code in (200, 201), response.text[:500]
    return response.json()


def _pg_states(dsn: str, database: str, stale: dict[str, int]) -> dict[str, int]:
    """Connections of the test database by state (``idle in transaction`` is the symptom);
    the last statement of each connection idle in a transaction for over a second is
    counted in ``stale`` (where the transaction was left open)."""
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT coalesce(state, '?'), left(regexp_replace(query, '\\s+', ' ', 'g'), 90), "
            "extract(epoch FROM now() - state_change) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    states: dict[str, int] = {}
    for state, query, age in rows:
        states[state] = states.get(state, 0) + 1
        if state == "idle in transaction" and age and age > 1:
            stale[query] = stale.get(query, 0) + 1
    return states


async def _run(urls: list[str], slug: str, ateliers: list[int], sample: Any) -> dict[str, Any]:
    rng = random.Random(21)
    phones = [
        VoterPhone(Target(urls[i % len(urls)]), i, ateliers[i % len(ateliers)])
        for i in range(PHONES)
    ]
    gate = asyncio.Semaphore(20)

    async def ready(phone: VoterPhone) -> None:
        async with gate:
            await phone.open()
            await phone.join_event(slug)
            await phone.connect()

    await asyncio.gather(*(ready(p) for p in phones))
    # Each atelier's first phone posts the cards everyone votes on; the others learn them
    # from the live broadcast (or their next snapshot).
    for phone in phones[: len(ateliers)]:
        for _ in range(CARDS_PER_ATELIER):
            ack = await phone.post(f"pg-{uuid.uuid4().hex[:20]}")
            assert ack.get("ok") is True, ack
    await asyncio.sleep(1.0)

    codes: dict[str, int] = {}
    acked: dict[int, dict[int, int]] = {p.record.index: {} for p in phones}
    unanswered: list[str] = []
    peak: dict[str, int] = {}
    stale: dict[str, int] = {}

    async def tap(phone: VoterPhone, card: int, count: int) -> None:
        cid = f"pgd-{uuid.uuid4().hex[:20]}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            drops = phone.record.reconnects
            try:
                ack = await phone.set_dots(cid, card, count, timeout=CALL_TIMEOUT)
            except Exception as exc:  # dropped mid-call: resend the same set once back
                name = type(exc).__name__
                if phone.record.reconnects != drops or not (phone.sio and phone.sio.connected):
                    name = "lost_with_its_connection"  # this test hung up: not the server
                codes[name] = codes.get(name, 0) + 1
                await asyncio.sleep(0.5)
                continue
            code = "ok" if ack.get("ok") is True else str(ack.get("code"))
            codes[code] = codes.get(code, 0) + 1
            if code == "ok":
                acked[phone.record.index][card] = count
                return
            if code in ("busy", "rate_limited", "server_error"):
                await asyncio.sleep(0.5)
                continue  # the phone's outbox resends it
            return  # refused for good (over budget ...): the stored state did not change
        unanswered.append(cid)

    async def voter(phone: VoterPhone) -> None:
        await asyncio.sleep(rng.uniform(0, 3))
        cards = sorted(set(phone.cards.values()))
        assert cards, "no card reached this phone"
        for _ in range(TAPS_PER_PHONE):
            await tap(phone, rng.choice(cards), rng.randint(0, 3))

    async def dropper(phone: VoterPhone) -> None:
        # Half of the phones lose their connection one to three times mid-burst.
        for _ in range(rng.randint(1, 3)):
            await asyncio.sleep(rng.uniform(0.2, 4))
            with contextlib.suppress(Exception):
                await phone.drop_and_return(rng.uniform(0.1, 1.0), attempts=4)

    async def watch() -> None:
        while True:
            for state, n in (await asyncio.to_thread(sample, stale)).items():
                peak[state] = max(peak.get(state, 0), n)
            await asyncio.sleep(0.5)

    watcher = asyncio.get_running_loop().create_task(watch())
    started = time.monotonic()
    await asyncio.gather(
        *(voter(p) for p in phones), *(dropper(p) for p in phones if p.record.index % 2 == 0)
    )
    took = time.monotonic() - started
    watcher.cancel()
    # Each voter's stored dots, as a rejoin's snapshot carries them.
    mismatched: list[tuple[int, dict[int, int], dict[int, int]]] = []
    for phone in phones:
        phone.snapshot = None
        try:  # a fresh connection, atelier:join, snapshot
            await phone.drop_and_return(0.0, attempts=4)
        except Exception as exc:  # noqa: BLE001  (reported below, with the other outcomes)
            unanswered.append(f"rejoin {phone.record.index}: {exc!r}")
            continue
        assert phone.snapshot is not None
        mine = ((phone.snapshot.get("vote") or {}).get("mine") or {}).get("dots") or {}
        stored = {int(k): int(v) for k, v in mine.items() if int(v)}
        want = {k: v for k, v in acked[phone.record.index].items() if v}
        if stored != want:
            mismatched.append((phone.record.index, want, stored))
    for i in range(0, len(phones), 50):
        await asyncio.gather(*(p.close() for p in phones[i : i + 50]), return_exceptions=True)
    return {
        "codes": codes,
        "mismatched": mismatched,
        "unanswered": unanswered,
        "peak": peak,
        "stale": sorted(stale.items(), key=lambda kv: -kv[1])[:5],
        "took": took,
    }


def test_vote_burst_with_reconnections_on_two_pg_workers(
    live_server_factory,
    private_redis,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    env = {
        "SOCKETIO_MESSAGE_QUEUE": private_redis.url,
        "LOADTEST_TOKEN": TOKEN,
        "SOCKET_RATE_BURST": "1000",
        "SOCKET_RATE_PER_SECOND": "1000",
    }
    first = live_server_factory(database="postgres", **env)
    second = live_server_factory(share_db_with=first, **env)
    created = _post_json(f"{first.url}/_loadtest/events", {"ateliers": ATELIERS, "dots": DOTS})
    slug, ateliers = created["slug"], created["ateliers"]

    from sqlalchemy.engine import make_url

    url = make_url(first.env["DATABASE_URL"])
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    outcome = run_sync(
        _run(
            [first.url, second.url],
            slug,
            ateliers,
            lambda stale: _pg_states(dsn, url.database, stale),
        )
    )
    print("\nanswers by code:", outcome["codes"], "· peak connections by state:", outcome["peak"],
          f"· burst {outcome['took']:.1f} s", "· idle in transaction > 1 s after:",
          outcome["stale"])  # fmt: skip
    server = _post_json(f"{first.url}/_loadtest/events/{slug}", method="GET")

    assert outcome["codes"].get("server_error", 0) == 0, outcome
    # A tap answered after CALL_TIMEOUT is a tap the phone gave up on (issue 18: 22–181).
    assert outcome["codes"].get("TimeoutError", 0) == 0, outcome
    assert not outcome["unanswered"], outcome
    assert not outcome["mismatched"], outcome["mismatched"][:5]
    assert server["over_budget"] == 0 and server["budget_mismatch"] == 0, server

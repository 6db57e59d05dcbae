"""Two workers behind the shipped nginx.conf (ip_hash, WebSocket upgrade), joined by a Redis
message queue and one PostgreSQL database: cards cross workers, and a Redis restart in the
middle of a round loses nothing the database committed (phones resync with ``atelier:join``).

The Redis here is a private ``redis-server`` on a free port, started and restarted by the
test: the machine's shared Redis is never touched. nginx comes from Debian (``make nginx``,
a prerequisite of ``make test``).

TODO(votes, issue 4): once ``dot:set`` is merged, add "dots set on both workers are counted
once": two phones on different workers set dots on one card, the tally read back from the
database and from each worker's snapshot is the sum, retries included.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from facilitation.deploy import LocalNginx, nginx_binary
from tests.realserver.clients import Phone, atelier_ids, card_count
from tests.support.live_server import REPO_ROOT, free_port

pytestmark = [pytest.mark.realserver, pytest.mark.redis, pytest.mark.postgres]

WAIT = 15.0


class PrivateRedis:
    """``redis-server`` on its own port, no persistence; ``restart()`` keeps the port."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server missing: `make nginx` installs it (Debian redis-server)"
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.workdir)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
            time.sleep(0.02)  # polling a condition (the server accepting connections)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path: Path, test_redis_url: str) -> Iterator[PrivateRedis]:
    # test_redis_url: this test belongs with the Redis ones (same marker, same CI service).
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def two_workers(live_server_factory, private_redis, tmp_path):  # type: ignore[no-untyped-def]
    first = live_server_factory(database="postgres", SOCKETIO_MESSAGE_QUEUE=private_redis.url)
    second = live_server_factory(share_db_with=first, SOCKETIO_MESSAGE_QUEUE=private_redis.url)
    assert nginx_binary(), "nginx missing: `make nginx` installs it (Debian nginx-light)"
    proxy = LocalNginx(
        tmp_path / "nginx", free_port(), [first.port, second.port], REPO_ROOT / "static"
    )
    yield first, second, proxy
    proxy.stop()


@pytest.fixture
def phones() -> Iterator[Callable[[str, str, int], Phone]]:
    made: list[Phone] = []

    def make(base_url: str, name: str, atelier_id: int) -> Phone:
        phone = Phone(base_url, name)
        made.append(phone)
        phone.join_event(atelier_id)
        phone.connect()
        phone.join_atelier(atelier_id)
        return phone

    yield make
    for phone in made:
        phone.close()


def post(phone: Phone, atelier_id: int, cid: str) -> dict:  # type: ignore[type-arg]
    return phone.call(
        "contribution:create",
        {"atelier_id": atelier_id, "client_id": cid, "titre": f"Carte {cid[-6:]}"},
    )


def snapshot_ids(phone: Phone, atelier_id: int) -> set[str]:
    return {c["client_id"] for c in phone.join_atelier(atelier_id)["contributions"]}


def test_card_crosses_workers_and_nginx(two_workers, phones) -> None:  # type: ignore[no-untyped-def]
    first, second, proxy = two_workers
    here = atelier_ids(first.url)[0]
    alice = phones(first.url, "Alice", here)  # worker 1
    bob = phones(second.url, "Bob", here)  # worker 2
    carol = phones(proxy.url, "Carole", here)  # through nginx: upgrade + ip_hash

    cid = f"x-{uuid.uuid4().hex}"
    ack = post(bob, here, cid)
    assert ack["ok"] is True, ack
    for phone in (alice, carol, bob):
        got = phone.wait_for(
            "contribution:created", lambda p: p["contribution"]["client_id"] == cid
        )
        assert got["contribution"]["id"] == ack["contribution"]["id"]
    # ...and a card posted through nginx reaches both workers' phones.
    cid2 = f"x-{uuid.uuid4().hex}"
    assert post(carol, here, cid2)["ok"] is True
    for phone in (alice, bob):
        phone.wait_for("contribution:created", lambda p: p["contribution"]["client_id"] == cid2)


def test_redis_restart_loses_nothing_committed(two_workers, private_redis, phones) -> None:  # type: ignore[no-untyped-def]
    first, second, proxy = two_workers
    here = atelier_ids(first.url)[0]
    alice = phones(first.url, "Alice", here)
    bob = phones(second.url, "Bob", here)
    carol = phones(proxy.url, "Carole", here)
    before = f"r-{uuid.uuid4().hex}"
    assert post(bob, here, before)["ok"] is True
    alice.wait_for("contribution:created", lambda p: p["contribution"]["client_id"] == before)

    private_redis.stop()
    # Mid-round, Redis gone: the write still commits (the database is the truth); only the
    # broadcast is lost. The ack may report the failed broadcast: retry with the same
    # client_id after Redis is back, as a phone would, and it must be stored once.
    during = f"r-{uuid.uuid4().hex}"
    first_ack = post(bob, here, during)
    private_redis.start()
    retry = post(bob, here, during)
    assert retry["ok"] is True, (first_ack, retry)
    if first_ack.get("ok") is True:
        assert retry["duplicate"] is True

    # The workers' Redis listeners come back (with backoff): fresh cards flow again.
    deadline = time.monotonic() + 60
    while True:
        after = f"r-{uuid.uuid4().hex}"
        assert post(bob, here, after)["ok"] is True
        try:
            alice.wait_for(
                "contribution:created",
                lambda p, cid=after: p["contribution"]["client_id"] == cid,
                timeout=2,
            )
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise

    # Every phone resyncs from the snapshot: it holds every card the database holds.
    stored = card_count(first.url, here)
    for phone in (alice, bob, carol):
        ids = snapshot_ids(phone, here)
        assert {before, during, after} <= ids
        assert len(ids) == stored

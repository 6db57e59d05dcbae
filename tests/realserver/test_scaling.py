"""Two workers behind the shipped nginx.conf (a routing cookie hashed consistently, WebSocket
upgrade), joined by a Redis message queue and one PostgreSQL database: cards cross workers,
phones from ONE address (a venue's Wi-Fi) are shared out between the workers and each stays on
its own (long-polling included), a Redis restart in the middle of a round loses nothing the
database committed (phones resync with ``atelier:join``), and dots set through both workers
are counted once.

The Redis here is a private ``redis-server`` on a free port, started and restarted by the
test: the machine's shared Redis is never touched. nginx comes from Debian (``make nginx``,
a prerequisite of ``make test``).

"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import requests
import socketio

from facilitation.ops.deploy import LocalNginx, nginx_binary
from tests.realserver.clients import TIMEOUT, Phone, atelier_ids, card_count
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


#: Opens ``GET /_loadtest/worker`` (each worker's own socket count) to the test.
LOADTEST_TOKEN = "jeton-de-test-des-deux-workers"


@pytest.fixture
def two_workers(live_server_factory, private_redis, tmp_path):  # type: ignore[no-untyped-def]
    env = {"SOCKETIO_MESSAGE_QUEUE": private_redis.url, "LOADTEST_TOKEN": LOADTEST_TOKEN}
    first = live_server_factory(database="postgres", **env)
    second = live_server_factory(share_db_with=first, **env)
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


def worker_of(session: requests.Session, url: str) -> int:
    """The pid of the worker that answers ``session`` (its cookies) at ``url``."""
    response = session.get(
        f"{url}/_loadtest/worker",
        headers={"Authorization": f"Bearer {LOADTEST_TOKEN}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text[:300]
    return int(response.json()["pid"])


def test_phones_from_one_address_are_shared_between_the_workers(two_workers, phones) -> None:  # type: ignore[no-untyped-def]
    """A venue's phones share one public address: ip_hash sent them all to one worker."""
    first, second, proxy = two_workers
    here = atelier_ids(first.url)[0]
    crowd = [phones(proxy.url, f"Téléphone {n}", here) for n in range(16)]  # all 127.0.0.1
    # Each browser keeps its worker: its HTTP requests (by its cookies) and its socket.
    by_pid: dict[int, int] = {}
    for phone in crowd:
        pids = {worker_of(phone.http, proxy.url) for _ in range(3)}
        assert len(pids) == 1, f"{phone.name} moved between workers: {pids}"
        pid = pids.pop()
        by_pid[pid] = by_pid.get(pid, 0) + 1
    sockets: dict[int, int] = {}
    for server in (first, second):
        body = requests.get(
            f"{server.url}/_loadtest/worker",
            headers={"Authorization": f"Bearer {LOADTEST_TOKEN}"},
            timeout=TIMEOUT,
        ).json()
        sockets[body["pid"]] = body["sockets"]
    # Both workers carry a share (all 16 on one worker: one chance in 2^15), and each
    # phone's socket is on the worker its cookie routes to.
    assert len(by_pid) == 2 and min(by_pid.values()) >= 1, by_pid
    assert sockets == by_pid, (sockets, by_pid)

    # Long-polling (phones behind proxies that break WebSocket) works through the routing
    # cookie: every poll of one Engine.IO session reaches the process that holds it.
    # As a browser, every request carries the jar's cookies (python-engineio sends a Cookie
    # header given to connect() with the handshake only): the client polls through the
    # phone's own HTTP session.
    poller = Phone(proxy.url, "Sondage")
    poller.sio = socketio.Client(reconnection=False, http_session=poller.http)
    poller.sio.on("*", poller._record)
    try:
        poller.join_event(here)
        poller.sio.connect(proxy.url, transports=["polling"], wait_timeout=TIMEOUT)
        assert poller.sio.transport() == "polling"
        poller.join_atelier(here)
        cid = f"p-{uuid.uuid4().hex}"
        assert post(crowd[0], here, cid)["ok"] is True
        poller.wait_for("contribution:created", lambda p: p["contribution"]["client_id"] == cid)
        assert post(poller, here, f"p-{uuid.uuid4().hex}")["ok"] is True
    finally:
        poller.close()


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


def facilitator_on(server, atelier_id: int) -> Phone:  # type: ignore[no-untyped-def]
    """A browser that opened a facilitator link of ``atelier_id``, connected to ``server``."""
    out = server.flask("facilitator-link", "rencontres-action-sociale-2021", "--atelier",
                       str(atelier_id)).stdout  # fmt: skip
    match = re.search(r"/f/(\S+)", out)
    assert match, out
    person = Phone(server.url, "Animatrice")
    response = person.http.get(f"{server.url}/f/{match.group(1)}", timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:300]
    return person.connect()


def dot(phone: Phone, atelier_id: int, card: int, count: int, cid: str) -> dict:  # type: ignore[type-arg]
    return phone.call(
        "dot:set",
        {"client_id": cid, "atelier_id": atelier_id, "contribution_id": card, "count": count},
    )


def test_votes_from_both_workers_are_counted_once(two_workers, phones) -> None:  # type: ignore[no-untyped-def]
    first, second, proxy = two_workers
    here = atelier_ids(first.url)[-1]
    author = phones(first.url, "Autrice", here)
    cards = []
    for n in range(2):
        ack = post(author, here, f"v-{n}-{uuid.uuid4().hex}")
        assert ack["ok"] is True, ack
        cards.append(ack["contribution"]["id"])
    animatrice = facilitator_on(first, here)  # worker 1 opens the vote
    try:
        opened = animatrice.call(
            "vote:open",
            {
                "atelier_id": here,
                "settings": {
                    "dots_per_participant": 3,
                    "max_per_card": 3,
                    "tallies_visible_live": True,
                },
            },
        )
        assert opened["ok"] is True, opened
    finally:
        animatrice.close()

    alice = phones(first.url, "Alice", here)  # worker 1
    bob = phones(second.url, "Bob", here)  # worker 2
    carol = phones(proxy.url, "Carole", here)  # through nginx, either worker
    watcher = phones(second.url, "Projection", here)  # hears the tally on worker 2

    # Alice and Bob tap at the same moment, each on their own worker.
    acks: dict[str, dict] = {}  # type: ignore[type-arg]
    start = threading.Barrier(2)

    def tap(name: str, phone: Phone, card: int, count: int) -> None:
        start.wait()
        acks[name] = dot(phone, here, card, count, f"{name}-{uuid.uuid4().hex}")

    threads = [
        threading.Thread(target=tap, args=("alice", alice, cards[0], 2)),
        threading.Thread(target=tap, args=("bob", bob, cards[0], 1)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert acks["alice"]["ok"] and acks["bob"]["ok"], acks
    bob_b = f"bob-{uuid.uuid4().hex}"
    assert dot(bob, here, cards[1], 2, bob_b)["ok"] is True
    assert dot(carol, here, cards[1], 1, f"carol-{uuid.uuid4().hex}")["ok"] is True

    # Bob's phone loses its connection and lands on the other worker: it resends the same
    # set with the same client_id there. Stored once: nothing changes.
    bob_again = Phone(first.url, "Bob")
    phones_made = [bob_again]
    try:
        bob_again.http.cookies.update(bob.http.cookies)
        bob_again.connect().join_atelier(here)
        retry = dot(bob_again, here, cards[1], 2, bob_b)
        assert retry["ok"] is True and retry["duplicate"] is True, retry
        assert retry["dots_left"] == 0  # 1 on the first card + 2 here: Bob's budget of 3
    finally:
        for phone in phones_made:
            phone.close()

    expected = {cards[0]: 3, cards[1]: 3}
    # The database, read through either worker, holds each dot once.
    for server in (first, second):
        tally = requests.get(f"{server.url}/api/ateliers/{here}/tally", timeout=TIMEOUT).json()
        counted = {r["contribution_id"]: r["dots"] for r in tally["tally"]["results"]}
        assert counted == expected, (server.url, tally)
        assert tally["tally"]["dots_counted"] == 6 and tally["tally"]["voted"] == 3
    # The coalesced tally, sent by whichever worker committed last, reaches worker 2's room.
    watcher.wait_for("vote:tally", lambda t: t["dots_counted"] == 6, timeout=WAIT)
    # A snapshot from each worker carries the same tally (what a reconnecting phone gets).
    for phone in (alice, bob, carol):
        vote = phone.join_atelier(here)["vote"]
        snap = {r["contribution_id"]: r["dots"] for r in vote["tally"]["results"]}
        assert snap == expected
    assert alice.join_atelier(here)["vote"]["mine"]["dots"] == {str(cards[0]): 2}

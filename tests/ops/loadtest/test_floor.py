"""The floor server (``python -m facilitation.ops.loadtest.floor``) answers the load test.

A tiny run of the real generator (5 phones, 2 s, the vote burst and the storm) against the
floor started as the bench starts it: every phone joins, every card reaches every phone,
every acknowledged dot is counted back, every phone resyncs after the storm.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitation.ops.loadtest.bench import REPO_ROOT, free_port

TOKEN = "jeton-du-plancher-de-test"


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "LOADTEST_TOKEN": TOKEN,
           "PYTHONWARNINGS": "ignore::DeprecationWarning"}  # fmt: skip
    log = (tmp_path / "floor.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "facilitation.ops.loadtest.floor"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                break
        except OSError:
            assert proc.poll() is None, (tmp_path / "floor.log").read_text()
            assert time.monotonic() < deadline, "floor not answering after 60 s"
            time.sleep(0.1)  # polling a condition: the server accepting connections
    yield url, proc
    proc.terminate()
    proc.wait(timeout=10)


def test_a_tiny_run_against_the_floor_is_clean(app, floor, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, proc = floor
    out = tmp_path / "run.json"
    result = app.test_cli_runner().invoke(
        args=["loadtest", "--url", url, "--token", TOKEN, "--participants", "5",
              "--ateliers", "1", "--duration", "2", "--dots", "3", "--burst-window", "1",
              "--storm", "--storm-window", "2", "--processes", "1",
              "--server-pid", str(proc.pid), "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["connected"] == 5 and report["lost"] == 0 and report["errors"] == 0
    assert report["deliveries_received"] == report["deliveries_expected"] > 0
    burst = report["vote_burst"]
    assert burst["dots_acked"] == 15 and burst["dots_counted"] == 15
    assert burst["tallies_exact"] is True and burst["over_budget"] == 0
    assert report["reconnect_storm"]["resynced"] == 5
    assert report["server_cpu"]["run_s"] is not None


def test_the_floor_refuses_a_foreign_token(floor) -> None:  # type: ignore[no-untyped-def]
    url, _proc = floor
    request = urllib.request.Request(
        url + "/_loadtest/events", data=b'{"ateliers": 1}', method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer faux"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 403

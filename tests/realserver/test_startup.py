"""Starting the real server: a second one on a busy port refuses to start."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from typing import Any

import pytest

from tests.support.live_server import REPO_ROOT

pytestmark = pytest.mark.realserver


def test_a_second_server_on_the_same_port_refuses_to_start(live_server: Any) -> None:
    second = subprocess.run(
        [sys.executable, "wsgi.py"],
        cwd=REPO_ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode != 0
    assert f"Le port {live_server.port} est déjà utilisé" in second.stderr
    # The first server kept its port and still answers.
    with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=10) as answer:
        assert answer.status == 200

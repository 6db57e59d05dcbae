"""A run talks to the URL it was given and nothing else."""

from __future__ import annotations

import pytest

from facilitation.ops.loadtest.stats import percentile, summary_ms
from facilitation.ops.loadtest.target import Target, TargetError


def test_paths_stay_on_the_target() -> None:
    target = Target("http://127.0.0.1:5000/")
    assert target.url("/e/x/rejoindre") == "http://127.0.0.1:5000/e/x/rejoindre"
    assert target.socketio_path == "socket.io"
    prefixed = Target("https://atelier.example.org/app")
    assert prefixed.url("/healthz") == "https://atelier.example.org/app/healthz"
    assert prefixed.socketio_path == "app/socket.io"


@pytest.mark.parametrize("path", ["//evil.example/x", "http://evil.example/", "relative"])
def test_paths_that_escape_are_refused(path: str) -> None:
    with pytest.raises(TargetError):
        Target("http://127.0.0.1:5000").url(path)


@pytest.mark.parametrize(
    "location",
    [
        "http://evil.example/e/x",
        "https://127.0.0.1:5000/",
        "http://127.0.0.1:5001/",
        "http://127.0.0.1:5000/other",
    ],
)
def test_answers_pointing_elsewhere_are_refused(location: str) -> None:
    with pytest.raises(TargetError):
        Target("http://127.0.0.1:5000/app").check(location)


@pytest.mark.parametrize(
    "url", ["ftp://host", "127.0.0.1:5000", "http://u:p@host/", "http://h/?q=1"]
)
def test_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(TargetError):
        Target(url)


def test_percentiles_nearest_rank() -> None:
    values = [i / 1000 for i in range(1, 101)]  # 1..100 ms
    assert percentile(values, 50) == 0.05
    assert percentile(values, 95) == 0.095
    assert summary_ms(values) == {"p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0}
    assert summary_ms([]) == {"p50": None, "p95": None, "p99": None, "max": None}

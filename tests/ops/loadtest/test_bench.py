"""``make bench``'s Markdown: the scenarios table shows the burst and the storm of each run;
the floor table the app beside the bare stack with their ratios; the workers table each
worker's share of a one-address run."""

from __future__ import annotations

from facilitation.ops.loadtest.bench import (
    FLOOR_MEASURES,
    absorbed_per_s,
    floor_table,
    ratio,
    scenarios_table,
    workers_table,
)
from facilitation.ops.loadtest.runner import cpu_per_unit


def test_scenarios_table_has_one_line_per_run_with_scenarios() -> None:
    row = {
        "setup": "1 worker, eventlet, SQLite",
        "participants": 2000,
        "memory_per_phone_kb": 81.3,
        "latency_ms_by_phase": {"vote_burst": {"p95": 812.0}, "reconnect_storm": {"p95": 95.0}},
        "vote_burst": {
            "dots_acked": 10000,
            "dots_counted": 10000,
            "lost": 0,
            "over_budget": 0,
            "tallies_exact": True,
            "all_acked_s": 31.5,
            "ack_ms": {"p95": 9000.0},
        },
        "reconnect_storm": {
            "resynced": 2000,
            "phones": 2000,
            "all_resynced_s": 12.5,
            "resync_ms": {"p95": 1500.0, "max": 3100.0},
        },
    }
    throughput_run = {"setup": "throughput: 1 worker", "participants": 500, "vote_burst": None}
    text = scenarios_table([row, throughput_run, {"setup": "2 workers", "skipped": "no nginx"}])
    lines = [line for line in text.splitlines() if line.startswith("| 1 worker")]
    assert lines == [
        "| 1 worker, eventlet, SQLite | 2000 | 10000 / 10000 | 0 | 0 | yes | 31.5 s | 9000.0 ms "
        "| 812 ms | 2000 / 2000 | 12.5 s | 1500.0 / 3100.0 ms | 95 ms | 81 KB |"
    ]
    assert "throughput" not in text and "2 workers" not in text
    assert scenarios_table([throughput_run]) == ""


def test_a_burst_without_its_storm_shows_dashes_for_the_storm() -> None:
    """The throughput pair takes the vote burst only (it is what saturates a worker)."""
    run = {
        "setup": "throughput: 1 worker + Redis + PostgreSQL",
        "participants": 1000,
        "vote_burst": {"dots_acked": 5000, "dots_counted": 5000, "lost": 0, "over_budget": 0,
                       "tallies_exact": True, "all_acked_s": 20.0, "ack_ms": {"p95": 3000.0}},
        "reconnect_storm": None,
    }  # fmt: skip
    (line,) = [x for x in scenarios_table([run]).splitlines() if x.startswith("| throughput")]
    assert line.endswith("| 20.0 s | 3000.0 ms | – | – | – | – | – | – |")
    assert absorbed_per_s(run) == 250.0


def test_no_absorption_rate_without_a_finished_burst() -> None:
    assert absorbed_per_s({"vote_burst": None}) is None
    assert absorbed_per_s({"vote_burst": {"dots_acked": 5000, "all_acked_s": None}}) is None


def test_the_floor_table_gives_app_floor_and_their_ratio_per_measure() -> None:
    app = {
        "participants": 200,
        "latency_ms": {"p50": 9.0, "p95": 30.0},
        "vote_burst": {"all_acked_s": 20.0, "ack_ms": {"p95": 900.0}},
        "reconnect_storm": {"all_resynced_s": 12.0},
        "ramp_s": 8.0,
        "server_cpu": {"per_tap_ms": 3.3, "per_delivered_card_ms": 0.5},
        "memory_per_phone_kb": 81.0,
    }
    floor = {
        "participants": 200,
        "latency_ms": {"p50": 3.0, "p95": 10.0},
        "vote_burst": {"all_acked_s": 10.0, "ack_ms": {"p95": 90.0}},
        "reconnect_storm": {"all_resynced_s": 9.6},
        "ramp_s": 2.0,
        "server_cpu": {"per_tap_ms": 0.8, "per_delivered_card_ms": 0.0},
        "memory_per_phone_kb": None,
    }
    rows = {line.split(" | ")[1]: line for line in floor_table([(app, floor)]).splitlines()[2:]}
    assert rows["post → room p95"] == "| 200 | post → room p95 | 30 ms | 10 ms | 3.00 |"
    assert rows["vote burst absorbed (window 10 s)"].endswith("| 20.0 s | 10.0 s | 2.00 |")
    assert rows["dot ack p95"].endswith("| 900 ms | 90 ms | 10.00 |")
    assert rows["storm: all resynced"].endswith("| 12.0 s | 9.6 s | 1.25 |")
    assert rows["server CPU per tap"].endswith("| 3.30 ms | 0.80 ms | 4.12 |")
    # A floor of 0 or a missing figure gives no ratio rather than a division by zero.
    assert rows["server CPU per delivered card"].endswith("| 0.50 ms | 0.00 ms | – |")
    assert rows["memory per phone"].endswith("| 81 KB | – | – |")
    assert len(rows) == len(FLOOR_MEASURES)


def test_ratio() -> None:
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(None, 1.0) is None and ratio(1.0, None) is None and ratio(1.0, 0.0) is None


def test_the_workers_table_shows_each_workers_share() -> None:
    run = {
        "setup": "2 workers",
        "workers": [
            {"url": "a", "pid": 11, "phones": 60, "burst_taps": 300},
            {"url": "b", "pid": 12, "phones": 40, "burst_taps": 100},
        ],
    }
    lines = workers_table([run, {"setup": "1 worker"}]).splitlines()
    assert lines[2] == "| 2 workers | 1 (pid 11) | 60 | 60 % | 300 | 75 % |"
    assert lines[3] == "| 2 workers | 2 (pid 12) | 40 | 40 % | 100 | 25 % |"
    assert len(lines) == 4
    assert workers_table([{"setup": "1 worker"}]) == ""


def test_cpu_per_tap_and_per_delivered_card() -> None:
    report = {
        "vote_burst": {"taps": 900, "retries": 100},
        "deliveries_live_by_phase": {"run": 4000, "vote_burst": 50},
    }
    per = cpu_per_unit(report, {"run": 2.0, "vote_burst": 3.3})
    assert per == {"per_tap_ms": 3.3, "per_delivered_card_ms": 0.5}
    assert cpu_per_unit({}, {"run": None}) == {"per_tap_ms": None, "per_delivered_card_ms": None}

"""``make bench``'s Markdown: the scenarios table shows the burst and the storm of each run."""

from __future__ import annotations

from facilitation.ops.loadtest.bench import absorbed_per_s, scenarios_table


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

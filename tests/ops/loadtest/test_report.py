"""The load test's report: card latency per phase, the vote burst compared with what the
server counted (lost, over budget, tallies exact), the reconnect storm's resync times."""

from __future__ import annotations

from typing import Any

from facilitation.ops.loadtest.runner import RunConfig, aggregate, compare_dots


def cfg(**kw: Any) -> RunConfig:
    base: dict[str, Any] = {
        "url": "http://127.0.0.1:9",
        "slug": "loadtest-x",
        "atelier_ids": [1],
        "participants": 2,
        "duration": 10,
        "posts_per_minute": 6,
    }
    return RunConfig(**(base | kw))


def phone(index: int, **kw: Any) -> dict[str, Any]:
    return {
        "index": index,
        "atelier_id": 1,
        "ready": True,
        "seen": {},
        "reconnects": 0,
        "resync_s": [],
        "join_s": 0.1,
        "errors": [],
        "unexpected_disconnects": 0,
        "storm_back_at": None,
        "storm_resync_s": None,
        "dots_acked": {},
        "dots_unsure": [],
        "dot_ack_s": [],
        "dots_last_ack_at": None,
    } | kw


def worker(phones: list[dict[str, Any]], posts: list[dict[str, Any]] = (), **kw: Any) -> dict:  # type: ignore[assignment,type-arg]
    return {
        "worker": 0,
        "phones": phones,
        "posts": list(posts),
        "dots_sent": 0,
        "dot_errors": 0,
        "errors": [],
        "dot_error_codes": {},
        "run_cpu_s": 0.0,
        "dot_taps": 0,
        "dot_retries": 0,
    } | kw


def test_card_latency_is_reported_per_phase_and_the_run_alone_is_latency_ms() -> None:
    posts = [
        {"cid": "a", "atelier_id": 1, "ok": True, "phase": "run", "t_sent": 100.0, "t_ack": 100.01},
        {"cid": "b", "atelier_id": 1, "ok": True, "phase": "vote_burst", "t_sent": 200.0,
         "t_ack": 201.0},
    ]  # fmt: skip
    phones = [
        phone(0, seen={"a": 100.02, "b": 202.0}),
        phone(1, seen={"a": 100.04, "b": None}),  # b came with a snapshot: received, not timed
    ]
    report = aggregate(cfg(), [worker(phones, posts)], connected=2, ramp_s=1.0, t0=100.0)
    assert report["lost"] == 0 and report["deliveries_resynced"] == 1
    assert report["latency_ms"]["max"] == 40.0  # the run's card only
    assert report["latency_ms_by_phase"]["vote_burst"]["max"] == 2000.0
    assert report["latency_ms_by_phase"]["vote_burst"]["cards"] == 1
    assert report["vote_burst"] is None and report["reconnect_storm"] is None


def burst_report(phones: list[dict[str, Any]]) -> dict[str, Any]:
    return aggregate(
        cfg(dots=3, dots_enabled=True),
        [worker(phones, dot_taps=6)],
        connected=len(phones),
        ramp_s=1.0,
        t0=100.0,
        phase_at={"vote_burst": 150.0},
    )


def test_a_burst_counted_exactly_by_the_server_is_exact() -> None:
    report = burst_report(
        [
            phone(0, dots_acked={7: 2, 8: 1}, dots_last_ack_at=155.0, dot_ack_s=[0.1] * 3),
            phone(1, dots_acked={7: 3}, dots_last_ack_at=161.5, dot_ack_s=[0.2] * 3),
        ]
    )
    burst = report["vote_burst"]
    assert burst["dots_acked"] == 6 and burst["all_acked_s"] == 11.5
    compare_dots(
        report,
        {"dots": 6, "dots_by_contribution": {"7": 5, "8": 1}, "over_budget": 0,
         "budget_mismatch": 0},
    )  # fmt: skip
    assert report["dots_counted"] == 6
    assert burst["tallies_exact"] is True
    assert burst["lost"] == 0 and burst["extra"] == 0 and burst["over_budget"] == 0


def test_a_dot_acknowledged_but_not_counted_is_lost_and_the_tally_not_exact() -> None:
    report = burst_report([phone(0, dots_acked={7: 2, 8: 1}), phone(1, dots_acked={7: 3})])
    compare_dots(
        report,
        {"dots": 5, "dots_by_contribution": {"7": 4, "8": 1}, "over_budget": 0,
         "budget_mismatch": 0},
    )  # fmt: skip
    burst = report["vote_burst"]
    assert burst["lost"] == 1 and burst["cards_wrong"] == ["7"]
    assert burst["tallies_exact"] is False


def test_a_card_whose_last_tap_got_no_answer_is_left_out_of_the_comparison() -> None:
    report = burst_report(
        [phone(0, dots_acked={7: 1}, dots_unsure=[7]), phone(1, dots_acked={8: 1})]
    )
    compare_dots(
        report,
        {"dots": 3, "dots_by_contribution": {"7": 2, "8": 1}, "over_budget": 0,
         "budget_mismatch": 0},
    )  # fmt: skip
    burst = report["vote_burst"]
    assert burst["unanswered_cards"] == 1 and burst["cards_checked"] == 1
    assert burst["tallies_exact"] is True and burst["lost"] == 0


def test_the_storm_reports_when_the_last_phone_was_back() -> None:
    phones = [
        phone(0, storm_back_at=104.0, storm_resync_s=0.5),
        phone(1, storm_back_at=109.25, storm_resync_s=2.0),
    ]
    report = aggregate(
        cfg(storm=True), [worker(phones)], connected=2, ramp_s=1.0, t0=50.0,
        phase_at={"reconnect_storm": 100.0},
    )  # fmt: skip
    storm = report["reconnect_storm"]
    assert storm["resynced"] == 2 and storm["not_resynced"] == 0
    assert storm["all_resynced_s"] == 9.2 and storm["within_target"] is True
    assert storm["resync_ms"]["max"] == 2000.0


def test_a_phone_that_never_came_back_fails_the_storm() -> None:
    phones = [phone(0, storm_back_at=104.0, storm_resync_s=0.5), phone(1)]
    report = aggregate(
        cfg(storm=True), [worker(phones)], connected=2, ramp_s=1.0, t0=50.0,
        phase_at={"reconnect_storm": 100.0},
    )  # fmt: skip
    storm = report["reconnect_storm"]
    assert storm["not_resynced"] == 1
    assert storm["all_resynced_s"] is None and storm["within_target"] is False


def test_the_word_burst_reports_acks_coalesced_tallies_and_what_the_server_stored() -> None:
    from facilitation.ops.loadtest.runner import compare_words

    phones = [
        phone(0, cloud_id=7, words_acked=3, word_ack_s=[0.04, 0.05, 0.2], cloud_tallies=9),
        phone(1, cloud_id=7, words_acked=2, word_ack_s=[0.03, 0.06], cloud_tallies=7),
    ]
    results = [
        worker(phones, word_sends=6, word_retries=1, word_errors=1, word_error_codes={"invalid": 1})
    ]
    report = aggregate(
        cfg(words=3),
        results,
        connected=2,
        ramp_s=1.0,
        phase_at={"word_burst": 10.0, "word_burst_end": 16.5},
    )
    burst = report["word_burst"]
    assert (burst["sends"], burst["words_acked"], burst["retries"], burst["errors"]) == (6, 5, 1, 1)
    assert burst["phones_with_cloud"] == 2 and burst["phase_s"] == 6.5
    assert burst["tallies_per_phone"] == {"mean": 8.0, "max": 9}
    assert burst["ack_ms"]["max"] == 200.0
    compare_words(report, {"words": 5})
    assert burst["words_stored"] == 5 and burst["stored_equals_acked"] is True
    compare_words(report, {"words": 6})  # one stored twice, or one the phones never heard of
    assert burst["stored_equals_acked"] is False


def test_no_word_burst_without_words() -> None:
    report = aggregate(cfg(), [worker([phone(0)])], connected=1, ramp_s=1.0)
    assert report["word_burst"] is None

"""pytest plugin: with ``REQUIRE_ALL_TESTS=1`` a skipped test fails the run.

CI sets ``REQUIRE_ALL_TESTS=1`` and provides PostgreSQL, Redis and Chromium, so a test that
skips there ("TEST_DATABASE_URL not set", "chromium missing" ...) is a hole in the run, not a
pass. Locally nothing changes: skips are reported by ``-ra`` as usual.

Register it from ``tests/conftest.py``::

    pytest_plugins = ["tests.support.strict_skips", "tests.support.live_server"]

Counted: tests skipped at setup or in the body (``pytest.skip``, ``skipif``, a fixture that
skips) and modules skipped at collection (``pytest.importorskip``, module-level skip).
Not counted: ``xfail`` (an expected failure is a decision written in the test) and tests
deselected on purpose with ``-m``/``-k``. A run that collects no test at all already exits 5.
"""

from __future__ import annotations

import os

import pytest

_ENV = "REQUIRE_ALL_TESTS"


def _required() -> bool:
    return os.environ.get(_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, lineno, "Skipped: ...")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


class StrictSkips:
    def __init__(self) -> None:
        self.skipped: list[tuple[str, str]] = []

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append((report.nodeid, _reason(report)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.skipped and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        tr = terminalreporter
        if not self.skipped:
            return
        tr.section(f"{_ENV}=1: {len(self.skipped)} skipped test(s) fail this run", red=True)
        for nodeid, reason in self.skipped:
            tr.write_line(f"SKIPPED {nodeid}: {reason}", red=True)


def pytest_configure(config: pytest.Config) -> None:
    if _required() and not config.pluginmanager.has_plugin("strict-skips"):
        config.pluginmanager.register(StrictSkips(), "strict-skips")

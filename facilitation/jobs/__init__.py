"""Background loops of a worker, wired by ``create_app``.

``init_app`` only registers how each loop starts; a loop starts with the worker's first HTTP
request, not inside ``create_app``: the same factory serves ``flask`` commands (migrations,
purge, backups) and may run in a pre-forking master, where a loop would tick for nobody, or
against a database that is not migrated yet. Test apps (``TESTING``) start no loop: the
tests call one step (``round_timers.tick``) themselves.
"""

from __future__ import annotations

from flask import Flask

from facilitation.jobs import round_timers


def init_app(app: Flask) -> None:
    """Start this worker's loops at its first HTTP request (never under ``TESTING``)."""

    @app.before_request
    def _start_jobs() -> None:
        if not app.config.get("TESTING"):
            round_timers.ensure_started(app)

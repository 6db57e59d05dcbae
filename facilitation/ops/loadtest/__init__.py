"""The built-in load test: simulated phones against a running server.

Server side (imported by the app):
    ``fixture``   create / remove a throwaway ``loadtest-<random>`` event, read its tallies back
    ``http``      the operator-only HTTP endpoints for that, enabled by ``LOADTEST_TOKEN``
    ``commands``  ``flask loadtest`` and ``flask loadtest-event create|remove``

Generator side (never imported by the server): ``runner`` (processes, progress, summary),
``phone`` (one simulated phone on asyncio), ``stats`` (percentiles, the JSON report),
``target`` (the one origin the run may talk to). ``bench`` drives ``make bench``.
"""

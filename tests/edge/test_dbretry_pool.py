"""A handler that waited DB_POOL_TIMEOUT for a connection answers ``busy`` (the phone
resends), not ``server_error`` (issue 18.2)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from facilitation.domain.errors import Busy
from facilitation.edge.dbretry import with_write_retries


def test_a_pool_timeout_is_busy(app) -> None:  # type: ignore[no-untyped-def]
    calls = []

    def unit() -> None:
        calls.append(1)
        raise PoolTimeout("QueuePool limit of size 10 overflow 10 reached")

    with pytest.raises(Busy) as refused:
        with_write_retries(unit)
    assert refused.value.code == "busy"
    assert len(calls) == 1  # not run again here: the pool is the limit, the phone resends

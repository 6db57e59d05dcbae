"""Fixtures shared by the real-server tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.realserver.clients import Phone


@pytest.fixture
def phones() -> Iterator[list[Phone]]:
    """A list the test appends its phones to; each is closed when the test ends.

    Tests ask for ``live_server`` before ``phones``, so phones close before the server stops.
    """
    made: list[Phone] = []
    yield made
    for phone in made:
        phone.close()

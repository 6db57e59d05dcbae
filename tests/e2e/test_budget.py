"""Page weight budget (issue 6): the participant's wall transfers at most 64 KB on first load.

60 KB until « Moi aussi », photos, anonymity and approval, « en un mot » (issues 19, 20) were
added side by side: together ~7 KB more on the wire (reactions.js ~3 KB, the rest small; the
cloud, photo upload, approval and « who reacted » modules load only when needed, the console's
styles moved to console.css). Raised once to 64 KB, said in the README; the next addition to
the phone's first load pays for itself (a module loaded when needed) or goes back under.

Measured in Chromium from the DevTools protocol: the sum of ``encodedDataLength`` (bytes on
the wire: headers + compressed bodies) of every request the page makes, from an empty cache,
until its socket joined the atelier. A size budget, not a timing: timings live in
``make bench-page`` (facilitation/ops/loadtest/pagespeed.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import E2E_DATABASE, unique, wait_live
from tests.realserver.clients import SLUG, atelier_ids

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True),
]

BUDGET_BYTES = 64 * 1024


def test_the_participant_wall_stays_under_64_kb_on_first_load(
    live_server: Any, joined_phone: Callable[..., Any], _pages: Any
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    joined = joined_phone(here, unique("Awa"), label="join")
    cookies = joined.context.cookies()

    # A fresh context: same participant cookie, empty HTTP cache.
    page = _pages.new_page(
        "first load", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page.context.add_cookies(cookies)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(f"{base}/e/{SLUG}/a/{here}")
    wait_live(page)
    page.wait_for_load_state("networkidle")

    total = sum(sizes.values())
    detail = "\n".join(
        f"{size:>7} {urls.get(rid, rid)}"
        for rid, size in sorted(sizes.items(), key=lambda i: -i[1])
    )
    assert any("/static/js/wall.js" in u for u in urls.values()), detail
    assert any("/static/css/app.css" in u for u in urls.values()), detail
    assert total <= BUDGET_BYTES, f"{total} bytes > {BUDGET_BYTES}:\n{detail}"
    print(f"\nparticipant wall, first load: {total} bytes on the wire\n{detail}")

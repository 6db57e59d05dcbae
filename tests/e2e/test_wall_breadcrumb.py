"""The wall's way back (« ← event title ») on small phones: the arrow stays on the title's
first line and a long title wraps under itself (not under the arrow), within the screen."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import E2E_DATABASE, join_atelier
from tests.realserver.clients import atelier_ids

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True),
]

#: As a live rename would show it (atelier_head.js sets the span's text).
LONG_TITLE = "Rencontres départementales de l’action sociale et des solidarités des Yvelines 2021"

#: The link's text lines (one rect per line box of the title) and the arrow's box.
MEASURE = """() => {
  const link = document.querySelector(".breadcrumb a");
  const title = link.querySelector("[data-event-field=title]");
  const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  while (node && !node.data.includes("←")) node = walker.nextNode();
  const range = document.createRange();
  const at = node.data.indexOf("←");
  range.setStart(node, at);
  range.setEnd(node, at + 1);
  const arrow = range.getBoundingClientRect();
  const text = document.createRange();
  text.selectNodeContents(title);
  // Whatever comes before the title (arrow, spaces): none of it on a line of its own.
  const before = document.createRange();
  before.setStart(link, 0);
  before.setEndBefore(title);
  const lead = [...before.getClientRects()].filter((r) => r.width > 0)
    .map((r) => ({top: r.top, bottom: r.bottom}));
  // One rect per line box of the title's text (a flex item's own box would be one rect).
  const lines = [...text.getClientRects()].filter((r) => r.width > 0)
    .map((r) => ({top: r.top, left: r.left, right: r.right, bottom: r.bottom}));
  return {arrow: {top: arrow.top, bottom: arrow.bottom, left: arrow.left, right: arrow.right},
          lines, lead, width: document.documentElement.clientWidth,
          scroll: document.documentElement.scrollWidth, name: link.textContent};
}"""


@pytest.mark.parametrize("width", [320, 390])
def test_the_breadcrumb_reads_well_on_small_phones(
    live_server: Any, phone: Callable[..., Any], screenshot: Callable[..., Any], width: int
) -> None:
    base = live_server.url
    page = phone("breadcrumb")
    page.set_viewport_size({"width": width, "height": 640})
    join_atelier(page, base, atelier_ids(base)[0], f"Awa {uuid.uuid4().hex[:4]}")
    page.eval_on_selector(
        ".breadcrumb [data-event-field=title]",
        "(span, text) => { span.textContent = text }",
        LONG_TITLE,
    )
    shot = page.evaluate(MEASURE)
    screenshot(page, f"breadcrumb-{width}")
    arrow, lines = shot["arrow"], shot["lines"]
    assert len(lines) >= 2, "the long title should wrap at this width"
    first = lines[0]
    # The arrow sits on the title's first line, before it.
    assert arrow["top"] < first["bottom"] and arrow["bottom"] > first["top"], shot
    assert arrow["right"] <= first["left"], shot
    for box in shot["lead"]:
        assert box["top"] < first["bottom"] and box["bottom"] > first["top"], shot
    # Every further line starts where the first one does: a hanging indent, not under the arrow.
    for line in lines[1:]:
        assert abs(line["left"] - first["left"]) < 1, shot
    # Nothing sticks out of the screen.
    assert max(line["right"] for line in lines) <= shot["width"], shot
    assert shot["scroll"] <= shot["width"], shot

"""Dot-voting over HTTP: the tally as JSON and the results as a server-rendered SVG chart.

Both answer only when the tallies are visible (revealed, or live by the facilitator's choice)
or to a facilitator of the atelier (``domain.voting.require_tally_access``).
"""

from __future__ import annotations

import textwrap
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, jsonify, request
from flask_babel import get_locale, gettext

from facilitation.domain import voting
from facilitation.domain.errors import DomainError, NotFound
from facilitation.domain.events import get_atelier, get_event
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.models import Atelier

bp = Blueprint("votes", __name__)

#: Chart geometry (user units; the SVG scales to its container). ``?w=narrow`` gives a chart
#: drawn for a phone's width, whose text stays readable once scaled down.
WIDTH = 960
NARROW_WIDTH = 560
ROW = 56
TOP = 64
MAX_ROWS = 15


@bp.get("/api/ateliers/<int:atelier_id>/tally")
def tally_json(atelier_id: int):  # type: ignore[no-untyped-def]
    """``{ballot, tally}``; 403 while the results are hidden (except to a facilitator)."""
    atelier = db.session.get(Atelier, atelier_id)
    try:
        if atelier is None:
            raise NotFound(gettext("Cet atelier n'existe pas."))
        ballot = voting.require_tally_access(actor_for(atelier.event_id), atelier)
    except DomainError as exc:
        return jsonify(exc.as_dict()), exc.http_status
    response = jsonify({"ballot": voting.ballot_dict(ballot), "tally": voting.tally(ballot)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/e/<slug>/a/<int:atelier_id>/resultats.svg")
def results_svg(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    return _chart(get_atelier(get_event(slug), atelier_id))


@bp.get("/api/ateliers/<int:atelier_id>/resultats.svg")
def results_svg_by_id(atelier_id: int):  # type: ignore[no-untyped-def]
    """The same chart for pages that know only the atelier id (static/js/votes.js)."""
    atelier = db.session.get(Atelier, atelier_id)
    if atelier is None:
        raise NotFound(gettext("Cet atelier n'existe pas."))
    return _chart(atelier)


def _chart(atelier: Atelier) -> Response:
    ballot = voting.require_tally_access(actor_for(atelier.event_id), atelier)
    width = NARROW_WIDTH if request.args.get("w") == "narrow" else WIDTH
    svg = render_chart(
        voting.tally(ballot),
        title=gettext("Résultats du vote · %(title)s", title=atelier.title),
        width=width,
    )
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


#: Height of one line of a wrapped title (font size 22).
LINE = 27


def _wrap(text: str, chars: int) -> list[str]:
    """``text`` on lines of about ``chars`` characters, whole (a long word is broken)."""
    text = " ".join(text.split())
    return textwrap.wrap(text, max(chars, 8), break_long_words=True) or [""]


def _tspans(lines: list[str], x: int) -> str:
    """Escaped lines as ``<tspan>``s under each other (the first on the text's own y)."""
    return "".join(
        f'<tspan x="{x}" dy="{0 if i == 0 else LINE}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )


def _ordinal(rank: int, first: str, other: str) -> str:
    """« ᵉʳ » / « ᵉ » in French; « st », « nd », « rd », « th » in English."""
    if get_locale() is not None and get_locale().language == "en":
        if rank % 100 not in (11, 12, 13) and rank % 10 in (1, 2, 3):
            return {1: "st", 2: "nd", 3: "rd"}[rank % 10]
        return "th"
    return first if rank == 1 else other


def render_chart(
    tally: dict[str, Any], title: str = "Résultats du vote", width: int = WIDTH
) -> str:
    """A horizontal bar chart, best first, ties sharing a rank (« 1 ex æquo »).

    Every piece of user text goes through ``escape``/``quoteattr``; no script, no style
    element (presentation attributes only, so the strict CSP needs no exception).
    """
    rows = tally["results"][:MAX_ROWS]
    # The chart's words in the request's language (babel does not look into f-strings).
    first, other, tie = gettext("ᵉʳ"), gettext("ᵉ"), gettext(" ex æquo")
    one, many = gettext("point"), gettext("points")
    no_card, no_rank = gettext("Aucune carte."), gettext("Aucune carte à classer.")
    tie_note = gettext("« = » : ex æquo (même rang)")
    # Wide (projector): title left, bar right. Narrow (phone): title above its bar. Titles
    # are never cut (issue 16: similar chantiers must be told apart): they wrap on as many
    # lines as they need and the row grows with them.
    narrow = width < 700
    label_width = 0 if narrow else round(width * 0.4)
    bar_x = 24 if narrow else label_width + 24
    bar_max = width - bar_x - 80
    title_chars = round((width - 100) / 13) if narrow else round((label_width - 60) / 13)
    wrapped = [_wrap(row["titre"], title_chars) for row in rows]
    if narrow:
        heights = [52 + LINE * len(lines) for lines in wrapped]
    else:
        heights = [max(ROW, LINE * len(lines) + 22) for lines in wrapped]
    top = max((r["dots"] for r in rows), default=0) or 1
    tied = any(r["tied"] for r in rows)
    height = TOP + (sum(heights) if rows else ROW) + (56 if tied else 24)
    heading = _wrap(title, round(width / 17))
    top_y = TOP + LINE * (len(heading) - 1)
    height += top_y - TOP
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">'
        + escape(
            "; ".join(
                f"{r['rank']}{_ordinal(r['rank'], first, other)}"
                f"{tie if r['tied'] else ''} : {r['titre']}, "
                f"{r['dots']} {many if r['dots'] > 1 else one}"
                for r in rows
            )
            or no_card
        )
        + "</desc>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="24" y="40" font-size="26" font-weight="700" fill="#1a1a2e">'
        f"{_tspans(heading, 24)}</text>",
    ]
    if not rows:
        out.append(
            f'<text x="24" y="{top_y + 30}" font-size="22" fill="#444">{escape(no_rank)}</text>'
        )
    y = top_y
    for row, lines, row_height in zip(rows, wrapped, heights, strict=True):
        bar = round(bar_max * row["dots"] / top) if row["dots"] else 0
        rank = f"{row['rank']}{'=' if row['tied'] else ''}"
        fill = "#1f6feb" if row["rank"] == 1 and row["dots"] else "#5b8def"
        text_y = y + 30 if narrow else y + 34
        bar_y = y + 14 + LINE * len(lines) if narrow else y + (row_height - 30) // 2
        out.append(f'<g data-contribution-id="{int(row["contribution_id"])}">')
        out.append(
            f'<text x="24" y="{text_y}" font-size="22" font-weight="700" fill="#1a1a2e">'
            f"{escape(rank)}</text>"
        )
        out.append(
            f'<text x="72" y="{text_y}" font-size="22" fill="#1a1a2e">'
            f"<title>{escape(row['titre'])}</title>{_tspans(lines, 72)}</text>"
        )
        out.append(
            f'<rect x="{bar_x}" y="{bar_y}" width="{max(bar, 2)}" height="30" '
            f'rx="4" fill={quoteattr(fill)}/>'
        )
        out.append(
            f'<text x="{bar_x + max(bar, 2) + 12}" y="{bar_y + 22}" font-size="22" '
            f'font-weight="700" fill="#1a1a2e">{int(row["dots"])}</text>'
        )
        out.append("</g>")
        y += row_height
    if tied:
        out.append(
            f'<text x="24" y="{height - 20}" font-size="18" fill="#444">{escape(tie_note)}</text>'
        )
    out.append("</svg>")
    return "".join(out)

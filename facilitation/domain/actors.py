"""The day's map of actors, for the agency and the restitution.

``actors_map(event)`` is a read model: counts of participants, structures and communes by kind
of structure (counts only: every participant accepted at join that their structure and commune
are used for the day's restitution), and a directory of structures where *people* are listed
only when they made their profile visible. ``actors_chart_svg(event)`` draws the « by kind »
counts as a server-rendered SVG bar chart (every text escaped).
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from flask_babel import gettext
from sqlalchemy import select

from facilitation.domain.profiles import STRUCTURE_KIND_LABELS, UNKNOWN_KIND_LABEL
from facilitation.extensions import db
from facilitation.models import Event, Participant, Profile


def _structure_key(name: str) -> str:
    """« CCAS de Houilles » and « ccas de  houilles » are one structure."""
    return " ".join(name.casefold().split())


def actors_map(event: Event) -> dict[str, Any]:
    """Structures and communes represented, by kind of structure, and the directory.

    Returns ``{"participants", "structures", "communes": [{name, participants, kinds: {kind:
    n}}],
    "by_kind": [{kind, label, participants, structures}], "directory": [{structure, kind,
    kind_label, communes, people: [{display_name, role, publics, offers}]}]}``; ``by_kind``
    follows the form's list of kinds, then « Non renseigné »; kinds with nobody are kept (0)
    so charts of two events line up.
    """
    rows = db.session.execute(
        select(Participant, Profile)
        .outerjoin(Profile, Profile.participant_id == Participant.id)
        .where(Participant.event_id == event.id)
        .order_by(Participant.structure, Participant.display_name, Participant.id)
    ).all()
    kinds: dict[str, dict[str, Any]] = {
        kind: {"kind": kind, "label": label, "participants": 0, "structures": set()}
        for kind, label in STRUCTURE_KIND_LABELS.items()
    }
    kinds[""] = {"kind": "", "label": UNKNOWN_KIND_LABEL, "participants": 0, "structures": set()}
    communes: dict[str, int] = {}
    commune_kinds: dict[str, dict[str, int]] = {}
    structures: dict[str, dict[str, Any]] = {}
    total = 0
    for participant, profile in rows:
        total += 1
        kind = profile.structure_kind if profile is not None else ""
        key = _structure_key(participant.structure)
        kinds[kind]["participants"] += 1
        kinds[kind]["structures"].add(key)
        if participant.commune:
            communes[participant.commune] = communes.get(participant.commune, 0) + 1
            per_kind = commune_kinds.setdefault(participant.commune, {})
            per_kind[kind] = per_kind.get(kind, 0) + 1
        entry = structures.setdefault(
            key,
            {"structure": participant.structure, "kinds": {}, "communes": set(), "people": []},
        )
        if kind:
            entry["kinds"][kind] = entry["kinds"].get(kind, 0) + 1
        if profile is not None and profile.visible:
            if participant.commune:
                entry["communes"].add(participant.commune)
            entry["people"].append(
                {
                    "display_name": participant.display_name,
                    "role": profile.role,
                    "publics": list(profile.publics or []),
                    "offers": list(profile.offers or []),
                }
            )
    directory = []
    for entry in structures.values():
        if not entry["people"]:
            continue  # nobody there agreed to be listed
        kind = max(entry["kinds"], key=entry["kinds"].get) if entry["kinds"] else ""
        directory.append(
            {
                "structure": entry["structure"],
                "kind": kind,
                "kind_label": STRUCTURE_KIND_LABELS.get(kind, UNKNOWN_KIND_LABEL),
                "communes": sorted(entry["communes"], key=str.casefold),
                "people": entry["people"],
            }
        )
    directory.sort(key=lambda d: d["structure"].casefold())
    return {
        "event": {"slug": event.slug, "title": event.title, "date": event.date.isoformat()},
        "participants": total,
        "structures": len(structures),
        "communes": [
            {"name": name, "participants": n, "kinds": commune_kinds[name]}
            for name, n in sorted(communes.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
        ],
        "by_kind": [
            {
                "kind": k["kind"],
                "label": k["label"],
                "participants": k["participants"],
                "structures": len(k["structures"]),
            }
            for k in kinds.values()
        ],
        "directory": directory,
    }


# ------------------------------------------------------------------------------ SVG chart
BAR_HEIGHT = 28
GAP = 10
LABEL_WIDTH = 250
BAR_MAX = 380
VALUE_WIDTH = 210
TOP = 48


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n <= 1 else many}"


def translate(label: str) -> str:
    """A label kept in French in the domain (``N_``), in the request's language."""
    return gettext(label)


def actors_chart_svg(event: Event, data: dict[str, Any] | None = None) -> str:
    """A horizontal bar chart of participants by kind of structure (standalone SVG).

    Kinds with nobody are left out of the drawing. Every text goes through XML escaping, so
    the SVG is safe to serve as ``image/svg+xml`` or to embed.
    """
    data = data if data is not None else actors_map(event)
    bars = [k for k in data["by_kind"] if k["participants"] > 0]
    largest = max((k["participants"] for k in bars), default=0)
    width = LABEL_WIDTH + BAR_MAX + VALUE_WIDTH
    height = TOP + max(len(bars), 1) * (BAR_HEIGHT + GAP) + 16
    title = gettext("Acteurs présents par type de structure — %(title)s", title=event.title)
    # The words of the drawing, in the request's language (babel does not look into f-strings).
    person, people = gettext("personne"), gettext("personnes")
    org, orgs = gettext("structure"), gettext("structures")
    short = gettext("pers.")
    heading = gettext("Participants par type de structure")
    nobody = gettext("Aucun participant pour le moment.")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="system-ui, sans-serif" font-size="15">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">'
        + escape(
            "; ".join(
                f"{translate(k['label'])} : "
                f"{_plural(k['participants'], person, people)}, "
                f"{_plural(k['structures'], org, orgs)}"
                for k in bars
            )
            or nobody
        )
        + "</desc>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="0" y="24" font-size="18" font-weight="bold" fill="#1a1a1a">'
        f"{escape(heading)}</text>",
    ]
    if not bars:
        out.append(f'<text x="0" y="{TOP + 20}" fill="#555555">{escape(nobody)}</text>')
    for i, k in enumerate(bars):
        y = TOP + i * (BAR_HEIGHT + GAP)
        length = max(2, round(BAR_MAX * k["participants"] / largest)) if largest else 0
        value = (
            f"{_plural(k['participants'], short, short)} · {_plural(k['structures'], org, orgs)}"
        )
        out.append(
            f'<g class="bar" data-kind={quoteattr(k["kind"] or "inconnu")}>'
            f'<text x="{LABEL_WIDTH - 10}" y="{y + BAR_HEIGHT * 0.68:.0f}" text-anchor="end" '
            f'fill="#1a1a1a">{escape(translate(k["label"]))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="#2f5d8a" rx="3"/>'
            f'<text x="{LABEL_WIDTH + length + 8}" y="{y + BAR_HEIGHT * 0.68:.0f}" '
            f'fill="#1a1a1a">{escape(value)}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out)

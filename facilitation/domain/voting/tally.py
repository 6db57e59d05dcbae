"""Reading a vote: ranked tallies, participation, and who may see them.

Tallies are public once revealed or when the ballot shows them live; a facilitator of the
atelier always sees them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from facilitation.domain.access import Actor
from facilitation.domain.errors import Forbidden, NotFound
from facilitation.domain.voting.ballot import ballot_dict, current_ballot
from facilitation.domain.voting.dots import my_dots
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Participant
from facilitation.models.vote import Ballot, Dot, VoterBudget


def competition_ranks(scores: list[int]) -> list[int]:
    """Ranks of scores sorted best first, ties shared: [5, 5, 2] → [1, 1, 3]."""
    ranks: list[int] = []
    for i, score in enumerate(scores):
        ranks.append(ranks[i - 1] if i and scores[i - 1] == score else i + 1)
    return ranks


def participation(ballot: Ballot) -> tuple[int, int]:
    """``(voted, eligible)``: who placed at least one dot, out of the participants currently
    in the atelier or who voted in it (someone who left still counts)."""
    voted_ids = set(
        db.session.scalars(
            select(VoterBudget.participant_id).where(
                VoterBudget.ballot_id == ballot.id, VoterBudget.used > 0
            )
        )
    )
    present = set(
        db.session.scalars(
            select(Participant.id).where(Participant.current_atelier_id == ballot.atelier_id)
        )
    )
    return len(voted_ids), len(voted_ids | present)


def tally(ballot: Ballot) -> dict[str, Any]:
    """The ranked results: every visible card, best first, ties sharing a rank (1, 1, 3)."""
    per_card: dict[int, dict[str, int]] = defaultdict(lambda: {"dots": 0, "scribe": 0})
    for contribution_id, scribe, total in db.session.execute(
        select(Dot.contribution_id, Dot.scribe, func.sum(Dot.count))
        .where(Dot.ballot_id == ballot.id)
        .group_by(Dot.contribution_id, Dot.scribe)
    ):
        per_card[contribution_id]["scribe" if scribe else "dots"] += int(total or 0)
    # Two columns, not whole cards: the tally is sent up to four times a second per atelier
    # while a vote runs, and loading every card's text each time would dominate a burst.
    cards = db.session.execute(
        select(Contribution.id, Contribution.titre).where(
            Contribution.atelier_id == ballot.atelier_id, Contribution.visible
        )
    ).all()
    rows = []
    for card in cards:
        counts = per_card.get(card.id, {"dots": 0, "scribe": 0})
        rows.append(
            {
                "contribution_id": card.id,
                "titre": card.titre,
                "dots": counts["dots"] + counts["scribe"],
                "phone_dots": counts["dots"],
                "scribe_dots": counts["scribe"],
            }
        )
    # Ties keep a stable, readable order (title) but share their rank.
    rows.sort(key=lambda r: (-r["dots"], r["titre"].casefold(), r["contribution_id"]))
    same_score = Counter(r["dots"] for r in rows)
    for row, rank in zip(rows, competition_ranks([r["dots"] for r in rows]), strict=True):
        row["rank"] = rank
        row["tied"] = same_score[row["dots"]] > 1
    voted, eligible = participation(ballot)
    total = sum(r["dots"] for r in rows)
    counted = sum(v["dots"] + v["scribe"] for v in per_card.values())
    return {
        "ballot_id": ballot.id,
        "atelier_id": ballot.atelier_id,
        "status": ballot.status,
        "results": rows,
        "voted": voted,
        "eligible": eligible,
        #: Every dot stored, including those on cards hidden since (load tests read it).
        "dots_counted": counted,
        "dots_on_visible_cards": total,
        "scribe_dots": sum(r["scribe_dots"] for r in rows),
    }


def can_see_tally(actor: Actor | None, atelier: Atelier, ballot: Ballot) -> bool:
    """Tallies made public by the ballot, or a facilitator of the atelier."""
    return ballot.tallies_public or (actor is not None and actor.facilitates(atelier))


def vote_state(atelier: Atelier, actor: Actor | None = None) -> dict[str, Any]:
    """The vote part of the atelier snapshot, for this actor.

    ``{ballot, mine, tally}``: ``mine`` only for a participant of this atelier, ``tally`` only
    when tallies are public (revealed or visible live) or to a facilitator of the atelier.
    """
    ballot = current_ballot(atelier)
    if ballot is None:
        return {"ballot": None, "mine": None, "tally": None}
    participant = actor.participant if actor is not None else None
    mine = None
    if participant is not None and participant.event_id == atelier.event_id:
        mine = my_dots(ballot, participant)
    return {
        "ballot": ballot_dict(ballot),
        "mine": mine,
        "tally": tally(ballot) if can_see_tally(actor, atelier, ballot) else None,
        "facilitator": bool(actor is not None and actor.facilitates(atelier)),
    }


def require_tally_access(actor: Actor, atelier: Atelier) -> Ballot:
    """The ballot whose tally ``actor`` may read; ``NotFound`` / ``Forbidden`` otherwise."""
    ballot = current_ballot(atelier)
    if ballot is None:
        raise NotFound(gettext("Aucun vote dans cet atelier."))
    if not can_see_tally(actor, atelier, ballot):
        raise Forbidden(gettext("Les résultats seront visibles quand l'animateur les révélera."))
    return ballot

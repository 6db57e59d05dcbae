"""The participant's wall page, answered by the wall itself and, with the form as typed and
its errors, by the no-JavaScript forms posted from it (a card, a chantier)."""

from __future__ import annotations

from flask import render_template

from facilitation.domain.contributions import wall
from facilitation.domain.events import contribution_kind
from facilitation.domain.phases import current_round, effective_phase
from facilitation.domain.photos import with_photos
from facilitation.domain.snapshot import contribution_dict
from facilitation.edge.identity import participant_for
from facilitation.models import Atelier, Event


def wall_page(
    event: Event, atelier: Atelier, form: dict[str, str], errors: dict[str, str], cid: str
) -> str:
    """The wall with the card form: ``form`` as typed, ``errors`` by field, ``cid`` the
    client id the next post carries (a new one once the old one was refused).

    ``phase``: the round's phase, on the page root, so the first screen is the current moment
    of the round from the first paint (and without JavaScript): the form while collecting, the
    cards while voting, a waiting screen otherwise (CSS orders the sections by it)."""
    rnd = current_round(atelier)
    return render_template(
        "public/wall.html",
        event=event,
        atelier=atelier,
        participant=participant_for(event.id),
        contributions=with_photos([contribution_dict(c) for c in wall(atelier)]),
        version=atelier.version,
        form=form,
        errors=errors,
        client_id=cid,
        communes=list(event.communes or []),
        kind=contribution_kind(atelier.sequence),
        phase=effective_phase(rnd).value if rnd else "",
        anonymous=bool(rnd and rnd.anonymous),
    )

"""Joining an event without an account, and changing atelier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext, lazy_gettext

from facilitation.domain import profiles
from facilitation.domain.errors import Closed, NotFound, ValidationError
from facilitation.domain.events import get_atelier
from facilitation.domain.validation import N_, TextField, clean_partial, integer_id
from facilitation.domain.walls import wall_unchanged
from facilitation.extensions import db
from facilitation.models import Event, Participant
from facilitation.models.base import utcnow

JOIN_FIELDS = (
    TextField("display_name", N_("Nom affiché"), 60, required=True),
    TextField("structure", N_("Structure"), 120, required=True),
    TextField("commune", N_("Commune"), 80),
)

CONSENT_ERROR = lazy_gettext("Cochez la case pour accepter la conservation de ces informations.")


def join(event: Event, data: Mapping[str, Any], participant: Participant | None) -> Participant:
    """Create the participant (or update ``participant``) and place them in an atelier.

    Raises ``ValidationError`` with every field error at once.
    """
    if not event.is_open:
        raise Closed(gettext("Cet événement est clos : il n'est plus possible de le rejoindre."))
    values, errors = clean_partial(data, JOIN_FIELDS)
    atelier = None
    try:
        atelier_id = integer_id(data.get("atelier_id"), "atelier_id", "un atelier")
        atelier = get_atelier(event, atelier_id)
        if not atelier.sequence.kind_enum.has_ateliers:
            raise NotFound()
    except ValidationError as exc:
        errors.update(exc.errors)
    except NotFound:
        errors["atelier_id"] = gettext("Cet atelier n'existe pas : choisissez-en un dans la liste.")
    if not _accepted(data.get("consent")):
        errors["consent"] = CONSENT_ERROR
    # The optional « Se présenter » section: validated with the rest, saved after.
    profile_values: dict[str, Any] | None = None
    if profiles.has_profile_input(data):
        profile_values, profile_errors = profiles.clean_profile(data)
        errors.update(profile_errors)
    if errors:
        raise ValidationError(errors=errors)
    assert atelier is not None
    if participant is None or participant.event_id != event.id:
        participant = Participant(event_id=event.id, consent_at=utcnow(), **values)
        db.session.add(participant)
        # No card names a new participant yet: the cached walls stay valid (domain/walls.py).
        wall_unchanged()
    else:
        for key, value in values.items():
            setattr(participant, key, value)
    participant.current_atelier_id = atelier.id
    db.session.flush()
    if profile_values is not None:
        profiles.apply_profile(participant, profile_values)
    return participant


def _accepted(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.lower() in {"on", "1", "true", "oui"})

"""Typed SQLAlchemy models, one module per aggregate."""

from facilitation.models.access import FacilitatorLink, Organizer, event_organizer
from facilitation.models.atelier import Atelier
from facilitation.models.contribution import Contribution
from facilitation.models.event import Event, Sequence, SequenceKind
from facilitation.models.participant import Participant

__all__ = [
    "Atelier",
    "Contribution",
    "Event",
    "FacilitatorLink",
    "Organizer",
    "Participant",
    "Sequence",
    "SequenceKind",
    "event_organizer",
]

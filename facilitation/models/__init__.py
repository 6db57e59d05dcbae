"""Typed SQLAlchemy models, one module per aggregate."""

from facilitation.models.access import FacilitatorLink, Organizer, event_organizer
from facilitation.models.atelier import Atelier
from facilitation.models.chantier import (
    ChantierAddition,
    ChantierComment,
    ChantierDetail,
    Engagement,
    chantier_pratique,
)
from facilitation.models.contribution import Contribution
from facilitation.models.event import Event, Sequence, SequenceKind
from facilitation.models.participant import Participant

__all__ = [
    "Atelier",
    "ChantierAddition",
    "ChantierComment",
    "ChantierDetail",
    "Contribution",
    "Engagement",
    "Event",
    "FacilitatorLink",
    "Organizer",
    "Participant",
    "Sequence",
    "SequenceKind",
    "chantier_pratique",
    "event_organizer",
]

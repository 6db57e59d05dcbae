"""Typed SQLAlchemy models, one module per aggregate."""

from facilitation.models.access import (
    EventAuditEntry,
    FacilitatorLink,
    Organizer,
    OrganizerToken,
    event_organizer,
)
from facilitation.models.announcement import Announcement
from facilitation.models.assistant import AssistantDecision
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
from facilitation.models.interconnaissance import ContactRequest, Profile, TourDeTable
from facilitation.models.participant import Participant
from facilitation.models.photo import Photo
from facilitation.models.reaction import Reaction, ReactionKind
from facilitation.models.restitution import AtelierSynthesis, RestitutionSettings
from facilitation.models.round import Category, Phase, Round, RoundTransition
from facilitation.models.setup import EventLogo, ExpectedParticipant
from facilitation.models.vote import Ballot, BallotStatus, Dot, VoterBudget
from facilitation.models.wordcloud import CloudHiddenKey, CloudWord, WordCloud

__all__ = [
    "Announcement",
    "AssistantDecision",
    "Atelier",
    "Ballot",
    "BallotStatus",
    "Dot",
    "VoterBudget",
    "AtelierSynthesis",
    "ChantierAddition",
    "ChantierComment",
    "ChantierDetail",
    "ContactRequest",
    "Contribution",
    "Engagement",
    "Event",
    "EventAuditEntry",
    "EventLogo",
    "ExpectedParticipant",
    "FacilitatorLink",
    "Organizer",
    "OrganizerToken",
    "Participant",
    "Phase",
    "Photo",
    "Round",
    "RoundTransition",
    "Category",
    "CloudHiddenKey",
    "CloudWord",
    "Profile",
    "Reaction",
    "ReactionKind",
    "RestitutionSettings",
    "Sequence",
    "SequenceKind",
    "TourDeTable",
    "WordCloud",
    "chantier_pratique",
    "event_organizer",
]

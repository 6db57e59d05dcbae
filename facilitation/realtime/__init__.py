"""Socket.IO handlers: validate → domain → commit → broadcast. See PROTOCOL.md.

Importing a module registers its handlers on the shared ``socketio`` object.
"""

from facilitation.realtime import (  # noqa: F401
    announcements,  # the control room's announcements
    approval,  # « validation des cartes », « tour anonyme »
    assistant,  # the facilitator's assistant: duplicates and themes
    chantiers,  # chantiers, « Je m'engage »
    facilitation,  # rounds, moderation, control room
    handlers,  # joining an atelier, cards
    interconnaissance,  # who's who, tour de table
    reactions,  # « Moi aussi » on the pratiques
    rooms,  # the room index of the Socket.IO manager (fast disconnects)
    votes,  # dot-voting
    wordcloud,  # « en un mot », the word cloud
)

"""Socket.IO handlers: validate → domain → commit → broadcast. See PROTOCOL.md.

Importing a module registers its handlers on the shared ``socketio`` object.
"""

from facilitation.realtime import (  # noqa: F401
    announcements,  # the control room's announcements
    chantiers,  # chantiers, « Je m'engage »
    facilitation,  # rounds, moderation, control room
    handlers,  # joining an atelier, cards
    interconnaissance,  # who's who, tour de table
    rooms,  # the room index of the Socket.IO manager (fast disconnects)
    votes,  # dot-voting
    wordcloud,  # « en un mot », the word cloud
)

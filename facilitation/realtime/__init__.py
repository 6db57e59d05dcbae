"""Socket.IO handlers: validate → domain → commit → broadcast. See PROTOCOL.md."""

import facilitation.realtime.chantiers  # noqa: F401  (chantiers, « Je m'engage »)
import facilitation.realtime.facilitation  # noqa: F401  (rounds, moderation, control room)
import facilitation.realtime.interconnaissance  # noqa: F401  (who's who, tour de table)
from facilitation.realtime import handlers  # noqa: F401  (registers the handlers)
from facilitation.realtime import votes  # noqa: F401,E402  (dot-voting)

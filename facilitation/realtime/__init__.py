"""Socket.IO handlers: validate → domain → commit → broadcast. See PROTOCOL.md."""

import facilitation.realtime.chantiers  # noqa: F401  (chantiers, « Je m'engage »)
from facilitation.realtime import handlers  # noqa: F401  (registers the handlers)

"""Socket.IO handlers: validate → domain → commit → broadcast. See PROTOCOL.md."""

from facilitation.realtime import handlers  # noqa: F401  (registers the handlers)

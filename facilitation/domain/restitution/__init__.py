"""The restitution: the day's read model (``model``) and the plenary around it (``slides``).

``from facilitation.domain import restitution`` keeps working as when this was one module:
every public name is re-exported here.
"""

from facilitation.domain.restitution.model import (
    SCHEMA_ID,
    SCHEMA_VERSION,
    TOP_CHANTIERS,
    TOP_PRATIQUES,
    Audience,
    ateliers,
    can_view,
    require_viewer,
    restitution,
    top,
)
from facilitation.domain.restitution.slides import (
    SYNTHESIS_MAX_LENGTH,
    Slide,
    move_slide,
    natural_slides,
    publish,
    published_event,
    save_synthesis,
    set_hidden,
    settings_for,
    slides,
    synthesis_text,
    unpublish,
)

__all__ = [
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "SYNTHESIS_MAX_LENGTH",
    "TOP_CHANTIERS",
    "TOP_PRATIQUES",
    "Audience",
    "Slide",
    "ateliers",
    "can_view",
    "move_slide",
    "natural_slides",
    "publish",
    "published_event",
    "require_viewer",
    "restitution",
    "save_synthesis",
    "set_hidden",
    "settings_for",
    "slides",
    "synthesis_text",
    "top",
    "unpublish",
]

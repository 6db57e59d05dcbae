"""Chantiers intercommunaux: structured fields, co-building, « Je m'engage ».

A chantier is a ``Contribution`` of kind ``chantier`` with a ``ChantierDetail`` beside it.
Every write here is idempotent (a client-made id, or a "set" that is safe to repeat), bumps
the atelier's version and the chantier's own version in the same transaction
(``bump_versions``), and returns the new atelier version, or ``None`` when nothing changed (so
the caller broadcasts nothing).

Privacy: the public read model (``chantier_view``), which is broadcast to the atelier room,
never holds an engagement's contact. Contacts are read with ``engagement_contacts``, only by
the event's organizers and the chantier's porteur (the participant who proposed it), and only
when the person consented.

The package: ``fields`` (the fields and their checks), ``card`` (lookups and versions),
``building`` (propose, add, comment, consolidate), ``engagements`` (« Je m'engage »),
``views`` (read models).
"""

from __future__ import annotations

from facilitation.domain.chantiers.building import (
    add_comment,
    add_to_field,
    consolidate,
    create_chantier,
)
from facilitation.domain.chantiers.card import (
    bump_versions,
    check_visible,
    ensure_detail,
    get_chantier,
)
from facilitation.domain.chantiers.engagements import (
    disengage,
    engage,
    engagement_counts,
    my_engagement,
)
from facilitation.domain.chantiers.fields import (
    LABELS,
    TEXT_FIELD_NAMES,
    TEXT_FIELDS,
    clean_communes,
)
from facilitation.domain.chantiers.views import (
    can_see_contacts,
    chantier_list,
    chantier_view,
    chantier_views,
    engagement_contacts,
    event_pratiques,
)

__all__ = [
    "LABELS",
    "TEXT_FIELDS",
    "TEXT_FIELD_NAMES",
    "add_comment",
    "add_to_field",
    "bump_versions",
    "can_see_contacts",
    "chantier_list",
    "chantier_view",
    "chantier_views",
    "check_visible",
    "clean_communes",
    "consolidate",
    "create_chantier",
    "disengage",
    "engage",
    "engagement_contacts",
    "engagement_counts",
    "event_pratiques",
    "ensure_detail",
    "get_chantier",
    "my_engagement",
]

"""What a chantier is made of: its fields and their limits, and the checks of its communes and
the pratiques it builds on."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from facilitation.domain.errors import ValidationError
from facilitation.domain.validation import N_, TextField, integer_id
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event

TITRE = TextField("titre", N_("Titre du chantier"), 120, required=True)
#: The chantier's text fields, in the order of the form. Participants add to these.
TEXT_FIELDS = (
    TextField("constat", N_("Constat / problème"), 2000, multiline=True),
    TextField("objectif", N_("Objectif"), 1000, multiline=True),
    TextField("publics", N_("Publics visés"), 300),
    TextField("partenaires", N_("Partenaires à mobiliser"), 1000, multiline=True),
    TextField("etapes", N_("Premières étapes"), 1000, multiline=True),
    TextField("porteur", N_("Porteur pressenti"), 200),
)
TEXT_FIELD_NAMES = tuple(f.name for f in TEXT_FIELDS)
#: The proposer's structure, shown on the card like a pratique's.
STRUCTURE = TextField("structure", N_("Structure"), 120)
LABELS = {
    "titre": TITRE.label,
    **{f.name: f.label for f in TEXT_FIELDS},
    "communes": N_("Communes concernées"),
    "pratique_ids": N_("Pratiques du matin sur lesquelles il s'appuie"),
    "structure": N_("Votre structure"),
}
ADDITION = TextField("text", N_("Votre ajout"), 1000, required=True, multiline=True)
COMMENT = TextField("text", N_("Votre commentaire"), 1000, required=True, multiline=True)
CONTACT = TextField("contact", N_("Contact (e-mail ou téléphone)"), 200)
MAX_PRATIQUES = 20

CONSENT_REQUIRED = lazy_gettext(
    "Cochez la case pour accepter de partager votre contact avec le porteur du chantier et l'équipe organisatrice, ou laissez le contact vide."
)
NOT_A_CHANTIER_ATELIER = lazy_gettext(
    "Cet atelier recueille des pratiques : les chantiers se proposent dans les ateliers de l'après-midi."
)

#: The pratiques a chantier may link to: shown on their wall (not hidden, merged, withdrawn).
LINKABLE = (Contribution.kind == "pratique", Contribution.visible)


def clean_communes(raw: Any, event: Event) -> list[str]:
    """Communes chosen from the event's list only, deduplicated, in the event's order."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(c, str) for c in raw):
        raise ValidationError(
            errors={"communes": gettext("Choisissez les communes dans la liste.")}
        )
    allowed = list(event.communes or [])
    chosen = {c.strip() for c in raw if c.strip()}
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise ValidationError(
            errors={
                "communes": gettext(
                    "« %(v)s » n'est pas une commune du territoire de l'événement : choisissez dans la liste.",
                    v=unknown[0][:80],
                )
            }
        )
    return [c for c in allowed if c in chosen]


def clean_pratiques(raw: Any, event: Event) -> list[Contribution]:
    """Pratique cards of the same event (any atelier), deduplicated, in the given order."""
    if raw is None or raw == "":
        return []
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    ids: list[int] = []
    for item in raw:
        try:
            value = integer_id(item, "pratique_ids", "une pratique dans la liste")
        except ValidationError as exc:
            raise ValidationError(errors=exc.errors) from None
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_PRATIQUES:
        raise ValidationError(
            errors={
                "pratique_ids": gettext(
                    "Reliez au plus %(MAX_PRATIQUES)s pratiques à un chantier.",
                    MAX_PRATIQUES=MAX_PRATIQUES,
                )
            }
        )
    if not ids:
        return []
    found = {
        c.id: c
        for c in db.session.scalars(
            select(Contribution)
            .join(Atelier, Atelier.id == Contribution.atelier_id)
            .where(Contribution.id.in_(ids), Atelier.event_id == event.id, *LINKABLE)
        )
    }
    if len(found) != len(ids):
        raise ValidationError(
            errors={
                "pratique_ids": gettext(
                    "Une des pratiques choisies n'existe pas dans cet événement : choisissez dans la liste."
                )
            }
        )
    return [found[i] for i in ids]

"""Profiles (« Se présenter ») and the who's who of an atelier.

Consent rule, checked here once: another person sees a profile only when its owner ticked
« visible » (``Profile.visible``). Without it the participant appears nowhere beyond what they
already accepted at join (their name on their own contributions). The contact field is never
part of a public view: see ``domain.contacts``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from facilitation.domain.errors import ValidationError
from facilitation.domain.validation import N_, TextField, clean_partial
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Participant, Profile
from facilitation.models.base import utcnow
from facilitation.models.interconnaissance import STRUCTURE_KINDS, ContactRequest

#: Labels of the fixed list of kinds of structure, in the form's order.
STRUCTURE_KIND_LABELS: dict[str, str] = {
    "ccas": N_("CCAS / CIAS"),
    "association": N_("Association"),
    "departement": N_("Département"),
    "etat": N_("État (services déconcentrés)"),
    "bailleur": N_("Bailleur social"),
    "crous": N_("Crous"),
    "croix_rouge": N_("Croix-Rouge"),
    "commune": N_("Commune"),
    "autre": N_("Autre"),
}
assert tuple(STRUCTURE_KIND_LABELS) == STRUCTURE_KINDS
UNKNOWN_KIND_LABEL = N_("Non renseigné")

#: Form keys of the profile, with the « visible » checkbox and the contact.
PROFILE_KEYS = ("role", "structure_kind", "publics", "offers", "needs", "contact", "visible")

PROFILE_TEXT_FIELDS = (
    TextField("role", N_("Fonction"), 80),
    TextField("contact", N_("Contact à partager"), 200),
)
TAG_FIELDS = {
    "publics": N_("Publics accompagnés"),
    "offers": N_("Ce que je peux apporter"),
    "needs": N_("Ce que je cherche"),
}
MAX_TAGS = 8
MAX_TAG_LENGTH = 60
_TAG_SPLIT = re.compile(r"[,;\n]+")


def kind_label(kind: str) -> str:
    return STRUCTURE_KIND_LABELS.get(kind, UNKNOWN_KIND_LABEL)


def parse_tags(raw: Any, label: str) -> tuple[list[str], str | None]:
    """« logement, aide alimentaire ; mobilité » → tags; a list of strings is accepted too.

    Duplicates (case-insensitive) are dropped; returns ``(tags, error)``.
    """
    if raw is None:
        raw = ""
    if isinstance(raw, list | tuple):
        if not all(isinstance(item, str) for item in raw):
            return [], gettext("« %(label)s » doit être une liste de mots.", label=label)
        parts = [p for item in raw for p in _TAG_SPLIT.split(item)]
    elif isinstance(raw, str):
        parts = _TAG_SPLIT.split(raw)
    else:
        return [], gettext("« %(label)s » doit être un texte.", label=label)
    tags: list[str] = []
    seen: set[str] = set()
    for part in parts:
        value, _ = TextField("tag", label, MAX_TAG_LENGTH).clean(part)
        value = value.strip(" .-")
        if not value:
            continue
        if len(value) > MAX_TAG_LENGTH:
            return tags, gettext(
                "« %(label)s » : « %(v)s… » dépasse %(MAX_TAG_LENGTH)s caractères.",
                label=label,
                v=value[:20],
                MAX_TAG_LENGTH=MAX_TAG_LENGTH,
            )
        if value.casefold() not in seen:
            seen.add(value.casefold())
            tags.append(value)
    if len(tags) > MAX_TAGS:
        return tags, gettext(
            "« %(label)s » : %(MAX_TAGS)s éléments au maximum, séparés par des virgules.",
            label=label,
            MAX_TAGS=MAX_TAGS,
        )
    return tags, None


def has_profile_input(data: Mapping[str, Any]) -> bool:
    """Whether a form carried anything of the optional profile (the join form's section)."""
    return any((isinstance(data.get(k), str) and data.get(k, "").strip()) for k in PROFILE_KEYS)


def _accepted(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.lower() in {"on", "1", "true", "oui"})


def clean_profile(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate the profile fields; returns ``(values, errors)`` (errors keyed by field)."""
    values: dict[str, Any]
    texts, errors = clean_partial(data, PROFILE_TEXT_FIELDS)
    values = dict(texts)
    kind = data.get("structure_kind") or ""
    if not isinstance(kind, str) or kind not in ("", *STRUCTURE_KINDS):
        errors["structure_kind"] = gettext("Choisissez un type de structure dans la liste.")
        kind = ""
    values["structure_kind"] = kind
    for key, label in TAG_FIELDS.items():
        tags, error = parse_tags(data.get(key), label)
        values[key] = tags
        if error:
            errors[key] = error
    values["visible"] = _accepted(data.get("visible"))
    return values, errors


def save_profile(participant: Participant, data: Mapping[str, Any]) -> Profile:
    """Create or replace ``participant``'s profile from a form or JSON payload.

    Every field is replaced (an empty field clears it). Raises ``ValidationError``.
    """
    values, errors = clean_profile(data)
    if errors:
        raise ValidationError(errors=errors)
    return apply_profile(participant, values)


def apply_profile(participant: Participant, values: Mapping[str, Any]) -> Profile:
    """Write already-cleaned values (see ``clean_profile``)."""
    profile = get_profile(participant)
    if profile is None:
        profile = Profile(participant_id=participant.id, visible=False)
        db.session.add(profile)
    was_visible = bool(profile.visible)
    for key in ("role", "structure_kind", "publics", "offers", "needs", "contact"):
        setattr(profile, key, values[key])
    profile.visible = bool(values["visible"])
    if profile.visible and not was_visible:
        profile.visible_since = utcnow()
    elif not profile.visible:
        profile.visible_since = None
    profile.updated_at = utcnow()
    db.session.flush()
    return profile


def get_profile(participant: Participant) -> Profile | None:
    return db.session.get(Profile, participant.id)


def delete_profile(participant: Participant) -> bool:
    """Erase the profile (not the participant nor their contributions)."""
    profile = get_profile(participant)
    if profile is None:
        return False
    db.session.delete(profile)
    db.session.flush()
    return True


def is_visible(participant: Participant) -> bool:
    profile = get_profile(participant)
    return bool(profile and profile.visible)


def public_card(participant: Participant, profile: Profile) -> dict[str, Any]:
    """What others may see of a *visible* profile; never the contact."""
    if not profile.visible:
        raise ValueError("public_card() of a profile that is not visible")
    return {
        "id": participant.id,
        "display_name": participant.display_name,
        "structure": participant.structure,
        "commune": participant.commune,
        "role": profile.role,
        "structure_kind": profile.structure_kind,
        "structure_kind_label": kind_label(profile.structure_kind),
        "publics": list(profile.publics or []),
        "offers": list(profile.offers or []),
        "needs": list(profile.needs or []),
    }


def visible_in_event(event: Event) -> list[tuple[Participant, Profile]]:
    """Participants of ``event`` who consented to be visible, by name."""
    rows = db.session.execute(
        select(Participant, Profile)
        .join(Profile, Profile.participant_id == Participant.id)
        .where(Participant.event_id == event.id, Profile.visible.is_(True))
        .order_by(Participant.display_name, Participant.id)
    )
    return [(p, prof) for p, prof in rows]


def visible_in_atelier(atelier: Atelier) -> list[tuple[Participant, Profile]]:
    """Visible participants currently in ``atelier``, by structure, commune then name."""
    rows = db.session.execute(
        select(Participant, Profile)
        .join(Profile, Profile.participant_id == Participant.id)
        .where(Participant.current_atelier_id == atelier.id, Profile.visible.is_(True))
        .order_by(Participant.structure, Participant.commune, Participant.display_name)
    )
    return [(p, prof) for p, prof in rows]


def whoswho(atelier: Atelier) -> dict[str, Any]:
    """The who's who of an atelier: visible people grouped by structure and commune.

    ``hidden`` counts the people present who did not make their profile visible, so the
    facilitator knows the list is not everyone (no name is given for them).
    """
    present = db.session.scalar(
        select(db.func.count())
        .select_from(Participant)
        .where(Participant.current_atelier_id == atelier.id)
    )
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    people = visible_in_atelier(atelier)
    for participant, profile in people:
        key = (participant.structure, participant.commune)
        groups.setdefault(key, []).append(public_card(participant, profile))
    return {
        "atelier_id": atelier.id,
        "groups": [
            {"structure": structure, "commune": commune, "people": members}
            for (structure, commune), members in sorted(
                groups.items(), key=lambda item: (item[0][0].casefold(), item[0][1].casefold())
            )
        ],
        "visible": len(people),
        "hidden": int(present or 0) - len(people),
    }


def my_data(participant: Participant) -> dict[str, Any]:
    """Everything stored about ``participant`` (the « Mon profil » page shows it all)."""
    profile = get_profile(participant)
    contributions = list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.participant_id == participant.id)
            .order_by(Contribution.created_at)
        )
    )
    sent = list(
        db.session.scalars(
            select(ContactRequest).where(ContactRequest.from_participant_id == participant.id)
        )
    )
    received = list(
        db.session.scalars(
            select(ContactRequest).where(ContactRequest.to_participant_id == participant.id)
        )
    )
    return {
        "participant": participant,
        "profile": profile,
        "contributions": contributions,
        "requests_sent": sent,
        "requests_received": received,
    }

"""An event's programme: timed sequences (added, edited, moved, deleted) and the ateliers of
its atelier sequences. Both may be edited while the day runs; what screens show of them comes
back as new atelier versions for the caller to broadcast after its commit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import DomainError, ValidationError
from facilitation.domain.setup.parsing import compare_key, parse_time
from facilitation.domain.validation import TextField, clean_partial
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Sequence
from facilitation.models.event import SequenceKind

#: Translated when shown (``str()``); the French text is the default sequence title.
KIND_LABELS: dict[str, Any] = {
    SequenceKind.ACCUEIL.value: lazy_gettext("Accueil"),
    SequenceKind.PLENIERE.value: lazy_gettext("Plénière"),
    SequenceKind.ATELIERS_PRATIQUES.value: lazy_gettext("Ateliers pratiques"),
    SequenceKind.ATELIERS_CHANTIERS.value: lazy_gettext("Ateliers chantiers"),
    SequenceKind.PAUSE.value: lazy_gettext("Pause"),
    SequenceKind.RESTITUTION.value: lazy_gettext("Restitution"),
}
SEQUENCE_FIELDS = (
    TextField("title", "Titre", 200),
    TextField("starts_at", "Début", 10, required=True),
    TextField("ends_at", "Fin", 10),
)
ATELIER_FIELDS = (
    TextField("title", "Titre", 200, required=True),
    TextField("theme", "Thème", 200),
    TextField("question", "Question posée", 2000, multiline=True),
    TextField("room", "Salle", 120),
    TextField("capacity", "Capacité", 10),
    TextField("facilitators", "Animation", 300),
)
#: What phones, projectors and consoles show of an atelier (``snapshot.atelier_dict``):
#: changing one of them is a live change of the atelier (new version, ``atelier:updated``);
#: the capacity and the facilitators' names are the organizer's only.
SHOWN_ATELIER_FIELDS = ("title", "theme", "question", "room")


class InUse(DomainError):
    """Removing something that already holds the day's contributions."""

    code = "in_use"
    default_message: Any = lazy_gettext("Impossible : des contributions y sont déjà rattachées.")
    http_status = 409


# ------------------------------------------------------------------------- sequences
def _renumber(event: Event, ordered: list[Sequence]) -> None:
    """Positions 0..n-1 in ``ordered``; two flushes so ``UNIQUE(event_id, position)`` holds
    at every step."""
    for index, sequence in enumerate(ordered):
        sequence.position = -(index + 1)
    db.session.flush()
    for index, sequence in enumerate(ordered):
        sequence.position = index
    db.session.flush()
    event.sequences[:] = ordered


def clean_sequence(
    data: Mapping[str, Any], sequence: Sequence | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any]
    values, errors = clean_partial(data, SEQUENCE_FIELDS)
    kind = data.get("kind") if isinstance(data.get("kind"), str) else ""
    values["kind"] = kind if kind in KIND_LABELS else ""
    if not values["kind"]:
        errors["kind"] = _("Choisissez le type de séquence dans la liste.")
    elif not values["title"]:
        values["title"] = str(KIND_LABELS[values["kind"]])
    starts = parse_time(values["starts_at"]) if "starts_at" not in errors else None
    if "starts_at" not in errors and starts is None:
        errors["starts_at"] = _("Indiquez une heure de début, par exemple 09:30.")
    ends = None
    if values["ends_at"] and "ends_at" not in errors:
        ends = parse_time(values["ends_at"])
        if ends is None:
            errors["ends_at"] = _("Indiquez une heure de fin, par exemple 12:00, ou laissez vide.")
        elif starts is not None and ends <= starts:
            errors["ends_at"] = _("La fin doit venir après le début.")
    values["starts_value"], values["ends_value"] = starts, ends
    if sequence is not None and values["kind"] and values["kind"] != sequence.kind:
        if sequence.ateliers and not SequenceKind(values["kind"]).has_ateliers:
            errors["kind"] = _(
                "Cette séquence contient %(n)s atelier(s) : supprimez-les d'abord, ou gardez un "
                "type « ateliers ».",
                n=len(sequence.ateliers),
            )
        elif contribution_count(sequence.ateliers):
            errors["kind"] = _(
                "Ses ateliers ont déjà des contributions : le type ne peut plus changer."
            )
    return values, errors


def sequence_form(sequence: Sequence) -> dict[str, str]:
    return {
        "kind": sequence.kind,
        "title": sequence.title,
        "starts_at": sequence.starts_at.strftime("%H:%M"),
        "ends_at": sequence.ends_at.strftime("%H:%M") if sequence.ends_at else "",
    }


def add_sequence(actor: Actor, event: Event, data: Mapping[str, Any]) -> Sequence:
    """A new sequence, placed after the ones starting at the same time or earlier."""
    require_organizer(actor, event)
    values, errors = clean_sequence(data)
    if errors:
        raise ValidationError(errors=errors)
    ordered = list(event.sequences)
    index = sum(1 for s in ordered if s.starts_at <= values["starts_value"])
    sequence = Sequence(
        event_id=event.id,
        position=len(ordered) + 1000,
        kind=values["kind"],
        title=values["title"],
        starts_at=values["starts_value"],
        ends_at=values["ends_value"],
    )
    db.session.add(sequence)
    db.session.flush()
    ordered.insert(index, sequence)
    _renumber(event, ordered)
    return sequence


def update_sequence(actor: Actor, sequence: Sequence, data: Mapping[str, Any]) -> dict[int, int]:
    """Edit a programme slot, even while its ateliers run.

    Returns ``{atelier id: new version}`` for each atelier of the sequence when its title
    changed (phones, projectors and consoles show it in their header): the caller commits,
    then sends ``atelier:updated`` with each. Empty when nothing shown changed.
    """
    require_organizer(actor, sequence.event)
    values, errors = clean_sequence(data, sequence)
    if errors:
        raise ValidationError(errors=errors)
    renamed = sequence.title != values["title"]
    sequence.kind = values["kind"]
    sequence.title = values["title"]
    sequence.starts_at = values["starts_value"]
    sequence.ends_at = values["ends_value"]
    db.session.flush()
    if not renamed:
        return {}
    return {atelier.id: bump_version(atelier.id) for atelier in sequence.ateliers}


def move_sequence(actor: Actor, sequence: Sequence, offset: int) -> None:
    """One place earlier (``-1``) or later (``+1``) in the programme."""
    event = sequence.event
    require_organizer(actor, event)
    ordered = list(event.sequences)
    index = ordered.index(sequence)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(event, ordered)


def contribution_count(ateliers: list[Atelier]) -> int:
    """Every contribution ever posted in these ateliers (withdrawn and hidden ones too)."""
    ids = [a.id for a in ateliers if a.id is not None]
    if not ids:
        return 0
    return (
        db.session.scalar(
            select(func.count(Contribution.id)).where(Contribution.atelier_id.in_(ids))
        )
        or 0
    )


def delete_sequence(actor: Actor, sequence: Sequence) -> None:
    """Remove a sequence and its ateliers, unless they already hold contributions."""
    event = sequence.event
    require_organizer(actor, event)
    count = contribution_count(sequence.ateliers)
    if count:
        raise InUse(
            _(
                "Impossible de supprimer « %(title)s » : ses ateliers ont déjà %(n)s "
                "contribution(s). Modifiez plutôt ses horaires ou son titre.",
                title=sequence.title,
                n=count,
            )
        )
    if event.current_sequence_id == sequence.id:
        event.current_sequence = None
    event.sequences.remove(sequence)  # delete-orphan: the sequence and its ateliers go
    db.session.flush()
    _renumber(event, list(event.sequences))


# ------------------------------------------------------------------------- ateliers
def clean_atelier(
    data: Mapping[str, Any], sequence: Sequence, atelier: Atelier | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any]
    values, errors = clean_partial(data, ATELIER_FIELDS)
    values["capacity_value"] = None
    if values["capacity"] and "capacity" not in errors:
        # [0-9] and not str.isdigit(): « ² » is a digit for Python but not for int().
        if (
            re.fullmatch(r"[0-9]{1,5}", values["capacity"])
            and 0 < int(values["capacity"]) <= 10_000
        ):
            values["capacity_value"] = int(values["capacity"])
        else:
            errors["capacity"] = _("Indiquez un nombre de places (de 1 à 10 000), ou laissez vide.")
    if values["title"] and "title" not in errors:
        twin = next(
            (
                a
                for a in sequence.ateliers
                if compare_key(a.title) == compare_key(values["title"]) and a is not atelier
            ),
            None,
        )
        if twin is not None:
            errors["title"] = _(
                "Un atelier « %(title)s » existe déjà dans cette séquence : "
                "choisissez un autre titre.",
                title=twin.title,
            )
    return values, errors


def atelier_form(atelier: Atelier) -> dict[str, str]:
    return {
        "title": atelier.title,
        "theme": atelier.theme,
        "question": atelier.question,
        "room": atelier.room,
        "capacity": str(atelier.capacity) if atelier.capacity else "",
        "facilitators": atelier.facilitators,
    }


def apply_atelier(atelier: Atelier, values: Mapping[str, Any]) -> None:
    atelier.title = values["title"]
    atelier.theme = values["theme"]
    atelier.question = values["question"]
    atelier.room = values["room"]
    atelier.capacity = values["capacity_value"]
    atelier.facilitators = values["facilitators"]


def add_atelier(actor: Actor, sequence: Sequence, data: Mapping[str, Any]) -> Atelier:
    event = sequence.event
    require_organizer(actor, event)
    if not sequence.kind_enum.has_ateliers:
        raise ValidationError(
            _(
                "« %(title)s » n'est pas une séquence d'ateliers : changez son type en "
                "« Ateliers pratiques » ou « Ateliers chantiers » pour y ajouter des ateliers.",
                title=sequence.title,
            )
        )
    values, errors = clean_atelier(data, sequence)
    if errors:
        raise ValidationError(errors=errors)
    position = max((a.position for a in sequence.ateliers), default=-1) + 1
    atelier = Atelier(event_id=event.id, sequence=sequence, position=position)
    apply_atelier(atelier, values)
    db.session.add(atelier)
    db.session.flush()
    return atelier


def update_atelier(actor: Actor, atelier: Atelier, data: Mapping[str, Any]) -> int | None:
    """Edit an atelier, even while it runs.

    Returns the atelier's new version when something its screens show changed
    (``SHOWN_ATELIER_FIELDS``): the caller commits, then sends ``atelier:updated`` with it so
    phones and projectors redraw without a reload. ``None`` when only the capacity or the
    facilitators changed (or nothing did): nothing to send.
    """
    require_organizer(actor, atelier.event)
    values, errors = clean_atelier(data, atelier.sequence, atelier)
    if errors:
        raise ValidationError(errors=errors)
    before = [getattr(atelier, name) for name in SHOWN_ATELIER_FIELDS]
    apply_atelier(atelier, values)
    db.session.flush()
    if [getattr(atelier, name) for name in SHOWN_ATELIER_FIELDS] == before:
        return None
    return bump_version(atelier.id)


def delete_atelier(actor: Actor, atelier: Atelier) -> None:
    require_organizer(actor, atelier.event)
    count = contribution_count([atelier])
    if count:
        raise InUse(
            _(
                "Impossible de supprimer « %(title)s » : il a déjà %(n)s contribution(s).",
                title=atelier.title,
                n=count,
            )
        )
    atelier.sequence.ateliers.remove(atelier)  # delete-orphan
    db.session.flush()

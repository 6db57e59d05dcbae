"""Organizer accounts and an event's team: owners, invitations, passwords, the audit log.

An agency hosts several clients' days on one server: each event has its own team. Whoever
created an event is its owner; owners invite colleagues (a one-time link, shown once) and
remove them; every organizer runs the day. An event always keeps at least one owner.
Passwords change with the current one, or through a one-time reset link that an administrator
prints with the CLI (no mail server is assumed). Ending an organizer's sessions bumps
``Organizer.session_version``: every cookie and socket opened before stops counting.
Each of these actions is written to the event's audit log (``EventAuditEntry``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext, lazy_gettext
from sqlalchemy import delete, func, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from facilitation.domain.access import (
    MIN_PASSWORD_LENGTH,
    Actor,
    create_organizer,
    is_token,
    require_organizer,
)
from facilitation.domain.errors import Forbidden, NotFound, ValidationError
from facilitation.domain.validation import as_id
from facilitation.extensions import db
from facilitation.models import Event, EventAuditEntry, Organizer, OrganizerToken
from facilitation.models.access import ORGANIZER, OWNER, event_organizer
from facilitation.models.base import utcnow

INVITATION = "invitation"
RESET = "reset"
INVITATION_DAYS = 7
RESET_HOURS = 24

#: Audit codes and how the organizer pages say them.
ACTIONS = {
    "invitation.created": lazy_gettext("Invitation créée"),
    "invitation.revoked": lazy_gettext("Invitation révoquée"),
    "invitation.accepted": lazy_gettext("Invitation acceptée"),
    "organizer.removed": lazy_gettext("Organisateur·rice retiré·e"),
    "organizer.left": lazy_gettext("Organisateur·rice parti·e de l'équipe"),
    "password.changed": lazy_gettext("Mot de passe changé"),
    "password.reset_link": lazy_gettext("Lien de réinitialisation du mot de passe créé"),
    "password.reset": lazy_gettext("Mot de passe réinitialisé"),
}


# ------------------------------------------------------------------------- team
def role_in(organizer: Organizer, event: Event) -> str | None:
    """``owner``, ``organizer`` or ``None`` for someone outside the event's team."""
    return db.session.scalar(
        select(event_organizer.c.role).where(
            event_organizer.c.event_id == event.id,
            event_organizer.c.organizer_id == organizer.id,
        )
    )


def require_owner(actor: Actor, event: Event) -> Organizer:
    """The acting organizer if they own ``event``; ``Forbidden`` otherwise."""
    organizer = require_organizer(actor, event)
    if role_in(organizer, event) != OWNER:
        raise Forbidden(
            gettext(
                "Seuls les propriétaires de l'événement invitent ou retirent des organisateurs."
            )
        )
    return organizer


def team(event: Event) -> list[tuple[Organizer, str]]:
    """The event's organizers with their role, owners first, then by name."""
    rows = db.session.execute(
        select(Organizer, event_organizer.c.role)
        .join(event_organizer, event_organizer.c.organizer_id == Organizer.id)
        .where(event_organizer.c.event_id == event.id)
    ).all()
    return sorted(
        ((o, role) for o, role in rows), key=lambda r: (r[1] != OWNER, r[0].label.lower())
    )


def add_to_team(organizer: Organizer, event: Event, role: str = ORGANIZER) -> None:
    """Make ``organizer`` a member of ``event``'s team with ``role``; a member keeps their
    role unless ``role`` is owner (an invitation never demotes an owner)."""
    current = role_in(organizer, event)
    if current is None:
        db.session.execute(
            insert(event_organizer).values(event_id=event.id, organizer_id=organizer.id, role=role)
        )
        db.session.expire(organizer, ["events"])
    elif current != role == OWNER:
        db.session.execute(
            update(event_organizer)
            .where(
                event_organizer.c.event_id == event.id,
                event_organizer.c.organizer_id == organizer.id,
            )
            .values(role=OWNER)
        )
    db.session.flush()


def remove_from_team(actor: Actor, event: Event, organizer_id: object) -> Organizer:
    """An owner removes a member, or a member leaves; the last owner stays."""
    acting = require_organizer(actor, event)
    found = as_id(organizer_id)
    member = db.session.get(Organizer, found) if found is not None else None
    role = role_in(member, event) if member is not None else None
    if member is None or role is None:
        raise NotFound(gettext("Cette personne ne fait pas partie de l'équipe de l'événement."))
    leaving = member.id == acting.id
    if not leaving:
        require_owner(actor, event)
    if role == OWNER:
        owners = db.session.scalar(
            select(func.count()).where(
                event_organizer.c.event_id == event.id, event_organizer.c.role == OWNER
            )
        )
        if owners <= 1:
            raise Forbidden(
                gettext(
                    "L'événement doit garder au moins un·e propriétaire : invitez quelqu'un "
                    "d'autre avant de partir."
                )
            )
    db.session.execute(
        delete(event_organizer).where(
            event_organizer.c.event_id == event.id,
            event_organizer.c.organizer_id == member.id,
        )
    )
    db.session.expire(member, ["events"])
    record(event, acting, "organizer.left" if leaving else "organizer.removed", member.email)
    db.session.flush()
    return member


# ------------------------------------------------------------------------- one-time links
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(kind: str, lifetime: timedelta, **fields: object) -> tuple[OrganizerToken, str]:
    token = secrets.token_urlsafe(24)
    row = OrganizerToken(
        kind=kind, token_hash=_hash(token), expires_at=utcnow() + lifetime, **fields
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def invite(actor: Actor, event: Event, label: str = "", days: int = INVITATION_DAYS) -> str:
    """A new invitation to ``event``'s team; returns the token (shown once, only its hash is
    kept). Owners only."""
    owner = require_owner(actor, event)
    label = (label or "").strip()[:120]
    _row, token = _new_token(
        INVITATION, timedelta(days=days), event_id=event.id, created_by_id=owner.id, label=label
    )
    record(event, owner, "invitation.created", label)
    return token


def pending_invitations(event: Event) -> list[OrganizerToken]:
    """Invitations still usable: not accepted, not revoked, not expired."""
    return list(
        db.session.scalars(
            select(OrganizerToken)
            .where(
                OrganizerToken.kind == INVITATION,
                OrganizerToken.event_id == event.id,
                OrganizerToken.used_at.is_(None),
                OrganizerToken.revoked_at.is_(None),
                OrganizerToken.expires_at > utcnow(),
            )
            .order_by(OrganizerToken.created_at)
        )
    )


def revoke_invitation(actor: Actor, event: Event, invitation_id: object) -> None:
    owner = require_owner(actor, event)
    found = as_id(invitation_id)
    row = db.session.get(OrganizerToken, found) if found is not None else None
    if row is None or row.kind != INVITATION or row.event_id != event.id:
        raise NotFound(gettext("Cette invitation n'existe pas."))
    if row.revoked_at is None and row.used_at is None:
        row.revoked_at = utcnow()
        record(event, owner, "invitation.revoked", row.label)
        db.session.flush()


def resolve(kind: str, token: object) -> OrganizerToken:
    """The usable one-time link for ``token``; ``Forbidden`` saying why it is not."""
    invalid = (
        gettext("Ce lien d'invitation n'est pas valide.")
        if kind == INVITATION
        else gettext("Ce lien de réinitialisation n'est pas valide.")
    )
    if not is_token(token):
        raise Forbidden(invalid)
    row = db.session.scalar(
        select(OrganizerToken).where(
            OrganizerToken.token_hash == _hash(token), OrganizerToken.kind == kind
        )
    )
    if row is None:
        raise Forbidden(invalid)
    if row.used_at is not None:
        raise Forbidden(gettext("Ce lien a déjà servi : il ne fonctionne qu'une fois."))
    if row.revoked_at is not None:
        raise Forbidden(gettext("Ce lien a été révoqué : demandez-en un nouveau."))
    if row.expires_at <= utcnow():
        raise Forbidden(gettext("Ce lien a expiré : demandez-en un nouveau."))
    return row


def accept_invitation(token: str, organizer: Organizer) -> Event:
    """``organizer`` joins the invitation's event; the link is spent."""
    row = resolve(INVITATION, token)
    event = row.event
    assert event is not None
    add_to_team(organizer, event, ORGANIZER)
    row.used_at = utcnow()
    row.organizer_id = organizer.id
    record(event, organizer, "invitation.accepted", organizer.email)
    db.session.flush()
    return event


def accept_invitation_with_new_account(
    token: str, email: str, password: str, display_name: str = ""
) -> tuple[Organizer, Event]:
    """Create the account the invitation is for, then accept it (one transaction)."""
    resolve(INVITATION, token)  # refuse a spent link before creating anything
    organizer = create_organizer(email, password, (display_name or "").strip()[:120])
    return organizer, accept_invitation(token, organizer)


# ------------------------------------------------------------------------- passwords
def _check_new_password(password: str, confirmation: str) -> None:
    errors = {}
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = gettext(
            "Le mot de passe doit compter au moins %(MIN_PASSWORD_LENGTH)s caractères.",
            MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH,
        )
    elif password != confirmation:
        errors["confirmation"] = gettext("Les deux mots de passe ne sont pas identiques.")
    if errors:
        raise ValidationError(errors=errors)


def end_sessions(organizer: Organizer) -> None:
    """Every session opened before (cookies, sockets) stops counting as this organizer."""
    db.session.execute(
        update(Organizer)
        .where(Organizer.id == organizer.id)
        .values(session_version=Organizer.session_version + 1)
    )
    db.session.expire(organizer, ["session_version"])
    db.session.flush()


def change_password(organizer: Organizer, current: str, new: str, confirmation: str) -> None:
    """Set a new password after checking the current one; other sessions end."""
    if not check_password_hash(organizer.password_hash, current or ""):
        raise ValidationError(errors={"current": gettext("Le mot de passe actuel est inexact.")})
    _check_new_password(new, confirmation)
    organizer.password_hash = generate_password_hash(new)
    end_sessions(organizer)
    _record_everywhere(organizer, organizer, "password.changed")


def reset_link(email: str) -> tuple[Organizer, str]:
    """A one-time reset token for the account ``email`` (printed by an administrator)."""
    organizer = db.session.scalar(
        select(Organizer).where(Organizer.email == (email or "").strip().lower())
    )
    if organizer is None:
        raise NotFound(gettext("Aucun compte organisateur pour cette adresse."))
    _row, token = _new_token(RESET, timedelta(hours=RESET_HOURS), organizer_id=organizer.id)
    _record_everywhere(organizer, None, "password.reset_link", label="CLI")
    return organizer, token


def reset_password(token: str, new: str, confirmation: str) -> Organizer:
    """Set the password of the reset link's account; the link is spent, sessions end."""
    row = resolve(RESET, token)
    organizer = row.organizer
    assert organizer is not None
    _check_new_password(new, confirmation)
    organizer.password_hash = generate_password_hash(new)
    row.used_at = utcnow()
    end_sessions(organizer)
    _record_everywhere(organizer, organizer, "password.reset")
    return organizer


# ------------------------------------------------------------------------- audit log
def record(
    event: Event, actor: Organizer | None, action: str, detail: str = "", label: str = ""
) -> EventAuditEntry:
    """Append one line to ``event``'s audit log (``actor`` None: the command line)."""
    entry = EventAuditEntry(
        event_id=event.id,
        actor_id=actor.id if actor else None,
        actor_label=(actor.email if actor else label or "CLI")[:254],
        action=action,
        detail=(detail or "")[:254],
    )
    db.session.add(entry)
    return entry


def _record_everywhere(
    organizer: Organizer, actor: Organizer | None, action: str, label: str = ""
) -> None:
    for event in organizer.events:
        record(event, actor, action, organizer.email, label=label)
    db.session.flush()


def audit_log(event: Event, limit: int = 200) -> list[EventAuditEntry]:
    """The newest lines first."""
    return list(
        db.session.scalars(
            select(EventAuditEntry)
            .where(EventAuditEntry.event_id == event.id)
            .order_by(EventAuditEntry.at.desc(), EventAuditEntry.id.desc())
            .limit(limit)
        )
    )

"""Roles and what each may do: organizer, facilitator (secret link), participant.

The domain never reads the HTTP session: ``identity.actor_for(event)`` builds an ``Actor``
from it, and every write path asks one of the ``require_*`` rules below, which raise
``Forbidden`` (or ``NotJoined``) with a French message. Socket events and HTTP routes share
these rules, so the authorisation matrix is tested once, here.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from facilitation.domain.errors import Forbidden, NotFound, NotJoined, ValidationError
from facilitation.extensions import db
from facilitation.models import Atelier, Event, FacilitatorLink, Organizer, Participant
from facilitation.models.base import utcnow

MIN_PASSWORD_LENGTH = 10
#: Spent by a login with an unknown email too, so timing does not tell which emails exist.
_DUMMY_HASH = generate_password_hash("facilitation-dummy-password")


@dataclass(frozen=True)
class Actor:
    """Who is acting in one event: any of the three roles, possibly several at once."""

    event_id: int
    participant: Participant | None = None
    organizer: Organizer | None = None
    links: tuple[FacilitatorLink, ...] = field(default_factory=tuple)

    @property
    def is_organizer(self) -> bool:
        return self.organizer is not None and any(
            e.id == self.event_id for e in self.organizer.events
        )

    def facilitates(self, atelier: Atelier) -> bool:
        """Organizers of the event, or an active link for this atelier or the whole event."""
        if atelier.event_id != self.event_id:
            return False
        if self.is_organizer:
            return True
        return any(
            link.active
            and link.event_id == atelier.event_id
            and link.atelier_id in (None, atelier.id)
            for link in self.links
        )

    @property
    def role(self) -> str:
        """The strongest role, for logs and the client's UI (never for authorisation)."""
        if self.is_organizer:
            return "organizer"
        if self.links:
            return "facilitator"
        return "participant" if self.participant else "viewer"


def require_organizer(actor: Actor, event: Event) -> Organizer:
    if actor.event_id != event.id or not actor.is_organizer or actor.organizer is None:
        raise Forbidden(gettext("Réservé à l'équipe organisatrice de l'événement."))
    return actor.organizer


def require_facilitator(actor: Actor, atelier: Atelier) -> None:
    if not actor.facilitates(atelier):
        raise Forbidden(gettext("Réservé à l'animateur ou l'animatrice de cet atelier."))


def require_participant_in(actor: Actor, atelier: Atelier) -> Participant:
    """A participant of the event who is currently in ``atelier``."""
    return participant_in(actor.participant, atelier)


def participant_in(participant: Participant | None, atelier: Atelier) -> Participant:
    """``participant`` if they joined the event and are currently in ``atelier``; else
    ``NotJoined`` saying which (not joined at all, or joined another atelier)."""
    if participant is None or participant.event_id != atelier.event_id:
        raise NotJoined(gettext("Rejoignez l'événement pour contribuer."))
    if participant.current_atelier_id != atelier.id:
        raise NotJoined(
            gettext(
                "Vous êtes inscrit·e dans un autre atelier : rejoignez celui-ci pour y contribuer."
            )
        )
    return participant


# ------------------------------------------------------------------------- organizers
def normalise_email(raw: str) -> str:
    return (raw or "").strip().lower()


def create_organizer(email: str, password: str, display_name: str = "") -> Organizer:
    email = normalise_email(email)
    errors = {}
    if "@" not in email or len(email) > 254 or " " in email:
        errors["email"] = gettext("Indiquez une adresse e-mail valide.")
    elif db.session.scalar(select(Organizer).where(Organizer.email == email)) is not None:
        errors["email"] = gettext("Un compte existe déjà avec cette adresse.")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = gettext(
            "Le mot de passe doit compter au moins %(MIN_PASSWORD_LENGTH)s caractères.",
            MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH,
        )
    if errors:
        raise ValidationError(errors=errors)
    organizer = Organizer(
        email=email, password_hash=generate_password_hash(password), display_name=display_name
    )
    db.session.add(organizer)
    db.session.flush()
    return organizer


def authenticate(email: str, password: str) -> Organizer | None:
    """The organizer with these credentials, or ``None`` (same cost either way)."""
    organizer = db.session.scalar(
        select(Organizer).where(Organizer.email == normalise_email(email))
    )
    if organizer is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return organizer if check_password_hash(organizer.password_hash, password or "") else None


def grant_event(organizer: Organizer, event: Event) -> None:
    if event not in organizer.events:
        organizer.events.append(event)
        db.session.flush()


# ------------------------------------------------------------------------- facilitator links
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


def is_token(value: object) -> bool:
    """Shaped like a ``secrets.token_urlsafe`` secret (checked before hashing: a lone
    surrogate or another non-ASCII character is not a token, not an encoding error)."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def create_facilitator_link(
    event: Event, atelier: Atelier | None = None, label: str = ""
) -> tuple[FacilitatorLink, str]:
    """A new link and its token (shown once: only its hash is stored)."""
    if atelier is not None and atelier.event_id != event.id:
        raise NotFound(gettext("Cet atelier n'existe pas dans cet événement."))
    token = secrets.token_urlsafe(24)
    link = FacilitatorLink(
        event_id=event.id,
        atelier_id=atelier.id if atelier else None,
        label=label[:120],
        token_hash=_hash(token),
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def resolve_facilitator_link(token: str) -> FacilitatorLink:
    """The active link for ``token``; ``Forbidden`` if unknown or revoked."""
    if not is_token(token):
        raise Forbidden(gettext("Ce lien d'animation n'est pas valide."))
    link = db.session.scalar(
        select(FacilitatorLink).where(FacilitatorLink.token_hash == _hash(token))
    )
    if link is None:
        raise Forbidden(gettext("Ce lien d'animation n'est pas valide."))
    if not link.active:
        raise Forbidden(
            gettext(
                "Ce lien d'animation a été révoqué : demandez-en un nouveau à l'équipe organisatrice."
            )
        )
    return link


def revoke_facilitator_link(link: FacilitatorLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        db.session.flush()


def regenerate_facilitator_link(link: FacilitatorLink) -> tuple[FacilitatorLink, str]:
    """Revoke ``link`` and make a new one with the same scope and label."""
    revoke_facilitator_link(link)
    return create_facilitator_link(link.event, link.atelier, link.label)

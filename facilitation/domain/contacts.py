"""« Demander la mise en relation »: contact requests and mutual acceptance.

Rules:

- one may ask someone of the same event whose profile is visible (never oneself);
- asking is the sender's acceptance to share their contact with the recipient;
- only the recipient answers (accept or decline); the sender may not answer for them;
- the contact fields are shown, both ways, only when the request is accepted; if each asked
  the other, the second request accepts the first (both said yes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import gettext
from sqlalchemy import or_, select

from facilitation.domain.errors import Forbidden, NotFound, ValidationError
from facilitation.domain.once import add_once
from facilitation.domain.profiles import get_profile, is_visible
from facilitation.domain.validation import N_, TextField, clean, integer_id
from facilitation.extensions import db
from facilitation.models import ContactRequest, Participant
from facilitation.models.base import utcnow

MESSAGE_FIELD = (TextField("message", N_("Message"), 500, multiline=True),)
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
STATUS_LABELS = {PENDING: "En attente", ACCEPTED: "Acceptée", DECLINED: "Déclinée"}
Row = TypeVar("Row")


def _of_event(
    model: type[Row], raw_id: Any, key: str, label: str, me: Participant, missing: str
) -> Row:
    """The ``model`` row ``raw_id`` in ``me``'s event (``key``, ``label``: how a malformed id
    is reported); else ``NotFound(missing)``, marked with ``N_`` and translated here."""
    row = db.session.get(model, integer_id(raw_id, key, label))
    if row is None or row.event_id != me.event_id:  # type: ignore[attr-defined]
        raise NotFound(gettext(missing))
    return row


def _other_participant(sender: Participant, raw_id: Any) -> Participant:
    missing = N_("Cette personne ne participe pas à cet événement.")
    return _of_event(Participant, raw_id, "to", "une personne", sender, missing)


def request_contact(sender: Participant, data: Mapping[str, Any]) -> ContactRequest:
    """Ask ``data["to"]`` to be put in touch; idempotent (asking twice keeps one request)."""
    values = clean(data, MESSAGE_FIELD)
    other = _other_participant(sender, data.get("to"))
    if other.id == sender.id:
        raise ValidationError(gettext("Vous ne pouvez pas vous demander vous-même."))
    if not is_visible(other):
        # Same answer as an unknown person: a hidden profile must not be revealed.
        raise NotFound(gettext("Cette personne ne participe pas à cet événement."))
    existing = _between(sender.id, other.id)
    if existing is not None:
        return existing
    reverse = _between(other.id, sender.id)
    if reverse is not None and reverse.status == PENDING:
        # They asked me first: asking back is saying yes to their request.
        reverse.status = ACCEPTED
        reverse.answered_at = utcnow()
        db.session.flush()
        return reverse
    contact = ContactRequest(
        event_id=sender.event_id,
        from_participant_id=sender.id,
        to_participant_id=other.id,
        message=values["message"],
        status=PENDING,
    )
    # A double tap can race this insert: the unique (from, to) keeps one, we return it.
    return add_once(contact, lambda: _between(sender.id, other.id))[0]


def answer(recipient: Participant, request_id: Any, accept: bool) -> ContactRequest:
    """The recipient accepts or declines; anyone else is refused."""
    contact = _request(request_id, recipient)
    if contact.to_participant_id != recipient.id:
        raise Forbidden(gettext("Seule la personne sollicitée peut répondre à cette demande."))
    contact.status = ACCEPTED if accept else DECLINED
    contact.answered_at = utcnow()
    db.session.flush()
    return contact


def cancel(sender: Participant, request_id: Any) -> None:
    """The sender withdraws their request (and so their acceptance): it is deleted.

    The recipient withdraws theirs with ``answer(..., accept=False)``; either way the contacts
    stop being shown at once.
    """
    contact = _request(request_id, sender)
    if contact.from_participant_id != sender.id:
        raise Forbidden(gettext("Seule la personne qui a fait la demande peut l'annuler."))
    db.session.delete(contact)
    db.session.flush()


def _request(request_id: Any, me: Participant) -> ContactRequest:
    missing = N_("Cette demande n'existe pas.")
    return _of_event(ContactRequest, request_id, "request_id", "une demande", me, missing)


def _between(from_id: int, to_id: int) -> ContactRequest | None:
    return db.session.scalar(
        select(ContactRequest).where(
            ContactRequest.from_participant_id == from_id,
            ContactRequest.to_participant_id == to_id,
        )
    )


@dataclass(frozen=True)
class RequestView:
    """A request seen by one of its two people."""

    request: ContactRequest
    other: Participant
    incoming: bool
    #: The other's contact: set only when accepted (mutual acceptance).
    contact: str | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.request.status]


def shared_contact(viewer: Participant, contact: ContactRequest) -> str | None:
    """The other person's contact if, and only if, both accepted; else ``None``.

    A person who left the contact field empty shares "" (accepted, nothing to show).
    """
    if viewer.id not in (contact.from_participant_id, contact.to_participant_id):
        return None
    if contact.status != ACCEPTED:
        return None
    other_id = (
        contact.to_participant_id
        if contact.from_participant_id == viewer.id
        else contact.from_participant_id
    )
    other = db.session.get(Participant, other_id)
    profile = get_profile(other) if other else None
    return profile.contact if profile else ""


def requests_of(participant: Participant) -> tuple[list[RequestView], list[RequestView]]:
    """``(sent, received)`` requests of ``participant``, newest first."""
    rows = db.session.scalars(
        select(ContactRequest)
        .where(
            or_(
                ContactRequest.from_participant_id == participant.id,
                ContactRequest.to_participant_id == participant.id,
            )
        )
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
    )
    sent, received = [], []
    for contact in rows:
        incoming = contact.to_participant_id == participant.id
        other = contact.sender if incoming else contact.recipient
        view = RequestView(contact, other, incoming, shared_contact(participant, contact))
        (received if incoming else sent).append(view)
    return sent, received


def requested_ids(participant: Participant) -> set[int]:
    """Ids of the people already asked by, or asking, ``participant``."""
    sent, received = requests_of(participant)
    return {v.other.id for v in sent} | {v.other.id for v in received}

"""An event's team and organizer accounts: owners, invitations, passwords, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from facilitation.domain import access, accounts
from facilitation.domain.access import Actor
from facilitation.domain.errors import Forbidden, NotFound, ValidationError
from facilitation.domain.events import listed_events
from facilitation.extensions import db
from facilitation.models import Event, Organizer, OrganizerToken
from facilitation.models.base import utcnow

PASSWORD = "un mot de passe solide"


@pytest.fixture
def make_organizer(app: Flask) -> Callable[..., Organizer]:
    """Factory: an organizer account, owner (or ``role``) of ``event`` when given."""
    count = iter(range(1, 1000))

    def make(event: Event | None = None, role: str = "owner", **kw: str) -> Organizer:
        n = next(count)
        organizer = access.create_organizer(
            kw.get("email", f"orga{n}@example.org"), PASSWORD, kw.get("name", f"Orga {n}")
        )
        if event is not None:
            accounts.add_to_team(organizer, event, role)
        db.session.commit()
        return organizer

    return make


def actor(organizer: Organizer, event: Event) -> Actor:
    return Actor(event_id=event.id, organizer=organizer)


def test_an_invited_colleague_joins_as_organizer_and_the_link_is_spent(
    make_event: Callable[..., Event], make_organizer: Callable[..., Organizer]
) -> None:
    event = make_event()
    owner = make_organizer(event)
    token = accounts.invite(actor(owner, event), event, "Camille, CCAS")
    colleague, joined = accounts.accept_invitation_with_new_account(
        token, "Camille@Example.org", PASSWORD, "Camille"
    )
    db.session.commit()
    assert joined == event
    assert accounts.role_in(colleague, event) == "organizer"
    assert actor(colleague, event).is_organizer
    with pytest.raises(Forbidden, match="déjà servi"):
        accounts.accept_invitation(token, make_organizer())
    assert [e.action for e in reversed(accounts.audit_log(event))] == [
        "invitation.created",
        "invitation.accepted",
    ]


def test_only_owners_invite_and_remove(
    make_event: Callable[..., Event], make_organizer: Callable[..., Organizer]
) -> None:
    event = make_event()
    owner = make_organizer(event)
    member = make_organizer(event, role="organizer")
    with pytest.raises(Forbidden, match="propriétaires"):
        accounts.invite(actor(member, event), event)
    with pytest.raises(Forbidden, match="propriétaires"):
        accounts.remove_from_team(actor(member, event), event, owner.id)
    outsider = make_organizer()
    with pytest.raises(Forbidden):
        accounts.invite(actor(outsider, event), event)
    accounts.remove_from_team(actor(owner, event), event, member.id)
    db.session.commit()
    assert accounts.role_in(member, event) is None
    assert not actor(member, event).is_organizer
    assert accounts.audit_log(event)[0].action == "organizer.removed"


def test_an_event_always_keeps_an_owner(
    make_event: Callable[..., Event], make_organizer: Callable[..., Organizer]
) -> None:
    event = make_event()
    owner = make_organizer(event)
    member = make_organizer(event, role="organizer")
    with pytest.raises(Forbidden, match="au moins un·e propriétaire"):
        accounts.remove_from_team(actor(owner, event), event, owner.id)
    accounts.remove_from_team(actor(member, event), event, member.id)  # a member may leave
    assert [o for o, _role in accounts.team(event)] == [owner]
    with pytest.raises(NotFound):
        accounts.remove_from_team(actor(owner, event), event, 10**12)


def test_an_invitation_expires_and_can_be_revoked(
    make_event: Callable[..., Event], make_organizer: Callable[..., Organizer]
) -> None:
    event = make_event()
    owner = make_organizer(event)
    old = accounts.invite(actor(owner, event), event, "ancienne")
    revoked = accounts.invite(actor(owner, event), event, "révoquée")
    row = db.session.scalar(select(OrganizerToken).where(OrganizerToken.label == "ancienne"))
    row.expires_at = utcnow() - timedelta(seconds=1)
    revoked_row = accounts.pending_invitations(event)[0]
    accounts.revoke_invitation(actor(owner, event), event, revoked_row.id)
    assert accounts.pending_invitations(event) == []
    with pytest.raises(Forbidden, match="expiré"):
        accounts.accept_invitation(old, make_organizer())
    with pytest.raises(Forbidden, match="révoqué"):
        accounts.accept_invitation(revoked, make_organizer())
    for bad in ("", "x" * 10, 12, None, "\ud800" * 20):
        with pytest.raises(Forbidden):
            accounts.accept_invitation(bad, owner)  # type: ignore[arg-type]


def test_a_password_change_asks_the_current_one_and_ends_other_sessions(
    make_event: Callable[..., Event], make_organizer: Callable[..., Organizer]
) -> None:
    event = make_event()
    owner = make_organizer(event)
    before = owner.session_version
    with pytest.raises(ValidationError) as wrong:
        accounts.change_password(owner, "inexact", "nouveau mot de passe", "nouveau mot de passe")
    assert "current" in wrong.value.errors
    with pytest.raises(ValidationError) as short:
        accounts.change_password(owner, PASSWORD, "court", "court")
    assert "password" in short.value.errors
    with pytest.raises(ValidationError) as mismatch:
        accounts.change_password(owner, PASSWORD, "nouveau mot de passe", "autre mot de passe")
    assert "confirmation" in mismatch.value.errors
    accounts.change_password(owner, PASSWORD, "nouveau mot de passe", "nouveau mot de passe")
    db.session.commit()
    assert owner.session_version == before + 1
    assert access.authenticate(owner.email, "nouveau mot de passe") == owner
    assert access.authenticate(owner.email, PASSWORD) is None
    assert accounts.audit_log(event)[0].action == "password.changed"


def test_a_reset_link_works_once(
    make_event: Callable[..., Event], make_organizer: Callable[..., Organizer]
) -> None:
    event = make_event()
    owner = make_organizer(event)
    account, token = accounts.reset_link(owner.email.upper())
    assert account == owner
    accounts.reset_password(token, "réinitialisé 2026", "réinitialisé 2026")
    db.session.commit()
    assert access.authenticate(owner.email, "réinitialisé 2026") == owner
    with pytest.raises(Forbidden, match="déjà servi"):
        accounts.reset_password(token, "encore un autre", "encore un autre")
    with pytest.raises(NotFound):
        accounts.reset_link("personne@example.org")
    assert {e.action for e in accounts.audit_log(event)} == {
        "password.reset_link",
        "password.reset",
    }


def test_the_home_page_lists_only_events_that_asked(make_event: Callable[..., Event]) -> None:
    hidden = make_event()
    listed = make_event(listed_on_home=True)
    closed = make_event(listed_on_home=True, status="clos")
    assert listed in listed_events()
    assert hidden not in listed_events()
    assert closed not in listed_events()

"""« Équipe »: an event's organizers, its invitations and its audit log.

Every organizer of the event sees the page; owners invite (a one-time link, shown once, in
this response only: its hash is kept), revoke invitations and remove organizers; anyone may
leave the team, except its last owner (``domain.accounts``). A removed organizer's open
sockets are cut at once (``push.sessions``). Every change is in the audit log below.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from facilitation.domain import accounts
from facilitation.domain.errors import DomainError
from facilitation.domain.validation import as_int
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.models import Event
from facilitation.models.access import OWNER
from facilitation.push import sessions
from facilitation.web.guards import EVENT_PREFIX, login_required, organizer_event
from facilitation.web.urls import public_url

bp = Blueprint("team", __name__, url_prefix=EVENT_PREFIX)


@bp.route("/equipe", methods=["GET", "POST"])
@login_required
def team(slug: str):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    fresh = None
    if request.method == "POST":
        try:
            result = _act(event, request.form.get("action", ""))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for(".team", slug=slug), 303)
        if isinstance(result, Response):
            return result
        fresh = result
    actor = actor_for(event.id)
    me = actor.organizer
    assert me is not None
    is_owner = accounts.role_in(me, event) == OWNER
    members = accounts.team(event)
    return render_template(
        "organizer/team.html",
        event=event,
        me=me,
        is_owner=is_owner,
        members=members,
        # The last owner cannot leave: no button that could only be refused.
        owners=sum(1 for _member, role in members if role == OWNER),
        tz=_zone(event),
        invitations=accounts.pending_invitations(event) if is_owner else [],
        log=accounts.audit_log(event),
        actions=accounts.ACTIONS,
        fresh=fresh,
        invitation_days=accounts.INVITATION_DAYS,
    )


def _zone(event: Event) -> ZoneInfo:
    """Times on the page in the event's time zone, as the team reads them on the day."""
    try:
        return ZoneInfo(event.timezone or "Europe/Paris")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Paris")


def _act(event: Event, action: str) -> str | Response:
    """One change of the team; the new invitation's address (to show once) or a redirect."""
    actor = actor_for(event.id)
    here = url_for(".team", slug=event.slug)
    if action == "invite":
        token = accounts.invite(actor, event, request.form.get("label", ""))
        db.session.commit()
        return public_url("account.invitation", token=token)
    if action == "revoke":
        accounts.revoke_invitation(actor, event, as_int(request.form.get("invitation_id")))
        db.session.commit()
        flash(gettext("Invitation révoquée : le lien ne fonctionne plus."), "success")
        return redirect(here, 303)
    if action == "remove":
        me = actor.organizer
        member = accounts.remove_from_team(actor, event, as_int(request.form.get("organizer_id")))
        db.session.commit()
        # Their open régie and consoles stop now, on every worker.
        sessions.end_organizer(member.id, "removed")
        if me is not None and member.id == me.id:
            flash(gettext("Vous avez quitté l'équipe de « %(title)s ».", title=event.title), "info")
            return redirect(url_for("organizer.home"), 303)
        flash(gettext("%(name)s ne fait plus partie de l'équipe.", name=member.label), "success")
        return redirect(here, 303)
    abort(400)

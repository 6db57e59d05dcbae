"""An organizer's own account: « Mon compte » (change the password), an invitation link to an
event's team, a password reset link printed by an administrator (``flask organizer
reset-link``).

A password change or reset ends every other session of the account (``accounts.end_sessions``
in the domain, and ``push.sessions`` cuts the open sockets); the browser that changed it is
logged in again, so it stays logged in. Invitation and reset links are one-time: a spent,
revoked or expired one answers with the domain's French reason.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from facilitation.domain import accounts
from facilitation.domain.access import MIN_PASSWORD_LENGTH
from facilitation.domain.errors import ValidationError
from facilitation.edge.identity import current_organizer, login_organizer
from facilitation.edge.ratelimit import limit_token_form
from facilitation.extensions import db
from facilitation.push import sessions
from facilitation.web.guards import require_login

bp = Blueprint("account", __name__, url_prefix="/organisateur")


def _page(template: str, errors: dict[str, str], **values: Any) -> tuple[str, int]:
    page = render_template(template, errors=errors, min_length=MIN_PASSWORD_LENGTH, **values)
    return page, (422 if errors else 200)


@bp.route("/compte", methods=["GET", "POST"])
def account():  # type: ignore[no-untyped-def]
    """« Mon compte »: the password changes with the current one; other sessions end."""
    me = require_login()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            accounts.change_password(
                me,
                request.form.get("current", ""),
                request.form.get("password", ""),
                request.form.get("confirmation", ""),
            )
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors or {"password": exc.message}
        else:
            db.session.commit()
            # The new session version: this browser stays logged in, the others are out.
            login_organizer(me)
            sessions.end_organizer(me.id, "password")
            flash(
                gettext(
                    "Mot de passe changé. Vos autres sessions (autres navigateurs, autres "
                    "appareils) sont fermées."
                ),
                "success",
            )
            return redirect(url_for(".account"), 303)
    events = sorted(me.events, key=lambda e: (e.date, e.title))
    return _page("organizer/account.html", errors, me=me, events=events)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limit_token_form
def invitation(token: str):  # type: ignore[no-untyped-def]
    """Join an event's team: logged in, accept; else log in first, or create an account."""
    row = accounts.resolve(accounts.INVITATION, token)  # Forbidden: the French reason, 403
    event = row.event
    assert event is not None
    me = current_organizer()
    errors: dict[str, str] = {}
    form = {"email": "", "display_name": ""}
    login_url = url_for("organizer.login", suivant=request.path)
    if request.method == "POST":
        if request.form.get("action") == "accept" and me is not None:
            accounts.accept_invitation(token, me)
            db.session.commit()
        else:
            form = {k: request.form.get(k, "") for k in form}
            password = request.form.get("password", "")
            if password != request.form.get("confirmation", ""):
                errors["confirmation"] = gettext("Les deux mots de passe ne sont pas identiques.")
            else:
                try:
                    me, _event = accounts.accept_invitation_with_new_account(
                        token, form["email"], password, form["display_name"]
                    )
                except ValidationError as exc:
                    db.session.rollback()
                    errors = exc.errors or {"email": exc.message}
            if errors:
                return _page(
                    "organizer/invitation.html",
                    errors,
                    event=event,
                    row=row,
                    me=None,
                    form=form,
                    login_url=login_url,
                )
            assert me is not None
            db.session.commit()
            login_organizer(me)
        flash(gettext("Bienvenue dans l'équipe de « %(title)s ».", title=event.title), "success")
        return redirect(url_for("event_setup.programme", slug=event.slug), 303)
    member = me is not None and accounts.role_in(me, event) is not None
    return _page(
        "organizer/invitation.html",
        errors,
        event=event,
        row=row,
        me=me,
        member=member,
        form=form,
        login_url=login_url,
    )


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limit_token_form
def reset(token: str):  # type: ignore[no-untyped-def]
    """A new password from a one-time reset link; then log in with it."""
    row = accounts.resolve(accounts.RESET, token)  # Forbidden: the French reason, 403
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            organizer = accounts.reset_password(
                token, request.form.get("password", ""), request.form.get("confirmation", "")
            )
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors or {"password": exc.message}
        else:
            db.session.commit()
            sessions.end_organizer(organizer.id, "password")
            flash(
                gettext("Mot de passe enregistré. Connectez-vous avec le nouveau mot de passe."),
                "success",
            )
            return redirect(url_for("organizer.login"), 303)
    return _page("organizer/reset.html", errors, account=row.organizer)

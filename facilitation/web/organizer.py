"""The organizer area: login, logout, « Mes événements » and creating an event.

An event's own pages (settings, programme, régie, links, restitution …) live in their
blueprints under ``guards.EVENT_PREFIX``; these are the pages before any event is chosen.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from facilitation.domain import access, accounts, setup
from facilitation.edge.identity import current_organizer, login_organizer, logout_organizer
from facilitation.edge.ratelimit import limit_login
from facilitation.extensions import db
from facilitation.models import Event, Organizer
from facilitation.models.event import EventStatus
from facilitation.push import sessions
from facilitation.web.event_setup import EVENT_KEYS, form_page, form_values, save, save_logo
from facilitation.web.guards import require_login
from facilitation.web.urls import safe_next

bp = Blueprint("organizer", __name__, url_prefix="/organisateur")


@bp.route("/connexion", methods=["GET", "POST"])
@limit_login
def login():  # type: ignore[no-untyped-def]
    email = ""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "")
        organizer = access.authenticate(email, request.form.get("password", ""))
        if organizer is None:
            error = gettext("Adresse e-mail ou mot de passe incorrect.")
        else:
            login_organizer(organizer)
            return redirect(_next_url() or url_for(".home"), 303)
    status = 401 if error else 200
    return render_template("organizer/login.html", email=email, error=error), status


def _next_url() -> str | None:
    """Only a local path: never an open redirect to another site."""
    return safe_next(request.args.get("suivant"))


@bp.post("/deconnexion")
def logout():  # type: ignore[no-untyped-def]
    """This cookie forgets the login, and every other session of the account ends too (a
    copy of the cookie replayed later, a socket still open): server-side, at once."""
    organizer = current_organizer()
    logout_organizer()
    if organizer is not None:
        accounts.end_sessions(organizer)
        db.session.commit()
        sessions.end_organizer(organizer.id, "logout")
    flash(gettext("Vous êtes déconnecté·e."), "info")
    return redirect(url_for(".login"), 303)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    """« Mes événements »: the events this organizer may run."""
    organizer = require_login()
    events = sorted(organizer.events, key=lambda e: (e.date, e.title))
    return render_template("organizer/home.html", organizer=organizer, events=events)


@bp.route("/nouvel-evenement", methods=["GET", "POST"])
def new_event():  # type: ignore[no-untyped-def]
    """The event settings form, empty: the new event's programme comes next."""
    organizer = require_login()
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = form_values(EVENT_KEYS)
        event, errors = save(_create_event, organizer)
        if event is not None:
            flash(
                gettext("Événement créé. Ajoutez maintenant les séquences de la journée."),
                "success",
            )
            return redirect(url_for("event_setup.programme", slug=event.slug), 303)
    else:
        form = {"timezone": setup.DEFAULT_TIMEZONE, "status": EventStatus.OPEN.value}
    return form_page("event_setup/event_form.html", errors, event=None, form=form)


def _create_event(organizer: Organizer) -> Event:
    event = setup.create_event(organizer, request.form)
    save_logo(event)
    return event

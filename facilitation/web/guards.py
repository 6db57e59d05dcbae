"""The one way organizer pages are guarded.

Two questions, asked in this order by every organizer page:

1. **Who is logged in?** ``@login_required`` (or ``require_login()``): nobody, and the browser
   goes to the login page with ``suivant`` set, then comes back here after logging in.
2. **May they act on this event?** ``organizer_event(slug)``: the event's organizers only,
   else the domain's French 403 (``access.require_organizer``). ``event_viewer(slug)`` is the
   wider read access of the restitution (organizers, and facilitators with an event-wide link).

A page that skips step 1 answers 403 to a visitor who is not logged in rather than sending
them to the login page: a POST target, or a page only ever reached from a logged-in one.

``EVENT_PREFIX`` is the URL of an event in the organizer area: the blueprints of the organizer
pages take it as their ``url_prefix``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, redirect, request, url_for
from werkzeug.wrappers import Response

from facilitation.domain import restitution
from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.events import get_event
from facilitation.edge.identity import actor_for, current_organizer
from facilitation.models import Event, Organizer

#: Where an event's organizer pages live; the ``url_prefix`` of their blueprints.
EVENT_PREFIX = "/organisateur/e/<slug>"

F = TypeVar("F", bound=Callable[..., Any])


class LoginRequired(Exception):
    """Nobody is logged in: answered with the login page's redirect, back to ``next_path``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def require_login() -> Organizer:
    """The logged-in organizer; else ``LoginRequired`` (the login page, then back here)."""
    organizer = current_organizer()
    if organizer is None:
        raise LoginRequired(request.path)
    return organizer


def login_required(view: F) -> F:
    """Decorate a view: ``require_login()`` before anything else, the event lookup included."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        require_login()
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def organizer_event(slug: str) -> Event:
    """The event, for its organizers only (``NotFound``, else ``Forbidden``)."""
    event = get_event(slug)
    require_organizer(actor_for(event.id), event)
    return event


def event_viewer(slug: str) -> tuple[Event, Actor]:
    """The event and who is looking, for the restitution's readers: its organizers and the
    facilitators holding an event-wide link.

    Someone with no organizer login and no facilitator link at all is sent to the login page
    (back to this exact URL, query string included, e.g. an export's format); anyone else who
    may not read it gets the restitution's French 403.
    """
    event = get_event(slug)
    actor = actor_for(event.id)
    if actor.organizer is None and not actor.links and not restitution.can_view(actor, event):
        raise LoginRequired(request.full_path.rstrip("?"))
    restitution.require_viewer(actor, event)
    return event, actor


def _to_login(exc: LoginRequired) -> Response:
    return redirect(url_for("organizer.login", suivant=exc.next_path))


def init_app(app: Flask) -> None:
    app.register_error_handler(LoginRequired, _to_login)

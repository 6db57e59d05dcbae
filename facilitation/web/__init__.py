"""HTTP pages and JSON: validate → domain → commit (→ broadcast)."""

from __future__ import annotations

from flask import Flask, render_template

from facilitation.domain.errors import DomainError
from facilitation.extensions import db


def register(app: Flask) -> None:
    from facilitation.web.security import IdConverter, TextConverter

    # Before any rule: an <int:...> id beyond the INTEGER columns, or a control character in
    # a <slug>, is a 404, not a database error.
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter

    from facilitation.web import (
        account,
        api,
        branding,
        chantiers,
        console,
        event_setup,
        guards,
        interconnaissance,
        links,
        organizer,
        photos,
        privacy,
        public,
        regie,
        restitution,
        team,
        votes,
    )

    # What participants open on their phone, and the room's projector.
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(chantiers.bp)
    app.register_blueprint(interconnaissance.bp)
    app.register_blueprint(privacy.bp)  # « Mes données »
    app.register_blueprint(votes.bp)  # dot-voting: tally JSON and the results chart
    app.register_blueprint(restitution.public_bp)  # plenary vote, published restitution
    app.register_blueprint(branding.bp)  # each event's stylesheet and logo
    app.register_blueprint(photos.bp)  # card photos, paperboards, their images

    # The facilitator's secret link and console.
    app.register_blueprint(console.bp)

    # The organizer area (/organisateur): login, my events, a new event.
    app.register_blueprint(organizer.bp)
    app.register_blueprint(account.bp)  # « Mon compte », invitation and password reset links
    # One event's organizer pages, all under guards.EVENT_PREFIX and guarded by guards.py.
    app.register_blueprint(event_setup.bp)  # settings, programme, ateliers, CSV imports
    app.register_blueprint(regie.bp)  # the live control room
    app.register_blueprint(links.bp)  # facilitator links, QR codes for the tables
    app.register_blueprint(restitution.bp)  # restitution page, exports, slides, syntheses
    app.register_blueprint(privacy.organizer_bp)  # the personal data purge date
    app.register_blueprint(interconnaissance.organizer_bp)  # the actors map
    app.register_blueprint(team.bp)  # « Équipe »: organizers, invitations, audit log
    guards.init_app(app)

    from facilitation.web import i18n

    # French by default, English available: Flask-Babel, /langue/<code> switch.
    i18n.init_app(app)

    from facilitation.web import security

    # Headers, CSRF, rate limits, ProxyFix (after socketio.init_app: it wraps that too).
    security.init_app(app)

    from facilitation.web import assets

    # Content-hashed static URLs with long caching, ES module imports versioned, gzip: weak
    # phones download each file once.
    assets.init_app(app)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return render_template("errors/error.html", message=exc.message), exc.http_status

    @app.errorhandler(404)
    def not_found(_exc: Exception):  # type: ignore[no-untyped-def]
        return render_template("errors/404.html"), 404

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

    from facilitation.web.api import bp as api_bp
    from facilitation.web.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)

    from facilitation.web.chantiers import bp as chantiers_bp

    app.register_blueprint(chantiers_bp)

    from facilitation.web.interconnaissance import bp as interconnaissance_bp

    app.register_blueprint(interconnaissance_bp)

    from facilitation.web.restitution import bp as restitution_bp

    app.register_blueprint(restitution_bp)

    from facilitation.web.facilitation import bp as facilitation_bp

    # Facilitator link and console, organizer login and control room (issue 3).
    app.register_blueprint(facilitation_bp)

    from facilitation.web.event_setup import bp as event_setup_bp

    # Setting up a day: event settings and branding, programme, ateliers, duplicate (issue 3).
    app.register_blueprint(event_setup_bp)

    from facilitation.web.privacy import bp as privacy_bp

    # Personal data: « Mes données », the organizer's purge date (issue 8).
    app.register_blueprint(privacy_bp)

    from facilitation.web.votes import bp as votes_bp

    # Dot-voting: tally JSON and the results chart (issue 4).
    app.register_blueprint(votes_bp)

    from facilitation.web import i18n

    # French by default, English available: Flask-Babel, /langue/<code> switch (issue 6).
    i18n.init_app(app)

    from facilitation.web import security

    # Headers, CSRF, rate limits, ProxyFix (after socketio.init_app: it wraps that too).
    security.init_app(app)

    from facilitation.web import assets

    # Content-hashed static URLs with long caching, ES module imports versioned, gzip (issue 6).
    assets.init_app(app)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return render_template("errors/error.html", message=exc.message), exc.http_status

    @app.errorhandler(404)
    def not_found(_exc: Exception):  # type: ignore[no-untyped-def]
        return render_template("errors/404.html"), 404

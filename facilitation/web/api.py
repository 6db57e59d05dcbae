"""JSON endpoints."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from facilitation.domain.errors import NotFound
from facilitation.domain.events import event_read_model, get_event
from facilitation.extensions import db

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("select 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", detail="database unreachable"), 503
    return jsonify(status="ok")


@bp.get("/api/events/<slug>")
def event(slug: str):  # type: ignore[no-untyped-def]
    try:
        return jsonify(event_read_model(get_event(slug)))
    except NotFound as exc:
        return jsonify(exc.as_dict()), 404

"""Setting up a day from the organizer area: an event's settings, its programme and ateliers
(by hand or from a CSV file), duplicating it, the expected participants.

Every page: logged in and organizer of the event (``web/guards.py``), CSRF on every POST
(``web/csrf.py``), and a refused form comes back with what was typed and each error next to
its field. Creating an event is in the organizer area (``web/organizer.py``), with the same
form helpers as the settings page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from facilitation.domain import setup
from facilitation.domain.control import event_ateliers
from facilitation.domain.errors import NotFound, ValidationError
from facilitation.domain.events import get_atelier, get_event
from facilitation.domain.setup import atelier_import
from facilitation.domain.snapshot import atelier_dict
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.models import Event, Sequence
from facilitation.push import display, event_wide
from facilitation.web.branding import event_theme
from facilitation.web.csv_upload import posted_csv
from facilitation.web.guards import EVENT_PREFIX, login_required, organizer_event

bp = Blueprint("event_setup", __name__, url_prefix=EVENT_PREFIX)


def _sequence(event: Event, sequence_id: int) -> Sequence:
    sequence = db.session.get(Sequence, sequence_id)
    if sequence is None or sequence.event_id != event.id:
        raise NotFound(gettext("Cette séquence n'existe pas dans cet événement."))
    return sequence


def form_values(keys: tuple[str, ...]) -> dict[str, str]:
    """The posted values of ``keys`` (what was typed, shown again with the errors)."""
    return {k: request.form.get(k, "") for k in keys}


EVENT_KEYS = (
    "title",
    "date",
    "venue",
    "city",
    "join_code",
    "timezone",
    "organiser_name",
    "brand_name",
    "brand_color",
    "communes",
    "status",
    "listed_on_home",
)
SEQUENCE_KEYS = ("kind", "title", "starts_at", "ends_at")
ATELIER_KEYS = ("title", "theme", "question", "room", "capacity", "facilitators")


def _context(**values: Any) -> dict[str, Any]:
    return {
        "kind_labels": setup.KIND_LABELS,
        "status_labels": setup.STATUS_LABELS,
        "default_timezone": setup.DEFAULT_TIMEZONE,
        "logo_max_kb": setup.LOGO_MAX_BYTES // 1000,
    } | values


T = TypeVar("T")


def save(write: Callable[..., T], *args: Any) -> tuple[T | None, dict[str, str]]:
    """``write(*args)`` committed and its result; or, refused, rolled back and its errors by
    field (``event`` for one about the whole form)."""
    try:
        result = write(*args)
    except ValidationError as exc:
        db.session.rollback()
        return None, exc.errors or {"event": exc.message}
    db.session.commit()
    return result, {}


def form_page(template: str, errors: dict[str, str], **values: Any) -> tuple[str, int]:
    """A form page, 422 when it shows errors."""
    return render_template(template, **_context(errors=errors, **values)), (422 if errors else 200)


# ------------------------------------------------------------------------- the event
def _update_event(event: Event) -> None:
    setup.update_event(actor_for(event.id), event, request.form)
    save_logo(event)


def save_logo(event: Event) -> None:
    """The logo part of the settings form: a new file, or « retirer le logo »."""
    actor = actor_for(event.id)
    upload = request.files.get("logo")
    if upload is not None and upload.filename:
        setup.set_logo(actor, event, upload.read(setup.LOGO_MAX_BYTES + 1))
    elif request.form.get("remove_logo") == "1":
        setup.remove_logo(actor, event)


@bp.route("/reglages", methods=["GET", "POST"])
@login_required
def edit_event(slug: str):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    errors: dict[str, str] = {}
    form = setup.event_form(event)
    if request.method == "POST":
        form = form_values(EVENT_KEYS)
        shown = setup.shown_event(event)
        _, errors = save(_update_event, event)
        if not errors:
            if setup.shown_event(event) != shown:
                _event_updated(event)
            flash(gettext("Réglages enregistrés."), "success")
            return redirect(url_for(".edit_event", slug=slug), 303)
        event = get_event(slug)
    return form_page("event_setup/event_form.html", errors, event=event, form=form)


def _event_updated(event: Event) -> None:
    """After the commit: open phones, projectors and consoles show the new name and branding."""
    event_wide.event_updated(
        [a.id for a in event_ateliers(event)],
        {
            "event_id": event.id,
            "event": {"slug": event.slug, "title": event.title},
            "brand": event_theme(event),
        },
    )


@bp.route("/dupliquer", methods=["GET", "POST"])
@login_required
def duplicate(slug: str):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = form_values(("title", "date", "join_code"))
        copy, errors = save(setup.duplicate_event, actor_for(event.id), event, request.form)
        if copy is not None:
            flash(
                gettext(
                    "Événement dupliqué : réglages, communes, habillage, programme et ateliers "
                    "sont repris ; vérifiez les horaires."
                ),
                "success",
            )
            return redirect(url_for(".programme", slug=copy.slug), 303)
        event = get_event(slug)
    else:
        form = {
            "title": event.title,
            "date": "",
            "join_code": setup.suggest_join_code(event.title),
        }
    return form_page("event_setup/duplicate.html", errors, event=event, form=form)


# ------------------------------------------------------------------------- the programme
def _programme_page(event: Event, form: dict[str, str], errors: dict[str, str]) -> str:
    return render_template(
        "event_setup/programme.html",
        **_context(
            event=event,
            form=form,
            errors=errors,
            expected=setup.expected_count(event),
        ),
    )


@bp.get("/programme")
@login_required
def programme(slug: str):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    return _programme_page(event, {"kind": "", "starts_at": "", "ends_at": "", "title": ""}, {})


@bp.post("/programme/sequences")
@login_required
def add_sequence(slug: str):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    form = form_values(SEQUENCE_KEYS)
    sequence, errors = save(setup.add_sequence, actor_for(event.id), event, request.form)
    if sequence is None:
        return _programme_page(get_event(slug), form, errors), 422
    flash(gettext("Séquence « %(title)s » ajoutée.", title=sequence.title), "success")
    return redirect(url_for(".programme", slug=slug, _anchor=f"sequence-{sequence.id}"), 303)


@bp.route("/programme/sequences/<int:sequence_id>", methods=["GET", "POST"])
@login_required
def edit_sequence(slug: str, sequence_id: int):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    sequence = _sequence(event, sequence_id)
    errors: dict[str, str] = {}
    form = setup.sequence_form(sequence)
    if request.method == "POST":
        form = form_values(SEQUENCE_KEYS)
        versions, errors = save(setup.update_sequence, actor_for(event.id), sequence, request.form)
        if not errors:
            # Renamed while its ateliers run: their screens' headers follow without a reload.
            for atelier in sequence.ateliers:
                if versions and atelier.id in versions:
                    display.atelier_updated(atelier.id, versions[atelier.id], atelier_dict(atelier))
            flash(gettext("Séquence enregistrée."), "success")
            return redirect(
                url_for(".programme", slug=slug, _anchor=f"sequence-{sequence.id}"), 303
            )
        event = get_event(slug)
        sequence = _sequence(event, sequence_id)
    return form_page(
        "event_setup/sequence_form.html", errors, event=event, sequence=sequence, form=form
    )


@bp.post("/programme/sequences/<int:sequence_id>/deplacer")
@login_required
def move_sequence(slug: str, sequence_id: int):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    sequence = _sequence(event, sequence_id)
    direction = request.form.get("sens")
    if direction not in ("haut", "bas"):
        abort(400)
    setup.move_sequence(actor_for(event.id), sequence, -1 if direction == "haut" else 1)
    db.session.commit()
    return redirect(url_for(".programme", slug=slug, _anchor=f"sequence-{sequence.id}"), 303)


@bp.post("/programme/sequences/<int:sequence_id>/supprimer")
@login_required
def delete_sequence(slug: str, sequence_id: int):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    sequence = _sequence(event, sequence_id)
    if request.form.get("confirmer") != "1":
        return render_template(
            "event_setup/confirm_delete.html",
            event=event,
            what=gettext("la séquence « %(title)s »", title=sequence.title),
            details=[a.title for a in sequence.ateliers],
            action=url_for(".delete_sequence", slug=slug, sequence_id=sequence.id),
        )
    try:
        title = sequence.title
        setup.delete_sequence(actor_for(event.id), sequence)
    except setup.InUse as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".programme", slug=slug, _anchor=f"sequence-{sequence_id}"), 303)
    db.session.commit()
    flash(gettext("Séquence « %(title)s » supprimée.", title=title), "success")
    return redirect(url_for(".programme", slug=slug), 303)


# ------------------------------------------------------------------------- ateliers
@bp.route(
    "/programme/sequences/<int:sequence_id>/ateliers/nouveau",
    methods=["GET", "POST"],
)
@login_required
def new_atelier(slug: str, sequence_id: int):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    sequence = _sequence(event, sequence_id)
    errors: dict[str, str] = {}
    form = dict.fromkeys(ATELIER_KEYS, "")
    if request.method == "POST":
        form = form_values(ATELIER_KEYS)
        atelier, errors = save(setup.add_atelier, actor_for(event.id), sequence, request.form)
        if atelier is not None:
            flash(gettext("Atelier « %(title)s » ajouté.", title=atelier.title), "success")
            if request.form.get("encore") == "1":
                return redirect(url_for(".new_atelier", slug=slug, sequence_id=sequence.id), 303)
            return redirect(url_for(".programme", slug=slug, _anchor=f"atelier-{atelier.id}"), 303)
        event = get_event(slug)
        sequence = _sequence(event, sequence_id)
    return form_page(
        "event_setup/atelier_form.html",
        errors,
        event=event,
        sequence=sequence,
        atelier=None,
        form=form,
    )


@bp.route("/programme/ateliers/<int:atelier_id>", methods=["GET", "POST"])
@login_required
def edit_atelier(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    atelier = get_atelier(event, atelier_id)
    errors: dict[str, str] = {}
    form = setup.atelier_form(atelier)
    if request.method == "POST":
        form = form_values(ATELIER_KEYS)
        version, errors = save(setup.update_atelier, actor_for(event.id), atelier, request.form)
        if not errors:
            if version is not None:  # an atelier running now: its screens redraw live
                display.atelier_updated(atelier.id, version, atelier_dict(atelier))
            flash(gettext("Atelier enregistré."), "success")
            return redirect(url_for(".programme", slug=slug, _anchor=f"atelier-{atelier.id}"), 303)
        event = get_event(slug)
        atelier = get_atelier(event, atelier_id)
    return form_page(
        "event_setup/atelier_form.html",
        errors,
        event=event,
        sequence=atelier.sequence,
        atelier=atelier,
        form=form,
    )


@bp.post("/programme/ateliers/<int:atelier_id>/supprimer")
@login_required
def delete_atelier(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    atelier = get_atelier(event, atelier_id)
    if request.form.get("confirmer") != "1":
        return render_template(
            "event_setup/confirm_delete.html",
            event=event,
            what=gettext("l’atelier « %(title)s »", title=atelier.title),
            details=[],
            action=url_for(".delete_atelier", slug=slug, atelier_id=atelier.id),
        )
    title = atelier.title
    try:
        setup.delete_atelier(actor_for(event.id), atelier)
    except setup.InUse as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".programme", slug=slug, _anchor=f"atelier-{atelier_id}"), 303)
    db.session.commit()
    flash(gettext("Atelier « %(title)s » supprimé.", title=title), "success")
    return redirect(url_for(".programme", slug=slug), 303)


# ------------------------------------------------------------------------- CSV imports
@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_ateliers(slug: str):  # type: ignore[no-untyped-def]
    """Import ateliers from a CSV file: preview with line-numbered errors, then confirm."""
    found = organizer_event(slug)
    result = None
    content = ""
    if request.method == "POST":
        try:
            content = posted_csv()
            if request.form.get("confirmer") == "1":
                result = atelier_import.apply_import(actor_for(found.id), found, content)
                created = sum(1 for r in result.rows if r.existing is None)
                db.session.commit()
                flash(
                    gettext(
                        "%(count)s atelier(s) importé(s) : %(created)s créé(s), %(v)s mis à jour.",
                        count=len(result.rows),
                        created=created,
                        v=len(result.rows) - created,
                    ),
                    "success",
                )
                return redirect(url_for(".import_ateliers", slug=slug), 303)
            result = atelier_import.preview(found, content)
        except ValidationError as exc:
            db.session.rollback()
            result = atelier_import.ImportPreview.refused(exc)
    status = 422 if result is not None and result.errors else 200
    return render_template(
        "organizer/import.html", event=found, result=result, content=content
    ), status


@bp.route("/import/participants", methods=["GET", "POST"])
@login_required
def import_people(slug: str):  # type: ignore[no-untyped-def]
    """Expected participants from a CSV file: preview with line-numbered errors, confirm."""
    event = organizer_event(slug)
    actor = actor_for(event.id)
    result = None
    content = ""
    if request.method == "POST":
        if request.form.get("action") == "vider":
            removed = setup.clear_people(actor, event)
            db.session.commit()
            flash(gettext("Liste vidée : %(n)s personne(s) retirée(s).", n=removed), "success")
            return redirect(url_for(".import_people", slug=slug), 303)
        try:
            content = posted_csv()
            if request.form.get("confirmer") == "1":
                result = setup.import_people(actor, event, content)
                added = sum(1 for r in result.rows if r.existing is None)
                db.session.commit()
                flash(
                    gettext(
                        "%(n)s personne(s) importée(s) : %(added)s ajoutée(s), "
                        "%(updated)s mise(s) à jour.",
                        n=len(result.rows),
                        added=added,
                        updated=len(result.rows) - added,
                    ),
                    "success",
                )
                return redirect(url_for(".import_people", slug=slug), 303)
            result = setup.preview_people(event, content)
        except ValidationError as exc:
            db.session.rollback()
            event = get_event(slug)
            result = setup.PeoplePreview.refused(exc)
    people = setup.expected_participants(event)
    status = 422 if result is not None and result.errors else 200
    return render_template(
        "event_setup/participants.html",
        event=event,
        result=result,
        content=content,
        people=people,
    ), status


@bp.app_template_global()
def expected_participants_count(event: Any) -> int:
    """For the control room and the links page."""
    return setup.expected_count(event) if isinstance(event, Event) else 0

"""Setting up a day from the organizer area.

Creating and editing an event (title, date, venue, join code, time zone, the territory's
communes, branding), its programme (timed sequences, added, edited, moved and deleted) and the
ateliers of its atelier sequences, duplicating a past event as a template, the list of
expected participants and the ateliers imported from CSV files.

Every write asks ``access.require_organizer`` first; values come back with their errors
(``ValidationError.errors`` keyed by form field) so a form can be shown again as typed.

The package: ``parsing`` (dates, times, time zones, communes), ``event`` (settings, join code,
status), ``branding`` (colour and logo), ``programme`` (sequences and ateliers), ``duplicate``,
``people`` (expected participants), ``atelier_import``, and ``csv_import``, the CSV reading
both imports share.
"""

from __future__ import annotations

from facilitation.domain.setup import atelier_import
from facilitation.domain.setup.branding import (
    LOGO_MAX_BYTES,
    clean_color,
    clean_logo,
    contrast_ratio,
    get_logo,
    remove_logo,
    set_logo,
    theme_css,
    theme_version,
)
from facilitation.domain.setup.duplicate import duplicate_event
from facilitation.domain.setup.event import (
    JOIN_CODE,
    STATUS_LABELS,
    clean_event,
    create_event,
    event_form,
    shown_event,
    suggest_join_code,
    update_event,
)
from facilitation.domain.setup.parsing import DEFAULT_TIMEZONE, clean_timezone
from facilitation.domain.setup.people import (
    PeoplePreview,
    clear_people,
    expected_count,
    expected_participants,
    import_people,
    preview_people,
)
from facilitation.domain.setup.programme import (
    KIND_LABELS,
    InUse,
    add_atelier,
    add_sequence,
    atelier_form,
    delete_atelier,
    delete_sequence,
    move_sequence,
    sequence_form,
    update_atelier,
    update_sequence,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "JOIN_CODE",
    "KIND_LABELS",
    "LOGO_MAX_BYTES",
    "STATUS_LABELS",
    "InUse",
    "PeoplePreview",
    "add_atelier",
    "add_sequence",
    "atelier_form",
    "atelier_import",
    "clean_color",
    "clean_event",
    "clean_logo",
    "clean_timezone",
    "clear_people",
    "contrast_ratio",
    "create_event",
    "delete_atelier",
    "delete_sequence",
    "duplicate_event",
    "event_form",
    "expected_count",
    "expected_participants",
    "get_logo",
    "import_people",
    "move_sequence",
    "preview_people",
    "remove_logo",
    "sequence_form",
    "set_logo",
    "shown_event",
    "suggest_join_code",
    "theme_css",
    "theme_version",
    "update_atelier",
    "update_event",
    "update_sequence",
]

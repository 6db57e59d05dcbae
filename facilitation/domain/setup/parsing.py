"""Small parsers of the setup forms and files: dates, times of day, join codes, time zones,
communes, and the key that names are compared by."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from functools import cache
from zoneinfo import available_timezones

from flask_babel import gettext as _

DEFAULT_TIMEZONE = "Europe/Paris"
#: Communes are typed by participants (80 characters, ``Participant.commune``) and picked in
#: the chantier form (``chantiers.clean_communes`` checks them against this list).
COMMUNE_MAX_LENGTH = 80
MAX_COMMUNES = 300


def compare_key(text: str) -> str:
    """Case-folded, no accents, single spaces: how CSV headers, titles, communes and people's
    names are compared (« Élancourt » and « elancourt » are one commune)."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("_", " ").split())


def parse_date(raw: str) -> date | None:
    """``2021-06-24`` (date input) or ``24/06/2021``; ``None`` if neither."""
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


_TIME = re.compile(r"^([0-9]{1,2})\s*(?:[:hH.]\s*([0-9]{2})?)?$")


def parse_time(raw: str) -> time | None:
    """``09:30``, ``9:30``, ``9h30``, ``9h`` or ``9``; ``None`` if not a time of day."""
    match = _TIME.match(raw.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def normalise_join_code(raw: str) -> str:
    return "".join((raw or "").split()).upper()


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_timezone(raw: str) -> tuple[str, str | None]:
    value = raw.strip() or DEFAULT_TIMEZONE
    if value not in _timezones():
        return value, _(
            "Fuseau horaire inconnu : « %(value)s ». Écrivez-le comme Europe/Paris, "
            "America/Cayenne, Indian/Reunion ou Pacific/Noumea.",
            value=value,
        )
    return value, None


def parse_communes(raw: str) -> tuple[list[str], str | None]:
    """One commune a line: trimmed, duplicates (ignoring case and accents) dropped."""
    communes: list[str] = []
    seen: set[str] = set()
    problems: list[str] = []
    for number, line in enumerate((raw or "").splitlines(), start=1):
        name = " ".join(line.split()).strip(" ;,")
        if not name:
            continue
        if len(name) > COMMUNE_MAX_LENGTH:
            problems.append(
                _(
                    "ligne %(number)s : « %(name)s… » dépasse %(max)s caractères",
                    number=number,
                    name=name[:30],
                    max=COMMUNE_MAX_LENGTH,
                )
            )
            continue
        if compare_key(name) in seen:
            continue
        seen.add(compare_key(name))
        communes.append(name)
    if len(communes) > MAX_COMMUNES:
        problems.append(
            _("%(max)s communes au plus (%(n)s dans la liste)", max=MAX_COMMUNES, n=len(communes))
        )
    if problems:
        return communes, _("Communes à corriger : %(problems)s.", problems=" ; ".join(problems))
    return communes, None

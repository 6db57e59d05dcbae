"""One validator for HTML forms and Socket.IO payloads alike.

Unknown keys are ignored; every known field is a string, trimmed, with control characters
removed and a maximum length. Errors are collected per field, in French.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from facilitation.domain.errors import ValidationError


def N_(text: str) -> str:
    """Mark ``text`` for extraction (``make translations``) without translating it here: labels
    are kept in French in the domain and translated where they are shown (``gettext(label)``,
    the ``|tr`` template filter)."""
    return text


#: Removed from every text: C0 and C1 control characters (tab, line feed and carriage return
#: excepted), lone surrogates (a JSON string may carry one; it cannot be stored or encoded)
#: and Unicode non-characters (U+FFFE ...: refused by XML, so by the DOCX and ODT reports).
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
#: ASCII digits only: « ٣ » or « ² » are digits to ``str.isdigit`` but not ids.
_DIGITS = re.compile(r"[0-9]{1,19}")


def clean_text(raw: str) -> str:
    """``raw`` without the characters no text of ours may hold (see ``_CONTROL``)."""
    return _CONTROL.sub("", raw)


def as_int(raw: Any) -> int | None:
    """An integer given as a JSON number or as ASCII digits (spaces around allowed); else None.

    Booleans are not numbers here, and neither are floats.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _DIGITS.fullmatch(raw.strip()):
        return int(raw.strip())
    return None


CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class TextField:
    name: str
    label: str
    max_length: int
    required: bool = False
    multiline: bool = False

    def clean(self, raw: Any) -> tuple[str, str | None]:
        """Return ``(value, error)``; the value is kept even when wrong, to refill the form."""
        if raw is None:
            raw = ""
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            return "", gettext("« %(label)s » doit être un texte.", label=gettext(self.label))
        value = unicodedata.normalize("NFC", _CONTROL.sub("", raw)).strip()
        if not self.multiline:
            value = " ".join(value.split())
        else:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if self.required and not value:
            return value, gettext("Indiquez « %(label)s ».", label=gettext(self.label))
        if len(value) > self.max_length:
            return value, (
                gettext(
                    "« %(label)s » est trop long : %(count)s caractères pour %(max_length)s au maximum.",
                    label=gettext(self.label),
                    count=len(value),
                    max_length=self.max_length,
                )
            )
        return value, None


def clean(data: Mapping[str, Any] | Any, fields: tuple[TextField, ...]) -> dict[str, str]:
    """Validate ``data`` against ``fields`` or raise ``ValidationError`` with every error."""
    if not isinstance(data, Mapping):
        raise ValidationError(gettext("Requête invalide : un objet était attendu."))
    values, errors = clean_partial(data, fields)
    if errors:
        raise ValidationError(errors=errors)
    return values


def clean_partial(
    data: Mapping[str, Any], fields: tuple[TextField, ...]
) -> tuple[dict[str, str], dict[str, str]]:
    """Like ``clean`` but returns the values and the errors instead of raising."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in fields:
        value, error = field.clean(data.get(field.name))
        values[field.name] = value
        if error:
            errors[field.name] = error
    return values, errors


def client_id(raw: Any) -> str:
    """A client-made id for an idempotent write."""
    if not isinstance(raw, str) or not CLIENT_ID.match(raw):
        raise ValidationError(
            gettext("Identifiant d'envoi manquant ou invalide : rechargez la page."),
            {"client_id": gettext("Identifiant d'envoi invalide.")},
        )
    return raw


#: Ids are INTEGER columns: PostgreSQL refuses a bigger number with an error (found by fuzzing).
MAX_ID = 2**31 - 1


def as_id(raw: Any) -> int | None:
    """A row id (``as_int`` within 1..``MAX_ID``), else None: safe to give ``Session.get``."""
    value = as_int(raw)
    return value if value is not None and 0 < value <= MAX_ID else None


def integer_id(raw: Any, field: str, label: str) -> int:
    """A positive integer id given as a number or as digits, within the INTEGER range."""
    raw = as_int(raw)
    if raw is None or raw <= 0 or raw > MAX_ID:
        raise ValidationError(
            errors={field: gettext("Choisissez %(label)s.", label=gettext(label))}
        )
    return raw

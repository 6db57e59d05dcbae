"""An event's branding: its colour (checked for contrast) and its logo (checked, made small).

Both reach every screen of the day: the colour through the event's stylesheet
(``theme_css``), the logo through its own URL; ``theme_version`` changes when either does so
browsers fetch them again.
"""

from __future__ import annotations

import hashlib
import io
import re

from flask_babel import gettext as _

from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.errors import ValidationError
from facilitation.extensions import db
from facilitation.models import Event
from facilitation.models.setup import EventLogo

COLOR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
#: WCAG AA for normal text: white text on the colour (header, buttons) and the colour as text
#: on the app's light backgrounds (links, secondary buttons, their hover).
MIN_CONTRAST = 4.5
LIGHT_BACKGROUNDS = ("#ffffff", "#f4f3ef", "#e8eef7")

LOGO_MAX_BYTES = 500_000
LOGO_MAX_SIDE = 400
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


# ------------------------------------------------------------------------- colours
def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def clean_color(raw: str) -> tuple[str, str | None]:
    """``#rrggbb`` (lower case) dark enough to carry white text and to be read on light
    backgrounds; empty: the app's colours."""
    value = raw.strip()
    if not value:
        return "", None
    match = COLOR.match(value)
    if not match:
        return value, _("Indiquez une couleur au format hexadécimal, par exemple #1f4e8c.")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    color = f"#{digits}"
    ratio = min(contrast_ratio(color, bg) for bg in LIGHT_BACKGROUNDS)
    if ratio < MIN_CONTRAST:
        shown = f"{ratio:.1f}".replace(".", ",")
        return color, _(
            "Couleur trop claire : le texte blanc posé dessus et les liens sur fond clair "
            "seraient peu lisibles (contraste %(ratio)s:1, il faut au moins 4,5:1). "
            "Choisissez une teinte plus foncée.",
            ratio=shown,
        )
    return color, None


def darker(color: str, amount: float = 0.25) -> str:
    """``color`` mixed with black (hover states)."""
    channels = [round(int(color[i : i + 2], 16) * (1 - amount)) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in channels)


def theme_css(event: Event) -> str:
    """The event's stylesheet: the app's colour custom properties, nothing else (no user
    text reaches it: the colour was checked against ``COLOR``)."""
    color = event.brand_color if event.brand_color and COLOR.match(event.brand_color) else ""
    if not color:
        return "/* couleurs par défaut */\n"
    # html:root outranks app.css's :root wherever app.css loads (end of body on phones).
    return f"html:root {{ --brand: {color}; --brand-dark: {darker(color)}; }}\n"


def theme_version(event: Event) -> str:
    return hashlib.sha256(f"{event.brand_color}|{event.logo_digest}".encode()).hexdigest()[:12]


# ------------------------------------------------------------------------- logo
def clean_logo(raw: bytes) -> tuple[bytes, str]:
    """Check an uploaded logo and make it small: ``(bytes, content type)``.

    PNG, JPEG or WebP only (read by Pillow, not trusted from the file name), at most
    ``LOGO_MAX_BYTES``; re-encoded within ``LOGO_MAX_SIDE`` pixels, which also drops any
    metadata (a photo's location …).
    """
    from PIL import Image, UnidentifiedImageError

    if not raw:
        raise ValidationError(errors={"logo": _("Le fichier du logo est vide.")})
    if len(raw) > LOGO_MAX_BYTES:
        raise ValidationError(
            errors={
                "logo": _(
                    "Logo trop lourd : %(max)s ko au plus (ce fichier fait %(size)s ko).",
                    max=LOGO_MAX_BYTES // 1000,
                    size=len(raw) // 1000,
                )
            }
        )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format or ""
            if kind not in LOGO_FORMATS:
                raise UnidentifiedImageError(kind)
            if probe.width * probe.height > 25_000_000:
                raise UnidentifiedImageError("too big")
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            keep_alpha = image.mode in ("RGBA", "LA", "P")
            converted = image.convert("RGBA" if keep_alpha else "RGB")
            out = io.BytesIO()
            if keep_alpha:
                converted.save(out, format="PNG", optimize=True)
                return out.getvalue(), "image/png"
            converted.save(out, format="JPEG", quality=88, optimize=True)
            return out.getvalue(), "image/jpeg"
    except Exception:  # noqa: BLE001 - any decoder failure (Pillow raises many kinds) is a bad file
        raise ValidationError(
            errors={"logo": _("Ce fichier n'est pas une image PNG, JPEG ou WebP lisible.")}
        ) from None


def set_logo(actor: Actor, event: Event, raw: bytes) -> EventLogo:
    require_organizer(actor, event)
    data, content_type = clean_logo(raw)
    logo = db.session.get(EventLogo, event.id)
    if logo is None:
        logo = EventLogo(event_id=event.id)
        db.session.add(logo)
    logo.data = data
    logo.content_type = content_type
    event.logo_digest = hashlib.sha256(data).hexdigest()[:16]
    db.session.flush()
    return logo


def remove_logo(actor: Actor, event: Event) -> None:
    require_organizer(actor, event)
    logo = db.session.get(EventLogo, event.id)
    if logo is not None:
        db.session.delete(logo)
    event.logo_digest = None
    db.session.flush()


def get_logo(event: Event) -> EventLogo | None:
    return db.session.get(EventLogo, event.id) if event.logo_digest else None

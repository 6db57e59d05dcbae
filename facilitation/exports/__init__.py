"""Exports of the restitution, one module per format, all fed by the same read model.

``render(model, fmt, **options)`` returns the bytes of the document; ``FORMATS`` lists the
formats with their file extension, MIME type and French label (for buttons and the CLI).
The read model is ``facilitation.domain.restitution.restitution(event, audience, atelier_id)``;
its JSON form (``json`` format) is the documented source of every other format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from facilitation.domain.validation import N_
from facilitation.exports.text import clean_model


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    mimetype: str
    label: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)"),
        Format("odt", "odt", "application/vnd.oasis.opendocument.text", "LibreOffice (ODT)"),
        Format("pdf", "pdf", "application/pdf", "PDF"),
        Format("pptx", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint (PPTX)"),
        Format("csv", "csv", "text/csv; charset=utf-8", N_("Tableur (CSV)")),
        Format("md", "md", "text/markdown; charset=utf-8", "Markdown"),
        Format("json", "json", "application/json", "JSON"),
    )
}  # fmt: skip


def renderer(fmt: str) -> Callable[..., bytes]:
    """The ``render`` function of the format's module (imported on first use)."""
    if fmt not in FORMATS:
        raise ValueError(f"Format inconnu : {fmt}")
    return import_module(f"facilitation.exports.{fmt}").render  # type: ignore[no-any-return]


def render(model: dict[str, Any], fmt: str, **options: Any) -> bytes:
    """The document's bytes; stored text that XML or UTF-8 cannot carry is cleaned first."""
    return renderer(fmt)(clean_model(model), **options)


def download_name(model: dict[str, Any], fmt: str, **options: Any) -> str:
    """The file name of a download (page and ``flask export``): the two CSV flavours differ."""
    from facilitation.exports.common import filename

    flavour = ""
    if fmt == "csv":
        flavour = "standard" if options.get("dialect") == "plain" else "excel"
    return filename(model, FORMATS[fmt].extension, flavour)

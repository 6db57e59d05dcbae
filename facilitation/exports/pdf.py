"""The ``pdf`` export: the compte-rendu typeset for print (A4, page numbers, no cut cards).

reportlab (pure Python, from PyPI) rather than LibreOffice: nothing to install on the
server or in CI, and the same fonts everywhere (``fonts.font_files``), embedded in the file.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from facilitation.exports.document import (
    Bullets,
    Chart,
    Group,
    Heading,
    Para,
    Table,
    compte_rendu,
)
from facilitation.exports.fonts import font_files

MARGIN = 2 * cm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
BLUE = colors.HexColor("#1d4f91")
GREY = colors.HexColor("#555555")


@cache
def _fonts() -> tuple[str, str, str]:
    files = font_files()
    names = ("Restitution", "Restitution-Bold", "Restitution-Italic")
    for name, key in zip(names, ("regular", "bold", "italic"), strict=True):
        pdfmetrics.registerFont(TTFont(name, str(files[key])))
    pdfmetrics.registerFontFamily(
        names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[1]
    )
    return names


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, italic = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=10.5, leading=14, spaceAfter=4)
    styles = {
        "normal": base,
        "subtitle": ParagraphStyle("subtitle", base, fontName=italic, fontSize=13, leading=17),
        "meta": ParagraphStyle("meta", base, fontName=italic, fontSize=9.5, textColor=GREY),
        "quote": ParagraphStyle(
            "quote",
            base,
            leftIndent=0.6 * cm,
            borderColor=BLUE,
            borderWidth=0,
            borderPadding=(2, 0, 2, 6),
            backColor=colors.HexColor("#eef3fa"),
            spaceBefore=2,
            spaceAfter=6,
        ),
        "cell": ParagraphStyle("cell", base, fontSize=9.5, leading=12, spaceAfter=0),
        "cell-bold": ParagraphStyle("cell-bold", base, fontName=bold, fontSize=9.5, leading=12),
        "h0": ParagraphStyle(
            "h0", base, fontName=bold, fontSize=22, leading=27, textColor=BLUE, spaceAfter=8
        ),
        "h1": ParagraphStyle(
            "h1", base, fontName=bold, fontSize=16, leading=20, textColor=BLUE,
            spaceBefore=14, spaceAfter=6,
        ),
        "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=13.5, leading=17, spaceBefore=10),
        "h3": ParagraphStyle(
            "h3", base, fontName=bold, fontSize=11.5, leading=15, textColor=BLUE, spaceBefore=6
        ),
        "h4": ParagraphStyle("h4", base, fontName=bold, fontSize=10.5, leading=14, spaceBefore=4),
        "footer": ParagraphStyle("footer", base, fontSize=8.5, alignment=TA_CENTER),
    }  # fmt: skip
    # A heading never ends a page alone: it goes with what follows it.
    for name in ("h1", "h2", "h3", "h4"):
        styles[name].keepWithNext = 1
    return styles


def _text(text: str) -> str:
    """User text as a reportlab paragraph: escaped markup, line breaks kept."""
    return escape(text or "").replace("\n", "<br/>")


class _NumberedCanvas(Canvas):
    """Draws « page N / M » once the total is known (two passes over the saved pages)."""

    footer_text = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's API)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        regular = _fonts()[0]
        self.setFont(regular, 8.5)
        self.setFillColor(GREY)
        text = f"{self.footer_text} — page {self._pageNumber} / {total}".lstrip(" —")
        self.drawCentredString(A4[0] / 2, MARGIN / 2, text)


def _flowables(block: Any) -> list[Any]:
    styles = _styles()
    if isinstance(block, Heading):
        return [
            # Room for the heading and a few lines of what follows, or a new page.
            CondPageBreak({1: 10 * cm, 2: 6 * cm}.get(block.level, 0)),
            Paragraph(_text(block.text), styles[f"h{min(block.level, 4)}"]),
        ]
    if isinstance(block, Para):
        text = _text(block.text)
        if block.label:
            text = f"<b>{_text(block.label)}</b>{text}"
        return [Paragraph(text, styles.get(block.style, styles["normal"]))]
    if isinstance(block, Bullets):
        return [
            ListFlowable(
                [ListItem(Paragraph(_text(item), styles["normal"])) for item in block.items],
                bulletType="bullet",
                start="•",
                leftIndent=12,
            )
        ]
    if isinstance(block, Table):
        rows = []
        if block.header:
            rows.append([Paragraph(_text(h), styles["cell-bold"]) for h in block.header])
        for row in block.rows:
            rows.append(
                [
                    Paragraph(
                        _text(value),
                        styles["cell-bold" if block.key_value and i == 0 else "cell"],
                    )
                    for i, value in enumerate(row)
                ]
            )
        table = PdfTable(
            rows,
            colWidths=[CONTENT_WIDTH * w for w in block.widths],
            repeatRows=1 if block.header else 0,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    *(
                        [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7"))]
                        if block.header
                        else [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f5f8"))]
                    ),
                ]
            )
        )
        return [table, Spacer(0, 6)]
    if isinstance(block, Chart):
        image = Image(io.BytesIO(block.png))
        ratio = CONTENT_WIDTH / image.imageWidth
        image.drawWidth, image.drawHeight = CONTENT_WIDTH, image.imageHeight * ratio
        return [KeepTogether([image]), Spacer(0, 8)]
    if isinstance(block, Group):
        inner = [f for b in block.blocks for f in _flowables(b)]
        # A card or a chantier is never cut across two pages when it fits on one.
        return [KeepTogether(inner), Spacer(0, 6)]
    raise TypeError(f"bloc inconnu : {block!r}")


def render(model: dict[str, Any], **_options: Any) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=model["event"]["title"],
        author=model["event"]["organiser_name"] or "facilitation",
        subject="Restitution des travaux",
        lang="fr-FR",
    )
    story = [f for block in compte_rendu(model) for f in _flowables(block)]

    class Canvas_(_NumberedCanvas):
        footer_text = model["event"]["organiser_name"]

    document.build(story, canvasmaker=Canvas_)
    return buffer.getvalue()

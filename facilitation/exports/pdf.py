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
    Flowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.tableofcontents import TableOfContents

from facilitation.exports import document as doc
from facilitation.exports.document import (
    Bullets,
    Chart,
    Cover,
    Group,
    Heading,
    Para,
    Picture,
    Table,
    Toc,
    compte_rendu,
)
from facilitation.exports.fonts import font_files

MARGIN = 2 * cm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
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
def _styles(accent: str = doc.DEFAULT_COLOUR) -> dict[str, ParagraphStyle]:
    """The paragraph styles, titles in the event's colour (``accent``)."""
    regular, bold, italic = _fonts()
    colour = colors.HexColor(accent)
    base = ParagraphStyle("base", fontName=regular, fontSize=10.5, leading=14, spaceAfter=4)
    styles = {
        "normal": base,
        "subtitle": ParagraphStyle("subtitle", base, fontName=italic, fontSize=13, leading=17),
        "meta": ParagraphStyle("meta", base, fontName=italic, fontSize=9.5, textColor=GREY),
        "quote": ParagraphStyle(
            "quote",
            base,
            leftIndent=0.6 * cm,
            borderColor=colour,
            borderWidth=0,
            borderPadding=(2, 0, 2, 6),
            backColor=colors.HexColor("#f1f3f6"),
            spaceBefore=2,
            spaceAfter=6,
        ),
        "merged": ParagraphStyle("merged", base, spaceBefore=4, textColor=colour),
        # Narrow columns break « Saint-Germain-en-Laye » after a hyphen, not mid-word.
        "cell": ParagraphStyle(
            "cell", base, fontSize=9.5, leading=12, spaceAfter=0, embeddedHyphenation=1
        ),
        "cell-bold": ParagraphStyle(
            "cell-bold", base, fontName=bold, fontSize=9.5, leading=12, embeddedHyphenation=1
        ),
        "figure": ParagraphStyle(
            "figure", base, fontName=bold, fontSize=24, leading=28, textColor=colour,
            alignment=TA_CENTER, spaceAfter=0,
        ),
        "figure-label": ParagraphStyle(
            "figure-label", base, fontSize=9.5, leading=12, alignment=TA_CENTER, spaceAfter=0
        ),
        "cover-kicker": ParagraphStyle(
            "cover-kicker", base, fontName=bold, fontSize=13, leading=17, textColor=colour,
            spaceBefore=30, spaceAfter=6,
        ),
        "cover-title": ParagraphStyle(
            "cover-title", base, fontName=bold, fontSize=28, leading=34,
            textColor=colors.white, spaceAfter=0,
        ),
        "cover-line": ParagraphStyle("cover-line", base, fontSize=13, leading=18, spaceAfter=4),
        "cover-small": ParagraphStyle(
            "cover-small", base, fontSize=11, leading=15, textColor=GREY, spaceAfter=2
        ),
        "h1": ParagraphStyle(
            "h1", base, fontName=bold, fontSize=17, leading=21, textColor=colour,
            spaceBefore=14, spaceAfter=8,
        ),
        "h2": ParagraphStyle(
            "h2", base, fontName=bold, fontSize=14, leading=18, spaceBefore=12, spaceAfter=4
        ),
        "h3": ParagraphStyle(
            "h3", base, fontName=bold, fontSize=11.5, leading=15, textColor=colour, spaceBefore=8
        ),
        "h4": ParagraphStyle("h4", base, fontName=bold, fontSize=10.5, leading=14, spaceBefore=4),
        # rightIndent: a long title wraps before the page number column instead of under it.
        "toc1": ParagraphStyle(
            "toc1", base, fontName=bold, fontSize=11.5, leading=16, spaceBefore=6,
            rightIndent=1.2 * cm,
        ),
        "toc2": ParagraphStyle(
            "toc2", base, fontSize=10.5, leading=14, leftIndent=0.8 * cm, rightIndent=1.2 * cm
        ),
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
    """Draws « page N / M » once the total is known (two passes over the saved pages).

    The cover has no footer: it is the document's face, not one of its pages.
    """

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
            if self._pageNumber > 1:
                self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        regular = _fonts()[0]
        self.setFont(regular, 8.5)
        self.setFillColor(GREY)
        text = f"{self.footer_text} — page {self._pageNumber} / {total}".lstrip(" —")
        self.drawCentredString(A4[0] / 2, MARGIN / 2, text)


class _Report(SimpleDocTemplate):
    """Tells the table of contents where each section and atelier landed (multiBuild)."""

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's API)
        level = getattr(flowable, "toc_level", None)
        if level is not None:
            key = f"h{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level - 1)
            self.notify("TOCEntry", (level - 1, flowable.getPlainText(), self.page, key))


def _logo(data: bytes, max_width: float, max_height: float) -> Image | None:
    try:
        image = Image(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a logo that does not decode is left out, not fatal
        return None
    ratio = min(max_width / image.imageWidth, max_height / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * ratio, image.imageHeight * ratio
    image.hAlign = "LEFT"
    return image


def _cover(block: Cover, styles: dict[str, ParagraphStyle]) -> list[Any]:
    out: list[Any] = [Spacer(0, 1.5 * cm)]
    if block.logo:
        logo = _logo(block.logo, 7 * cm, 3.5 * cm)
        if logo is not None:
            out += [logo, Spacer(0, 0.8 * cm)]
    if block.brand:
        out.append(Paragraph(_text(block.brand), styles["cover-line"]))
    out.append(Paragraph(_text(block.kicker), styles["cover-kicker"]))
    band = PdfTable(
        [[Paragraph(_text(block.title), styles["cover-title"])]],
        colWidths=[CONTENT_WIDTH],
    )
    band.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(block.colour)),
                ("TOPPADDING", (0, 0), (-1, -1), 18),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 22),
                ("LEFTPADDING", (0, 0), (-1, -1), 16),
                ("RIGHTPADDING", (0, 0), (-1, -1), 16),
            ]
        )
    )
    out += [band, Spacer(0, 0.8 * cm)]
    out.append(Paragraph(_text(block.date[:1].upper() + block.date[1:]), styles["cover-line"]))
    if block.place:
        out.append(Paragraph(_text(block.place), styles["cover-line"]))
    out.append(Spacer(0, 5 * cm))
    if block.brand:
        out.append(Paragraph(f"<b>Organisation :</b> {_text(block.brand)}", styles["cover-small"]))
    if block.agency:
        out.append(
            Paragraph(
                f"<b>Animation et compte-rendu :</b> {_text(block.agency)}", styles["cover-small"]
            )
        )
    return out


def _table(block: Table, styles: dict[str, ParagraphStyle], accent: str) -> list[Any]:
    if block.figures:
        # Four tiles a row: the number big, in the event's colour, what it counts below.
        tiles = [
            [Paragraph(_text(n), styles["figure"]), Paragraph(_text(label), styles["figure-label"])]
            for n, label in block.rows
        ]
        grid = [tiles[i : i + 4] for i in range(0, len(tiles), 4)]
        grid[-1] += [""] * (4 - len(grid[-1]))
        table = PdfTable(grid, colWidths=[CONTENT_WIDTH / 4] * 4)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        return [table, Spacer(0, 6)]
    rows = []
    if block.header:
        rows.append([Paragraph(_text(h), styles["cell-bold"]) for h in block.header])
    for row in block.rows:
        rows.append(
            [
                Paragraph(
                    _text(value), styles["cell-bold" if block.key_value and i == 0 else "cell"]
                )
                for i, value in enumerate(row)
            ]
        )
    table = PdfTable(
        rows,
        colWidths=[CONTENT_WIDTH * w for w in block.widths],
        repeatRows=1 if block.header else 0,
    )
    tint = colors.HexColor(accent).clone(alpha=0.12)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#aaaaaa")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                *(
                    [("BACKGROUND", (0, 0), (-1, 0), tint)]
                    if block.header
                    else [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f5f8"))]
                ),
            ]
        )
    )
    return [table, Spacer(0, 6)]


def _flowables(block: Any, accent: str) -> list[Any]:
    styles = _styles(accent)
    if isinstance(block, Cover):
        return _cover(block, styles)
    if isinstance(block, doc.PageBreak):
        return [PageBreak()]
    if isinstance(block, Toc):
        toc = TableOfContents()
        toc.levelStyles = [styles["toc1"], styles["toc2"]]
        toc.dotsMinLevel = 0
        return [toc]
    if isinstance(block, Heading):
        paragraph = Paragraph(_text(block.text), styles[f"h{min(block.level, 4)}"])
        if block.in_toc:
            paragraph.toc_level = block.level  # type: ignore[attr-defined]
        return [
            # Room for the heading and a few lines of what follows, or a new page.
            CondPageBreak({1: 8 * cm, 2: 6 * cm, 3: 4 * cm}.get(block.level, 3 * cm)),
            paragraph,
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
        return _table(block, styles, accent)
    if isinstance(block, Chart):
        image = Image(io.BytesIO(block.png))
        ratio = CONTENT_WIDTH / image.imageWidth
        image.drawWidth, image.drawHeight = CONTENT_WIDTH, image.imageHeight * ratio
        return [KeepTogether([image]), Spacer(0, 8)]
    if isinstance(block, Picture):
        width, height = block.size_cm(CONTENT_WIDTH / cm)
        photo = Image(io.BytesIO(block.jpeg), width=width * cm, height=height * cm)
        return [photo, Spacer(0, 6)]
    if isinstance(block, Group):
        inner = [f for b in block.blocks for f in _flowables(b, accent)]
        # A heading and its first card, or one card, are never cut across two pages when
        # they fit on one.
        return [KeepTogether(inner), Spacer(0, 6)]
    raise TypeError(f"bloc inconnu : {block!r}")


def render(model: dict[str, Any], **_options: Any) -> bytes:
    buffer = io.BytesIO()
    document = _Report(
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
    accent = doc.colour(model)
    story = [f for block in compte_rendu(model) for f in _flowables(block, accent)]

    class Canvas_(_NumberedCanvas):
        footer_text = model["event"]["organiser_name"]

    # Two passes or more: the table of contents learns its page numbers from the first.
    document.multiBuild(story, canvasmaker=Canvas_)
    return buffer.getvalue()

"""The ``odt`` export (OpenDocument, LibreOffice): the same compte-rendu as DOCX and PDF."""

from __future__ import annotations

import io
from typing import Any

from odfdo import (
    Cell,
    Column,
    Document,
    Frame,
    Header,
    LineBreak,
    List,
    ListItem,
    Paragraph,
    Row,
    Span,
    Style,
    VarPageCount,
    VarPageNumber,
)
from odfdo import Table as OdfTable
from PIL import Image

from facilitation.exports.document import (
    Bullets,
    Chart,
    Group,
    Heading,
    Para,
    Table,
    compte_rendu,
)

CONTENT_WIDTH_CM = 16.0


def _styles(doc: Document) -> None:
    title = Style("paragraph", name="DocTitle", display_name="Titre du document")
    title.set_properties(area="text", font_size="22pt", font_weight="bold", color="#1d4f91")
    title.set_properties(area="paragraph", margin_bottom="0.3cm")
    subtitle = Style("paragraph", name="DocSubtitle", display_name="Sous-titre")
    subtitle.set_properties(area="text", font_size="13pt", font_style="italic")
    meta = Style("paragraph", name="Meta", display_name="Mention")
    meta.set_properties(area="text", font_style="italic", color="#555555", font_size="10pt")
    quote = Style("paragraph", name="Synthese", display_name="Synthèse")
    quote.set_properties(
        area="paragraph",
        margin_left="0.8cm",
        border_left="0.1cm solid #1d4f91",
        padding_left="0.3cm",
    )
    keep = Style("paragraph", name="KeepNext", display_name="Lié au suivant")
    keep.set_properties(area="paragraph", keep_with_next="always")
    bold = Style("text", name="Bold", display_name="Gras", bold=True)
    cell = Style("table-cell", name="Cell", display_name="Cellule")
    cell.set_properties(area="table-cell", border="0.03pt solid #888888", padding="0.1cm")
    for style in (title, subtitle, meta, quote, keep, bold, cell):
        doc.insert_style(style, automatic=False)


def _footer(doc: Document, organiser: str) -> None:
    """« Agence — page N / M » on every page."""
    master = doc.get_style("master-page", "Standard")
    footer = Paragraph(f"{organiser} — page " if organiser else "page ", style="Meta")
    footer.append(VarPageNumber())
    footer.append(" / ")
    footer.append(VarPageCount())
    master.set_page_footer(footer)


def _paragraph(text: str, style: str | None = None) -> Paragraph:
    # ``formatted=True`` keeps line breaks and repeated spaces as typed.
    return Paragraph(text, style=style, formatted=True)


def _table(doc: Document, block: Table, index: int) -> OdfTable:
    table = OdfTable(f"Tableau{index}")
    for column_index, width in enumerate(block.widths):
        name = f"Tableau{index}.C{column_index}"
        doc.insert_style(
            Style("table-column", name=name, width=f"{CONTENT_WIDTH_CM * width:.2f}cm"),
            automatic=True,
        )
        table.append(Column(style=name))
    rows = ([block.header] if block.header else []) + block.rows
    for number, values in enumerate(rows):
        row = Row()
        for column, text in enumerate(values):
            cell = Cell(style="Cell")
            paragraph = Paragraph("")
            lines = (text or "").split("\n")
            bold = (number == 0 and block.header) or (block.key_value and column == 0)
            for n, line in enumerate(lines):
                if n:
                    paragraph.append(LineBreak())
                if bold:
                    paragraph.append(Span(line, style="Bold"))
                else:
                    paragraph.append(line)
            cell.append(paragraph)
            row.append(cell)
        table.append(row)
    return table


def render(model: dict[str, Any], **_options: Any) -> bytes:
    doc = Document("text")
    body = doc.body
    body.clear()
    _styles(doc)
    _footer(doc, model["event"]["organiser_name"])
    doc.meta.title = model["event"]["title"]
    doc.meta.subject = "Restitution des travaux"
    tables = 0

    def add(block: Any, keep: bool = False) -> None:
        nonlocal tables
        if isinstance(block, Heading):
            if block.level == 0:
                body.append(_paragraph(block.text, "DocTitle"))
            else:
                body.append(Header(block.level, block.text, style=f"Heading_20_{block.level}"))
        elif isinstance(block, Para):
            style = {"subtitle": "DocSubtitle", "meta": "Meta", "quote": "Synthese"}.get(
                block.style, "KeepNext" if keep else "Text_20_body"
            )
            paragraph = Paragraph("", style=style)
            if block.label:
                paragraph.append(Span(block.label, style="Bold"))
            paragraph.append(block.text)
            body.append(paragraph)
        elif isinstance(block, Bullets):
            body.append(List([ListItem(item) for item in block.items]))
        elif isinstance(block, Table):
            tables += 1
            body.append(_table(doc, block, tables))
            body.append(Paragraph(""))
        elif isinstance(block, Chart):
            with Image.open(io.BytesIO(block.png)) as image:
                width, height = image.size
            url = doc.add_file(io.BytesIO(block.png))
            frame = Frame.image_frame(
                url,
                text=block.alt,
                size=(f"{CONTENT_WIDTH_CM}cm", f"{CONTENT_WIDTH_CM * height / width:.2f}cm"),
                anchor_type="as-char",
            )
            frame.svg_title = block.title
            frame.svg_description = block.alt
            paragraph = Paragraph("")
            paragraph.append(frame)
            body.append(paragraph)
        elif isinstance(block, Group):
            for index, inner in enumerate(block.blocks):
                add(inner, keep=index < len(block.blocks) - 1)

    for block in compte_rendu(model):
        add(block)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

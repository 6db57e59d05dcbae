"""The ``odt`` export (OpenDocument, LibreOffice): the same compte-rendu as DOCX and PDF,
with its cover, table of contents (LibreOffice's own, filled from the headings) and page
breaks."""

from __future__ import annotations

import io
import re
from typing import Any

from odfdo import (
    TOC,
    Cell,
    Column,
    Document,
    Frame,
    Header,
    LineBreak,
    List,
    Paragraph,
    Row,
    Span,
    Style,
    VarPageCount,
    VarPageNumber,
)
from odfdo import Table as OdfTable
from PIL import Image

from facilitation.exports import document as doc_blocks
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

CONTENT_WIDTH_CM = 16.0


def _styles(doc: Document, colour: str) -> None:
    title = Style("paragraph", name="DocTitle", display_name="Titre du document")
    title.set_properties(area="text", font_size="28pt", font_weight="bold", color="#ffffff")
    title.set_properties(
        area="paragraph",
        margin_bottom="0.5cm",
        background_color=colour,
        padding="0.4cm",
    )
    kicker = Style("paragraph", name="Kicker", display_name="Surtitre")
    kicker.set_properties(area="text", font_weight="bold", color=colour, font_size="13pt")
    kicker.set_properties(area="paragraph", margin_top="0.8cm", margin_bottom="0.2cm")
    cover = Style("paragraph", name="CoverLine", display_name="Ligne de couverture")
    cover.set_properties(area="text", font_size="13pt")
    merged = Style("text", name="Merged", display_name="Regroupé", bold=True, color=colour)
    figure = Style("text", name="Figure", display_name="Chiffre", bold=True, color=colour)
    figure.set_properties(area="text", font_size="18pt")
    page_title = Style("paragraph", name="PageTitle", display_name="Titre de page")
    page_title.set_properties(area="text", font_size="16pt", font_weight="bold", color=colour)
    page_title.set_properties(area="paragraph", margin_bottom="0.3cm", keep_with_next="always")
    page_break = Style("paragraph", name="PageBreak", display_name="Saut de page")
    page_break.set_properties(area="paragraph", break_before="page")
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
    for style in (title, kicker, cover, merged, figure, page_title, page_break):
        doc.insert_style(style, automatic=False)
    # Headings in the event's colour (sections, parts of an atelier), never alone at a
    # page's foot; the paragraphs of a card keep with what follows them (KeepNext, MetaKeep).
    for level, size, tint in (
        (1, "17pt", colour),
        (2, "14pt", "#1b1b1b"),
        (3, "12pt", colour),
        (4, "11pt", "#1b1b1b"),
    ):
        heading = Style("paragraph", name=f"Titre{level}", display_name=f"Titre {level}")
        heading.set_properties(area="text", font_size=size, font_weight="bold", color=tint)
        heading.set_properties(
            area="paragraph", margin_top="0.35cm", margin_bottom="0.15cm", keep_with_next="always"
        )
        doc.insert_style(heading, automatic=False)
    meta_keep = Style("paragraph", name="MetaKeep", display_name="Mention liée au suivant")
    meta_keep.set_properties(area="text", font_style="italic", color="#555555", font_size="10pt")
    meta_keep.set_properties(area="paragraph", keep_with_next="always")
    doc.insert_style(meta_keep, automatic=False)
    for style in (subtitle, meta, quote, keep, bold):
        doc.insert_style(style, automatic=False)
    # LibreOffice applies a table cell's style only from the automatic styles.
    doc.insert_style(cell, automatic=True)


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
    style = None
    if block.key_value:
        # A card's fields are never cut across two pages (they fit on one).
        style = f"Tableau{index}"
        card = Style("table", name=style, width=f"{CONTENT_WIDTH_CM:.2f}cm")
        card.set_properties(area="table", may_break_between_rows="false")
        doc.insert_style(card, automatic=True)
    table = OdfTable(f"Tableau{index}", style=style)
    _columns(table, block.widths, index, doc)
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


def _cover(doc: Document, body: Any, block: Cover) -> None:
    if block.logo:
        try:
            with Image.open(io.BytesIO(block.logo)) as image:
                width, height = image.size
            ratio = min(7 / width, 3.5 / height)
            url = doc.add_file(io.BytesIO(block.logo))
            frame = Frame.image_frame(
                url,
                text=block.brand or "Logo",
                size=(f"{width * ratio:.2f}cm", f"{height * ratio:.2f}cm"),
                anchor_type="as-char",
            )
            paragraph = Paragraph("")
            paragraph.append(frame)
            body.append(paragraph)
        except Exception:  # noqa: BLE001 - a logo that does not decode is left out, not fatal
            pass
    if block.brand:
        body.append(Paragraph(block.brand, style="CoverLine"))
    body.append(Paragraph(block.kicker, style="Kicker"))
    body.append(_paragraph(block.title, "DocTitle"))
    body.append(Paragraph(block.date[:1].upper() + block.date[1:], style="CoverLine"))
    if block.place:
        body.append(Paragraph(block.place, style="CoverLine"))
    for _ in range(8):
        body.append(Paragraph(""))
    for label, value in (
        ("Organisation : ", block.brand),
        ("Animation et compte-rendu : ", block.agency),
    ):
        if value:
            line = Paragraph("", style="Meta")
            line.append(Span(label, style="Bold"))
            line.append(value)
            body.append(line)


def _columns(table: OdfTable, widths: Any, index: int, doc: Document) -> None:
    """The table's columns, each as wide as its share of the text width."""
    for column_index, width in enumerate(widths):
        name = f"Tableau{index}.C{column_index}"
        doc.insert_style(
            Style("table-column", name=name, width=f"{CONTENT_WIDTH_CM * width:.2f}cm"),
            automatic=True,
        )
        table.append(Column(style=name))


def _figures(block: Table, index: int, doc: Document) -> OdfTable:
    table = OdfTable(f"Tableau{index}")
    _columns(table, block.widths, index, doc)
    for number, label in block.rows:
        row = Row()
        cell = Cell()
        paragraph = Paragraph("")
        paragraph.append(Span(number, style="Figure"))
        cell.append(paragraph)
        row.append(cell)
        cell = Cell()
        cell.append(Paragraph(label))
        row.append(cell)
        table.append(row)
    return table


def render(model: dict[str, Any], **_options: Any) -> bytes:
    doc = Document("text")
    body = doc.body
    body.clear()
    _styles(doc, doc_blocks.colour(model))
    _footer(doc, model["event"]["organiser_name"])
    doc.meta.title = model["event"]["title"]
    doc.meta.subject = "Restitution des travaux"
    tables = 0
    tocs: list[TOC] = []
    page_break = False

    def add(block: Any, keep: bool = False) -> None:
        nonlocal tables, page_break
        if isinstance(block, doc_blocks.PageBreak):
            # The next paragraph or heading opens a new page.
            page_break = True
            return
        if page_break:
            body.append(Paragraph("", style="PageBreak"))
            page_break = False
        if isinstance(block, Cover):
            _cover(doc, body, block)
        elif isinstance(block, Toc):
            toc = TOC("", outline_level=2)
            body.append(toc)
            tocs.append(toc)
        elif isinstance(block, Heading) and not block.toc:
            # The pages before the table of contents: a heading's look, out of the outline.
            body.append(Paragraph(block.text, style="PageTitle"))
        elif isinstance(block, Heading):
            header = Header(block.level, block.text)
            # (odfdo's Header ignores its style argument: set afterwards.)
            header.style = f"Titre{min(block.level, 4)}"
            body.append(header)
        elif isinstance(block, Para):
            style = {
                "subtitle": "DocSubtitle",
                "meta": "MetaKeep" if keep else "Meta",
                "quote": "Synthese",
            }.get(block.style, "KeepNext" if keep else "Text_20_body")
            paragraph = Paragraph("", style=style)
            if block.label:
                paragraph.append(
                    Span(block.label, style="Merged" if block.style == "merged" else "Bold")
                )
            paragraph.append(block.text)
            body.append(paragraph)
        elif isinstance(block, Bullets):
            # List() wraps each string in its own item (ListItems given to it were nested
            # in a second, empty item and showed nothing).
            body.append(List(list(block.items)))
        elif isinstance(block, Table):
            tables += 1
            if block.figures:
                body.append(_figures(block, tables, doc))
            else:
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
        elif isinstance(block, Picture):
            width, height = block.size_cm(CONTENT_WIDTH_CM)
            url = doc.add_file(io.BytesIO(block.jpeg))
            frame = Frame.image_frame(
                url,
                text=block.caption,
                size=(f"{width:.2f}cm", f"{height:.2f}cm"),
                anchor_type="as-char",
            )
            frame.svg_description = block.caption
            paragraph = Paragraph("", style="KeepNext" if keep else "Text_20_body")
            paragraph.append(frame)
            body.append(paragraph)
        elif isinstance(block, Group):
            for index, inner in enumerate(block.blocks):
                add(inner, keep=index < len(block.blocks) - 1)

    for block in compte_rendu(model):
        add(block)
    # Headings are not numbered (« 1.1.1. Chantiers … » read as a legal text).
    for level in doc.styles.get_elements("//text:outline-level-style"):
        level.set_attribute("style:num-format", "")
        for name in ("style:num-suffix", "loext:num-list-format"):
            if level.get_attribute(name) is not None:
                level.del_attribute(name)
    for toc in tocs:
        # Filled from the headings (sections and ateliers); LibreOffice adds page numbers
        # when the index is updated (Outils > Mettre à jour).
        toc.fill(doc)
        # odfdo numbers the entries (« 3.1. »); the headings are not numbered, nor are they.
        for entry in toc.get_paragraphs():
            text = entry.text or ""
            bare = re.sub(r"^\d+(\.\d+)*\.?\s*", "", text)
            if bare != text:
                entry.text = bare
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

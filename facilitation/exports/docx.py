"""The ``docx`` export (Word): the compte-rendu with a cover, a table of contents, real
headings (kept with what follows), tables and charts, titles in the event's colour."""

from __future__ import annotations

import contextlib
import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

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


def _page_number_footer(section: Any, organiser: str) -> None:
    """« Agence — page N / M » with Word's own PAGE and NUMPAGES fields."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if organiser:
        paragraph.add_run(f"{organiser} — ")
    paragraph.add_run("page ")
    for index, instruction in enumerate(("PAGE", "NUMPAGES")):
        if index:
            paragraph.add_run(" / ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instruction)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)
    for run in paragraph.runs:
        run.font.size = Pt(9)


def _keep_with_next(paragraph: Any) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _table(doc: Any, block: Table, keep: bool) -> None:
    columns = len(block.widths)
    table = doc.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.autofit = False
    if block.header:
        cells = table.add_row().cells
        for cell, text in zip(cells, block.header, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
        # Repeat the header row on every page the table spans.
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
    for number, row in enumerate(block.rows):
        cells = table.add_row().cells
        # A card's fields stay on one page: each row keeps with the next, the last one too
        # when the card goes on (engagements, a merged duplicate).
        keep_row = keep or (block.key_value and number < len(block.rows) - 1)
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            lines = (text or "").split("\n")
            paragraph = cell.paragraphs[0]
            for n, line in enumerate(lines):
                run = paragraph.add_run(line)
                if n < len(lines) - 1:
                    run.add_break()
                if block.key_value and index == 0:
                    run.bold = True
            if keep_row:
                _keep_with_next(paragraph)
    # Word reads the cells' widths, LibreOffice the grid's: both are set.
    for column, width in zip(table.columns, block.widths, strict=True):
        column.width = Cm(CONTENT_WIDTH_CM * width)
    for row in table.rows:
        # A row never splits across pages ("no cut cards").
        tr_pr = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)
        for cell, width in zip(row.cells, block.widths, strict=True):
            cell.width = Cm(CONTENT_WIDTH_CM * width)
    doc.add_paragraph()


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _shade(paragraph: Any, colour: str) -> None:
    """A paragraph on a coloured background (the cover's title band)."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour.lstrip("#").upper())
    paragraph._p.get_or_add_pPr().append(shading)


def _cover(doc: Any, block: Cover) -> None:
    if block.logo:
        # A logo that does not decode is left out: the report still comes.
        with contextlib.suppress(Exception):
            doc.add_picture(io.BytesIO(block.logo), height=Cm(3))
    if block.brand:
        doc.add_paragraph().add_run(block.brand).font.size = Pt(13)
    kicker = doc.add_paragraph().add_run(block.kicker)
    kicker.bold = True
    kicker.font.color.rgb = _rgb(block.colour)
    title = doc.add_paragraph()
    _shade(title, block.colour)
    title.paragraph_format.space_after = Pt(18)
    run = title.add_run(block.title)
    run.bold = True
    run.font.size = Pt(28)
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    when = block.date[:1].upper() + block.date[1:]
    doc.add_paragraph().add_run(when).font.size = Pt(13)
    if block.place:
        doc.add_paragraph().add_run(block.place).font.size = Pt(13)
    for _ in range(6):
        doc.add_paragraph()
    for label, value in (
        ("Organisation : ", block.brand),
        ("Animation et compte-rendu : ", block.agency),
    ):
        if value:
            line = doc.add_paragraph()
            line.add_run(label).bold = True
            line.add_run(value)


def _field_char(run: Any, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def _toc(doc: Any, block: Toc) -> None:
    """Word's own TOC field (page numbers on open: Word offers to update the fields), its
    cached result already listing the sections, so it reads well before any update."""
    for index, (level, text) in enumerate(block.entries):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.8 * (level - 1))
        if index == 0:
            run = paragraph.add_run()
            _field_char(run, "begin")
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = 'TOC \\o "1-2" \\h \\z \\u'
            run._r.append(instruction)
            _field_char(run, "separate")
        entry = paragraph.add_run(text)
        entry.bold = level == 1
        if index == len(block.entries) - 1:
            _field_char(paragraph.add_run(), "end")
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _figures(doc: Any, block: Table, colour: str) -> None:
    table = doc.add_table(rows=0, cols=2)
    for number, label in block.rows:
        cells = table.add_row().cells
        run = cells[0].paragraphs[0].add_run(number)
        run.bold = True
        run.font.size = Pt(18)
        run.font.color.rgb = _rgb(colour)
        cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        cells[1].paragraphs[0].add_run(label)
    for row in table.rows:
        for cell, width in zip(row.cells, block.widths, strict=True):
            cell.width = Cm(CONTENT_WIDTH_CM * width)
    doc.add_paragraph()


def _add(doc: Any, block: Any, keep: bool = False, colour: str = doc_blocks.DEFAULT_COLOUR) -> None:
    if isinstance(block, Cover):
        _cover(doc, block)
    elif isinstance(block, doc_blocks.PageBreak):
        doc.add_page_break()
    elif isinstance(block, Toc):
        _toc(doc, block)
    elif isinstance(block, Heading):
        paragraph = doc.add_heading(block.text, level=block.level)
        _keep_with_next(paragraph)
    elif isinstance(block, Para):
        style = {"quote": "Quote", "subtitle": "Subtitle"}.get(block.style)
        paragraph = doc.add_paragraph(style=style)
        if block.label:
            label = paragraph.add_run(block.label)
            label.bold = True
            if block.style == "merged":
                label.font.color.rgb = _rgb(colour)
        run = paragraph.add_run(block.text)
        if block.style == "meta":
            run.italic = True
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        if keep:
            _keep_with_next(paragraph)
    elif isinstance(block, Bullets):
        for item in block.items:
            paragraph = doc.add_paragraph(item, style="List Bullet")
            if keep:
                _keep_with_next(paragraph)
    elif isinstance(block, Table):
        if block.figures:
            _figures(doc, block, colour)
        else:
            _table(doc, block, keep)
    elif isinstance(block, Chart):
        doc.add_picture(io.BytesIO(block.png), width=Cm(CONTENT_WIDTH_CM))
        picture = doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # The chart's sentence as alternative text for screen readers.
        for prop in picture._p.iter(qn("wp:docPr")):
            prop.set("descr", block.alt)
            prop.set("title", block.title)
    elif isinstance(block, Picture):
        width, _height = block.size_cm(CONTENT_WIDTH_CM)
        doc.add_picture(io.BytesIO(block.jpeg), width=Cm(width))
        picture = doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if keep:
            _keep_with_next(picture)
        for prop in picture._p.iter(qn("wp:docPr")):
            prop.set("descr", block.caption)
    elif isinstance(block, Group):
        for index, inner in enumerate(block.blocks):
            _add(doc, inner, keep=index < len(block.blocks) - 1, colour=colour)


def render(model: dict[str, Any], **_options: Any) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.0)
    # The cover has no footer (its own first-page footer, left empty).
    section.different_first_page_header_footer = True
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    colour = doc_blocks.colour(model)
    for name in ("Heading 1", "Heading 3"):
        doc.styles[name].font.color.rgb = _rgb(colour)
    for name in ("Heading 2", "Heading 4"):
        doc.styles[name].font.color.rgb = RGBColor(0x1B, 0x1B, 0x1B)
    properties = doc.core_properties
    properties.title = model["event"]["title"]
    properties.subject = "Restitution des travaux"
    properties.author = model["event"]["organiser_name"] or "facilitation"
    properties.language = "fr-FR"
    _page_number_footer(section, model["event"]["organiser_name"])
    for block in compte_rendu(model):
        _add(doc, block, colour=colour)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

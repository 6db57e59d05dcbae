"""The ``docx`` export (Word): the compte-rendu with real headings, tables and charts."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

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
    for row in block.rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            lines = (text or "").split("\n")
            paragraph = cell.paragraphs[0]
            for n, line in enumerate(lines):
                run = paragraph.add_run(line)
                if n < len(lines) - 1:
                    run.add_break()
                if block.key_value and index == 0:
                    run.bold = True
            if keep:
                _keep_with_next(paragraph)
    for row in table.rows:
        # A row never splits across pages ("no cut cards").
        tr_pr = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)
        for cell, width in zip(row.cells, block.widths, strict=True):
            cell.width = Cm(CONTENT_WIDTH_CM * width)
    doc.add_paragraph()


def _add(doc: Any, block: Any, keep: bool = False) -> None:
    if isinstance(block, Heading):
        paragraph = doc.add_heading(block.text, level=block.level)
        _keep_with_next(paragraph)
    elif isinstance(block, Para):
        style = {"quote": "Quote", "subtitle": "Subtitle"}.get(block.style)
        paragraph = doc.add_paragraph(style=style)
        if block.label:
            paragraph.add_run(block.label).bold = True
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
        _table(doc, block, keep)
    elif isinstance(block, Chart):
        doc.add_picture(io.BytesIO(block.png), width=Cm(CONTENT_WIDTH_CM))
        picture = doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # The chart's sentence as alternative text for screen readers.
        for prop in picture._p.iter(qn("wp:docPr")):
            prop.set("descr", block.alt)
            prop.set("title", block.title)
    elif isinstance(block, Group):
        for index, inner in enumerate(block.blocks):
            _add(doc, inner, keep=index < len(block.blocks) - 1)


def render(model: dict[str, Any], **_options: Any) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.0)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    properties = doc.core_properties
    properties.title = model["event"]["title"]
    properties.subject = "Restitution des travaux"
    properties.author = model["event"]["organiser_name"] or "facilitation"
    properties.language = "fr-FR"
    _page_number_footer(section, model["event"]["organiser_name"])
    for block in compte_rendu(model):
        _add(doc, block)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

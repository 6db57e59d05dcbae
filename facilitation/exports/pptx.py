"""The ``pptx`` export: the restitution's slides, to present and re-edit in PowerPoint or
Impress (python-pptx): real text boxes and tables, the event's colour and logo.

Title slide, the day in figures, one slide per atelier (its question and ranked
contributions, continued on the next slide when the list is long), its synthesis, the
chantiers retained, the plenary vote's result. Nothing is shrunk below a readable size and
nothing overflows: lists are cut into slides from an estimate of their lines.
"""

from __future__ import annotations

import io
import math
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from facilitation.exports import cloud as word_cloud
from facilitation.exports import document as doc
from facilitation.exports.common import author_line, date_fr, dots_text, plural, reactions_text

#: 16:9, the size PowerPoint and Impress give a new widescreen deck.
WIDTH, HEIGHT = Emu(12192000), Emu(6858000)
MARGIN = Inches(0.6)
BAND = Inches(1.15)
BODY_TOP = BAND + Inches(0.35)
FOOTER = Inches(0.45)
BODY_SIZE = 20
DARK = RGBColor(0x1B, 0x1B, 0x1B)
GREY = RGBColor(0x55, 0x55, 0x55)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _lines(text: str, size: int, width: int, glyph: float = 0.52) -> int:
    """Lines ``text`` takes in a box ``width`` EMU wide at ``size`` points (an average glyph
    is about half the font size wide, ``glyph`` × size; rounded up, so a slide is never
    overfull)."""
    per_line = max(10, int(Emu(width).pt / (size * glyph)))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _pages(items: list[str], size: int, width: int, height: int) -> list[list[str]]:
    """``items`` cut into slides: as many as fit ``height`` EMU at ``size`` points."""
    room = int(Emu(height).pt / (size * 1.2 * 1.15))
    pages: list[list[str]] = [[]]
    used = 0
    for item in items:
        need = _lines(item, size, width)
        if pages[-1] and used + need > room:
            pages.append([])
            used = 0
        pages[-1].append(item)
        used += need
    return pages


def _card_notes(card: dict[str, Any]) -> list[str]:
    lines = [f"    {f['label']} : {f['value']}" for f in card["fields"]]
    who = author_line(card)
    if who:
        lines.append(f"    Proposé par : {who}")
    return lines


class _Deck:
    def __init__(self, model: dict[str, Any]) -> None:
        self.model = model
        self.colour = doc.colour(model)
        self.logo = doc.logo_bytes(model)
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]
        event = model["event"]
        self.footer = " · ".join(p for p in (event["title"], date_fr(event["date"])) if p)

    # -- pieces
    def _text(
        self,
        slide: Any,
        box: tuple[int, int, int, int],
        paragraphs: list[tuple[str, int, bool, RGBColor]],
        anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
        align: PP_ALIGN = PP_ALIGN.LEFT,
    ) -> Any:
        shape = slide.shapes.add_textbox(*box)
        frame = shape.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = anchor
        for index, (text, size, bold, colour) in enumerate(paragraphs):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.alignment = align
            paragraph.space_after = Pt(size * 0.35)
            run = paragraph.add_run()
            run.text = text
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = colour
        return shape

    def _logo(self, slide: Any, left: int, top: int, height: int) -> None:
        if self.logo is None:
            return
        try:
            slide.shapes.add_picture(io.BytesIO(self.logo), left, top, height=height)
        except Exception:  # noqa: BLE001 - a logo that does not decode is left out, not fatal
            return

    def slide(self, title: str, subtitle: str = "") -> Any:
        """A content slide: the coloured band with its title, the footer, the logo."""
        slide = self.prs.slides.add_slide(self.blank)
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, WIDTH, BAND)
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb(self.colour)
        band.line.fill.background()
        # One line at 30 pt when it fits, else two at 24 pt (the band holds two).
        size = 30 if _lines(title, 30, WIDTH - 2 * MARGIN, glyph=0.64) == 1 else 24
        self._text(
            slide,
            (MARGIN, 0, WIDTH - 2 * MARGIN, BAND),
            [(title, size, True, WHITE)],
            anchor=MSO_ANCHOR.MIDDLE,
        )
        self._text(
            slide,
            (MARGIN, HEIGHT - FOOTER, WIDTH - 2 * MARGIN - Inches(1.5), FOOTER),
            [(self.footer, 12, False, GREY)],
            anchor=MSO_ANCHOR.MIDDLE,
        )
        self._logo(
            slide, WIDTH - MARGIN - Inches(1.2), HEIGHT - FOOTER + Inches(0.05), Inches(0.35)
        )
        if subtitle:
            self._text(
                slide,
                (MARGIN, BAND + Inches(0.15), WIDTH - 2 * MARGIN, Inches(0.9)),
                [(subtitle, 18, False, GREY)],
            )
        return slide

    def body_box(self, subtitle: str = "") -> tuple[int, int, int, int]:
        top = BODY_TOP + (Inches(0.85) if subtitle else 0)
        return (MARGIN, top, WIDTH - 2 * MARGIN, HEIGHT - FOOTER - top - Inches(0.15))

    def listing(self, title: str, items: list[str], subtitle: str = "", empty: str = "") -> None:
        """``items`` as paragraphs, on as many slides as they need (« (suite) » after the
        first)."""
        width, height = self.body_box(subtitle)[2], self.body_box(subtitle)[3]
        pages = _pages(items, BODY_SIZE, width, height) if items else [[]]
        for number, page in enumerate(pages):
            heading = title if number == 0 else f"{title} (suite)"
            slide = self.slide(heading, subtitle if number == 0 else "")
            box = self.body_box(subtitle if number == 0 else "")
            paragraphs = [(item, BODY_SIZE, False, DARK) for item in page] or [
                (empty, BODY_SIZE, False, GREY)
            ]
            self._text(slide, box, paragraphs)

    # -- slides
    def title_slide(self) -> None:
        event = self.model["event"]
        slide = self.prs.slides.add_slide(self.blank)
        self._logo(slide, MARGIN, Inches(0.5), Inches(1.3))
        if event.get("brand_name"):
            self._text(
                slide,
                (MARGIN, Inches(1.9), WIDTH - 2 * MARGIN, Inches(0.6)),
                [(event["brand_name"], 20, False, DARK)],
            )
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.6), WIDTH, Inches(2.2))
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb(self.colour)
        band.line.fill.background()
        # The largest size at which the kicker and the title fit the band (200 characters
        # at most, stored: they fit at 22 pt).
        width = WIDTH - 2 * MARGIN
        size = next(
            (
                n
                for n in (40, 34, 28, 24)
                if 30 + _lines(event["title"], n, width, glyph=0.64) * n * 1.25
                <= Inches(2.2).pt - 16
            ),
            22,
        )
        self._text(
            slide,
            (MARGIN, Inches(2.6), WIDTH - 2 * MARGIN, Inches(2.2)),
            [("Restitution des travaux", 20, True, WHITE), (event["title"], size, True, WHITE)],
            anchor=MSO_ANCHOR.MIDDLE,
        )
        when = date_fr(event["date"])
        place = ", ".join(p for p in (event["venue"], event["city"]) if p)
        lines = [(when[:1].upper() + when[1:], 22, False, DARK)]
        if place:
            lines.append((place, 18, False, GREY))
        self._text(slide, (MARGIN, Inches(5.05), WIDTH - 2 * MARGIN, Inches(1.3)), lines)
        if event["organiser_name"]:
            self._text(
                slide,
                (MARGIN, Inches(6.55), WIDTH - 2 * MARGIN, Inches(0.6)),
                [(f"Animation : {event['organiser_name']}", 14, False, GREY)],
            )

    def figures(self) -> None:
        slide = self.slide("La journée en chiffres")
        table = doc.figures_table(self.model)
        columns = 4
        width = (WIDTH - 2 * MARGIN) // columns
        for index, (number, label) in enumerate(table.rows):
            row, column = divmod(index, columns)
            left = MARGIN + column * width
            top = BODY_TOP + Inches(0.3) + row * Inches(2.4)
            self._text(
                slide,
                (left, top, width, Inches(2.1)),
                [(number, 54, True, _rgb(self.colour)), (label, 18, False, DARK)],
                align=PP_ALIGN.CENTER,
            )

    def tables(
        self,
        title: str,
        header: list[str],
        rows: list[list[str]],
        widths: tuple[float, ...],
        subtitle: str = "",
        empty: str = "",
        notes: str = "",
    ) -> None:
        """An editable table, on as many slides as its rows need (a row is as tall as its
        longest cell; the next slide takes over before the footer). ``notes`` go to the
        first slide's speaker notes."""
        if not rows:
            self.listing(title, [], subtitle, empty=empty)
            return
        size = 18
        pages: list[list[list[str]]] = [[]]
        first = True
        used = room = 0.0

        def start() -> None:
            nonlocal used, room
            box = self.body_box(subtitle if first else "")
            room = Emu(box[3]).pt / (size * 1.2)
            used = 1.8  # the header row

        start()
        width = self.body_box()[2]
        for row in rows:
            need = max(
                _lines(value, size, int(width * w) - Inches(0.2), glyph=0.5)
                for value, w in zip(row, widths, strict=True)
            )
            need += 0.5  # the cell's margins
            if pages[-1] and used + need > room:
                pages.append([])
                first = False
                start()
            pages[-1].append(row)
            used += need
        for number, page in enumerate(pages):
            sub = subtitle if number == 0 else ""
            slide = self.slide(title if number == 0 else f"{title} (suite)", sub)
            if number == 0 and notes:
                slide.notes_slide.notes_text_frame.text = notes
            box = self.body_box(sub)
            shape = slide.shapes.add_table(
                len(page) + 1, len(header), box[0], box[1], box[2], Inches(0.4)
            )
            table = shape.table
            for column, w in enumerate(widths):
                table.columns[column].width = int(box[2] * w)
            for r, values in enumerate([header, *page]):
                for column, value in enumerate(values):
                    cell = table.cell(r, column)
                    cell.text = value
                    for paragraph in cell.text_frame.paragraphs:
                        for run in paragraph.runs:
                            run.font.size = Pt(size)
                            run.font.bold = r == 0
                            run.font.color.rgb = WHITE if r == 0 else DARK
                    if r == 0:
                        cell.fill.solid()
                        cell.fill.fore_color.rgb = _rgb(self.colour)

    def atelier(self, atelier: dict[str, Any]) -> None:
        rows = []
        # The slide shows titles; the speaker notes hold every card's words and author, so
        # the presenter can read out a contribution and nothing typed is left out.
        notes: list[str] = []
        for kind, label in (("chantier", "Chantier"), ("pratique", "Pratique")):
            cards = [c for c in atelier["contributions"] if c["kind"] == kind]
            for number, card in enumerate(cards, start=1):
                text = card["titre"]
                for duplicate in card["merged"]:
                    text += f"\nregroupé avec : {duplicate['titre']}"
                reacted = reactions_text(card)
                score = dots_text(card) + (f"\n{reacted}" if reacted else "")
                rows.append([f"{label} {number}", text, score])
                notes.append(f"{label} {number}. {card['titre']} — {dots_text(card)}")
                if reacted:
                    notes.append(f"    {reacted}")
                notes += _card_notes(card)
                for duplicate in card["merged"]:
                    notes.append(f"Regroupé avec cette contribution : {duplicate['titre']}")
                    notes += _card_notes(duplicate)
                notes.append("")
        self.tables(
            atelier["title"],
            ["Rang", "Contribution", "Gommettes"],
            rows,
            (0.15, 0.63, 0.22),
            atelier["question"] or atelier["theme"],
            empty="Aucune contribution dans cet atelier.",
            notes="\n".join(notes).strip(),
        )
        if atelier["synthesis"]:
            paragraphs = [p.strip() for p in atelier["synthesis"]["text"].split("\n") if p.strip()]
            self.listing(f"Ce qu'il faut retenir — {atelier['title']}", paragraphs)
        self.photos(atelier)
        for cloud in atelier.get("clouds", []):
            self.cloud(atelier, cloud)

    def photo(self, slide: Any, picture: doc.Picture, box: tuple[int, int, int, int]) -> None:
        """``picture`` as large as ``box`` allows, centred in it, its ratio kept."""
        left, top, width, height = box
        ratio = picture.height / picture.width if picture.width else 1.0
        w = min(width, int(height / ratio))
        h = int(w * ratio)
        shape = slide.shapes.add_picture(
            io.BytesIO(picture.jpeg), left + (width - w) // 2, top + (height - h) // 2, w, h
        )
        shape.name = picture.caption[:200]

    def photos(self, atelier: dict[str, Any]) -> None:
        """One slide per paperboard; the cards' photos four to a slide, with their titles."""
        for number, ref in enumerate(atelier.get("paperboards") or [], 1):
            picture = doc.picture(ref, f"{atelier['title']} — paperboard {number}", 1)
            if picture is None:
                continue
            slide = self.slide(f"Paperboard {number} — {atelier['title']}")
            self.photo(slide, picture, self.body_box())
        cards = [
            (c, p)
            for c in atelier["contributions"]
            if (p := doc.picture(c.get("photo"), f"Photo jointe à « {c['titre']} »", 1))
        ]
        for start in range(0, len(cards), 4):
            slide = self.slide(f"Photos des contributions — {atelier['title']}")
            left, top, width, height = self.body_box()
            cell_w, cell_h = width // 2, height // 2
            for index, (card, picture) in enumerate(cards[start : start + 4]):
                x = left + (index % 2) * cell_w
                y = top + (index // 2) * cell_h
                caption = Inches(0.4)
                self.photo(slide, picture, (x, y, cell_w - Inches(0.2), cell_h - caption))
                self._text(
                    slide,
                    (x, y + cell_h - caption, cell_w - Inches(0.2), caption),
                    [(card["titre"], 14, False, DARK)],
                    align=PP_ALIGN.CENTER,
                )

    def cloud(self, atelier: dict[str, Any], cloud: dict[str, Any]) -> None:
        """« En un mot »: the cloud as a picture on its slide, the words ranked in the notes
        and on the slides after it (editable)."""
        title = f"En un mot — {atelier['title']}"
        slide = self.slide(title, cloud["question"])
        left, top, width, height = self.body_box(cloud["question"])
        if cloud["words"]:
            # 16:9 picture, as large as the body allows, centred.
            pic_width = min(width, int(height * 16 / 9))
            pic_height = int(pic_width * 9 / 16)
            slide.shapes.add_picture(
                io.BytesIO(word_cloud.to_png(cloud)),
                left + (width - pic_width) // 2,
                top,
                pic_width,
                pic_height,
            )
        else:
            self._text(
                slide, (left, top, width, height), [("Aucun mot envoyé.", BODY_SIZE, False, GREY)]
            )
        ranked = [
            f"{w['rank']}{' ex æquo' if w['tied'] else ''}. {w['label']} — "
            f"{plural(w['count'], 'téléphone')}"
            for w in cloud["words"]
        ]
        slide.notes_slide.notes_text_frame.text = word_cloud.description(cloud)
        self.tables(
            f"{title} : les mots",
            ["Rang", "Mot", "Téléphones"],
            [
                [f"{w['rank']}{' ex æquo' if w['tied'] else ''}", w["label"], str(w["count"])]
                for w in cloud["words"]
            ],
            (0.2, 0.56, 0.24),
            cloud["question"],
            empty="Aucun mot envoyé.",
            notes="\n".join(ranked),
        )

    def retained(self) -> None:
        title = (
            "Les chantiers retenus"
            if self.model["perspectives"]
            else "Les chantiers les plus soutenus"
        )
        rows = [
            [
                c["titre"],
                doc.field_value(c, "porteur") or c["author_structure"],
                doc.field_value(c, "communes") or c["commune"],
                str(c["engagement_count"]),
            ]
            for c in doc.retained(self.model)
        ]
        self.tables(
            title,
            ["Chantier", "Porteur", "Communes", "Engagé·es"],
            rows,
            (0.38, 0.22, 0.25, 0.15),
            empty="Aucun chantier pour l'instant.",
        )

    def plenary(self) -> None:
        rows = [
            [
                f"{c['rank']}{' ex æquo' if c['tied'] else ''}",
                c["titre"],
                plural(c["dots"], "gommette"),
            ]
            for c in self.model["perspectives"]
        ]
        self.tables(
            "Perspectives collectives : le vote en plénière",
            ["Rang", "Chantier", "Gommettes"],
            rows,
            (0.15, 0.63, 0.22),
            empty="Le vote en plénière n'a pas (encore) eu lieu.",
        )

    def build(self) -> bytes:
        self.title_slide()
        self.figures()
        for sequence in self.model["sequences"]:
            for atelier in sequence["ateliers"]:
                self.atelier(atelier)
        self.retained()
        self.plenary()
        properties = self.prs.core_properties
        properties.title = self.model["event"]["title"]
        properties.subject = "Restitution des travaux"
        properties.author = self.model["event"]["organiser_name"] or "facilitation"
        properties.language = "fr-FR"
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


def render(model: dict[str, Any], **_options: Any) -> bytes:
    return _Deck(model).build()

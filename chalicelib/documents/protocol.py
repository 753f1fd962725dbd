"""The allocation protocol rendered: CSV (UTF-8 with BOM, ``;``-separated, as spreadsheets in the region open
it) and a landscape A4 PDF table (DejaVu Sans, the project's fonts)."""

from __future__ import annotations

import csv
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from chalicelib.documents.pdf import ACCENT, BOLD, INK, MUTED, REGULAR, RULE, SHADE, register_fonts
from chalicelib.domain.allocation_protocol import Protocol


def protocol_csv(document: Protocol) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for label, value in document.heading:
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(document.columns)
    writer.writerows(document.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


WIDTHS_MM = (10, 46, 34, 28, 42, 24, 18, 42, 17)


def protocol_pdf(document: Protocol) -> bytes:
    register_fonts()
    cell = ParagraphStyle("cell", fontName=REGULAR, fontSize=7.5, leading=9, textColor=INK)
    head = ParagraphStyle("head", fontName=BOLD, fontSize=7.5, leading=9, textColor=INK)
    title = ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=16, textColor=ACCENT)
    line = ParagraphStyle("line", fontName=REGULAR, fontSize=8.5, leading=11, textColor=MUTED)
    story: list = [Paragraph(escape(document.title), title), Spacer(1, 3 * mm)]
    story += [Paragraph(f"<b>{escape(label)}:</b> {escape(value)}", line) for label, value in document.heading]
    story.append(Spacer(1, 4 * mm))
    data = [[Paragraph(escape(text), head) for text in document.columns]]
    data += [[Paragraph(escape(text), cell) for text in row] for row in document.rows]
    table = Table(data, colWidths=[width * mm for width in WIDTHS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TEXTCOLOR", (0, 0), (-1, -1), colors.black),
            ]
        )
    )
    story.append(table)
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=document.title,
        invariant=1,
    )
    pdf.build(story)
    return out.getvalue()

"""The one layout engine: draws any :class:`~chalicelib.documents.layout.Layout` as an A4 PDF.

Heavy on purpose (reportlab, segno): only :func:`chalicelib.documents.render.render_document`
imports this module, at the first render. Every page carries the footer: the QR code of the
verification URL with the document id and check code under it, and the legal note that an
electronic document is equal to a paper one. The output is reproducible: the same input gives the
same bytes (reportlab's invariant mode, with the PDF dates set to the issue time).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import PageBreak as NewPage

from chalicelib.clock import local_time
from chalicelib.documents import labels as L
from chalicelib.documents.data import Bilingual
from chalicelib.documents.formatting import format_datetime
from chalicelib.documents.layout import (
    Block,
    Dateline,
    Fields,
    Grid,
    Issuer,
    Items,
    Layout,
    Note,
    PageBreak,
    Paragraphs,
    Parties,
    Signatures,
    Value,
    Verification,
)

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 14 * mm
FOOTER_TOP = 44 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
QR_SIZE = 27 * mm
QR_COLUMN = 40 * mm  # the QR code with the document id and check code under it
QR_BORDER = 4  # quiet zone, in modules

INK = colors.HexColor("#1F2933")
MUTED_HEX = "#5F6B7A"
MUTED = colors.HexColor(MUTED_HEX)
RULE = colors.HexColor("#C9D1DA")
SHADE = colors.HexColor("#F2F4F7")
ACCENT = colors.HexColor("#1D4E89")
NOTE_BG = colors.HexColor("#FFF8E6")
NOTE_RULE = colors.HexColor("#E8C36A")
DRAFT_RED = colors.HexColor("#B42318")
DRAFT_RED_HEX = "#B42318"
WATERMARK = colors.HexColor("#F8E1DE")


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold) once per process, at the first render."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)


def _style(name: str, size: float, *, bold: bool = False, color: colors.Color = INK, **kw: object) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=BOLD if bold else REGULAR,
        fontSize=size,
        leading=round(size * 1.22, 1),
        textColor=color,
        **kw,
    )


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    return {
        "authority": _style("authority", 8.5, color=MUTED, alignment=TA_CENTER),
        "title": _style("title", 14, bold=True, alignment=TA_CENTER, color=ACCENT),
        "title_ru": _style("title_ru", 12, bold=True, alignment=TA_CENTER, color=MUTED),
        "subtitle": _style("subtitle", 9.5, alignment=TA_CENTER, color=MUTED),
        "number": _style("number", 11, bold=True, alignment=TA_CENTER),
        "marker": _style("marker", 11, bold=True, alignment=TA_CENTER, color=DRAFT_RED),
        "heading": _style("heading", 9.5, bold=True, color=ACCENT, spaceBefore=3, spaceAfter=2, keepWithNext=1),
        "label": _style("label", 8),
        "label_right": _style("label_right", 8, alignment=TA_RIGHT),
        "value": _style("value", 9),
        "value_bold": _style("value_bold", 9, bold=True),
        "text": _style("text", 8.5),
        "text_item": _style("text_item", 8.5, leftIndent=11, firstLineIndent=-8),
        "text_heading": _style("text_heading", 8.8, bold=True),
        "cell": _style("cell", 8.8),
        "cell_right": _style("cell_right", 8.8, alignment=TA_RIGHT),
        "small": _style("small", 7.5, color=MUTED),
        "serial": _style("serial", 7.8, color=MUTED),
        "note": _style("note", 8.5),
        "footer": _style("footer", 6.6, color=MUTED),
        "footer_ink": _style("footer_ink", 6.6),
        "dateline": _style("dateline", 9.5, bold=True),
        "dateline_right": _style("dateline_right", 9.5, bold=True, alignment=TA_RIGHT),
    }


def _esc(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _muted(text: str, size: float) -> str:
    return f'<font color="{MUTED_HEX}" size="{size}">{_esc(text)}</font>'


def _p(markup: str, style: str) -> Paragraph:
    return Paragraph(markup, _styles()[style])


SHORT = 36  # a bilingual value up to this many characters in all fits on one line


def _label(label: Bilingual, style: str = "label") -> Paragraph:
    """A label stacked: Kazakh, then Russian in grey (once when the words are the same)."""
    if label.kk == label.ru:
        return _p(_esc(label.kk), style)
    return _p(f"{_esc(label.kk)}<br/>{_muted(label.ru, 7)}", style)


def _inline(label: Bilingual) -> str:
    """A label on one line, ``kk / ru`` (once when the words are the same)."""
    return _esc(label.kk) if label.kk == label.ru else f"{_esc(label.kk)} / {_esc(label.ru)}"


def _value(value: Value, style: str = "value") -> Paragraph:
    """A value: plain text, or Kazakh then Russian (on one line when short, else the Russian under it)."""
    if not isinstance(value, Bilingual):
        return _p(_esc(value), style)
    if value.kk == value.ru:
        return _p(_esc(value.kk), style)
    size = _styles()[style].fontSize - 0.5
    if len(value.kk) + len(value.ru) <= SHORT:
        return _p(f"{_esc(value.kk)} {_muted('/ ' + value.ru, size)}", style)
    return _p(f"{_esc(value.kk)}<br/>{_muted(value.ru, size)}", style)


def _heading(text: Bilingual) -> Paragraph:
    return _p(_inline(text), "heading")


LABEL_WIDTH = 64 * mm
Command = tuple[object, ...]


def _table(rows: list[list[object]], widths: Sequence[float], *commands: Command, **options: object) -> Table:
    """Every table of the engine: DejaVu throughout, cells aligned to the top, 5 pt side padding."""
    table = Table(rows, colWidths=list(widths), hAlign="LEFT", **options)
    base: list[Command] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    table.setStyle(TableStyle([*base, *commands]))
    return table


RULED: tuple[Command, ...] = (
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
)
SHADED_LABELS: Command = ("BACKGROUND", (0, 0), (0, -1), SHADE)
LABELLED = (LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH)


def _fields(block: Fields) -> list[Flowable]:
    rows: list[list[object]] = [[_label(f.label), _value(f.value)] for f in block.rows]
    table = _table(rows, LABELLED, *RULED, SHADED_LABELS)
    return [Spacer(1, 2 * mm), _heading(block.heading), table] if block.heading else [Spacer(1, 2 * mm), table]


def _items(block: Items) -> list[Flowable]:
    rows: list[list[object]] = [[_p(f"{i}.", "value"), _value(item)] for i, item in enumerate(block.items, 1)]
    return [Spacer(1, 2 * mm), _heading(block.heading), _table(rows, (10 * mm, CONTENT_WIDTH - 10 * mm), *RULED)]


def _columns(rows: list[list[object]]) -> Table:
    return _table(
        rows,
        (CONTENT_WIDTH / 2, CONTENT_WIDTH / 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEAFTER", (0, 0), (0, -1), 0.4, RULE),
        splitInRow=1,
    )


def _clause(text: str) -> list[Flowable]:
    """A clause line by line: its first line as running text, the lines after it (``1) …``) indented.

    Separate paragraphs rather than line breaks, so that a clause split over two pages starts the
    next page with text, not with an empty line.
    """
    first, *items = text.split("\n")
    return [_p(_esc(first), "text"), *(_p(_esc(item), "text_item") for item in items)]


def _paragraphs(block: Paragraphs) -> list[Flowable]:
    """Kazakh on the left, Russian on the right, one clause per row; a heading stays with its first clause."""
    clauses = [_columns([[_clause(par.kk), _clause(par.ru)]]) for par in block.paragraphs]
    if block.heading:
        heading = _columns([[_p(_esc(block.heading.kk), "text_heading"), _p(_esc(block.heading.ru), "text_heading")]])
        heading.keepWithNext = True
        clauses.insert(0, heading)
    return [Spacer(1, 2 * mm), *clauses]


def _grid(block: Grid) -> list[Flowable]:
    count = len(block.columns)
    numeric_width = 38 * mm
    text_columns = [i for i in range(count) if i not in block.numeric]
    weights = block.weights or tuple(1.0 for _ in text_columns)
    free_width = (CONTENT_WIDTH - numeric_width * len(block.numeric)) / sum(weights)
    share = dict(zip(text_columns, weights, strict=True))
    widths = [numeric_width if i in block.numeric else free_width * share[i] for i in range(count)]
    header = [_label(c, "label_right" if i in block.numeric else "label") for i, c in enumerate(block.columns)]
    body: list[list[object]] = [
        [_value(v, "cell_right" if i in block.numeric else "cell") for i, v in enumerate(row)] for row in block.rows
    ]
    if not body:
        body = [[_value(L.NONE, "cell"), *([""] * (count - 1))]]
    table = _table([header, *body], widths, *RULED, ("BACKGROUND", (0, 0), (-1, 0), SHADE), repeatRows=1)
    return [Spacer(1, 2 * mm), _heading(block.heading), table]


def _party(block: Fields) -> list[Flowable]:
    cell: list[Flowable] = [_heading(block.heading)] if block.heading else []
    for f in block.rows:
        cell += [_p(_inline(f.label), "small"), _value(f.value), Spacer(1, 1.2 * mm)]
    return cell


def _parties(block: Parties) -> list[Flowable]:
    width = CONTENT_WIDTH / len(block.parties)
    table = _table(
        [[_party(p) for p in block.parties]],
        [width] * len(block.parties),
        ("BOX", (0, 0), (-1, -1), 0.4, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
    )
    if block.heading:
        return [Spacer(1, 3 * mm), _heading(block.heading), table]
    return [Spacer(1, 3 * mm), table]


def _dateline(block: Dateline) -> list[Flowable]:
    """Place on the left, date on the right, each Kazakh over Russian, as under a contract's title."""

    def stacked(value: Value, style: str) -> Paragraph:
        if isinstance(value, Bilingual) and value.kk != value.ru:
            return _p(f"{_esc(value.kk)}<br/>{_muted(value.ru, 8.5)}", style)
        return _p(_esc(value.kk if isinstance(value, Bilingual) else value), style)

    half = CONTENT_WIDTH / 2
    rows: list[list[object]] = [[stacked(block.place, "dateline"), stacked(block.date, "dateline_right")]]
    table = _table(rows, (half, half), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0))
    return [Spacer(1, 1 * mm), table]


def _note(block: Note) -> list[Flowable]:
    table = _table(
        [[_p(_esc(block.text.kk), "note")], [_p(_esc(block.text.ru), "note")]],
        (CONTENT_WIDTH,),
        ("BACKGROUND", (0, 0), (-1, -1), NOTE_BG),
        ("LINEBEFORE", (0, 0), (0, -1), 2, NOTE_RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 7),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    )
    return [Spacer(1, 4 * mm), table]


def _issuer(block: Issuer) -> list[Flowable]:
    rows: list[list[object]] = [
        [_label(L.ISSUED_BY), _value(block.issued_by, "value_bold")],
        [_label(L.ISSUED_AT), _value(format_datetime(block.issued_at), "value_bold")],
    ]
    table = _table(rows, LABELLED, ("LINEABOVE", (0, 0), (-1, 0), 1, ACCENT), ("TOPPADDING", (0, 0), (-1, -1), 4))
    return [Spacer(1, 4 * mm), KeepTogether([table])]


def _utc_offset(at: datetime) -> str:
    """``UTC+05:00``: the offset of Kazakhstan's time at that instant, so that a signing time is unambiguous."""
    offset = local_time(at).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def _signatures(block: Signatures) -> list[Flowable]:
    if not block.signatures and not block.pending:
        return [Spacer(1, 3 * mm), _table([[_label(block.heading), _value(block.empty)]], LABELLED, *RULED)]
    rows: list[list[object]] = [
        [
            _label(s.party),
            [
                _p(_esc(s.signer_name), "value_bold"),
                _p(f"{_inline(s.signer_id_label)}: {_esc(s.signer_id)}", "cell"),
                _p(f"{_inline(L.CERTIFICATE)} № {_esc(s.certificate_serial)}", "serial"),
                _p(
                    f"{_inline(L.SIGNED)}: {format_datetime(s.signed_at, seconds=True)} "
                    f"{_muted(f'({_utc_offset(s.signed_at)})', 7.8)}",
                    "cell",
                ),
            ],
        ]
        for s in block.signatures
    ]
    rows += [
        [_label(f.label), _p(f'<font color="{DRAFT_RED_HEX}"><b>{_inline(_as_bilingual(f.value))}</b></font>', "cell")]
        for f in block.pending
    ]
    story: list[Flowable] = [_heading(block.heading)]
    if not block.signatures:
        story += [_p(_inline(block.empty), "small"), Spacer(1, 1.5 * mm)]
    story.append(_table(rows, LABELLED, *RULED, SHADED_LABELS))
    return [Spacer(1, 3 * mm), KeepTogether(story)]


def _as_bilingual(value: Value) -> Bilingual:
    return value if isinstance(value, Bilingual) else Bilingual(value, value)


def _block(block: Block) -> list[Flowable]:
    match block:
        case Fields():
            return _fields(block)
        case Items():
            return _items(block)
        case Paragraphs():
            return _paragraphs(block)
        case Grid():
            return _grid(block)
        case Parties():
            return _parties(block)
        case Note():
            return _note(block)
        case Issuer():
            return _issuer(block)
        case Signatures():
            return _signatures(block)
        case Dateline():
            return _dateline(block)
        case PageBreak():
            return [NewPage()]
    raise TypeError(f"unknown block {type(block).__name__}")


def _head(layout: Layout) -> list[Flowable]:
    story: list[Flowable] = []
    if layout.authority:
        story.append(_p(f"{_esc(layout.authority.kk)}<br/>{_esc(layout.authority.ru)}", "authority"))
        story.append(Spacer(1, 4 * mm))
    if layout.marker:
        story.append(_p(f"{_esc(layout.marker.kk)} / {_esc(layout.marker.ru)}", "marker"))
        story.append(Spacer(1, 2 * mm))
    story.append(_p(_esc(layout.title.kk), "title"))
    story.append(_p(_esc(layout.title.ru), "title_ru"))
    if layout.subtitle:
        story.append(_p(f"{_esc(layout.subtitle.kk)}<br/>{_esc(layout.subtitle.ru)}", "subtitle"))
    if layout.number:
        story.append(Spacer(1, 1.5 * mm))
        story.append(_p(f"№ {_esc(layout.number)}", "number"))
    story.append(Spacer(1, 3 * mm))
    return story


def _draw_qr(canvas: Canvas, matrix: Sequence[bytearray], x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any zoom), with its quiet zone inside ``size``."""
    module = size / (len(matrix) + 2 * QR_BORDER)
    top = y + size - QR_BORDER * module
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c] & 1:
                start = c
                while c < len(row) and row[c] & 1:
                    c += 1
                left = x + (QR_BORDER + start) * module
                canvas.rect(left, top - (r + 1) * module, (c - start) * module, module, stroke=0, fill=1)
            else:
                c += 1
    canvas.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to ``size`` (not below 5 pt) at which ``text`` fits ``width``."""
    actual = pdfmetrics.stringWidth(text, font, size)
    return size if actual <= width else max(5.0, size * width / actual)


class _Footer:
    """What every page carries, prepared once per document and drawn on each page.

    The QR code with the document id and check code under it, the legal note, the page number,
    and after the first page a running head with the title and number (and the draft marker);
    under the body of a draft, its watermark.
    """

    def __init__(self, layout: Layout, verification: Verification | None) -> None:
        self.verification = verification
        self.lines: list[tuple[Paragraph, float]] = []
        if verification is None:  # a draft: nothing to verify, no legal force claimed
            self.text_x = MARGIN_X
            footer: tuple[Paragraph, ...] = ()
        else:
            self.qr = segno.make_qr(verification.url, error="m").matrix
            self.id_size = _fit(verification.document_id, REGULAR, 6.5, QR_COLUMN)
            self.code_size = _fit(verification.check_code, BOLD, 9, QR_COLUMN)
            self.text_x = MARGIN_X + QR_COLUMN + 2 * mm
            footer = (
                _p(_esc(L.LEGAL_NOTE.kk), "footer"),
                _p(_esc(L.LEGAL_NOTE.ru), "footer"),
                _p(f"{_esc(L.QR_NOTE.kk)} {_esc(L.QR_NOTE.ru)}", "footer"),
                _p(
                    f"{_inline(L.DOCUMENT_ID)}: <b>{_esc(verification.document_id)}</b><br/>"
                    f"{_inline(L.CHECK_CODE)}: <b>{_esc(verification.check_code)}</b><br/>"
                    f"{_esc(verification.url)}",
                    "footer_ink",
                ),
            )
        text_width = PAGE_WIDTH - MARGIN_X - self.text_x
        for line in footer:
            _, height = line.wrap(text_width, FOOTER_TOP)
            self.lines.append((line, height))
        running = layout.short_title or layout.title
        self.head = f"{running.kk} / {running.ru}" + (f" · № {layout.number}" if layout.number else "")
        self.marker = f"{layout.marker.kk} / {layout.marker.ru}" if layout.marker else None
        marker_width = pdfmetrics.stringWidth(self.marker, BOLD, 7) + 4 * mm if self.marker else 0
        self.head_size = _fit(self.head, REGULAR, 7, CONTENT_WIDTH - marker_width)
        self.watermark = layout.watermark

    def draw_watermark(self, canvas: Canvas) -> None:
        """The watermark across the middle of the body, pale enough for the text over it to read."""
        if not self.watermark:
            return
        big, small = (f"{text.kk} / {text.ru}" for text in self.watermark)
        diagonal = 0.8 * (CONTENT_WIDTH**2 + (PAGE_HEIGHT - FOOTER_TOP - MARGIN_TOP) ** 2) ** 0.5
        canvas.saveState()
        canvas.addLiteral("/Span <</ActualText ()>> BDC")
        canvas.translate(PAGE_WIDTH / 2, FOOTER_TOP + (PAGE_HEIGHT - FOOTER_TOP - MARGIN_TOP) / 2)
        canvas.rotate(55)
        canvas.setFillColor(WATERMARK)
        size = _fit(big, BOLD, 72, diagonal)
        canvas.setFont(BOLD, size)
        canvas.drawCentredString(0, 0, big)
        canvas.setFont(BOLD, _fit(small, BOLD, size * 0.4, diagonal))
        canvas.drawCentredString(0, -size * 0.6, small)
        canvas.addLiteral("EMC")
        canvas.restoreState()

    def draw(self, canvas: Canvas) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, FOOTER_TOP, PAGE_WIDTH - MARGIN_X, FOOTER_TOP)

        if self.verification is not None:
            qr_y = FOOTER_TOP - 2 * mm - QR_SIZE
            _draw_qr(canvas, self.qr, MARGIN_X - 1.5 * mm, qr_y, QR_SIZE)
            canvas.setFillColor(INK)
            canvas.setFont(REGULAR, self.id_size)
            canvas.drawString(MARGIN_X, qr_y - 1.5 * mm, self.verification.document_id)
            canvas.setFont(BOLD, self.code_size)
            canvas.drawString(MARGIN_X, qr_y - 5.5 * mm, self.verification.check_code)

        y = FOOTER_TOP - 2.5 * mm
        for line, height in self.lines:
            y -= height
            line.drawOn(canvas, self.text_x, y)
            y -= 1 * mm

        page = canvas.getPageNumber()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, 7 * mm, f"{page}-{L.PAGE.kk} / {L.PAGE.ru} {page}")
        if page > 1:
            canvas.setFont(REGULAR, self.head_size)
            canvas.drawString(MARGIN_X, PAGE_HEIGHT - 10 * mm, self.head)
            if self.marker:
                canvas.setFont(BOLD, 7)
                canvas.setFillColor(DRAFT_RED)
                canvas.drawRightString(PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 10 * mm, self.marker)
            canvas.line(MARGIN_X, PAGE_HEIGHT - 11.5 * mm, PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 11.5 * mm)
        canvas.restoreState()


def _pdf_date(at: datetime) -> str:
    """A PDF date (``D:20260302103000+05'00'``) of the instant in Asia/Almaty."""
    offset = local_time(at).strftime("%z")
    return local_time(at).strftime("D:%Y%m%d%H%M%S") + f"{offset[:3]}'{offset[3:]}'"


def render_layout(
    layout: Layout, *, verification: Verification | None, issued_at: datetime, subject: str
) -> bytes:
    """Draw ``layout`` on A4 pages and return the PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=FOOTER_TOP + 4 * mm,
        title=f"{layout.title.kk} / {layout.title.ru}",
        author=layout.authority.ru if layout.authority else "",
        subject=subject,
        creator="Balabaqsha",
        lang="kk-KZ",
        initialFontName=REGULAR,
        initialFontSize=9,
        invariant=True,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0, rightPadding=0)
    pdf_date = _pdf_date(issued_at)
    footer = _Footer(layout, verification)

    def on_page(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.setDateFormatter(lambda *_: pdf_date)
        footer.draw_watermark(canvas)
        footer.draw(canvas)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    story = _head(layout)
    for block in layout.blocks:
        story.extend(_block(block))
    doc.build(story)
    return buffer.getvalue()


def report_table_style(first_number_column: int, *extra: tuple) -> TableStyle:
    """The look of a report's table: small regular type, a light grid, a shaded header row and
    the numbers (from ``first_number_column`` on) aligned right."""

    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("FONTSIZE", (0, 0), (-1, -1), 7),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#C9D1DA")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F4F7")),
            ("ALIGN", (first_number_column, 1), (-1, -1), "RIGHT"),
            *extra,
        ]
    )

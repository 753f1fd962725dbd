"""A report as an XLSX workbook (openpyxl) and as a PDF with charts (reportlab, reportlab.graphics).

Heavy imports stay inside the functions: only the reports function loads them.

- The workbook has a summary sheet (each section's total) and one sheet per section with every
  row in full (district and every dimension), headers in Kazakh and Russian, and a total row.
- The PDF shows each section as a table of districts against the section's first dimension
  (the queue: against the birth year), with a total column and a total line
  ``Барлығы / Итого: N``, and draws bar charts of the queue and of the directions per district.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from chalicelib.documents import survey_report
from chalicelib.documents.formatting import format_datetime
from chalicelib.domain import survey
from chalicelib.domain.reports import Report, Section
from chalicelib.domain.service_times import ACTOR_WORDS, STEPS

TOTAL = "Барлығы / Итого"

VALUES: dict[str, str] = {
    "portal": "портал / портал",
    "service_center": "ХҚКО / ЦОН",
    "egov": "ЭҮП / ПЭП",
    "approved": "бекітілді / одобрено",
    "refused": "бас тартылды / отказано",
    "issued": "берілді / выдано",
    "enrolled": "пайдаланылды / использовано",
    "expired": "мерзімі өтті / истекло",
    "extended": "ұзартылды / продлено",
    "revoked": "қайтарылды / отозвано",
    "sent": "жіберілді / отправлено",
    "signed": "қол қойылды / подписано",
    "entered": "тізімге енгізілді / внесено",
    "on_list": "тізімде / в списке",
    "withdrawn": "қайтарып алынды / отозвано заявителем",
    "removed": "шығарылды / снято",
    "aged_out": "мектеп жасы / школьный возраст",
    "left_for_private": "жекеменшік / частный сад",
    "false_data": "анық емес деректер / недостоверные данные",
    "requirements_not_met": "талаптарға сәйкес емес / несоответствие требованиям",
    "court_decision": "сот шешімі / решение суда",
    "none": "жоқ / нет",
    "within": "мерзімінде / в срок",
    "over": "кешіктірілген / с нарушением",
    "kk": "қазақ / казахский",
    "ru": "орыс / русский",
    **survey.VALUES,  # the satisfaction survey's services and levels
    # the service-time steps (seed 004, appendix 3): "<table>.<action> name (limit)" in both languages
    **{
        step.code: f"{step.table}.{step.number} {step.name_kk} ({step.limit_words['kk']}) / "
        f"{step.name_ru} ({step.limit_words['ru']})"
        for step in STEPS.values()
    },
}


def shown(value: object) -> str:
    return VALUES.get(str(value), str(value))


# a step as a PDF table's column heading (many steps side by side): "<table>.<action> performer, limit";
# the section's legend below the table gives each one's full name
SHORT: dict[str, str] = {
    step.code: f"{step.table}.{step.number} {ACTOR_WORDS[step.actor]['kk']}/{ACTOR_WORDS[step.actor]['ru']}, "
    f"{step.limit_words['kk']} / {step.limit_words['ru']}"
    for step in STEPS.values()
}


def shown_short(value: object) -> str:
    return SHORT.get(str(value), shown(value))


def _heading(column: Mapping[str, str]) -> str:
    return f"{column['kk']} / {column['ru']}"


def _scope_line(report: Report, names: Mapping[str, str]) -> str:
    scope = report.scope
    if scope.district:
        return names.get(scope.district, scope.district)
    if scope.region:
        return names.get(scope.region, scope.region)
    return "Қазақстан Республикасы / Республика Казахстан"


def render_xlsx(report: Report, names: Mapping[str, str]) -> bytes:
    """The workbook: a summary sheet and one sheet per section (every row, a total row).

    Written row by row (openpyxl's write-only workbook): no grid of cell objects is kept, so
    the time grows with the rows (districts × dimensions), once each.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def strong(sheet: Any, values: list[Any]) -> list[Any]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            cells.append(cell)
        return cells

    summary = book.create_sheet("Жиынтық - Сводка")
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 40
    summary.append(["Есеп / Отчёт", _scope_line(report, names)])
    summary.append(["Кезең / Период", report.period.label])
    summary.append(["Жасалды / Сформирован", format_datetime(report.generated_at)])
    summary.append(["Жағдай уақыты / Состояние на", format_datetime(report.state_at)])
    summary.append([])
    summary.append(strong(summary, ["Бөлім / Раздел", "Саны / Количество"]))
    totals = {section.key: section.total for section in report.sections}
    for section in report.sections:
        summary.append([_heading(section.title), totals[section.key]])
    for section in report.sections:
        sheet = book.create_sheet(section.key)
        sheet.column_dimensions["A"].width = 36
        sheet.append(strong(sheet, [_heading(section.title)]))
        sheet.append(strong(sheet, [column["kk"] for column in section.columns]))
        sheet.append(strong(sheet, [column["ru"] for column in section.columns]))
        for row in section.rows:
            sheet.append([names.get(row[0], row[0]), *[shown(v) for v in row[1:-1]], int(row[-1])])
        sheet.append(strong(sheet, [TOTAL, *[""] * (len(section.columns) - 2), totals[section.key]]))
    survey_report.add_sheet(book, report, strong)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pivot(section: Section) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """Districts against the section's first dimension: (columns, [(district, counts, row total)])."""
    columns: list[str] = []
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in section.rows:
        column = str(row[1]) if len(row) > 2 else ""
        if column not in columns:
            columns.append(column)
        cells[str(row[0])][column] += int(row[-1])
    columns.sort()
    rows = [(district, [cells[district][c] for c in columns], sum(cells[district].values())) for district in cells]
    return columns, sorted(rows)


def render_pdf(report: Report, names: Mapping[str, str]) -> bytes:
    """The PDF: bilingual headings, one pivot table per section with totals, and two bar charts."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    from chalicelib.documents.pdf import BOLD, REGULAR, register_fonts, report_table_style

    register_fonts()
    heading = ParagraphStyle("h", fontName=BOLD, fontSize=12, leading=15, spaceBefore=6, spaceAfter=4)
    title = ParagraphStyle("t", fontName=BOLD, fontSize=15, leading=19)
    body = ParagraphStyle("b", fontName=REGULAR, fontSize=9, leading=12)
    small = ParagraphStyle("s", fontName=REGULAR, fontSize=7, leading=9)

    def chart(section: Section, caption: str) -> Drawing | None:
        _, rows = pivot(section)
        rows = [row for row in rows if row[2]][:40]
        if not rows:
            return None
        drawing = Drawing(250 * mm, 70 * mm)
        bars = VerticalBarChart()
        bars.x, bars.y, bars.width, bars.height = 15 * mm, 18 * mm, 225 * mm, 42 * mm
        bars.data = [[row[2] for row in rows]]
        bars.categoryAxis.categoryNames = [names.get(row[0], row[0]).split(" / ")[0][:18] for row in rows]
        bars.categoryAxis.labels.fontName = REGULAR
        bars.categoryAxis.labels.fontSize = 6
        bars.categoryAxis.labels.angle = 30
        bars.categoryAxis.labels.boxAnchor = "ne"
        bars.valueAxis.labels.fontName = REGULAR
        bars.valueAxis.valueMin = 0
        bars.bars[0].fillColor = colors.HexColor("#1D4E89")
        drawing.add(bars)
        drawing.add(String(15 * mm, 65 * mm, caption, fontName=BOLD, fontSize=9))
        return drawing

    story: list[object] = [
        Paragraph(escape("Есеп / Отчёт: " + _scope_line(report, names)), title),
        Paragraph(
            escape(
                f"Кезең / Период: {report.period.label} · Жасалды / Сформирован: {format_datetime(report.generated_at)}"
                f" · Жағдай / Состояние на: {format_datetime(report.state_at)}"
            ),
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    for section, caption in (
        (report.section("queue"), "Кезек / Очередь"),
        (report.section("direction"), "Жолдамалар / Направления"),
    ):
        drawing = chart(section, caption)
        if drawing is not None:
            story.append(drawing)
    for section in report.sections:
        story.append(Paragraph(escape(_heading(section.title)), heading))
        columns, rows = pivot(section)
        header = (
            [_heading(section.columns[0])] + [shown_short(c) for c in columns if c] + [_heading(section.columns[-1])]
        )
        data = [[Paragraph(escape(text), small) for text in header]]
        for district, counts, total in rows:
            shown_counts = [str(n) for n in counts] if columns != [""] else []
            data.append([Paragraph(escape(names.get(district, district)), small), *shown_counts, str(total)])
        if len(data) > 1:
            table = Table(data, repeatRows=1)
            table.setStyle(report_table_style(1))
            story.append(table)
        story.append(Paragraph(escape(f"{TOTAL}: {section.total}"), body))
        for column in columns:
            if column in SHORT:  # the legend of the steps' short headings
                story.append(Paragraph(escape(shown(column)), small))
    story += survey_report.pdf_flowables(report, heading, body, small)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Balabaqsha report {report.scope.label} {report.period.label}",
        invariant=1,
    )
    document.build(story)
    return out.getvalue()

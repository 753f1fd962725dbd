"""The satisfaction survey's share table in a report (seed 004, appendix 12): per service and
question, the answers on each of the three levels and each level's share of them.

Built from the report's own ``survey`` and ``survey_info`` sections (the counters), so it says
nothing the sections do not: the workbook gets a sheet ``survey_share``, the PDF a table after
the sections. Called by ``chalicelib/documents/reports.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.domain.reports import Report
from chalicelib.domain.survey import LEVEL_WORDS, MEASURES, SERVICE_WORDS, Level, Question, ServiceKind, Share, shares

SHEET = "survey_share"
TITLE = "Қызметке қанағаттану үлесі (12-қосымша) / Доля удовлетворенности услугой (приложение 12)"
ANSWERS = "Жауаптар / Ответов"


def share_rows(report: Report) -> list[Share]:
    keys = {section.key for section in report.sections}
    return shares({measure: report.section(measure).rows for measure in MEASURES.values() if measure in keys})


def header() -> list[str]:
    counts = [" / ".join(LEVEL_WORDS[level]) for level in Level]
    return [
        "Қызмет / Услуга",
        "Сұрақ / Вопрос",
        *counts,
        ANSWERS,
        *[f"{text}, %" for text in counts],
    ]


def row(share: Share) -> list[Any]:
    number = list(Question).index(share.question) + 1
    known = share.service in {kind.value for kind in ServiceKind}
    service = " / ".join(SERVICE_WORDS[ServiceKind(share.service)]) if known else share.service
    return [
        service,
        f"{number}-сұрақ / вопрос {number}",
        *[share.counts[level.value] for level in Level],
        share.answers,
        *[share.share(level) for level in Level],
    ]


def add_sheet(book: Any, report: Report, strong: Callable[[Any, list[Any]], list[Any]]) -> None:
    """The workbook's ``survey_share`` sheet: a title, the header, one row per service and question.

    The workbook is written row by row (``write_only``): ``strong`` makes a row of bold cells.
    """
    sheet = book.create_sheet(SHEET)
    sheet.column_dimensions["A"].width = 60
    sheet.append(strong(sheet, [TITLE]))
    sheet.append(strong(sheet, header()))
    for share in share_rows(report):
        sheet.append(row(share))


def pdf_flowables(report: Report, heading: Any, body: Any, small: Any) -> list[Any]:
    """The PDF's share table (a heading and one row per service and question, answers and shares)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table

    from chalicelib.documents.pdf import report_table_style

    found = share_rows(report)
    data: list[list[Any]] = [[Paragraph(escape(text), small) for text in header()]]
    for share in found:
        values = row(share)
        data.append(
            [Paragraph(escape(str(values[0])), small), Paragraph(escape(str(values[1])), small)]
            + [str(v) for v in values[2:6]]
            + [f"{v:.1f}" for v in values[6:]]
        )
    table = Table(data, repeatRows=1, colWidths=[56 * mm, 20 * mm] + [28 * mm] * 7)
    table.setStyle(report_table_style(2, ("VALIGN", (0, 0), (-1, -1), "MIDDLE")))
    answered = sum(share.answers for share in found if share.question is Question.RESULT)
    return [
        Paragraph(escape(TITLE), heading),
        table,
        Paragraph(escape(f"{ANSWERS}: {answered}"), body),
    ]

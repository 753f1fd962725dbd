"""The kinds of output document the service issues, with their Kazakh and Russian titles.

The values are stable strings: they are stored with every generated document and appear in file names.
"""

from __future__ import annotations

from enum import StrEnum


class DocumentKind(StrEnum):
    """An output document of the service (glossary names from the seeds)."""

    REGISTRATION_NOTICE = "registration_notice"
    DOCUMENTS_RECEIPT = "documents_receipt"
    ACCOUNTING_BOOK_ENTRY = "accounting_book_entry"
    CHILD_CARD = "child_card"
    DIRECTION = "direction"
    PRIVATE_DIRECTION = "private_direction"
    CONTRACT = "contract"
    REFUSAL = "refusal"

    @property
    def title_kk(self) -> str:
        """The title in Kazakh."""
        return _TITLES[self][0]

    @property
    def title_ru(self) -> str:
        """The title in Russian."""
        return _TITLES[self][1]

    def download_name(self, number: str, language: str = "kk") -> str:
        """The name a parent downloads it under, in their language with the document's number:
        ``Жолдама № Ж.2026.000123.pdf`` / ``Направление № Ж.2026.000123.pdf``."""
        title = _FILE_TITLES[self][1 if language == "ru" else 0]
        return f"{title} № {number.replace('/', '-')}.pdf"

    def file_name(self, document_id: str) -> str:
        """The download name of a document of this kind, e.g. ``direction-01J9….pdf``."""
        return f"{self.value.replace('_', '-')}-{document_id}.pdf"


_TITLES: dict[DocumentKind, tuple[str, str]] = {
    DocumentKind.REGISTRATION_NOTICE: ("Баланы тіркеу туралы хабарлама", "Уведомление о регистрации ребенка"),
    DocumentKind.DOCUMENTS_RECEIPT: ("Құжаттарды қабылдау туралы хабарлама", "Извещение о приеме документов"),
    DocumentKind.ACCOUNTING_BOOK_ENTRY: (
        "Баланы есепке алу кітабында тіркеу",
        "Регистрация ребенка в книге учета",
    ),
    DocumentKind.CHILD_CARD: ("Бала карточкасы", "Карточка ребенка"),
    DocumentKind.DIRECTION: ("Мектепке дейінгі ұйымға жолдама", "Направление в дошкольную организацию"),
    DocumentKind.PRIVATE_DIRECTION: (
        "Жеке мектепке дейінгі ұйымға жолдама",
        "Направление в частную дошкольную организацию",
    ),
    DocumentKind.CONTRACT: ("Білім беру қызметтерін көрсету шарты", "Договор оказания образовательных услуг"),
    DocumentKind.REFUSAL: (
        "Мемлекеттік қызмет көрсетуден бас тарту туралы дәлелді жауап",
        "Мотивированный ответ об отказе в оказании государственной услуги",
    ),
}


# short titles for file names (the full titles are long for a file)
_FILE_TITLES: dict[DocumentKind, tuple[str, str]] = {
    DocumentKind.REGISTRATION_NOTICE: ("Тіркеу туралы хабарлама", "Уведомление о регистрации"),
    DocumentKind.DOCUMENTS_RECEIPT: ("Құжаттарды қабылдау туралы хабарлама", "Извещение о приеме документов"),
    DocumentKind.ACCOUNTING_BOOK_ENTRY: ("Есепке алу кітабындағы жазба", "Запись в книге учета"),
    DocumentKind.CHILD_CARD: ("Бала карточкасы", "Карточка ребенка"),
    DocumentKind.DIRECTION: ("Жолдама", "Направление"),
    DocumentKind.PRIVATE_DIRECTION: ("Жеке балабақшаға жолдама", "Направление в частный детский сад"),
    DocumentKind.CONTRACT: ("Шарт", "Договор"),
    DocumentKind.REFUSAL: ("Бас тарту туралы жауап", "Ответ об отказе"),
}

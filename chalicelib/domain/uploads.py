"""Uploaded scans: the type is read from the content, never from the name, and the file must be whole."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.errors import InvalidInput, TooLarge

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"


class UploadPurpose(StrEnum):
    BENEFIT = "benefit"  # documents supporting a benefit claim: scans or PDFs
    CONTRACT = "contract"  # the contract's documents (photo, health passport, 063/у, PMPK): JPEG only


ALLOWED_TYPES: dict[UploadPurpose, frozenset[str]] = {
    UploadPurpose.BENEFIT: frozenset({JPEG, PNG, PDF}),
    UploadPurpose.CONTRACT: frozenset({JPEG}),
}

_NAMES = {JPEG: "JPEG", PNG: "PNG", PDF: "PDF"}


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int


def sniff(data: bytes) -> str | None:
    """The type the bytes really are (JPEG, PNG or PDF), or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def is_complete(data: bytes, content_type: str) -> bool:
    """Whether the file is whole: a truncated or damaged file cannot be read by the operator."""
    if content_type == JPEG:
        return data.rstrip(b"\x00").endswith(b"\xff\xd9") and len(data) > 4
    if content_type == PNG:
        return b"IEND" in data[-16:]
    if content_type == PDF:
        return b"%%EOF" in data[-1024:]
    return False


def check_size(size: int, max_bytes: int) -> None:
    """Refuse an empty file or one over the limit."""
    if size > max_bytes:
        megabytes = f"{max_bytes / 1024 / 1024:g}"
        raise TooLarge(
            "upload.too_large",
            f"Файлдың көлемі {megabytes} МБ-тан аспауы керек.",
            f"Размер файла не должен превышать {megabytes} МБ.",
            details={"limit": max_bytes, "size": size},
        )
    if size <= 0:
        raise InvalidInput("upload.empty", "Файл бос.", "Файл пустой.")


def check_type(purpose: UploadPurpose, content_type: str | None) -> None:
    """Refuse a type not allowed for ``purpose``."""
    allowed = ALLOWED_TYPES[purpose]
    if content_type not in allowed:
        names = ", ".join(sorted(_NAMES[t] for t in allowed))
        raise InvalidInput(
            "upload.wrong_type",
            f"Файлдың түрі рұқсат етілмеген: тек {names} (түрі мазмұны бойынша тексеріледі, атауы бойынша емес).",
            f"Недопустимый тип файла: только {names} (тип проверяется по содержимому, а не по имени).",
            details={"allowed": sorted(allowed), "actual": content_type},
        )


def check_upload(purpose: UploadPurpose, data: bytes, *, max_bytes: int) -> CheckedUpload:
    """Accept an uploaded file for ``purpose`` or refuse it naming the rule."""
    check_size(len(data), max_bytes)
    actual = sniff(data)
    check_type(purpose, actual)
    assert actual is not None
    if not is_complete(data, actual):
        raise InvalidInput(
            "upload.unreadable",
            "Файл зақымдалған немесе толық жүктелмеген.",
            "Файл повреждён или загружен не полностью.",
            details={"content_type": actual},
        )
    return CheckedUpload(content_type=actual, size=len(data))

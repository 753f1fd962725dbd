"""Uploads: type by content, size limits, whole files only."""

import pytest

from chalicelib.domain.errors import InvalidInput, TooLarge
from chalicelib.domain.uploads import UploadPurpose, check_upload

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100 + b"IEND\xaeB`\x82"
PDF = b"%PDF-1.7\n" + b"x" * 100 + b"\n%%EOF\n"


@pytest.mark.parametrize(("data", "kind"), [(JPEG, "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf")])
def test_benefit_scans_may_be_jpeg_png_or_pdf(data, kind):
    assert check_upload(UploadPurpose.BENEFIT, data, max_bytes=10_000).content_type == kind


def test_a_png_renamed_to_jpg_is_refused_for_the_contract():
    with pytest.raises(InvalidInput) as refused:
        check_upload(UploadPurpose.CONTRACT, PNG, max_bytes=10_000)
    assert refused.value.code == "upload.wrong_type"
    assert "JPEG" in refused.value.ru


def test_too_large_is_refused():
    with pytest.raises(TooLarge) as refused:
        check_upload(UploadPurpose.CONTRACT, JPEG + b"\x00" * 2048, max_bytes=2048)
    assert refused.value.code == "upload.too_large"


@pytest.mark.parametrize("data", [JPEG[:50], PDF[:60], b"MZ\x90\x00 executable"])
def test_truncated_or_foreign_files_are_refused(data):
    with pytest.raises(InvalidInput) as refused:
        check_upload(UploadPurpose.BENEFIT, data, max_bytes=10_000)
    assert refused.value.code in {"upload.unreadable", "upload.wrong_type"}


def test_empty_file_is_refused():
    with pytest.raises(InvalidInput) as refused:
        check_upload(UploadPurpose.BENEFIT, b"", max_bytes=10_000)
    assert refused.value.code == "upload.empty"

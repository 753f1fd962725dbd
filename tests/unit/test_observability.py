"""Personal data never reaches the logs."""

from chalicelib.observability import mask_personal_data


def test_iin_email_and_phone_are_masked():
    # given a log line with an IIN, an e-mail address and a phone number
    line = "parent 900101300123 wrote from aigul.n@mail.kz, phone +7 701 123 45 67"
    # when it is masked
    masked = mask_personal_data(line)
    # then none of them is readable
    assert "900101300123" not in masked
    assert "aigul.n@mail.kz" not in masked
    assert "701 123 45 67" not in masked
    assert masked.startswith("parent ")

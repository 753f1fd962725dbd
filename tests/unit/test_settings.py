"""Settings refuse what must never run outside the developer's machine."""

import pytest
from pydantic import ValidationError

from chalicelib.settings import DEFAULT_JWT_SECRET, Settings


@pytest.mark.parametrize("stage", ["test", "prod"])
def test_only_the_local_stage_may_keep_the_default_jwt_secret(monkeypatch, stage):
    monkeypatch.setenv("BQ_TRUSTED_ROOTS", '["root.pem"]')
    with pytest.raises(ValidationError, match="BQ_JWT_SECRET"):
        Settings(stage=stage, jwt_secret=DEFAULT_JWT_SECRET)


def test_the_local_stage_keeps_the_default_and_others_take_their_own(monkeypatch):
    monkeypatch.setenv("BQ_TRUSTED_ROOTS", '["root.pem"]')
    assert Settings(stage="local", jwt_secret=DEFAULT_JWT_SECRET).stage == "local"
    assert Settings(stage="test", jwt_secret="a-secret-of-the-test-stage-0123456789").stage == "test"


def test_tracing_is_on_only_inside_lambda_and_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.settings import tracing_enabled

    # given no Lambda function name: tracing is off whatever Powertools' switch says
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    assert tracing_enabled() is False
    # inside Lambda it follows the switch
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "balabaqsha-prod")
    assert tracing_enabled() is True
    for disabled in ("true", "1", " TRUE ", "on"):
        monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", disabled)
        assert tracing_enabled() is False


def test_settings_are_read_from_the_bq_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # given values of every kind in the environment (lists and mappings as JSON, names in any case)
    monkeypatch.setenv("BQ_UPLOAD_MAX_BYTES", "1024")
    monkeypatch.setenv("bq_allocation_whole_district", "true")
    monkeypatch.setenv("BQ_CALENDAR_EXTRA_DAYS_OFF", '["2026-01-02"]')
    monkeypatch.setenv("BQ_ALLOCATION_REGIONS", '{"astana": {"mode": "stable", "priorities": ["sibling"]}}')
    monkeypatch.setenv("BQ_NOT_A_SETTING", "ignored")
    settings = Settings()
    assert settings.upload_max_bytes == 1024 and settings.allocation_whole_district is True
    assert [d.isoformat() for d in settings.calendar_extra_days_off] == ["2026-01-02"]
    assert settings.allocation_regions["astana"].priorities == ["sibling"]
    # a value given to the constructor wins
    assert Settings(upload_max_bytes=5).upload_max_bytes == 5


@pytest.mark.parametrize(("name", "value"), [("BQ_CRL_URLS", "http://not-json"), ("BQ_UPLOAD_MAX_BYTES", "many")])
def test_a_malformed_setting_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name.removeprefix("BQ_").lower() if "MAX" in name else name):
        Settings()

"""Settings validation."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from core.config import Settings


def test_placeholder_secrets_are_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", bootstrap_token="changethis")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", s3_secret_key="minioadmin")  # type: ignore[arg-type]
    assert Settings(environment="development", bootstrap_token="changethis")  # type: ignore[arg-type]


def test_languages_are_normalised() -> None:
    assert Settings(ocr_languages="eng, urd").ocr_languages == "eng+urd"
    with pytest.raises(ValidationError):
        Settings(ocr_languages="eng;rm -rf")


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("CASEFILE_")]:
        monkeypatch.delenv(name)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]  # not the developer's own .env
    assert (settings.host, settings.port, settings.max_upload_mb, settings.ocr_languages) == (
        "127.0.0.1",
        8000,
        200,
        "eng",
    )
    assert settings.resolved_database_url.startswith("sqlite:///")

"""One settings object for the whole service, read from CASEFILE_* environment variables."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, computed_field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that ship in examples and compose files; they must never reach production.
PLACEHOLDER_SECRETS = {"changethis", "change-me", "casefile-secret", "minioadmin", "secret", "password"}
LANGUAGES_PATTERN = re.compile(r"^[a-z_]{3,}(\+[a-z_]{3,})*$")


def normalise_languages(value: str) -> str:
    """Accept 'eng,urd', 'eng urd' or 'eng+urd' and return Tesseract's 'eng+urd'."""
    parts = [part for part in re.split(r"[\s,+]+", value.strip().lower()) if part]
    joined = "+".join(dict.fromkeys(parts))
    if not LANGUAGES_PATTERN.match(joined):
        raise ValueError(f"invalid OCR language list {value!r}; use Tesseract codes such as 'eng+urd'")
    return joined


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEFILE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./data")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    # Production backends: each one left unset falls back to its embedded default.
    database_url: str | None = None
    elasticsearch_url: str | None = None
    elasticsearch_index: str = "casefile-pages"
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_bucket: str = "casefile"
    broker_url: str | None = None
    task_queue_name: str = "casefile"
    # Redis redelivers an unacknowledged task after this long: keep it above the longest OCR job.
    broker_visibility_timeout_seconds: int = Field(6 * 3600, ge=1)

    ocr_languages: str = "eng"
    ocr_dpi: int = Field(300, ge=72, le=600)
    ocr_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    ocr_timeout_seconds: int = Field(180, ge=10)
    max_upload_mb: int = Field(200, ge=1)
    max_pages: int = Field(2000, ge=1)
    max_image_pixels: int = Field(150_000_000, ge=1_000_000)
    # Fewer visible characters than this on a PDF page means "scanned": OCR it.
    text_layer_min_chars: int = 20
    # 2 s doubling, capped at 10 min: 8 retries ride out an outage of about 8 minutes before `failed`.
    task_max_retries: int = Field(8, ge=0)
    task_retry_backoff_seconds: float = Field(2.0, ge=0)

    # Every search stops after this long (Elasticsearch `timeout`, an FTS5 progress handler).
    search_timeout_seconds: float = Field(10.0, gt=0, le=300)
    # JSON request bodies above this are refused before they are read.
    max_json_body_kb: int = Field(512, ge=1)
    # The sweeper re-enqueues documents left `queued` longer than requeue_after_seconds, or `processing`
    # past their lease (a worker that died without its broker noticing).
    sweeper_interval_seconds: float = Field(60.0, gt=0)
    requeue_after_seconds: float = Field(300.0, gt=0)
    processing_lease_seconds: float = Field(6 * 3600.0, gt=0)

    # A Celery worker serves its metrics here (set PROMETHEUS_MULTIPROC_DIR too: see docs/operations.md).
    worker_metrics_port: int | None = Field(None, ge=1, le=65535)
    worker_metrics_host: str = "127.0.0.1"

    bootstrap_token: SecretStr | None = None
    # Send the session cookie only over HTTPS; on in production behind TLS.
    cookie_secure: bool = False

    # Alerts by email (decision 0020): smtp://[user:password@]host[:port] (smtps:// for TLS, or ?starttls=1); unset,
    # notifications stay in the app. Casefile keeps no email addresses: a username that is an address is used as
    # it is, any other gets @mail_domain; with neither, that user gets no email.
    smtp_url: SecretStr | None = None
    mail_from: str = "casefile@localhost"
    # An assignment not acknowledged by its officer within this many days is flagged (decision 0021).
    acknowledge_within_days: float = Field(3.0, ge=0)
    mail_domain: str | None = None
    # GET /public/case-status (issue 12, decision 0023): off unless switched on here, then only for the cases and
    # units an admin marked public; each address may ask this many times a minute (in-memory window per process).
    public_status_enabled: bool = False
    public_status_per_minute: int = Field(30, ge=1)

    @field_validator("ocr_languages")
    @classmethod
    def _languages(cls, value: str) -> str:
        return normalise_languages(value)

    @model_validator(mode="after")
    def _no_placeholder_secrets_outside_development(self) -> Settings:
        if self.environment != "production":
            return self
        for name in ("s3_secret_key", "bootstrap_token"):
            secret = getattr(self, name)
            if secret is not None and secret.get_secret_value().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(f"CASEFILE_{name.upper()} is a placeholder; set a real secret in production")
        if self.smtp_url is not None:
            password = urlsplit(self.smtp_url.get_secret_value()).password
            if password is not None and password.lower() in PLACEHOLDER_SECRETS:
                raise ValueError("CASEFILE_SMTP_URL has a placeholder password; set a real secret in production")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'casefile.db').resolve()}"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    return Settings()

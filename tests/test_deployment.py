"""docker-compose.yml cannot run here (no Docker engine): check that it parses and wires what the code reads."""

from __future__ import annotations

from pathlib import Path

import yaml

from core.config import Settings

REPO = Path(__file__).resolve().parent.parent
PRODUCTION_BACKENDS = {
    "DATABASE_URL", "ELASTICSEARCH_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET", "BROKER_URL",
}  # fmt: skip


def test_compose_wires_every_backend_setting_the_code_reads() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"api", "worker", "beat", "migrate", "elasticsearch", "minio", "redis", "postgres"} <= set(services)
    known = {f"CASEFILE_{name.upper()}" for name in Settings.model_fields}
    for name in ("api", "worker", "beat", "migrate"):
        environment = services[name]["environment"]
        assert set(environment) <= known, set(environment) - known  # no misspelt setting is silently ignored
        assert {f"CASEFILE_{key}" for key in PRODUCTION_BACKENDS} <= set(environment)
        assert environment["CASEFILE_ENVIRONMENT"] == "production"
    for name in ("api", "worker", "beat"):  # all wait for healthy backends and the migration: none of them migrates
        assert {"postgres", "elasticsearch", "minio", "redis"} <= set(services[name]["depends_on"])
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "beat" in services["beat"]["command"] and "deploy" not in services["beat"]  # one sweeper schedule
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]  # --scale worker=N
    assert "workers.celery_app" in services["worker"]["command"]
    assert services["worker"]["environment"]["CASEFILE_OCR_WORKERS"] == "1"  # the merge kept the shared settings
    for name in ("elasticsearch", "minio", "redis", "postgres", "api", "worker"):
        assert "test" in services[name]["healthcheck"], name
    assert services["elasticsearch"]["image"].endswith(":9.5.4")


def test_compose_secrets_are_not_placeholders() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    assert "casefile-secret" not in text and "POSTGRES_PASSWORD: casefile\n" not in text

"""The unit of work: actions wait for the commit, vanish on rollback; database errors are sorted by kind."""

from __future__ import annotations

import sqlite3
from datetime import UTC
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from api.main import create_app
from core.config import Settings
from core.db import SchemaOutdated, get_engine, migrate, refresh_statistics
from core.errors import BackendUnavailable, DatabaseBusy
from core.models import ApiToken, Case, Role
from core.uow import Job, after_commit, enqueue_job, unit_of_work
from tests.stacks import embedded_settings


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Job] = []

    def send(self, job: Job) -> None:
        self.sent.append(job)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = embedded_settings(tmp_path, "cf_unit-test-token-000000000000")
    migrate(settings)
    return settings


def test_actions_and_jobs_run_only_after_a_commit(settings: Settings) -> None:
    seen: list[str] = []
    jobs = Recorder()
    with unit_of_work(settings, jobs) as session:
        session.add(ApiToken(name="t", role=Role.clerk, token_hash="a" * 64))
        after_commit(session, lambda: seen.append("index written"))
        enqueue_job(session, Job("casefile.process_document", "doc-1"))
        assert seen == [] and jobs.sent == []  # nothing leaves before the commit
    assert seen == ["index written"]
    assert jobs.sent == [Job("casefile.process_document", "doc-1")]


def test_a_rollback_drops_actions_and_jobs(settings: Settings) -> None:
    seen: list[str] = []
    jobs = Recorder()
    with pytest.raises(RuntimeError), unit_of_work(settings, jobs) as session:
        session.add(ApiToken(name="t", role=Role.clerk, token_hash="b" * 64))
        after_commit(session, lambda: seen.append("index written"))
        enqueue_job(session, Job("casefile.process_document", "doc-2"))
        raise RuntimeError("the handler failed")
    assert seen == [] and jobs.sent == []
    with unit_of_work(settings) as session:
        assert session.query(ApiToken).count() == 0


def test_a_failed_commit_drops_actions(settings: Settings) -> None:
    seen: list[str] = []
    with pytest.raises(Exception), unit_of_work(settings) as session:  # noqa: B017 - any integrity error
        session.add(ApiToken(id="same", name="t", role=Role.clerk, token_hash="c" * 64))
        session.add(ApiToken(id="other", name="t", role=Role.clerk, token_hash="c" * 64))  # unique hash
        after_commit(session, lambda: seen.append("index written"))
    assert seen == []


def test_a_queue_outage_after_commit_keeps_the_data(settings: Settings) -> None:
    class DownQueue:
        def send(self, job: Job) -> None:
            raise BackendUnavailable("the task broker is unreachable")

    with unit_of_work(settings, DownQueue()) as session:
        session.add(ApiToken(name="t", role=Role.clerk, token_hash="d" * 64))
        enqueue_job(session, Job("casefile.process_document", "doc-3"))
    with unit_of_work(settings) as session:  # saved; the sweeper sends the job later
        assert session.query(ApiToken).count() == 1


def test_a_locked_database_is_retryable_not_a_failure(settings: Settings) -> None:
    locked = OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
    with pytest.raises(DatabaseBusy), unit_of_work(settings):
        raise locked
    other = OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))
    with pytest.raises(BackendUnavailable) as raised, unit_of_work(settings):
        raise other
    assert not isinstance(raised.value, DatabaseBusy)


def test_timestamps_read_back_in_utc_on_sqlite(settings: Settings) -> None:
    with unit_of_work(settings) as session:
        session.add(ApiToken(id="tz", name="t", role=Role.clerk, token_hash="e" * 64))
    with unit_of_work(settings) as session:
        token = session.get(ApiToken, "tz")
        assert token is not None and token.created_at.tzinfo == UTC


def test_the_api_refuses_an_outdated_schema(tmp_path: Path) -> None:
    fresh = embedded_settings(tmp_path / "fresh", "cf_unit-test-token-000000000000")
    with pytest.raises(SchemaOutdated, match="casefile migrate"), TestClient(create_app(fresh)):
        pass


def test_the_embedded_database_statistics_are_refreshed(tmp_path: Path) -> None:
    """The in-process worker's hourly housekeeping analyses SQLite's tables (the reports' plans depend on it)."""
    settings = embedded_settings(tmp_path, "cf_test-bootstrap-token-0123456789")
    migrate(settings)
    with unit_of_work(settings) as session:
        for number in range(30):
            session.add(Case(number=f"W.P. {number} of 2026", title="Statistics", court="Lahore High Court"))

    def analysed() -> set[str]:
        with get_engine(settings.resolved_database_url).connect() as connection:
            present = connection.execute(text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
            if present is None:
                return set()
            return {row[0] for row in connection.execute(text("SELECT tbl FROM sqlite_stat1"))}

    assert "cases" not in analysed()
    refresh_statistics(settings)
    assert "cases" in analysed()

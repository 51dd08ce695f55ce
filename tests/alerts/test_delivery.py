"""Alerts and their mail are late, never lost (decision 0020): a broker that loses the alerts job of a newly indexed
document, or a notification's mail job, is covered by the sweeper, on the embedded stack and on Celery's; @mentions
are mailed like alerts; and a notification that can never be mailed is not tried again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from alerts import service
from core.backends import build_backends
from core.config import Settings
from core.models import Document, Notification, Role, utcnow
from core.uow import unit_of_work
from mail import get_mail_backend
from tests.alerts.test_alerts import NOTICE_TIMEOUT, _document, _ok, _save, _wait_for, _word
from tests.conftest import open_stack
from tests.smtp import Inbox, smtp_server
from tests.stacks import STACKS

SWEEPS_OFTEN = {"sweeper_interval_seconds": 0.5, "requeue_after_seconds": 1.0}


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


def _mail(port: int) -> dict[str, Any]:
    return {"smtp_url": f"smtp://127.0.0.1:{port}", "mail_domain": "law.gov.pk", "mail_from": "alerts@law.gov.pk"}


def _subjects(inbox: Inbox) -> list[str]:
    return [str(make_header(decode_header(message["Subject"]))) for message in inbox.messages]


def _forget_alerts(settings: Settings, document_id: str) -> None:
    """Put the database where a lost alerts job leaves it: the document indexed, its notifications never made. No
    queue in this unit of work, and the document last touched a minute ago, as if the broker had been down then."""
    with unit_of_work(settings) as session:
        session.execute(delete(Notification).where(Notification.document_id == document_id))
        document = session.get(Document, document_id)
        assert document is not None and document.alerted_at is not None  # the job had run and said so
        document.alerted_at = None
        session.flush()
        document.updated_at = utcnow() - timedelta(minutes=1)


@pytest.mark.parametrize("stack", STACKS)
def test_an_alerts_job_lost_with_the_broker_is_sent_again_by_the_sweeper(
    stack: str, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    with open_stack(stack, tmp_path, **_mail(port), **SWEEPS_OFTEN) as api:
        word = _word()
        _save(api, Role.clerk, word)
        case = api.create_case(number="W.P. 41 of 2025")
        document_id = _document(api, case["id"], f"The order names {word}.")
        _wait_for(api, Role.clerk, lambda items: len(items) == 1)
        assert len(inbox.wait_for(1, NOTICE_TIMEOUT)) == 1

        _forget_alerts(api.settings, document_id)
        assert _wait_for(api, Role.clerk, lambda items: len(items) == 0) == []
        (notice,) = _wait_for(api, Role.clerk, lambda items: len(items) == 1)  # the sweeper sent the job again
        assert notice["document_id"] == document_id and notice["kind"] == "saved_search"
        assert len(inbox.wait_for(2, NOTICE_TIMEOUT)) == 2  # and its mail went out, as the first time's did
        time.sleep(3)  # several sweeps: an alerted document and a mailed notification are not sent again
        assert len(_wait_for(api, Role.clerk, lambda items: True)) == 1 and len(inbox.messages) == 2
        with unit_of_work(api.settings) as session:
            stored = session.get(Notification, notice["id"])
            assert stored is not None and stored.emailed_at is not None


@pytest.mark.parametrize("stack", STACKS)
def test_a_mail_job_lost_with_the_broker_is_sent_again_and_mentions_are_mailed(
    stack: str, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    with open_stack(stack, tmp_path, **_mail(port), **SWEEPS_OFTEN) as api:
        case = api.create_case(number="W.P. 42 of 2025")
        assignment = {"user_id": api.user_ids[Role.officer]}
        _ok(api.post(f"/api/v1/cases/{case['id']}/assignments", json=assignment), 201)
        body = {"body": "Draft reply for @test-officer to settle."}
        _ok(api.post(f"/api/v1/cases/{case['id']}/comments", role=Role.focal_person, json=body), 201)
        (mail,) = inbox.wait_for(1, NOTICE_TIMEOUT)
        assert mail["To"] == "test-officer@law.gov.pk"
        assert "mentioned you on W.P. 42 of 2025" in _subjects(inbox)[0]
        assert f"/cases/{case['id']}#comments" in mail.get_payload()

        with unit_of_work(api.settings) as session:  # as if the mail job had been lost: not mailed, queued long ago
            notice = session.scalars(select(Notification).where(Notification.kind == "mention")).one()
            notice.emailed_at = None
            notice.mail_queued_at = utcnow() - timedelta(minutes=1)
        assert len(inbox.wait_for(2, NOTICE_TIMEOUT)) == 2
        time.sleep(3)
        assert len(inbox.messages) == 2  # mailed again once, then marked: no more


def test_a_sweep_sends_each_owed_job_once_per_interval_and_gives_up_on_the_unmailable(
    tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    """The sweeper's choices, on the real database with no queue: what it owes, and when it stops owing it."""
    _, port = smtp_server
    with open_stack("embedded", tmp_path, **_mail(port), requeue_after_seconds=60) as api:
        word = _word()
        _save(api, Role.clerk, word)
        case = api.create_case(number="W.P. 43 of 2025")
        document_id = _document(api, case["id"], f"The order names {word}.")
        _wait_for(api, Role.clerk, lambda items: len(items) == 1)
        settings = api.settings
    _forget_alerts(settings, document_id)
    now = utcnow()
    with unit_of_work(settings) as session:
        assert service.requeue_owed(session, settings, now, mail_enabled=True) == (1, 0)
        assert service.requeue_owed(session, settings, now, mail_enabled=True) == (0, 0)  # its clock restarted
        assert service.requeue_owed(session, settings, now + timedelta(seconds=61), mail_enabled=True) == (1, 0)
        created = service.notify_for_document(session, build_backends(settings).index, document_id)
        assert len(created) == 1
        later = now + timedelta(seconds=200)
        assert service.requeue_owed(session, settings, later, mail_enabled=True) == (0, 1)  # alerted; mail owed
        assert service.requeue_owed(session, settings, later, mail_enabled=False) == (0, 0)  # no mail: none owed
        stale = now + timedelta(days=2)
        assert service.requeue_owed(session, settings, stale, mail_enabled=True) == (0, 0)  # too late to mail

    unmailable = settings.model_copy(update={"mail_domain": None})  # "test-clerk" has no address without a domain
    with unit_of_work(unmailable) as session:
        assert not service.email_notification(session, get_mail_backend(unmailable), unmailable, created[0])
    with unit_of_work(settings) as session:
        notice = session.get(Notification, created[0])
        assert notice is not None and notice.emailed_at is None and "no mail address" in (notice.mail_error or "")
        assert service.requeue_owed(session, settings, later + timedelta(seconds=61), mail_enabled=True) == (0, 0)

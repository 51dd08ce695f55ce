"""The alerts job, run after a document is indexed (ingest.service.mark_indexed enqueues it): keyed by the document
id and idempotent, on the in-process worker and on Celery alike."""

from __future__ import annotations

import structlog

from alerts import service
from core.backends import Backends
from core.models import utcnow
from core.uow import JobSender, unit_of_work

log = structlog.get_logger(__name__)


def notify_document(backends: Backends, jobs: JobSender, document_id: str) -> None:
    """Create the document's notifications and mark it alerted, in one unit; when mail is configured, each new
    notification's mail job goes out after the commit (a job each: a mail server failing halfway resends nothing)."""
    with unit_of_work(backends.settings, jobs) as session:
        created = service.notify_for_document(session, backends.index, document_id)
        if backends.mail.enabled:
            service.queue_mail(session, created)


def email_notification(backends: Backends, notification_id: str) -> None:
    """Mail one notification, once (emailed_at): BackendUnavailable from the server propagates, and the runner
    retries the job; after the last retry the sweeper sends it again, for a day."""
    if not backends.mail.enabled:
        return
    with unit_of_work(backends.settings) as session:
        service.email_notification(session, backends.mail, backends.settings, notification_id)


def sweep(backends: Backends, jobs: JobSender, everything: bool = False) -> tuple[int, int]:
    """Send again the alerts and mail jobs a broker outage or a dead worker lost: alerts are late, never lost.
    `everything` sends all those owed at once (a process restart), not only those owed for a while."""
    with unit_of_work(backends.settings, jobs) as session:
        return service.requeue_owed(session, backends.settings, utcnow(), backends.mail.enabled, everything)

"""The alerts job, run after a document is indexed (ingest.service.mark_indexed enqueues it): keyed by the document
id and idempotent, on the in-process worker and on Celery alike."""

from __future__ import annotations

import structlog

from alerts import service
from core.backends import Backends
from core.uow import unit_of_work

log = structlog.get_logger(__name__)


def notify_document(backends: Backends, document_id: str) -> None:
    """Create the document's notifications; then, when mail is configured, send each one not sent yet, one unit of
    work per message, so a mail server that fails halfway leaves the rest for the retry and resends nothing."""
    settings = backends.settings
    with unit_of_work(settings) as session:
        service.notify_for_document(session, backends.index, document_id)
    if not backends.mail.enabled:
        return
    with unit_of_work(settings) as session:
        unsent = service.unsent_notifications(session, document_id)
    for notification_id in unsent:  # BackendUnavailable from the server propagates: the runner retries the job
        with unit_of_work(settings) as session:
            service.email_notification(session, backends.mail, settings, notification_id)

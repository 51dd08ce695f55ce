"""The reminder run (decision 0022): Celery beat sends casefile.send_reminders on the production stack, the embedded
worker's scheduler thread calls it in-process. Idempotent by (deadline, kind, day), so it runs hourly: a run missed
while the service was down is made up by the next one the same day, and extra runs make nothing twice."""

from __future__ import annotations

import datetime as dt

from core.config import Settings
from core.uow import unit_of_work
from litigation import service
from litigation.schemas import ReminderRun
from mail.base import MailBackend

SEND_REMINDERS = "casefile.send_reminders"
REMINDER_INTERVAL_SECONDS = 3600.0


def send_reminders(
    settings: Settings, mail: MailBackend | None, on: dt.date | None = None, now: dt.datetime | None = None
) -> ReminderRun:
    """Make the day's reminders in one unit of work; then, when mail is on, the digests in another, so a mail server
    that is down never loses a reminder (its digest goes with the next run)."""
    day = on or service.today()
    with unit_of_work(settings) as session:
        run = service.run_reminders(session, day, now)
    if mail is None or not mail.enabled:
        return run
    stamp = now or dt.datetime.now(dt.UTC)
    with unit_of_work(settings) as session:
        emailed = service.email_digests(session, mail, settings, stamp - dt.timedelta(days=1), stamp)
    return run.model_copy(update={"emailed": emailed})

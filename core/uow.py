"""The unit of work: it alone commits. Jobs and index writes wait on it and go out only after the commit.

Routers, services, tasks and CLI commands never call `commit()`. A service that must send a job or write the
search index calls `enqueue_job(session, ...)` or `after_commit(session, ...)`: if the transaction rolls back,
neither happens; if it commits, they run in order, after the data they refer to is visible to everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import structlog
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session

from core.config import Settings
from core.db import new_session
from core.errors import BackendUnavailable, CasefileError, DatabaseBusy, InvalidInput
from core.metrics import count_backend_error

log = structlog.get_logger(__name__)
_PENDING = "casefile.after_commit"
NUL_IN_TEXT = "text must not contain NUL characters"


@dataclass(frozen=True)
class Job:
    """A task for the workers, keyed by the id it works on: sending it twice does the work once."""

    name: str
    key: str


PROCESS_DOCUMENT = "casefile.process_document"
SYNC_CASE_INDEX = "casefile.sync_case_index"
NOTIFY_DOCUMENT = "casefile.notify_document"  # alerts for a newly indexed document (alerts/tasks.py)
EMAIL_NOTIFICATION = "casefile.email_notification"  # one notification by mail, when SMTP is set (alerts/tasks.py)


class JobSender(Protocol):
    def send(self, job: Job) -> None:
        """Hand the job to the workers; raise BackendUnavailable if the queue cannot take it."""


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run action once the session's transaction has committed (an index write, say); dropped on rollback."""
    session.info.setdefault(_PENDING, []).append(action)


def enqueue_job(session: Session, job: Job) -> None:
    """Send the job after the commit. If the queue is down then, the row stays `queued` and the sweeper sends
    it again later: a job is never lost, only late."""

    after_commit(session, lambda: send_job_now(session, job))


def send_job_now(session: Session, job: Job) -> None:
    """Send a job from an after-commit action; a queue outage is logged, and the sweeper covers documents."""
    sender: JobSender | None = session.info.get("casefile.job_sender")
    if sender is None:
        log.info("job.deferred", job=job.name, key=job.key, reason="no queue in this unit of work")
        return
    try:
        sender.send(job)
    except BackendUnavailable as error:
        log.warning("job.send_failed", job=job.name, key=job.key, reason=error.detail)


def commit(session: Session) -> None:
    """Commit, then run what waited on the commit. An action that fails after a good commit raises: the data is
    saved, and the caller says so (the index write is retried by its job, the sweeper or `casefile verify`)."""
    try:
        session.commit()
    except OperationalError as error:
        session.info.pop(_PENDING, None)
        raise _database_error(error) from error
    except DataError as error:
        session.info.pop(_PENDING, None)
        if _nul_in_text(error):
            raise InvalidInput(NUL_IN_TEXT) from error
        raise
    except BaseException:
        session.info.pop(_PENDING, None)
        raise
    for action in session.info.pop(_PENDING, []):
        action()


def _database_error(error: OperationalError) -> BackendUnavailable:
    """SQLite's "database is locked" is a wait that ran out: retryable, not a broken document."""
    count_backend_error("database", "commit")
    message = str(error.orig).lower()
    if "locked" in message or "busy" in message:
        return DatabaseBusy("the database is busy; try again in a moment")
    return BackendUnavailable(f"the database did not answer: {error.orig}")


def _nul_in_text(error: DataError) -> bool:
    """PostgreSQL refuses NUL in text. A field no schema checked is the client's mistake (422), not a 500."""
    return "NUL" in str(error.orig)


def rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.rollback()


@contextmanager
def unit_of_work(settings: Settings, jobs: JobSender | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back when it raises."""
    session = new_session(settings)
    session.info["casefile.job_sender"] = jobs
    try:
        yield session
    except OperationalError as error:  # raised by a flush inside the block
        rollback(session)
        session.close()
        raise _database_error(error) from error
    except DataError as error:
        rollback(session)
        session.close()
        if _nul_in_text(error):
            raise InvalidInput(NUL_IN_TEXT) from error
        raise
    except CasefileError as error:
        if error.keep_changes:  # an answer that is an error, whose record must still be kept
            try:
                commit(session)
            finally:
                session.close()
        else:
            rollback(session)
            session.close()
        raise
    except BaseException:
        rollback(session)
        session.close()
        raise
    try:
        commit(session)
    finally:
        session.close()

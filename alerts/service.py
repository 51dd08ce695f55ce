"""Saved searches, notifications and their delivery (decision 0020); plain functions for the API, pages and workers.

A newly indexed document is matched against each saved search with alerts on by running that search AS its owner,
restricted to the document (SearchFilters.document_id), through the same engine and walls as the search page: a
document the owner may not see (another unit's case, a sealed paper) is trimmed inside the engine and never
notifies. One notification per (user, document, source) under a unique constraint: running the job again (a retry,
a reprocessed document) adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from access import audit, policy
from access import service as access_service
from access.schemas import Principal
from alerts import repository
from alerts.schemas import (
    MarkedRead,
    NotificationOut,
    NotificationPage,
    SavedSearchCreate,
    SavedSearchList,
    SavedSearchOut,
    SimilarDocumentOut,
    SimilarDocuments,
)
from core.config import Settings
from core.errors import CasefileError, Forbidden, NotFound
from core.models import Document, DocumentStatus, Notification, SavedSearch, User, utcnow
from core.uow import EMAIL_NOTIFICATION, NOTIFY_DOCUMENT, Job, enqueue_job
from ingest import repository as ingest_repository
from litigation.repository import REMINDER_NOTICE_KIND
from mail.base import MailBackend, MailMessage
from mail.smtp import UndeliverableAddress
from search.backends.base import SIMILAR_TEXT_CHARS, SearchIndex
from search.query import parse_query
from search.schemas import SearchFilters

log = structlog.get_logger(__name__)
FILING = "filing"  # the source of a new-filing notification (a saved search's is its id)
# The notifications mailed one by one (deadline reminders go as a daily digest: litigation/service.py).
MAILED_KINDS = ("saved_search", "new_filing", "mention")
# A notification not mailed within this long is not mailed late: a server down for days should not flood inboxes.
MAIL_GIVE_UP_AFTER = timedelta(days=1)
NO_USER = "saved searches and notifications belong to a user; this token has none"
READ_ONLY = "a read-only token may not change saved searches or notifications"


# --- who may keep them -------------------------------------------------------------------------------------------


def owner_id(actor: Principal) -> str:
    if actor.user_id is None:
        raise Forbidden(NO_USER)
    return actor.user_id


def writing_owner_id(actor: Principal) -> str:
    user_id = owner_id(actor)
    if actor.read_only:
        raise Forbidden(READ_ONLY)
    return user_id


# --- saved searches ----------------------------------------------------------------------------------------------


def create_saved_search(session: Session, actor: Principal, data: SavedSearchCreate) -> SavedSearchOut:
    user_id = writing_owner_id(actor)
    parse_query(data.q)  # a malformed query is refused now (400), not found broken at the first new document
    filters = data.filters.model_dump(mode="json", exclude_none=True)
    saved = SavedSearch(user_id=user_id, name=data.name, q=data.q, filters=filters, alert=data.alert)
    session.add(saved)
    session.flush()
    audit.record(session, actor, "saved_search.create", "saved_search", saved.id, alert=saved.alert)
    return SavedSearchOut.model_validate(saved)


def list_saved_searches(session: Session, actor: Principal) -> SavedSearchList:
    items = repository.saved_searches_of(session, owner_id(actor))
    return SavedSearchList(items=[SavedSearchOut.model_validate(saved) for saved in items])


def delete_saved_search(session: Session, actor: Principal, saved_search_id: str) -> None:
    saved = repository.saved_search_of(session, writing_owner_id(actor), saved_search_id)
    if saved is None:
        raise NotFound("no such saved search")
    session.delete(saved)
    audit.record(session, actor, "saved_search.delete", "saved_search", saved_search_id)


# --- notifications -----------------------------------------------------------------------------------------------


def link_of(notification: Notification, query: str | None = None) -> str:
    if notification.kind == REMINDER_NOTICE_KIND:  # a deadline reminder: the case page's deadlines
        return f"/cases/{notification.case_id}#deadlines"
    if notification.document_id is None:  # about the case itself (a mention in its comments)
        return f"/cases/{notification.case_id}#comments"
    url = f"/documents/{notification.document_id}/pages/{notification.page or 1}"
    return url + (f"?{urlencode({'q': query})}" if query else "")


def notification_out(notification: Notification) -> NotificationOut:
    return NotificationOut(
        id=notification.id,
        kind=notification.kind,
        title=notification.title,
        body=notification.body,
        case_id=notification.case_id,
        document_id=notification.document_id,
        page=notification.page,
        link=link_of(notification),
        created_at=notification.created_at,
        read_at=notification.read_at,
    )


def list_notifications(session: Session, actor: Principal, unread_only: bool, page: int, size: int) -> NotificationPage:
    items, total, unread = repository.notifications_of(session, owner_id(actor), unread_only, (page - 1) * size, size)
    return NotificationPage(
        items=[notification_out(item) for item in items], total=total, unread=unread, page=page, size=size
    )


def unread_count(session: Session, actor: Principal) -> int:
    return repository.unread_count(session, actor.user_id) if actor.user_id else 0


def mark_read(session: Session, actor: Principal, notification_id: str) -> NotificationOut:
    notification = repository.notification_of(session, writing_owner_id(actor), notification_id)
    if notification is None:
        raise NotFound("no such notification")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification_out(notification)


def mark_all_read(session: Session, actor: Principal) -> MarkedRead:
    return MarkedRead(marked=repository.mark_all_read(session, writing_owner_id(actor), utcnow()))


# --- matching a newly indexed document (the alerts job) ----------------------------------------------------------


def _search_filters(saved: SavedSearch, document: Document, owner: Principal) -> SearchFilters:
    values = saved.filters or {}
    return SearchFilters(
        case_id=document.case_id,
        document_id=document.id,
        court=values.get("court"),
        status=values.get("status"),
        case_type=values.get("case_type"),
        doc_type=values.get("doc_type"),
        filed_from=_date(values.get("filed_from")),
        filed_to=_date(values.get("filed_to")),
        readers=policy.principal_keys(owner),  # the owner's walls, applied inside the engine
    )


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def first_matching_page(index: SearchIndex, saved: SavedSearch, document: Document, owner: Principal) -> int | None:
    """The saved search run as its owner over this document alone: its best page, or None (no match, or a document
    the owner may not see)."""
    try:
        query = parse_query(saved.q)
    except CasefileError as error:  # saved under an older parser: skip it, never fail the job for everyone
        log.warning("alerts.unusable_saved_search", saved_search_id=saved.id, reason=error.detail)
        return None
    result = index.search(query, _search_filters(saved, document, owner), offset=0, limit=1)
    return result.hits[0].page if result.total and result.hits else None


def _add(session: Session, notification: Notification) -> bool:
    """Insert unless the (user, document, source) notice exists: a concurrent run of the same job loses the race
    at the unique constraint, in a savepoint, and moves on."""
    try:
        with session.begin_nested():
            session.add(notification)
            session.flush()
    except IntegrityError:
        return False
    return True


def notify_for_document(session: Session, index: SearchIndex, document_id: str) -> list[str]:
    """Create the notifications a newly indexed document causes; return their ids (none the second time)."""
    document = session.get(Document, document_id)
    if document is None or document.status != DocumentStatus.indexed:
        return []
    case = document.case
    already = repository.notified(session, document.id)
    name = document.title or document.filename
    created: list[str] = []
    for saved, user in repository.alerting_searches(session):
        if (user.id, saved.id) in already:
            continue
        owner = access_service.principal_for(user)
        page = first_matching_page(index, saved, document, owner)
        if page is None:
            continue
        notification = Notification(
            user_id=user.id, kind="saved_search", source=saved.id, title=f"“{saved.name}” matches {name}"[:500],
            body=f"{case.number} · {case.title} · page {page}"[:2000], case_id=case.id, document_id=document.id,
            page=page,
        )  # fmt: skip
        if _add(session, notification):
            created.append(notification.id)
    for user in repository.assigned_officers(session, case.id):
        if (user.id, FILING) in already:
            continue
        if not repository.sees_document(session, access_service.principal_for(user), document.id):
            continue
        notification = Notification(
            user_id=user.id, kind="new_filing", source=FILING, title=f"New filing in {case.number}: {name}"[:500],
            body=f"{case.title} · {document.doc_type.value} · {document.page_count or 0} page(s)"[:2000],
            case_id=case.id, document_id=document.id, page=1,
        )  # fmt: skip
        if _add(session, notification):
            created.append(notification.id)
    document.alerted_at = utcnow()  # committed with the notifications: the sweeper stops owing this job
    if created:
        log.info("alerts.notified", document_id=document_id, notifications=len(created))
    return created


def queue_mail(session: Session, notification_ids: list[str], now: datetime | None = None) -> None:
    """Send each notification's mail job after the commit (one job per notification, keyed by its id)."""
    moment = now or utcnow()
    for notification_id in notification_ids:
        notification = session.get(Notification, notification_id)
        if notification is not None:
            notification.mail_queued_at = moment
        enqueue_job(session, Job(EMAIL_NOTIFICATION, notification_id))


def requeue_owed(
    session: Session, settings: Settings, now: datetime, mail_enabled: bool, everything: bool = False
) -> tuple[int, int]:
    """The sweeper's part for alerts: send again the alerts jobs of documents indexed without them, and, when mail
    is on, the mail jobs of notifications not mailed yet, each once per requeue_after_seconds (all, with everything)."""
    before = now if everything else now - timedelta(seconds=settings.requeue_after_seconds)
    documents = repository.owed_alerts(session, before)
    for document in documents:
        document.updated_at = now  # its clock restarts: sent once per interval, not at every sweep
        enqueue_job(session, Job(NOTIFY_DOCUMENT, document.id))
    mails = repository.owed_mail(session, MAILED_KINDS, now - MAIL_GIVE_UP_AFTER, before) if mail_enabled else []
    queue_mail(session, [notification.id for notification in mails], now)
    if documents or mails:
        log.info("sweeper.alerts_requeued", documents=len(documents), mails=len(mails))
    return len(documents), len(mails)


# --- email -------------------------------------------------------------------------------------------------------


def mail_address(user: User, settings: Settings) -> str | None:
    """Casefile keeps no email addresses: a username that is one is used, any other gets @mail_domain."""
    if "@" in user.username:
        return user.username
    return f"{user.username}@{settings.mail_domain}" if settings.mail_domain else None


def email_notification(session: Session, mail: MailBackend, settings: Settings, notification_id: str) -> bool:
    """Send one notification by mail and mark it sent (in the caller's unit, after the server took it: at least
    once). The mail says what matched and where, never the document's text."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.emailed_at is not None or notification.mail_error is not None:
        return False
    user = session.get(User, notification.user_id)
    address = mail_address(user, settings) if user is not None and user.active else None
    if address is None:  # kept, so the sweeper stops trying: nothing later will give this user an address
        notification.mail_error = "no mail address (an inactive account, or no mail domain for its username)"
        return False
    body = f"{notification.title}\n\n{notification.body}\n\nOpen it in Casefile: {link_of(notification)}\n"
    try:
        mail.send(MailMessage(to=address, subject=f"Casefile: {notification.title}"[:200], body=body))
    except UndeliverableAddress as error:
        log.warning("alerts.mail_refused", notification_id=notification_id, reason=str(error))
        notification.mail_error = f"the mail server refused {address}: {error}"[:500]
        return False
    notification.emailed_at = utcnow()
    return True


# --- more like this ----------------------------------------------------------------------------------------------


def similar_documents(
    session: Session, index: SearchIndex, actor: Principal, document: Document, limit: int
) -> SimilarDocuments:
    """The documents most like this one that the caller may see: the engine trims by the caller's walls; the rows
    are read through the SQL walls again."""
    text, length = [], 0
    for page in ingest_repository.list_pages(session, document.id):
        text.append(page.text)
        length += len(page.text)
        if length >= SIMILAR_TEXT_CHARS:
            break
    found = index.similar_documents(
        document.id, "\n\n".join(text), SearchFilters(readers=policy.principal_keys(actor)), limit
    )
    rows = repository.documents_by_id(session, actor, [item.document_id for item in found])
    items = [
        SimilarDocumentOut(
            document_id=item.document_id,
            case_id=row.case_id,
            case_number=row.case.number,
            title=row.title,
            filename=row.filename,
            doc_type=row.doc_type,
            score=item.score,
        )
        for item in found
        if (row := rows.get(item.document_id)) is not None
    ]
    audit.record(session, actor, "document.similar", "document", document.id, case_id=document.case_id,
                 found=len(items))  # fmt: skip
    return SimilarDocuments(document_id=document.id, items=items)

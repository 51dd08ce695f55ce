"""SQLAlchemy 2 models: the database is the source of truth; the search index is rebuilt from it."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from datetime import date as datetime_date  # Hearing has a column named date, which hides the type in its body
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that reads back in UTC on every engine: SQLite stores no zone and returned naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class CaseStatus(enum.StrEnum):
    """The case lifecycle (decision 0021); cases/lifecycle.py holds the allowed transitions."""

    intake = "intake"  # registered, nobody assigned yet
    assigned = "assigned"  # a law officer has it
    pending = "pending"  # being heard
    reserved = "reserved"  # judgment reserved
    decided = "decided"
    appeal = "appeal"  # the decision is challenged
    closed = "closed"


class AssignmentRole(enum.StrEnum):
    lead = "lead"
    assisting = "assisting"


class DecisionOutcome(enum.StrEnum):
    """For the government: in favour of it, against it, partly."""

    in_favour = "in_favour"
    against = "against"
    partly = "partly"
    withdrawn = "withdrawn"
    dismissed_as_withdrawn = "dismissed_as_withdrawn"
    disposed_of = "disposed_of"


class DocType(enum.StrEnum):
    petition = "petition"
    reply = "reply"
    order = "order"
    judgment = "judgment"
    evidence = "evidence"
    correspondence = "correspondence"
    other = "other"


class DocumentStatus(enum.StrEnum):
    queued = "queued"
    processing = "processing"
    indexed = "indexed"
    failed = "failed"


class PageSource(enum.StrEnum):
    text_layer = "text_layer"
    ocr = "ocr"


class Role(enum.StrEnum):
    admin = "admin"  # manages units, users and grants; sees every case
    clerk = "clerk"  # creates cases and uploads for their unit
    officer = "officer"  # a law officer: the cases assigned or granted to them
    focal_person = "focal_person"  # a ministry's contact: their unit's cases, read only
    auditor = "auditor"  # the audit trail, and no case content
    client = "client"  # an API integration: their unit's cases, writes only with a write grant


class UnitKind(enum.StrEnum):
    ministry = "ministry"
    law_office = "law_office"
    court = "court"
    other = "other"


class Access(enum.StrEnum):
    read = "read"
    write = "write"


def _enum(kind: type[enum.Enum]) -> Enum:
    # Stored as plain strings so PostgreSQL and SQLite share one migration and new values need no ALTER TYPE.
    return Enum(kind, native_enum=False, length=32, validate_strings=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Unit(Base):
    """A ministry, division or department, a law office, or a court registry."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind), default=UnitKind.other)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who overdue deadlines of the unit's people escalate to (decision 0022); set by an admin.
    head_user_id: Mapped[str | None] = mapped_column(String(36))
    # Its cases' status is public at GET /public/case-status when that is switched on (decision 0023); set by admins.
    public_status: Mapped[bool] = mapped_column(Boolean, default=False)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    # Argon2id (argon2-cffi); None for a service account, which signs in only with tokens.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # An officer's fields (service, tax, criminal, constitutional...), set by admins; assignment suggestions use them.
    specialisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    # sha256 of the secret in the user's calendar feed URL (decision 0022): the URL is the credential.
    calendar_secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    unit: Mapped[Unit] = relationship()


class Case(TimestampMixin, Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("court", "number", name="uq_cases_court_number"),
        # The reports' GROUP BYs read these alone, never the wide rows (decision 0023, migration 0010).
        Index("ix_cases_court_status", "court", "status"),
        Index("ix_cases_unit_status", "unit_id", "status", "sealed", "court"),
        Index("ix_cases_status_id", "status", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    court: Mapped[str] = mapped_column(String(200), index=True)
    case_type: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), default=CaseStatus.intake)
    # [{"name": ..., "role": ...}]
    parties: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The owning unit: by default the creator's. None only for cases made before units existed (admins see them).
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    # The officer named before assignments existed, kept as a note until a matching officer user is created.
    officer_note: Mapped[str | None] = mapped_column(String(200))
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    seal_reason: Mapped[str | None] = mapped_column(String(500))
    filed_on: Mapped[date | None] = mapped_column(Date)
    next_hearing_on: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # This case's status is public (decision 0023), as when its unit's is; never while sealed. Set by admins.
    public_status: Mapped[bool] = mapped_column(Boolean, default=False)

    documents: Mapped[list[Document]] = relationship(back_populates="case")
    # The current assignments; ended ones stay as rows (history) and are in assignment_history with these.
    assignments: Mapped[list[Assignment]] = relationship(
        primaryjoin="and_(Case.id == Assignment.case_id, Assignment.ended_at.is_(None))",
        back_populates="case",
        order_by="Assignment.created_at",
    )
    assignment_history: Mapped[list[Assignment]] = relationship(
        primaryjoin="Case.id == Assignment.case_id", viewonly=True, order_by="Assignment.created_at"
    )
    grants: Mapped[list[Grant]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Grant.created_at"
    )


class Assignment(Base):
    """A law officer assigned to a case, lead or assisting. Ending an assignment (reassignment, removal) keeps the
    row with ended_at and the reason: only rows with ended_at None give access."""

    __tablename__ = "assignments"
    __table_args__ = (
        # One current assignment per officer and case, and one current lead per case; ended rows are history.
        Index(
            "uq_assignments_current_case_user",
            "case_id",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(
            "uq_assignments_current_lead",
            "case_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL AND role = 'lead'"),
            postgresql_where=text("ended_at IS NULL AND role = 'lead'"),
        ),
        # The pending report's join to current officers reads only the index (migration 0012, decision 0023).
        Index(
            "ix_assignments_current_case_user_role",
            "case_id",
            "user_id",
            "role",
            "ended_at",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    role: Mapped[AssignmentRole] = mapped_column(_enum(AssignmentRole), default=AssignmentRole.lead)
    note: Mapped[str | None] = mapped_column(String(1000))
    assigned_by: Mapped[str | None] = mapped_column(String(200))  # the actor's label, as the audit trail has it
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Flagged as unacknowledged from this time (created_at + CASEFILE_ACKNOWLEDGE_WITHIN_DAYS, fixed when assigned).
    acknowledge_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    ended_reason: Mapped[str | None] = mapped_column(String(1000))
    ended_by: Mapped[str | None] = mapped_column(String(200))

    case: Mapped[Case] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship()

    def unacknowledged_at(self, now: datetime) -> bool:
        """A current assignment not acknowledged by its time."""
        return (
            self.ended_at is None
            and self.acknowledged_at is None
            and self.acknowledge_by is not None
            and now >= self.acknowledge_by
        )

    @property
    def unacknowledged(self) -> bool:
        return self.unacknowledged_at(utcnow())


class CaseStatusChange(Base):
    """One change of a case's status: who, when and why. Never updated or deleted."""

    __tablename__ = "case_status_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[CaseStatus | None] = mapped_column(_enum(CaseStatus))  # None: the case was created
    to_status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus))
    reason: Mapped[str | None] = mapped_column(String(1000))
    user_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class CaseDecision(Base):
    """A decision in a case: its date, the outcome for the government, and the judgment if uploaded. A case decided
    again after an appeal gets another row; the latest is the case's decision."""

    __tablename__ = "case_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(_enum(DecisionOutcome))
    judgment_document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(1000))
    user_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CommentRequest(Base):
    """A request for comments: a question the ministry must answer by a date, answered by a comment naming it."""

    __tablename__ = "comment_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    answer_comment_id: Mapped[str | None] = mapped_column(String(36))


class CaseComment(Base):
    """A comment on a case between the ministry and the law officers, with the case's documents it refers to and
    the users it mentions (@username)."""

    __tablename__ = "case_comments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    document_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    mentioned_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[str | None] = mapped_column(ForeignKey("comment_requests.id", ondelete="SET NULL"))
    user_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Grant(Base):
    """Access to one case for a user or a whole unit beyond what their role gives."""

    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    access: Mapped[Access] = mapped_column(_enum(Access), default=Access.read)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="grants")


class Document(TimestampMixin, Base):
    __tablename__ = "documents"
    # The same bytes once per case: concurrent uploads of one file race to this constraint, and the loser
    # answers with the winner's row.
    __table_args__ = (
        Index("uq_documents_case_sha256", "case_id", "sha256", unique=True),
        Index("ix_documents_status_alerted_at", "status", "alerted_at"),  # the sweeper's search for owed alerts
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(500))
    doc_type: Mapped[DocType] = mapped_column(_enum(DocType), default=DocType.other)
    filed_on: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(100), default="eng")
    status: Mapped[DocumentStatus] = mapped_column(_enum(DocumentStatus), default=DocumentStatus.queued, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    page_count: Mapped[int | None] = mapped_column(Integer)
    ocr_pages: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    seal_reason: Mapped[str | None] = mapped_column(String(500))
    # While `processing`: past this time the worker is presumed dead and the sweeper sends the job again.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The normalised citations this document is reported as, if it is a reported judgment (decision 0019): detected
    # from its first page's headnote when first processed, corrected by PATCH. None: not looked at yet.
    reported_as: Mapped[list[str] | None] = mapped_column(JSON)
    # When the alerts job had made this document's notifications (alerts/tasks.py). None while `indexed` means
    # the job is owed: the sweeper sends it again, so a broker outage at indexing time delays alerts, never drops them.
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(back_populates="documents")
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.number"
    )


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_pages_document_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[PageSource] = mapped_column(_enum(PageSource))
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    # How the scan was turned upright before OCR (degrees clockwise), and the skew corrected: a viewer applies
    # the same to the page image so that word positions line up.
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    skew_degrees: Mapped[float] = mapped_column(Float, default=0.0)
    # Each word and its box on the page image as the viewer is shown it (search/boxes.py, decision 0014): zlib'd,
    # 16-bit coordinates. None for plain-text pages and pages processed before boxes were kept. Deferred: only the
    # boxes endpoint and search hits read it.
    word_boxes: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # The normalised citations found in the text (citations.extract_citations; decision 0019), in order of first
    # appearance. None for pages processed before they were kept: indexing extracts them from the text.
    citations: Mapped[list[str] | None] = mapped_column(JSON)

    document: Mapped[Document] = relationship(back_populates="pages")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # A user's token acts as that user; a token with no user (the bootstrap token, or one made before users
    # existed) acts by its role alone, with no unit.
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # sha256 of the token: tokens are 256 random bits, so a slow hash adds nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()


class BrowserSession(Base):
    """A signed-in browser: the cookie holds a random id, stored here as its sha256, with the CSRF token."""

    __tablename__ = "browser_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class SignInFailure(Base):
    """One failed sign-in, for throttling per account and per address (shared by every API replica)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AuditEvent(Base):
    """Append-only and hash-chained: `hash` is sha256(previous row's hash + this row's canonical content)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    token_id: Mapped[str | None] = mapped_column(String(36))
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(36), index=True)
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set in the committing transaction, under the chain head's lock (access/audit.py): sequence is commit order.
    sequence: Mapped[int | None] = mapped_column(Integer, unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditChain(Base):
    """The chain's head: one row (id 1), locked by each commit that appends to the audit trail."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class SavedSearch(Base):
    """A user's search kept by name; with `alert` on, each newly indexed document it matches notifies its owner."""

    __tablename__ = "saved_searches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    q: Mapped[str] = mapped_column(String(2000))
    # The search page's filters by name (court, status, case_type, doc_type, filed_from, filed_to), as typed.
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alert: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Base):
    """Something a user should look at: a new document matching one of their saved searches, or a new filing in a
    case assigned to them. One per (user, document, source): a document indexed again never notifies twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "document_id", "source", name="uq_notifications_user_document_source"),
        Index("ix_notifications_unsent", "emailed_at", "created_at"),  # the sweeper's search for owed mail
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # saved_search | new_filing | mention | deadline
    # What caused it: the saved search's id, or "filing" (not a foreign key: deleting the search keeps the notice).
    source: Mapped[str] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # None for a notice about the case itself (an @mention in a comment: kind "mention", source the comment's id).
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    page: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once the mail backend took it (CASEFILE_SMTP_URL); None while unsent or when mail is off.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When its mail job was last sent to the queue (the sweeper sends it again after requeue_after_seconds), and why
    # it can never be mailed (no address, or the server refused the recipient): then nobody tries again.
    mail_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mail_error: Mapped[str | None] = mapped_column(String(500))


# --- litigation: hearings, deadlines, limitation rules, reminders (issue 12, decision 0022) ---------------------


class HearingOutcome(enum.StrEnum):
    adjourned = "adjourned"
    heard = "heard"
    part_heard = "part_heard"  # "part-heard" in the issue: underscores keep JSON values identifier-like
    reserved = "reserved"
    decided = "decided"
    not_taken_up = "not_taken_up"


class Hearing(Base):
    """One listing of a case before a court; its outcome, once recorded, may name the next date."""

    __tablename__ = "hearings"
    # The cause list reads one day across every case: the date leads the index.
    __table_args__ = (Index("ix_hearings_date_court", "date", "court"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM", local court time
    court: Mapped[str] = mapped_column(String(200))
    bench: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(500))
    outcome: Mapped[HearingOutcome | None] = mapped_column(_enum(HearingOutcome))
    adjournment_reason: Mapped[str | None] = mapped_column(String(500))
    next_date: Mapped[datetime_date | None] = mapped_column(Date)
    # The hearing this one's outcome created, so recording the outcome again does not list the case twice.
    next_hearing_id: Mapped[str | None] = mapped_column(String(36))
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()


class DeadlineKind(enum.StrEnum):
    reply = "reply"
    para_wise_comments = "para_wise_comments"
    written_statement = "written_statement"
    appeal_limitation = "appeal_limitation"
    cpla_limitation = "cpla_limitation"
    compliance_report = "compliance_report"
    other = "other"


class DeadlineStatus(enum.StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class Deadline(Base):
    """Something due in a case by a date, owned by one person."""

    __tablename__ = "deadlines"
    # Reminders and the overdue list read open deadlines by due date.
    __table_args__ = (Index("ix_deadlines_status_due_on", "status", "due_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DeadlineKind] = mapped_column(_enum(DeadlineKind))
    due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[DeadlineStatus] = mapped_column(_enum(DeadlineStatus), default=DeadlineStatus.open)
    note: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()
    owner: Mapped[User] = relationship()


class LimitationCountsFrom(enum.StrEnum):
    decision = "decision"  # the date of the judgment or order
    communication = "communication"  # the date the order was communicated to the party


class LimitationRule(Base):
    """A remedy's limitation period: data an admin edits, seeded from litigation/limitation_rules.json."""

    __tablename__ = "limitation_rules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a stable key, e.g. "cpla_supreme_court"
    remedy: Mapped[str] = mapped_column(String(300))
    period_days: Mapped[int] = mapped_column(Integer)
    counts_from: Mapped[LimitationCountsFrom] = mapped_column(_enum(LimitationCountsFrom))
    deadline_kind: Mapped[DeadlineKind] = mapped_column(_enum(DeadlineKind), default=DeadlineKind.appeal_limitation)
    source: Mapped[str] = mapped_column(String(1000))
    verify_note: Mapped[str] = mapped_column(String(500), default="verify locally")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ReminderKind(enum.StrEnum):
    week_before = "week_before"  # 7 days before
    day_before = "day_before"  # 1 day before
    due_today = "due_today"
    overdue = "overdue"  # escalated to the head of the owner's unit, once


class Reminder(Base):
    """A reminder about a deadline, shown to its user as a notification (and in the daily digest by email).
    One per (deadline, kind, day): the scheduler may run any number of times a day."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("deadline_id", "kind", "on_day", name="uq_reminders_deadline_kind_day"),
        Index("ix_reminders_user_read", "user_id", "read_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    deadline_id: Mapped[str] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[ReminderKind] = mapped_column(_enum(ReminderKind))
    on_day: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

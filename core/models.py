"""SQLAlchemy 2 models: the database is the source of truth; the search index is rebuilt from it."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
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
    open = "open"
    pending = "pending"
    adjourned = "adjourned"
    reserved = "reserved"
    decided = "decided"
    disposed = "disposed"
    withdrawn = "withdrawn"


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
    admin = "admin"
    clerk = "clerk"
    officer = "officer"
    client = "client"


def _enum(kind: type[enum.Enum]) -> Enum:
    # Stored as plain strings so PostgreSQL and SQLite share one migration and new values need no ALTER TYPE.
    return Enum(kind, native_enum=False, length=32, validate_strings=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Case(TimestampMixin, Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("court", "number", name="uq_cases_court_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    court: Mapped[str] = mapped_column(String(200), index=True)
    case_type: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), default=CaseStatus.open)
    # [{"name": ..., "role": ...}]
    parties: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    assigned_officer: Mapped[str | None] = mapped_column(String(200))
    filed_on: Mapped[date | None] = mapped_column(Date)
    next_hearing_on: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)

    documents: Mapped[list[Document]] = relationship(back_populates="case")


class Document(TimestampMixin, Base):
    __tablename__ = "documents"
    # The same bytes once per case: concurrent uploads of one file race to this constraint, and the loser
    # answers with the winner's row.
    __table_args__ = (Index("uq_documents_case_sha256", "case_id", "sha256", unique=True),)

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
    # While `processing`: past this time the worker is presumed dead and the sweeper sends the job again.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

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

    document: Mapped[Document] = relationship(back_populates="pages")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    # sha256 of the token: tokens are 256 random bits, so a slow hash adds nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    token_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

"""API shapes for documents and pages."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from core.models import DocType, DocumentStatus, PageSource


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    title: str | None
    doc_type: DocType
    filed_on: date | None
    language: str
    status: DocumentStatus
    error: str | None
    page_count: int | None
    ocr_pages: int | None
    created_at: datetime
    updated_at: datetime


class DocumentList(BaseModel):
    items: list[DocumentOut]
    total: int


class PageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    text: str
    source: PageSource
    ocr_confidence: float | None


class PageList(BaseModel):
    document_id: str
    items: list[PageOut]

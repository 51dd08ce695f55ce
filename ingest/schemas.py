"""API shapes for documents and pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from access.schemas import PlainText
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
    sealed: bool
    seal_reason: str | None
    # The citations this document is reported as, if it is a reported judgment (decision 0019); null: not looked at.
    reported_as: list[str] | None = None
    created_at: datetime
    updated_at: datetime


class DocumentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: PlainText | None = Field(default=None, max_length=500)
    doc_type: DocType | None = None
    filed_on: date | None = None
    sealed: bool | None = None
    seal_reason: PlainText | None = Field(default=None, max_length=500)
    # Mark (or correct) a reported judgment's own citations, in any spelling: each is normalised, and a value that is
    # not a citation is a 422. [] or null: not a reported judgment.
    reported_as: list[Annotated[str, Field(max_length=200)]] | None = Field(default=None, max_length=20)


class DocumentList(BaseModel):
    items: list[DocumentOut]
    total: int


class PageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    text: str
    source: PageSource
    ocr_confidence: float | None
    # The page has word boxes (decision 0014): its image can show where a search's words are.
    has_boxes: bool = False


class PageList(BaseModel):
    document_id: str
    items: list[PageOut]

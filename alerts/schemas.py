"""API shapes for saved searches, notifications and similar documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from access.schemas import PlainText
from core.models import CaseStatus, DocType


class SavedSearchFilters(BaseModel):
    """The search page's filters (the same names as GET /api/v1/search)."""

    model_config = ConfigDict(extra="forbid")

    court: PlainText | None = Field(default=None, max_length=200)
    status: CaseStatus | None = None
    case_type: PlainText | None = Field(default=None, max_length=200)
    doc_type: DocType | None = None
    filed_from: date | None = None
    filed_to: date | None = None


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PlainText = Field(min_length=1, max_length=200)
    q: PlainText = Field(min_length=1, max_length=2000, description="a search as GET /api/v1/search takes it")
    filters: SavedSearchFilters = Field(default_factory=SavedSearchFilters)
    alert: bool = Field(default=False, description="notify me of each newly indexed document this search matches")


class SavedSearchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    q: str
    filters: dict[str, Any]
    alert: bool
    created_at: datetime


class SavedSearchList(BaseModel):
    items: list[SavedSearchOut]


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str = Field(
        description="saved_search (a new document matches one of your saved searches), new_filing, mention "
        "(an @mention in a case's comments), or deadline (a reminder of a deadline, or its escalation)"
    )
    title: str
    body: str
    case_id: str
    document_id: str | None = Field(description="None for a notice about the case itself (mention)")
    page: int | None = Field(description="the first matching page, for a saved search")
    link: str = Field(description="the page in the web viewer")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    unread: int
    page: int
    size: int


class MarkedRead(BaseModel):
    marked: int


class SimilarDocumentOut(BaseModel):
    document_id: str
    case_id: str
    case_number: str
    title: str | None
    filename: str
    doc_type: DocType
    score: float


class SimilarDocuments(BaseModel):
    document_id: str
    items: list[SimilarDocumentOut]

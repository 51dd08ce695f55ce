"""API shapes for cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from access.schemas import AssignmentOut, GrantOut, PlainText, has_control_characters
from core.models import CaseStatus


class Party(BaseModel):
    name: PlainText = Field(min_length=1, max_length=300)
    role: PlainText = Field(min_length=1, max_length=100, examples=["petitioner", "respondent"])


def _strip(value: str) -> str:
    """Line breaks and tabs fold to spaces; other control characters (NUL among them) are refused on every stack."""
    stripped = " ".join(value.split())
    if not stripped:
        raise ValueError("must not be blank")
    if has_control_characters(stripped):
        raise ValueError("must not contain control characters")
    return stripped


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is a mistake or a probe: 422

    number: str = Field(max_length=200, examples=["W.P. No. 1234 of 2024"])
    title: str = Field(max_length=500)
    court: str = Field(max_length=200, examples=["Lahore High Court"])
    case_type: PlainText | None = Field(default=None, max_length=100, examples=["writ petition"])
    status: CaseStatus = CaseStatus.intake
    parties: list[Party] = Field(default_factory=list, max_length=200)
    filed_on: date | None = None
    next_hearing_on: date | None = None
    tags: list[PlainText] = Field(default_factory=list, max_length=50)
    unit_id: str | None = Field(default=None, description="The owning unit; default the creator's (admins only)")

    _clean = field_validator("number", "title", "court")(_strip)


class CaseUpdate(BaseModel):
    """Every field optional: only the ones sent are changed."""

    model_config = ConfigDict(extra="forbid")

    number: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=500)
    court: str | None = Field(default=None, max_length=200)
    case_type: PlainText | None = Field(default=None, max_length=100)
    status: CaseStatus | None = None
    parties: list[Party] | None = Field(default=None, max_length=200)
    filed_on: date | None = None
    next_hearing_on: date | None = None
    tags: list[PlainText] | None = Field(default=None, max_length=50)
    sealed: bool | None = None
    seal_reason: PlainText | None = Field(default=None, max_length=500)
    reason: PlainText | None = Field(
        default=None, max_length=1000, description="Why the status changes: kept in the case's status history"
    )

    @field_validator("number", "title", "court")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return None if value is None else _strip(value)


@dataclass(frozen=True)
class CaseFilters:
    court: str | None = None
    status: CaseStatus | None = None
    case_type: PlainText | None = None
    officer_id: str | None = None


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: str
    title: str
    court: str
    case_type: PlainText | None
    status: CaseStatus
    parties: list[Party]
    unit_id: str | None
    officer_note: str | None = Field(description="An officer named before assignments existed")
    assignments: list[AssignmentOut]
    grants: list[GrantOut]
    sealed: bool
    seal_reason: PlainText | None
    filed_on: date | None
    next_hearing_on: date | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class CaseListItem(CaseOut):
    matched_documents: int | None = Field(
        default=None, description="With q: how many of the case's documents match the query"
    )


class CaseList(BaseModel):
    items: list[CaseListItem]
    total: int
    page: int
    size: int

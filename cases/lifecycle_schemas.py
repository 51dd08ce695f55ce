"""API shapes of the case lifecycle, assignment and coordination (decision 0021)."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from access.schemas import AssignmentOut, PlainText
from core.models import CaseStatus, DecisionOutcome


class ReassignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_user_id: PlainText = Field(min_length=1, max_length=36)
    to_user_id: PlainText = Field(min_length=1, max_length=36)
    reason: PlainText = Field(min_length=1, max_length=1000)
    note: PlainText | None = Field(default=None, max_length=1000)


class AssignmentList(BaseModel):
    current: list[AssignmentOut]
    history: list[AssignmentOut] = Field(description="Ended assignments, with when, who and why")


class AssignmentItem(AssignmentOut):
    case_number: str
    case_title: str
    officer_name: str


class AssignmentItems(BaseModel):
    items: list[AssignmentItem]
    total: int


class SuggestionOut(BaseModel):
    user_id: str
    username: str
    name: str
    score: int
    reasons: list[str]


class SuggestionList(BaseModel):
    items: list[SuggestionOut]


class StatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    from_status: CaseStatus | None
    to_status: CaseStatus
    reason: str | None
    user_id: str | None
    actor: str
    at: datetime


class StatusHistory(BaseModel):
    status: CaseStatus
    allowed: list[CaseStatus] = Field(description="The statuses the case may move to next")
    history: list[StatusChangeOut]


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decided_on: date
    outcome: DecisionOutcome
    judgment_document_id: PlainText | None = Field(default=None, max_length=36)
    note: PlainText | None = Field(default=None, max_length=1000)


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    decided_on: date
    outcome: DecisionOutcome
    judgment_document_id: str | None
    note: str | None
    actor: str
    created_at: datetime


class TimelineItem(BaseModel):
    at: datetime
    kind: str = Field(
        description="filing, assigned, acknowledged, assignment_ended, status, decision, comment, comment_request, "
        "hearing or deadline"
    )
    summary: str
    actor: str | None
    ref_id: str | None
    document_id: str | None


class Timeline(BaseModel):
    case_id: str
    items: list[TimelineItem]


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000)
    document_ids: list[PlainText] = Field(default_factory=list, max_length=50)
    request_id: PlainText | None = Field(default=None, max_length=36, description="The request for comments it answers")

    @field_validator("body")
    @classmethod
    def _text(cls, value: str) -> str:
        # Line breaks are a comment's paragraphs; other control characters (NUL among them) are refused.
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value):
            raise ValueError("must not contain control characters")
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class CommentOut(BaseModel):
    id: str
    case_id: str
    body: str
    document_ids: list[str]
    mentions: list[str] = Field(description="The usernames mentioned (and notified) who can see the case")
    request_id: str | None
    user_id: str | None
    actor: str
    created_at: datetime


class CommentList(BaseModel):
    items: list[CommentOut]


class CommentRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_on: date
    question: PlainText = Field(min_length=1, max_length=5000)


class CommentRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    question: str
    due_on: date
    actor: str
    created_at: datetime
    answered_at: datetime | None
    answer_comment_id: str | None
    overdue: bool = False


class CommentRequestList(BaseModel):
    items: list[CommentRequestOut]


class SpecialisationsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    specialisations: list[PlainText] = Field(max_length=20, examples=[["service", "tax"]])

"""API shapes for hearings, the cause list, deadlines, limitation rules and reminders."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from access.schemas import PlainText
from cases.lifecycle_schemas import DecisionOut
from core.models import DeadlineKind, DeadlineStatus, HearingOutcome, LimitationCountsFrom, ReminderKind

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class HearingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    court: PlainText = Field(min_length=1, max_length=200)
    purpose: PlainText = Field(min_length=1, max_length=500, examples=["arguments", "reply of respondents"])
    time: str | None = Field(default=None, pattern=TIME_PATTERN, examples=["09:30"])
    bench: PlainText | None = Field(default=None, max_length=200, examples=["DB-I"])


class HearingOutcomeUpdate(BaseModel):
    """An outcome for the hearing; a next date lists the case again on that date (the next hearing is created)."""

    model_config = ConfigDict(extra="forbid")

    outcome: HearingOutcome
    next_date: dt.date | None = None
    adjournment_reason: PlainText | None = Field(default=None, max_length=500)
    next_purpose: PlainText | None = Field(default=None, max_length=500, description="default: the same purpose")


class HearingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    date: dt.date
    time: str | None
    court: str
    bench: str | None
    purpose: str
    outcome: HearingOutcome | None
    adjournment_reason: str | None
    next_date: dt.date | None
    next_hearing_id: str | None
    created_at: dt.datetime


class HearingList(BaseModel):
    items: list[HearingOut]
    next_hearing_on: dt.date | None


class CauseListEntry(BaseModel):
    hearing_id: str
    case_id: str
    case_number: str
    title: str
    parties: list[str]
    court: str
    bench: str | None
    time: str | None
    purpose: str
    officer_id: str | None
    officer_name: str | None


class CauseListGroup(BaseModel):
    officer_id: str | None = Field(description="None: matters with no officer assigned")
    officer_name: str | None
    entries: list[CauseListEntry]


class CauseList(BaseModel):
    date: dt.date
    court: str | None
    officer_id: str | None
    total: int = Field(description="hearings listed (a matter with two officers counts once)")
    groups: list[CauseListGroup]


class DeadlineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DeadlineKind
    due_on: dt.date
    owner_id: PlainText = Field(min_length=1, max_length=36)
    note: PlainText | None = Field(default=None, max_length=1000)


class DeadlineUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DeadlineKind | None = None
    due_on: dt.date | None = None
    owner_id: PlainText | None = Field(default=None, min_length=1, max_length=36)
    status: DeadlineStatus | None = None
    note: PlainText | None = Field(default=None, max_length=1000)


class DeadlineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    kind: DeadlineKind
    due_on: dt.date
    owner_id: str
    status: DeadlineStatus
    note: str | None
    created_at: dt.datetime
    case_number: str | None = None
    overdue: bool = False


class DeadlineList(BaseModel):
    items: list[DeadlineOut]
    total: int


class LimitationRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    remedy: PlainText = Field(min_length=1, max_length=300)
    period_days: int = Field(ge=1, le=3650)
    counts_from: LimitationCountsFrom
    deadline_kind: DeadlineKind = DeadlineKind.appeal_limitation
    source: PlainText = Field(min_length=1, max_length=1000, description="the legal source, cited")
    verify_note: PlainText = Field(default="verify locally", max_length=500)
    active: bool = True


class LimitationRuleOut(LimitationRuleIn):
    model_config = ConfigDict(from_attributes=True)

    updated_at: dt.datetime


class LimitationRules(BaseModel):
    items: list[LimitationRuleOut]


class LimitationRulesPut(BaseModel):
    """The whole table: rules not listed are removed."""

    model_config = ConfigDict(extra="forbid")

    items: list[LimitationRuleIn] = Field(max_length=500)


class LimitationSuggestion(BaseModel):
    rule_id: str
    remedy: str
    deadline_kind: DeadlineKind
    period_days: int
    counts_from: LimitationCountsFrom
    counted_from: dt.date = Field(description="the date the period was counted from")
    excluded_days: int = Field(description="days taken to obtain the certified copy, excluded (s.12(2))")
    due_on: dt.date
    source: str
    verify_note: str
    explanation: str


class LimitationSuggestions(BaseModel):
    case_id: str
    decided_on: dt.date
    communicated_on: dt.date | None
    certified_copy_applied_on: dt.date | None
    certified_copy_received_on: dt.date | None
    suggestions: list[LimitationSuggestion]
    note: str = "Suggestions only: confirm each with POST /api/v1/cases/{id}/deadlines."


class DecisionRecorded(DecisionOut):
    """The recorded decision and the limitation helper's suggestions from its date (decision 0022): nothing is
    created; the officer confirms each suggestion by adding it as a deadline."""

    limitation_suggestions: list[LimitationSuggestion] = Field(
        description="the last day for each remedy in the rule table, counted from decided_on"
    )
    limitation_note: str = (
        "Suggestions only: nothing was created. Confirm each with POST /api/v1/cases/{id}/deadlines; "
        "GET /api/v1/cases/{id}/limitation-suggestions counts the communication and certified-copy dates."
    )


class ReminderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    deadline_id: str
    case_id: str
    kind: ReminderKind
    on_day: dt.date
    title: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class ReminderRun(BaseModel):
    today: dt.date
    created: int
    emailed: int


class UnitHeadUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: PlainText | None = Field(max_length=36, description="None: no head")


class CalendarRotated(BaseModel):
    calendar_url: str = Field(description="the feed's secret URL; the old one stops working")

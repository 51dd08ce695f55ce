"""Deadlines, the limitation helper and its rule table, reminders, and unit heads (issue 12, decision 0022)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentUser, Manager, Reader, SessionDep, VisibleCase, WritableCase, Writer
from core.models import DeadlineStatus
from litigation import service
from litigation.schemas import (
    DeadlineCreate,
    DeadlineList,
    DeadlineOut,
    DeadlineUpdate,
    LimitationRuleOut,
    LimitationRules,
    LimitationRulesPut,
    LimitationSuggestions,
    ReminderOut,
    UnitHeadUpdate,
)

router = APIRouter(tags=["deadlines"])


@router.post("/cases/{case_id}/deadlines", status_code=status.HTTP_201_CREATED)
def add_deadline(case: WritableCase, data: DeadlineCreate, session: SessionDep, user: Writer) -> DeadlineOut:
    return service.deadline_out(service.add_deadline(session, user, case, data), case.number, service.today())


@router.get("/cases/{case_id}/deadlines")
def case_deadlines(case: VisibleCase, session: SessionDep, user: Reader) -> DeadlineList:
    return service.list_deadlines(session, user, service.today(), case_id=case.id)


@router.patch("/deadlines/{deadline_id}", responses={404: {"description": "no such deadline, or not yours to see"}})
def update_deadline(deadline_id: str, data: DeadlineUpdate, session: SessionDep, user: Writer) -> DeadlineOut:
    deadline = service.update_deadline(session, user, deadline_id, data)
    return service.deadline_out(deadline, deadline.case.number, service.today())


@router.get("/deadlines")
def list_deadlines(
    session: SessionDep,
    user: Reader,
    owner_id: Annotated[str | None, Query(max_length=36)] = None,
    overdue: Annotated[bool, Query(description="Open deadlines due before today")] = False,
    due_before: dt.date | None = None,
    status: DeadlineStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> DeadlineList:
    return service.list_deadlines(
        session,
        user,
        service.today(),
        owner_id=owner_id,
        status=status,
        overdue=overdue,
        due_before=due_before,
        limit=limit,
    )


@router.get("/cases/{case_id}/limitation-suggestions")
def limitation_suggestions(
    case: VisibleCase,
    session: SessionDep,
    user: Reader,
    decided_on: dt.date,
    communicated_on: dt.date | None = None,
    certified_copy_applied_on: dt.date | None = None,
    certified_copy_received_on: dt.date | None = None,
) -> LimitationSuggestions:
    rules = service.list_rules(session)
    return service.suggest_limitation(
        rules, case.id, decided_on, communicated_on, certified_copy_applied_on, certified_copy_received_on
    )


@router.get("/limitation-rules")
def limitation_rules(session: SessionDep, user: Reader) -> LimitationRules:
    return LimitationRules(items=[LimitationRuleOut.model_validate(rule) for rule in service.list_rules(session)])


@router.put("/limitation-rules")
def replace_limitation_rules(data: LimitationRulesPut, session: SessionDep, user: Manager) -> LimitationRules:
    rules = service.replace_rules(session, user, data.items)
    return LimitationRules(items=[LimitationRuleOut.model_validate(rule) for rule in rules])


@router.get("/reminders")
def my_reminders(
    session: SessionDep, user: CurrentUser, unread: bool = False, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[ReminderOut]:
    return [ReminderOut.model_validate(each) for each in service.my_reminders(session, user, unread, limit)]


@router.put("/units/{unit_id}/head", status_code=status.HTTP_204_NO_CONTENT)
def set_unit_head(unit_id: str, data: UnitHeadUpdate, session: SessionDep, user: Manager) -> Response:
    service.set_unit_head(session, user, unit_id, data.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

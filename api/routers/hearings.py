"""Hearings and the cause list (issue 12). Access checks are the deps' job; rules live in litigation/service.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import Reader, SessionDep, VisibleCase, WritableCase, Writer
from litigation import service
from litigation.schemas import CauseList, HearingCreate, HearingList, HearingOut, HearingOutcomeUpdate

router = APIRouter(tags=["hearings"])


@router.post("/cases/{case_id}/hearings", status_code=status.HTTP_201_CREATED)
def add_hearing(case: WritableCase, data: HearingCreate, session: SessionDep, user: Writer) -> HearingOut:
    return HearingOut.model_validate(service.add_hearing(session, user, case, data, service.today()))


@router.get("/cases/{case_id}/hearings")
def list_hearings(case: VisibleCase, session: SessionDep, user: Reader) -> HearingList:
    items = [HearingOut.model_validate(hearing) for hearing in service.list_hearings(session, case)]
    return HearingList(items=items, next_hearing_on=case.next_hearing_on)


@router.patch("/hearings/{hearing_id}", responses={404: {"description": "no such hearing, or not yours to see"}})
def record_outcome(hearing_id: str, data: HearingOutcomeUpdate, session: SessionDep, user: Writer) -> HearingOut:
    return HearingOut.model_validate(service.record_outcome(session, user, hearing_id, data, service.today()))


@router.get("/cause-list")
def cause_list(
    session: SessionDep,
    user: Reader,
    date: Annotated[dt.date | None, Query(description="The day; default today")] = None,
    officer_id: Annotated[str | None, Query(max_length=36)] = None,
    court: Annotated[str | None, Query(max_length=200)] = None,
) -> CauseList:
    return service.cause_list(session, user, date or service.today(), court=court, officer_id=officer_id)

"""Hearings and deadlines on the case page (with the limitation helper, and its suggestions right after a decision
is recorded), the printable cause list, "my deadlines" on the home page, and the calendar feed's address; all
through litigation/service.py like /api/v1 (decision 0022)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from access import repository as access_repository
from access.schemas import Permission, Principal
from api.deps import SessionDep
from api.routers.calendar import calendar_url
from cases import service as cases_service
from core.errors import Forbidden, InvalidInput
from core.models import AssignmentRole, Case, DeadlineKind, DeadlineStatus, HearingOutcome, Role, User
from litigation import service
from litigation.schemas import DeadlineCreate, DeadlineOut, DeadlineUpdate, HearingCreate, HearingOutcomeUpdate
from web.deps import WebViewer, may
from web.templating import render

router = APIRouter()
Text = Annotated[str, Form(max_length=1000)]
Model = TypeVar("Model", bound=BaseModel)


def _checked(build: type[Model], **values: object) -> Model:
    """A form's fields through the API's own schema: its refusals are the page's 422, in words."""
    try:
        return build(**{name: value for name, value in values.items() if value not in ("", None)})
    except ValidationError as error:
        fields = "; ".join(f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors())
        raise InvalidInput(fields) from error


def _back(case_id: str, anchor: str) -> Response:
    return RedirectResponse(f"/cases/{case_id}#{anchor}", status_code=303)


def _suggestion_owner(case: Case, principal: Principal, people: dict[str, User]) -> User | None:
    """Who a limitation suggestion added as a deadline belongs to: the case's lead officer, else the person adding."""
    lead = next((each for each in case.assignments if each.role is AssignmentRole.lead), None)
    if lead is not None and lead.user_id in people and people[lead.user_id].active:
        return people[lead.user_id]
    return people.get(principal.user_id or "")


def _added(deadlines: list[DeadlineOut]) -> set[tuple[DeadlineKind, dt.date]]:
    """The open deadlines a suggestion would repeat (same kind, same day): shown as added, with no button."""
    return {(each.kind, each.due_on) for each in deadlines if each.status is DeadlineStatus.open}


@router.get("/cases/{case_id}/litigation")
def case_litigation(
    request: Request,
    case_id: str,
    session: SessionDep,
    viewer: WebViewer,
    decision: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    """The hearings and deadlines section of the case page (loaded into it by htmx). Right after a decision is
    recorded (`decision`, its id), the deadlines section leads with the limitation helper's suggestions from its
    date, each to be confirmed by adding it: nothing is created until the officer does."""
    principal = viewer.principal
    case = cases_service.visible_case(session, principal, case_id)
    can_write = may(cases_service.writable_case, session, principal, case.id)
    today = service.today()
    deadlines = service.list_deadlines(session, principal, today, case_id=case.id).items
    people = {user.id: user for user in access_repository.list_users(session)}
    owners = [people[each.user_id] for each in case.assignments if each.user_id in people]
    if principal.user_id in people and people[principal.user_id] not in owners:
        owners.append(people[principal.user_id])
    decided = service.decision_of(session, case, decision) if decision else None
    after_decision = service.suggest_after_decision(session, decided) if decided is not None else None
    return render(
        request, "hearings/_case_litigation.html", case=case, hearings=service.list_hearings(session, case),
        deadlines=deadlines, people=people, owners=owners, can_write=can_write, today=today,
        outcomes=list(HearingOutcome), kinds=list(DeadlineKind), statuses=list(DeadlineStatus),
        decision=decided, after_decision=after_decision, added=_added(deadlines),
        suggestion_owner=_suggestion_owner(case, principal, people),
    )  # fmt: skip


@router.get("/cases/{case_id}/limitation")
def limitation_suggestions(
    request: Request,
    case_id: str,
    session: SessionDep,
    viewer: WebViewer,
    decided_on: Annotated[str, Query(max_length=10)] = "",
    communicated_on: Annotated[str, Query(max_length=10)] = "",
    copy_applied_on: Annotated[str, Query(max_length=10)] = "",
    copy_received_on: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The limitation helper's suggestions for this case (an htmx fragment): each can be added as a deadline."""
    case = cases_service.visible_case(session, viewer.principal, case_id)
    dates = {"decided_on": decided_on, "communicated_on": communicated_on, "copy_applied_on": copy_applied_on,
             "copy_received_on": copy_received_on}  # fmt: skip
    try:
        parsed = {name: dt.date.fromisoformat(value) if value else None for name, value in dates.items()}
    except ValueError as error:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {error}") from error
    if parsed["decided_on"] is None:  # nothing asked yet: the prompt, not an error
        return render(request, "hearings/_limitation.html", case=case, suggestions=None, can_write=False,
                      suggestion_owner=None, added=set())  # fmt: skip
    suggestions = service.suggest_limitation(
        service.list_rules(session), case.id, parsed["decided_on"], parsed["communicated_on"],
        parsed["copy_applied_on"], parsed["copy_received_on"],
    )  # fmt: skip
    people = {user.id: user for user in access_repository.list_users(session)}
    deadlines = service.list_deadlines(session, viewer.principal, service.today(), case_id=case.id).items
    can_write = may(cases_service.writable_case, session, viewer.principal, case.id)
    owner = _suggestion_owner(case, viewer.principal, people)
    return render(request, "hearings/_limitation.html", case=case, suggestions=suggestions, can_write=can_write,
                  added=_added(deadlines), suggestion_owner=owner)  # fmt: skip


@router.post("/cases/{case_id}/hearings")
def add_hearing(
    case_id: str,
    session: SessionDep,
    viewer: WebViewer,
    date: Text = "",
    time: Text = "",
    court: Text = "",
    bench: Text = "",
    purpose: Text = "",
) -> Response:
    case = cases_service.writable_case(session, viewer.principal, case_id)
    data = _checked(HearingCreate, date=date, time=time, court=court or case.court, bench=bench, purpose=purpose)
    service.add_hearing(session, viewer.principal, case, data, service.today())
    return _back(case.id, "hearings")


@router.post("/hearings/{hearing_id}/outcome")
def record_outcome(
    hearing_id: str,
    session: SessionDep,
    viewer: WebViewer,
    outcome: Text = "",
    next_date: Text = "",
    adjournment_reason: Text = "",
) -> Response:
    data = _checked(HearingOutcomeUpdate, outcome=outcome, next_date=next_date, adjournment_reason=adjournment_reason)
    hearing = service.record_outcome(session, viewer.principal, hearing_id, data, service.today())
    return _back(hearing.case_id, "hearings")


@router.post("/cases/{case_id}/deadlines")
def add_deadline(
    case_id: str,
    session: SessionDep,
    viewer: WebViewer,
    kind: Text = "",
    due_on: Text = "",
    owner_id: Text = "",
    note: Text = "",
    decision: Annotated[str, Form(max_length=36)] = "",
) -> Response:
    """A deadline; one added from the suggestions after a decision (`decision`) goes back to those suggestions, so
    the officer can confirm another."""
    case = cases_service.writable_case(session, viewer.principal, case_id)
    data = _checked(DeadlineCreate, kind=kind, due_on=due_on, owner_id=owner_id, note=note)
    service.add_deadline(session, viewer.principal, case, data)
    if decision:
        return RedirectResponse(f"/cases/{case.id}?decision={quote(decision, safe='')}#after-decision", status_code=303)
    return _back(case.id, "deadlines")


@router.post("/deadlines/{deadline_id}/status")
def set_deadline_status(deadline_id: str, session: SessionDep, viewer: WebViewer, status: Text = "") -> Response:
    data = _checked(DeadlineUpdate, status=status)
    deadline = service.update_deadline(session, viewer.principal, deadline_id, data)
    return _back(deadline.case_id, "deadlines")


@router.get("/cause-list")
def cause_list_page(
    request: Request,
    session: SessionDep,
    viewer: WebViewer,
    date: Annotated[str, Query(max_length=10)] = "",
    court: Annotated[str, Query(max_length=200)] = "",
    officer_id: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    """The day's cause list, one table per officer; printable (the page's print CSS drops everything else)."""
    if not viewer.principal.can(Permission.read):
        raise Forbidden(f"the {viewer.role} role reads no case content")
    try:
        day = dt.date.fromisoformat(date) if date else service.today()
    except ValueError as error:
        raise InvalidInput(f"date: not a date (YYYY-MM-DD): {date!r}") from error
    listing = service.cause_list(session, viewer.principal, day, court=court or None, officer_id=officer_id or None)
    officers = [user for user in access_repository.list_users(session) if user.role is Role.officer and user.active]
    return render(request, "hearings/cause_list.html", active="cause-list", listing=listing, day=day, court=court,
                  officer_id=officer_id, officers=officers)  # fmt: skip


@router.get("/my-deadlines")
def my_deadlines(request: Request, session: SessionDep, viewer: WebViewer) -> Response:
    """The home page's "My deadlines" (open ones, overdue first and marked), loaded by htmx."""
    principal = viewer.principal
    today = service.today()
    items = []
    if principal.user_id is not None and principal.can(Permission.read):
        listing = service.list_deadlines(session, principal, today, owner_id=principal.user_id,
                                         status=DeadlineStatus.open, limit=50)  # fmt: skip
        items = listing.items
    return render(request, "hearings/_my_deadlines_list.html", deadlines=items, today=today)


@router.post("/calendar-feed")
def rotate_calendar_feed(request: Request, session: SessionDep, viewer: WebViewer) -> Response:
    """A new address for the viewer's calendar feed, shown once; the old one stops working."""
    url = calendar_url(request, service.rotate_calendar(session, viewer.principal))
    page = render(request, "hearings/calendar_feed.html", active="cause-list", url=url)
    page.headers["Cache-Control"] = "no-store"  # the one copy of the secret must not stay in a cache
    return page

"""The home page: what each role needs first. Clerks: their unit's recent uploads (live) and the cases they created;
law officers: their cases, next hearings and new filings; focal persons: their unit's cases; admins: units, users,
tokens and grants; auditors: the latest of the audit trail. Every list comes through the services' walls."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from access import audit
from access import repository as access_repository
from api.deps import SessionDep
from cases import comments, lifecycle, overview
from cases import service as cases_service
from cases.schemas import CaseFilters
from core.models import Role
from web.deps import WebViewer
from web.templating import render

router = APIRouter()
LIST_SIZE = 10


@router.get("/")
def home(request: Request, session: SessionDep, viewer: WebViewer) -> Response:
    principal, role = viewer.principal, viewer.principal.role
    sections: dict[str, Any] = {}
    if role in (Role.clerk, Role.admin):
        documents = overview.recent_documents(session, principal, LIST_SIZE)
        sections["recent_documents"] = documents
        sections["confidence"] = overview.ocr_confidence(session, [document.id for document in documents])
    if role is Role.clerk:
        sections["created"] = overview.cases_created_by(session, principal, LIST_SIZE)
    if role is Role.officer:  # assignments waiting for the officer's acknowledgement (decision 0021)
        sections["to_acknowledge"] = [
            each for each in lifecycle.current_assignments(session, principal) if each.acknowledged_at is None
        ]
    if role in (Role.clerk, Role.admin):  # assignments past their time to acknowledge, in the cases they see
        sections["unacknowledged"] = lifecycle.current_assignments(session, principal, unacknowledged=True)[:LIST_SIZE]
    if role in (Role.focal_person, Role.clerk):  # what the ministry must answer
        sections["comment_requests"] = comments.open_requests(session, principal, date.today(), limit=LIST_SIZE)
    if role is Role.officer:
        mine = CaseFilters(officer_id=principal.user_id)
        sections["assigned"], sections["assigned_total"] = cases_service.list_cases(session, principal, mine, 1, 50)
        sections["hearings"] = overview.upcoming_hearings(session, principal, date.today(), LIST_SIZE)
        documents = overview.recent_documents(session, principal, LIST_SIZE)
        sections["filings"] = documents
        sections["confidence"] = overview.ocr_confidence(session, [document.id for document in documents])
    if role is Role.focal_person:
        sections["unit_cases"], sections["unit_total"] = cases_service.list_cases(
            session, principal, CaseFilters(), 1, 50
        )
    if role is Role.admin:
        tokens = access_repository.list_tokens(session)
        sections["counts"] = {
            "units": len(access_repository.list_units(session)),
            "users": len(access_repository.list_users(session)),
            "tokens": sum(1 for token in tokens if token.revoked_at is None),
            "granted cases": len(overview.granted_cases(session, principal, 1000)),
        }
    if role is Role.auditor:
        filters = audit.AuditFilters()
        sections["events"], total = audit.list_events(session, filters, 1, 20)
        audit.record(session, principal, "audit.query", total=total)  # as GET /api/v1/audit records a read
    return render(request, "home.html", active="home", today=date.today(), **sections)

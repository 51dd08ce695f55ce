"""Saved searches, notifications (each person's own: another user's id is a 404) and similar documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from alerts import service
from alerts.schemas import (
    MarkedRead,
    NotificationOut,
    NotificationPage,
    SavedSearchCreate,
    SavedSearchList,
    SavedSearchOut,
    SimilarDocuments,
)
from api.deps import BackendsDep, CurrentUser, Reader, SessionDep, VisibleDocument

router = APIRouter(tags=["alerts"])


@router.post("/saved-searches", status_code=status.HTTP_201_CREATED)
def create_saved_search(data: SavedSearchCreate, session: SessionDep, user: Reader) -> SavedSearchOut:
    return service.create_saved_search(session, user, data)


@router.get("/saved-searches")
def list_saved_searches(session: SessionDep, user: Reader) -> SavedSearchList:
    return service.list_saved_searches(session, user)


@router.delete("/saved-searches/{saved_search_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_saved_search(saved_search_id: str, session: SessionDep, user: Reader) -> None:
    service.delete_saved_search(session, user, saved_search_id)


@router.get("/notifications")
def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    unread: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NotificationPage:
    return service.list_notifications(session, user, unread, page, size)


@router.post("/notifications/read-all")
def mark_all_notifications_read(session: SessionDep, user: CurrentUser) -> MarkedRead:
    return service.mark_all_read(session, user)


@router.post("/notifications/{notification_id}/read")
def mark_notification_read(notification_id: str, session: SessionDep, user: CurrentUser) -> NotificationOut:
    return service.mark_read(session, user, notification_id)


@router.get("/documents/{document_id}/similar")
def similar_documents(
    document: VisibleDocument,
    session: SessionDep,
    backends: BackendsDep,
    user: Reader,
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SimilarDocuments:
    return service.similar_documents(session, backends.index, user, document, size)

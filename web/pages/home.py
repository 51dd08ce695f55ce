"""The home page: what each role needs first (filled in per role by the pages that own those lists)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import SessionDep
from web.deps import WebViewer
from web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request, session: SessionDep, viewer: WebViewer) -> Response:
    return render(request, "home.html")

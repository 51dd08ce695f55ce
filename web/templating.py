"""One Jinja2 environment for every page. Autoescaping is on: user text (titles, parties, file names, OCR text) is
always escaped, and nothing in the templates marks it safe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
HTMX_ASSET = "vendor/htmx-2.0.11.min.js"

templates = Jinja2Templates(directory=WEB_DIR / "templates")
templates.env.globals["htmx_asset"] = HTMX_ASSET


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page or an htmx fragment. `viewer` (who is signed in) comes from the request when a dependency set it."""
    context.setdefault("viewer", getattr(request.state, "viewer", None))
    return templates.TemplateResponse(request, template, context, status_code=status_code)

"""The page viewer: a page of a document as an image with the hit's words boxed on it, the page's text beside it,
next and previous page and hit, zoom, and the original's download. The same services as the API's page routes: the
walls (visible_document), the page (viewer_page), the audit record of the view (record_page_view), the boxes
(search.boxes, the analysis GET /documents/{id}/pages/{n}/boxes uses) and the hits (a search within the document)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from access.schemas import Permission
from api.deps import BackendsDep, SessionDep
from citations.service import page_citations
from core.errors import Forbidden, MalformedQuery, NotFound
from core.models import Document
from ingest import page_images
from ingest import service as documents
from search.boxes import WordBox, decode_boxes, matching_boxes
from search.query import WORD, Clause, parse_query
from search.within import matching_pages
from web.deps import WebViewer
from web.templating import render

router = APIRouter()

IMAGE_WIDTH = 1000
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class Box:
    """A matched word's box in percent of the image (the template positions it absolutely over the image)."""

    left: float
    top: float
    width: float
    height: float
    text: str


def is_urdu(text: str, language: str) -> bool:
    """Right to left when most of the page's letters are Arabic script (Urdu); a page without letters follows the
    document's OCR language."""
    letters = [char for char in text if char.isalpha()]
    if letters:
        return sum(1 for char in letters if ARABIC_SCRIPT.match(char)) * 2 > len(letters)
    return language.split("+")[0] == "urd"


def page_url(document_id: str, number: int, q: str) -> str:
    return f"/documents/{document_id}/pages/{number}" + (f"?{urlencode({'q': q})}" if q.strip() else "")


def _boxes(word_boxes: bytes | None, query: Clause | None) -> list[Box]:
    return [
        Box(round(box.x * 100, 3), round(box.y * 100, 3), round(box.w * 100, 3), round(box.h * 100, 3), box.text)
        for box in matching_boxes(decode_boxes(word_boxes), query)
    ]


def marked_text(text: str, query: Clause | None) -> Markup:
    """The page text, escaped, with the words the query matches in <mark>: the same matching as the boxes
    (search.boxes), run over the text's own words (each stands in as a box whose x is its place in the text)."""
    words = list(WORD.finditer(text))
    if query is None or not words:
        return escape(text)
    stand_ins = [WordBox(match.group(0), float(number), 0.0, 0.0, 0.0) for number, match in enumerate(words)]
    chosen = {int(box.x) for box in matching_boxes(stand_ins, query)}
    out, done = [], 0
    for number in sorted(chosen):
        match = words[number]
        out += [escape(text[done : match.start()]), Markup("<mark>"), escape(match.group(0)), Markup("</mark>")]
        done = match.end()
    out.append(escape(text[done:]))
    return Markup("").join(out)


def _visible_document(session: SessionDep, viewer: WebViewer, document_id: str) -> Document:
    try:
        return documents.visible_document(session, viewer.principal, document_id)
    except NotFound:
        raise NotFound("There is no such document, or it has not been shared with you.") from None


@router.get("/documents/{document_id}/pages/{number}")
def page_viewer(
    request: Request,
    document_id: str,
    number: int,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    q: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    if not viewer.principal.can(Permission.read):
        raise Forbidden(f"the {viewer.role} role may not read case papers")
    document = _visible_document(session, viewer, document_id)
    page_count = document.page_count or 0
    try:
        page = documents.viewer_page(session, backends.settings, document, number, with_boxes=bool(q.strip()))
    except NotFound:
        detail = (
            f"This document has no page {number}: it has {page_count} {'page' if page_count == 1 else 'pages'}."
            if page_count
            else "This document has no pages to show yet: it has not been indexed."
        )
        raise NotFound(detail) from None
    documents.record_page_view(session, viewer.principal, document, page)
    problem = None
    try:
        query = parse_query(q or None)
    except MalformedQuery as error:
        query, problem = None, error.detail
    hits = matching_pages(backends.index, viewer.principal, document, query)
    earlier, later = [n for n in hits if n < number], [n for n in hits if n > number]
    urdu = is_urdu(page.text, document.language)
    return render(
        request,
        "viewer/viewer.html",
        active="search",
        document=document,
        case=document.case,
        page=page,
        page_count=page_count,
        q=q,
        problem=problem,
        boxes=_boxes(page.word_boxes, query) if query is not None else [],
        hits=hits,
        hit_index=hits.index(number) + 1 if number in hits else None,
        previous_page=page_url(document.id, number - 1, q) if number > 1 else None,
        next_page=page_url(document.id, number + 1, q) if number < page_count else None,
        previous_hit=page_url(document.id, earlier[-1], q) if earlier else None,
        next_hit=page_url(document.id, later[0], q) if later else None,
        image_url=f"/api/v1/documents/{document.id}/pages/{page.number}/image?width={IMAGE_WIDTH}"
        if page_images.has_image(document)
        else None,
        download_url=f"/api/v1/documents/{document.id}/file" if viewer.can(Permission.download.value) else None,
        urdu=urdu,
        text=marked_text(page.text, query),
        # The page's citations, each a link to who else cites it (decision 0019); pages from before 0006: from the text.
        citations=page.citations if page.citations is not None else page_citations(page.text),
    )

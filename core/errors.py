"""One status-coded error family; api/errors.py renders it as an RFC 9457 problem body."""

from __future__ import annotations

from typing import Any


class CasefileError(Exception):
    status_code = 400
    title = "Bad request"

    def __init__(
        self, detail: str, headers: dict[str, str] | None = None, keep_changes: bool = False, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        # The unit of work commits what was done before this error (a failed sign-in's record, say).
        self.keep_changes = keep_changes
        self.extra = extra


class MalformedQuery(CasefileError):
    """A search query that cannot be understood; the detail says where and why."""

    status_code = 400
    title = "Malformed query"


class NotFound(CasefileError):
    status_code = 404
    title = "Not found"


class Conflict(CasefileError):
    status_code = 409
    title = "Conflict"


class InvalidInput(CasefileError):
    status_code = 422
    title = "Unprocessable content"


class UnsupportedMediaType(CasefileError):
    status_code = 415
    title = "Unsupported media type"


class PayloadTooLarge(CasefileError):
    status_code = 413
    title = "Content too large"


class Unauthorized(CasefileError):
    status_code = 401
    title = "Unauthorized"


class Forbidden(CasefileError):
    status_code = 403
    title = "Forbidden"


class TooManyRequests(CasefileError):
    status_code = 429
    title = "Too many requests"


class RangeNotSatisfiable(CasefileError):
    status_code = 416
    title = "Range not satisfiable"


class BackendUnavailable(CasefileError):
    """A storage, index or queue backend did not answer; the caller may retry later."""

    status_code = 503
    title = "Service unavailable"


class DocumentRejected(CasefileError):
    """The file itself is unusable (corrupt, encrypted, a bomb): retrying cannot help."""

    status_code = 422
    title = "Document rejected"


class DatabaseBusy(BackendUnavailable):
    """The database stayed locked (SQLite) or a serialisation conflict repeated: try again shortly."""


class OcrFailed(DocumentRejected):
    """Tesseract itself failed on the page (it crashed or refused the image)."""

    title = "OCR failed"


class OcrTimedOut(DocumentRejected):
    """A page took longer to OCR than the configured limit."""

    title = "OCR timed out"


class IndexRejected(DocumentRejected):
    """The search engine refused an entry for good (a mapping or analysis error): retrying cannot help."""

    title = "Index rejected the document"

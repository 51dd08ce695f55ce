"""One status-coded error family; api/errors.py renders it as an RFC 9457 problem body."""

from __future__ import annotations

from typing import Any


class CasefileError(Exception):
    status_code = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


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

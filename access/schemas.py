"""Who is calling, what each role may do, and the API shapes for units, users, tokens, grants and sign-in."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from core.models import Access, AssignmentRole, Role, UnitKind


class Permission(enum.StrEnum):
    read = "read"  # read and search case content the walls let through
    download = "download"
    write = "write"  # create cases, upload, edit metadata, reprocess, within the walls
    manage = "manage"  # units, users, tokens and grants
    audit = "audit"  # the audit trail


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.clerk: frozenset({Permission.read, Permission.download, Permission.write}),
    Role.officer: frozenset({Permission.read, Permission.download, Permission.write}),
    Role.focal_person: frozenset({Permission.read, Permission.download}),
    Role.client: frozenset({Permission.read, Permission.download, Permission.write}),
    Role.auditor: frozenset({Permission.audit}),
}


@dataclass(frozen=True)
class Principal:
    """The caller: a user (through a token or a browser session), or a token that acts by its role alone."""

    user_id: str | None
    token_id: str | None
    name: str
    role: Role
    unit_id: str | None = None
    read_only: bool = False
    session_id: str | None = None  # set for a browser session: its writes need the CSRF token
    address: str | None = None

    def can(self, permission: Permission) -> bool:
        if self.read_only and permission in (Permission.write, Permission.manage):
            return False
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role.value})"


SYSTEM = Principal(user_id=None, token_id=None, name="system", role=Role.admin)

# C0 and C1 control characters and DEL. PostgreSQL refuses NUL in text outright (a 500 if it reaches a query),
# and the others have no place in a name or an id: they forge log lines and garble CSV exports.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def _no_control_characters(text: str) -> str:
    if has_control_characters(text):
        raise ValueError("must not contain control characters (NUL, line breaks, tabs, escapes)")
    return text


# Free text that is stored or queried: names, and ids sent in a body.
PlainText = Annotated[str, AfterValidator(_no_control_characters)]


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PlainText = Field(min_length=1, max_length=200)
    kind: UnitKind = UnitKind.other


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: UnitKind
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # e.g. a client cannot slip in fields the service does not expect

    username: str = Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    full_name: PlainText | None = Field(default=None, max_length=200)
    role: Role
    unit_id: PlainText = Field(min_length=1, max_length=36)
    password: str | None = Field(default=None, min_length=10, max_length=200)


class UserUpdate(BaseModel):
    """What an admin may change about a person; the username and password are not among them."""

    model_config = ConfigDict(extra="forbid")

    full_name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    unit_id: PlainText | None = Field(default=None, min_length=1, max_length=36)
    active: bool | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    full_name: str
    role: Role
    unit_id: str
    active: bool
    created_at: datetime
    specialisations: list[str] = Field(default_factory=list, description="An officer's fields (decision 0021)")


class MeOut(BaseModel):
    user: UserOut | None
    role: Role
    unit: UnitOut | None
    read_only: bool
    token_id: str | None
    # The calendar feed's secret URL (decision 0022): shown when first made; later only a rotation shows a new one.
    calendar_url: str | None = None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PlainText = Field(min_length=1, max_length=200)
    user_id: PlainText | None = Field(default=None, min_length=1, max_length=36)
    role: Role | None = Field(default=None, description="For a token with no user: a service role")
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    read_only: bool = False


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    user_id: str | None
    role: Role
    read_only: bool
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once; stored only as a hash")


class SignIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class SignedIn(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="Send as X-CSRF-Token with every write made with the session cookie")


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: PlainText | None = Field(default=None, min_length=1, max_length=36)
    unit_id: PlainText | None = Field(default=None, min_length=1, max_length=36)
    access: Access = Access.read


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    user_id: str | None
    unit_id: str | None
    access: Access
    created_at: datetime


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: PlainText = Field(min_length=1, max_length=36)
    role: AssignmentRole | None = Field(default=None, description="Default: lead if the case has none, else assisting")
    note: PlainText | None = Field(default=None, max_length=1000)


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    user_id: str
    created_at: datetime
    role: AssignmentRole = AssignmentRole.lead
    note: str | None = None
    assigned_by: str | None = None
    acknowledged_at: datetime | None = None
    acknowledge_by: datetime | None = None
    unacknowledged: bool = Field(default=False, description="Not acknowledged by acknowledge_by (decision 0021)")
    ended_at: datetime | None = None
    ended_reason: str | None = None
    ended_by: str | None = None


class AuditEventOut(BaseModel):
    """One row of the audit trail, with its place in the hash chain."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    sequence: int | None = Field(description="Its place in the chain; null only for a row written around it")
    at: datetime
    actor: str = Field(description='Who, as "name (role)"')
    user_id: str | None
    token_id: str | None
    address: str | None
    action: str = Field(examples=["case.read", "document.download", "search", "auth.sign_in"])
    target_type: str | None
    target_id: str | None
    case_id: str | None
    outcome: str = Field(examples=["ok", "failed"])
    detail: dict[str, object]
    previous_hash: str | None
    hash: str | None


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    total: int
    page: int
    size: int


class ViewerOut(BaseModel):
    """Someone who has seen a case: read it, one of its documents or their pages, or downloaded a file."""

    model_config = ConfigDict(from_attributes=True)

    actor: str
    user_id: str | None
    views: int
    first_at: datetime
    last_at: datetime


class AccessLogOut(BaseModel):
    """Who has seen a case (`viewers`), and every audit row about it, newest first (`items`, paged)."""

    case_id: str
    viewers: list[ViewerOut]
    items: list[AuditEventOut]
    total: int
    page: int
    size: int

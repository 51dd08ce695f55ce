"""Who is calling, and what each role may do."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.models import Role


class Permission(enum.StrEnum):
    read = "read"
    search = "search"
    download = "download"
    write = "write"  # create cases, upload, edit metadata, reprocess


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.clerk: frozenset(Permission),
    Role.officer: frozenset({Permission.read, Permission.search, Permission.download}),
    Role.client: frozenset({Permission.read, Permission.search, Permission.download}),
}


@dataclass(frozen=True)
class Principal:
    token_id: str | None
    name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


SYSTEM = Principal(token_id=None, name="system", role=Role.admin)

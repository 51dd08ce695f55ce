"""The walls: which cases and documents a caller may see or change.

| role          | sees                                              | writes                                      |
|---------------|---------------------------------------------------|---------------------------------------------|
| admin         | every case                                        | every case                                  |
| clerk         | their unit's cases, and grants                    | their unit's cases, and `write` grants      |
| focal_person  | their unit's cases, and grants                    | nothing                                     |
| officer       | cases assigned to them, and grants                | cases assigned to them                      |
| client        | their unit's cases, and grants                    | `write` grants only                         |
| auditor       | no case content                                   | nothing                                     |

A sealed case, or a sealed document, is seen only by its assigned officers, explicit grantees and admins.
The same rules exist twice, once as SQL (for lists) and once as index access keys (for search), and the
tests hold both to this table.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, exists, false, or_, true

from access.schemas import Permission, Principal
from core.models import Access, Assignment, Case, Document, Grant, Role

UNIT_ROLES = (Role.clerk, Role.focal_person, Role.client)  # roles that see their unit's cases


def _granted(
    principal: Principal, case_id: SQLColumnExpression[str], access: Access | None = None
) -> ColumnElement[bool]:
    whom = [Grant.user_id == principal.user_id] if principal.user_id else []
    if principal.unit_id:
        whom.append(Grant.unit_id == principal.unit_id)
    if not whom:
        return false()
    condition = and_(Grant.case_id == case_id, or_(*whom))
    if access is not None:
        condition = and_(condition, Grant.access == access)
    return exists().where(condition)


def _assigned(principal: Principal, case_id: SQLColumnExpression[str]) -> ColumnElement[bool]:
    if principal.role is not Role.officer or not principal.user_id:
        return false()
    return exists().where(
        Assignment.case_id == case_id, Assignment.user_id == principal.user_id, Assignment.ended_at.is_(None)
    )


def privileged(principal: Principal, case_id: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """Assigned to the case or granted it: the people who see it even when it is sealed."""
    return or_(_assigned(principal, case_id), _granted(principal, case_id))


def visible_cases(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on Case: the cases the caller may see."""
    if principal.role is Role.admin:
        return true()
    if principal.role is Role.auditor:
        return false()
    own_unit = (
        and_(Case.unit_id == principal.unit_id, Case.sealed.is_(False))
        if principal.role in UNIT_ROLES and principal.unit_id
        else false()
    )
    return or_(own_unit, privileged(principal, Case.id))


def visible_documents(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on Document (its case already visible): sealed documents only for the privileged."""
    if principal.role is Role.admin:
        return true()
    return or_(Document.sealed.is_(False), privileged(principal, Document.case_id))


def writable_cases(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on Case: the cases the caller may change (metadata, documents)."""
    if not principal.can(Permission.write):
        return false()
    if principal.role is Role.admin:
        return true()
    write_grant = _granted(principal, Case.id, Access.write)
    if principal.role is Role.clerk and principal.unit_id:
        own = and_(Case.unit_id == principal.unit_id, or_(Case.sealed.is_(False), privileged(principal, Case.id)))
        return or_(own, write_grant)
    if principal.role is Role.officer:
        return _assigned(principal, Case.id)
    return write_grant


# --- the same walls as index access keys: each page carries the keys of who may see it --------------------


def reader_keys(case: Case) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Who may see the case's pages, as keys that principal_keys() produces for the caller: for its ordinary
    documents, and for its sealed ones (assigned officers and grantees only)."""
    privileged_keys = {f"user:{assignment.user_id}" for assignment in case.assignments}
    for grant in case.grants:
        privileged_keys.add(f"user:{grant.user_id}" if grant.user_id else f"unit-grant:{grant.unit_id}")
    readers = set(privileged_keys)
    if case.unit_id and not case.sealed:
        readers.add(f"unit:{case.unit_id}")
    return tuple(sorted(readers)), tuple(sorted(privileged_keys))


def principal_keys(principal: Principal) -> tuple[str, ...] | None:
    """The access keys that let the caller see a page; None means every page (admin)."""
    if principal.role is Role.admin:
        return None
    if principal.role is Role.auditor:
        return ()
    keys = []
    if principal.user_id:
        keys.append(f"user:{principal.user_id}")
    if principal.unit_id:
        keys.append(f"unit-grant:{principal.unit_id}")
        if principal.role in UNIT_ROLES:
            keys.append(f"unit:{principal.unit_id}")
    return tuple(keys)

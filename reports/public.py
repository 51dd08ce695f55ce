"""The public case status (issue 12, optional, decision 0023): a case's number, court, status and next hearing date
for anyone who knows its court and number, and nothing else; only when switched on (CASEFILE_PUBLIC_STATUS_ENABLED)
and only for cases an admin made public, by themselves or through their unit; never a sealed case. Every other
answer is the same 404, so a probe cannot tell a sealed case from a private one or from none.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import date

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from access import audit
from access.schemas import Principal
from core.config import Settings
from core.errors import Forbidden, NotFound
from core.models import Case, CaseStatus, Role, Unit

NOT_PUBLIC = "no public status for this court and number"


class PublicCaseStatus(BaseModel):
    number: str
    court: str
    status: CaseStatus
    next_hearing_on: date | None


class PublicFlag(BaseModel):
    public_status: bool


def public_case_status(session: Session, settings: Settings, court: str, number: str) -> PublicCaseStatus:
    if not settings.public_status_enabled:
        raise NotFound(NOT_PUBLIC)
    query = (
        select(Case.number, Case.court, Case.status, Case.next_hearing_on)
        .outerjoin(Unit, Unit.id == Case.unit_id)
        .where(Case.court == court, Case.number == number, Case.sealed.is_(False),
               or_(Case.public_status.is_(True), Unit.public_status.is_(True)))
    )  # fmt: skip
    row = session.execute(query).first()
    if row is None:
        raise NotFound(NOT_PUBLIC)
    return PublicCaseStatus(number=row[0], court=row[1], status=row[2], next_hearing_on=row[3])


def _admin(actor: Principal) -> None:
    if actor.role is not Role.admin or actor.read_only:
        raise Forbidden("only an admin makes a case's status public")


def set_case_public(session: Session, actor: Principal, case_id: str, public: bool) -> PublicFlag:
    _admin(actor)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    case.public_status = public
    audit.record(session, actor, "case.public_status", "case", case.id, case_id=case.id, public_status=public)
    return PublicFlag(public_status=public)


def set_unit_public(session: Session, actor: Principal, unit_id: str, public: bool) -> PublicFlag:
    _admin(actor)
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"no unit with id {unit_id}")
    unit.public_status = public
    audit.record(session, actor, "unit.public_status", "unit", unit.id, public_status=public)
    return PublicFlag(public_status=public)


class SlidingWindowLimiter:
    """At most `limit` hits per key (a client address) in any `window` seconds; hand-written, in memory, one per
    process (each API replica counts its own: the limit is per replica). hit() records a hit and returns None, or
    the seconds until the oldest hit leaves the window when the key is over its limit (the hit is not recorded)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def hit(self, key: str) -> float | None:
        now = self.clock()
        with self._lock:
            self._calls += 1
            if self._calls % 1000 == 0:  # forget addresses that have been quiet for a whole window
                for quiet in [name for name, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
                    del self._hits[quiet]
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window - now)
            hits.append(now)
            return None

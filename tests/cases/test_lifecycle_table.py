"""The lifecycle's transition table (decision 0021) keeps its promises: every status but closed can be closed, closed
is final, each status is reachable from intake, and the issue's main line is allowed step by step."""

from __future__ import annotations

from itertools import pairwise

from cases.lifecycle import OPEN_STATUSES, TRANSITIONS, allowed_next
from core.models import CaseStatus

S = CaseStatus


def test_every_open_status_may_close_and_closed_is_final() -> None:
    assert allowed_next(S.closed) == []
    assert all(S.closed in TRANSITIONS[status] for status in CaseStatus if status is not S.closed)


def test_no_status_moves_to_itself_or_back_to_intake() -> None:
    for status, targets in TRANSITIONS.items():
        assert status not in targets and S.intake not in targets


def test_the_main_line_and_every_status_is_reachable_from_intake() -> None:
    line = [S.intake, S.assigned, S.pending, S.reserved, S.decided, S.appeal]
    assert all(after in TRANSITIONS[before] for before, after in pairwise(line))
    seen, frontier = {S.intake}, [S.intake]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(CaseStatus)


def test_open_statuses_are_those_not_decided_or_closed() -> None:
    assert set(OPEN_STATUSES) == set(CaseStatus) - {S.decided, S.closed}

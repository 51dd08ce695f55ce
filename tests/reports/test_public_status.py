"""The public case status (decision 0023), on both stacks: off by default; when on, only cases made public (or of a
public unit) answer, with four fields; sealed, private and missing cases get the same 404; rate-limited per address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.models import Role
from reports.public import SlidingWindowLimiter
from tests.conftest import Api, open_stack
from tests.stacks import STACKS

COURT = "Islamabad High Court"


def _status(api: Api, number: str, court: str = COURT, **headers: str) -> Any:
    return api.client.get("/public/case-status", params={"court": court, "number": number}, headers=headers)


@pytest.mark.parametrize("stack", STACKS)
def test_public_status_shows_four_fields_of_public_cases_only(stack: str, tmp_path: Path) -> None:
    with open_stack(stack, tmp_path, public_status_enabled=True) as api:
        other = api.post("/api/v1/units", json={"name": "Public Unit", "kind": "ministry"}).json()["id"]
        public = api.create_case("W.P. 1/2026", court=COURT, next_hearing_on="2030-01-15", title="Secret v. State",
                                 parties=[{"name": "Hidden Party", "role": "petitioner"}])  # fmt: skip
        api.create_case("W.P. 2/2026", court=COURT, unit_id=other, next_hearing_on="2030-02-01")
        sealed = api.create_case("W.P. 3/2026", court=COURT, unit_id=other)
        api.create_case("W.P. 4/2026", court=COURT)  # private: neither it nor its unit is public
        assert api.patch(f"/api/v1/cases/{sealed['id']}", json={"sealed": True, "seal_reason": "x"}).status_code == 200
        assert api.client.put(f"/api/v1/cases/{public['id']}/public-status", json={"public_status": True},
                              headers=api.headers(Role.clerk)).status_code == 403  # fmt: skip
        for url in (f"/api/v1/cases/{public['id']}/public-status", f"/api/v1/units/{other}/public-status"):
            response = api.client.put(url, json={"public_status": True}, headers=api.headers())
            assert response.status_code == 200 and response.json() == {"public_status": True}, response.text

        shown = _status(api, "W.P. 1/2026")  # no credentials at all
        assert shown.status_code == 200, shown.text
        assert shown.json() == {"number": "W.P. 1/2026", "court": COURT, "status": "intake",
                                "next_hearing_on": "2030-01-15"}  # fmt: skip
        assert "Secret" not in shown.text and "Hidden" not in shown.text and public["id"] not in shown.text
        assert shown.headers["cache-control"] == "no-store"
        assert _status(api, "W.P. 2/2026").json()["next_hearing_on"] == "2030-02-01"  # through its unit
        refusals = [_status(api, "W.P. 3/2026"), _status(api, "W.P. 4/2026"), _status(api, "W.P. 404/2026"),
                    _status(api, "W.P. 1/2026", court="Another Court"),
                    _status(api, "W.P. 3/2026", Accept="text/html")]  # fmt: skip
        assert {response.status_code for response in refusals} == {404}
        assert all(response.headers["content-type"] == "application/problem+json" for response in refusals)
        assert len({response.text for response in refusals}) == 1  # sealed, private and missing: the same answer

        api.client.put(f"/api/v1/cases/{public['id']}/public-status", json={"public_status": False},
                       headers=api.headers())  # fmt: skip
        assert _status(api, "W.P. 1/2026").status_code == 404


def test_it_is_off_by_default_and_rate_limited(api: Api) -> None:
    case = api.create_case("W.P. 5/2026", court=COURT)
    api.client.put(f"/api/v1/cases/{case['id']}/public-status", json={"public_status": True}, headers=api.headers())
    assert _status(api, "W.P. 5/2026").status_code == 404  # CASEFILE_PUBLIC_STATUS_ENABLED is false
    api.client.app.state.public_status_limiter = SlidingWindowLimiter(3)  # type: ignore[attr-defined]
    assert [_status(api, "W.P. 5/2026").status_code for _ in range(3)] == [404, 404, 404]
    limited = _status(api, "W.P. 5/2026")
    assert limited.status_code == 429 and limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert api.get("/api/v1/units").status_code == 200  # only the public route is limited


def test_the_window_slides() -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(2, window=60, clock=lambda: now[0])
    assert limiter.hit("a") is None and limiter.hit("a") is None
    assert limiter.hit("a") == 60 and limiter.hit("b") is None  # per address
    now[0] = 30
    assert limiter.hit("a") == 30  # a refused hit does not count
    now[0] = 60.5
    assert limiter.hit("a") is None and limiter.hit("a") is None and limiter.hit("a") == 60

"""Hearings, the cause list, deadlines, the limitation helper, reminders and the calendar feed (issue 12, decision
0022), on both stacks. Dates are relative to today (the API reads the server's clock); reminders run through the
service with the day passed in, so the clock is controlled without sleeps."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar

from core.models import Role
from litigation import tasks
from mail import get_mail_backend
from tests.conftest import Api, open_stack
from tests.smtp import Inbox, smtp_server
from tests.stacks import STACKS

TODAY = dt.date.today()


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _officer(api: Api, username: str, unit_id: str | None = None) -> tuple[str, str]:
    """A new officer and a token for them."""
    user = _ok(
        api.post(
            "/api/v1/users",
            json={
                "username": username,
                "full_name": f"Officer {username}",
                "role": "officer",
                "unit_id": unit_id or api.unit_id,
                "password": "correct horse battery staple",
            },
        ),
        201,
    )
    token = _ok(api.post("/api/v1/tokens", json={"name": "t", "user_id": user["id"]}), 201)["token"]
    return user["id"], token


def _assign(api: Api, case_id: str, user_id: str) -> None:
    _ok(api.post(f"/api/v1/cases/{case_id}/assignments", json={"user_id": user_id}), 201)


def _hearing(api: Api, case_id: str, day: dt.date, role: Role = Role.admin, **fields: Any) -> dict[str, Any]:
    body = {"date": day.isoformat(), "court": "Lahore High Court", "purpose": "arguments"} | fields
    return dict(_ok(api.post(f"/api/v1/cases/{case_id}/hearings", role=role, json=body), 201))


# --- hearings ----------------------------------------------------------------------------------------------------


def test_an_outcome_with_a_next_date_lists_the_case_again_and_next_hearing_on_follows(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case(number="W.P. 100 of 2025")
    _assign(api, case["id"], api.user_ids[Role.officer])
    first = _hearing(api, case["id"], TODAY + dt.timedelta(days=3), role=Role.officer, time="09:30", bench="DB-I")
    assert (first["time"], first["bench"], first["outcome"]) == ("09:30", "DB-I", None)
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["next_hearing_on"] == first["date"]

    later = TODAY + dt.timedelta(days=17)
    _hearing(api, case["id"], later)  # a later listing does not move the next hearing
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["next_hearing_on"] == first["date"]

    too_early = {"outcome": "adjourned", "next_date": first["date"]}
    assert api.patch(f"/api/v1/hearings/{first['id']}", json=too_early).status_code == 422
    next_date = TODAY + dt.timedelta(days=10)
    recorded = _ok(
        api.patch(
            f"/api/v1/hearings/{first['id']}",
            role=Role.officer,
            json={"outcome": "adjourned", "next_date": next_date.isoformat(), "adjournment_reason": "counsel unwell"},
        )
    )
    assert recorded["outcome"] == "adjourned" and recorded["next_hearing_id"]
    hearings = _ok(api.get(f"/api/v1/cases/{case['id']}/hearings"))
    assert [item["date"] for item in hearings["items"]] == [first["date"], next_date.isoformat(), later.isoformat()]
    created = hearings["items"][1]
    assert (created["court"], created["bench"], created["purpose"], created["outcome"]) == (
        "Lahore High Court",
        "DB-I",
        "arguments",
        None,
    )
    assert hearings["next_hearing_on"] == next_date.isoformat()
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["next_hearing_on"] == next_date.isoformat()

    # Recording the outcome again moves the hearing it created; it does not list the case twice.
    moved = TODAY + dt.timedelta(days=12)
    _ok(api.patch(f"/api/v1/hearings/{first['id']}", json={"outcome": "adjourned", "next_date": moved.isoformat()}))
    hearings = _ok(api.get(f"/api/v1/cases/{case['id']}/hearings"))
    assert [item["date"] for item in hearings["items"]] == [first["date"], moved.isoformat(), later.isoformat()]
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["next_hearing_on"] == moved.isoformat()

    # Decided at the next hearing: the later listing is now the next one.
    _ok(api.patch(f"/api/v1/hearings/{created['id']}", json={"outcome": "decided"}))
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["next_hearing_on"] == later.isoformat()
    # Who may record: the focal person reads only; a case out of sight is a 404, like a missing hearing.
    assert (
        api.patch(f"/api/v1/hearings/{first['id']}", role=Role.focal_person, json={"outcome": "heard"}).status_code
        == 403
    )
    assert api.patch("/api/v1/hearings/no-such-hearing", json={"outcome": "heard"}).status_code == 404
    assert api.post(f"/api/v1/cases/{case['id']}/hearings", json={"date": "2025-01-01"}).status_code == 422


def test_an_outcome_corrected_to_no_next_date_withdraws_the_listing_it_made(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case(number="W.P. 101 of 2025")
    hearing = _hearing(api, case["id"], TODAY + dt.timedelta(days=2))
    next_date = (TODAY + dt.timedelta(days=9)).isoformat()
    _ok(api.patch(f"/api/v1/hearings/{hearing['id']}", json={"outcome": "adjourned", "next_date": next_date}))
    assert len(_ok(api.get(f"/api/v1/cases/{case['id']}/hearings"))["items"]) == 2
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["next_hearing_on"] == next_date
    corrected = _ok(api.patch(f"/api/v1/hearings/{hearing['id']}", json={"outcome": "reserved"}))
    assert corrected["next_hearing_id"] is None and corrected["next_date"] is None
    hearings = _ok(api.get(f"/api/v1/cases/{case['id']}/hearings"))
    assert [item["id"] for item in hearings["items"]] == [hearing["id"]] and hearings["next_hearing_on"] is None
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["next_hearing_on"] is None


# --- the cause list ----------------------------------------------------------------------------------------------


def test_the_cause_list_groups_each_officers_matters_inside_the_walls(stack_api: Api) -> None:
    api = stack_api
    day = TODAY + dt.timedelta(days=5)
    second_id, second_token = _officer(api, "second-officer")
    first_id = api.user_ids[Role.officer]
    other_unit = _ok(api.post("/api/v1/units", json={"name": "Ministry of Elsewhere", "kind": "ministry"}), 201)
    cases = {
        "a": api.create_case(number="C.P. 1 of 2025", parties=[{"name": "Ahmad", "role": "petitioner"}]),
        "b": api.create_case(number="C.P. 2 of 2025", court="Sindh High Court"),
        "c": api.create_case(number="C.P. 3 of 2025"),
        "sealed": api.create_case(number="C.P. 4 of 2025"),
        "elsewhere": api.create_case(number="C.P. 5 of 2025", unit_id=other_unit["id"]),
    }
    _assign(api, cases["a"]["id"], first_id)
    _assign(api, cases["b"]["id"], second_id)
    _assign(api, cases["sealed"]["id"], second_id)
    _ok(api.patch(f"/api/v1/cases/{cases['sealed']['id']}", json={"sealed": True, "seal_reason": "in camera"}))
    for key, case in cases.items():
        court = "Sindh High Court" if key == "b" else "Lahore High Court"
        _hearing(api, case["id"], day, court=court, purpose=f"purpose {key}", bench="SB")
    _hearing(api, cases["a"]["id"], day + dt.timedelta(days=1))  # another day: never on this list

    def listed(role: Role | None = None, token: str | None = None, **params: Any) -> dict[str | None, list[str]]:
        headers = {"Authorization": f"Bearer {token}"} if token else api.headers(role or Role.admin)
        response = api.client.get("/api/v1/cause-list", params={"date": day.isoformat()} | params, headers=headers)
        body = _ok(response)
        return {group["officer_id"]: [entry["case_number"] for entry in group["entries"]] for group in body["groups"]}

    everything = listed()
    assert everything == {
        first_id: ["C.P. 1 of 2025"],
        second_id: ["C.P. 4 of 2025", "C.P. 2 of 2025"],
        None: ["C.P. 3 of 2025", "C.P. 5 of 2025"],
    }
    body = _ok(api.get("/api/v1/cause-list", params={"date": day.isoformat(), "officer_id": first_id}))
    (entry,) = body["groups"][0]["entries"]
    assert (entry["parties"], entry["court"], entry["bench"], entry["purpose"], entry["officer_name"]) == (
        ["Ahmad"],
        "Lahore High Court",
        "SB",
        "purpose a",
        "Test officer",
    )
    assert listed(court="Sindh High Court") == {second_id: ["C.P. 2 of 2025"]}
    # Each officer sees their own matters (the sealed one too: it is assigned to them); the clerk their unit's
    # unsealed cases; nobody sees another unit's case they have no part in.
    assert listed(Role.officer) == {first_id: ["C.P. 1 of 2025"]}
    assert listed(token=second_token) == {second_id: ["C.P. 4 of 2025", "C.P. 2 of 2025"]}
    assert listed(Role.clerk) == {first_id: ["C.P. 1 of 2025"], second_id: ["C.P. 2 of 2025"], None: ["C.P. 3 of 2025"]}
    assert api.get("/api/v1/cause-list", role=Role.auditor).status_code == 403
    total = _ok(api.get("/api/v1/cause-list", params={"date": day.isoformat()}))["total"]
    assert total == 5


# --- deadlines and the limitation helper -------------------------------------------------------------------------


def test_deadlines_list_overdue_inside_the_walls(stack_api: Api) -> None:
    api = stack_api
    officer = api.user_ids[Role.officer]
    case = api.create_case(number="W.P. 200 of 2025")
    _assign(api, case["id"], officer)
    hidden = api.create_case(number="W.P. 201 of 2025")
    late = _ok(
        api.post(
            f"/api/v1/cases/{case['id']}/deadlines",
            role=Role.officer,
            json={
                "kind": "para_wise_comments",
                "due_on": (TODAY - dt.timedelta(days=2)).isoformat(),
                "owner_id": officer,
                "note": "comments from the Ministry",
            },
        ),
        201,
    )
    assert late["overdue"] is True and late["status"] == "open" and late["case_number"] == "W.P. 200 of 2025"
    soon = _ok(
        api.post(
            f"/api/v1/cases/{case['id']}/deadlines",
            json={"kind": "reply", "due_on": (TODAY + dt.timedelta(days=4)).isoformat(), "owner_id": officer},
        ),
        201,
    )
    _ok(
        api.post(
            f"/api/v1/cases/{hidden['id']}/deadlines",
            json={"kind": "reply", "due_on": (TODAY - dt.timedelta(days=9)).isoformat(), "owner_id": officer},
        ),
        201,
    )
    assert (
        api.post(
            f"/api/v1/cases/{case['id']}/deadlines",
            json={"kind": "reply", "due_on": TODAY.isoformat(), "owner_id": api.user_ids[Role.auditor]},
        ).status_code
        == 422
    )

    def ids(role: Role, **params: Any) -> list[str]:
        return [item["id"] for item in _ok(api.get("/api/v1/deadlines", role=role, params=params))["items"]]

    assert ids(Role.officer, overdue="true") == [late["id"]]  # the unassigned case's deadline is out of sight
    assert len(ids(Role.admin, overdue="true", owner_id=officer)) == 2
    assert ids(Role.officer, due_before=(TODAY + dt.timedelta(days=5)).isoformat()) == [late["id"], soon["id"]]
    done = _ok(api.patch(f"/api/v1/deadlines/{late['id']}", role=Role.officer, json={"status": "done"}))
    assert done["status"] == "done" and done["overdue"] is False
    assert ids(Role.officer, overdue="true") == []
    assert (
        api.patch(f"/api/v1/deadlines/{late['id']}", role=Role.focal_person, json={"status": "open"}).status_code == 403
    )
    assert api.patch("/api/v1/deadlines/none", json={"status": "open"}).status_code == 404


def test_the_limitation_helper_counts_periods_and_excludes_the_certified_copy_time(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case(number="R.F.A. 9 of 2025")
    rules = _ok(api.get("/api/v1/limitation-rules", role=Role.clerk))["items"]
    assert {"cpla_supreme_court", "intra_court_appeal", "civil_revision"} <= {rule["id"] for rule in rules}
    assert all(rule["verify_note"] == "verify locally" and rule["source"] for rule in rules)
    url = f"/api/v1/cases/{case['id']}/limitation-suggestions"

    def due(**params: str) -> dict[str, str]:
        body = _ok(api.get(url, params=params))
        return {item["rule_id"]: item["due_on"] for item in body["suggestions"]}

    plain = due(decided_on="2025-01-10")
    assert plain["cpla_supreme_court"] == "2025-03-11"  # 60 days from 10 January
    assert plain["intra_court_appeal"] == "2025-01-30"  # 20 days
    assert plain["civil_revision"] == "2025-04-10"  # 90 days
    assert plain["service_tribunal_appeal"] == "2025-02-09"  # from the decision when no communication date
    # The certified copy applied for on 15 January, received on 4 February: 20 days excluded.
    copied = due(
        decided_on="2025-01-10", certified_copy_applied_on="2025-01-15", certified_copy_received_on="2025-02-04"
    )
    assert copied["cpla_supreme_court"] == "2025-03-31" and copied["intra_court_appeal"] == "2025-02-19"
    communicated = due(decided_on="2025-01-10", communicated_on="2025-01-20")
    assert (
        communicated["service_tribunal_appeal"] == "2025-02-19" and communicated["cpla_supreme_court"] == "2025-03-11"
    )
    assert (
        api.get(
            url,
            params={
                "decided_on": "2025-01-10",
                "certified_copy_applied_on": "2025-02-04",
                "certified_copy_received_on": "2025-01-15",
            },
        ).status_code
        == 422
    )
    assert (
        api.get(url, params={"decided_on": "2025-01-10", "certified_copy_applied_on": "2025-02-04"}).status_code == 422
    )
    # A suggestion becomes a deadline only when posted; the table is the admin's to edit.
    assert _ok(api.get(f"/api/v1/cases/{case['id']}/deadlines"))["total"] == 0
    edited = [rule | {"period_days": 30} if rule["id"] == "cpla_supreme_court" else rule for rule in rules]
    body = [{key: value for key, value in rule.items() if key != "updated_at"} for rule in edited]
    assert (
        api.client.put("/api/v1/limitation-rules", json={"items": body}, headers=api.headers(Role.clerk)).status_code
        == 403
    )
    _ok(api.client.put("/api/v1/limitation-rules", json={"items": body}, headers=api.headers()))
    assert due(decided_on="2025-01-10")["cpla_supreme_court"] == "2025-02-09"


# --- reminders ---------------------------------------------------------------------------------------------------


def _run(api: Api, day: dt.date, mail: bool = False) -> int:
    """One scheduler run on `day` (the controllable clock), with the stack's mail backend when asked."""
    return tasks.send_reminders(api.settings, get_mail_backend(api.settings) if mail else None, on=day).created


def test_reminders_at_7_1_and_0_days_then_escalation_once_to_the_units_head(stack_api: Api) -> None:
    api = stack_api
    officer, head = api.user_ids[Role.officer], api.user_ids[Role.focal_person]
    assert (
        api.client.put(
            f"/api/v1/units/{api.unit_id}/head", json={"user_id": head}, headers=api.headers(Role.clerk)
        ).status_code
        == 403
    )
    elsewhere = _ok(api.post("/api/v1/units", json={"name": "Ministry of Elsewhere", "kind": "ministry"}), 201)
    outsider = api.client.put(f"/api/v1/units/{elsewhere['id']}/head", json={"user_id": head}, headers=api.headers())
    assert outsider.status_code == 422 and "must be one of its people" in outsider.json()["detail"]
    assert (
        api.client.put(f"/api/v1/units/{api.unit_id}/head", json={"user_id": head}, headers=api.headers()).status_code
        == 204
    )
    case = api.create_case(number="W.P. 300 of 2025")
    _assign(api, case["id"], officer)
    due = dt.date(2031, 3, 20)
    deadline = _ok(
        api.post(
            f"/api/v1/cases/{case['id']}/deadlines",
            json={"kind": "written_statement", "due_on": due.isoformat(), "owner_id": officer},
        ),
        201,
    )
    assert _run(api, due - dt.timedelta(days=8)) == 0
    assert _run(api, due - dt.timedelta(days=7)) == 1
    assert _run(api, due - dt.timedelta(days=7)) == 0  # idempotent: the same day again makes nothing
    assert _run(api, due - dt.timedelta(days=3)) == 0
    assert _run(api, due - dt.timedelta(days=1)) == 1
    assert _run(api, due) == 1
    assert _run(api, due) == 0
    assert _run(api, due + dt.timedelta(days=1)) == 1  # overdue: escalated
    assert _run(api, due + dt.timedelta(days=2)) == 0  # once
    mine = _ok(api.get("/api/v1/reminders", role=Role.officer))
    assert [item["kind"] for item in mine] == ["due_today", "day_before", "week_before"]
    assert all(item["deadline_id"] == deadline["id"] for item in mine)
    (escalated,) = _ok(api.get("/api/v1/reminders", role=Role.focal_person))
    assert escalated["kind"] == "overdue" and "W.P. 300 of 2025" in escalated["title"]
    assert "Test officer" in escalated["title"]
    # Each is also a notification, with the user's others (the alerts page and its unread count).
    notices = _ok(api.get("/api/v1/notifications", role=Role.focal_person))["items"]
    assert [(item["id"], item["kind"], item["link"]) for item in notices] == [
        (escalated["id"], "deadline", f"/cases/{case['id']}#deadlines")
    ]
    # A deadline done before its day is never reminded of.
    other = _ok(
        api.post(
            f"/api/v1/cases/{case['id']}/deadlines",
            json={"kind": "reply", "due_on": due.isoformat(), "owner_id": officer},
        ),
        201,
    )
    _ok(api.patch(f"/api/v1/deadlines/{other['id']}", json={"status": "done"}))
    assert _run(api, due + dt.timedelta(days=3)) == 0


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.mark.parametrize("stack", STACKS)
def test_the_daily_digest_is_emailed_once_when_smtp_is_set(
    stack: str, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    overrides = {"smtp_url": f"smtp://127.0.0.1:{port}", "mail_domain": "law.gov.pk", "mail_from": "cf@law.gov.pk"}
    with open_stack(stack, tmp_path, **overrides) as api:
        officer = api.user_ids[Role.officer]
        case = api.create_case(number="W.P. 400 of 2025")
        _assign(api, case["id"], officer)
        day = dt.date(2031, 5, 1)
        for kind, days in (("reply", 7), ("compliance_report", 1)):
            _ok(
                api.post(
                    f"/api/v1/cases/{case['id']}/deadlines",
                    json={"kind": kind, "due_on": (day + dt.timedelta(days=days)).isoformat(), "owner_id": officer},
                ),
                201,
            )
        assert _run(api, day, mail=True) == 2
        (message,) = inbox.wait_for(1, 10)  # one digest with both reminders
        assert message["To"] == "test-officer@law.gov.pk"
        assert "2 deadline reminders" in str(make_header(decode_header(message["Subject"])))
        payload = message.get_payload()
        assert "reply in W.P. 400 of 2025" in payload and "compliance report in W.P. 400 of 2025" in payload
        assert _run(api, day, mail=True) == 0
        time.sleep(0.3)
        assert len(inbox.messages) == 1  # never twice


# --- the calendar feed -------------------------------------------------------------------------------------------


def test_the_calendar_feed_parses_back_holds_no_sealed_detail_and_rotates(stack_api: Api) -> None:
    api = stack_api
    officer = api.user_ids[Role.officer]
    open_case = api.create_case(number="W.P. 500 of 2025", title="Karim v. Federation")
    sealed = api.create_case(number="W.P. 501 of 2025", title="Secret v. State")
    for case in (open_case, sealed):
        _assign(api, case["id"], officer)
    _ok(api.patch(f"/api/v1/cases/{sealed['id']}", json={"sealed": True, "seal_reason": "in camera"}))
    day = TODAY + dt.timedelta(days=6)
    timed = _hearing(api, open_case["id"], day, time="10:00", bench="DB-II", purpose="final arguments")
    untimed = _hearing(api, sealed["id"], day, purpose="evidence of the secret witness")
    deadline = _ok(
        api.post(
            f"/api/v1/cases/{open_case['id']}/deadlines",
            json={
                "kind": "reply",
                "due_on": (TODAY + dt.timedelta(days=3)).isoformat(),
                "owner_id": officer,
                "note": "reply to the show-cause notice",
            },
        ),
        201,
    )
    _ok(
        api.post(
            f"/api/v1/cases/{sealed['id']}/deadlines",
            json={
                "kind": "compliance_report",
                "due_on": (TODAY + dt.timedelta(days=4)).isoformat(),
                "owner_id": officer,
                "note": "secret compliance",
            },
        ),
        201,
    )

    url = _ok(api.get("/api/v1/users/me", role=Role.officer))["calendar_url"]
    assert url and url.endswith(".ics")
    assert _ok(api.get("/api/v1/users/me", role=Role.officer))["calendar_url"] is None  # shown once, kept hashed
    path = urlsplit(url).path
    response = api.client.get(path)  # no credentials: the URL is the credential
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert "no-store" in response.headers["cache-control"]
    assert "Secret v. State" not in response.text and "secret" not in response.text.lower()
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    events = list(calendar.walk("VEVENT"))
    for event in events:
        assert event.get("UID") and event.get("DTSTAMP") and event.get("DTSTART")
    by_uid = {str(event["UID"]): event for event in events}
    assert set(by_uid) >= {
        f"hearing-{timed['id']}@casefile",
        f"hearing-{untimed['id']}@casefile",
        f"deadline-{deadline['id']}@casefile",
    }
    assert len(events) == 4  # two hearings, two deadlines
    timed_event = by_uid[f"hearing-{timed['id']}@casefile"]
    assert timed_event.decoded("DTSTART") == dt.datetime.combine(day, dt.time(10, 0))
    assert "W.P. 500 of 2025" in str(timed_event["SUMMARY"]) and "DB-II" in str(timed_event["LOCATION"])
    sealed_event = by_uid[f"hearing-{untimed['id']}@casefile"]
    assert str(sealed_event["SUMMARY"]) == "W.P. 501 of 2025"
    assert "LOCATION" not in sealed_event and "DESCRIPTION" not in sealed_event
    assert sealed_event.decoded("DTSTART") == day  # all day: no time given
    for event in events:
        if str(event["UID"]).startswith("deadline-"):
            start = event.decoded("DTSTART")
            assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)  # all day
    sealed_deadlines = [event for event in events if str(event["SUMMARY"]) == "W.P. 501 of 2025"]
    assert len(sealed_deadlines) == 2 and all("DESCRIPTION" not in event for event in sealed_deadlines)

    rotated = _ok(api.post("/api/v1/users/me/calendar/rotate", role=Role.officer))["calendar_url"]
    assert rotated != url
    gone = api.client.get(path)
    assert gone.status_code == 404 and gone.headers["content-type"].startswith("application/problem+json")
    assert api.client.get(urlsplit(rotated).path).status_code == 200
    assert api.client.get("/calendar/not-a-secret.ics").status_code == 404
    assert api.post("/api/v1/users/me/calendar/rotate", role=Role.auditor).status_code in (403, 200)

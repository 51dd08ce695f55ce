"""Who uploaded, downloaded, searched and changed what is recorded."""

from __future__ import annotations

from access.repository import recent_audit_events
from core.models import Role
from core.uow import unit_of_work
from tests.conftest import Api
from tests.samples import born_digital_pdf


def test_audit_log_records_actions(api: Api) -> None:
    case = api.create_case()
    uploaded = api.upload(case["id"], "a.pdf", born_digital_pdf()).json()
    api.get(f"/api/v1/documents/{uploaded['id']}/file", role=Role.focal_person)
    api.get("/api/v1/search", role=Role.focal_person, params={"q": "natural justice"})
    api.patch(f"/api/v1/cases/{case['id']}", role=Role.clerk, json={"status": "pending"})
    api.get("/api/v1/search", role=Role.client, params={"q": "-only"})  # refused: not audited as a search
    api.get("/api/v1/search", role=Role.auditor, params={"q": "bail"})  # 403: auditors see no case content

    with unit_of_work(api.settings) as session:
        events = [
            (event.action, event.actor, event.target_id, event.detail)
            for event in reversed(recent_audit_events(session))
        ]
    events = events[[event[0] for event in events].index("case.create") :]  # after the fixture's set-up
    assert [event[0] for event in events] == [
        "case.create",
        "document.upload",
        "document.download",
        "search",
        "case.status",
    ]
    assert events[2][1] == "test-focal_person (focal_person)" and events[2][2] == uploaded["id"]
    assert events[3][3]["query"] == "natural justice"
    assert events[4][1] == "test-clerk (clerk)"
    assert (events[4][3]["from_status"], events[4][3]["to_status"]) == ("intake", "pending")

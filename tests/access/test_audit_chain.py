"""The audit trail's hash chain: concurrent commits never fork it, and `casefile audit verify` names the first row
that was edited, deleted or reordered, on both stacks."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from access import audit
from access.audit import GENESIS, ChainHead, Fault, chain_hash, verify_chain
from access.schemas import SYSTEM
from core.config import Settings, get_settings
from core.db import get_engine
from core.models import AuditChain, AuditEvent
from core.uow import unit_of_work
from tests.conftest import BOOTSTRAP_TOKEN, open_stack
from tests.contract.test_consistency import served
from tests.samples import born_digital_pdf
from tests.stacks import STACKS

runner = CliRunner()

# --- the pure walk, on rows made in memory -------------------------------------------------------------------


def chained(count: int) -> tuple[list[AuditEvent], ChainHead]:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    rows, previous = [], GENESIS
    for number in range(1, count + 1):
        row = AuditEvent(id=100 + number, at=start + timedelta(seconds=number), actor="a (admin)", action="case.read",
                         target_type="case", target_id=f"case-{number}", case_id=f"case-{number}", outcome="ok",
                         detail={"n": number}, sequence=number, previous_hash=previous)  # fmt: skip
        row.hash = previous = chain_hash(previous, row)
        rows.append(row)
    return rows, ChainHead(count, previous)


def locator(rows: list[AuditEvent]) -> audit.Locator:
    where = {row.hash: (row.id, row.sequence) for row in rows if row.hash and row.sequence}
    return lambda digest: where.get(digest)


def test_an_untouched_chain_is_intact() -> None:
    rows, head = chained(5)
    report = verify_chain(rows, head)
    assert report.intact and report.rows == 5
    assert verify_chain([], ChainHead(0, GENESIS)).intact  # an empty trail


def test_an_edited_row_is_a_hash_mismatch_at_that_row() -> None:
    rows, head = chained(5)
    rows[2].detail = {"n": 99}
    bad = verify_chain(rows, head).bad
    assert bad is not None and (bad.id, bad.sequence, bad.fault) == (103, 3, Fault.hash_mismatch)


def test_a_deleted_row_is_a_gap_at_the_next_row() -> None:
    rows, head = chained(5)
    del rows[1]
    bad = verify_chain(rows, head).bad
    assert bad is not None and (bad.id, bad.sequence, bad.fault) == (103, 3, Fault.gap)
    assert "sequence 2 is missing" in bad.detail


def test_a_deleted_last_row_is_a_head_mismatch() -> None:
    rows, head = chained(5)
    bad = verify_chain(rows[:-1], head).bad
    assert bad is not None and bad.fault is Fault.head_mismatch and bad.id is None
    assert "ends at 4" in bad.detail


def test_swapped_sequences_are_reordered_at_the_first_of_them() -> None:
    rows, head = chained(5)
    rows[1].sequence, rows[3].sequence = 4, 2
    ordered = sorted(rows, key=lambda row: row.sequence or 0)
    bad = verify_chain(ordered, head, locator(rows)).bad
    assert bad is not None and (bad.id, bad.sequence, bad.fault) == (104, 2, Fault.reordered)
    assert "chained after row id 103 (sequence 3)" in bad.detail


def test_swapped_contents_fail_at_the_first_of_the_two_rows() -> None:
    rows, head = chained(5)
    rows[1].id, rows[3].id = rows[3].id, rows[1].id  # every column but the id swapped: the same as swapping ids
    bad = verify_chain(rows, head, locator(rows)).bad
    assert bad is not None and (bad.id, bad.sequence, bad.fault) == (104, 2, Fault.hash_mismatch)


def test_a_rewritten_link_is_a_previous_hash_mismatch() -> None:
    rows, head = chained(5)
    rows[2].previous_hash = "f" * 64
    bad = verify_chain(rows, head, locator(rows)).bad
    assert bad is not None and (bad.sequence, bad.fault) == (3, Fault.previous_hash_mismatch)


def test_a_rewritten_row_with_a_recomputed_hash_breaks_the_next_link() -> None:
    rows, head = chained(5)
    rows[2].detail = {"n": 99}
    rows[2].hash = chain_hash(rows[2].previous_hash or "", rows[2])
    bad = verify_chain(rows, head, locator(rows)).bad
    assert bad is not None and (bad.sequence, bad.fault) == (4, Fault.previous_hash_mismatch)


def test_a_row_outside_the_chain_is_named() -> None:
    rows, head = chained(3)
    stray = replace_row(rows[0], id=7, sequence=None)
    bad = verify_chain([stray, *rows], head).bad
    assert bad is not None and (bad.id, bad.fault) == (7, Fault.unchained)


def test_a_full_rewrite_passes_alone_and_fails_against_an_anchor() -> None:
    rows, _head = chained(4)
    anchor = {2: rows[1].hash or ""}
    rows[0].detail = {"n": "rewritten"}
    previous = GENESIS
    for row in rows:  # the whole chain recomputed, and the head with it: only an outside record shows it
        row.previous_hash = previous
        row.hash = previous = chain_hash(previous, row)
    forged = ChainHead(4, previous)
    assert verify_chain(rows, forged).intact
    bad = verify_chain(rows, forged, anchors=anchor).bad
    assert bad is not None and (bad.sequence, bad.fault) == (2, Fault.anchor_mismatch)


def replace_row(row: AuditEvent, **changes: object) -> AuditEvent:
    fields = {column.key: getattr(row, column.key) for column in AuditEvent.__table__.columns}
    return AuditEvent(**(fields | changes))


# --- on both stacks --------------------------------------------------------------------------------------------


def chain_rows(settings: Settings) -> list[tuple[int, int | None, str | None, str | None]]:
    with unit_of_work(settings) as session:
        rows = session.execute(
            select(AuditEvent.id, AuditEvent.sequence, AuditEvent.previous_hash, AuditEvent.hash).order_by(
                AuditEvent.sequence
            )
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.mark.parametrize("stack", STACKS)
def test_twenty_threads_at_once_leave_one_unbroken_chain(stack: str, tmp_path: Path) -> None:
    """Each request commits an audit row; without the head's lock, concurrent commits read the same head and
    collide on a sequence number (or, without the unique index, fork the chain)."""
    with open_stack(stack, tmp_path) as api, served(api) as url:
        case = api.create_case()
        document = api.upload(case["id"], "a.pdf", born_digital_pdf(["Interim bail was granted."])).json()
        with unit_of_work(api.settings) as session:
            before = audit.read_head(session).sequence
        barrier, lock = threading.Barrier(20), threading.Lock()
        statuses: list[int] = []
        paths = [
            f"/api/v1/cases/{case['id']}",
            f"/api/v1/documents/{document['id']}",
            "/api/v1/search?q=bail",
            f"/api/v1/documents/{document['id']}/pages",
            "/api/v1/cases/no-such-case",  # 404: rolled back, so it must take no sequence number
        ]

        def client(number: int) -> None:
            own = []
            with httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}, timeout=120
            ) as http:
                barrier.wait()
                for step in range(10):
                    own.append(http.get(paths[(number + step) % len(paths)]).status_code)
            with lock:
                statuses.extend(own)

        threads = [threading.Thread(target=client, args=(number,)) for number in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert len(statuses) == 200, "a client thread failed"
        assert sorted(set(statuses)) == [200, 404], statuses
        recorded = statuses.count(200)

        rows = chain_rows(api.settings)
        with unit_of_work(api.settings) as session:
            head = audit.read_head(session)
            report = audit.verify_database(session)
        assert report.intact, report.bad
        assert head.sequence == before + recorded == len(rows)
        assert [row[1] for row in rows] == list(range(1, len(rows) + 1))  # no gap, no duplicate
        previous = GENESIS
        for _id, _sequence, previous_hash, digest in rows:  # one line: each row links to the one before
            assert previous_hash == previous
            previous = digest or ""
        assert previous == head.hash


@pytest.mark.parametrize("stack", STACKS)
def test_a_rolled_back_savepoint_takes_no_sequence_number(stack: str, tmp_path: Path) -> None:
    with open_stack(stack, tmp_path) as api:
        with unit_of_work(api.settings) as session:
            audit.record(session, SYSTEM, "kept.before")
            savepoint = session.begin_nested()
            audit.record(session, SYSTEM, "dropped")
            session.flush()
            savepoint.rollback()
            audit.record(session, SYSTEM, "kept.after")
        with unit_of_work(api.settings) as session:
            report = audit.verify_database(session)
            actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence.desc()).limit(2)).all()
        assert report.intact, report.bad
        assert actions == ["kept.after", "kept.before"]


# --- tampering, checked through `casefile audit verify` ---------------------------------------------------------


@contextmanager
def cli_env(settings: Settings) -> Iterator[None]:
    """The CLI reads its settings from the environment: point it at this stack's database."""
    names = {"CASEFILE_DATA_DIR": str(settings.data_dir), "CASEFILE_DATABASE_URL": settings.database_url or ""}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def verify_cli(*arguments: str) -> tuple[int, str]:
    from cli.main import app

    result = runner.invoke(app, ["audit", "verify", *arguments])
    return result.exit_code, result.stdout


def sql(settings: Settings, *statements: str, **values: object) -> None:
    with get_engine(settings.resolved_database_url).begin() as connection:
        for statement in statements:
            connection.execute(text(statement), values)


COLUMNS = "at, token_id, user_id, actor, address, action, target_type, target_id, case_id, outcome, detail"


@pytest.mark.parametrize("stack", STACKS)
def test_audit_verify_names_the_first_edited_deleted_or_reordered_row(stack: str, tmp_path: Path) -> None:
    with open_stack(stack, tmp_path) as api:
        case = api.create_case()
        for _ in range(3):
            assert api.get(f"/api/v1/cases/{case['id']}").status_code == 200
        api.search("bail")
        rows = chain_rows(api.settings)
        assert len(rows) >= 8
        third, fifth, last = rows[2], rows[4], rows[-1]
        # Tampering needs the whole table back afterwards: a copy to restore from.
        sql(api.settings, "CREATE TABLE audit_copy AS SELECT * FROM audit_events")
        restore = ("DELETE FROM audit_events", "INSERT INTO audit_events SELECT * FROM audit_copy")

        def named(output: str) -> tuple[int, int, str]:
            found = re.search(r"row id (\d+) \(sequence (\d+)\): ([a-z -]+):", output)
            assert found, output
            return int(found[1]), int(found[2]), found[3]

        with cli_env(api.settings):
            code, output = verify_cli()
            assert code == 0, output
            assert f"audit chain intact: {len(rows)} rows; head {len(rows)}:{last[3]}" in output

            # One row's detail edited with raw SQL.
            sql(api.settings, "UPDATE audit_events SET detail = :detail WHERE id = :id", detail='{"query":"x"}',
                id=third[0])  # fmt: skip
            code, output = verify_cli()
            assert code == 1 and named(output) == (third[0], third[1], "hash mismatch"), output
            sql(api.settings, *restore)
            assert verify_cli()[0] == 0

            # One row deleted: the next row names the gap.
            sql(api.settings, "DELETE FROM audit_events WHERE id = :id", id=third[0])
            code, output = verify_cli()
            assert code == 1 and named(output) == (rows[3][0], rows[3][1], "gap"), output
            sql(api.settings, *restore)

            # The last row deleted: the head says more rows than there are.
            sql(api.settings, "DELETE FROM audit_events WHERE id = :id", id=last[0])
            code, output = verify_cli()
            assert code == 1 and "the chain's head: head mismatch" in output, output
            sql(api.settings, *restore)

            # The head row deleted.
            sql(api.settings, "DELETE FROM audit_chain")
            code, output = verify_cli()
            assert code == 1 and "the chain's head: head mismatch: the head row is gone" in output, output
            sql(api.settings, "INSERT INTO audit_chain (id, sequence, hash) VALUES (1, :s, :h)", s=len(rows), h=last[3])

            # Two rows' contents swapped (every column but the id and the chain's own).
            sets = ", ".join(f"{column} = (SELECT {column} FROM audit_copy WHERE id = :other)"
                             for column in COLUMNS.split(", "))  # fmt: skip
            sql(api.settings, f"UPDATE audit_events SET {sets} WHERE id = :id", id=third[0], other=fifth[0])
            sql(api.settings, f"UPDATE audit_events SET {sets} WHERE id = :id", id=fifth[0], other=third[0])
            code, output = verify_cli()
            assert code == 1 and named(output) == (third[0], third[1], "hash mismatch"), output
            sql(api.settings, *restore)

            # Two rows reordered in the chain: their sequence numbers swapped.
            sql(
                api.settings,
                "UPDATE audit_events SET sequence = -1 WHERE id = :a",
                "UPDATE audit_events SET sequence = :sa WHERE id = :b",
                "UPDATE audit_events SET sequence = :sb WHERE id = :a",
                a=third[0], b=fifth[0], sa=third[1], sb=fifth[1],
            )  # fmt: skip
            code, output = verify_cli()
            assert code == 1 and named(output) == (fifth[0], third[1], "reordered"), output
            sql(api.settings, *restore)

            # A row slipped in with raw SQL, outside the chain.
            sql(api.settings, f"INSERT INTO audit_events ({COLUMNS}) SELECT {COLUMNS} FROM audit_copy WHERE id = :id",
                id=third[0])  # fmt: skip
            code, output = verify_cli("--json")
            assert code == 1 and '"fault": "unchained"' in output, output
            sql(api.settings, *restore)

            # Restored: intact again, and an anchor from the first run still holds.
            code, output = verify_cli("--anchor", f"{third[1]}:{third[3]}")
            assert code == 0, output
            with unit_of_work(api.settings) as session:
                assert session.scalar(select(func.count()).select_from(AuditChain)) == 1

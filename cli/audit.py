"""`casefile audit verify`: check the audit trail's hash chain, and name the first bad row."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from access import audit
from cli.operations import failures_exit_2
from core.config import get_settings
from core.db import check_schema
from core.uow import unit_of_work

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
console = Console(stderr=True)  # stdout carries only the report (or --json), for scripts


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


def _anchor(text: str) -> tuple[int, str]:
    sequence, _, digest = text.partition(":")
    if not sequence.isdigit() or len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
        raise typer.BadParameter(f"{text!r} is not SEQUENCE:HASH (a number, a colon, 64 lowercase hex digits)")
    return int(sequence), digest


@audit_app.command("verify")
def verify(
    anchor: Annotated[
        list[str] | None,
        typer.Option(
            "--anchor",
            help="SEQUENCE:HASH printed by an earlier run and kept outside the database; it must still be in the "
            "chain (this catches a rewrite of the whole trail, head included). Repeatable.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Check the audit trail's hash chain: exit 0 if intact, 1 naming the first bad row.

    Every row's hash and link to the row before it are checked, and the last row against the chain's head. A row
    that was edited, deleted or reordered is named with its id, sequence and fault. Exit 2 if the check could
    not run (an outdated schema, the database down)."""
    anchors = dict(_anchor(each) for each in anchor or [])
    settings = get_settings()
    with failures_exit_2():  # an outdated schema or a database that does not answer: exit 2, not 1
        check_schema(settings)
        with unit_of_work(settings) as session:
            report = audit.verify_database(session, anchors)
    head = f"{report.head.sequence}:{report.head.hash}"
    if as_json:
        bad = report.bad
        typer.echo(
            json.dumps(
                {
                    "intact": report.intact,
                    "rows_checked": report.rows,
                    "head": head,
                    "bad_row": None
                    if bad is None
                    else {"id": bad.id, "sequence": bad.sequence, "fault": bad.fault.value, "detail": bad.detail},
                }
            )
        )
    elif report.bad is None:
        typer.echo(f"audit chain intact: {report.rows} rows; head {head}")
        console.print("keep the head line somewhere else; pass it later as --anchor to catch a rewrite", style="dim")
    else:
        typer.echo(f"audit chain broken at {report.bad.describe()}")
    if not report.intact:
        raise typer.Exit(1)

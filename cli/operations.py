"""`casefile verify | backup | restore`: operations on a whole installation (the work is in ops/)."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import structlog
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.backends import Backends, build_backends
from core.config import get_settings
from core.db import SchemaOutdated, check_schema
from core.errors import CasefileError
from ops.backup import BackupError, backup, restore, restore_originals
from ops.verify import Kind, VerifyReport, verify

console = Console()
SHOWN_FINDINGS = 50


class _Stderr:
    """Whatever sys.stderr is when a line is written (a logger may be cached across commands in one process)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


@contextmanager
def _logs_to_stderr() -> Iterator[None]:
    """Log lines go to stderr while a command runs, so its stdout (a report, JSON) stays clean to pipe."""
    previous = structlog.get_config()["logger_factory"]
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(_Stderr()))  # type: ignore[arg-type]
    try:
        yield
    finally:
        structlog.configure(logger_factory=previous)


def register(app: typer.Typer) -> None:
    """Add the operations commands to the `casefile` app."""
    app.command("verify")(verify_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


@contextmanager
def failures_exit_2() -> Iterator[None]:
    """A backend that does not answer, or a backup that cannot go on: say why, exit 2 (1 means "found problems")."""
    try:
        yield
    except SchemaOutdated as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error
    except CasefileError as error:
        console.print(f"[red]{error.detail}[/]")
        raise typer.Exit(2) from error
    except BackupError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error


def _backends(check: bool = True) -> Backends:
    settings = get_settings()
    if check:
        check_schema(settings)
    return build_backends(settings)


@contextmanager
def _progress_bar(description: str) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    with progress:
        yield progress


def _reporter(progress: Progress) -> Callable[[str, int, int], None]:
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done)

    return report


def verify_command(
    repair: Annotated[bool, typer.Option("--repair", help="Mend what can be mended (see below)")] = False,
    delete_orphan_blobs: Annotated[
        bool, typer.Option("--delete-orphan-blobs", help="With --repair, delete blobs no document refers to")
    ] = False,
    orphan_grace_hours: Annotated[
        float, typer.Option(min=0, help="Never delete an orphan blob younger than this (an upload in progress)")
    ] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (for monitoring)")] = False,
) -> None:
    """Check that every original is stored intact, that the index matches the database, and that nothing is
    orphaned. Exits 0 when all is well, 1 when something is wrong (after --repair: still wrong), 2 when a backend
    cannot be reached.

    --repair re-indexes documents whose index entries are missing or wrong, removes index entries of documents
    that are gone or failed, and marks documents whose original is missing or corrupt as failed, with the reason.
    Orphan blobs are only reported, unless --delete-orphan-blobs is given too."""
    with failures_exit_2(), _logs_to_stderr():
        backends = _backends()
        backends.index.ensure_ready()
        if as_json:
            report = verify(backends, repair=repair, delete_orphan_blobs=delete_orphan_blobs,
                            orphan_grace=timedelta(hours=orphan_grace_hours))  # fmt: skip
        else:
            with _progress_bar("verifying") as progress:
                report = verify(backends, repair=repair, delete_orphan_blobs=delete_orphan_blobs,
                                orphan_grace=timedelta(hours=orphan_grace_hours),
                                progress=_reporter(progress))  # fmt: skip
    if as_json:
        typer.echo(json.dumps(_report_json(report), indent=1))
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _report_json(report: VerifyReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "repaired": report.repaired,
        "documents": report.documents,
        "originals": report.originals,
        "indexed_documents": report.indexed_documents,
        "index_documents": report.index_documents,
        "blobs": report.blobs,
        "findings": [dataclasses.asdict(finding) | {"kind": finding.kind.value} for finding in report.findings],
    }


def _print_report(report: VerifyReport) -> None:
    counts = report.counts()
    summary = Table(title="casefile verify", show_header=True)
    summary.add_column("check")
    summary.add_column("checked", justify="right")
    summary.add_column("problems", justify="right")
    rows = (
        ("originals in the blob store (SHA-256)", report.originals, (Kind.original_missing, Kind.original_corrupt)),
        ("indexed documents in the index", report.indexed_documents, (Kind.index_missing, Kind.index_wrong)),
        ("documents in the index", report.index_documents, (Kind.index_orphan, Kind.index_stale)),
        ("blobs in the store", report.blobs, (Kind.blob_orphan,)),
    )
    for label, checked, kinds in rows:
        problems = sum(counts[kind] for kind in kinds)
        detail = ", ".join(f"{counts[kind]} {kind.value}" for kind in kinds if counts[kind])
        summary.add_row(label, str(checked), f"[red]{problems}[/] ({detail})" if problems else "[green]0[/]")
    console.print(summary)
    if report.findings:
        findings = Table(show_header=True, title=f"{len(report.findings)} problem(s)")
        for column in ("problem", "document or blob", "detail", *(("repair",) if report.repaired else ())):
            findings.add_column(column, overflow="fold")
        for finding in report.findings[:SHOWN_FINDINGS]:
            action = [] if not report.repaired else [finding.action or "nothing to do"]
            style = "green" if finding.resolved else "red"
            findings.add_row(f"[{style}]{finding.kind.value}[/]", finding.subject, finding.detail, *action)
        console.print(findings)
        if len(report.findings) > SHOWN_FINDINGS:
            console.print(f"… and {len(report.findings) - SHOWN_FINDINGS} more (--json lists them all)")
    if report.ok:
        console.print("[green]all consistent[/]" if not report.findings else "[green]all repaired[/]")
    else:
        hint = "" if report.repaired else " (casefile verify --repair mends index problems)"
        console.print(f"[red]{len(report.unresolved)} problem(s) remain[/]{hint}")
        if counts[Kind.original_missing] or counts[Kind.original_corrupt]:
            console.print(
                "lost originals: `casefile restore --originals-only BACKUP_DIR` puts them back from a backup, then "
                "`casefile reprocess --document ID` for each document"
            )


def backup_command(
    directory: Annotated[Path, typer.Argument(file_okay=False, help="A new or empty directory for the backup")],
    pg_bin_dir: Annotated[
        Path | None, typer.Option(help="Where pg_dump is, if not on PATH (it must be as new as the server)")
    ] = None,
) -> None:
    """Back up the metadata (pg_dump, or SQLite's online backup) and every original, with a SHA-256 manifest.
    Safe while Casefile runs. The search index is not copied: restore rebuilds it. Exits 1 if an original the
    database refers to could not be copied (the backup is then incomplete)."""
    with failures_exit_2(), _logs_to_stderr():
        backends = _backends()
        with _progress_bar("backing up") as progress:
            result = backup(backends, directory, pg_bin_dir=pg_bin_dir, progress=_reporter(progress))
    size_mb = result.bytes / (1024 * 1024)
    console.print(
        f"backed up the {result.database} database ({result.documents} document(s)) and {result.blobs} original(s), "
        f"{size_mb:.1f} MB, to {result.directory}"
    )
    if not result.complete:
        for key in result.missing:
            console.print(f"[red]missing from the blob store:[/] {key}")
        for key in result.corrupt:
            console.print(f"[red]corrupt in the blob store, not copied:[/] {key}")
        console.print("[red]the backup is incomplete[/]: run `casefile verify` to see which documents are affected")
        raise typer.Exit(1)


def restore_command(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A directory `casefile backup` made")],
    pg_bin_dir: Annotated[Path | None, typer.Option(help="Where pg_restore is, if not on PATH")] = None,
    reindex: Annotated[bool, typer.Option(help="Rebuild the search index from the restored database")] = True,
    check: Annotated[
        bool, typer.Option("--check", help="Only check the backup's files and that this install is empty")
    ] = False,
    originals_only: Annotated[
        bool,
        typer.Option(
            "--originals-only", help="Into a live install: put back only originals that are missing or corrupt"
        ),
    ] = False,
) -> None:
    """Restore a backup into an empty install (a new database, blob store and index): the originals, then the
    database, then the schema brought up to date, then the search index rebuilt from the database.

    --originals-only mends a live install instead: the originals `casefile verify` reports missing or corrupt are
    put back from the backup; then `casefile reprocess --document ID` for each document verify marked failed."""
    if originals_only:
        with failures_exit_2(), _logs_to_stderr():
            backends = _backends()
            with _progress_bar("restoring originals") as progress:
                restored, intact = restore_originals(backends, directory, _reporter(progress))
        console.print(f"put back {restored} original(s); {intact} were already intact")
        return
    with failures_exit_2(), _logs_to_stderr():
        backends = _backends(check=False)  # the database may be empty: restore brings its schema
        with _progress_bar("restoring") as progress:
            result = restore(backends, directory, pg_bin_dir=pg_bin_dir, reindex=reindex and not check,
                             dry_run=check, progress=_reporter(progress))  # fmt: skip
    if check:
        console.print(
            f"the backup is intact ({result.documents} document(s), {result.blobs} original(s)) and this "
            f"{result.database} install is empty: ready to restore"
        )
        return
    console.print(f"restored {result.documents} document(s) and {result.blobs} original(s) into {result.database}")
    if result.index_version:
        console.print(f"search index rebuilt: {result.index_version}")
    else:
        console.print("search index not rebuilt: run `casefile reindex`")

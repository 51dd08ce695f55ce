"""`casefile serve | import | search | tokens create | reprocess`: the same services the API calls."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from access import repository as access_repository
from access import service as access_service
from access.schemas import Principal
from cases import repository as cases_repository
from cases import service as cases_service
from cases.schemas import CaseCreate
from cli import audit, import_cases, operations, people
from core.backends import Backends, build_backends
from core.config import get_settings
from core.db import SchemaOutdated, check_schema, migrate
from core.errors import CasefileError, NotFound
from core.models import Role
from core.uow import unit_of_work
from ingest import repository as documents_repository
from ingest import service as documents
from search import service as search_service
from search.schemas import SearchFilters
from workers import TaskQueue, get_task_queue

app = typer.Typer(help="Casefile: case files and page-level full-text search.", no_args_is_help=True)
console = Console()
CLI_USER = Principal(user_id=None, token_id=None, name="cli", role=Role.admin)


def _checked_schema() -> None:
    try:
        check_schema(get_settings())
    except SchemaOutdated as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error


def _start() -> tuple[Backends, TaskQueue]:
    _checked_schema()
    backends = build_backends(get_settings())
    backends.index.ensure_ready()
    return backends, get_task_queue(backends)


def _drain(backends: Backends, task_queue: TaskQueue, ids: list[str], description: str) -> None:
    """Show progress until the documents are indexed or failed, from their statuses in the database. The
    in-process worker runs them here; Celery workers run them elsewhere."""
    if task_queue.name != "in-process":
        console.print(f"{len(ids)} document(s) queued for the Celery workers")
        return
    with _progress() as progress:
        task = progress.add_task(description, total=len(ids))
        finished = 0
        while finished < len(ids):
            time.sleep(0.5)
            with unit_of_work(backends.settings) as session:
                finished = documents_repository.count_finished(session, ids)
            progress.update(task, completed=finished)
    task_queue.stop()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default CASEFILE_HOST, 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default CASEFILE_PORT, 8000)")] = None,
) -> None:
    """Run the API server (and, on the embedded default, its worker)."""
    import uvicorn

    settings = get_settings()
    # access_log off: api/observability.py already logs each request once, with its request id.
    uvicorn.run(
        "api.main:create_app", factory=True, host=host or settings.host, port=port or settings.port, access_log=False
    )


@app.command("import")
def import_directory(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Folder of case papers")],
    case: Annotated[str, typer.Option("--case", help="Case number, e.g. 'W.P. No. 1234 of 2024'")],
    court: Annotated[str, typer.Option(help="Court of the case")],
    title: Annotated[str | None, typer.Option(help="Case title, if the case must be created")] = None,
    language: Annotated[str | None, typer.Option(help="OCR languages, e.g. 'eng+urd'")] = None,
) -> None:
    """Import every file under DIRECTORY into a case; files already imported (same hash) are skipped."""
    backends, task_queue = _start()
    task_queue.start()
    files = sorted(path for path in directory.rglob("*") if path.is_file() and not path.name.startswith("."))
    with unit_of_work(backends.settings, task_queue) as session:
        existing = cases_repository.find_by_number(session, court, case)
        case_id = (
            existing.id
            if existing
            else cases_service.create_case(
                session, CLI_USER, CaseCreate(number=case, court=court, title=title or case)
            ).id
        )
    queued, skipped, rejected = [], 0, 0
    with _progress() as progress:
        task = progress.add_task("uploading", total=len(files))
        for path in files:
            try:
                with unit_of_work(backends.settings, task_queue) as session, open(path, "rb") as handle:
                    upload = documents.UploadRequest(
                        case_id, path.name, handle, documents.UploadMetadata(title=path.stem, language=language)
                    )
                    outcome = documents.upload_document(session, backends, CLI_USER, upload)
                if outcome.rejection is not None:
                    rejected += 1
                    console.print(f"[yellow]kept but not processable[/] {path}: {outcome.rejection.detail}")
                elif outcome.created:
                    queued.append(outcome.document.id)
                else:
                    skipped += 1
            except CasefileError as error:
                rejected += 1
                console.print(f"[red]rejected[/] {path}: {error.detail}")
            progress.advance(task)
    _drain(backends, task_queue, queued, "processing")
    console.print(f"imported {len(queued)}, skipped {skipped} already imported, {rejected} rejected")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='words, "phrases", OR, -exclude, prefix*')],
    court: Annotated[str | None, typer.Option()] = None,
    case_id: Annotated[str | None, typer.Option()] = None,
    size: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_user: Annotated[
        str | None, typer.Option("--as-user", help="Search as this user, within their walls (default: operator)")
    ] = None,
) -> None:
    """Search pages and print where each hit is."""
    backends, _queue = _start()
    try:
        with unit_of_work(backends.settings) as session:
            actor = CLI_USER
            if as_user is not None:
                person = access_repository.find_user(session, as_user)
                if person is None:
                    raise NotFound(f"no user named {as_user!r}")
                actor = access_service.principal_for(person)
            result = search_service.search_pages(
                session, backends.index, actor, query, SearchFilters(court=court, case_id=case_id), 1, size
            )
    except CasefileError as error:
        console.print(f"[red]{error.detail}[/]")
        raise typer.Exit(2) from error
    table = Table(title=f"{result.total} page(s) match {query!r}")
    for column in ("case", "document", "page", "score", "snippet"):
        table.add_column(column)
    for hit in result.hits:
        snippet = " ".join(hit.snippets).replace("<mark>", "[bold]").replace("</mark>", "[/bold]")
        table.add_row(hit.case_number, hit.title or hit.filename, str(hit.page), f"{hit.score:.2f}", snippet)
    console.print(table)


@app.command()
def reprocess(
    failed: Annotated[bool, typer.Option("--failed", help="Reprocess every failed document")] = False,
    document_id: Annotated[list[str] | None, typer.Option("--document", help="A document id")] = None,
) -> None:
    """Process documents again (after installing an OCR language, say)."""
    backends, task_queue = _start()
    task_queue.start()
    try:
        with unit_of_work(backends.settings, task_queue) as session:
            ids = list(document_id or []) + (documents.failed_documents(session) if failed else [])
            for each in ids:
                documents.request_reprocess(session, CLI_USER, each)
    except CasefileError as error:
        task_queue.stop()
        console.print(f"[red]{error.detail}[/]")
        raise typer.Exit(2) from error
    if not ids:
        task_queue.stop()
        console.print("nothing to reprocess (use --failed or --document ID)")
        return
    _drain(backends, task_queue, ids, "reprocessing")


@app.command("migrate")
def migrate_database() -> None:
    """Bring the database schema to the newest version. Run it before starting the API, workers or CLI."""
    migrate(get_settings())
    console.print("database schema is up to date")


@app.command()
def reindex() -> None:
    """Rebuild the search index from the database and blob store, then swap it in with no gap."""
    backends, _queue = _start()
    with unit_of_work(backends.settings) as session:
        version = backends.index.rebuild(documents.indexed_page_entries(session))
    console.print(f"search index rebuilt: {version}")


operations.register(app)
people.register(app)
audit.register(app)
import_cases.register(app)

if __name__ == "__main__":
    app()

"""`casefile backup DIR` and `casefile restore DIR`: a consistent copy of the metadata and the originals.

A backup directory holds:
- `database.dump` (PostgreSQL: `pg_dump -Fc`) or `database.sqlite` (the embedded database: SQLite's online backup);
- `blobs/<key>`: every original the database refers to, byte for byte;
- `manifest.json`, written last: the database file's and every blob's size and SHA-256, and the schema revision.
  A directory without it is an unfinished backup, and restore refuses it.

Consistency: the database is copied from one snapshot (PostgreSQL exports the snapshot of the transaction that
reads the blob keys, and `pg_dump --snapshot` dumps exactly that; SQLite's backup API copies one read transaction),
then the blobs that snapshot refers to are copied. Originals are content-addressed and never change, so blobs stored
after the snapshot are simply not part of this backup.

The search index is not copied: it is derived data, rebuilt from the restored database (as `casefile reindex` does).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, make_url, text
from sqlalchemy.engine import URL

from core.backends import Backends
from core.db import alembic_config, get_engine, migrate, new_session
from core.errors import NotFound
from ingest.service import indexed_page_entries
from storage.base import StoredBlob, hash_blob


def _log() -> structlog.typing.FilteringBoundLogger:
    # Resolved at each call, not cached: the CLI sends log lines to stderr while its command runs.
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(__name__)
    return logger


FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BLOBS_DIR = "blobs"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite"
CHUNK = 1024 * 1024

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    directory: Path
    database: str  # postgresql | sqlite
    documents: int
    blobs: int
    bytes: int
    # Originals the database refers to that could not be copied: the backup is incomplete without them.
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.corrupt


@dataclass
class RestoreResult:
    database: str
    documents: int
    blobs: int
    index_version: str | None


# --- backup -------------------------------------------------------------------------------------------------


def backup(
    backends: Backends, directory: Path, *, pg_bin_dir: Path | None = None, progress: Progress | None = None
) -> BackupResult:
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new directory")
    directory.mkdir(parents=True, exist_ok=True)
    url = make_url(backends.settings.resolved_database_url)
    kind = _database_kind(url)
    if kind == "postgresql":
        database_file = directory / POSTGRES_DUMP
        with _postgres_snapshot(url) as (connection, snapshot):
            _pg_dump(url, snapshot, database_file, _binary("pg_dump", pg_bin_dir))
            references, revision = _references(connection)
    else:
        database_file = directory / SQLITE_COPY
        _sqlite_copy(_sqlite_path(url), database_file)
        with _sqlite_connection(database_file) as connection:
            references, revision = _references(connection)

    result = BackupResult(directory, kind, documents=references.documents, blobs=0, bytes=0)
    blobs: list[dict[str, Any]] = []
    keys = sorted(references.blobs)
    for done, key in enumerate(keys, start=1):
        expected_size, expected_sha256 = references.blobs[key]
        target = _blob_path(directory, key)
        try:
            size, sha256 = _copy_blob(backends, key, target)
        except NotFound:
            result.missing.append(key)
            _log().warning("backup.original_missing", key=key)
            continue
        if (size, sha256) != (expected_size, expected_sha256):
            target.unlink()
            result.corrupt.append(key)
            _log().warning("backup.original_corrupt", key=key, sha256=sha256, expected=expected_sha256)
            continue
        blobs.append({"key": key, "size": size, "sha256": sha256})
        result.blobs += 1
        result.bytes += size
        if progress is not None:
            progress("originals", done, len(keys))

    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "database": {
            "kind": kind,
            "file": database_file.name,
            "size": database_file.stat().st_size,
            "sha256": _file_sha256(database_file),
            "schema_revision": revision,
        },
        "documents": references.documents,
        "blobs": blobs,
        "missing": result.missing,
        "corrupt": result.corrupt,
    }
    _write_atomically(directory / MANIFEST, json.dumps(manifest, indent=1).encode())
    _log().info(
        "backup.finished", directory=str(directory), database=kind, documents=result.documents, blobs=result.blobs
    )
    return result


@dataclass(frozen=True)
class _References:
    documents: int
    blobs: dict[str, tuple[int, str]]  # key -> (size, sha256) as the rows record them


def _references(connection: Connection | sqlite3.Connection) -> tuple[_References, str | None]:
    """The blob keys and the schema revision, read from the same snapshot as the database copy."""
    rows = _fetch(connection, "SELECT storage_key, size, sha256 FROM documents")
    revision_rows = _fetch(connection, "SELECT version_num FROM alembic_version")
    blobs = {str(key): (int(size), str(sha256)) for key, size, sha256 in rows}
    return _References(documents=len(rows), blobs=blobs), (str(revision_rows[0][0]) if revision_rows else None)


def _fetch(connection: Connection | sqlite3.Connection, query: str) -> list[tuple[Any, ...]]:
    if isinstance(connection, sqlite3.Connection):
        return connection.execute(query).fetchall()
    return [tuple(row) for row in connection.execute(text(query))]


@contextmanager
def _postgres_snapshot(url: URL) -> Iterator[tuple[Connection, str]]:
    """A read-only repeatable-read transaction and its exported snapshot id; it stays open while pg_dump uses it."""
    engine = get_engine(url.render_as_string(hide_password=False))
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        connection.execute(text("SET TRANSACTION READ ONLY"))
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        yield connection, str(snapshot)
        connection.rollback()  # nothing was written


def _pg_dump(url: URL, snapshot: str, target: Path, binary: str) -> None:
    _run([binary, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
          f"--file={target}", f"--dbname={_libpq_uri(url)}"], url)  # fmt: skip


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    with _sqlite_connection(source) as live, _sqlite_connection(target) as copy:
        live.backup(copy)  # one step: a single read transaction, so a consistent copy while the API writes


@contextmanager
def _sqlite_connection(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def _copy_blob(backends: Backends, key: str, target: Path) -> tuple[int, str]:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest, size = hashlib.sha256(), 0
    try:
        with open(partial, "wb") as handle:
            for chunk in backends.store.read_range(key):
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return size, digest.hexdigest()


# --- restore ------------------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: it is not a finished Casefile backup")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"backup format {manifest.get('format')!r} is not supported (expected {FORMAT_VERSION})")
    return manifest


def check_backup(directory: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Read the manifest and check every file in the backup against it; raise BackupError on the first mismatch."""
    manifest = read_manifest(directory)
    database = manifest["database"]
    if _file_sha256(directory / database["file"]) != database["sha256"]:
        raise BackupError(f"{database['file']} does not match the manifest: the backup is damaged")
    for done, blob in enumerate(manifest["blobs"], start=1):
        path = _blob_path(directory, blob["key"])
        if not path.is_file() or path.stat().st_size != blob["size"] or _file_sha256(path) != blob["sha256"]:
            raise BackupError(f"blob {blob['key']} is missing or damaged in the backup")
        if progress is not None:
            progress("checking", done, len(manifest["blobs"]))
    return manifest


def restore(
    backends: Backends,
    directory: Path,
    *,
    pg_bin_dir: Path | None = None,
    reindex: bool = True,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Restore into an empty install: check the backup, put the originals back, then the database, bring the
    schema up to date, and rebuild the index from the database."""
    manifest = check_backup(directory, progress)
    settings = backends.settings
    url = make_url(settings.resolved_database_url)
    kind = _database_kind(url)
    database = manifest["database"]
    if database["kind"] != kind:
        raise BackupError(
            f"this is a backup of a {database['kind']} database, and this install uses {kind}: point "
            f"CASEFILE_DATABASE_URL at an empty {database['kind']} database"
        )
    _check_revision(settings, database.get("schema_revision"))
    _check_empty(settings.resolved_database_url)
    restore_binary = _binary("pg_restore", pg_bin_dir) if kind == "postgresql" else ""
    if dry_run:
        return RestoreResult(kind, manifest["documents"], len(manifest["blobs"]), None)

    # Originals first: a restored row never points at bytes that are not there yet.
    for done, blob in enumerate(manifest["blobs"], start=1):
        backends.store.put(
            blob["key"], _blob_path(directory, blob["key"]), StoredBlob(blob["key"], blob["size"], blob["sha256"])
        )
        if progress is not None:
            progress("originals", done, len(manifest["blobs"]))

    engine = get_engine(settings.resolved_database_url)
    engine.dispose()  # no pooled connection may hold the database while it is replaced
    if kind == "postgresql":
        _run([restore_binary, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={_libpq_uri(url)}", str(directory / database["file"])], url)  # fmt: skip
    else:
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _sqlite_connection(directory / database["file"]) as source, _sqlite_connection(target) as live:
            source.backup(live)
    engine.dispose()
    migrate(settings)  # a backup from an older release gets the newer schema

    version = None
    if reindex:
        backends.index.ensure_ready()
        with new_session(settings) as session:  # read only
            version = backends.index.rebuild(indexed_page_entries(session))
    _log().info("restore.finished", directory=str(directory), documents=manifest["documents"], index=version)
    return RestoreResult(kind, manifest["documents"], len(manifest["blobs"]), version)


def restore_originals(backends: Backends, directory: Path, progress: Progress | None = None) -> tuple[int, int]:
    """Put back the originals a live install has lost or holds corrupt (what `casefile verify` reports), from a
    backup, touching nothing else. Originals are content-addressed, so this is safe on a live install. Returns
    (restored, already intact)."""
    manifest = check_backup(directory, progress)
    restored = intact = 0
    for done, blob in enumerate(manifest["blobs"], start=1):
        if progress is not None:
            progress("originals", done, len(manifest["blobs"]))
        key = blob["key"]
        try:
            if hash_blob(backends.store, key) == (blob["size"], blob["sha256"]):
                intact += 1
                continue
            backends.store.delete(key)  # corrupt: a store never overwrites an existing original
        except NotFound:
            pass
        backends.store.put(key, _blob_path(directory, key), StoredBlob(key, blob["size"], blob["sha256"]))
        restored += 1
        _log().info("restore.original_put_back", key=key)
    return restored, intact


def _check_revision(settings: Any, revision: str | None) -> None:
    if revision is None:
        return
    script = ScriptDirectory.from_config(alembic_config(settings))
    try:
        script.get_revision(revision)
    except Exception as error:
        raise BackupError(
            f"the backup's schema ({revision}) is newer than this Casefile knows: restore it with a release at least "
            "as new as the one that made it"
        ) from error


def _check_empty(database_url: str) -> None:
    engine = get_engine(database_url)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        counts = {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("cases", "documents")
            if table in tables
        }
    if any(counts.values()):
        held = ", ".join(f"{count} {table}" for table, count in counts.items())
        raise BackupError(f"this install is not empty ({held}): restore into a new, empty database")


# --- shared -------------------------------------------------------------------------------------------------


def _database_kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise BackupError(f"backups support PostgreSQL and SQLite, not {backend}")
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq_uri(url: URL) -> str:
    """The database as libpq names it, without the password (that goes in PGPASSWORD, not the process list)."""
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    env = os.environ | ({"PGPASSWORD": str(url.password)} if url.password else {})
    _log().info("ops.run", command=command[0], arguments=[arg for arg in command[1:] if not arg.startswith("--dbname")])
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed ({completed.returncode}): {completed.stderr.strip()[-2000:]}"
        )


def _binary(name: str, bin_dir: Path | None) -> str:
    found = shutil.which(name, path=str(bin_dir) if bin_dir else None)
    if found is None:
        where = f"in {bin_dir}" if bin_dir else "on PATH"
        raise BackupError(
            f"{name} was not found {where}: install the PostgreSQL client (Debian: postgresql-client-15), "
            "at least as new as the server"
        )
    return found


def _blob_path(directory: Path, key: str) -> Path:
    root = (directory / BLOBS_DIR).resolve()
    path = (root / key).resolve()
    if root not in path.parents:
        raise BackupError(f"blob key {key!r} would leave the backup directory")
    return path


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)

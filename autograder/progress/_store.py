"""The progress store: every graded cell's best and latest score, in SQLite.

One file, ``progress.db`` in the data directory (``COURSE_DATA_DIR``, by
default the platform's user-data folder), shared by every kernel and by the
``course`` command. It is opened in WAL mode and every change is one
``BEGIN IMMEDIATE`` transaction whose update is computed by SQLite itself
(``best = max(best, ?)``, ``attempts = attempts + 1``), so kernels writing at
the same time wait for each other and never lose an update.

A store that cannot be read (not a database, damaged pages, a damaged schema)
is never silently dropped: it is renamed to ``progress.db.broken-<time>``
beside the original, a fresh store is started, and :attr:`ProgressStore.recovery`
says what happened so the panel and the command line can tell the learner.

The schema has a version (SQLite's ``user_version``). :data:`MIGRATIONS` holds,
for each version, the statements that bring the previous version to it; a
store made by a newer course is refused with a clear message, and left as it is.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from autograder._errors import ProgressError
from autograder._settings import Settings, load_settings
from autograder.progress._outline import course_version

logger = logging.getLogger(__name__)

STORE_FILE = "progress.db"
"""The store's file name inside the data directory."""

BUSY_TIMEOUT = 30.0
"""Seconds a writer waits for another kernel's transaction to finish."""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE cell_scores (
            exercise TEXT NOT NULL,
            cell TEXT NOT NULL,
            best REAL NOT NULL,
            latest REAL NOT NULL,
            max_score REAL NOT NULL,
            attempts INTEGER NOT NULL,
            first_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (exercise, cell)
        )""",
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ),
}
"""Statements that bring the schema from version ``n - 1`` to ``n``."""

SCHEMA_VERSION = max(MIGRATIONS)
"""The schema version this course writes."""

TABLES = frozenset({"cell_scores", "meta"})

_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_UNREADABLE = ("SQLITE_CANTOPEN", "SQLITE_PERM")

_RECORD = """
INSERT INTO cell_scores
    (exercise, cell, best, latest, max_score, attempts, first_at, updated_at)
VALUES (:exercise, :cell, :score, :score, :max_score, 1, :now, :now)
ON CONFLICT (exercise, cell) DO UPDATE SET
    best = max(best, excluded.best),
    latest = excluded.latest,
    max_score = excluded.max_score,
    attempts = attempts + 1,
    updated_at = excluded.updated_at
"""

_MERGE = """
INSERT INTO cell_scores
    (exercise, cell, best, latest, max_score, attempts, first_at, updated_at)
VALUES (:exercise, :cell, :best, :latest, :max_score, :attempts, :first_at,
        :updated_at)
ON CONFLICT (exercise, cell) DO UPDATE SET
    best = max(best, excluded.best),
    latest = CASE WHEN excluded.updated_at > updated_at
                  THEN excluded.latest ELSE latest END,
    max_score = CASE WHEN excluded.updated_at > updated_at
                     THEN excluded.max_score ELSE max_score END,
    attempts = max(attempts, excluded.attempts),
    first_at = min(first_at, excluded.first_at),
    updated_at = max(updated_at, excluded.updated_at)
"""


def _now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """Format a moment as the store does: ISO 8601 in UTC, microseconds.

    Args:
        moment: An aware datetime.

    Returns:
        Text that sorts in time order.
    """
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class CellProgress:
    """What the store knows about one graded cell of one exercise.

    Attributes:
        exercise: Exercise id, such as ``01_pep8``.
        cell: Grade id of the graded cell.
        best: Best score any check of the cell gave.
        latest: Score of the most recent check.
        max_score: Points the cell is worth (as of the latest check).
        attempts: How many checks ran.
        first_at: When the first check ran (ISO 8601, UTC).
        updated_at: When the latest check ran (ISO 8601, UTC).
    """

    exercise: str
    cell: str
    best: float
    latest: float
    max_score: float
    attempts: int
    first_at: str
    updated_at: str


@dataclass(frozen=True)
class MergeResult:
    """What merging progress from elsewhere changed.

    Attributes:
        added: Cells the store had never seen.
        improved: Cells whose best score went up.
        unchanged: Cells where the store already had as good a score.
    """

    added: int
    improved: int
    unchanged: int


@dataclass(frozen=True)
class StoreRecovery:
    """A store that could not be read, and where it was kept.

    Attributes:
        path: The store.
        backup: Where the unreadable file was moved.
        reason: What was wrong with it.
    """

    path: Path
    backup: Path
    reason: str

    @property
    def message(self) -> str:
        """What happened and what to do, in the learner's words."""
        return (
            f"Your progress store {self.path} could not be read ({self.reason}). "
            f"It was kept as {self.backup.name} in the same folder, and a fresh "
            "store was started. If you exported your progress, import the file "
            "to bring it back."
        )


class _BrokenStoreError(Exception):
    """The file exists but is not a usable store (internal signal)."""


def store_path(settings: Settings | None = None) -> Path:
    """Return where the progress store lives for these settings.

    Args:
        settings: The engine's settings; read from the environment if omitted.

    Returns:
        ``<data_dir>/progress.db``.
    """
    return (settings or load_settings()).data_dir / STORE_FILE


class ProgressStore:
    """The learner's progress, per graded cell, in one SQLite file.

    A store may be used from several threads; every kernel and process opens
    its own. Nothing is created until something is written: reading a store
    that does not exist yet gives no progress.

    Args:
        path: The database file.
        clock: Gives the current time; a seam for tests.
    """

    def __init__(self, path: Path, clock: Callable[[], datetime] = _now) -> None:
        """Prepare the store; the file is opened on first use."""
        self.path = path
        self.clock = clock
        self.recovery: StoreRecovery | None = None
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None
        self._inode: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ProgressStore:
        """Open the store in the configured data directory.

        Args:
            settings: The engine's settings; read from the environment if omitted.

        Returns:
            The store.
        """
        return cls(store_path(settings))

    # -- opening -----------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            _ensure_wal(connection)
            connection.execute("PRAGMA synchronous=NORMAL")
            _check_integrity(connection)
            self._migrate(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _migrate(self, connection: sqlite3.Connection) -> None:
        connection.execute("BEGIN IMMEDIATE")
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            _check_version(self.path, version)
            for step in range(version + 1, SCHEMA_VERSION + 1):
                logger.info("migrating %s to schema %d", self.path, step)
                for statement in MIGRATIONS[step]:
                    connection.execute(statement)
            if version < SCHEMA_VERSION:
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
                connection.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('created_by', ?)",
                    (course_version(),),
                )
            _check_tables(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ProgressError(
                self.path.parent,
                f"the progress folder cannot be created ({error.strerror}); "
                "set COURSE_DATA_DIR to a folder you can write to",
            ) from error
        inode = _inode(self.path)
        try:
            return self._connect()
        except _BrokenStoreError as error:
            reason = str(error)
        except sqlite3.DatabaseError as error:
            name = getattr(error, "sqlite_errorname", "")
            if not name.startswith(_CORRUPT + _UNREADABLE) or inode is None:
                raise ProgressError(self.path, f"cannot be used: {error}") from error
            reason = str(error)
        self._set_aside(inode, reason)
        try:
            return self._connect()
        except (sqlite3.DatabaseError, _BrokenStoreError) as error:
            raise ProgressError(
                self.path, f"a fresh store cannot be started either: {error}"
            ) from error

    def _set_aside(self, inode: int | None, reason: str) -> None:
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        number = 1
        while backup.exists():
            number += 1
            backup = self.path.with_name(f"{self.path.name}.broken-{stamp}-{number}")
        if _inode(self.path) != inode:
            logger.info("another process already replaced %s", self.path)
            return
        try:
            for suffix in ("", "-wal", "-shm"):
                source = Path(f"{self.path}{suffix}")
                if source.exists():
                    source.rename(Path(f"{backup}{suffix}"))
        except OSError as error:
            raise ProgressError(
                self.path,
                f"cannot be read ({reason}) and cannot be moved aside "
                f"({error.strerror}); move it away yourself to start afresh",
            ) from error
        self.recovery = StoreRecovery(self.path, backup, reason)
        logger.warning("%s", self.recovery.message)

    def _existing(self) -> sqlite3.Connection | None:
        if self._connection is None and not self.path.exists():
            return None
        return self._opened()

    def _opened(self) -> sqlite3.Connection:
        if self._connection is not None and _inode(self.path) != self._inode:
            logger.info("%s was replaced by another process: reopening", self.path)
            self._connection.close()
            self._connection = None
        if self._connection is None:
            self._connection = self._open()
            self._inode = _inode(self.path)
        return self._connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._opened()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def close(self) -> None:
        """Close the database connection (it reopens on next use)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- reading -----------------------------------------------------------------

    def cells(self) -> list[CellProgress]:
        """Return the progress of every graded cell ever checked.

        Returns:
            One entry per exercise and cell, sorted by exercise then cell.

        Raises:
            ProgressError: The store cannot be opened or recovered.
        """
        with self._lock:
            connection = self._existing()
            if connection is None:
                return []
            rows = connection.execute(
                "SELECT exercise, cell, best, latest, max_score, attempts, "
                "first_at, updated_at FROM cell_scores ORDER BY exercise, cell"
            ).fetchall()
        return [CellProgress(*row) for row in rows]

    def learner(self) -> str:
        """Return the learner's name as saved for exports (empty if never set)."""
        with self._lock:
            connection = self._existing()
            if connection is None:
                return ""
            row = connection.execute(
                "SELECT value FROM meta WHERE key = 'learner'"
            ).fetchone()
        return str(row[0]) if row else ""

    # -- writing -----------------------------------------------------------------

    def set_learner(self, name: str) -> None:
        """Save the learner's name, which exports carry.

        Args:
            name: The name; surrounding spaces are dropped.
        """
        with self._write() as connection:
            connection.execute(
                "INSERT INTO meta VALUES ('learner', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (name.strip(),),
            )

    def record(self, exercise: str, cell: str, score: float, max_score: float) -> None:
        """Record one check of one graded cell.

        The best score is kept, the latest replaced, the attempts counted.

        Args:
            exercise: Exercise id, such as ``01_pep8``.
            cell: Grade id of the graded cell.
            score: Points the check gave.
            max_score: Points the cell is worth.

        Raises:
            ProgressError: The store cannot be opened or recovered.
        """
        values = {
            "exercise": exercise,
            "cell": cell,
            "score": float(score),
            "max_score": float(max_score),
            "now": timestamp(self.clock()),
        }
        with self._write() as connection:
            connection.execute(_RECORD, values)

    def merge(self, entries: Iterable[CellProgress]) -> MergeResult:
        """Merge progress from elsewhere (an export), in one transaction.

        For each cell the best score is the better of the two, the latest is
        the more recent one, and attempts are the larger count; merging the
        same entries twice changes nothing.

        Args:
            entries: Cells' progress to merge in.

        Returns:
            What changed.

        Raises:
            ProgressError: The store cannot be opened or recovered.
        """
        added = improved = unchanged = 0
        with self._write() as connection:
            for entry in entries:
                row = connection.execute(
                    "SELECT best FROM cell_scores WHERE exercise = ? AND cell = ?",
                    (entry.exercise, entry.cell),
                ).fetchone()
                if row is None:
                    added += 1
                elif entry.best > row[0]:
                    improved += 1
                else:
                    unchanged += 1
                connection.execute(_MERGE, vars(entry))
        return MergeResult(added, improved, unchanged)


def _check_integrity(connection: sqlite3.Connection) -> None:
    (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
    if verdict != "ok":
        raise _BrokenStoreError(f"damaged: {verdict}")


def _check_version(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise ProgressError(
            path,
            f"this store was written by a newer version of the course "
            f"(schema {version}; this version reads up to {SCHEMA_VERSION}). "
            "Update the course; the store is left as it is.",
        )


def _check_tables(connection: sqlite3.Connection) -> None:
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    missing = ", ".join(sorted(TABLES - tables))
    if missing:
        raise _BrokenStoreError(f"schema damaged: no table {missing}")


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _ensure_wal(connection: sqlite3.Connection) -> None:
    """Put the store in write-ahead-log mode, once, whoever else is writing.

    Setting the journal mode takes a lock that SQLite's busy handler does
    not wait for, so a process opening the store while another writes could
    fail at once with "database is locked". The mode is persistent: read it
    first and set it only on a new store, retrying while the lock is held.

    Args:
        connection: A new connection to the store.

    Raises:
        sqlite3.OperationalError: The store stayed locked for
            ``BUSY_TIMEOUT`` seconds, or another error.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
        else:
            return

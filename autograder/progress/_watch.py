"""Notice changes to the progress store made by any process, cheaply.

A :class:`StoreWatcher` runs one daemon thread per store file in a kernel. Once
a second it asks SQLite for ``PRAGMA data_version``, which changes when another
connection commits, and calls its callbacks when it did (or when the file was
replaced, as after a recovery). A check in the same kernel wakes it at once
with :meth:`StoreWatcher.poke`. The thread ends when the last callback is
removed, and at interpreter exit.
"""

from __future__ import annotations

import atexit
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
"""Seconds between two looks at the store."""

Callback = Callable[[], None]


class StoreWatcher:
    """Calls back when the store at a path changes.

    Args:
        path: The store's file (it may not exist yet).
        interval: Seconds between two looks.
    """

    def __init__(self, path: Path, interval: float = POLL_INTERVAL) -> None:
        """Prepare the watcher; the thread starts with the first callback."""
        self.path = path
        self.interval = interval
        self._callbacks: list[Callback] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: sqlite3.Connection | None = None
        self._inode: int | None = None

    @property
    def running(self) -> bool:
        """Whether the polling thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def add(self, callback: Callback) -> None:
        """Call ``callback`` (from the watcher's thread) on every change.

        Args:
            callback: Takes no arguments; its exceptions are logged and ignored.
        """
        with self._lock:
            self._callbacks.append(callback)
            if not self.running:
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name=f"progress-watch:{self.path}", daemon=True
                )
                self._thread.start()

    def remove(self, callback: Callback) -> None:
        """Stop calling ``callback``; stop the thread if it was the last.

        Args:
            callback: A callback given to :meth:`add`.
        """
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)
            last = not self._callbacks
        if last:
            self.stop()

    def poke(self) -> None:
        """Look at the store now rather than at the next tick."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread and wait for it.

        Args:
            timeout: Seconds to wait for the thread to end.
        """
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _version(self) -> tuple[int | None, int | None]:
        try:
            inode: int | None = os.stat(self.path).st_ino
        except OSError:
            inode = None
        if inode != self._inode and self._connection is not None:
            self._connection.close()
            self._connection = None
        self._inode = inode
        if inode is None:
            return None, None
        try:
            if self._connection is None:
                uri = Path(os.path.abspath(self.path)).as_uri()
                self._connection = sqlite3.connect(
                    f"{uri}?mode=rw", uri=True, isolation_level=None
                )
            (version,) = self._connection.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            logger.debug("cannot read the data version of %s", self.path, exc_info=True)
            return inode, None
        return inode, int(version)

    def _run(self) -> None:
        last = self._version()
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            poked = self._wake.is_set()
            self._wake.clear()
            if self._stop.is_set():
                break
            now = self._version()
            if now == last and not poked:
                continue
            last = now
            with self._lock:
                callbacks = list(self._callbacks)
            for callback in callbacks:
                try:
                    callback()
                except Exception:
                    logger.warning("progress update failed", exc_info=True)
        if self._connection is not None:
            self._connection.close()
            self._connection = None


_watchers: dict[Path, StoreWatcher] = {}
_watchers_lock = threading.Lock()


def watcher_for(path: Path) -> StoreWatcher:
    """Return this process's watcher of a store, creating it once.

    Args:
        path: The store's file.

    Returns:
        The watcher.
    """
    with _watchers_lock:
        watcher = _watchers.get(path)
        if watcher is None:
            watcher = _watchers[path] = StoreWatcher(path)
        return watcher


def poke_watchers() -> None:
    """Wake every watcher of this process (after this process wrote)."""
    with _watchers_lock:
        watchers = list(_watchers.values())
    for watcher in watchers:
        watcher.poke()


@atexit.register
def _stop_all() -> None:
    with _watchers_lock:
        watchers = list(_watchers.values())
    for watcher in watchers:
        watcher.stop(timeout=1.0)

"""The client side of the warm worker: start it once, send jobs, read results."""

from __future__ import annotations

import atexit
import json
import logging
import os
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from autograder._errors import WorkerError
from autograder._settings import Settings
from autograder.checks import CheckResult
from autograder.feedback import Finding
from autograder.runner._job import Job

logger = logging.getLogger(__name__)

_STARTUP_SECONDS = 60.0


class WorkerClient:
    """Talks to one warm worker process, starting (or restarting) it on demand.

    The worker's own error output goes to ``worker.log`` in the cache folder,
    never to the notebook: nbgrader scores a cell zero for any stderr output.

    Args:
        settings: The engine's settings.
    """

    def __init__(self, settings: Settings) -> None:
        """Prepare a client; the worker starts on first use or :meth:`start`."""
        self.settings = settings
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        atexit.register(self.close)

    def start(self) -> None:
        """Start the worker if it is not running; returns before it is warm."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> subprocess.Popen[str]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self.settings.cache_dir.mkdir(parents=True, exist_ok=True)
        log_path = Path(self.settings.cache_dir) / "worker.log"
        with log_path.open("a", encoding="utf-8") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "autograder.runner._worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env={
                    **os.environ,
                    **self.settings.to_env(),
                    "PYTHONDONTWRITEBYTECODE": "1",
                },
            )
        logger.debug("started grading worker %s", self._process.pid)
        self._ready = False
        return self._process

    def _read_line(self, stream: IO[str], timeout: float) -> str:
        selector = selectors.DefaultSelector()
        selector.register(stream, selectors.EVENT_READ)
        try:
            if not selector.select(timeout):
                raise WorkerError(f"the grading worker gave no answer in {timeout:g} s")
        finally:
            selector.close()
        line = stream.readline()
        if not line:
            raise WorkerError("the grading worker stopped unexpectedly")
        return line

    def _exchange(self, payload: dict[str, Any]) -> dict[str, Any]:
        process = self._ensure_started()
        assert process.stdin is not None  # noqa: S101 - set by Popen(PIPE)
        assert process.stdout is not None  # noqa: S101
        if not self._ready:
            started = time.monotonic()
            ready = json.loads(self._read_line(process.stdout, _STARTUP_SECONDS))
            self._ready = bool(ready.get("ready"))
            logger.debug("worker ready in %.2f s", time.monotonic() - started)
        process.stdin.write(json.dumps(payload) + "\n")
        process.stdin.flush()
        timeout = self.settings.check_timeout + 15
        reply: dict[str, Any] = json.loads(self._read_line(process.stdout, timeout))
        return reply

    def run(self, job: Job) -> dict[int, CheckResult]:
        """Run a job in the worker.

        Args:
            job: The job.

        Returns:
            A result per check of the job.

        Raises:
            WorkerError: The worker died, hung or answered nonsense; it is
                stopped so that the next job starts a fresh one.
        """
        with self._lock:
            try:
                reply = self._exchange({"job": job.to_dict()})
            except (OSError, ValueError, WorkerError) as error:
                self._stop()
                if isinstance(error, WorkerError):
                    raise
                raise WorkerError(f"lost the grading worker: {error}") from error
        if "error" in reply:
            raise WorkerError(reply["error"])
        return {
            int(index): CheckResult(
                float(body["fraction"]),
                tuple(Finding.from_dict(item) for item in body["findings"]),
            )
            for index, body in reply["results"].items()
        }

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def close(self) -> None:
        """Stop the worker, if it runs."""
        with self._lock:
            self._stop()

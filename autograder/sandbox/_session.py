"""The trusted side of the sandbox: start a supervisor, send jobs, check replies.

A :class:`SandboxSession` grades one submission: it starts the supervisor in
the sandbox, hands it a fresh key over a pipe (never in its environment or a
file), sends one job per graded cell, and accepts only replies sealed with
that key whose results fit the job. Its :meth:`~SandboxSession.run` has the
engine's runner signature, so ``grade_cell(..., runner=session.run)`` grades
in the sandbox.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from autograder._errors import WorkerError
from autograder._settings import Settings
from autograder.checks import CheckResult
from autograder.feedback import Finding, load_catalogue, make_finding
from autograder.runner import Job
from autograder.sandbox._backend import Backend, bwrap_command, detect_backend
from autograder.sandbox._channel import new_key, unseal
from autograder.sandbox._limits import processes_of_user

logger = logging.getLogger(__name__)

STARTUP_SECONDS = 60.0


def _sandbox_env(settings: Settings, backend: Backend, home: Path) -> dict[str, str]:
    path = os.pathsep.join(
        [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
    )
    return {
        **settings.to_env(),
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "COURSE_SANDBOX_BACKEND": backend.name,
    }


class SandboxSession:
    """One supervisor in one sandbox, for the cells of one submission.

    Args:
        settings: Limits and caches.
        hidden: Folders learner code must never see (the course root, the
            exchange); the current folder when omitted.
        backend: The sandbox; chosen by ``settings.sandbox`` when omitted.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        hidden: tuple[Path, ...] | None = None,
        backend: Backend | None = None,
    ) -> None:
        """Prepare the session; the supervisor starts on first use."""
        self.settings = settings
        self.hidden = tuple(p.resolve() for p in (hidden or (Path.cwd(),)))
        self.backend = backend or detect_backend(settings.sandbox)
        self._process: subprocess.Popen[str] | None = None
        self._key = b""
        self._scratch: Path | None = None
        self._lock = threading.Lock()
        self._count = 0
        self.landlock = 0

    def __enter__(self) -> SandboxSession:
        """Start the supervisor."""
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the supervisor."""
        self.close()

    # --- life cycle -----------------------------------------------------------

    def start(self) -> None:
        """Start the supervisor in the sandbox, and wait until it is ready.

        Raises:
            WorkerError: It did not start, or its first line was not sealed.
        """
        if self._process is not None:
            return
        self._key = new_key()
        self._scratch = Path(tempfile.mkdtemp(prefix="course-sandbox-"))
        cache = self.settings.mypy_cache_dir
        cache.mkdir(parents=True, exist_ok=True)
        key_read, key_write = os.pipe()
        own_namespace = self.backend.name == "bwrap"
        argv = [
            sys.executable,
            "-m",
            "autograder.sandbox._supervisor",
            "--key-fd",
            str(key_read),
            *(["--own-namespace"] if own_namespace else []),
        ]
        env = _sandbox_env(self.settings, self.backend, self._scratch)
        if self.backend.name == "bwrap":
            argv = bwrap_command(
                self.backend,
                argv,
                scratch=self._scratch,
                writable=(cache,),
                hidden=self.hidden,
                env=env,
                keep_fd=key_read,
            )
        log_path = self.settings.cache_dir / "sandbox.log"
        try:
            with log_path.open("a", encoding="utf-8") as log:
                self._process = subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    env=env,
                    cwd=self._scratch,
                    pass_fds=(key_read,),
                    start_new_session=True,
                )
        finally:
            os.close(key_read)
        os.write(key_write, self._key)
        os.close(key_write)
        ready = self._reply(STARTUP_SECONDS)
        if not ready.get("ready"):
            self.close()
            raise WorkerError("the sandbox supervisor did not start")
        self.landlock = int(ready.get("landlock") or 0)
        logger.debug(
            "sandbox supervisor ready (%s, landlock ABI %s)",
            ready.get("backend"),
            self.landlock,
        )

    def close(self) -> None:
        """Stop the supervisor and remove the scratch folder."""
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    # --- exchange -------------------------------------------------------------

    def _reply(self, timeout: float) -> dict[str, Any]:
        process = self._process
        if process is None or process.stdout is None:
            raise WorkerError("the sandbox supervisor is not running")
        line = _read_line(process.stdout, timeout)
        try:
            return unseal(self._key, line)
        except ValueError as error:
            self.close()
            raise WorkerError(
                f"the sandbox's reply failed its integrity check: {error}"
            ) from error

    def run(self, job: Job) -> dict[int, CheckResult]:
        """Run one job in the sandbox.

        Args:
            job: The checks of one graded cell.

        Returns:
            A result per check of the job.

        Raises:
            WorkerError: The supervisor died, hung, or answered something
                unsealed or not fitting the job; the session is closed.
        """
        with self._lock:
            self.start()
            process = self._process
            assert process is not None  # noqa: S101 - start() set it
            assert process.stdin is not None  # noqa: S101
            self._count += 1
            request = {
                "id": self._count,
                "job": job.to_dict(),
                "nproc": processes_of_user() + self.settings.process_limit,
                "hidden": [str(path) for path in self.hidden],
            }
            try:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
            except OSError as error:
                self.close()
                raise WorkerError(f"lost the sandbox supervisor: {error}") from error
            budget = 2 * (self.settings.check_timeout + 5) + 5
            reply = self._reply(budget)
        if "error" in reply:
            raise WorkerError(str(reply["error"]))
        if reply.get("id") != self._count:
            self.close()
            raise WorkerError("the sandbox answered a different job")
        return _validated(job, reply.get("results"))


def _read_line(stream: IO[str], timeout: float) -> str:
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        if not selector.select(max(0.0, deadline - time.monotonic())):
            raise WorkerError(f"the sandbox gave no answer in {timeout:g} s")
    finally:
        selector.close()
    line = stream.readline()
    if not line:
        raise WorkerError("the sandbox supervisor stopped unexpectedly")
    return line


def _validated(job: Job, results: object) -> dict[int, CheckResult]:
    """Accept results only if they fit the job exactly and use known findings."""
    if not isinstance(results, dict) or {str(i) for i in job.checks} != set(results):
        raise WorkerError("the sandbox's results do not match the job")
    known = load_catalogue()
    checked: dict[int, CheckResult] = {}
    for index in job.checks:
        body = results[str(index)]
        try:
            fraction = float(body["fraction"])
            findings = tuple(Finding.from_dict(item) for item in body["findings"])
        except (KeyError, TypeError, ValueError) as error:
            raise WorkerError(
                f"the sandbox sent an unreadable result: {error}"
            ) from error
        if not 0.0 <= fraction <= 1.0:
            raise WorkerError(f"the sandbox sent a score share of {fraction}")
        unknown = [
            f.id for f in findings if f.id not in known and _family(f.id) not in known
        ]
        if unknown:
            findings = (
                make_finding("sandbox.failed", reason=f"unknown findings {unknown}"),
            )
            fraction = 0.0
        checked[index] = CheckResult(fraction, findings)
    return checked


def _family(finding_id: str) -> str:
    return finding_id.rsplit(".", 1)[0] + ".*"

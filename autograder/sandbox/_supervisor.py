"""The supervisor: the process inside the sandbox that runs jobs in children.

Started by :class:`~autograder.sandbox.SandboxSession` as
``python -m autograder.sandbox._supervisor --key-fd N`` (inside bubblewrap
where it works). It reads the session key from fd ``N``, forbids other
processes to read its memory, imports the tools once, and then answers one
job per input line with one sealed line. Each job runs in up to two forked
children — static checks in one, checks that run learner code in another —
with limits, a wall clock and a process watchdog; afterwards every process
the children left behind is killed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from autograder._settings import Settings, load_settings
from autograder.checks import CheckResult, build_check
from autograder.feedback import Finding, make_finding
from autograder.runner import Job
from autograder.runner._ending import Ending, ending_finding
from autograder.sandbox._channel import new_key, seal, unseal
from autograder.sandbox._child import child_main
from autograder.sandbox._guard import genuine_codes
from autograder.sandbox._landlock import abi_version
from autograder.sandbox._limits import set_undumpable

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02
MAX_PIPE_BYTES = 4 * 1024 * 1024
"""Result data one child may send; more is a limit hit."""

_SLACK_SECONDS = 1.0


def _pids() -> list[int]:
    with contextlib.suppress(OSError):
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    return []


def _session_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[3])


class Supervisor:
    """Runs jobs in limited children and seals what they found.

    Args:
        settings: Limits and caches.
        key: The session key (zeroed in every child before it runs a check).
        own_namespace: Whether this process's PID namespace holds only the
            sandbox (bubblewrap), so that every other process in it may be
            killed after a job.
        volatile: Harness bindings pytest changes by itself.
    """

    def __init__(
        self,
        settings: Settings,
        key: bytearray,
        *,
        own_namespace: bool,
        volatile: frozenset[str] = frozenset(),
    ) -> None:
        """Prepare the supervisor."""
        self.volatile = volatile
        self.settings = settings
        self.key = key
        self.own_namespace = own_namespace
        self.root = Path(tempfile.mkdtemp(prefix="course-jobs-"))

    # --- processes ----------------------------------------------------------

    def _others(self, child: int) -> list[int]:
        """Processes that belong to a child's work (for the watchdog and sweep)."""
        me = os.getpid()
        if self.own_namespace:
            return [pid for pid in _pids() if pid not in (1, me)]
        return [pid for pid in _pids() if pid != me and _session_of(pid) == child]

    def sweep(self, child: int) -> None:
        """Kill the child's process group and everything else it started."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child, signal.SIGKILL)
        for _ in range(50):
            left = self._others(child)
            if not left:
                return
            for pid in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            time.sleep(0.005)

    # --- one child ----------------------------------------------------------

    def run_child(
        self, job: Job, *, learner: bool, nproc: int | None, hidden: tuple[Path, ...]
    ) -> tuple[list[dict[str, Any]], list[str], Ending]:
        """Fork a child for a job and collect what it says.

        Returns:
            Sealed-and-checked events, tampering notes, and how it ended.
        """
        workdir = Path(tempfile.mkdtemp(prefix="job-", dir=self.root))
        child_key = new_key()
        if learner:
            genuine_codes()  # modules imported since the last child count as genuine
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit
            self.key[:] = bytes(len(self.key))
            secret = bytearray(child_key)
            del child_key  # the child's only copy is the one it hands over
            os.close(read_end)
            child_main(
                job,
                workdir,
                self.settings,
                write_end,
                secret,
                learner=learner,
                nproc=nproc,
                hidden=hidden,
                volatile=self.volatile,
            )
        os.close(write_end)
        try:
            data, ending = self._collect(pid, read_end)
        finally:
            os.close(read_end)
            self.sweep(pid)
            shutil.rmtree(workdir, ignore_errors=True)
        events, notes = _parse(data, child_key)
        return events, notes, ending

    def _collect(self, pid: int, fd: int) -> tuple[bytes, Ending]:  # noqa: C901
        deadline = time.monotonic() + self.settings.check_timeout + _SLACK_SECONDS
        chunks: list[bytes] = []
        size = 0
        limit = self.settings.process_limit
        open_pipe = True
        scan_every = POLL_SECONDS if self.own_namespace else 5 * POLL_SECONDS
        next_scan = 0.0
        done, status = 0, 0
        while True:
            if not done:
                done, status = os.waitpid(pid, os.WNOHANG)
            if done and not open_pipe:
                return b"".join(chunks), Ending(
                    status=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                    signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                )
            if time.monotonic() > deadline:
                return b"".join(chunks), self._stop(pid, done, Ending(timed_out=True))
            if time.monotonic() >= next_scan:
                next_scan = time.monotonic() + scan_every
                crowded = len(self._others(pid)) > limit + 1
            else:
                crowded = False
            if crowded:
                return b"".join(chunks), self._stop(
                    pid, done, Ending(too_many_processes=True)
                )
            if open_pipe and select.select([fd], [], [], POLL_SECONDS)[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    open_pipe = False
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_PIPE_BYTES:
                    return b"".join(chunks), self._stop(
                        pid, done, Ending(too_much_output=True)
                    )
            elif not open_pipe:
                time.sleep(POLL_SECONDS)

    def _stop(self, pid: int, reaped: int, ending: Ending) -> Ending:
        self.sweep(pid)
        if not reaped:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        return ending

    # --- a job --------------------------------------------------------------

    def run_job(
        self, job: Job, *, nproc: int | None, hidden: tuple[Path, ...]
    ) -> dict[int, CheckResult]:
        """Run a job: static checks in one child, learner-code checks in another.

        Args:
            job: The job.
            nproc: Process ceiling for learner children.
            hidden: Folders learner code must not open.

        Returns:
            A result per check of the job.
        """
        static = {
            i: s
            for i, s in job.checks.items()
            if not build_check(s.kind, s.options).runs_learner_code
        }
        dynamic = {i: s for i, s in job.checks.items() if i not in static}
        results: dict[int, CheckResult] = {}
        for part, learner in ((static, False), (dynamic, True)):
            if not part:
                continue
            sub = Job(checks=part, answers=job.answers, tests=job.tests)
            events, notes, ending = self.run_child(
                sub, learner=learner, nproc=nproc, hidden=hidden
            )
            results.update(interpret(sub, events, notes, ending, self.settings))
        return results


def _parse(data: bytes, key: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """Split a child's output into trusted events and tampering notes."""
    events: list[dict[str, Any]] = []
    notes: list[str] = []
    for raw in data.decode("utf-8", "replace").splitlines():
        if not raw.strip():
            continue
        if raw.startswith("{"):
            try:
                plain = json.loads(raw)
            except json.JSONDecodeError:
                notes.append("an unreadable line on the result channel")
                continue
            if isinstance(plain, dict) and isinstance(plain.get("tamper"), str):
                notes.append(plain["tamper"][:300])
            elif isinstance(plain, dict) and "result" not in plain:
                events.append(plain)
            else:
                notes.append("an unsealed result on the result channel")
            continue
        try:
            events.append(unseal(key, raw))
        except ValueError:
            notes.append("a forged result line on the result channel")
    return events, notes


def interpret(  # noqa: C901 - one branch per kind of event
    job: Job,
    events: list[dict[str, Any]],
    notes: list[str],
    ending: Ending,
    settings: Settings,
) -> dict[int, CheckResult]:
    """Turn a child's events, notes and ending into one result per check.

    Args:
        job: The checks the child ran.
        events: Its progress and sealed results.
        notes: Tampering it (or the guard in it) reported.
        ending: How it ended.
        settings: Limits, for messages.

    Returns:
        A result for every check of the job.
    """
    if notes:
        what = "; ".join(dict.fromkeys(notes))
        finding = make_finding("sandbox.tampered", what=what[:5000])
        return {index: CheckResult(0.0, (finding,)) for index in job.checks}
    results: dict[int, CheckResult] = {}
    where: dict[int, str] = {}
    started: list[int] = []
    for event in events:
        try:
            index = int(event["check"])
        except (KeyError, TypeError, ValueError):
            continue
        if index not in job.checks:
            continue
        if "result" in event:
            body = event["result"]
            fraction = min(1.0, max(0.0, float(body["fraction"])))
            findings = tuple(Finding.from_dict(f) for f in body["findings"])
            results[index] = CheckResult(fraction, findings)
        elif isinstance(event.get("test"), str):
            where[index] = f"`{event['test'][:100]}`"
        elif event.get("started"):
            started.append(index)
    unfinished = started[-1] if started and started[-1] not in results else None
    for index, spec in job.checks.items():
        if index in results:
            continue
        if index == unfinished:
            finding = ending_finding(ending, where.get(index, spec.kind), settings)
        else:
            finding = make_finding(
                "checks.skipped", check=spec.kind, reason="an earlier check was stopped"
            )
        results[index] = CheckResult(0.0, (finding,))
    return results


def _trivial_session(plugin: object) -> None:
    """Run pytest once on a trivial test, as a pytest check would."""
    import pytest

    from autograder.checks._pytest import PYTEST_ARGS

    with tempfile.TemporaryDirectory(prefix="warm-") as folder:
        test = Path(folder) / "test_warm.py"
        test.write_text("def test_warm():\n    assert True\n", encoding="utf-8")
        (Path(folder) / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        with open(os.devnull, "w", encoding="utf-8") as sink:
            saved = sys.stdout
            sys.stdout = sink
            try:
                pytest.main(
                    [
                        *PYTEST_ARGS,
                        f"--rootdir={folder}",
                        f"-c={folder}/pytest.ini",
                        str(test),
                    ],
                    plugins=[plugin],
                )
            finally:
                sys.stdout = saved


def preload() -> frozenset[str]:
    """Import and warm what every job needs, so that forked children start fast.

    Returns:
        The harness bindings pytest changes by itself in each session.
    """
    import _pytest.assertion.rewrite  # noqa: F401
    import pytest  # noqa: F401

    import autograder.checks
    import autograder.sandbox._pytest_guard  # noqa: F401
    from autograder.sandbox._guard import learn_volatile, prepare

    volatile = learn_volatile(_trivial_session)
    prepare()
    return volatile


def _results_payload(results: dict[int, CheckResult]) -> dict[str, Any]:
    return {
        str(index): {
            "fraction": result.fraction,
            "findings": [finding.to_dict() for finding in result.findings],
        }
        for index, result in results.items()
    }


def serve(requests: IO[str], replies: IO[str], supervisor: Supervisor) -> None:
    """Answer job lines with sealed result lines until the input closes.

    Args:
        requests: Lines ``{"id": n, "job": {...}, "nproc": n, "hidden": [...]}``.
        replies: Where sealed replies go.
        supervisor: The supervisor.
    """
    backend = os.environ.get("COURSE_SANDBOX_BACKEND", "unknown")
    ready = {"ready": True, "backend": backend, "landlock": abi_version()}
    replies.write(seal(supervisor.key, ready))
    replies.flush()
    for line in requests:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            job = Job.from_dict(request["job"])
            nproc = request.get("nproc")
            hidden = tuple(Path(p) for p in request.get("hidden", []))
        except (KeyError, TypeError, ValueError) as error:
            reply: dict[str, Any] = {"error": f"unreadable job: {error}"}
        else:
            results = supervisor.run_job(job, nproc=nproc, hidden=hidden)
            reply = {"id": request.get("id"), "results": _results_payload(results)}
        replies.write(seal(supervisor.key, reply))
        replies.flush()


def main(argv: list[str] | None = None) -> None:
    """Run the supervisor.

    Args:
        argv: Command-line arguments (``--key-fd N``).
    """
    parser = argparse.ArgumentParser(prog="autograder.sandbox._supervisor")
    parser.add_argument("--key-fd", type=int, required=True)
    parser.add_argument("--own-namespace", action="store_true")
    args = parser.parse_args(argv)
    set_undumpable()
    key = bytearray()
    while chunk := os.read(args.key_fd, 64):
        key.extend(chunk)
    os.close(args.key_fd)
    settings = load_settings()
    volatile = preload()
    supervisor = Supervisor(
        settings, key, own_namespace=args.own_namespace, volatile=volatile
    )
    try:
        serve(sys.stdin, sys.stdout, supervisor)
    finally:
        shutil.rmtree(supervisor.root, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - started by SandboxSession
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    main()

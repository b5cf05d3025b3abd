"""Run a job in a forked child with resource limits, and read what it left.

The child gets its own process group, a scratch folder as working directory,
``/dev/null`` for standard input and a file for its output, and limits on CPU
time and address space. The parent waits up to the wall-clock limit, kills
the whole group if it must, and turns the child's events into results; a
check the child did not finish becomes a finding that says why.
"""

from __future__ import annotations

import logging
import os
import resource
import select
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from autograder._settings import Settings
from autograder.checks import CheckResult
from autograder.feedback import Finding, make_finding
from autograder.runner._ending import Ending, ending_finding, limit
from autograder.runner._job import EventLog, Job, execute_job, read_events

logger = logging.getLogger(__name__)

_SLACK_SECONDS = 2


def _child(job: Job, workdir: Path, settings: Settings) -> None:
    """Body of the forked child; never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        output = os.open(workdir / "output.txt", os.O_WRONLY | os.O_CREAT, 0o600)
        os.dup2(devnull, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        limit(resource.RLIMIT_CPU, settings.cpu_limit)
        memory = settings.memory_limit_mb * 1024 * 1024
        limit(resource.RLIMIT_AS, memory)
        os.chdir(workdir)
        events = EventLog(workdir / "events.jsonl")
        execute_job(job, workdir, settings, events)
        events.close()
    except BaseException:
        logger.exception("grading child failed")
        code = 70
    finally:
        os._exit(code)


def _wait(pid: int, timeout: float) -> Ending:
    deadline = time.monotonic() + timeout
    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return Ending(
                    timed_out=False,
                    status=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                    signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill_group(pid)
                os.waitpid(pid, 0)
                return Ending(timed_out=True, status=None, signal=signal.SIGKILL)
            if pidfd is not None:
                select.select([pidfd], [], [], remaining)
            else:
                time.sleep(min(0.005, remaining))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        logger.debug("process group %s already gone", pid)


def interpret(
    job: Job, events: list[dict[str, Any]], ending: Ending, settings: Settings
) -> dict[int, CheckResult]:
    """Turn a child's events and ending into one result per check.

    Args:
        job: The job that ran.
        events: The events it wrote.
        ending: How it ended.
        settings: The limits it ran under, for messages.

    Returns:
        A result for every check of the job.
    """
    results: dict[int, CheckResult] = {}
    where: dict[int, str] = {}
    for event in events:
        index = int(event["check"])
        if "result" in event:
            findings = tuple(Finding.from_dict(f) for f in event["result"]["findings"])
            results[index] = CheckResult(float(event["result"]["fraction"]), findings)
        elif "test" in event:
            where[index] = f"`{event['test']}`"
    started = [int(e["check"]) for e in events if e.get("started")]
    unfinished = started[-1] if started and started[-1] not in results else None
    for index, spec in job.checks.items():
        if index in results:
            continue
        if index == unfinished:
            place = where.get(index, spec.kind)
            finding = ending_finding(ending, place, settings)
        else:
            finding = make_finding(
                "checks.skipped", check=spec.kind, reason="an earlier check was stopped"
            )
        results[index] = CheckResult(0.0, (finding,))
    return results


def run_isolated(job: Job, settings: Settings) -> dict[int, CheckResult]:
    """Run a job in a forked, limited child and collect its results.

    Args:
        job: The job.
        settings: Limits and cache locations.

    Returns:
        A result for every check of the job.
    """
    workdir = Path(tempfile.mkdtemp(prefix="course-check-"))
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit
            _child(job, workdir, settings)
        ending = _wait(pid, settings.check_timeout + _SLACK_SECONDS)
        _kill_group(pid)  # anything the learner's code left running
        events = read_events(workdir / "events.jsonl")
        logger.debug("job ended %s with %d events", ending, len(events))
        return interpret(job, events, ending, settings)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

"""The body of a grading child, forked by the supervisor inside the sandbox.

There are two kinds of child. A *static* child runs the checks that never
import the learner's code (ruff, mypy): it is trusted. A *learner* child runs
the checks that do (pytest): before any learner code runs it installs the
guard (:mod:`autograder.sandbox._guard`) and snapshots the harness.

A child writes lines to a pipe: progress (``{"check": i, "test": name}``)
as plain JSON, written at once so a kill cannot lose it, and results sealed
with a key made for the child. A static child seals them itself. In a learner
child only the warden holds the key (the child's copy is zeroed when the
guard is installed): the child asks it, from its main frame, for a one-time
nonce and then to seal each result; the warden compares the interpreter with
its snapshot first and writes tampering notes (``{"tamper": text}``) before
the sealed line. So learner code that writes to the pipe cannot pass its
lines off as results, and no frame holds the key.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from autograder._settings import Settings
from autograder.checks import Answer, CheckContext, build_check
from autograder.runner import Job
from autograder.sandbox._backend import SYSTEM_PATHS, readable_paths
from autograder.sandbox._channel import seal
from autograder.sandbox._guard import install_guard
from autograder.sandbox._landlock import restrict
from autograder.sandbox._limits import apply_limits, set_undumpable

_CAPABILITY_VERSION_3 = 0x20080522

PLUGIN = "autograder.sandbox._pytest_guard"
"""The pytest plugin that checks the harness around each test."""


def write_line(fd: int, payload: dict[str, Any]) -> None:
    """Write one plain JSON line to the result pipe, whole.

    Args:
        fd: The pipe.
        payload: The data.
    """
    data = (json.dumps(payload) + "\n").encode("utf-8")
    with contextlib.suppress(OSError):
        while data:
            data = data[os.write(fd, data) :]


def _redirect(workdir: Path, keep: int) -> None:
    """Standard input from /dev/null, output to a file; close every other fd."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    output = os.open(workdir / "output.txt", os.O_WRONLY | os.O_CREAT, 0o600)
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)


def _answers(job: Job, workdir: Path) -> dict[str, Answer]:
    written = {}
    for grade_id, (spec, source) in job.answers.items():
        path = workdir / spec.filename
        path.write_text(source, encoding="utf-8")
        written[grade_id] = Answer(spec=spec, source=source, path=path)
    return written


def child_main(  # noqa: PLR0913 - the whole state of a fresh child
    job: Job,
    workdir: Path,
    settings: Settings,
    fd: int,
    key: bytearray,
    *,
    learner: bool,
    nproc: int | None,
    hidden: tuple[Path, ...],
    volatile: frozenset[str] = frozenset(),
) -> None:
    """Run a job's checks in this (freshly forked) child, then exit.

    Args:
        job: The checks to run, all static or all running learner code.
        workdir: An empty scratch folder of its own.
        settings: The engine's settings and limits.
        fd: The write end of the result pipe.
        key: The key that seals results (handed to the warden, then zeroed,
            in a learner child).
        learner: Whether the checks run learner code (install the guard).
        nproc: Process ceiling for learner code, if any.
        hidden: Folders learner code must not open.
        volatile: Harness bindings pytest changes by itself.
    """
    audit = sys.audit  # bound before learner code can rebind it
    code = 0
    try:
        os.setsid()
        # Python ignores SIGXFSZ; a learner writing past the size limit is
        # stopped instead of seeing an error it could catch.
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        _redirect(workdir, fd)
        os.chdir(workdir)
        (workdir / "tmp").mkdir()
        os.environ.update({"TMPDIR": str(workdir / "tmp"), "HOME": str(workdir)})
        tempfile.tempdir = str(workdir / "tmp")
        sys.path.insert(0, str(workdir))
        answers = _answers(job, workdir)
        checks = {
            index: build_check(s.kind, s.options) for index, s in job.checks.items()
        }
        if learner:
            _prepare_learner(
                job,
                answers,
                workdir,
                settings,
                (fd, key, sys._getframe()),
                nproc,
                hidden,
                volatile,
            )
        else:
            apply_limits(settings, nproc=None)
        for index in sorted(checks):
            write_line(fd, {"check": index, "started": True})
            context = CheckContext(
                workdir=workdir,
                answer=answers[job.checks[index].answer],
                answers=answers,
                tests=job.tests,
                settings=settings,
                on_event=lambda event, i=index: write_line(fd, {"check": i, **event}),  # type: ignore[misc]
            )
            result = checks[index].run(context)
            body = {
                "fraction": result.fraction,
                "findings": [finding.to_dict() for finding in result.findings],
            }
            if learner:
                box: list[bytes] = []
                audit("course.nonce", index, box)
                audit("course.seal", index, box[0], body)
            else:
                os.write(fd, seal(key, {"check": index, "result": body}).encode())
        if learner:
            audit("course.check", "when the checks ended")
    except BaseException:  # noqa: BLE001 - whatever happened, the child must exit
        code = 70
        if learner:
            with contextlib.suppress(BaseException):
                audit("course.check", "when the child failed")
    finally:
        os._exit(code)


def _drop_root() -> None:
    """Without bubblewrap, never run learner code with root's powers.

    Clears every capability (effective, permitted, inheritable) with
    ``capset(2)``: the process keeps uid 0 but can no longer override file
    permissions, trace others, or exceed ``RLIMIT_NPROC``.
    """
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    libc = ctypes.CDLL(None, use_errno=True)
    header = Header(_CAPABILITY_VERSION_3, 0)
    data = (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def _prepare_learner(  # noqa: PLR0913, PLR0917
    job: Job,
    answers: dict[str, Answer],
    workdir: Path,
    settings: Settings,
    channel: tuple[int, bytearray, Any],
    nproc: int | None,
    hidden: tuple[Path, ...],
    volatile: frozenset[str],
) -> None:
    """Limit, confine and guard the process before learner code runs.

    Args:
        job: The job.
        answers: The answers, written as module files.
        workdir: The scratch folder.
        settings: Limits.
        channel: The result pipe, the sealing key and the frame that seals.
        nproc: Process ceiling.
        hidden: Folders learner code must never see.
        volatile: Harness bindings pytest changes by itself.
    """
    import autograder.sandbox._pytest_guard  # noqa: F401 - imported before the guard

    fd, key, sealer = channel
    os.environ["PYTEST_PLUGINS"] = PLUGIN
    if os.environ.get("COURSE_SANDBOX_BACKEND") == "rlimits" and os.geteuid() == 0:
        _drop_root()
    apply_limits(settings, nproc=nproc)
    set_undumpable()
    # The harness's own files in the scratch folder: learner code may neither
    # read nor replace the tests, nor add configuration or plugins for pytest.
    test_file = workdir / f"test_{job.tests.cell}.py" if job.tests else None
    secret = [*hidden, workdir / "pytest.ini", workdir / "conftest.py"]
    if test_file is not None:
        secret.append(test_file)
    readable = [
        *readable_paths(hidden),
        *(Path(p) for p in SYSTEM_PATHS),
        *(Path("/dev") / name for name in ("urandom", "random", "zero")),
    ]
    # A hub's nbgrader_config.py (course paths, a database URL) lives here.
    jupyter = (Path(sys.prefix), Path("/usr/local"), Path("/"))
    unseen = [*hidden, *(base / "etc" / "jupyter" for base in jupyter)]
    try:
        confined = restrict(readable, [workdir, Path(os.devnull)], unseen)
    except OSError as error:
        write_line(fd, {"note": f"Landlock not applied: {error}"})
        confined = 0
    # A program started inside bubblewrap with Landlock is held by the kernel
    # as this process is (no network, no files outside, limits inherited); in
    # the rlimit fallback it would escape the guard, so it stays refused.
    bwrap = os.environ.get("COURSE_SANDBOX_BACKEND") == "bwrap"
    install_guard(
        [answer.path for answer in answers.values()],
        workdir,
        secret,
        fd=fd,
        key=key,
        sealer=sealer,
        test_file=test_file,
        volatile=volatile,
        allow_spawn=bwrap and confined > 0,
    )

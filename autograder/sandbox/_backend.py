"""Which sandbox to use, and the command line that starts the supervisor in it.

``bwrap`` (bubblewrap) where it works: a new user, PID, network, IPC and UTS
namespace; the caller's user mapped to ``nobody`` with no capabilities; the
Python installation and the course package bound read-only, a private
``/tmp``, one writable scratch folder, and nothing else of the file system —
so no solutions, gradebook, exchange or other students' files. Otherwise
``rlimits``: a plain subprocess with limits, whose learner children the
guard keeps out of the hidden folders (weaker: see ``docs/instructors.md``).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import autograder
from autograder._errors import ConfigError

logger = logging.getLogger(__name__)

NOBODY = 65534
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
TMPFS_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Backend:
    """A way to isolate grading.

    Attributes:
        name: ``bwrap`` or ``rlimits``.
        reason: Why this one was chosen, for the grading log.
        executable: The bubblewrap program, for ``bwrap``.
    """

    name: str
    reason: str
    executable: str | None = None


@cache
def _probe(executable: str) -> str | None:
    """Try bubblewrap once; return why it fails, or ``None`` when it works."""
    command = [
        executable,
        "--unshare-user",
        "--uid",
        str(NOBODY),
        "--gid",
        str(NOBODY),
        "--unshare-pid",
        "--unshare-net",
        "--die-with-parent",
        "--ro-bind",
        "/",
        "/",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "true",
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode != 0:
        return done.stderr.strip() or f"exit status {done.returncode}"
    return None


def detect_backend(choice: str = "auto") -> Backend:
    """Pick the sandbox.

    Args:
        choice: ``auto`` (bubblewrap where it works), ``bwrap`` or ``rlimits``.

    Returns:
        The backend, with the reason for the choice.

    Raises:
        ConfigError: ``bwrap`` was asked for and does not work here.
    """
    if choice == "rlimits":
        return Backend("rlimits", "chosen by COURSE_SANDBOX=rlimits")
    executable = shutil.which("bwrap")
    failure = "bubblewrap (bwrap) is not installed" if executable is None else None
    if executable is not None:
        problem = _probe(executable)
        if problem is not None:
            failure = f"bubblewrap does not work here: {problem}"
    if failure is None and executable is not None:
        return Backend("bwrap", f"bubblewrap at {executable}", executable)
    if choice == "bwrap":
        raise ConfigError("COURSE_SANDBOX", choice, failure or "unavailable")
    return Backend("rlimits", str(failure))


def _contains(outer: Path, inner: Path) -> bool:
    return inner == outer or outer in inner.parents


def readable_paths(hidden: Iterable[Path]) -> list[Path]:
    """The folders the sandbox shows read-only: Python, its packages, the course code.

    A ``sys.path`` entry that contains a hidden folder (the course root, say)
    is left out; the ``autograder`` package is bound on its own instead.

    Args:
        hidden: Folders that must stay invisible.

    Returns:
        Existing folders, resolved, without duplicates.
    """
    hidden = [Path(path).resolve() for path in hidden]
    candidates = [
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(sys.executable).resolve().parent.parent,
        Path(autograder.__file__).resolve().parent,
        *(Path(entry) for entry in sys.path if entry and os.path.isdir(entry)),
    ]
    chosen: list[Path] = []
    for candidate in candidates:
        path = candidate.resolve()
        if not path.is_dir() or any(_contains(path, h) for h in hidden):
            continue
        if path not in chosen:
            chosen.append(path)
    return chosen


def bwrap_command(  # noqa: PLR0913 - each is a distinct part of the sandbox
    backend: Backend,
    argv: list[str],
    *,
    scratch: Path,
    writable: Iterable[Path],
    hidden: Iterable[Path],
    env: dict[str, str],
    keep_fd: int,
) -> list[str]:
    """Build the bubblewrap command line that runs ``argv`` in the sandbox.

    Args:
        backend: A ``bwrap`` backend.
        argv: The command to run inside.
        scratch: The writable working folder.
        writable: More folders to bind writable (the mypy cache).
        hidden: Folders that must not be visible.
        env: The complete environment inside.
        keep_fd: A descriptor the command inherits (the key pipe).

    Returns:
        The command line.
    """
    assert backend.executable is not None  # noqa: S101 - only for bwrap
    command = [
        backend.executable,
        "--unshare-user",
        "--uid",
        str(NOBODY),
        "--gid",
        str(NOBODY),
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(TMPFS_BYTES),
        "--tmpfs",
        "/tmp",  # noqa: S108 - a private tmpfs inside the sandbox
    ]
    for name in SYSTEM_PATHS:
        path = Path(name)
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            command += ["--ro-bind", name, name]
    for path in sorted(readable_paths(hidden), key=lambda p: len(p.parts)):
        command += ["--ro-bind", str(path), str(path)]
    for path in (scratch, *writable):
        command += ["--bind", str(path), str(path)]
    command += ["--clearenv"]
    for name, value in sorted(env.items()):
        command += ["--setenv", name, value]
    command += ["--chdir", str(scratch), "--", *argv]
    del keep_fd  # inherited as is: bubblewrap passes open descriptors through
    return command

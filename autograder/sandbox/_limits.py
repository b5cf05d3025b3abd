"""Resource limits of a grading child, and the findings for hitting them."""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import signal
from dataclasses import dataclass

from autograder._settings import Settings
from autograder.feedback import Finding, make_finding

logger = logging.getLogger(__name__)

_PR_SET_DUMPABLE = 4


@dataclass(frozen=True)
class Ending:
    """How a grading child ended.

    Attributes:
        timed_out: Killed for passing the wall-clock limit.
        status: Exit code, if it exited.
        signal: The signal that ended it, if one did.
        too_many_processes: Killed for starting more processes than allowed.
        too_much_output: Killed for sending more result data than allowed.
    """

    timed_out: bool = False
    status: int | None = None
    signal: int | None = None
    too_many_processes: bool = False
    too_much_output: bool = False


def _limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def apply_limits(settings: Settings, *, nproc: int | None) -> None:
    """Limit this process (and what it starts) as the settings say.

    Args:
        settings: CPU seconds, memory, file size.
        nproc: The process ceiling for this user, or ``None`` for no ceiling.
    """
    _limit(resource.RLIMIT_CPU, settings.cpu_limit)
    _limit(resource.RLIMIT_AS, settings.memory_limit_mb * 1024 * 1024)
    _limit(resource.RLIMIT_FSIZE, settings.file_size_limit_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CORE, 0)
    if nproc is not None:
        _limit(resource.RLIMIT_NPROC, nproc)


def set_undumpable() -> bool:
    """Forbid other processes of this user to trace or read this one's memory.

    Returns:
        Whether it worked (Linux only).
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        logger.debug("prctl(PR_SET_DUMPABLE) is not available", exc_info=True)
        return False


def processes_of_user(uid: int | None = None) -> int:
    """Count the processes this user runs, as the kernel's ``RLIMIT_NPROC`` does.

    Args:
        uid: The user; this process's real user when omitted.

    Returns:
        The count (0 when ``/proc`` cannot be read).
    """
    uid = os.getuid() if uid is None else uid
    count = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        count += 1
    return count


def ending_finding(ending: Ending, place: str, settings: Settings) -> Finding:
    """Say why a child stopped before finishing a check.

    Args:
        ending: How it ended.
        place: Where the learner's code was (a test name or a check kind).
        settings: The limits, for the message.

    Returns:
        The finding.
    """
    if ending.timed_out:
        return make_finding(
            "limits.timeout", seconds=f"{settings.check_timeout:g}", where=place
        )
    if ending.too_many_processes:
        return make_finding(
            "limits.processes", limit=settings.process_limit, where=place
        )
    if ending.too_much_output or ending.signal == signal.SIGXFSZ:
        return make_finding(
            "limits.output", limit=settings.file_size_limit_mb, where=place
        )
    if ending.signal in (signal.SIGXCPU, signal.SIGKILL):
        return make_finding(
            "limits.timeout", seconds=f"{settings.cpu_limit}", where=place
        )
    if ending.signal is not None:
        reason = f"signal {signal.Signals(ending.signal).name} during {place}"
    else:
        reason = f"the process exited with status {ending.status} during {place}"
    return make_finding("limits.crashed", reason=reason)

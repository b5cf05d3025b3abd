"""Resource limits of a grading child, and the findings for hitting them."""

from __future__ import annotations

import contextlib
import logging
import os
import resource

from autograder._settings import Settings
from autograder.runner._ending import limit

logger = logging.getLogger(__name__)

_PR_SET_DUMPABLE = 4


def apply_limits(settings: Settings, *, nproc: int | None) -> None:
    """Limit this process (and what it starts) as the settings say.

    Args:
        settings: CPU seconds, memory, file size.
        nproc: The process ceiling for this user, or ``None`` for no ceiling.
    """
    limit(resource.RLIMIT_CPU, settings.cpu_limit)
    limit(resource.RLIMIT_AS, settings.memory_limit_mb * 1024 * 1024)
    limit(resource.RLIMIT_FSIZE, settings.file_size_limit_mb * 1024 * 1024)
    limit(resource.RLIMIT_CORE, 0)
    if nproc is not None:
        limit(resource.RLIMIT_NPROC, nproc)


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

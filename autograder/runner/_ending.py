"""How a grading child ended, the limits it ran under, and what to tell the learner.

Shared by the in-kernel worker (``runner``) and the classroom sandbox
(``sandbox``), so that hitting a limit reads the same in both.
"""

from __future__ import annotations

import resource
import signal
from dataclasses import dataclass

from autograder._settings import Settings
from autograder.feedback import Finding, make_finding


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


def limit(kind: int, value: int) -> None:
    """Lower a resource limit, soft and hard, never above the current hard one.

    Args:
        kind: The ``resource.RLIMIT_*`` constant.
        value: The new limit.
    """
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


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

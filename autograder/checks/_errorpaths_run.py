"""Error paths, part two: run one case and track the files it opens."""

from __future__ import annotations

import builtins
import io
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType
from typing import IO, Any

_MAX_DEPTH = 200


# --- Running a case: what came out, and which files stayed open --------------------


def _line_in(path: str) -> int | None:
    """Find the innermost line of a file on the current call stack.

    ``warnings.warn`` walks the stack in C and reports the file and line
    ``stacklevel`` frames up, so no frame object is touched (a sandbox may
    refuse ``sys._getframe`` while learner code runs).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for level in range(2, _MAX_DEPTH):
            warnings.warn("locate", stacklevel=level)
            where = caught[-1]
            if where.filename == path:
                return where.lineno
            if where.filename == "sys":  # past the outermost frame
                break
    return None


@dataclass(frozen=True)
class Opened:
    """A file opened while a case ran.

    Attributes:
        handle: The file object, kept so that it cannot be closed by chance.
        name: The file's name, for the feedback.
        line: The answer's line that opened it, if the answer did.
    """

    handle: IO[Any]
    name: str
    line: int | None


class FileTracker:
    """Records every file opened while it is active, and who opened it.

    Args:
        answer_path: The answer module's file.
    """

    def __init__(self, answer_path: Path) -> None:
        """Start with nothing recorded."""
        self.answer_file = str(answer_path)
        self.opened: list[Opened] = []
        self.attempts: list[int] = []
        self._saved: list[tuple[ModuleType, object]] = []

    def _tracked(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def tracked_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            line = _line_in(self.answer_file)
            if line is not None:
                self.attempts.append(line)
            handle = original(file, *args, **kwargs)
            name = Path(str(file)).name if not isinstance(file, int) else str(file)
            self.opened.append(Opened(handle, name, line))
            return handle

        return tracked_open

    def __enter__(self) -> FileTracker:
        """Replace ``open`` by a recording one."""
        for owner in (builtins, io):
            original = owner.open
            self._saved.append((owner, original))
            setattr(owner, "open", self._tracked(original))  # noqa: B010
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Put the original ``open`` back."""
        while self._saved:
            owner, original = self._saved.pop()
            setattr(owner, "open", original)  # noqa: B010

    def left_open(self) -> list[Opened]:
        """List the recorded files that are still open.

        Returns:
            The files not closed.
        """
        return [opened for opened in self.opened if not opened.handle.closed]

    def close_all(self) -> None:
        """Close whatever the case left open, quietly."""
        for opened in self.left_open():
            try:
                opened.handle.close()
            except (OSError, ValueError) as error:
                del error  # a broken file the learner left behind: nothing to do


@dataclass
class Outcome:
    """What came out of a case.

    Attributes:
        error: What it raised, or ``None`` when it returned.
        value: What it returned.
        case_line: The case's line the error came out of.
        answer_line: The answer's innermost line in the error's traceback.
        left_open: Files opened during the case and not closed at its end.
        answer_opens: How many times the answer's code called ``open``.
    """

    error: BaseException | None = None
    value: object = None
    case_line: int | None = None
    answer_line: int | None = None
    left_open: list[Opened] = field(default_factory=list)
    answer_opens: int = 0


def lines_in(tb: TracebackType | None, path: Path) -> list[int]:
    """List the lines of one file in a traceback, outermost first.

    Args:
        tb: The traceback.
        path: The file.

    Returns:
        Its line numbers, one per frame in that file.
    """
    return [
        frame.lineno or 0
        for frame in traceback.extract_tb(tb)
        if Path(frame.filename) == path
    ]


def run_case(
    function: Callable[..., object],
    arguments: tuple[object, ...],
    case_path: Path,
    answer_path: Path,
) -> Outcome:
    """Call a case with ``open`` tracked, and record what came out.

    Args:
        function: The case.
        arguments: Its arguments.
        case_path: The file the cases were loaded from.
        answer_path: The answer module's file.

    Returns:
        The outcome. Files left open are closed after they are recorded.
    """
    tracker = FileTracker(answer_path)
    outcome = Outcome()
    with tracker:
        try:
            outcome.value = function(*arguments)
        except BaseException as error:  # noqa: BLE001 - whatever it raised is judged
            outcome.error = error
    outcome.left_open = tracker.left_open()
    outcome.answer_opens = len(tracker.attempts)
    if outcome.error is not None:
        tb = outcome.error.__traceback__
        outcome.case_line = next(iter(lines_in(tb, case_path)), None)
        outcome.answer_line = next(reversed(lines_in(tb, answer_path)), None)
    tracker.close_all()
    return outcome

"""What the ``log-records`` check watches while the learner's module runs.

Three things, each undone when the check ends:

- :class:`Capture`, a handler on the root logger (and on any logger that
  stops propagation) that keeps every record, as pytest's ``caplog`` does;
- :class:`ConfigWatch`, which notices a library configuring logging: it
  stands in for ``logging.basicConfig`` and ``logging.config.dictConfig`` /
  ``fileConfig`` (recording the call, configuring nothing), and compares the
  loggers' handlers, the root level, ``propagate`` and ``logging.disable``
  before and after the import and each call;
- :func:`leaks`, which looks for a secret (a card number) in every part of a
  record a handler could write: the message, the arguments, ``extra``
  fields, the exception with its chain, and the stack.

Nothing here reads frames or tracebacks while the learner's code is on the
stack: records are kept as they come and formatted after the call returns.
"""

from __future__ import annotations

import logging
import logging.config
import re
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}
"""Attributes every record has; any other attribute came from ``extra``."""

CONFIGURERS = (
    (logging, "basicConfig"),
    (logging.config, "dictConfig"),
    (logging.config, "fileConfig"),
)
"""Functions an application calls to configure logging, and a library never."""

_DIGITS = re.compile(r"\d(?:[ \-.\u00a0]?\d)*")
"""A run of digits, possibly grouped by spaces, dashes or dots."""

SHOWN_DIGITS = 6
"""The longest run of a card's digits a log may show (PCI DSS: first six)."""


@dataclass
class Captured:
    """One log record, kept as a handler saw it.

    Attributes:
        logger: The logger's name.
        level: The level number.
        level_name: The level's name.
        message: The message with its arguments merged in.
        arguments: The arguments as given (a tuple or a mapping).
        extras: Attributes added through ``extra`` (or a filter).
        exc_info: The exception, if the record carries one.
        exc_text: Exception text a filter put in place, if any.
        stack: The stack text, if the record carries one.
        pathname: The file the call came from.
        line: The line of the call.
    """

    logger: str
    level: int
    level_name: str
    message: str
    arguments: object
    extras: dict[str, object]
    exc_info: ExcInfo | None
    exc_text: str | None
    stack: str | None
    pathname: str
    line: int

    def parts(self) -> Iterator[tuple[str, str]]:
        """Give every text of the record a handler could write, with a name.

        Yields:
            Pairs of what the text is (``the message``...) and the text.
        """
        yield "the message", self.message
        if self.arguments:
            yield "the arguments", _text(self.arguments)
        for key, value in self.extras.items():
            yield f"the extra field `{key}`", _text(value)
        if self.exc_info is not None:
            yield "the exception text", exception_text(self.exc_info)
        if self.exc_text:
            yield "the exception text", self.exc_text
        if self.stack:
            yield "the stack", self.stack


def _text(value: object) -> str:
    try:
        return f"{value!s} {value!r}"
    except Exception as error:  # noqa: BLE001 - a learner's object may break str
        return f"<unprintable: {type(error).__name__}>"


def exception_text(exc_info: ExcInfo) -> str:
    """Format an exception with its chain, as ``logger.exception`` output has it.

    Args:
        exc_info: The exception.

    Returns:
        The traceback text, causes and contexts included.
    """
    try:
        return "".join(traceback.format_exception(exc_info[1]))
    except Exception as error:  # noqa: BLE001 - a learner's exception may break str
        return f"<unformattable exception: {type(error).__name__}>"


def message_of(record: logging.LogRecord) -> str:
    """Merge a record's arguments into its message, as a formatter would.

    Args:
        record: The record.

    Returns:
        The message, or a note that it cannot be formatted.
    """
    try:
        return record.getMessage()
    except Exception as error:  # noqa: BLE001 - bad arguments are the learner's
        return f"<cannot format {record.msg!r} with {record.args!r}: {error}>"


class Capture(logging.Handler):
    """A handler that keeps every record it is given, as ``caplog`` does."""

    def __init__(self) -> None:
        """Start with no record."""
        super().__init__(logging.NOTSET)
        self.records: list[Captured] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep a record.

        Args:
            record: The record.
        """
        extras = {
            key: value
            for key, value in vars(record).items()
            if key not in STANDARD_ATTRIBUTES
        }
        exc_info = record.exc_info
        self.records.append(
            Captured(
                logger=record.name,
                level=record.levelno,
                level_name=record.levelname,
                message=message_of(record),
                arguments=record.args,
                extras=extras,
                exc_info=exc_info if exc_info and exc_info[0] else None,
                exc_text=record.exc_text,
                stack=record.stack_info,
                pathname=record.pathname,
                line=record.lineno,
            )
        )


def _loggers() -> dict[str, logging.Logger]:
    found: dict[str, logging.Logger] = {"root": logging.root}
    for name, item in list(logging.root.manager.loggerDict.items()):
        if isinstance(item, logging.Logger):
            found[name] = item
    return found


@dataclass(frozen=True)
class _State:
    handlers: dict[str, tuple[logging.Handler, ...]]
    propagate: dict[str, bool]
    root_level: int
    disabled: int


def _state() -> _State:
    loggers = _loggers()
    return _State(
        handlers={name: tuple(lg.handlers) for name, lg in loggers.items()},
        propagate={name: lg.propagate for name, lg in loggers.items()},
        root_level=logging.root.level,
        disabled=logging.root.manager.disable,
    )


@dataclass
class ConfigWatch:
    """Notice a library configuring logging, and undo what it did.

    Attributes:
        calls: Names of configuration functions called in the current phase.
        changes: What was configured, by phase: ``(phase, what)`` pairs.
    """

    calls: list[str] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Stand in for the configuration functions while the block runs.

        Yields:
            Nothing; the functions are restored afterwards.
        """
        saved = [(owner, name, getattr(owner, name)) for owner, name in CONFIGURERS]
        for owner, name in CONFIGURERS:
            setattr(owner, name, self._recorder(name))
        before = _state()
        try:
            yield
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)
            _restore(before)

    def _recorder(self, name: str) -> Callable[..., None]:
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append(name)

        return record

    @contextmanager
    def phase(self, when: str) -> Iterator[None]:
        """Record what configuration a block of learner code did, then undo it.

        Args:
            when: The phase, as the feedback says it (``when it was imported``).

        Yields:
            Nothing.
        """
        self.calls.clear()
        before = _state()
        try:
            yield
        finally:
            after = _state()
            for what in [f"called `logging.{name}`" for name in self.calls]:
                self._note(when, what)
            for what in _differences(before, after):
                self._note(when, what)
            _restore(before)

    def _note(self, when: str, what: str) -> None:
        if (when, what) not in self.changes:
            self.changes.append((when, what))


def _differences(before: _State, after: _State) -> list[str]:
    found = []
    for name, handlers in after.handlers.items():
        old = before.handlers.get(name, ())
        for handler in handlers:
            if handler not in old and not isinstance(handler, logging.NullHandler):
                found.append(
                    f"added a `{type(handler).__name__}` to the logger `{name}`"
                )
    for name, propagate in after.propagate.items():
        if not propagate and before.propagate.get(name, True):
            found.append(f"set `propagate = False` on the logger `{name}`")
    if after.root_level != before.root_level:
        level = logging.getLevelName(after.root_level)
        found.append(f"set the root logger's level to {level}")
    if after.disabled != before.disabled:
        found.append("called `logging.disable`")
    return found


def _restore(state: _State) -> None:
    for name, logger in _loggers().items():
        logger.handlers[:] = state.handlers.get(name, ())
        logger.propagate = state.propagate.get(name, True)
    logging.root.setLevel(state.root_level)
    logging.disable(state.disabled)


def reset_logger(name: str) -> None:
    """Give a logger that exists already the state a fresh one has.

    Args:
        name: The logger's name.
    """
    logger = logging.root.manager.loggerDict.get(name)
    if isinstance(logger, logging.Logger):
        logger.handlers.clear()
        logger.filters.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
        logger.disabled = False


@contextmanager
def capturing(module_logger: str) -> Iterator[Capture]:
    """Capture every record at every level, as ``caplog.set_level`` does.

    Args:
        module_logger: The learner's logger, whose level is set to DEBUG.

    Yields:
        The capture handler.
    """
    capture = Capture()
    logger = logging.getLogger(module_logger)
    saved = (logging.root.level, logger.level)
    logging.root.setLevel(logging.DEBUG)
    logger.setLevel(logging.DEBUG)
    attached = [lg for lg in _loggers().values() if not lg.propagate]
    for target in [logging.root, *attached]:
        target.addHandler(capture)
    try:
        yield capture
    finally:
        for target in [logging.root, *attached]:
            target.removeHandler(capture)
        logging.root.setLevel(saved[0])
        logger.setLevel(saved[1])


def digit_runs(text: str) -> list[str]:
    """Find the runs of digits in a text, with their grouping removed.

    Args:
        text: Any text.

    Returns:
        Each run of digits, such as ``4539148803436467`` for
        ``4539 1488 0343 6467``.
    """
    return [re.sub(r"\D", "", run) for run in _DIGITS.findall(text)]


def leaks(text: str, secret: str) -> bool:
    """Tell whether a text reveals a card number, in any grouping.

    Showing the last four digits, or the first six, is allowed (PCI DSS);
    seven consecutive digits of the card in one run reveal it.

    Args:
        text: The text to search.
        secret: The card number, as given.

    Returns:
        True when some run of digits in the text holds seven consecutive
        digits of the card.
    """
    digits = re.sub(r"\D", "", secret)
    width = min(SHOWN_DIGITS + 1, len(digits))
    if not digits:
        return secret in text
    windows = {digits[i : i + width] for i in range(len(digits) - width + 1)}
    return any(window in run for run in digit_runs(text) for window in windows)


def answer_line(exc_info: ExcInfo | None, path: Path) -> int | None:
    """Find the deepest line of the answer in an exception's traceback.

    Args:
        exc_info: The exception, if any.
        path: The answer's module file.

    Returns:
        The line, or ``None``.
    """
    if exc_info is None:
        return None
    line = None
    for frame in traceback.extract_tb(exc_info[2]):
        if Path(frame.filename) == path:
            line = frame.lineno
    return line

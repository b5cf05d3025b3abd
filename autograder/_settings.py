"""Settings of the grading engine, read from the environment.

Every option lives in :data:`OPTIONS` with its type, default and meaning, and
nowhere else. Nothing is read at import time: call :func:`load_settings`.

=============================  =================================================
Variable                       Meaning
=============================  =================================================
``COURSE_CACHE_DIR``           where the mypy cache and other warm state live
``COURSE_DATA_DIR``            where learner progress is stored
``COURSE_CHECK_TIMEOUT``       wall-clock seconds one check may take
``COURSE_CPU_LIMIT``           CPU seconds learner code may use in one check
``COURSE_MEMORY_LIMIT_MB``     address space, in MiB, for one check
``COURSE_OUTPUT_LIMIT``        characters of learner output kept in feedback
``COURSE_PROCESS_LIMIT``       processes learner code may start in one check
``COURSE_FILE_SIZE_LIMIT_MB``  MiB learner code may write to one file or output
``COURSE_SANDBOX``             ``auto``, ``bwrap`` or ``rlimits``: how grading isolates
=============================  =================================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import platformdirs

from autograder._errors import ConfigError

APP_NAME = "python-practice-course"


@dataclass(frozen=True)
class Option:
    """One setting: its environment variable, parser and documented default.

    Attributes:
        env: The environment variable that sets it.
        parse: Turns the variable's text into the setting's value.
        default: Produces the default when the variable is unset.
        help: What the setting means, for documentation and ``course --help``.
    """

    env: str
    parse: Callable[[str], object]
    default: Callable[[], object]
    help: str


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be greater than zero")
    return value


def _sandbox_choice(text: str) -> str:
    value = text.strip().lower()
    if value not in {"auto", "bwrap", "rlimits"}:
        raise ValueError("must be auto, bwrap or rlimits")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be greater than zero")
    return value


OPTIONS: dict[str, Option] = {
    "cache_dir": Option(
        "COURSE_CACHE_DIR",
        Path,
        lambda: Path(platformdirs.user_cache_dir(APP_NAME)),
        "Directory for the mypy cache and other warm state (safe to delete).",
    ),
    "data_dir": Option(
        "COURSE_DATA_DIR",
        Path,
        lambda: Path(platformdirs.user_data_dir(APP_NAME)),
        "Directory where the learner's progress is stored.",
    ),
    "check_timeout": Option(
        "COURSE_CHECK_TIMEOUT",
        _positive_float,
        lambda: 10.0,
        "Wall-clock seconds one graded cell's checks may take in total.",
    ),
    "cpu_limit": Option(
        "COURSE_CPU_LIMIT",
        _positive_int,
        lambda: 10,
        "CPU seconds the checks of one graded cell may use.",
    ),
    "memory_limit_mb": Option(
        "COURSE_MEMORY_LIMIT_MB",
        _positive_int,
        lambda: 2048,
        "Address space, in MiB, allowed to the checks of one graded cell.",
    ),
    "output_limit": Option(
        "COURSE_OUTPUT_LIMIT",
        _positive_int,
        lambda: 4000,
        "Characters of any one message or output kept in feedback; the rest is cut.",
    ),
    "process_limit": Option(
        "COURSE_PROCESS_LIMIT",
        _positive_int,
        lambda: 32,
        "Processes learner code may start in one graded cell while grading.",
    ),
    "file_size_limit_mb": Option(
        "COURSE_FILE_SIZE_LIMIT_MB",
        _positive_int,
        lambda: 16,
        "MiB learner code may write to any one file (its printed output included).",
    ),
    "sandbox": Option(
        "COURSE_SANDBOX",
        _sandbox_choice,
        lambda: "auto",
        "Isolation for grading: bwrap (bubblewrap), rlimits (a limited "
        "subprocess), or auto (bwrap where it works).",
    ),
}


@dataclass(frozen=True)
class Settings:
    """The engine's settings, resolved once from the environment.

    Attributes:
        cache_dir: Directory for the mypy cache and other warm state.
        data_dir: Directory where the learner's progress is stored.
        check_timeout: Wall-clock seconds one graded cell's checks may take.
        cpu_limit: CPU seconds the checks of one graded cell may use.
        memory_limit_mb: Address space, in MiB, for one graded cell's checks.
        output_limit: Characters of any one message kept in feedback.
        process_limit: Processes learner code may start in one graded cell.
        file_size_limit_mb: MiB learner code may write to any one file.
        sandbox: ``auto``, ``bwrap`` or ``rlimits``.
    """

    cache_dir: Path
    data_dir: Path
    check_timeout: float
    cpu_limit: int
    memory_limit_mb: int
    output_limit: int
    process_limit: int = 32
    file_size_limit_mb: int = 16
    sandbox: str = "auto"

    def to_env(self) -> dict[str, str]:
        """Express the settings as the environment variables that produce them.

        Returns:
            Variable names and values, for a subprocess to load the same settings.
        """
        return {
            OPTIONS[field.name].env: str(getattr(self, field.name))
            for field in fields(self)
        }

    @property
    def mypy_cache_dir(self) -> Path:
        """Where mypy keeps its incremental cache."""
        return self.cache_dir / "mypy"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve every setting from the environment, falling back to defaults.

    Args:
        environ: The variables to read; ``os.environ`` when omitted.

    Returns:
        The resolved settings.

    Raises:
        ConfigError: A variable is set to a value its option cannot parse.
    """
    source = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field in fields(Settings):
        option = OPTIONS[field.name]
        text = source.get(option.env)
        if text is None or text == "":
            values[field.name] = option.default()
            continue
        try:
            values[field.name] = option.parse(text)
        except ValueError as error:
            raise ConfigError(option.env, text, str(error)) from error
    return Settings(**values)  # type: ignore[arg-type]

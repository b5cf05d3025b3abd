"""``course warm``: fill the mypy cache before a learner's first type check.

A cold mypy run type-checks the standard library's stubs first, which takes
seconds; a warm one reads them from the cache. The mypy check keeps one cache
folder per flag set, so warming means running it once for every distinct flag
set the course's exercises declare, on a tiny module, exactly as a check would
(the same class, the same arguments, the same cache folder). Binder's
``postBuild`` runs this, so the cache ships inside the image.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from autograder._engine import load_exercise
from autograder._settings import Settings, load_settings
from autograder.checks import Answer, CheckContext, MypyCheck, build_check
from autograder.spec import AnswerSpec

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FOUND = 1

DECLARATIONS = ("exercises/*/exercise.toml", "solutions/*/exercise.toml")
"""Where exercises declare their checks, relative to the course folder."""

WARM_MODULE = '''\
"""Warm-up module: imports what exercises commonly use, and type-checks clean."""

from __future__ import annotations

import abc
import asyncio
import collections
import dataclasses
import enum
import functools
import itertools
import json
import logging
import pathlib
import re
from collections.abc import Iterator
from typing import Protocol, TypedDict, TypeVar

T = TypeVar("T")


class Named(Protocol):
    """Anything with a name."""

    name: str


class Row(TypedDict):
    """A row."""

    name: str


def first(items: Iterator[T]) -> T:
    """Return the first item."""
    return next(items)


USED = (abc, asyncio, collections, dataclasses, enum, functools, itertools)
MORE = (json, logging, pathlib, re)
'''
"""Type-checks clean under ``--strict`` and the stricter ``--disallow-any-*`` flags."""


def mypy_checks(root: Path) -> list[MypyCheck]:
    """List the course's mypy checks, one per distinct flag set.

    Args:
        root: The course folder.

    Returns:
        One declared check per flag set, in the order first declared.
    """
    found: dict[tuple[str, ...], MypyCheck] = {}
    declarations = sorted({p for pattern in DECLARATIONS for p in root.glob(pattern)})
    for path in declarations:
        spec = load_exercise(path)
        for cell in spec.cells.values():
            for declared in cell.checks:
                check = build_check(declared.kind, declared.options)
                if isinstance(check, MypyCheck):
                    found.setdefault(check.flags, check)
    return list(found.values())


def warm_mypy(check: MypyCheck, settings: Settings) -> bool:
    """Run a mypy check once on the warm-up module, filling its cache folder.

    Args:
        check: The check, as an exercise declares it.
        settings: Where the cache lives.

    Returns:
        True when mypy ran (the cache is then warm, even if some flag set
        finds fault with the warm-up module); false when it could not run.
    """
    with tempfile.TemporaryDirectory(prefix="course-warm-") as scratch:
        workdir = Path(scratch)
        module = workdir / "course_warm_up.py"
        module.write_text(WARM_MODULE, encoding="utf-8")
        answer = Answer(
            AnswerSpec("warm_up", "course_warm_up", "the warm-up module"),
            WARM_MODULE,
            module,
        )
        context = CheckContext(
            workdir=workdir,
            answer=answer,
            answers={"warm_up": answer},
            tests=None,
            settings=settings,
            on_event=lambda _event: None,
        )
        result = check.run(context)
    failures = [f.message for f in result.findings if f.id == "checks.error"]
    if failures:
        logger.warning("%s could not run: %s", check.label, "; ".join(failures))
        return False
    if result.fraction < 1.0:
        logger.info(
            "%s finds fault with the warm-up module (the cache is warm anyway): %s",
            check.label,
            "; ".join(finding.message for finding in result.findings),
        )
    return True


def _cmd_warm(args: argparse.Namespace) -> int:
    settings = load_settings()
    checks = mypy_checks(args.root)
    started = time.perf_counter()
    clean = True
    for check in checks:
        logger.info("warming the cache of %s", check.label)
        clean = warm_mypy(check, settings) and clean
    seconds = time.perf_counter() - started
    sys.stdout.write(
        f"mypy cache warm for {len(checks)} flag set(s) in {seconds:.1f} s: "
        f"{settings.mypy_cache_dir}\n"
    )
    return EXIT_OK if clean else EXIT_FOUND


def add_warm_command(commands: Any) -> None:
    """Register ``course warm``.

    Args:
        commands: The ``course`` command's subparsers.
    """
    warm = commands.add_parser(
        "warm",
        help="fill the mypy cache for every flag set the exercises declare",
    )
    warm.add_argument(
        "--root", type=Path, default=Path(), help="the course folder (default: .)"
    )
    warm.set_defaults(run=_cmd_warm)

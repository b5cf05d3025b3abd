"""``course grade ASSIGNMENT -j N``: grade a class's submissions in parallel."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from autograder._settings import load_settings
from autograder.grading import ProgressBar, grade_assignment

EXIT_OK = 0
EXIT_FOUND = 1


def _cmd_grade(args: argparse.Namespace) -> int:
    settings = load_settings()
    root: Path = args.root
    submitted = root / "submitted"
    total = sum(
        1
        for folder in (submitted.iterdir() if submitted.is_dir() else ())
        if (folder / args.assignment).is_dir()
        and (not args.student or folder.name in args.student)
    )
    bar = ProgressBar(total, sys.stderr, interactive=sys.stderr.isatty())
    result = grade_assignment(
        root,
        args.assignment,
        settings,
        jobs=args.jobs,
        students=args.student or None,
        on_done=bar.advance,
    )
    out = sys.stdout
    out.write(f"sandbox: {result.backend}\n")
    for student, score in result.scores.items():
        out.write(f"{student:<24} {score:g}/{result.max_score:g}\n")
    out.write(
        f"{len(result.scores)} graded, {len(result.failures)} failed, "
        f"in {result.seconds:.1f} s with {args.jobs} at once\n"
    )
    if result.problems:
        out.write("problems:\n")
        for problem in result.problems:
            state = "graded" if problem.graded else "NOT GRADED"
            out.write(f"  {problem.student}: {problem.reason} ({state})\n")
    out.flush()
    return EXIT_FOUND if result.failures else EXIT_OK


def add_grade_command(commands: Any) -> None:
    """Register ``course grade``.

    Args:
        commands: The ``course`` command's subparsers.
    """
    grade = commands.add_parser(
        "grade",
        help="grade every submission of an assignment, in parallel sandboxes, "
        "into the nbgrader gradebook",
    )
    grade.add_argument("assignment", metavar="ASSIGNMENT", help="such as 01_pep8")
    grade.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: the number of cores)",
    )
    grade.add_argument(
        "--root", type=Path, default=Path(), help="the course folder (default: .)"
    )
    grade.add_argument(
        "--student",
        action="append",
        metavar="ID",
        help="only this student (repeat for more)",
    )
    grade.set_defaults(run=_cmd_grade)

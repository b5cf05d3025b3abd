"""The ``course`` command: a thin layer of argument parsing over the library.

Exit codes: 0 success, 1 the work was done and found problems (a check not
passed, exercises out of date), 2 the work could not be done (bad input).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder._engine import grade_notebook, load_exercise
from autograder._errors import AutograderError
from autograder._settings import OPTIONS, load_settings
from autograder.build import RELEASE_DIR, SOURCE_DIR, assignments, build
from autograder.cli._grade import add_grade_command
from autograder.cli._progress import add_progress_commands
from autograder.cli._warm import add_warm_command
from autograder.feedback import render_notebook_text

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_ERROR = 2


def _out(text: str) -> None:
    """Write a command's result to standard output (its product, not a log)."""
    sys.stdout.write(text)
    sys.stdout.flush()


def _cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    passed = True
    for notebook in args.notebooks:
        try:
            report = grade_notebook(notebook)
        except AutograderError as error:
            _out(f"{notebook}: cannot be graded: {error}\n")
            passed = False
            continue
        _out(render_notebook_text(report, settings.output_limit))
        passed = passed and report.passed
    return EXIT_OK if passed else EXIT_FOUND


def _cmd_build(args: argparse.Namespace) -> int:
    results = build(args.root, check=args.check, only=args.assignments)
    clean = True
    for result in results:
        for problem in result.problems:
            _out(f"{result.assignment}: {problem}\n")
            clean = False
    verb = "up to date" if args.check else "generated"
    if clean:
        _out(f"{len(results)} exercise(s) {verb}.\n")
    elif args.check:
        _out("exercises/ is out of date: run `course build` and commit the result.\n")
    return EXIT_OK if clean else EXIT_FOUND


def _cmd_verify(args: argparse.Namespace) -> int:
    ok = True
    for assignment in assignments(args.root):
        for folder, expected in ((SOURCE_DIR, "full"), (RELEASE_DIR, "zero")):
            spec = load_exercise(args.root / folder / assignment)
            report = grade_notebook(spec.notebook_path, spec=spec)
            good = (
                report.score == report.max_score
                if expected == "full"
                else report.score == 0
            )
            ok = ok and good and not report.errors
            mark = "ok  " if good else "FAIL"
            _out(
                f"{mark} {folder}/{assignment}: {report.score:g}/{report.max_score:g} "
                f"(expected {expected})\n"
            )
            if not good:
                _out(render_notebook_text(report))
    return EXIT_OK if ok else EXIT_FOUND


def _settings_help() -> str:
    lines = ["settings (environment variables):"]
    lines += [f"  {option.env:<24} {option.help}" for option in OPTIONS.values()]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line.

    Returns:
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog="course",
        description="Check exercises and maintain the twenty-practices course.",
        epilog=_settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log more: -v for progress, -vv for debugging",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="grade notebooks in the terminal")
    check.add_argument("notebooks", nargs="+", type=Path, help="exercise notebooks")
    check.set_defaults(run=_cmd_check)

    for name, text in (
        ("build", "regenerate exercises/ from solutions/ with nbgrader"),
        ("verify", "every solution scores full marks, every exercise zero"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument(
            "--root", type=Path, default=Path(), help="the course folder (default: .)"
        )
        if name == "build":
            sub.add_argument(
                "--check",
                action="store_true",
                help="change nothing; fail if exercises/ differs from a fresh build",
            )
            sub.add_argument(
                "assignments",
                nargs="*",
                metavar="ASSIGNMENT",
                help="only these assignments, such as 01_pep8 (default: all)",
            )
            sub.set_defaults(run=_cmd_build)
        else:
            sub.set_defaults(run=_cmd_verify)
    add_progress_commands(commands)
    add_grade_command(commands)
    add_warm_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``course`` command.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` if omitted.

    Returns:
        The exit code.
    """
    args = build_parser().parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.run(args)
    except AutograderError as error:
        logger.error("%s", error)  # noqa: TRY400 - the message is the whole story
        return EXIT_ERROR
    return code

"""``course progress`` and ``course team-report``: progress in a terminal.

::

    course progress                     # the table the panel shows, as text
    course progress export FILE         # write progress to an export file
    course progress import FILE...      # merge export files in (best score kept)
    course team-report [EXPORTS] [--gradebook DB] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from autograder.progress import (
    ProgressStore,
    collect_team_report,
    export_progress,
    find_course_root,
    import_progress,
    read_export,
    render_text,
    summarize,
    write_team_report,
)

EXIT_OK = 0
EXIT_ERROR = 2


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _recovered(store: ProgressStore) -> None:
    if store.recovery is not None:
        _out(f"Note: {store.recovery.message}\n\n")


def _cmd_show(args: argparse.Namespace) -> int:
    del args
    store = ProgressStore.from_settings()
    cells = store.cells()
    _recovered(store)
    root = find_course_root(Path.cwd())
    _out(render_text(summarize(cells), root, Path.cwd()))
    _out(f"\nStore: {store.path}\n")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    store = ProgressStore.from_settings()
    export = export_progress(store, args.file, args.name)
    _recovered(store)
    who = f" for {export.learner}" if export.learner else ""
    _out(f"Exported {len(export.entries)} graded cell(s){who} to {args.file}\n")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    store = ProgressStore.from_settings()
    exports = [read_export(path) for path in args.files]
    for path, export in zip(args.files, exports, strict=True):
        result = import_progress(store, export)
        _out(
            f"{path}: {result.added} new cell(s), {result.improved} improved, "
            f"{result.unchanged} already as good or better\n"
        )
    _recovered(store)
    return EXIT_OK


def _cmd_team_report(args: argparse.Namespace) -> int:
    if args.exports is None and args.gradebook is None:
        _out("Give a folder of export files, --gradebook gradebook.db, or both.\n")
        return EXIT_ERROR
    report = collect_team_report(args.exports, args.gradebook)
    files = write_team_report(report, args.out)
    _out(f"{len(report.learners)} learner(s): {files.html}, {files.png}, {files.csv}\n")
    for note in report.notes:
        _out(f"  note: {note}\n")
    return EXIT_OK


def add_progress_commands(commands: Any) -> None:
    """Add ``progress`` and ``team-report`` to the ``course`` command.

    Args:
        commands: The ``course`` parser's subparsers.
    """
    progress = commands.add_parser(
        "progress",
        help="show, export or import your progress",
        description="Show your progress; export it to a file or import files.",
    )
    progress.set_defaults(run=_cmd_show)
    actions = progress.add_subparsers(dest="action")
    export = actions.add_parser("export", help="write your progress to a file")
    export.add_argument("file", type=Path, help="the export file to write (JSON)")
    export.add_argument("--name", help="your name, saved in the file")
    export.set_defaults(run=_cmd_export)
    imports = actions.add_parser(
        "import", help="merge export files in, keeping the best score per cell"
    )
    imports.add_argument("files", nargs="+", type=Path, help="export files")
    imports.set_defaults(run=_cmd_import)

    team = commands.add_parser(
        "team-report",
        help="learners x lessons table and heatmap from exports and a gradebook",
    )
    team.add_argument(
        "exports", nargs="?", type=Path, help="a folder of export files (*.json)"
    )
    team.add_argument("--gradebook", type=Path, help="an nbgrader gradebook.db")
    team.add_argument(
        "--out",
        type=Path,
        default=Path("team-report"),
        help="folder for team-report.{html,png,csv} (default: team-report)",
    )
    team.set_defaults(run=_cmd_team_report)

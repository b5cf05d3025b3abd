"""The ``course`` command line."""

import sys

from autograder.cli._main import build_parser, main

__all__ = ["build_parser", "main", "run"]


def run() -> None:
    """Console-script entry point: exit with :func:`main`'s code."""
    sys.exit(main())

"""Feedback as data (findings, reports, the catalogue) and its renderers."""

from autograder.feedback._catalogue import load_catalogue, lookup, make_finding
from autograder.feedback._finding import Finding, Location, Severity
from autograder.feedback._render import (
    cut,
    render_html,
    render_notebook_text,
    render_text,
)
from autograder.feedback._report import CellReport, CheckOutcome, Mode, NotebookReport

__all__ = [
    "CellReport",
    "CheckOutcome",
    "Finding",
    "Location",
    "Mode",
    "NotebookReport",
    "Severity",
    "cut",
    "load_catalogue",
    "lookup",
    "make_finding",
    "render_html",
    "render_notebook_text",
    "render_text",
]

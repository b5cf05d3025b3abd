"""Does a learner's JupyterLab carry the learner configuration of binder/postBuild?

Instructor-only nbgrader plugins (Formgrader, Create Assignment, Course List,
Assignment List) are off and locked; the Validate button stays and works; no
news pop-up asks anything on the first start.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import expect

from .conftest import ROOT
from .jupyterlab import (
    Lab,
    bring_into_view,
    cell,
    run_cell,
    type_into,
    wait_for_notebook,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",  # holds nothing but the four above
)
VALIDATE_PLUGIN = "@jupyter/nbgrader:validate-assignment"
INSTRUCTOR_COMMANDS = ("Course List", "Assignment List", "Formgrader")
FIXTURES = ROOT / "tests" / "fixtures" / "01_pep8"
VALIDATE_TIMEOUT_MS = 240_000


def page_config(page: Any) -> dict[str, Any]:
    """JupyterLab's page configuration, as the server sent it to the browser."""
    text: str = page.locator("#jupyter-config-data").text_content()
    config: dict[str, Any] = json.loads(text)
    return config


@pytest.fixture(scope="module")
def opened(lab: Lab, page: Any) -> Any:
    """Exercise 01 open in the learner's JupyterLab."""
    page.goto(lab.address("lab/tree/exercises/01_pep8/01_pep8.ipynb"))
    wait_for_notebook(page, "01_pep8.ipynb")
    return page


def test_instructor_plugins_are_disabled_and_locked(opened: Any) -> None:
    """Are the four instructor plugins off and locked, and Validate on?"""
    config = page_config(opened)
    disabled = config.get("disabledExtensions", [])
    locked = config.get("lockedExtensions", [])
    for plugin in INSTRUCTOR_PLUGINS:
        assert plugin in disabled, (plugin, disabled)
        assert plugin in locked, (plugin, locked)
    assert VALIDATE_PLUGIN not in disabled


def test_no_instructor_tool_is_offered(
    opened: Any, snap: Callable[[Any, str], Path]
) -> None:
    """Do neither the menu bar nor the command palette offer instructor tools?"""
    page = opened
    menubar = page.locator("#jp-menu-panel")
    expect(menubar.get_by_role("menuitem", name="Help", exact=True)).to_be_visible()
    expect(menubar.get_by_role("menuitem", name="Nbgrader")).to_have_count(0)
    expect(page.get_by_text("Create Assignment")).to_have_count(0)
    page.keyboard.press("ControlOrMeta+Shift+c")
    palette = page.locator(".lm-CommandPalette")
    search = palette.locator("input")
    expect(search).to_be_focused()
    for name in INSTRUCTOR_COMMANDS:
        search.fill(name)
        expect(
            palette.locator(".lm-CommandPalette-item").filter(has_text=name)
        ).to_have_count(0)
    snap(page, "10_palette_finds_no_formgrader")
    # A control: the palette does find the commands of plugins that are on.
    search.fill("Restart Kernel")
    expect(palette.locator(".lm-CommandPalette-item").first).to_be_visible()
    search.fill("")
    page.keyboard.press("Escape")


def test_news_are_not_fetched_or_asked_about(lab: Lab, opened: Any) -> None:
    """Do the settings overrides turn off news and update checks, with no pop-up?"""
    settings = opened.request.get(
        lab.address("lab/api/settings/@jupyterlab/apputils-extension:notification")
    )
    assert settings.ok, settings.status
    # Overrides become the schema's defaults; the learner has set nothing.
    defaults = settings.json()["schema"]["properties"]
    assert defaults["fetchNews"]["default"] == "false"
    assert defaults["checkForUpdates"]["default"] is False
    expect(opened.get_by_text("official Jupyter news")).to_have_count(0)


def test_the_validate_button_validates_the_saved_notebook(
    opened: Any, snap: Callable[[Any, str], Path]
) -> None:
    """Does Validate save the notebook, run nbgrader validate and say it passes?"""
    page = opened
    run_cell(cell(page, "%load_ext autograder"))
    answer = cell(page, "# YOUR CODE HERE")
    type_into(answer, (FIXTURES / "alt_functional.py").read_text(encoding="utf-8"))
    button = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button"
    ).get_by_role("button", name="Validate")
    expect(button).to_be_visible()
    button.click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible(timeout=VALIDATE_TIMEOUT_MS)
    expect(dialog).to_contain_text(
        "Success! Your notebook passes all the tests.", timeout=5_000
    )
    snap(page, "11_validate_passes")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_have_count(0)


def test_the_validate_button_reports_a_failing_cell(
    opened: Any, snap: Callable[[Any, str], Path]
) -> None:
    """Does Validate name the check a wrong answer would lose points in?"""
    page = opened
    answer = cell(page, "def parse_line(line):")
    type_into(answer, (FIXTURES / "style_left.py").read_text(encoding="utf-8"))
    bring_into_view(answer)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").get_by_role(
        "button", name="Validate"
    ).click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible(timeout=VALIDATE_TIMEOUT_MS)
    expect(dialog).to_contain_text("The following cell failed")
    expect(dialog).to_contain_text("%%check check_layout")
    expect(dialog).to_contain_text("Partial credit")
    for passing in ("check_statements", "check_imports", "check_behaviour"):
        expect(dialog).not_to_contain_text(passing)
    snap(page, "12_validate_fails")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_have_count(0)

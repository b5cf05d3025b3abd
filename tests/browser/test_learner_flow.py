"""Does the course work for a learner in JupyterLab, as they would use it?

One learner's session, step by step, in a real JupyterLab and headless
Chromium: open lesson 00 at the address the README's Binder badge opens, run
it, follow its link to exercise 01, load the grader, answer correctly and
check, then answer wrongly and check again. The tests run in order and share
the browser tab, as the learner's steps do. Each step leaves a screenshot in
``artifacts/browser/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from playwright.sync_api import expect

from .conftest import ROOT
from .jupyterlab import (
    Lab,
    bring_into_view,
    cell,
    feedback,
    notebook,
    reveal,
    run_cell,
    run_check,
    type_into,
    wait_for_notebook,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURES = ROOT / "tests" / "fixtures" / "01_pep8"
CHECK_CELLS = {
    "check_statements": 3,
    "check_layout": 3,
    "check_imports": 1,
    "check_behaviour": 3,
}
WIDGET_ERROR = "Error displaying widget"
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
BADGE = re.compile(r"\(https://mybinder\.org/v2/gh/[^)\s]+\)")


def badge_path() -> str:
    """The JupyterLab path the README's Binder badge opens (``lab/tree/…``)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = BADGE.search(readme)
    assert found, "the README has no Binder badge link"
    query = parse_qs(urlsplit(found.group(0)[1:-1]).query)
    return query["urlpath"][0]


def page_text(page: Any) -> str:
    """All text in the page, hidden tabs included."""
    text: str = page.evaluate("document.body.textContent")
    return text


def progress_panel(page: Any) -> Any:
    """The progress panel shown in the active notebook."""
    return notebook(page).locator(".course-progress")


def course_bar_width(page: Any) -> str:
    """The width of the panel's whole-course bar (an ipywidgets 8 progress bar)."""
    bar = progress_panel(page).locator(".widget-hprogress").filter(has_text="Course")
    expect(bar).to_have_count(1)
    width: str = bar.locator(".progress-bar").evaluate("node => node.style.width")
    return width


@pytest.fixture(scope="module")
def answers() -> dict[str, str]:
    """A correct answer and a wrong one (style left) from exercise 01's fixtures."""
    return {
        "correct": (FIXTURES / "alt_functional.py").read_text(encoding="utf-8"),
        "style_left": (FIXTURES / "style_left.py").read_text(encoding="utf-8"),
    }


class TestLearnerFlow:
    """A learner's first session, in order."""

    def test_the_badge_address_opens_lesson_00(
        self, lab: Lab, page: Any, snap: Callable[[Any, str], Path]
    ) -> None:
        """Does the Binder badge's address open lesson 00, without a news pop-up?"""
        path = badge_path()
        assert path == "lab/tree/lessons/00_welcome.ipynb"
        page.goto(lab.address(path))
        panel = wait_for_notebook(page, "00_welcome.ipynb")
        expect(
            panel.get_by_role("heading", name="Welcome: how this course works")
        ).to_be_visible()
        page.wait_for_timeout(3000)  # the news question would pop up by now
        expect(page.get_by_text("official Jupyter news")).to_have_count(0)
        snap(page, "01_lesson00_opened")

    def test_lesson_00_runs_and_shows_feedback(
        self, page: Any, snap: Callable[[Any, str], Path]
    ) -> None:
        """Does every cell of lesson 00 run, showing the grader's feedback as HTML?"""
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        panel = notebook(page)
        code_prompts = panel.locator(".jp-CodeCell .jp-InputPrompt")
        count = code_prompts.count()
        assert count > 5
        for index in range(count):
            expect(code_prompts.nth(index)).to_have_text(
                re.compile(r"\[\d+\]"), timeout=120_000
            )
        expect(panel.locator(STDERR)).to_have_count(0)
        shown = panel.locator(".jp-RenderedHTMLCommon .course-feedback")
        assert shown.count() >= 4
        bring_into_view(shown.last)
        snap(page, "02_lesson00_run")

    def test_lesson_00_links_to_exercise_01(
        self, page: Any, snap: Callable[[Any, str], Path]
    ) -> None:
        """Does the lesson's link open exercise 01 in JupyterLab?"""
        # JupyterLab rewrites a markdown link to /files/…; a click opens it in lab.
        link = reveal(
            page,
            notebook(page).locator(
                '.jp-RenderedMarkdown a[href*="/exercises/01_pep8/01_pep8.ipynb"]'
            ),
        )
        link.scroll_into_view_if_needed()
        link.click()
        panel = wait_for_notebook(page, "01_pep8.ipynb")
        expect(panel).to_contain_text("Exercise 01")
        snap(page, "03_exercise01_opened")

    def test_loading_the_grader_runs_cleanly(self, page: Any) -> None:
        """Does the read-only set-up cell load the grader without an error?"""
        setup = cell(page, "%load_ext autograder")
        run_cell(setup)
        expect(setup.locator(".jp-OutputArea-output")).to_have_count(0)

    def test_the_progress_panel_starts_empty(
        self, page: Any, snap: Callable[[Any, str], Path]
    ) -> None:
        """Does the exercise's progress panel show, with no points yet?"""
        run_cell(cell(page, "show_progress("))
        shown = progress_panel(page)
        expect(shown).to_have_count(1, timeout=30_000)
        expect(shown.locator(".widget-hprogress").first).to_be_visible()
        assert course_bar_width(page) == "0%"
        bring_into_view(shown)
        snap(page, "04_progress_panel_before")

    def test_a_correct_answer_earns_every_point(
        self,
        page: Any,
        answers: dict[str, str],
        snap: Callable[[Any, str], Path],
    ) -> None:
        """Does a correct answer, typed and run, earn full marks in every check?"""
        answer = cell(page, "# YOUR CODE HERE")
        type_into(answer, answers["correct"])
        run_cell(answer)
        expect(answer.locator(STDERR)).to_have_count(0)
        snap(page, "05_correct_answer_typed")
        for grade_id, points in CHECK_CELLS.items():
            shown = run_check(cell(page, f"%%check {grade_id}"))
            expect(shown).to_have_attribute("data-score", f"{points:g}")
            expect(shown).to_have_attribute("data-max-score", f"{points:g}")
        shown = feedback(cell(page, "%%check check_behaviour"))
        # Rendered as HTML, not shown as markup text.
        expect(shown).to_contain_text("3/3 points")
        expect(shown).not_to_contain_text("<div")
        expect(shown.locator("li[data-finding]").first).to_be_visible()
        bring_into_view(cell(page, "%%check check_statements"))
        snap(page, "06_correct_answer_checked")

    def test_the_progress_panel_updates_by_itself(
        self, page: Any, snap: Callable[[Any, str], Path]
    ) -> None:
        """Does the panel show the new points without its cell being run again?"""
        panel_cell = cell(page, "show_progress(")
        prompt = panel_cell.locator(".jp-InputPrompt").inner_text()
        shown = progress_panel(page)
        expect(shown).to_contain_text("10 / 10", timeout=30_000)
        assert course_bar_width(page) == "5%"  # 10 of the course's 200 points
        assert panel_cell.locator(".jp-InputPrompt").inner_text() == prompt
        bring_into_view(shown)
        snap(page, "07_progress_panel_after")

    def test_the_lesson_panel_updates_too(
        self, page: Any, snap: Callable[[Any, str], Path]
    ) -> None:
        """Does lesson 00's panel, open in another tab, show the same points?"""
        tabs = page.locator("#jp-main-dock-panel .lm-TabBar-tab")
        tabs.filter(has_text="00_welcome.ipynb").click()
        wait_for_notebook(page, "00_welcome.ipynb")
        shown = progress_panel(page)
        expect(shown).to_contain_text("10 / 10", timeout=30_000)
        assert course_bar_width(page) == "5%"
        bring_into_view(shown)
        snap(page, "08_lesson00_panel_after")
        tabs.filter(has_text="01_pep8.ipynb").click()
        wait_for_notebook(page, "01_pep8.ipynb")

    def test_a_wrong_answer_is_named_in_the_feedback(
        self,
        page: Any,
        answers: dict[str, str],
        snap: Callable[[Any, str], Path],
    ) -> None:
        """Does a check name the problem left in a wrong answer, with its line?"""
        answer = cell(page, "def parse_line(line):")
        type_into(answer, answers["style_left"])
        run_cell(answer)
        layout = cell(page, "%%check check_layout")
        shown = run_check(layout)
        expect(shown).to_have_attribute("data-score", "2.4")
        # style_left.py leaves two E231 (no space after ':' and ','): lines 6, 19.
        findings = shown.locator('li[data-finding="style.E231"]')
        expect(findings).to_have_count(2)
        expect(findings.first).to_contain_text("line 6")
        expect(findings.first).to_contain_text("Missing whitespace after")
        expect(findings.last).to_contain_text("line 19")
        lesson = findings.first.get_by_role("link", name="lesson")
        expect(lesson).to_have_attribute("href", re.compile(r"01_pep8\.ipynb"))
        bring_into_view(layout)
        snap(page, "09_wrong_answer_checked")

    def test_no_widget_failed_to_display(self, page: Any, console: list[str]) -> None:
        """Is no widget left showing "Error displaying widget", in any tab?"""
        assert WIDGET_ERROR not in page_text(page)
        assert not [line for line in console if "widget" in line.lower()], console

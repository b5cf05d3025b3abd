"""Fixtures for the browser tests: one JupyterLab and one headless Chromium.

Chromium is Debian's ``chromium`` found on PATH, never a browser downloaded by
Playwright. Where it or Playwright is missing, the browser tests are skipped,
except in CI (``CI=true``), where that is a failure: CI must run them.
Screenshots of each step are kept in ``artifacts/browser/``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
)
VIEWPORT = {"width": 1400, "height": 900}


def in_ci() -> bool:
    """Tell whether the suite runs in CI, where nothing may be skipped."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip a browser test, or fail it in CI."""
    if in_ci():
        pytest.fail(
            f"{reason}: CI must run the browser tests (.ci/run installs chromium; "
            "the test extra installs playwright)",
            pytrace=False,
        )
    pytest.skip(reason)


def missing_requirement() -> str | None:
    """Say what the browser tests lack here, or ``None`` when they can run."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if shutil.which("chromium") is None:
        return "Debian's chromium is not on PATH (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium, or a skip (a failure in CI)."""
    reason = missing_requirement()
    if reason:
        unavailable(reason)
    path = shutil.which("chromium")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for screenshots and logs, emptied once per session."""
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def lab(
    request: pytest.FixtureRequest,
    chromium_path: str,
    tmp_path_factory: pytest.TempPathFactory,
    artifacts: Path,
) -> Iterator[Any]:
    """A JupyterLab with the learner configuration, serving a copy of the course.

    One per test module, so that each starts from an untouched course and an
    empty progress store.
    """
    from .jupyterlab import running_lab

    base = tmp_path_factory.mktemp("jupyterlab")
    name = request.module.__name__.rpartition(".")[2]
    try:
        with running_lab(ROOT, base) as server:
            yield server
    finally:
        log = base / "jupyterlab.log"
        if log.exists():
            shutil.copy(log, artifacts / f"{name}.jupyterlab.log")


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Any]:
    """Headless Debian chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, args=list(CHROMIUM_ARGS)
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def console() -> list[str]:
    """Errors the page logged or raised, for a test module's tab."""
    return []


@pytest.fixture(scope="module")
def page(
    request: pytest.FixtureRequest, browser: Any, console: list[str], artifacts: Path
) -> Iterator[Any]:
    """One browser tab for a test module, recording its errors in ``console``.

    The errors are also kept in ``artifacts/browser/<module>.console.log``.
    """
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.on("pageerror", lambda error: console.append(f"page error: {error}"))

    def on_console(message: Any) -> None:
        if message.type == "error":
            console.append(f"console: {message.text}")

    tab.on("console", on_console)
    try:
        yield tab
    finally:
        context.close()
        name = request.module.__name__.rpartition(".")[2]
        (artifacts / f"{name}.console.log").write_text(
            "".join(f"{line}\n" for line in console), encoding="utf-8"
        )


@pytest.fixture(scope="session")
def snap(artifacts: Path) -> Callable[[Any, str], Path]:
    """Save a screenshot of a page under ``artifacts/browser/<name>.png``."""

    def take(tab: Any, name: str) -> Path:
        path = artifacts / f"{name}.png"
        tab.screenshot(path=str(path))
        return path

    return take

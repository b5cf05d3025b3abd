"""Can the browser tests run here? In CI they must: a missing browser fails there.

This module imports neither Playwright nor a browser, so it runs (and, in CI,
fails) even where the other browser modules are skipped at collection.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import in_ci, missing_requirement, unavailable

pytestmark = pytest.mark.browser


def test_playwright_and_debian_chromium_are_available() -> None:
    """Are Playwright for Python and Debian's chromium both installed?"""
    reason = missing_requirement()
    if reason:
        unavailable(reason)


def test_ci_is_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does ``CI=true`` count as CI, where a missing browser is a failure?"""
    monkeypatch.setenv("CI", "true")
    assert in_ci()
    monkeypatch.setenv("CI", "")
    assert not in_ci()


def test_a_missing_browser_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Is a missing requirement a failure in CI and a skip elsewhere?"""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        unavailable("no chromium")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        unavailable("no chromium")


def test_a_chromium_off_path_is_noticed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Is chromium looked up on PATH, so that one missing from it is reported?"""
    monkeypatch.setenv("PATH", str(tmp_path))
    reason = missing_requirement()
    assert reason is not None
    assert "chromium" in reason or "Playwright" in reason

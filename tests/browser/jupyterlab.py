"""Drive a real JupyterLab: start and stop the server, work a notebook as a learner.

The server runs from the test's own interpreter, so it carries the learner
configuration that ``binder/postBuild`` applied to that environment (which
nbgrader plugins are off, the settings overrides). Everything per-user is
isolated in a temporary folder: Jupyter's config, data and runtime
directories, IPython's, and the course's cache and progress store.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from playwright.sync_api import Locator, Page, expect

STARTUP_TIMEOUT = 90.0
"""Seconds JupyterLab may take to answer its status API."""

RUN_TIMEOUT_MS = 120_000
"""Milliseconds a cell may run: a first check starts the grading worker."""

_EXECUTED = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab.

    Attributes:
        url: Base URL, such as ``http://127.0.0.1:8888``.
        token: Its access token.
        root: The folder it serves (a copy of the course).
        log: The server's log file.
    """

    url: str
    token: str
    root: Path
    log: Path

    def address(self, path: str) -> str:
        """Give the URL of a JupyterLab path, with the token."""
        return f"{self.url}/{path}?token={self.token}"


def free_port() -> int:
    """Ask the OS for a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def isolated_env(base: Path) -> dict[str, str]:
    """Return an environment whose per-user state lives under ``base``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "JPY_")) and key != "IPYTHONDIR"
    }
    folders = {
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "IPYTHONDIR": "ipython",
        "COURSE_CACHE_DIR": "course-cache",
        "COURSE_DATA_DIR": "course-data",
    }
    for variable, name in folders.items():
        folder = base / name
        folder.mkdir(parents=True, exist_ok=True)
        env[variable] = str(folder)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    return env


def copy_course(repo: Path, target: Path) -> Path:
    """Copy what a learner opens into ``target``.

    That is ``lessons/`` and ``exercises/``, and ``nbgrader_config.py``, which
    the Validate button reads from the server's folder, as on Binder.
    """
    ignore = shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__", ".mypy_cache", ".ruff_cache"
    )
    for name in ("lessons", "exercises"):
        shutil.copytree(repo / name, target / name, ignore=ignore)
    shutil.copy(repo / "nbgrader_config.py", target)
    return target


def _wait_until_up(process: subprocess.Popen[bytes], lab: Lab) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    status = f"{lab.url}/api/status?token={lab.token}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = lab.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(status, timeout=2):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer within {STARTUP_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> list[str]:
    """Stop the server, then any kernel or grading worker it left running.

    Returns:
        Descriptions of the processes that had to be killed (empty when the
        server's own shutdown stopped everything it started).
    """
    try:
        started = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        started = []
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    _gone, alive = psutil.wait_procs(started, timeout=15)
    killed = []
    for child in alive:
        try:
            killed.append(f"{child.pid} {' '.join(child.cmdline())[:160]}")
            child.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(alive, timeout=10)
    return killed


@contextmanager
def running_lab(repo: Path, base: Path) -> Iterator[Lab]:
    """Start JupyterLab on a free loopback port; stop it and all it started.

    Args:
        repo: The course repository (its ``lessons/`` and ``exercises/`` are
            copied, so the test never writes into the repository).
        base: A temporary folder for the copy and the per-user state.

    Yields:
        The running server.
    """
    root = copy_course(repo, base / "course")
    env = isolated_env(base)
    port = free_port()
    token = secrets.token_hex(24)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, base / "jupyterlab.log")
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        # CI runs as root; JupyterLab refuses to unless told.
        "--ServerApp.allow_root=True",
    ]
    with lab.log.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_up(process, lab)
            yield lab
        finally:
            killed = _stop(process)
    if killed:
        with lab.log.open("a", encoding="utf-8") as log_text:
            log_text.write(
                "\n[test] killed after shutdown: " + "; ".join(killed) + "\n"
            )


# --- working a notebook in the page ------------------------------------------------


def notebook(page: Page) -> Locator:
    """The notebook in the active (visible) tab."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")


def wait_for_notebook(page: Page, name: str) -> Locator:
    """Wait until a notebook tab is open, shown and its kernel idle."""
    expect(
        page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    ).to_contain_text(name, timeout=60_000)
    panel = notebook(page)
    expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=60_000)
    shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(shown.locator(".jp-Toolbar-kernelName")).to_contain_text(
        "Python 3", timeout=90_000
    )
    expect(
        shown.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    ).to_have_count(1, timeout=90_000)
    return panel


def reveal(page: Page, target: Locator) -> Locator:
    """Scroll the active notebook from the top until ``target`` is in the page.

    Depending on its windowing mode, JupyterLab attaches or renders a cell
    only once it comes near the viewport, as a reader scrolls to it.
    """
    scroller = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
    )
    scroller.evaluate("node => { node.scrollTop = 0; }")
    for _ in range(200):
        if target.count():
            return target
        at_end = scroller.evaluate(
            "node => { const before = node.scrollTop;"
            " node.scrollTop += node.clientHeight * 0.8;"
            " return node.scrollTop === before; }"
        )
        page.wait_for_timeout(150)
        if at_end and not target.count():
            break
    expect(target.first).to_be_attached(timeout=1000)
    return target


def cell(page: Page, text: str) -> Locator:
    """The one cell of the active notebook whose input contains ``text``.

    The locator is pinned to the cell's position, so it still finds the cell
    after its text has been replaced.
    """
    cells = notebook(page).locator(".jp-Cell")
    found = cells.filter(has=page.locator(".jp-InputArea", has_text=text))
    reveal(page, found)
    expect(found).to_have_count(1)
    index: int = found.evaluate(
        "node => [...node.parentElement.children]"
        ".filter(child => child.classList.contains('jp-Cell')).indexOf(node)"
    )
    return cells.nth(index)


def run_cell(target: Locator) -> None:
    """Select a cell by its prompt, run it with Shift+Enter, wait for the end."""
    prompt = target.locator(".jp-InputPrompt")
    target.scroll_into_view_if_needed()
    before = prompt.inner_text()
    prompt.click()
    target.page.keyboard.press("Shift+Enter")
    expect(prompt).not_to_have_text(before, timeout=RUN_TIMEOUT_MS)
    expect(prompt).to_have_text(_EXECUTED, timeout=RUN_TIMEOUT_MS)


def type_into(target: Locator, text: str) -> None:
    """Replace a code cell's text, typing as a learner's paste would."""
    target.scroll_into_view_if_needed()
    editor = target.locator(".cm-content")
    editor.click()
    page = target.page
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    expect(editor).to_contain_text(text.strip().splitlines()[0])


def feedback(target: Locator) -> Locator:
    """The check feedback shown in a graded cell's output."""
    return target.locator(".jp-OutputArea .course-feedback")


def run_check(target: Locator) -> Locator:
    """Run a graded cell and return its feedback, once rendered."""
    run_cell(target)
    shown = feedback(target)
    expect(shown).to_have_count(1, timeout=RUN_TIMEOUT_MS)
    return shown


def bring_into_view(target: Locator) -> None:
    """Scroll so that ``target`` starts at the top of the notebook, then let it paint.

    Cells far from the viewport are painted lazily (CSS content-visibility),
    so a screenshot right after a scroll can show blank space.
    """
    target.evaluate("node => node.scrollIntoView({block: 'start'})")
    target.page.wait_for_timeout(300)
    target.evaluate("node => node.scrollIntoView({block: 'start'})")
    target.page.wait_for_timeout(300)

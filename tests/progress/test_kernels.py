"""In real kernels: does a check in kernel A update the panel shown by kernel B?

Kernel B shows the panel once; kernel A (another process) runs ``%%check``.
Kernel B must then send the front end a widget update on its own, without
any cell being run, which is what a browser would render. After a restart, a
newly shown panel's widget models must all be opened in the new kernel (no
"model not found" for the front end).
"""

from __future__ import annotations

import os
import queue
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PANEL = "from autograder.progress import show_progress\npanel = show_progress()\npanel"


def run(client: BlockingKernelClient, code: str) -> list[dict[str, Any]]:
    """Run code; return the iopub messages it produced, failing on an error."""
    msg_id = client.execute(code)
    messages = []
    while True:
        message = client.get_iopub_msg(timeout=120)
        if message["parent_header"].get("msg_id") != msg_id:
            messages.append(message)  # e.g. a widget update from a thread
            continue
        messages.append(message)
        kind = message["msg_type"]
        assert kind != "error", "\n".join(message["content"]["traceback"])
        if kind == "status" and message["content"]["execution_state"] == "idle":
            return messages


def text(messages: list[dict[str, Any]]) -> str:
    return "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")


@pytest.fixture
def kernels(tmp_path: Path) -> Iterator[tuple[KernelManager, KernelManager]]:
    """Two kernels sharing a progress store of their own, empty at the start."""
    env = {**os.environ, "COURSE_DATA_DIR": str(tmp_path / "progress")}
    started = []
    for _ in range(2):
        manager = KernelManager(kernel_name="python3")
        manager.start_kernel(cwd=str(tmp_path), env=env)
        started.append(manager)
    yield started[0], started[1]
    for manager in started:
        manager.shutdown_kernel(now=True)


def client_of(manager: KernelManager) -> BlockingKernelClient:
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return client


def model_references(state: object) -> set[str]:
    """Every ``IPY_MODEL_<id>`` a widget's state points to."""
    if isinstance(state, str) and state.startswith("IPY_MODEL_"):
        return {state.removeprefix("IPY_MODEL_")}
    if isinstance(state, dict):
        return set().union(*(model_references(value) for value in state.values()))
    if isinstance(state, list):
        return set().union(*(model_references(value) for value in state))
    return set()


def shown_panel(messages: list[dict[str, Any]]) -> tuple[str, set[str]]:
    opened = {m["content"]["comm_id"] for m in messages if m["msg_type"] == "comm_open"}
    (view,) = [
        m["content"]["data"][WIDGET_VIEW]
        for m in messages
        if m["msg_type"] == "execute_result"
    ]
    return str(view["model_id"]), opened


@pytest.mark.slow
def test_a_check_in_one_kernel_updates_the_panel_of_another(
    root: Path, tmp_path: Path, kernels: tuple[KernelManager, KernelManager]
) -> None:
    exercise = tmp_path / "course" / "exercises" / "01_pep8"
    shutil.copytree(root / "solutions" / "01_pep8", exercise)
    shutil.copytree(root / "lessons", tmp_path / "course" / "lessons")
    checker, viewer = (client_of(manager) for manager in kernels)
    try:
        run(viewer, "import os\nos.chdir('course/lessons')")
        panel_id, opened = shown_panel(run(viewer, PANEL))
        assert panel_id in opened
        bar_id = text(run(viewer, "print(panel.rows['01_pep8'].bar.model_id)")).strip()
        assert bar_id in opened

        run(checker, "import os\nos.chdir('course/exercises/01_pep8')")
        run(checker, "%load_ext autograder")
        done = run(checker, "%%check check_imports\n# ruff I")
        (result,) = [m for m in done if m["msg_type"] == "execute_result"]
        assert result["content"]["data"]["text/plain"] == "1"

        deadline = time.monotonic() + 10
        updates = []
        while time.monotonic() < deadline:
            try:
                message = viewer.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if message["msg_type"] == "comm_msg":
                updates.append(message["content"])
                state = message["content"]["data"].get("state", {})
                if message["content"]["comm_id"] == bar_id and state.get("value") == 1:
                    break
        else:
            pytest.fail(f"no update of the bar reached the front end: {updates}")
    finally:
        checker.stop_channels()
        viewer.stop_channels()


@pytest.mark.slow
def test_after_a_restart_the_panel_shows_again_with_all_its_models(
    tmp_path: Path, root: Path, kernels: tuple[KernelManager, KernelManager]
) -> None:
    manager = kernels[0]
    client = client_of(manager)
    try:
        run(client, f"import os\nos.chdir({str(root / 'lessons')!r})")
        before, _ = shown_panel(run(client, PANEL))
        manager.restart_kernel(now=True)
        client.wait_for_ready(timeout=60)
        run(client, f"import os\nos.chdir({str(root / 'lessons')!r})")
        messages = run(client, PANEL)
        after, opened = shown_panel(messages)
        assert after != before
        assert after in opened
        references = {
            reference
            for message in messages
            if message["msg_type"] == "comm_open"
            for reference in model_references(message["content"]["data"]["state"])
        }
        assert references  # the panel's children, layouts and styles
        assert references <= opened  # the front end finds every model it needs
    finally:
        client.stop_channels()

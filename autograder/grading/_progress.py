"""A small progress bar for batch grading (no dependency needed)."""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    """Draws ``[####------]  12/30  ada  0:14`` (one line redrawn on a terminal).

    Args:
        total: Items to do.
        stream: Where to draw.
        interactive: Redraw one line (a terminal) rather than print a line per item.
    """

    def __init__(self, total: int, stream: TextIO, *, interactive: bool) -> None:
        """Start at zero."""
        self.total = total
        self.done = 0
        self.stream = stream
        self.interactive = interactive
        self.started = time.monotonic()

    def _elapsed(self) -> str:
        seconds = int(time.monotonic() - self.started)
        return f"{seconds // 60}:{seconds % 60:02d}"

    def advance(self, label: str) -> None:
        """Count one item done and redraw.

        Args:
            label: What was just done (a student id).
        """
        self.done += 1
        filled = WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (WIDTH - filled)
        text = (
            f"[{bar}] {self.done:>3}/{self.total}  {label[:20]:<20} {self._elapsed()}"
        )
        if self.interactive:
            self.stream.write("\r" + text)
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

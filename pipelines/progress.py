"""Progress display: one rich progress bar per segment (documents, MB, docs/s, ETA by input bytes).

Labels and notes name files, filters and runs: they are printed as text, never parsed as markup.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from corpus.escape import terminal, terminal_text


class RunProgress:
    """Shows each segment's progress on a terminal; prints one summary line per segment otherwise."""

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        self.enabled = enabled
        self.console = console or Console(stderr=True)

    def note(self, message: str) -> None:
        """One line about the run (resuming, reusing finished work)."""
        if self.enabled:
            self.console.print(terminal_text(message, multiline=True), soft_wrap=True)

    @contextlib.contextmanager
    def segment(self, label: str, total: int, unit: str) -> Iterator[Callable[[int, int], None]]:
        """A callback `advance(docs, raw_bytes)`; the bar's total is in `unit` (bytes or docs)."""
        lock = threading.Lock()
        counts = {"docs": 0, "bytes": 0}
        started = time.perf_counter()
        live = self.enabled and self.console.is_terminal
        bar = Progress(
            TextColumn("{task.description}", style="bold", markup=False),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[docs]:,} docs  {task.fields[mb]:,.1f} MB  "
                       "{task.fields[rate]:,.0f} docs/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            disable=not live,
            transient=False,
        )
        task = bar.add_task(terminal(label), total=max(total, 1), docs=0, mb=0.0, rate=0.0)

        def advance(docs: int, raw_bytes: int) -> None:
            with lock:
                counts["docs"] += docs
                counts["bytes"] += raw_bytes
                elapsed = max(time.perf_counter() - started, 1e-9)
                step = raw_bytes if unit == "bytes" else docs
                bar.update(task, advance=step, docs=counts["docs"], mb=counts["bytes"] / 1e6,
                           rate=counts["docs"] / elapsed)

        with bar:
            yield advance
            bar.update(task, completed=max(total, 1))
        if self.enabled and not live:
            elapsed = time.perf_counter() - started
            self.console.print(terminal_text(
                f"{label}: {counts['docs']:,} docs, {counts['bytes'] / 1e6:,.1f} MB in {elapsed:.1f} s "
                f"({counts['docs'] / max(elapsed, 1e-9):,.0f} docs/s)"), soft_wrap=True)

"""Fault injection for the crash tests: `CORPUS_KILL_AT=point[:n]` SIGKILLs the run there.

A checkpoint costs one dictionary lookup when the variable is unset. The points are the
places where a crash is most likely to lose or double work: `read` (after a chunk is read),
`filter` (after a filter ran on a batch), `unit` (before a finished unit is recorded),
`resolve` (inside the global dedup step), `publish` (before the version is renamed) and
`latest` (after the rename, before LATEST moves).
"""

from __future__ import annotations

import multiprocessing
import os
import signal

_hits: dict[str, int] = {}


def checkpoint(point: str) -> None:
    """SIGKILL the run at this process's n-th pass through `point`, if asked to (in a worker
    process, the run's main process first, as when the whole machine or job is killed)."""
    wanted = os.environ.get("CORPUS_KILL_AT")
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name != point:
        return
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] >= int(count or 1):
        if multiprocessing.parent_process() is not None:
            os.kill(os.getppid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)

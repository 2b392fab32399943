"""The local executor: runs a segment's tasks in-process or on one pool of worker processes."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pipelines import tasks
from pipelines.tasks import Progress, StepFailed, Task, TaskResult, run_task

PR_SET_PDEATHSIG = 1
# Linux: fork, so a worker starts with the engine (and whatever the run imported) already
# loaded instead of importing it again (0.5 CPU-seconds each); elsewhere fork is unsafe.
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


class WorkerDied(StepFailed):
    """A worker process vanished (a signal, the OOM killer); its task's unit stays unfinished."""


class LocalPool:
    """Runs tasks in-process (workers=1) or on one pool of worker processes for the whole run.

    Workers report progress through a queue that a thread of this process drains into the
    current segment's callback; the pool (and the models its workers loaded) lives across
    segments. The workers start (forked, so with the engine already imported) as the pool is
    entered, not when the first task arrives, and a pool left without an error does not wait
    for them to exit.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._advance: Progress = lambda docs, raw: None

    def __enter__(self) -> LocalPool:
        if self.workers > 1:
            context = multiprocessing.get_context(START_METHOD)
            self._messages = context.Queue()
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                             initializer=_init_worker, initargs=(self._messages, os.getpid()))
            # Forked workers inherit the run's models (presidio's recognizers, the classifiers):
            # frozen, their objects are left out of the workers' full collections, which
            # otherwise walk them all (about 0.5 CPU-seconds each in the quickstart chain).
            gc.freeze()
            for _ in range(self.workers):  # forks every worker at once; spawn: one per submit
                self._pool.submit(int)
            gc.unfreeze()
            # Only now: a thread of this process must not hold a lock when it forks.
            self._drain = threading.Thread(target=self._drain_messages, daemon=True)
            self._drain.start()
        return self

    def __exit__(self, failure: type[BaseException] | None, *exc_info) -> None:
        if self._pool is not None:
            # After a failure wait: a task still running would write into units the run is
            # about to clean up. Otherwise every task is done and the workers exit while the
            # version is published (the interpreter joins them at exit).
            self._pool.shutdown(wait=failure is not None, cancel_futures=True)
            self._messages.put(None)
            self._drain.join(timeout=5)

    def run(self, tasks: list[Task], progress: Progress) -> list[TaskResult]:
        """Results in task order; the first failure cancels the rest and is raised."""
        self._advance = progress
        if self._pool is None or len(tasks) <= 1:
            return [run_task(task, progress) for task in tasks]
        futures = [self._pool.submit(run_task, task) for task in tasks]
        wait(futures, return_when=FIRST_EXCEPTION)
        for task, future in zip(tasks, futures, strict=True):
            if future.done() and future.exception() is not None:
                for other in futures:
                    other.cancel()
                if isinstance(future.exception(), BrokenProcessPool):
                    raise WorkerDied(
                        f"a worker process died abruptly while running {task.source} (killed by "
                        f"a signal, e.g. the out-of-memory killer)") from future.exception()
                raise future.exception()
        return [future.result() for future in futures]

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """`function` over `items` on the worker processes (in-process with one worker)."""
        if self._pool is None or len(items) <= 1:
            return [function(item) for item in items]
        return list(self._pool.map(function, items))

    def _drain_messages(self) -> None:
        while True:
            try:
                item = self._messages.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is None:
                return
            self._advance(*item)


def _init_worker(messages, parent: int) -> None:
    _die_with_parent(parent)
    tasks.report_to(lambda docs, raw: messages.put((docs, raw)))


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel SIGKILL this worker when the run's process dies (even by
    SIGKILL), so no orphan keeps writing into a staging area that a rerun resumes. A parent
    that died while this worker was starting is caught by the check after."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)

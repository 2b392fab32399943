"""The Ray executor's pool: a segment's tasks run on Ray actors across a cluster.

Each actor is a long-lived worker process: it sets a segment's filters up once (models
load once per actor) and runs whole tasks with the same `run_task` as the local executor,
reading its split straight from storage and writing its unit into the run's staging area
(which must be on storage every node sees). Only task descriptions and small results
travel through Ray. A task whose actor dies (node lost, OOM kill) runs again on a fresh
actor; units are idempotent, so nothing is doubled.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from corpus.errors import ConfigError
from pipelines.config import RayConfig
from pipelines.tasks import Progress, StepFailed, Task, TaskResult, run_task

IN_FLIGHT_PER_ACTOR = 2
LOCAL_OBJECT_STORE = 512 << 20  # only task descriptions and results travel through it


class RayPool:
    """Runs tasks on `actors` Ray actors; `run` keeps each actor busy and retries lost tasks."""

    def __init__(self, settings: RayConfig) -> None:
        self.settings = settings
        self._actors: list[Any] = []
        self._started_ray = False

    def __enter__(self) -> RayPool:
        import ray

        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        if not ray.is_initialized():
            local = {} if self.settings.address else {
                "include_dashboard": False, "object_store_memory": LOCAL_OBJECT_STORE}
            path = os.environ.get("PYTHONPATH")
            try:
                ray.init(address=self.settings.address, log_to_driver=False, logging_level="ERROR",
                         runtime_env={"env_vars": {"PYTHONPATH": path}} if path else None, **local)
            except ConnectionError as exc:
                raise ConfigError(f"cannot reach the Ray cluster at {self.settings.address}: {exc}") from exc
            self._started_ray = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        count = self.settings.actors or max(1, cpus)
        self._worker = ray.remote(SegmentWorker).options(
            num_cpus=self.settings.cpus_per_actor, max_restarts=0, scheduling_strategy="SPREAD")
        self._actors = [self._worker.remote() for _ in range(count)]
        return self

    def __exit__(self, *exc_info) -> None:
        import ray

        for actor in self._actors:
            ray.kill(actor)
        self._actors = []
        if self._started_ray:
            ray.shutdown()

    @property
    def nodes(self) -> int:
        import ray

        return sum(1 for node in ray.nodes() if node["Alive"])

    def run(self, tasks: list[Task], progress: Progress) -> list[TaskResult]:
        """Results in task order. A filter's error fails the run at once; a lost worker's task is
        retried on a new actor up to `retries` times."""
        def finished(task: Task, result: TaskResult) -> None:
            progress(*_progress_of(task, result))

        return self._each(tasks, lambda actor, task: actor.run.remote(task), finished,
                          lambda task: task.source)

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """`function` over `items` on the actors, results in order, with the same retries."""
        return self._each(items, lambda actor, item: actor.call.remote(function, item),
                          lambda item, result: None, lambda item: f"{function.__name__}({item!r:.80})")

    def _each(self, items: list[Any], submit: Callable[[Any, Any], Any],
              finished: Callable[[Any, Any], None], describe: Callable[[Any], str]) -> list[Any]:
        """Keep every actor busy with up to IN_FLIGHT_PER_ACTOR items; collect results in order."""
        import ray
        from ray.exceptions import ActorDiedError, ActorUnavailableError, RayTaskError, WorkerCrashedError

        lost = (ActorDiedError, ActorUnavailableError, WorkerCrashedError)
        pending = list(reversed(range(len(items))))
        attempts: dict[int, int] = {}
        running: dict[Any, tuple[int, int]] = {}
        results: dict[int, Any] = {}
        idle = [slot for slot in range(len(self._actors)) for _ in range(IN_FLIGHT_PER_ACTOR)]
        while pending or running:
            while pending and idle:
                slot, number = idle.pop(), pending.pop()
                running[submit(self._actors[slot], items[number])] = (number, slot)
            done, _ = ray.wait(list(running), num_returns=1)
            number, slot = running.pop(done[0])
            try:
                result = ray.get(done[0])
            except RayTaskError as exc:
                cause = exc.as_instanceof_cause()
                raise (cause if isinstance(cause, StepFailed) else StepFailed(str(cause))) from None
            except lost as exc:
                attempts[number] = attempts.get(number, 0) + 1
                if attempts[number] > self.settings.retries:
                    raise StepFailed(f"{describe(items[number])} failed {attempts[number]} times "
                                     f"because its Ray worker died: {type(exc).__name__}") from exc
                self._replace(slot)
                pending.append(number)
                idle.append(slot)
                continue
            results[number] = result
            finished(items[number], result)
            idle.append(slot)
        return [results[number] for number in range(len(items))]

    def _replace(self, slot: int) -> None:
        """A fresh actor for a slot whose actor died (once per slot, however many calls it had)."""
        import ray

        actor = self._actors[slot]
        try:
            ray.get(actor.ping.remote(), timeout=10)
        except Exception:  # noqa: BLE001 - any failure means the actor is gone
            self._actors[slot] = self._worker.remote()


def _progress_of(task: Task, result: TaskResult) -> tuple[int, int]:
    """(documents, raw bytes) a finished task advances the segment's progress by."""
    if task.split is not None:
        return result.records, task.split.size
    first = next(iter(result.stats.values()), {"docs_in": 0})
    return first["docs_in"], 0


class SegmentWorker:
    """A Ray actor: runs tasks in its own process, keeping filters set up between tasks."""

    def __init__(self) -> None:
        self.started = time.time()

    def ping(self) -> bool:
        return True

    def run(self, task: Task) -> TaskResult:
        return run_task(task, lambda docs, raw: None)

    def call(self, function: Callable[[Any], Any], item: Any) -> Any:
        return function(item)

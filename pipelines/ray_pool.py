"""The Ray executor's pool: a segment's tasks run on Ray actors across a cluster.

Each actor is a long-lived worker process: it sets a segment's filters up once (models
load once per actor) and runs whole tasks with the same `run_task` as the local executor,
reading its split straight from storage and writing its unit into the run's staging area
(on storage every node sees; with a store on object storage, through a scratch folder of
its own that it syncs with the store: corpus.mirror). Only task descriptions and small results
travel through Ray. A task whose actor dies (node lost, OOM kill) runs again on a fresh
actor; units are idempotent, so nothing is doubled.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from typing import Any

from corpus.errors import ConfigError
from pipelines.config import RayConfig
from pipelines.tasks import Progress, StepFailed, Task, TaskResult, describe_failure, run_task

IN_FLIGHT_PER_ACTOR = 2
PROGRESS_SECONDS = 0.5
LOCAL_OBJECT_STORE = 512 << 20  # only task descriptions and results travel through it


class RayPool:
    """Runs tasks on `actors` Ray actors; `run` keeps each actor busy and retries lost tasks."""

    def __init__(self, settings: RayConfig) -> None:
        self.settings = settings
        self._actors: list[Any] = []
        self._started_ray = False

    def __enter__(self) -> RayPool:
        try:
            import ray
        except ImportError as exc:
            raise ConfigError("executor: ray needs Ray installed: pip install -e '.[ray]'") from exc
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
        cpus = ray.cluster_resources().get("CPU", 1)
        count = self.settings.actors or max(1, int(cpus))
        if count * self.settings.cpus_per_actor > cpus:
            raise ConfigError(
                f"ray.actors={count} x ray.cpus_per_actor={self.settings.cpus_per_actor} needs "
                f"{count * self.settings.cpus_per_actor:g} CPUs; the cluster has {cpus:g} (actors that "
                f"cannot be placed would wait forever)")
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        self._sink = ray.remote(ProgressSink).options(num_cpus=0, scheduling_strategy=here).remote()
        self._worker = ray.remote(SegmentWorker).options(
            num_cpus=self.settings.cpus_per_actor, max_restarts=0, scheduling_strategy="SPREAD")
        self._actors = [self._new_actor() for _ in range(count)]
        return self

    def _new_actor(self) -> Any:
        return self._worker.remote(self._sink)

    def __exit__(self, failure: type[BaseException] | None, *exc_info) -> None:
        import ray

        # Their scratch folders (corpus.mirror); after a failure an actor may still be busy with
        # a task, so it gets little time; a dead actor's folder stays.
        with contextlib.suppress(Exception):
            ray.get([actor.release.remote() for actor in self._actors], timeout=5 if failure else 60)
        for actor in [*self._actors, self._sink]:
            ray.kill(actor)
        self._actors = []
        if self._started_ray:
            ray.shutdown()

    def run(self, tasks: list[Task], progress: Progress) -> list[TaskResult]:
        """Results in task order. A filter's error fails the run at once; a lost worker's task is
        retried on a new actor up to `retries` times."""
        import ray

        def report() -> None:
            docs, raw = ray.get(self._sink.take.remote())  # on this node: it dies only with us
            if docs or raw:
                progress(docs, raw)

        return self._each(tasks, lambda actor, task: actor.run.remote(task), report,
                          lambda task: task.source)

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """`function` over `items` on the actors, results in order, with the same retries."""
        return self._each(items, lambda actor, item: actor.call.remote(function, item),
                          lambda: None, lambda item: f"{function.__name__}({item!r:.80})")

    def _each(self, items: list[Any], submit: Callable[[Any, Any], Any], tick: Callable[[], None],
              describe: Callable[[Any], str]) -> list[Any]:
        """Keep every actor busy with up to IN_FLIGHT_PER_ACTOR items; collect results in order;
        `tick` runs about every PROGRESS_SECONDS and once at the end."""
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
            done, _ = ray.wait(list(running), num_returns=1, timeout=PROGRESS_SECONDS)
            tick()
            if not done:
                continue
            number, slot = running.pop(done[0])
            try:
                result = ray.get(done[0])
            except RayTaskError as exc:
                cause = exc.as_instanceof_cause()
                if not isinstance(cause, StepFailed):
                    cause = StepFailed(describe_failure(cause))
                raise cause from None
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
            idle.append(slot)
        tick()
        return [results[number] for number in range(len(items))]

    def _replace(self, slot: int) -> None:
        """A fresh actor for a slot whose actor died (once per slot, however many calls it had)."""
        import ray

        actor = self._actors[slot]
        try:
            ray.get(actor.ping.remote(), timeout=10)
        except Exception:  # noqa: BLE001 - any failure means the actor is gone
            self._actors[slot] = self._new_actor()


class ProgressSink:
    """A Ray actor that sums what the workers read; the driver takes the sums to its display."""

    def __init__(self) -> None:
        self.docs = self.raw = 0

    def add(self, docs: int, raw: int) -> None:
        self.docs += docs
        self.raw += raw

    def take(self) -> tuple[int, int]:
        taken = (self.docs, self.raw)
        self.docs = self.raw = 0
        return taken


class SegmentWorker:
    """A Ray actor: runs tasks in its own process, keeping filters set up between tasks."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink

    def ping(self) -> bool:
        return True

    def run(self, task: Task) -> TaskResult:
        """Run the task, sending progress to the sink at most every PROGRESS_SECONDS; the last
        part is delivered before the result, so the display never misses a finished task."""
        import ray

        pending = {"docs": 0, "raw": 0, "sent": time.monotonic()}

        def report(docs: int, raw: int) -> None:
            pending["docs"] += docs
            pending["raw"] += raw
            if time.monotonic() - pending["sent"] >= PROGRESS_SECONDS:
                self.sink.add.remote(pending["docs"], pending["raw"])
                pending.update(docs=0, raw=0, sent=time.monotonic())

        result = run_task(task, report)
        with contextlib.suppress(Exception):  # progress never fails a task
            ray.get(self.sink.add.remote(pending["docs"], pending["raw"]))
        return result

    def call(self, function: Callable[[Any], Any], item: Any) -> Any:
        return function(item)

    def release(self) -> None:
        """Delete this worker's scratch copies of units and work folders (corpus.mirror)."""
        from corpus.mirror import release

        release()

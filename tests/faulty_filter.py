"""Plugins for the fault and pool tests: one raises on a document holding `fail_on`, one logs its set-ups."""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.compute as pc

from corpus.stats import FilterStats
from filters import Filter, FilterParams, Verdict


class Faulty(Filter):
    """Keeps everything, or raises ValueError when a document contains `fail_on`."""

    name = "faulty"

    class Params(FilterParams):
        fail_on: str | None = None

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        text = batch.column("text")
        if self.params.fail_on and pc.any(pc.match_substring(text, self.params.fail_on)).as_py():
            raise ValueError(f"found {self.params.fail_on!r}")
        return Verdict(keep=pa.array([True] * len(text)))


class SetupLog(Filter):
    """Keeps everything; each `setup` appends the id of the process it ran in to the file `log`."""

    name = "setup_log"

    class Params(FilterParams):
        log: str

    def setup(self) -> None:
        with open(self.params.log, "a") as log:
            log.write(f"{os.getpid()}\n")

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        return Verdict(keep=pa.array([True] * batch.num_rows))

"""A plugin for the fault tests: raises on any batch holding a document with `fail_on` in it."""

from __future__ import annotations

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

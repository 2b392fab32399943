"""Decision files: a global filter's verdict on each document, written by `resolve`, merge-joined by `apply`.

A decision file holds one row per document the filter has something to say about, sorted by
ORDER: `reason` (why the document is removed, null when it is only annotated) and the
filter's annotation columns. `resolve` writes one file per key file; the task of the next
segment that streams the same documents reads those files alongside its batches. Documents
reach a task in ORDER order, so a cursor that moves forward through the files in chunks
is enough: memory is one chunk plus one batch's matches, never the corpus's decision (as
datatrove's `.remove` files).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from corpus.schema import ORDER

REASON = "reason"
CHUNK_ROWS = 1 << 16


def decision_schema(columns: dict[str, pa.DataType]) -> pa.Schema:
    """The schema of a filter's decision files: ORDER, reason, then its annotation `columns`."""
    return pa.schema([(ORDER, pa.int64()), (REASON, pa.string()), *columns.items()])


def decision_files(folder: Path, task: int, count: int) -> list[Path]:
    """Where the decisions for the `count` key files of task number `task` go, in key-file order."""
    return [folder / "decisions" / f"t{task:06d}-{part:04d}.parquet" for part in range(count)]


def write_decisions(path: Path, table: pa.Table) -> None:
    """Write `table` (the decision schema; any row order) sorted by ORDER; an empty table gives
    an empty file, so every key file has its decision file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.sort_by(ORDER), path, row_group_size=CHUNK_ROWS)


class DecisionReader:
    """Merge-joins a task's decision files with its batches, which come in ORDER order.

    `take(order)` returns one row per document of the batch (the decision's columns, all
    null for documents without a decision); rows before the batch's last ORDER are let go.
    """

    def __init__(self, paths: list[Path], chunk_rows: int = CHUNK_ROWS) -> None:
        self._files = [pq.ParquetFile(path) for path in paths]
        self.schema = self._files[0].schema_arrow if self._files else decision_schema({})
        self._chunks = self._batches(chunk_rows)
        self._rows = self.schema.empty_table()
        self._orders = np.zeros(0, np.int64)
        self._more = True
        self._passed: int | None = None

    def _batches(self, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        for handle in self._files:
            yield from handle.iter_batches(batch_size=chunk_rows)
            handle.close()

    def take(self, order: pa.Array) -> pa.Table:
        wanted = order.to_numpy()
        if not len(wanted):
            return self.schema.empty_table()
        low, high = int(wanted.min()), int(wanted.max())
        if self._passed is not None and low <= self._passed:
            # a bug, not a user error: the executor must stream a task's documents in order
            raise RuntimeError(f"documents reached the decision files out of ORDER "
                               f"({low} after {self._passed})")
        while self._more and (not len(self._orders) or self._orders[-1] <= high):
            self._load()
        at = np.searchsorted(self._orders, wanted)
        inside = at < len(self._orders)
        hit = np.zeros(len(wanted), dtype=bool)
        hit[inside] = self._orders[at[inside]] == wanted[inside]
        rows = self._rows.take(pa.array(np.where(hit, at, 0), mask=~hit))
        done = int(np.searchsorted(self._orders, high, side="right"))
        self._rows, self._orders = self._rows.slice(done), self._orders[done:]
        self._passed = high
        return rows

    def _load(self) -> None:
        chunk = next(self._chunks, None)
        if chunk is None:
            self._more = False
            return
        self._rows = pa.concat_tables([self._rows, pa.Table.from_batches([chunk])]).combine_chunks()
        self._orders = np.concatenate([self._orders, chunk.column(ORDER).to_numpy()])

    def close(self) -> None:
        for handle in self._files:
            handle.close()

"""exact_dedup: remove documents whose normalised text already occurred earlier in the input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash
from pydantic import Field

from corpus.schema import ID, ORDER, TEXT
from corpus.stats import FilterStats
from filters.base import FilterParams, GlobalFilter, Keys, Verdict
from filters.text import collapse_whitespace, utf8_values


class ExactDedup(GlobalFilter):
    """Keeps the first document (in input order) of each group with the same normalised text.

    Normalisation: lower case, Unicode whitespace runs collapsed, ends trimmed. Removed documents
    carry `duplicate_of`, the id of the document that was kept.
    """

    name = "exact_dedup"
    writes = ("duplicate_of",)
    shared = ("duplicate_of",)

    class Params(FilterParams):
        lowercase: bool = Field(True, description="compare texts case-insensitively")

    def sign(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        text = batch.column(TEXT)
        if self.params.lowercase:
            text = pc.utf8_lower(text)
        text = collapse_whitespace(text)
        digests = [xxhash.xxh3_128_intdigest(value) >> 64 for value in utf8_values(text)]
        return {"hash": pa.array(np.array(digests, dtype=np.uint64))}

    def resolve(self, keys: Keys, stats: FilterStats, workdir: Path) -> None:
        batches = list(keys())
        table = pa.Table.from_batches(batches) if batches else None
        if table is None or table.num_rows == 0:
            self.drop_order, self.drop_of = np.array([], np.int64), np.array([], object)
            return
        table = table.sort_by([("hash", "ascending"), (ORDER, "ascending")])
        hashes = table.column("hash").to_numpy()
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = hashes[1:] != hashes[:-1]
        group_start = np.maximum.accumulate(np.where(first, np.arange(len(hashes)), 0))
        ids = table.column(ID).to_numpy(zero_copy_only=False)
        duplicates = ~first
        order = table.column(ORDER).to_numpy()[duplicates]
        sort = np.argsort(order)
        self.drop_order = order[sort]
        self.drop_of = ids[group_start[duplicates]][sort]
        sizes = np.diff(np.append(np.flatnonzero(first), len(hashes)))
        stats.count("clusters", "with_duplicates", int((sizes > 1).sum()))
        stats.count("clusters", "documents_in_clusters", int(sizes[sizes > 1].sum()))

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        order = batch.column(ORDER).to_numpy()
        position = np.searchsorted(self.drop_order, order)
        position = np.minimum(position, max(len(self.drop_order) - 1, 0))
        hit = (self.drop_order[position] == order) if len(self.drop_order) else np.zeros(
            len(order), dtype=bool)
        duplicate_of = np.where(hit, self.drop_of[position] if len(self.drop_of) else None, None)
        return Verdict(
            keep=pa.array(~hit),
            columns={"duplicate_of": pa.array(duplicate_of, pa.string())},
            reason=pa.array(np.where(hit, "exact_duplicate", None), pa.string()),
        )


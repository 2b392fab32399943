"""exact_dedup: remove documents whose normalised text already occurred earlier in the input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash
from pydantic import Field

from corpus.schema import ID, ORDER, TEXT
from corpus.stats import FilterStats
from filters.base import FilterParams, GlobalFilter, Keys
from filters.decisions import decision_schema, write_decisions
from filters.text import collapse_whitespace, utf8_values

DUPLICATE_OF = "duplicate_of"


class ExactDedup(GlobalFilter):
    """Keeps the first document (in input order) of each group with the same normalised text.

    Normalisation: lower case, Unicode whitespace runs collapsed, ends trimmed. Removed documents
    carry `duplicate_of`, the id of the document that was kept.
    """

    name = "exact_dedup"
    writes = (DUPLICATE_OF,)
    shared = (DUPLICATE_OF,)

    class Params(FilterParams):
        lowercase: bool = Field(True, description="compare texts case-insensitively")
        partitions: int = Field(
            32, ge=1, le=65536, description="hash partitions resolved one at a time (memory: about "
                                            "40 bytes and the id of each document / partitions)")

    def sign(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        text = batch.column(TEXT)
        if self.params.lowercase:
            text = pc.utf8_lower(text)
        text = collapse_whitespace(text)
        digests = [xxhash.xxh3_128_intdigest(value) >> 64 for value in utf8_values(text)]
        return {"hash": pa.array(np.array(digests, dtype=np.uint64))}

    def resolve(self, keys: Keys, stats: FilterStats, workdir: Path) -> None:
        """Three passes mapped over the executor's workers, so no process holds every key:

        1. each key file's (hash, ORDER, id) rows are spread to `partitions` files by hash;
        2. each partition alone is sorted by (hash, ORDER): a group's first row is kept, the
           others are duplicates of it, sent on to a file per key file they came from;
        3. each key file's duplicates become its decision file, sorted by ORDER.
        """
        workdir.mkdir(parents=True, exist_ok=True)
        partitions = self.params.partitions
        keys.map(_spread_hashes, [(number, path, workdir, partitions)
                                  for number, path in enumerate(keys.files)])
        found = keys.map(_partition_duplicates, [(part, workdir) for part in range(partitions)])
        keys.map(_write_decisions, [(number, workdir, target)
                                    for number, target in enumerate(keys.decisions)])
        if sum(rows for rows, _, _ in found):
            stats.count("clusters", "with_duplicates", sum(groups for _, groups, _ in found))
            stats.count("clusters", "documents_in_clusters", sum(members for _, _, members in found))


HASH = "hash"
SOURCE = "__corpus_key_file"
DECISION_SCHEMA = decision_schema({DUPLICATE_OF: pa.string()})


def _spread_hashes(job: tuple[int, Path, Path, int]) -> None:
    """Map step of the shuffle: one key file's rows, written to one file per hash partition."""
    number, path, workdir, partitions = job
    sinks: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    try:
        for batch in pq.ParquetFile(path).iter_batches(columns=[HASH, ORDER, ID]):
            batch = batch.append_column(SOURCE, pa.array(np.full(batch.num_rows, number, np.int32)))
            partition = (batch.column(HASH).to_numpy() % np.uint64(partitions)).astype(np.int64)
            for part in np.unique(partition).tolist():
                if part not in sinks:
                    target = workdir / f"hashes-{part:05d}-{number:06d}.arrow"
                    sinks[part] = pa.ipc.new_file(str(target), batch.schema)
                sinks[part].write_batch(batch.filter(pa.array(partition == part)))
    finally:
        for sink in sinks.values():
            sink.close()


def _partition_duplicates(job: tuple[int, Path]) -> tuple[int, int, int]:
    """Reduce step: one partition's duplicates, sent to a file per key file they came from.
    Returns the partition's rows, its groups with duplicates and the documents in them."""
    part, workdir = job
    paths = sorted(workdir.glob(f"hashes-{part:05d}-*.arrow"))
    if not paths:
        return 0, 0, 0
    tables = []
    for path in paths:
        with pa.memory_map(str(path)) as source:
            tables.append(pa.ipc.open_file(source).read_all())
    table = pa.concat_tables(tables).sort_by([(HASH, "ascending"), (ORDER, "ascending")])
    hashes = table.column(HASH).to_numpy()
    first = np.ones(len(hashes), dtype=bool)
    first[1:] = hashes[1:] != hashes[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(hashes)), 0))
    duplicates = np.flatnonzero(~first)
    found = pa.table({ORDER: table.column(ORDER).take(duplicates),
                      DUPLICATE_OF: table.column(ID).take(group_start[duplicates]).cast(pa.string()),
                      SOURCE: table.column(SOURCE).take(duplicates)})
    sources = found.column(SOURCE).to_numpy()
    for number in np.unique(sources).tolist():
        with pa.ipc.new_file(str(workdir / f"duplicates-{number:06d}-{part:05d}.arrow"),
                             found.schema) as sink:
            sink.write_table(found.filter(pa.array(sources == number)))
    for path in paths:
        path.unlink()
    sizes = np.diff(np.append(np.flatnonzero(first), len(hashes)))
    return len(hashes), int((sizes > 1).sum()), int(sizes[sizes > 1].sum())


def _write_decisions(job: tuple[int, Path, Path]) -> None:
    """One key file's decision file, from the duplicates every partition sent it."""
    number, workdir, target = job
    tables = []
    for path in sorted(workdir.glob(f"duplicates-{number:06d}-*.arrow")):
        with pa.memory_map(str(path)) as source:
            tables.append(pa.ipc.open_file(source).read_all())
    found = pa.concat_tables(tables) if tables else DECISION_SCHEMA.empty_table().append_column(
        SOURCE, pa.array([], pa.int32()))
    reason = pa.array(np.full(found.num_rows, "exact_duplicate", dtype=object), pa.string())
    write_decisions(target, pa.table([found.column(ORDER), reason, found.column(DUPLICATE_OF)],
                                     schema=DECISION_SCHEMA))

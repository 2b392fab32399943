"""Parquet shard writer: rolls to a new file every N rows or on an incompatible schema."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpus.schema import public_columns

# Arrow's Parquet reader refuses a schema with more than this many levels from the root to
# a leaf ("Parquet schema too deeply nested"), although its writer writes one: a column
# deeper than this would publish a version nobody can read. A struct adds one level, a list
# or map two (Parquet's three-level encoding).
MAX_SCHEMA_DEPTH = 100


def schema_depth(kind: pa.DataType) -> int:
    """Parquet schema levels from a column of this type down to its deepest leaf."""
    if pa.types.is_dictionary(kind):
        return schema_depth(kind.value_type)
    if pa.types.is_struct(kind):
        return 1 + max((schema_depth(kind.field(i).type) for i in range(kind.num_fields)),
                       default=0)
    if pa.types.is_map(kind):
        return 2 + max(schema_depth(kind.key_type), schema_depth(kind.item_type))
    if isinstance(kind, pa.ListType | pa.LargeListType | pa.FixedSizeListType):
        return 2 + schema_depth(kind.value_type)
    return 1


@lru_cache(maxsize=256)
def unwritable(schema: pa.Schema) -> str | None:
    """Why batches of `schema` cannot be written as readable Parquet, or None when they can."""
    for field in schema:
        depth = 1 + schema_depth(field.type)
        if depth > MAX_SCHEMA_DEPTH:
            return (f"column {field.name!r} nests {depth} levels deep, more than the "
                    f"{MAX_SCHEMA_DEPTH} Parquet readers accept")
    try:
        pq.ParquetWriter(pa.BufferOutputStream(), schema).close()
    except (pa.ArrowException, ValueError) as exc:
        return f"Parquet cannot represent it: {exc}"
    return None


class ShardWriter:
    """Writes batches to `<folder>/<prefix>-NNNN.parquet`, at most `shard_rows` rows a file.

    With `public=True` the engine's internal columns are dropped first. A batch whose
    schema cannot be cast to the open file's schema starts a new file rather than failing:
    pass-through columns may change type between input files.
    """

    def __init__(self, folder: Path, prefix: str, shard_rows: int, public: bool = True,
                 compression: str = "zstd") -> None:
        self.folder = folder
        self.prefix = prefix
        self.shard_rows = shard_rows
        self.public = public
        self.compression = compression
        self.rows = 0
        self.paths: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._open_rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        if self.public:
            batch = public_columns(batch)
        start = 0
        while start < batch.num_rows:
            if self._writer is not None and self._open_rows >= self.shard_rows:
                self._close_file()
            take = min(batch.num_rows - start, self.shard_rows - self._open_rows)
            self._write_part(batch.slice(start, take))
            start += take

    def _write_part(self, batch: pa.RecordBatch) -> None:
        if self._writer is not None and batch.schema != self._writer.schema:
            try:
                batch = batch.cast(self._writer.schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
                self._close_file()
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{self.prefix}-{len(self.paths):04d}.parquet"
            self._writer = pq.ParquetWriter(path, batch.schema, compression=self.compression)
            self.paths.append(path)
        self._writer.write_batch(batch)
        self._open_rows += batch.num_rows
        self.rows += batch.num_rows

    def _close_file(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._open_rows = 0

    def close(self) -> list[Path]:
        """Finish the open file; the paths of every file written, in order."""
        self._close_file()
        return self.paths

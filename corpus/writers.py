"""Parquet shard writer: files cut by rows and bytes, row groups sized for remote readers, provenance."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.schema import ORDER, ORDER_SHIFT, SOURCE_FILE, SOURCE_OFFSET, public_columns

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


@dataclass(frozen=True)
class Layout:
    """How a writer cuts its output. A file closes at `shard_rows` rows or `shard_bytes`
    uncompressed (Arrow) bytes, whichever comes first; a row group likewise at `group_rows` or
    `group_bytes`. `group_rows=None` writes each batch as its own row group, unbuffered (the
    engine's internal files, read back batch by batch)."""

    shard_rows: int = 100_000
    shard_bytes: int = 512 << 20
    group_rows: int | None = 100_000
    group_bytes: int = 128 << 20


# Never cut: a file the engine reads back as one (a global filter's keys: one file per task).
ONE_FILE = Layout(shard_rows=sys.maxsize, shard_bytes=sys.maxsize, group_rows=None)

# Parquet options of published files and of the engine's own (spill, keys): those are read back
# whole, in order, by the engine alone, so no reader skips by statistics or page index, and
# dictionary encoding, tried on every column chunk until its dictionary page fills, only spends
# CPU on unique ids, orders, text and random hashes: a quickstart key batch (signatures and
# shingle hashes) wrote in 29 ms instead of 66, 18 % larger after lz4.
PUBLISHED = {"write_statistics": True, "write_page_index": True}
INTERNAL = {"use_dictionary": False, "write_statistics": False}


class Budget:
    """The bytes the writers of one task may hold in unwritten row groups together.

    Every writer buffers up to its own row-group size; when their buffers together pass
    `limit`, the largest is written out early as a smaller row group. A task's memory for
    buffered rows is thus `limit` (plus one batch), however many writers it has open.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.writers: list[ShardWriter] = []

    def check(self) -> None:
        while sum(writer.buffered_bytes for writer in self.writers) > self.limit:
            max(self.writers, key=lambda writer: writer.buffered_bytes).flush_group()


class ShardWriter:
    """Writes batches to `<folder>/<prefix>-NNNN.parquet`, cut as `layout` says, in input order
    (never sorted). Published files (`public=True`) have column statistics and the page index
    that remote readers (DuckDB, polars, Spark) use to skip row groups and pages; the engine's
    own files (`public=False`, see INTERNAL) have neither, nor dictionary pages.

    With `public=True` the engine's internal columns are dropped first; with `sources` (input
    index -> published file name) ORDER becomes the provenance columns `source_file` and
    `source_offset` in its place. A batch whose schema cannot be cast to the open file's schema
    starts a new file rather than failing: pass-through columns may change type between input
    files.
    """

    def __init__(self, folder: Path, prefix: str, layout: Layout, public: bool = True,
                 compression: str = "zstd", sources: Mapping[int, str] | None = None,
                 budget: Budget | None = None) -> None:
        self.folder = folder
        self.prefix = prefix
        self.layout = layout
        self.public = public
        self.compression = compression
        self.sources = sources
        self.budget = budget or Budget(layout.group_bytes)
        self.budget.writers.append(self)
        self.rows = 0
        self.paths: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._open_rows = self._open_bytes = 0
        self._group: list[pa.RecordBatch] = []
        self._group_rows = 0
        self.buffered_bytes = 0

    def write(self, batch: pa.RecordBatch) -> None:
        if self.public:
            if self.sources is not None and ORDER in batch.schema.names:
                batch = with_provenance(batch, self.sources)
            batch = public_columns(batch)
        if self._schema is not None and batch.schema != self._schema:
            try:
                batch = batch.cast(self._schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
                self._close_file()
        start = 0
        while start < batch.num_rows:
            rest = batch.slice(start)
            # Rows fit by their average size: a file or row group that cannot take the next row
            # is closed first, so neither passes its byte limit unless one row alone does.
            per_row = max(1, rest.nbytes // rest.num_rows)
            layout = self.layout
            in_file = min(layout.shard_rows - self._open_rows,
                          (layout.shard_bytes - self._open_bytes) // per_row)
            in_group = in_file if layout.group_rows is None else min(
                layout.group_rows - self._group_rows, (layout.group_bytes - self.buffered_bytes) // per_row)
            if in_file <= 0 and self._open_rows:
                self._close_file()
            elif in_group <= 0 and self._group_rows:
                self.flush_group()
            else:
                take = max(1, min(rest.num_rows, in_file, in_group))
                self._add(batch.slice(start, take))
                start += take
        self.budget.check()

    def _add(self, part: pa.RecordBatch) -> None:
        size = part.nbytes
        if self._schema is None:
            self._schema = part.schema
        self._group.append(part)
        self._group_rows += part.num_rows
        self.buffered_bytes += size
        self._open_rows += part.num_rows
        self._open_bytes += size
        self.rows += part.num_rows
        layout = self.layout
        if (layout.group_rows is None or self._group_rows >= layout.group_rows
                or self.buffered_bytes >= layout.group_bytes):
            self.flush_group()
        if self._open_rows >= layout.shard_rows or self._open_bytes >= layout.shard_bytes:
            self._close_file()

    def flush_group(self) -> None:
        """Write the buffered rows as one row group of the open file (opened if need be)."""
        if not self._group:
            return
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{self.prefix}-{len(self.paths):04d}.parquet"
            self._writer = pq.ParquetWriter(path, self._schema, compression=self.compression,
                                            **(PUBLISHED if self.public else INTERNAL))
            self.paths.append(path)
        self._writer.write_table(pa.Table.from_batches(self._group, self._schema),
                                 row_group_size=self._group_rows)
        self._group = []
        self._group_rows = self.buffered_bytes = 0

    def _close_file(self) -> None:
        self.flush_group()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._schema = None
        self._open_rows = self._open_bytes = 0

    def close(self) -> list[Path]:
        """Finish the open file; the paths of every file written, in order."""
        self._close_file()
        return self.paths

    def abort(self) -> None:
        """Let go of the open file after an error: buffered rows are dropped and nothing more is
        written, so a full disk or a failed write is not followed by a second, masking error."""
        self._group = []
        self._group_rows = self.buffered_bytes = 0
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(OSError, pa.ArrowException):
                writer.close()

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def with_provenance(batch: pa.RecordBatch, sources: Mapping[int, str]) -> pa.RecordBatch:
    """The batch with ORDER replaced, in place, by `source_file` (the name of the document's input
    in `sources`) and `source_offset` (its record offset in that input)."""
    order = batch.column(ORDER)
    inputs = pc.shift_right(order, ORDER_SHIFT)
    numbers = sorted(sources)
    indices = pc.index_in(inputs, value_set=pa.array(numbers, pa.int64()))
    if indices.null_count:
        raise ValueError("a document's input is missing from the writer's sources")
    files = pc.take(pa.array([sources[number] for number in numbers], pa.string()), indices)
    offsets = pc.bit_wise_and(order, (1 << ORDER_SHIFT) - 1)
    position = batch.schema.get_field_index(ORDER)
    batch = batch.set_column(position, SOURCE_FILE, files)
    return batch.add_column(position + 1, SOURCE_OFFSET, offsets)


def describe_shards(folder: Path) -> str:
    """One line on the shards in `folder` as a remote reader meets them: files, rows, row groups
    and the columns (the provenance ones among them when written)."""
    files = []
    for path in sorted(folder.glob("*.parquet")):
        with path.open("rb") as handle:  # a local path or object storage (universal-pathlib)
            files.append(pq.ParquetFile(handle).metadata)
    if not files:
        return f"{folder.name}: no shards"
    groups = sum(file.num_row_groups for file in files)
    rows = sum(file.num_rows for file in files)
    columns = files[0].schema.to_arrow_schema().names
    return (f"{folder.name}: {len(files):,} shard(s), {rows:,} rows in {groups:,} row group(s); "
            f"columns {', '.join(columns)}")

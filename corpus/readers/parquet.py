"""Parquet reader: streams row batches, maps the text and id columns, quarantines bad rows."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.readers.base import ReadChunk, ReaderOptions, file_tag, quarantine_record
from corpus.schema import ID, ORDER, ORDER_SHIFT, TEXT
from corpus.sources import Split, open_binary


def read_parquet(split: Split, options: ReaderOptions) -> Iterator[ReadChunk]:
    """Documents of a Parquet file in row order; offsets are row numbers.

    A file that is not valid Parquet, or whose text column is missing or not a string,
    becomes one quarantine record naming the problem; rows with a null text are
    quarantined one by one.
    """
    uri = split.file.uri
    try:
        handle = pq.ParquetFile(open_binary(uri))
    except (pa.ArrowException, OSError) as exc:
        yield _file_quarantined(uri, split.file.size, f"not a readable Parquet file: {exc}")
        return
    text_type = _text_type(handle.schema_arrow, options.text_field)
    if text_type is not None:
        yield _file_quarantined(uri, split.file.size, text_type)
        return
    bytes_per_row = split.file.size / max(1, handle.metadata.num_rows)
    row = 0
    batches = handle.iter_batches(batch_size=options.batch_rows, use_threads=False)
    try:
        for batch in batches:
            chunk = _chunk(batch, row, split, options)
            chunk.raw_bytes = round(batch.num_rows * bytes_per_row)
            yield chunk
            row += batch.num_rows
    except (pa.ArrowException, OSError) as exc:
        yield _file_quarantined(uri, 0, f"Parquet data cannot be decoded after row {row}: {exc}",
                                offset=row)


def _text_type(schema: pa.Schema, text_field: str) -> str | None:
    """Why the text column is unusable, or None when it is a string column."""
    index = schema.get_field_index(text_field)
    if index < 0:
        return f"text column {text_field!r} is missing (columns: {', '.join(schema.names)})"
    kind = schema.field(index).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return f"text column {text_field!r} has type {kind}, not a string"
    return None


def _file_quarantined(uri: str, size: int, error: str, offset: int = -1) -> ReadChunk:
    return ReadChunk(batch=None, quarantine=[quarantine_record(uri, offset, error)], records=1,
                     raw_bytes=size)


def _chunk(batch: pa.RecordBatch, first_row: int, split: Split, options: ReaderOptions) -> ReadChunk:
    rows = pa.array(range(first_row, first_row + batch.num_rows), pa.int64())
    text = batch.column(options.text_field)
    valid = pc.is_valid(text)
    chunk = ReadChunk(batch=None, records=batch.num_rows)
    if valid.false_count:
        for offset in pc.filter(rows, pc.invert(valid)).to_pylist():
            error = f"text column {options.text_field!r} is null"
            chunk.quarantine.append(quarantine_record(split.file.uri, offset, error))
        batch, rows = batch.filter(valid), rows.filter(valid)
    chunk.batch = _documents(batch, rows, split, options)
    return chunk


def _documents(batch: pa.RecordBatch, rows: pa.Array, split: Split, options: ReaderOptions):
    names = batch.schema.names
    text = batch.column(options.text_field).cast(pa.large_string())
    id_column = _id_column(batch, options)
    derived = pc.binary_join_element_wise(file_tag(split.file.uri), rows.cast(pa.string()), "-")
    ids = derived if id_column is None else pc.coalesce(
        batch.column(id_column).cast(pa.string()), derived)
    order = pc.add(rows, pa.scalar(split.input_index << ORDER_SHIFT, pa.int64()))
    arrays, out_names = [ids, text, order], [ID, TEXT, ORDER]
    for index, name in enumerate(names):
        if name in (options.text_field, id_column):
            continue
        arrays.append(batch.column(index))
        out_names.append(f"input_{name}" if name in (ID, TEXT) else name)
    return pa.RecordBatch.from_arrays(arrays, names=out_names)


def _id_column(batch: pa.RecordBatch, options: ReaderOptions) -> str | None:
    """The id column when it holds usable ids (strings or integers); else ids are derived
    and the column passes through like any other."""
    name = options.id_field
    if not name or name not in batch.schema.names:
        return None
    kind = batch.schema.field(name).type
    usable = pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind)
    return name if usable else None

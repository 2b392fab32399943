"""Parquet reader: streams row batches under the byte cap, maps the text and id columns, quarantines bad rows.

Memory stays bounded whatever the file: a Parquet page can hold a value many times its own
size (a dictionary page repeats one value for every row), so the rows per batch are chosen
per row group from the decoded size of a small probe, a batch that still comes out over
`batch_bytes` is cut into slices under it (and the rest of its row group read in smaller
batches), and a value over `max_record_bytes` is quarantined as `record_too_large`.
Rows that grow far past the probe's size within one row group can overshoot once, by at
most the batch's rows times the largest value, before the rest is read in smaller batches.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.readers.base import (
    ReadChunk,
    ReaderOptions,
    file_tag,
    quarantine_record,
    too_large,
)
from corpus.schema import ID, ORDER, ORDER_SHIFT, TEXT, input_name
from corpus.sources import Split, open_binary

PROBE_ROWS = 64
# What a document adds to each input row: a derived id, its ORDER and 8-byte text offsets.
ROW_OVERHEAD = 48
# Column chunks are streamed through a buffer of this size rather than read whole into
# memory (pre_buffer), which also makes the probe of a row group cheap.
READ_BUFFER = 1 << 20


def read_parquet(split: Split, options: ReaderOptions) -> Iterator[ReadChunk]:
    """Documents of a Parquet file in row order; offsets are row numbers.

    A file that is not valid Parquet, or whose text column is missing or not a string,
    becomes one quarantine record naming the problem; rows with a null text, a text or id
    that is not valid UTF-8, or a value over `max_record_bytes` are quarantined one by one.
    """
    uri = split.file.uri
    try:
        handle = pq.ParquetFile(open_binary(uri), buffer_size=READ_BUFFER, pre_buffer=False)
    except (pa.ArrowException, OSError) as exc:
        yield _file_quarantined(uri, split.file.size, f"not a readable Parquet file: {exc}")
        return
    text_type = _text_type(handle.schema_arrow, options.text_field)
    if text_type is not None:
        yield _file_quarantined(uri, split.file.size, text_type)
        return
    bytes_per_row = split.file.size / max(1, handle.metadata.num_rows)
    row = 0
    try:
        for batch in bounded_batches(handle, options):
            chunk = _chunk(batch, row, split, options)
            chunk.raw_bytes = round(batch.num_rows * bytes_per_row)
            yield chunk
            row += batch.num_rows
    except (pa.ArrowException, OSError) as exc:
        yield _file_quarantined(uri, 0, f"Parquet data cannot be decoded after row {row}: {exc}",
                                offset=row)


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or \
        pa.types.is_string_view(kind)


def _text_type(schema: pa.Schema, text_field: str) -> str | None:
    """Why the text column is unusable, or None when it holds strings (plain or dictionary)."""
    index = schema.get_field_index(text_field)
    if index < 0:
        return f"text column {text_field!r} is missing (columns: {', '.join(schema.names)})"
    kind = schema.field(index).type
    if not _is_text(kind):
        return f"text column {text_field!r} has type {kind}, not a string"
    return None


def _file_quarantined(uri: str, size: int, error: str, offset: int = -1) -> ReadChunk:
    return ReadChunk(batch=None, quarantine=[quarantine_record(uri, offset, error)], records=1,
                     raw_bytes=size)


# --------------------------------------------------------------------------- bounded batches


def bounded_batches(handle: pq.ParquetFile, options: ReaderOptions) -> Iterator[pa.RecordBatch]:
    """Every row of the file in order, in batches of at most `batch_rows` rows and (but for
    a single row) `batch_bytes` decoded bytes; also used to read back the engine's spill."""
    for group in range(handle.num_row_groups):
        rows = handle.metadata.row_group(group).num_rows
        if rows == 0:
            continue
        probe = next(_read(handle, group, min(PROBE_ROWS, options.batch_rows)), None)
        if probe is None:  # the metadata promised rows the data does not hold
            continue
        if probe.num_rows == rows:
            yield from _under_cap(probe, options.batch_bytes)
            continue
        size = _rows_for(probe, options)
        done = 0
        while done < rows:
            # (Re)start the row group at `done` with `size` rows a batch; a restart re-reads
            # the rows before `done` in batches of the new, smaller size and drops them.
            seen = 0
            for batch in _read(handle, group, size):
                if seen + batch.num_rows <= done:
                    seen += batch.num_rows
                    continue
                batch = batch.slice(done - seen)
                seen = done = done + batch.num_rows
                yield from _under_cap(batch, options.batch_bytes)
                smaller = _rows_for(batch, options)
                if smaller * 2 <= size:  # rows grew well past the probe's: read fewer at once
                    size = smaller
                    break
            else:
                break  # the row group is done (or held fewer rows than its metadata says)


def _read(handle: pq.ParquetFile, group: int, size: int) -> Iterator[pa.RecordBatch]:
    return handle.iter_batches(batch_size=size, row_groups=[group], use_threads=False)


def _rows_for(batch: pa.RecordBatch, options: ReaderOptions) -> int:
    """Rows per batch so that rows like these stay under the byte cap."""
    per_row = max(1, _decoded_bytes(batch) // max(1, batch.num_rows))
    return int(max(1, min(options.batch_rows, options.batch_bytes // per_row)))


def _decoded_bytes(batch: pa.RecordBatch) -> int:
    """The batch's size as documents: dictionary columns decoded (the text column will be),
    plus what each document adds."""
    total = ROW_OVERHEAD * batch.num_rows
    for column in batch.columns:
        if pa.types.is_dictionary(column.type) and _is_binary(column.type.value_type):
            # Decoded: the values, an 8-byte offset each at most, and the validity bitmap.
            total += int(pc.sum(_lengths(column)).as_py() or 0) + 9 * len(column)
        else:
            total += column.nbytes
    return total


def _under_cap(batch: pa.RecordBatch, cap: int) -> Iterator[pa.RecordBatch]:
    """The batch, or consecutive slices of it each under `cap` decoded bytes (a row bigger
    than the cap is a slice of its own)."""
    if batch.num_rows <= 1 or _decoded_bytes(batch) <= cap:
        yield batch
        return
    rows = batch.num_rows
    sizes = np.full(rows, ROW_OVERHEAD, dtype=np.int64)
    for column in batch.columns:
        if _is_binary(column.type) or (pa.types.is_dictionary(column.type)
                                       and _is_binary(column.type.value_type)):
            lengths = _lengths(column).fill_null(0).to_numpy(zero_copy_only=False)
            # Offsets and validity spread over the rows, as _decoded_bytes counts them.
            rest = 9 * rows if pa.types.is_dictionary(column.type) else column.nbytes - lengths.sum()
            sizes += lengths + -(-int(rest) // rows)
        else:
            sizes += -(-column.nbytes // rows)
    ends = np.cumsum(sizes)
    start = 0
    while start < rows:
        before = ends[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, before + cap, side="right")))
        yield batch.slice(start, stop - start)
        start = stop


def _is_binary(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or \
        pa.types.is_binary(kind) or pa.types.is_large_binary(kind)


def _lengths(column: pa.Array) -> pa.Array:
    """Byte length of each value of a string/binary column, dictionary-encoded or not."""
    if pa.types.is_dictionary(column.type):
        return pc.binary_length(column.dictionary).take(column.indices)
    return pc.binary_length(column)


# --------------------------------------------------------------------------- documents


def _chunk(batch: pa.RecordBatch, first_row: int, split: Split, options: ReaderOptions) -> ReadChunk:
    rows = pa.array(range(first_row, first_row + batch.num_rows), pa.int64())
    chunk = ReadChunk(batch=None, records=batch.num_rows)
    problems = _row_problems(batch, options)
    if problems:
        for offset, error in sorted((first_row + row, error) for row, error in problems.items()):
            chunk.quarantine.append(quarantine_record(split.file.uri, offset, error))
        keep = np.ones(batch.num_rows, dtype=bool)
        keep[list(problems)] = False
        keep = pa.array(keep)
        batch, rows = batch.filter(keep), rows.filter(keep)
    chunk.batch = _documents(batch, rows, split, options)
    return chunk


def _row_problems(batch: pa.RecordBatch, options: ReaderOptions) -> dict[int, str]:
    """Rows that cannot be documents, with why: a null text, a value over max_record_bytes,
    a text or id that is not valid UTF-8 (Parquet readers do not check it)."""
    problems: dict[int, str] = {}
    text = batch.column(options.text_field)
    if text.null_count:
        for row in np.flatnonzero(~_mask(pc.is_valid(text))):
            problems[int(row)] = f"text column {options.text_field!r} is null"
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if not _is_binary(kind):
            continue
        lengths = _lengths(column)
        if (pc.max(lengths).as_py() or 0) > options.max_record_bytes:
            over = _mask(pc.greater(lengths, options.max_record_bytes))
            for row in np.flatnonzero(over):
                problems.setdefault(int(row), too_large(lengths[int(row)].as_py(),
                                                        options.max_record_bytes,
                                                        f"value of column {name!r}"))
    for name in {options.text_field, _id_column(batch, options)} - {None}:
        for row in _invalid_utf8(batch.column(name)):
            problems.setdefault(row, f"column {name!r} is not valid UTF-8")
    return problems


def _mask(values: pa.Array) -> np.ndarray:
    return values.fill_null(False).to_numpy(zero_copy_only=False)


def _invalid_utf8(column: pa.Array) -> list[int]:
    """Rows whose string value is not valid UTF-8; a full validation first, rows only if it fails."""
    values = column.dictionary if pa.types.is_dictionary(column.type) else column
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return []
    try:
        values.validate(full=True)
        return []
    except pa.ArrowInvalid:
        pass
    raw = values.cast(pa.large_binary() if pa.types.is_large_string(values.type) else pa.binary())
    bad = [index for index, value in enumerate(raw.to_pylist())
           if value is not None and not _decodes(value)]
    if values is column:
        return bad
    indices = column.indices.to_numpy(zero_copy_only=False)
    return [int(row) for row in np.flatnonzero(np.isin(indices, bad))]


def _decodes(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _documents(batch: pa.RecordBatch, rows: pa.Array, split: Split, options: ReaderOptions):
    text = batch.column(options.text_field).cast(pa.large_string())
    id_column = _id_column(batch, options)
    derived = pc.binary_join_element_wise(file_tag(split.file.uri), rows.cast(pa.string()), "-")
    ids = derived if id_column is None else pc.coalesce(
        batch.column(id_column).cast(pa.string()), derived)
    order = pc.add(rows, pa.scalar(split.input_index << ORDER_SHIFT, pa.int64()))
    arrays, out_names = [ids, text, order], [ID, TEXT, ORDER]
    passthrough = [name for name in batch.schema.names if name not in (options.text_field, id_column)]
    for name in passthrough:
        arrays.append(batch.column(name))
        out_names.append(input_name(name, passthrough))
    return pa.RecordBatch.from_arrays(arrays, names=out_names)


def _id_column(batch: pa.RecordBatch, options: ReaderOptions) -> str | None:
    """The id column when it holds usable ids (strings or integers, plain or dictionary);
    else ids are derived and the column passes through like any other (as `input_id`), so
    its values are kept."""
    name = options.id_field
    if not name or name not in batch.schema.names:
        return None
    kind = batch.schema.field(name).type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    usable = _is_text(kind) or pa.types.is_integer(kind)
    return name if usable else None

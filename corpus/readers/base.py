"""What every reader shares: options, the chunk it yields, and the batch builder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa
import xxhash

from corpus.schema import ID, ORDER, TEXT, input_name, is_engine_name, order_key
from corpus.writers import MAX_SCHEMA_DEPTH, unwritable

RAW_PREVIEW_BYTES = 2048
TOO_LARGE = "record_too_large"


@dataclass(frozen=True)
class ReaderOptions:
    """How to map input records onto documents, how big a batch and a record may be.

    `batch_bytes` caps a batch's size (JSONL: the records' bytes; Parquet: decoded
    bytes); `max_record_bytes` caps one record (a JSONL line, a Parquet value): a
    bigger one is quarantined as `record_too_large` and never held whole.
    """

    text_field: str = "text"
    id_field: str | None = None
    batch_rows: int = 4096
    batch_bytes: int = 64 << 20
    max_record_bytes: int = 16 << 20


@dataclass
class ReadChunk:
    """One batch of documents and the records around it that could not be read.

    `records` counts every record the reader consumed for this chunk (documents plus
    quarantined ones); `raw_bytes` is how far the reader advanced in the raw input file.
    """

    batch: pa.RecordBatch | None
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    records: int = 0
    raw_bytes: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def quarantine_record(uri: str, offset: int, error: str, raw: bytes | None = None) -> dict:
    """A quarantine row; only a short prefix of the raw record is kept."""
    return {"file": uri, "offset": offset, "error": error, "raw": (raw or b"")[:RAW_PREVIEW_BYTES]}


def too_large(size: int, limit: int, what: str = "record") -> str:
    """The quarantine error of a record over `max_record_bytes`."""
    return f"{TOO_LARGE}: {what} of {size} bytes is over max_record_bytes ({limit})"


def file_tag(uri: str) -> str:
    """A short stable tag of an input file, used to derive document ids."""
    return xxhash.xxh3_64_hexdigest(uri.encode())[:12]


class BatchBuilder:
    """Accumulates documents column by column and emits record batches.

    Pass-through fields keep their type when Arrow can infer one over the batch; a field
    whose values disagree in type, hold integers beyond 64 bits, or form a type Parquet
    cannot write (an always-empty object) is written as JSON strings rather than dropped.
    A field named like an engine column is renamed (`corpus.schema.input_name`).
    """

    def __init__(self, uri: str, input_index: int, options: ReaderOptions) -> None:
        self.tag = file_tag(uri)
        self.input_index = input_index
        self.options = options
        self._reset()

    def _reset(self) -> None:
        self._open()
        # Documents added as columns (`add_columns`) and the groups of documents added one by
        # one around them, in order. When every group holds only strings in the parts' fields,
        # the batch is the parts put together, with no Python object per document.
        self.segments: list[pa.RecordBatch | _Rows] = []
        self.sealed_rows = 0
        self.size = 0

    def _open(self) -> None:
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.orders: list[int] = []
        self.extra: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return self.sealed_rows + len(self.texts)

    @property
    def full(self) -> bool:
        return len(self) >= self.options.batch_rows or self.size >= self.options.batch_bytes

    def add(self, offset: int, text: str, doc_id: str | None, extra: dict[str, Any],
            size: int | None = None) -> None:
        """Add a document; `size` is what it occupied in the input (default: its text length)."""
        row = len(self.texts)
        self.texts.append(text)
        self.size += len(text) if size is None else size
        self.ids.append(doc_id if doc_id is not None else f"{self.tag}-{offset}")
        self.orders.append(order_key(self.input_index, offset))
        for key, value in extra.items():
            if is_engine_name(key):
                key = input_name(key, extra)
            column = self.extra.get(key)
            if column is None:
                column = self.extra[key] = [None] * row
            column.append(value)
        for column in self.extra.values():
            if len(column) <= row:
                column.append(None)

    def add_columns(self, part: pa.RecordBatch, size: int) -> None:
        """Add documents given as ID, TEXT (large_string), ORDER and string pass-through columns
        (renamed already, no nulls); `size` is what they occupied in the input."""
        self._seal()
        self.segments.append(part)
        self.sealed_rows += part.num_rows
        self.size += size

    def _seal(self) -> None:
        if self.texts:
            self.segments.append(_Rows(self.ids, self.texts, self.orders, self.extra))
            self.sealed_rows += len(self.texts)
            self._open()

    def flush(self) -> pa.RecordBatch | None:
        self._seal()
        segments = self.segments
        self._reset()
        if not segments:
            return None
        if any(isinstance(segment, pa.RecordBatch) for segment in segments):
            parts = [segment if isinstance(segment, pa.RecordBatch) else segment.part()
                     for segment in segments]
            if all(part is not None for part in parts):
                # Every document has every field of its part: the batch's order of first
                # appearance is the first part's, whatever order later documents name them in.
                names = parts[0].schema.names
                parts = [part if part.schema.names == names or set(part.schema.names) != set(names)
                         else part.select(names) for part in parts]
                if all(part.schema == parts[0].schema for part in parts):
                    return pa.Table.from_batches(parts).combine_chunks().to_batches()[0]
        # As `add` would have gathered them one by one, for Arrow to infer each field's type.
        for segment in segments:
            self._extend(segment if isinstance(segment, _Rows) else _Rows.of(segment))
        arrays = [pa.array(self.ids, pa.string()), pa.array(self.texts, pa.large_string()),
                  pa.array(self.orders, pa.int64())]
        names = [ID, TEXT, ORDER]
        for key, values in self.extra.items():
            arrays.append(_column(key, values))
            names.append(key)
        self._reset()
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def _extend(self, rows: _Rows) -> None:
        before = len(self.texts)
        self.ids += rows.ids
        self.texts += rows.texts
        self.orders += rows.orders
        for name, values in rows.extra.items():
            column = self.extra.get(name)
            if column is None:
                column = self.extra[name] = [None] * before
            column += values
        for column in self.extra.values():
            column += [None] * (len(self.texts) - len(column))


@dataclass
class _Rows:
    """Documents added one by one, column by column (pass-through fields by first appearance,
    None where a document lacks one)."""

    ids: list[str]
    texts: list[str]
    orders: list[int]
    extra: dict[str, list[Any]]

    @classmethod
    def of(cls, part: pa.RecordBatch) -> _Rows:
        columns = {name: part.column(name).to_pylist() for name in part.schema.names}
        return cls(columns.pop(ID), columns.pop(TEXT), columns.pop(ORDER), columns)

    def part(self) -> pa.RecordBatch | None:
        """These documents as `add_columns` takes them, when every field is a string in each."""
        if not all(type(value) is str for values in self.extra.values() for value in values):
            return None
        arrays = [pa.array(self.ids, pa.string()), pa.array(self.texts, pa.large_string()),
                  pa.array(self.orders, pa.int64())]
        arrays += [pa.array(values, pa.string()) for values in self.extra.values()]
        return pa.RecordBatch.from_arrays(arrays, names=[ID, TEXT, ORDER, *self.extra])


def _column(name: str, values: list[Any]) -> pa.Array:
    try:
        column = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        column = None
    if column is None or unwritable(pa.schema([(name, column.type)])):
        column = pa.array([None if v is None else json_text(v) for v in values], pa.string())
    return column


def json_text(value: Any) -> str:
    """`value` as compact JSON; integers beyond 64 bits (which orjson refuses) stay exact."""
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def doc_id_of(value: Any) -> str | None:
    """An input id as a string: strings as they are, numbers in decimal, and any other JSON
    value (true, an object, a list) as its JSON text, so no id is lost; None when absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return json_text(value)


def too_deep(record: dict[str, Any]) -> str | None:
    """The first field of `record` nested deeper than a Parquet column may be, or None."""
    for key, value in record.items():
        if isinstance(value, dict | list) and _exceeds(value, MAX_SCHEMA_DEPTH - 1):
            return key
    return None


def _exceeds(value: Any, budget: int) -> bool:
    """Whether `value` needs more than `budget` Parquet schema levels (an object takes one,
    a list two, a leaf one); recursion stops once the budget is spent."""
    if isinstance(value, dict):
        if not value:
            return budget < 1
        return budget < 2 or any(_exceeds(item, budget - 1) for item in value.values())
    if isinstance(value, list):
        if not value:
            return budget < 3  # list<null>
        return budget < 3 or any(_exceeds(item, budget - 2) for item in value)
    return budget < 1

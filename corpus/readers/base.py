"""What every reader shares: options, the chunk it yields, and the batch builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa
import xxhash

from corpus.schema import ID, ORDER, TEXT, order_key

RAW_PREVIEW_BYTES = 2048


@dataclass(frozen=True)
class ReaderOptions:
    """How to map input records onto documents and how big a batch is."""

    text_field: str = "text"
    id_field: str | None = None
    batch_rows: int = 4096
    batch_bytes: int = 64 << 20


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


def file_tag(uri: str) -> str:
    """A short stable tag of an input file, used to derive document ids."""
    return xxhash.xxh3_64_hexdigest(uri.encode())[:12]


class BatchBuilder:
    """Accumulates documents column by column and emits record batches.

    Pass-through fields keep their type when Arrow can infer one over the batch; a field
    whose values disagree in type is written as JSON strings rather than dropped.
    """

    def __init__(self, uri: str, input_index: int, options: ReaderOptions) -> None:
        self.tag = file_tag(uri)
        self.input_index = input_index
        self.options = options
        self._reset()

    def _reset(self) -> None:
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.orders: list[int] = []
        self.extra: dict[str, list[Any]] = {}
        self.text_bytes = 0

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def full(self) -> bool:
        return len(self.texts) >= self.options.batch_rows or self.text_bytes >= self.options.batch_bytes

    def add(self, offset: int, text: str, doc_id: str | None, extra: dict[str, Any]) -> None:
        row = len(self.texts)
        self.texts.append(text)
        self.text_bytes += len(text)
        self.ids.append(doc_id if doc_id is not None else f"{self.tag}-{offset}")
        self.orders.append(order_key(self.input_index, offset))
        for key, value in extra.items():
            if key in (ID, TEXT):
                key = f"input_{key}"
            column = self.extra.get(key)
            if column is None:
                column = self.extra[key] = [None] * row
            column.append(value)
        for column in self.extra.values():
            if len(column) <= row:
                column.append(None)

    def flush(self) -> pa.RecordBatch | None:
        if not self.texts:
            return None
        arrays = [pa.array(self.ids, pa.string()), pa.array(self.texts, pa.large_string()),
                  pa.array(self.orders, pa.int64())]
        names = [ID, TEXT, ORDER]
        for key, values in self.extra.items():
            arrays.append(_column(values))
            names.append(key)
        self._reset()
        return pa.RecordBatch.from_arrays(arrays, names=names)


def _column(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(
            [None if v is None else orjson.dumps(v).decode() for v in values], pa.string()
        )


def doc_id_of(value: Any) -> str | None:
    """An input id as a string; ids that are not scalars are ignored (an id is then derived)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None

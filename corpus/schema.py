"""The document contract shared by readers, filters and writers."""

from __future__ import annotations

import pyarrow as pa

ID = "id"
TEXT = "text"
# Position of a document in the input (input index << ORDER_SHIFT | record offset). The
# executor uses it to keep input order and to decide deterministically which duplicate
# survives; it never reaches published shards.
ORDER = "__corpus_order"
ORDER_SHIFT = 40
INTERNAL_PREFIX = "__corpus"

REJECT_FILTER = "filter"
REJECT_REASON = "reason"

QUARANTINE_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("offset", pa.int64()),
        ("error", pa.string()),
        ("raw", pa.binary()),
    ]
)


def order_key(input_index: int, offset: int) -> int:
    """The ORDER value of the record at `offset` of input number `input_index`."""
    return (input_index << ORDER_SHIFT) | offset


def public_columns(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch without the engine's internal columns, as it is published."""
    keep = [i for i, name in enumerate(batch.schema.names) if not name.startswith(INTERNAL_PREFIX)]
    if len(keep) == batch.num_columns:
        return batch
    return pa.RecordBatch.from_arrays(
        [batch.column(i) for i in keep], schema=pa.schema([batch.schema.field(i) for i in keep])
    )


def set_column(batch: pa.RecordBatch, name: str, values: pa.Array) -> pa.RecordBatch:
    """Append `name`, or replace it where the batch already has it."""
    index = batch.schema.get_field_index(name)
    if index >= 0:
        return batch.set_column(index, name, values)
    return batch.append_column(name, values)

"""The document contract shared by readers, filters and writers."""

from __future__ import annotations

from collections.abc import Collection

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
# Provenance (`output.provenance`): the input file a published document came from, named as
# `corpus.sources.published_name` does, and its record offset; the writer derives both from
# ORDER, in ORDER's place.
SOURCE_FILE = "source_file"
SOURCE_OFFSET = "source_offset"
# Column names the engine writes itself; an input field with one of these names (or any name
# in the INTERNAL_PREFIX namespace) is renamed on read, so it can neither clash with nor be
# overwritten by the engine's column.
ENGINE_COLUMNS = frozenset({ID, TEXT, REJECT_FILTER, REJECT_REASON, SOURCE_FILE, SOURCE_OFFSET})
INPUT_PREFIX = "input_"

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


def is_engine_name(name: str) -> bool:
    """Whether an input field of this name must be renamed on read (see `input_name`)."""
    return name in ENGINE_COLUMNS or name.startswith(INTERNAL_PREFIX)


def input_name(name: str, fields: Collection[str]) -> str:
    """The published name of the pass-through input field `name` of a record with `fields`.

    A field named like an engine column (`id`, `text`, `filter`, `reason`, `source_file`,
    `source_offset`, `__corpus*`)
    becomes `input_<name>`, prefixed again while that is another field of the same record,
    so nothing is dropped or overwritten; every other name is kept. Both readers use it.
    """
    if not is_engine_name(name):
        return name
    name = INPUT_PREFIX + name
    while name in fields:
        name = INPUT_PREFIX + name
    return name


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

"""Readers: stream an input split as Arrow record batches of documents plus quarantine records."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow.compute as pc

from corpus.readers.base import ReadChunk, ReaderOptions, quarantine_record
from corpus.readers.jsonl import read_jsonl
from corpus.readers.parquet import read_parquet
from corpus.readers.warc import read_warc
from corpus.schema import ORDER, ORDER_SHIFT
from corpus.sources import Split
from corpus.writers import unwritable

_READERS = {"jsonl": read_jsonl, "parquet": read_parquet, "warc": read_warc, "wet": read_warc}


def read_split(split: Split, options: ReaderOptions) -> Iterator[ReadChunk]:
    """Every chunk of documents in `split`, in input order.

    A file that cannot be opened or read (permissions, a vanished file, an I/O error) ends
    its split with one quarantine record; chunks already read are kept. A batch the
    Parquet writer could not publish (a column it cannot represent) is quarantined here,
    record by record, so it can never stop a run at publish time.
    """
    try:
        for chunk in _READERS[split.file.format](split, options):
            yield _writable(chunk, split.file.uri)
    except OSError as exc:
        error = f"cannot read file: {exc.strerror or exc}"
        yield ReadChunk(batch=None, quarantine=[quarantine_record(split.file.uri, -1, error)],
                        records=1)


def _writable(chunk: ReadChunk, uri: str) -> ReadChunk:
    if chunk.batch is None:
        return chunk
    problem = unwritable(chunk.batch.schema)
    if problem is not None:
        offsets = pc.bit_wise_and(chunk.batch.column(ORDER), (1 << ORDER_SHIFT) - 1)
        chunk.quarantine.extend(quarantine_record(uri, offset, f"record cannot be written: {problem}")
                                for offset in offsets.to_pylist())
        chunk.batch = None
    return chunk


__all__ = ["ReadChunk", "ReaderOptions", "read_split"]

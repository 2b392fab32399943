"""Readers: stream an input split as Arrow record batches of documents plus quarantine records."""

from __future__ import annotations

from collections.abc import Iterator

from corpus.readers.base import ReadChunk, ReaderOptions, quarantine_record
from corpus.readers.jsonl import read_jsonl
from corpus.readers.parquet import read_parquet
from corpus.readers.warc import read_warc
from corpus.sources import Split

_READERS = {"jsonl": read_jsonl, "parquet": read_parquet, "warc": read_warc, "wet": read_warc}


def read_split(split: Split, options: ReaderOptions) -> Iterator[ReadChunk]:
    """Every chunk of documents in `split`, in input order.

    A file that cannot be opened or read (permissions, a vanished file, an I/O error) ends
    its split with one quarantine record; chunks already read are kept.
    """
    try:
        yield from _READERS[split.file.format](split, options)
    except OSError as exc:
        error = f"cannot read file: {exc.strerror or exc}"
        yield ReadChunk(batch=None, quarantine=[quarantine_record(split.file.uri, -1, error)],
                        records=1)


__all__ = ["ReadChunk", "ReaderOptions", "read_split"]

"""JSON Lines reader (plain, gzip, zstd) with per-line quarantine and byte-range splits."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator

import orjson
import zstandard

from corpus.readers.base import (
    BatchBuilder,
    ReadChunk,
    ReaderOptions,
    doc_id_of,
    quarantine_record,
)
from corpus.sources import Split, open_binary

_DECODE_ERRORS = (EOFError, OSError, zlib.error, zstandard.ZstdError)


def read_jsonl(split: Split, options: ReaderOptions) -> Iterator[ReadChunk]:
    """Documents of the lines that start inside the split, in file order.

    Offsets are byte positions in the decompressed stream. A broken stream (truncated
    gzip, corrupt zstd frame) ends the file with one quarantine record at the position
    where decoding stopped; everything read before it is kept.
    """
    uri = split.file.uri
    builder = BatchBuilder(uri, split.input_index, options)
    chunk = ReadChunk(batch=None)
    raw = open_binary(uri)
    try:
        stream, offset = _open_stream(raw, split)
        reported = raw.tell()
        end = split.end
        while end is None or offset < end:
            try:
                line = stream.readline()
            except _DECODE_ERRORS as exc:
                chunk.records += 1
                chunk.quarantine.append(
                    quarantine_record(uri, offset, f"stream cannot be decoded: {exc}")
                )
                break
            if not line:
                break
            _parse_line(line, offset, uri, options, builder, chunk)
            offset += len(line)
            if builder.full:
                position = raw.tell()
                chunk.batch, chunk.raw_bytes, reported = builder.flush(), position - reported, position
                yield chunk
                chunk = ReadChunk(batch=None)
        chunk.batch = builder.flush()
        chunk.raw_bytes = max(0, (split.end or split.file.size) - reported)
        yield chunk
    finally:
        raw.close()


def _open_stream(raw, split: Split) -> tuple[io.BufferedIOBase, int]:
    """The decoded line stream positioned at the first line that starts inside the split."""
    compression = split.file.compression
    if compression == "gzip":
        return io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb"), 1 << 20), 0
    if compression == "zstd":
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        return io.BufferedReader(reader, 1 << 20), 0
    if split.start == 0:
        return io.BufferedReader(raw, 1 << 20), 0
    # A line that starts before the split belongs to the previous split.
    raw.seek(split.start - 1)
    stream = io.BufferedReader(raw, 1 << 20)
    skipped = stream.readline()
    return stream, split.start - 1 + len(skipped)


def _parse_line(
    line: bytes, offset: int, uri: str, options: ReaderOptions, builder: BatchBuilder,
    chunk: ReadChunk,
) -> None:
    if offset == 0 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if not line.strip():
        return
    chunk.records += 1
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        chunk.quarantine.append(quarantine_record(uri, offset, f"malformed JSON: {exc}", line))
        return
    if not isinstance(record, dict):
        error = f"a JSON {type(record).__name__}, not an object"
        chunk.quarantine.append(quarantine_record(uri, offset, error, line))
        return
    text = record.pop(options.text_field, None)
    if not isinstance(text, str):
        kind = "missing" if text is None else f"a {type(text).__name__}, not a string"
        error = f"text field {options.text_field!r} is {kind}"
        chunk.quarantine.append(quarantine_record(uri, offset, error, line))
        return
    doc_id = doc_id_of(record.pop(options.id_field, None)) if options.id_field else None
    builder.add(offset, text, doc_id, record)

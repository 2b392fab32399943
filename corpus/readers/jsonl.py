"""JSON Lines reader (plain, gzip, zstd) with per-line quarantine and byte-range splits."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

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

BLOCK_BYTES = 1 << 20


class BrokenStream(Exception):
    """The compressed stream cannot be decoded further (truncated or corrupt)."""


def read_jsonl(split: Split, options: ReaderOptions) -> Iterator[ReadChunk]:
    """Documents of the lines that start inside the split, in file order.

    Offsets are byte positions in the decompressed stream. A broken stream (truncated
    gzip, corrupt zstd frame) ends the file with one quarantine record at the position
    where decoding stopped; every complete line decoded before it is kept.
    """
    uri = split.file.uri
    builder = BatchBuilder(uri, split.input_index, options)
    chunk = ReadChunk(batch=None)
    raw = open_binary(uri)
    reported = raw.tell()
    try:
        for offset, line, error in _lines(raw, split):
            if error is not None:
                chunk.records += 1
                chunk.quarantine.append(quarantine_record(uri, offset, error, line))
                break
            _parse_line(line, offset, uri, options, builder, chunk)
            if builder.full:
                position = raw.tell()
                chunk.batch, chunk.raw_bytes, reported = builder.flush(), position - reported, position
                yield chunk
                chunk = ReadChunk(batch=None)
    finally:
        raw.close()
    chunk.batch = builder.flush()
    chunk.raw_bytes = max(0, (split.end or split.file.size) - reported)
    yield chunk


def _lines(raw, split: Split) -> Iterator[tuple[int, bytes, str | None]]:
    """(offset, line, None) for each line starting inside the split; (offset, tail, error) last
    when the stream breaks."""
    offset = 0
    if split.start:
        # A line that starts before the split belongs to the previous split.
        raw.seek(split.start - 1)
        offset = split.start - 1
    pending = b""
    skip_first = split.start > 0
    end = split.end
    try:
        for block in _decoded_blocks(raw, split.file.compression):
            data = pending + block
            cut = data.rfind(b"\n") + 1
            pending = data[cut:]
            for line in data[:cut].split(b"\n")[:-1]:
                size = len(line) + 1
                if skip_first:
                    skip_first = False
                elif end is not None and offset >= end:
                    return
                else:
                    yield offset, line, None
                offset += size
    except BrokenStream as exc:
        yield offset, pending, f"stream cannot be decoded: {exc}"
        return
    if pending and not skip_first and (end is None or offset < end):
        yield offset, pending, None


def _decoded_blocks(raw, compression: str | None) -> Iterator[bytes]:
    """Decompressed blocks of the raw stream; raises BrokenStream where decoding fails.

    Concatenated members (gzip) and frames (zstd) are followed; a stream that ends inside
    a member or frame is reported rather than taken for a clean end of file.
    """
    if compression is None:
        while block := raw.read(BLOCK_BYTES):
            yield block
        return
    make: Callable = (lambda: zlib.decompressobj(zlib.MAX_WBITS | 16)) if compression == "gzip" \
        else (lambda: zstandard.ZstdDecompressor().decompressobj())
    decoder, started = make(), False
    while block := raw.read(BLOCK_BYTES):
        while block:
            try:
                output = decoder.decompress(block)
            except (zlib.error, zstandard.ZstdError) as exc:
                raise BrokenStream(str(exc)) from exc
            started = True
            if output:
                yield output
            if decoder.eof and decoder.unused_data:
                block, decoder, started = decoder.unused_data, make(), False
            else:
                block = b""
    if started and not decoder.eof:
        raise BrokenStream(f"the {compression} stream ends before its end marker (truncated file?)")


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

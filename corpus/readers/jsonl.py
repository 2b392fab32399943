"""JSON Lines reader (plain, gzip, zstd) with per-line quarantine and byte-range splits.

Memory stays bounded whatever the input: compressed streams are decoded in blocks of at
most BLOCK_BYTES, runs of blank lines are skipped by a regular expression (C speed, never
one Python step per line), and a line longer than `max_record_bytes` is skipped to its end
without being held, then quarantined as `record_too_large` with its first bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
from isal import isal_zlib

from corpus.readers.base import (
    RAW_PREVIEW_BYTES,
    BatchBuilder,
    ReadChunk,
    ReaderOptions,
    doc_id_of,
    quarantine_record,
    too_deep,
    too_large,
)
from corpus.sources import Split, open_binary
from corpus.writers import MAX_SCHEMA_DEPTH

BLOCK_BYTES = 1 << 20
# Blank lines are stepped over inside the C matcher: a run of empty lines by a literal loop
# (about 2 ms a MiB), other whitespace by searching for the first byte of a line that is not
# blank (about 12 ms a MiB); a line's end is found by memchr (bytes.find).
_NEWLINES = re.compile(rb"\n*")
_CONTENT = re.compile(rb"[^ \t\n\r\x0b\x0c]")
# orjson turns an integer beyond 64 bits into a float, of magnitude 2**63 or more; a line
# holding such a float is parsed again by the json module, which keeps integers exact.
_BIG = float(1 << 63)
_TOO_DEEP = "{} is nested deeper than Parquet can store (" + str(MAX_SCHEMA_DEPTH) + " levels)"


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
        for offset, line, error in _lines(raw, split, options.max_record_bytes):
            if error is not None:
                chunk.records += 1
                chunk.quarantine.append(quarantine_record(uri, offset, error, line))
            else:
                _parse_line(line, offset, uri, options, builder, chunk)
            if builder.full or len(chunk.quarantine) >= options.batch_rows:
                position = raw.tell()
                chunk.batch, chunk.raw_bytes, reported = builder.flush(), position - reported, position
                yield chunk
                chunk = ReadChunk(batch=None)
    finally:
        raw.close()
    chunk.batch = builder.flush()
    chunk.raw_bytes = max(0, (split.end or split.file.size) - reported)
    yield chunk


@dataclass
class _Skipped:
    """A line being passed over without being held: too long, or owned by the previous split."""

    offset: int
    prefix: bytes
    report: bool


def _lines(raw, split: Split, max_bytes: int) -> Iterator[tuple[int, bytes, str | None]]:
    """(offset, line, None) for each non-blank line starting inside the split;
    (offset, first bytes, error) for a line over `max_bytes`; (offset, pending bytes,
    error) last when the stream breaks."""
    base = 0  # stream offset of the current block's first byte
    skipped = None
    if split.start:
        # The line holding byte start-1 belongs to the previous split.
        raw.seek(split.start - 1)
        base = split.start - 1
        skipped = _Skipped(base, b"", report=False)
    end = split.end if split.end is not None else float("inf")
    line_at = base  # where the line that is not finished yet starts
    pending = bytearray()  # its bytes from its first non-blank byte on
    try:
        for block in _decoded_blocks(raw, split.file.compression):
            at = 0
            if skipped is not None:
                newline = block.find(b"\n")
                if newline < 0:
                    base += len(block)
                    continue
                if skipped.report:
                    yield skipped.offset, skipped.prefix, too_large(base + newline - skipped.offset,
                                                                   max_bytes, "line")
                skipped, at, line_at = None, newline + 1, base + newline + 1
            if pending:
                newline = block.find(b"\n", at)
                if newline < 0:
                    pending += block[at:]
                    if base + len(block) - line_at > max_bytes:
                        skipped, pending = _Skipped(line_at, bytes(pending[:RAW_PREVIEW_BYTES]),
                                                    report=True), bytearray()
                    base += len(block)
                    continue
                pending += block[at:newline]
                yield _complete(line_at, bytes(pending), base + newline, max_bytes)
                pending.clear()
                at, line_at = newline + 1, base + newline + 1
            while True:
                blank = _NEWLINES.match(block, at).end()
                if blank > at:
                    at, line_at = blank, base + blank
                match = _CONTENT.search(block, at)
                if match is None:  # only blanks are left: the next line starts after the last
                    last = block.rfind(b"\n", at)
                    if last >= 0:
                        line_at = base + last + 1
                    break
                start = match.start()
                if start > at and (newline_before := block.rfind(b"\n", at, start)) >= 0:
                    line_at = base + newline_before + 1
                if line_at >= end:
                    return
                stop = block.find(b"\n", start)
                if stop < 0:  # the line goes on in the next block
                    if base + len(block) - line_at > max_bytes:
                        skipped = _Skipped(line_at, block[start:start + RAW_PREVIEW_BYTES], True)
                    else:
                        pending += block[start:]
                    break
                yield _complete(line_at, block[start:stop], base + stop, max_bytes)
                at, line_at = stop + 1, base + stop + 1
            base += len(block)
    except BrokenStream as exc:
        prefix = skipped.prefix if skipped is not None else bytes(pending[:RAW_PREVIEW_BYTES])
        yield line_at, prefix, f"stream cannot be decoded: {exc}"
        return
    if skipped is not None and skipped.report:
        yield skipped.offset, skipped.prefix, too_large(base - skipped.offset, max_bytes, "line")
    elif pending and line_at < end:
        yield _complete(line_at, bytes(pending), base, max_bytes)


def _complete(offset: int, line: bytes, stop: int, max_bytes: int) -> tuple[int, bytes, str | None]:
    """A finished line ending at stream position `stop`, or its quarantine when too long."""
    if stop - offset > max_bytes:
        return offset, line[:RAW_PREVIEW_BYTES], too_large(stop - offset, max_bytes, "line")
    return offset, line, None


def _decoded_blocks(raw, compression: str | None) -> Iterator[bytes]:
    """Decompressed blocks of at most BLOCK_BYTES; raises BrokenStream where decoding fails.

    Concatenated members (gzip) and frames (zstd) are followed; a stream that ends inside
    a member or frame is reported rather than taken for a clean end of file.
    """
    if compression == "gzip":
        yield from _gzip_blocks(raw)
    elif compression == "zstd":
        # Arrow's stream decodes into bounded reads, follows frames and reports truncation
        # (the zstandard module offers either bounded output or truncation checks, not both).
        stream = pa.CompressedInputStream(raw, "zstd")
        while True:
            try:
                block = stream.read(BLOCK_BYTES)
            except OSError as exc:
                raise BrokenStream(str(exc)) from exc
            if not block:
                return
            yield block
    else:
        while block := raw.read(BLOCK_BYTES):
            yield block


def _gzip_blocks(raw) -> Iterator[bytes]:
    """Never more than BLOCK_BYTES of output per step (`max_length`), whatever the ratio.

    ISA-L's inflate (isal, zlib's interface) decodes in about 40 % of zlib's CPU time.
    """
    decoder, started = isal_zlib.decompressobj(isal_zlib.MAX_WBITS | 16), False
    while data := raw.read(BLOCK_BYTES):
        while data:
            try:
                output = decoder.decompress(data, BLOCK_BYTES)
            except isal_zlib.error as exc:
                raise BrokenStream(str(exc)) from exc
            started = True
            if output:
                yield output
            if decoder.eof:  # the next member, if any, starts in the unused data
                data, decoder, started = decoder.unused_data, isal_zlib.decompressobj(
                    isal_zlib.MAX_WBITS | 16), False
            else:
                data = decoder.unconsumed_tail
    while started and not decoder.eof and (output := decoder.decompress(b"", BLOCK_BYTES)):
        yield output  # what a full output block left inside the decoder
    if started and not decoder.eof:
        raise BrokenStream("the gzip stream ends before its end marker (truncated file?)")


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
        if isinstance(record, dict) and _holds_big_float(record):
            record = json.loads(line)
    except (orjson.JSONDecodeError, ValueError) as exc:
        chunk.quarantine.append(quarantine_record(uri, offset, f"malformed JSON: {exc}", line))
        return
    except RecursionError:
        chunk.quarantine.append(quarantine_record(uri, offset, _TOO_DEEP.format("a field"), line))
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
    # Cheap tests first: only objects and lists nest, and a value needs one bracket per
    # object level and one per list level (which takes two Parquet levels).
    if any(isinstance(value, dict | list) for value in record.values()) and \
            2 * line.count(b"[") + line.count(b"{") + 1 > MAX_SCHEMA_DEPTH:
        deep = too_deep(record)
        if deep is not None:
            error = _TOO_DEEP.format(f"field {deep!r}")
            chunk.quarantine.append(quarantine_record(uri, offset, error, line))
            return
    builder.add(offset, text, doc_id, record, size=len(line))


def _holds_big_float(value: Any) -> bool:
    """Whether a parsed JSON value holds a float of magnitude 2**63 or more (maybe an integer
    orjson could not keep); strings are not looked into, so this stays cheap on documents."""
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return isinstance(value, float) and abs(value) >= _BIG
    return any(isinstance(item, dict | list | float) and _holds_big_float(item) for item in value)

"""JSON Lines reader (plain, gzip, zstd) with per-line quarantine and byte-range splits.

Each block's run of whole lines is first offered to Arrow's JSON reader, which turns it into
columns with no Python object per document; it is taken only where it reads exactly what orjson
reads line by line (one object per line, the same string fields in each), and every other line
is read alone with orjson.

Memory stays bounded whatever the input: compressed streams are decoded in blocks of at
most BLOCK_BYTES, runs of blank lines are skipped by a regular expression (C speed, never
one Python step per line), and a line longer than `max_record_bytes` is skipped to its end
without being held, then quarantined as `record_too_large` with its first bytes.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.json as pa_json
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
from corpus.schema import ID, ORDER, TEXT, input_name, order_key
from corpus.sources import Split, open_binary
from corpus.writers import MAX_SCHEMA_DEPTH

BLOCK_BYTES = 1 << 20
NEWLINE, OPEN_BRACE = ord("\n"), ord("{")
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
    pending = ReadChunk(batch=None)  # the quarantine and record count of the batch being built
    raw = open_binary(uri)
    reported = raw.tell()
    try:
        for offset, data, error in _lines(raw, split, options.max_record_bytes):
            for _ in _records(offset, data, error, uri, options, builder, pending):
                if builder.full or len(pending.quarantine) >= options.batch_rows:
                    # Arrow's zstd stream closes the file once it has read it all (the last line
                    # is read after that when it has no newline).
                    position = split.file.size if raw.closed else raw.tell()
                    yield _taken(pending, builder.flush(), position - reported)
                    reported = position
    finally:
        raw.close()
    yield _taken(pending, builder.flush(), max(0, (split.end or split.file.size) - reported))


def _taken(pending: ReadChunk, batch: pa.RecordBatch | None, raw_bytes: int) -> ReadChunk:
    """The chunk of `batch` with what `pending` gathered, which starts over empty."""
    chunk = ReadChunk(batch, pending.quarantine, pending.records, raw_bytes)
    pending.quarantine, pending.records = [], 0
    return chunk


def _records(offset: int, data: bytes, error: str | None, uri: str, options: ReaderOptions,
             builder: BatchBuilder, pending: ReadChunk) -> Iterator[None]:
    """Reads what `_lines` gave, pausing after each step that may fill a batch: a line, or as
    many lines of a region read as columns as the batch can take."""
    if error is not None:
        pending.records += 1
        pending.quarantine.append(quarantine_record(uri, offset, error, data))
        yield
    elif not isinstance(data, _Region):
        _parse_line(data, offset, uri, options, builder, pending)
        yield
    elif (columns := _columns(data, offset, builder, options)) is None:
        for start, stop in zip(*data.lines, strict=True):
            _parse_line(data[start:stop], offset + int(start), uri, options, builder, pending)
            yield
    else:
        part, sizes, published = columns
        starts, newlines = data.lines
        done = 0
        while done < part.num_rows:
            # As many rows as fill the batch (by rows or bytes), as line by line.
            sums = np.cumsum(sizes[done:])
            fits = int(np.searchsorted(sums, options.batch_bytes - builder.size)) + 1
            take = min(part.num_rows - done, options.batch_rows - len(builder), fits)
            # Fields in the order the first line names them, as `BatchBuilder.add` orders a
            # batch's (Arrow orders them as the region's first line does).
            first = orjson.loads(data[starts[done]:newlines[done]])
            order = [published[name] for name in first if name in published]
            builder.add_columns(part.slice(done, take).select([ID, TEXT, ORDER, *order]),
                                int(sums[take - 1]))
            pending.records += take
            done += take
            yield


class _Region(bytes):
    """Whole lines, each starting with "{" (no blank line), none over max_record_bytes: read as
    columns by Arrow's JSON reader when it agrees with the line-by-line reading (`_columns`)."""

    @functools.cached_property
    def lines(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each line starts and where its newline is."""
        newlines = np.flatnonzero(np.frombuffer(self, np.uint8) == NEWLINE)
        return np.concatenate(([0], newlines[:-1] + 1)), newlines


def _region(block: bytes, at: int, base: int, end: float, max_bytes: int) -> _Region | None:
    """block[at:] up to its last newline, when it is a `_Region` whose lines all start before
    `end`; else None."""
    last = block.rfind(b"\n")
    if last < at:
        return None
    region = _Region(block[at:last + 1])
    starts, newlines = region.lines
    if (np.frombuffer(region, np.uint8)[starts] != OPEN_BRACE).any() or base + at + starts[-1] >= end \
            or (newlines - starts).max() > max_bytes:
        return None
    return region


def _columns(region: _Region, offset: int, builder: BatchBuilder,
             options: ReaderOptions) -> tuple[pa.RecordBatch, np.ndarray, dict[str, str]] | None:
    """The region's documents as `BatchBuilder.add_columns` takes them, each one's size and the
    published name of each pass-through field, when
    every line is one JSON object of the same fields, all strings, the text among them; else
    None. Only then is Arrow's reading the same as orjson's line by line: another value type,
    a missing field or a line orjson refuses (Arrow refuses it too, or reads it as other than
    one object) sends the region line by line."""
    try:
        table = pa_json.read_json(pa.BufferReader(region), read_options=pa_json.ReadOptions(
            use_threads=False, block_size=len(region))).combine_chunks()
        names = table.schema.names
        for column in table.columns:  # Arrow's parser lets surrogates encoded in UTF-8 through
            column.validate(full=True)
    except (pa.ArrowException, ValueError):  # a UnicodeDecodeError where a name is not UTF-8
        return None
    starts, newlines = region.lines
    if table.num_rows != len(starts) or len(set(names)) != len(names) \
            or options.text_field not in names \
            or any(not pa.types.is_string(kind) for kind in table.schema.types) \
            or any(column.null_count for column in table.columns):
        return None
    id_name = options.id_field if options.id_field in names and options.id_field != options.text_field \
        else None
    offsets = offset + starts
    ids = (table.column(id_name).combine_chunks() if id_name is not None else
           pa.array([f"{builder.tag}-{at}" for at in offsets.tolist()], pa.string()))
    arrays = [ids, table.column(options.text_field).combine_chunks().cast(pa.large_string()),
              pa.array(order_key(builder.input_index, offsets), pa.int64())]
    fields = [name for name in names if name not in (options.text_field, id_name)]
    arrays += [table.column(name).combine_chunks() for name in fields]
    published = {name: input_name(name, fields) for name in fields}
    part = pa.RecordBatch.from_arrays(arrays, names=[ID, TEXT, ORDER, *published.values()])
    return part, newlines - starts, published


@dataclass
class _Skipped:
    """A line being passed over without being held: too long, or owned by the previous split."""

    offset: int
    prefix: bytes
    report: bool


def _lines(raw, split: Split, max_bytes: int) -> Iterator[tuple[int, bytes, str | None]]:
    """(offset, line, None) for each non-blank line starting inside the split, or (offset,
    `_Region`, None) for a run of them; (offset, first bytes, error) for a line over
    `max_bytes`; (offset, pending bytes, error) last when the stream breaks."""
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
            if line_at == base + at and (region := _region(block, at, base, end, max_bytes)):
                yield line_at, region, None
                at += len(region)
                line_at = base + at
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

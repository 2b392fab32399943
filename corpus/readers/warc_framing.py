"""WARC record framing that survives damage: find each record, check it, resynchronise after it.

fastwarc trusts every Content-Length and stops at the first broken gzip member, so one bad
record swallows or drops everything after it. This module frames records itself (standard
library only) over a plain or gzip file read in bounded chunks:

- A record is `WARC/1.0` or `WARC/1.1`, header lines, an empty line, a block of exactly
  Content-Length bytes and the `\\r\\n\\r\\n` terminator. A record whose terminator is not
  where its Content-Length says, whose file ends early, or whose version line is wrong is
  yielded as a `DamagedRecord`, and reading resumes at the next record header: a
  `WARC/1.` at a line start (or at the start of a gzip member) after the damaged record,
  or where its Content-Length says it ends when only its terminator is damaged.
- A gzip member that does not decode (or bytes between members that are not a member) is
  one `DamagedRecord`; reading resumes at the next gzip member that decodes to a WARC
  record.
- No record is read whole when its block exceeds `max_record_bytes`: it is streamed over,
  checked, and yielded with `block=None` and the first bytes of its block in `head`.

Offsets are positions in the raw file: a plain file's record position, or for gzip the
position of the member where the record starts (one member per record is the standard),
plus the record's position inside that member's decompressed data when a member holds
several records.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

READ_BYTES = 1 << 20          # raw bytes read at a time
GZIP_FEED_BYTES = 16 << 10    # compressed bytes given to zlib at a time (bounds unused_data copies)
HEADER_LIMIT = 1 << 20        # WARC headers longer than this are damage, not a record
HEAD_BYTES = 64 << 10         # start of a too-large block kept for its HTTP headers
PREVIEW_BYTES = 2048          # raw start of a damaged record kept for the quarantine row
_GZIP_MAGIC = b"\x1f\x8b\x08"
_HEADER_AT_LINE_START = b"\nWARC/1."
_TERMINATOR = b"\r\n\r\n"
_VERSION = re.compile(rb"WARC/1\.[01]\r\n")
_VERSIONS = (b"WARC/1.0\r\n", b"WARC/1.1\r\n")
_PADDING = frozenset(b"\x00\r\n\t ")
# A gzip member's output is held back until its checksum is verified (up to READ_BYTES; of a
# bigger member, always its last bytes), so a corrupt member's output, which can run on over
# the members after it, is never framed, and a record in a truncated member never looks
# complete (its terminator is there).
_HELD_BACK = len(_TERMINATOR)


@dataclass
class WarcRecord:
    """A well-framed record; `block` is None when it exceeds the size cap, and then `head`
    holds the block's first bytes (its HTTP headers)."""

    offset: int
    headers: dict[str, str]  # names lower-cased
    length: int
    block: bytes | None
    head: bytes


@dataclass
class DamagedRecord:
    """Bytes that should have been one record and are not: where, why, and how they began."""

    offset: int
    error: str
    raw: bytes


class _Break(Exception):
    """The source skipped bytes it could not decode; reading goes on after them."""

    def __init__(self, offset: int, error: str, clean: bool) -> None:
        super().__init__(error)
        self.offset, self.error = offset, error
        self.clean = clean  # the skipped member gave no bytes at all


class _PlainSource:
    """An uncompressed WARC file: logical positions are raw positions."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.position = 0

    def read(self) -> bytes:
        data = self.raw.read(READ_BYTES)
        self.position += len(data)
        return data

    def raw_offset(self, logical: int) -> int:
        return logical

    def member_starts(self, begin: int, end: int) -> list[int]:
        return []

    def prune(self, logical: int) -> None:
        pass

    def snapshot(self) -> int:
        return self.position

    def restore(self, state: int) -> None:
        self.raw.seek(state)
        self.position = state

    @property
    def raw_position(self) -> int:
        return self.position


class _GzipSource:
    """A gzip file of one or more members, decompressed in bounded pieces.

    Logical positions count decompressed bytes over all members that decoded. `members`
    maps the logical start of each member (still needed) to its raw position.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.chunk = b""          # raw bytes read and not yet decompressed start at chunk[off]
        self.off = 0
        self.chunk_at = 0         # raw position of chunk[0]
        self.eof = False
        self.dec = None
        self.member_raw = 0
        self.member_out = 0
        self.held: list[bytes] = []
        self.held_bytes = 0
        self.logical = 0
        self.members: list[tuple[int, int]] = []

    @property
    def raw_position(self) -> int:
        return self.chunk_at + self.off

    def read(self) -> bytes:
        while True:
            if self.dec is None and not self._start_member():
                return b""
            if self.off >= len(self.chunk) and not self._more():
                broken, clean = self.member_raw, self.member_out == 0
                self._drop_member()
                # A corrupt member can decode on over the members after it; look for them.
                self._seek_member(broken + 1)
                if self.eof:
                    raise _Break(broken, "truncated record: the file ends inside its gzip member",
                                 clean)
                raise _Break(broken, "corrupt gzip member (it does not end before the next one)",
                             clean)
            piece = memoryview(self.chunk)[self.off:self.off + GZIP_FEED_BYTES]
            try:
                out = self.dec.decompress(piece, READ_BYTES)
            except zlib.error as exc:
                broken, clean = self.member_raw, self.member_out == 0
                self._drop_member()
                self._seek_member(broken + 1)
                raise _Break(broken, f"corrupt gzip member ({exc})", clean) from None
            rest = self.dec.unused_data if self.dec.eof else self.dec.unconsumed_tail
            self.off += len(piece) - len(rest)
            if out:
                self.held.append(out)
                self.held_bytes += len(out)
            if self.dec.eof:
                out, self.dec = b"".join(self.held), None
                self.held, self.held_bytes = [], 0
            elif self.held_bytes > READ_BYTES:
                out = b"".join(self.held)
                out, kept = out[:-_HELD_BACK], out[-_HELD_BACK:]
                self.held, self.held_bytes = [kept], len(kept)
            else:
                continue
            if out:
                self.member_out += len(out)
                self.logical += len(out)
                return out

    def _more(self) -> bool:
        if self.eof:
            return False
        self.chunk_at += self.off
        rest = self.chunk[self.off:]
        data = self.raw.read(READ_BYTES)
        self.eof = not data
        self.chunk, self.off = rest + data, 0
        return bool(data)

    def _start_member(self) -> bool:
        """Position at the next member; False at the end of the file."""
        while True:
            if len(self.chunk) - self.off < len(_GZIP_MAGIC) and not self.eof:
                self._more()
                continue
            chunk = self.chunk
            while self.off < len(chunk) and chunk[self.off] in _PADDING:
                self.off += 1  # some writers pad between or after members
            if self.off >= len(chunk):
                if self.eof:
                    return False
                continue
            if chunk.startswith(_GZIP_MAGIC, self.off):
                self.dec = zlib.decompressobj(31)
                self.member_raw, self.member_out = self.raw_position, 0
                self.members.append((self.logical, self.member_raw))
                return True
            junk = self.raw_position
            self._seek_member(junk + 1)
            raise _Break(junk, "bytes between gzip members that are not a gzip member", clean=True)

    def _drop_member(self) -> None:
        self.dec, self.held, self.held_bytes = None, [], 0

    def _seek_member(self, start: int) -> None:
        """Skip to the first gzip member at or after raw `start` that decodes to a WARC record."""
        position = start
        while True:
            self.raw.seek(position)
            window = self.raw.read(READ_BYTES + HEAD_BYTES)
            found = window.find(_GZIP_MAGIC)
            while found >= 0 and found < READ_BYTES:
                if _starts_warc_record(memoryview(window)[found:found + HEAD_BYTES]):
                    self.raw.seek(position + found)
                    self.chunk, self.off, self.chunk_at = b"", 0, position + found
                    self.eof = False
                    return
                found = window.find(_GZIP_MAGIC, found + 1)
            if len(window) <= READ_BYTES:
                self.chunk, self.off, self.chunk_at, self.eof = b"", 0, position + len(window), True
                return
            position += READ_BYTES

    def raw_offset(self, logical: int) -> int:
        index = bisect.bisect_right(self.members, (logical, float("inf"))) - 1
        if index < 0:
            return logical
        start, raw = self.members[index]
        return raw + (logical - start)

    def member_starts(self, begin: int, end: int) -> list[int]:
        first = bisect.bisect_left(self.members, (begin, -1))
        last = bisect.bisect_left(self.members, (end, -1))
        return [start for start, _ in self.members[first:last]]

    def prune(self, logical: int) -> None:
        keep = bisect.bisect_right(self.members, (logical, float("inf"))) - 1
        if keep > 0:
            del self.members[:keep]

    def snapshot(self) -> tuple:
        dec = self.dec.copy() if self.dec is not None else None
        return (dec, self.chunk, self.off, self.chunk_at, self.eof, self.member_raw,
                self.member_out, list(self.held), self.held_bytes, self.logical,
                list(self.members), self.raw.tell())

    def restore(self, state: tuple) -> None:
        (dec, self.chunk, self.off, self.chunk_at, self.eof, self.member_raw, self.member_out,
         held, self.held_bytes, self.logical, members, tell) = state
        self.dec = dec.copy() if dec is not None else None
        self.held, self.members = list(held), list(members)
        self.raw.seek(tell)


def _starts_warc_record(data: memoryview) -> bool:
    try:
        return zlib.decompressobj(31).decompress(data, 8).startswith(b"WARC/")
    except zlib.error:
        return False


class _Window:
    """The decompressed bytes [start, end) pulled from a source on demand.

    When the source skipped undecodable bytes, `pending` holds that break: the window ends
    there until the reader takes it.
    """

    def __init__(self, source: _PlainSource | _GzipSource) -> None:
        self.source = source
        self.buf = bytearray()
        self.start = 0
        self.pending: _Break | None = None
        self.eof = False

    @property
    def end(self) -> int:
        return self.start + len(self.buf)

    def fill(self, upto: int) -> bool:
        """Read until the window reaches `upto`; False when the file or a break comes first."""
        while self.end < upto:
            if self.pending is not None or self.eof:
                return False
            try:
                data = self.source.read()
            except _Break as brk:
                self.pending = brk
                return False
            if not data:
                self.eof = True
                return False
            self.buf += data
        return True

    def more(self) -> bool:
        return self.fill(self.end + 1)

    def drop(self, upto: int) -> None:
        """Forget the bytes before `upto`."""
        del self.buf[:upto - self.start]
        self.start = upto
        self.source.prune(upto)

    def get(self, begin: int, end: int) -> bytes:
        return bytes(self.buf[begin - self.start:end - self.start])

    def header_at(self, begin: int, end: int) -> int:
        """The first record header position in [begin, end) of what is buffered, or -1."""
        end = min(end, self.end)
        line = self.buf.find(_HEADER_AT_LINE_START, max(begin - 1, self.start) - self.start,
                             max(end - self.start + len(_HEADER_AT_LINE_START) - 1, 0))
        found = line + self.start + 1 if line >= 0 and line + self.start + 1 < end else -1
        for start in self.source.member_starts(begin, found if found >= 0 else end):
            if self.buf.startswith(b"WARC/1.", start - self.start):
                return start
        return found

    def snapshot(self, at: int) -> tuple:
        return self.source.snapshot(), self.get(at, self.end), at, self.pending, self.eof

    def restore(self, state: tuple) -> None:
        source, data, at, self.pending, self.eof = state
        self.source.restore(source)
        self.buf, self.start = bytearray(data), at


class WarcFraming:
    """Every record of a WARC file, well-framed or damaged, in file order."""

    def __init__(self, raw: BinaryIO, max_record_bytes: int, gzip: bool = False) -> None:
        """`gzip`: the file is named as gzip (its first member may be the damaged one);
        otherwise gzip is recognised by its magic bytes."""
        start = raw.read(2)
        raw.seek(0)
        self.source = (_GzipSource(raw) if gzip or start == _GZIP_MAGIC[:2]
                       else _PlainSource(raw))
        self.window = _Window(self.source)
        self.cap = max_record_bytes

    @property
    def raw_position(self) -> int:
        """How far the file has been read."""
        return self.source.raw_position

    def __iter__(self) -> Iterator[WarcRecord | DamagedRecord]:
        window = self.window
        pos = 0
        while True:
            pos = self._skip_padding(pos)
            if pos >= window.end and not window.more():
                if window.pending is None:
                    return
                brk, window.pending = window.pending, None
                yield DamagedRecord(brk.offset, brk.error, b"")
                continue
            record, end = self._record(pos)
            if isinstance(record, DamagedRecord):
                record.raw = record.raw[:end - pos]  # never the start of the next record
            pos = end
            yield record

    def _skip_padding(self, pos: int) -> int:
        """The first position at or after `pos` that is not a blank line between records."""
        window = self.window
        while True:
            if pos - window.start > READ_BYTES:
                window.drop(pos)  # dropped in large steps: cheap, and the window stays bounded
            buf, start = window.buf, window.start
            while pos < window.end and buf[pos - start] in b"\r\n":
                pos += 1
            if pos < window.end or not window.more():
                return pos

    def _record(self, pos: int) -> tuple[WarcRecord | DamagedRecord, int]:
        window = self.window
        window.fill(pos + 10)
        offset = self.source.raw_offset(pos)
        if not _VERSION.match(window.buf, pos - window.start):
            preview = window.get(pos, pos + PREVIEW_BYTES)
            if len(preview) < 10 and any(v.startswith(preview) for v in _VERSIONS):
                return self._unframed(offset, preview, pos + 1, "the data ends inside its version line")
            return self._damaged(offset, "bad WARC version line (expected WARC/1.0 or WARC/1.1)",
                                 preview, pos + 1)
        header_end = self._find_header_end(pos)
        if header_end < 0:
            preview = window.get(pos, pos + PREVIEW_BYTES)
            if window.eof or window.pending is not None:
                return self._unframed(offset, preview, pos + 1, "the data ends inside its WARC headers")
            return self._damaged(offset, "its WARC headers do not end with an empty line before the "
                                 f"next record header or within {HEADER_LIMIT} bytes", preview, pos + 1)
        headers = _parse_headers(window.get(pos, header_end))
        length = headers.get("content-length", "")
        if not length.isascii() or not length.isdigit():
            return self._damaged(offset, "missing or invalid Content-Length header",
                                 window.get(pos, pos + PREVIEW_BYTES), header_end)
        size = int(length)
        block_start = header_end + len(_TERMINATOR)
        block_end = block_start + size
        need = block_end + len(_TERMINATOR)
        if size <= self.cap:
            complete = window.fill(need)
            if complete and window.buf.startswith(_TERMINATOR, block_end - window.start):
                return WarcRecord(offset, headers, size, window.get(block_start, block_end), b""), need
            preview, rewind = window.get(pos, pos + PREVIEW_BYTES), None
        else:
            preview = window.get(pos, pos + PREVIEW_BYTES)  # before the stream drops it
            complete, head, rewind = self._stream(block_start, need)
            if complete and rewind is None and window.buf.startswith(_TERMINATOR,
                                                                     block_end - window.start):
                return WarcRecord(offset, headers, size, None, head), need
        return self._misframed(offset, preview, size, block_start, need, complete, rewind)

    def _find_header_end(self, pos: int) -> int:
        """Where the empty line after the WARC headers begins, or -1."""
        window = self.window
        searched = pos
        while True:
            found = window.buf.find(_TERMINATOR, searched - window.start)
            if found >= 0:
                end = found + window.start
                nested = (window.buf.find(_HEADER_AT_LINE_START, pos - window.start, found) >= 0
                          or self.source.member_starts(pos + 1, end))
                return -1 if nested or end - pos > HEADER_LIMIT else end
            searched = max(pos, window.end - len(_TERMINATOR) + 1)
            if window.end - pos > HEADER_LIMIT or not window.more():
                return -1

    def _stream(self, block_start: int, need: int) -> tuple[bool, bytes, tuple | None]:
        """Read over a block too large to keep, up to `need`, holding only a window of it.

        Returns whether `need` was reached, the block's first bytes, and a snapshot at the
        first record header seen inside the block (where reading resumes if the block
        turns out misframed).
        """
        window = self.window
        window.fill(block_start + HEAD_BYTES)
        head = window.get(block_start, block_start + HEAD_BYTES)
        rewind = None
        scanned = block_start
        while True:
            if rewind is None:
                found = window.header_at(scanned, need)
                if found >= 0:
                    rewind = window.snapshot(found)
                scanned = max(block_start, min(need, window.end) - len(_HEADER_AT_LINE_START))
            if window.end >= need:
                return True, head, rewind
            window.drop(max(window.start, scanned - 1))  # keep the byte a line start is seen by
            if not window.fill(min(need, window.end + READ_BYTES)):
                return False, head, rewind

    def _misframed(self, offset: int, preview: bytes, size: int, block_start: int, need: int,
                   complete: bool, rewind: tuple | None) -> tuple[DamagedRecord, int]:
        """A record whose block does not end where its Content-Length says."""
        window = self.window
        disagree = (f"Content-Length {size} disagrees with where the record ends (the next record "
                    "starts inside it, or the \\r\\n\\r\\n terminator is missing)")
        if rewind is not None:
            window.restore(rewind)
            return DamagedRecord(offset, disagree, preview), rewind[2]
        found = window.header_at(block_start, need)
        if found >= 0:
            return DamagedRecord(offset, disagree, preview), found
        if complete:
            window.fill(need + len(b"WARC/1."))
            if window.buf.startswith(b"WARC/1.", need - window.start):
                # The block ends where its Content-Length says and the next record follows:
                # only the terminator between them is damaged.
                return DamagedRecord(offset, "the \\r\\n\\r\\n terminator after its block is "
                                     "damaged", preview), need
            return self._damaged(offset, disagree, preview, block_start)
        return self._unframed(offset, preview, block_start,
                              f"the file ends before the {size} bytes its Content-Length announces")

    def _unframed(self, offset: int, preview: bytes, resume: int,
                  truncated: str) -> tuple[DamagedRecord, int]:
        """A record the data ran out inside: at the end of the file or at undecodable bytes."""
        window = self.window
        found = window.header_at(resume, window.end)
        if found >= 0:
            return DamagedRecord(offset, "record is cut short: the next record starts inside it",
                                 preview), found
        brk = window.pending
        if brk is None:
            return DamagedRecord(offset, f"truncated record: {truncated}", preview), window.end
        if brk.clean:
            # The undecodable member gave no bytes: it is a record of its own, quarantined next,
            # and this one claimed more bytes than its own member held.
            return DamagedRecord(offset, "record runs into an undecodable gzip member after it "
                                 "(its Content-Length is too large)", preview), window.end
        window.pending = None
        return DamagedRecord(offset, brk.error, preview), window.end

    def _damaged(self, offset: int, error: str, preview: bytes,
                 search_from: int) -> tuple[DamagedRecord, int]:
        """The damaged record at `offset`, and where the next record header after it is."""
        window = self.window
        scanned = search_from
        while True:
            found = window.header_at(scanned, window.end)
            if found >= 0:
                return DamagedRecord(offset, error, preview), found
            scanned = max(search_from, window.end - len(_HEADER_AT_LINE_START))
            window.drop(max(window.start, scanned - 1))  # keep the byte a line start is seen by
            if not window.more():
                return DamagedRecord(offset, error, preview), window.end


def _parse_headers(raw: bytes) -> dict[str, str]:
    """Header names (lower-cased) to values; the first of a repeated name wins."""
    headers: dict[str, str] = {}
    name = None
    for line in raw.decode("utf-8", "replace").split("\r\n")[1:]:
        if line[:1] in (" ", "\t") and name is not None:
            headers[name] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if sep:
            name = key.strip().lower()
            headers.setdefault(name, value.strip())
    return headers

"""WARC and WET reader: HTML responses become extracted main text, WET conversions their text."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding

from corpus.readers.base import BatchBuilder, ReadChunk, ReaderOptions, quarantine_record
from corpus.readers.warc_framing import DamagedRecord, WarcFraming, WarcRecord
from corpus.sources import Split, open_binary

DEFAULT_MAX_RECORD_BYTES = 16 << 20
QUARANTINE_ROWS_PER_CHUNK = 1024  # a file of damage alone still arrives in bounded chunks
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_RECORD_TYPES = frozenset({"warcinfo", "response", "resource", "request", "metadata", "revisit",
                           "conversion", "continuation"})
_HTTP_HEADER_LIMIT = 64 << 10
# A content type becomes a statistics key: only a plain type/subtype token is kept.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([A-Za-z0-9_.:+-]{1,40})", re.IGNORECASE)


def read_warc(split: Split, options: ReaderOptions) -> Iterator[ReadChunk]:
    """Documents of a WARC (response records) or WET (conversion records) file, plain or gzip.

    Each document keeps `url`, `date` and `warc_record_id`; its id is the WARC record id
    (`id_field` does not apply). Offsets are raw file positions: the record's, or in a gzip
    file the position of its gzip member (see `warc_framing`). Non-HTML responses are not
    documents: they are counted in `skipped`, not read; records of the other standard types
    (request, metadata, warcinfo, ...) are passed over. A damaged record (one of no standard
    type included), an undecodable gzip member, or a wanted record over `max_record_bytes`
    is one quarantine row, and reading goes on after it.
    """
    uri = split.file.uri
    wet = split.file.format == "wet"
    wanted = "conversion" if wet else "response"
    cap = getattr(options, "max_record_bytes", DEFAULT_MAX_RECORD_BYTES)
    builder = BatchBuilder(uri, split.input_index, options)
    chunk = ReadChunk(batch=None)
    reported, last_offset = 0, -1
    raw = open_binary(uri)
    try:
        framing = WarcFraming(raw, cap, gzip=split.file.compression == "gzip")
        for record in framing:
            if isinstance(record, DamagedRecord):
                chunk.records += 1
                chunk.quarantine.append(quarantine_record(uri, record.offset, record.error,
                                                          record.raw))
            elif (kind := record.headers.get("warc-type", "").lower()) not in _RECORD_TYPES:
                # Not a type the standard defines: a damaged header, not a record to pass over.
                chunk.records += 1
                chunk.quarantine.append(quarantine_record(
                    uri, record.offset, "missing or unknown WARC-Type header",
                    record.block if record.block is not None else record.head))
            elif kind == wanted:
                try:
                    text = _text_of(record, wet, cap)
                except _Skipped as skipped:
                    chunk.skipped[skipped.key] = chunk.skipped.get(skipped.key, 0) + 1
                    continue
                except _Unreadable as exc:
                    chunk.records += 1
                    chunk.quarantine.append(quarantine_record(
                        uri, record.offset, exc.error,
                        record.block if record.block is not None else record.head))
                    continue
                chunk.records += 1
                # Offsets order documents and must be unique; in a gzip member holding several
                # records they may fall behind a later member's position, so keep them rising.
                last_offset = max(record.offset, last_offset + 1)
                record_id = record.headers.get("warc-record-id")
                builder.add(last_offset, text, record_id, {
                    "url": record.headers.get("warc-target-uri"),
                    "date": record.headers.get("warc-date"),
                    "warc_record_id": record_id,
                })
            if builder.full or len(chunk.quarantine) >= QUARANTINE_ROWS_PER_CHUNK:
                position = framing.raw_position
                chunk.batch = builder.flush()
                chunk.raw_bytes, reported = max(0, position - reported), max(reported, position)
                yield chunk
                chunk = ReadChunk(batch=None)
    finally:
        raw.close()
    chunk.batch = builder.flush()
    chunk.raw_bytes = max(0, split.file.size - reported)
    yield chunk


class _Skipped(Exception):
    """A wanted record that is not a document by design (a non-HTML response)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _Unreadable(Exception):
    """A wanted record that should be a document and cannot be read."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _text_of(record: WarcRecord, wet: bool, cap: int) -> str:
    if wet:
        if record.block is None:
            raise _Unreadable(_too_large(record, cap))
        try:
            return record.block.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Unreadable(f"record cannot be decoded: WET text is not UTF-8 at byte "
                              f"{exc.start}") from None
    media_type, charset, body_at = None, None, 0
    if record.headers.get("content-type", "").lower().startswith("application/http"):
        media_type, charset, body_at = _http_head(
            record.block if record.block is not None else record.head)
    if media_type not in _HTML_TYPES:
        raise _Skipped(f"non_html_response:{media_type or 'unknown'}")
    if record.block is None:
        raise _Unreadable(_too_large(record, cap))
    body = record.block[body_at:]
    try:
        return extract_plain_text(bytes_to_str(body, charset or detect_encoding(body)),
                                  main_content=True)
    except (UnicodeError, ValueError) as exc:
        raise _Unreadable(f"record cannot be decoded: {type(exc).__name__} while reading its "
                          "HTML") from None


def _too_large(record: WarcRecord, cap: int) -> str:
    return f"record_too_large: its block is {record.length} bytes, over max_record_bytes {cap}"


def _http_head(block: bytes) -> tuple[str | None, str | None, int]:
    """(media type, charset, where the body starts) of an HTTP response block.

    A block that does not start with an HTTP status line and headers has no media type.
    """
    if not block.startswith(b"HTTP/"):
        return None, None, 0
    end = block.find(b"\r\n\r\n", 0, _HTTP_HEADER_LIMIT)
    if end < 0:
        return None, None, 0
    media_type = charset = None
    for line in block[:end].decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type" and media_type is None:
            media = value.split(";")[0].strip().lower()
            media_type = media if _MEDIA_TYPE.fullmatch(media) else None
            found = _CHARSET.search(value)
            charset = found.group(1).lower() if found and _known(found.group(1)) else None
    return media_type, charset, end + 4


def _known(charset: str) -> bool:
    """Whether Python can decode `charset`; an unknown one is detected from the body instead."""
    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    return True

"""WARC and WET reader: HTML responses become extracted main text, WET conversions their text."""

from __future__ import annotations

from collections.abc import Iterator

from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding

from corpus.readers.base import BatchBuilder, ReadChunk, ReaderOptions, quarantine_record
from corpus.sources import Split, open_binary

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(split: Split, options: ReaderOptions) -> Iterator[ReadChunk]:
    """Documents of a WARC (response records) or WET (conversion records) file.

    Each document keeps `url`, `date` and `warc_record_id`; its id is the WARC record id
    (`id_field` does not apply). Offsets are record positions in the raw file.
    Non-HTML responses are not documents: they are counted in `skipped`, not read.
    """
    uri = split.file.uri
    wet = split.file.format == "wet"
    wanted = WarcRecordType.conversion if wet else WarcRecordType.response
    builder = BatchBuilder(uri, split.input_index, options)
    chunk = ReadChunk(batch=None)
    raw = open_binary(uri)
    reported = 0
    try:
        records = ArchiveIterator(raw, record_types=wanted, parse_http=not wet)
        for record in records:
            offset = record.stream_pos
            if not wet and not _is_html(record.http_content_type):
                key = f"non_html_response:{record.http_content_type or 'unknown'}"
                chunk.skipped[key] = chunk.skipped.get(key, 0) + 1
                continue
            chunk.records += 1
            try:
                text = _text_of(record, wet)
            except (UnicodeError, ValueError, OSError) as exc:
                error = f"record cannot be decoded: {exc}"
                chunk.quarantine.append(quarantine_record(uri, offset, error))
                continue
            builder.add(offset, text, record.record_id, {
                "url": record.headers.get("WARC-Target-URI"),
                "date": record.headers.get("WARC-Date"),
                "warc_record_id": record.record_id,
            })
            if builder.full:
                position = raw.tell()
                chunk.batch, chunk.raw_bytes, reported = builder.flush(), position - reported, position
                yield chunk
                chunk = ReadChunk(batch=None)
    except (OSError, ValueError) as exc:
        chunk.records += 1
        chunk.quarantine.append(quarantine_record(uri, raw.tell(), f"WARC stream broken: {exc}"))
    finally:
        raw.close()
    chunk.batch = builder.flush()
    chunk.raw_bytes = max(0, split.file.size - reported)
    yield chunk


def _is_html(content_type: str | None) -> bool:
    return bool(content_type) and content_type.split(";")[0].strip().lower() in _HTML_TYPES


def _text_of(record, wet: bool) -> str:
    body = record.reader.read()
    if wet:
        return body.decode("utf-8")
    encoding = record.http_charset or detect_encoding(body)
    return extract_plain_text(bytes_to_str(body, encoding), main_content=True)

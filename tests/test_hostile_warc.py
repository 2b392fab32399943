"""Damaged WARC and WET files: every good record is read, exactly the damaged one is quarantined.

Each test writes a WARC (plain, gzip with one member per record, or a gzipped WET) of good
records, damages one record the way real files get damaged, runs the real pipeline over it
and checks the published documents, the quarantine rows and the manifest's accounting.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import tracemalloc
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import run

from corpus.readers import ReaderOptions, read_split
from corpus.sources import discover, plan_splits

KINDS = ["warc", "warc.gz", "wet.gz"]
GOOD = 6
DAMAGED = 2  # the index of the damaged record (of GOOD + 1 written)


@dataclass
class Record:
    """One record as written: its bytes (uncompressed) and what the reader should make of it."""

    data: bytes
    record_id: str
    text: str


def make_record(kind: str, index: int, content_length_delta: int = 0,
                version: bytes = b"WARC/1.0", repeat: int = 1) -> Record:
    """A response record holding an HTML page (WARC) or a conversion record (WET)."""
    text = " ".join([f"Record {index}: the harbour master logged {index + 3} ships arriving before "
                     "dawn, and the fish market opened an hour early to keep up with the catch."]
                    * repeat)
    if kind == "wet.gz":
        warc_type, content_type, payload = "conversion", "text/plain", text.encode()
    else:
        html = (f"<html><head><title>t{index}</title></head><body><main><article>"
                f"<p>{text}</p></article></main></body></html>").encode()
        warc_type, content_type = "response", "application/http; msgtype=response"
        payload = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                   + f"Content-Length: {len(html)}\r\n\r\n".encode() + html)
    record_id = f"<urn:uuid:{uuid.UUID(int=index + 1)}>"
    head = (
        version + b"\r\n"
        + f"WARC-Type: {warc_type}\r\n"
          f"WARC-Target-URI: https://example.org/page/{index}\r\n"
          "WARC-Date: 2024-05-06T07:08:09Z\r\n"
          f"WARC-Record-ID: {record_id}\r\n"
          f"Content-Type: {content_type}\r\n"
          f"Content-Length: {len(payload) + content_length_delta}\r\n\r\n".encode()
    )
    return Record(head + payload + b"\r\n\r\n", record_id, text)


def plain_record(warc_type: str, block: bytes) -> bytes:
    """A record of another type or media type (request, image response): never a document."""
    return (f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
            f"Content-Type: application/http; msgtype={warc_type}\r\n"
            f"Content-Length: {len(block)}\r\n\r\n").encode() + block + b"\r\n\r\n"


REQUEST = plain_record("request", b"GET /page HTTP/1.1\r\nHost: example.org\r\n\r\n")
PNG = plain_record("response", b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n")


def encode(kind: str, parts: list[bytes]) -> tuple[bytes, list[int]]:
    """The file's bytes and the raw offset of each part (gzip: one member per part)."""
    offsets, out = [], bytearray()
    for part in parts:
        offsets.append(len(out))
        out += gzip.compress(part, mtime=0) if kind.endswith(".gz") else part
    return bytes(out), offsets


@dataclass
class Published:
    counts: dict[str, int]
    skipped: dict[str, int]
    data: list[dict]
    quarantine: list[dict]


def publish(tmp_path: Path, kind: str, data: bytes) -> tuple[Published, Path]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / f"crawl.{kind}"
    path.write_bytes(data)
    summary = run(tmp_path, [path], [])
    manifest = json.loads((summary.path / "manifest.json").read_text())
    rows = {name: [row for part in sorted((summary.path / name).glob("*.parquet"))
                   for row in pq.read_table(part).to_pylist()]
            for name in ("data", "quarantine")}
    counts = manifest["counts"]
    assert counts["read"] == counts["kept"] + counts["rejected"] + counts["quarantined"], counts
    published = Published(counts, manifest.get("skipped_records", {}), rows["data"],
                          rows["quarantine"])
    return published, path


def assert_exactly(published: Published, path: Path, good: list[Record], offset: int,
                   error: str) -> None:
    """Every good record is a document, in order, and the damaged one is the only quarantine row."""
    assert [row["id"] for row in published.data] == [r.record_id for r in good]
    for row, record in zip(published.data, good, strict=True):
        assert record.text in row["text"]
        assert row["warc_record_id"] == record.record_id
        assert row["url"].startswith("https://example.org/page/")
        assert row["date"] == "2024-05-06T07:08:09Z"
    [row] = published.quarantine
    assert (row["file"], row["offset"]) == (str(path), offset), row
    assert re.search(error, row["error"]), row["error"]
    assert published.counts == {"read": len(good) + 1, "kept": len(good), "rejected": 0,
                                "quarantined": 1}


def damaged_file(kind: str, damaged: Record | bytes, after: int = GOOD - DAMAGED):
    """GOOD good records with `damaged` written at index DAMAGED; (bytes, good, its offset)."""
    good = [make_record(kind, i) for i in range(GOOD)]
    parts = [r.data for r in good[:DAMAGED]]
    parts.append(damaged.data if isinstance(damaged, Record) else damaged)
    parts += [r.data for r in good[DAMAGED:DAMAGED + after]]
    data, offsets = encode(kind, parts)
    return data, good[:DAMAGED + after], offsets[DAMAGED]


# --------------------------------------------------------------------------- valid files


@pytest.mark.parametrize("kind", KINDS)
def test_a_valid_file_reads_every_record_and_counts_the_rest(tmp_path, kind):
    good = [make_record(kind, i) for i in range(GOOD)]
    parts = [part for record in good for part in (REQUEST, record.data, PNG)]
    data, _ = encode(kind, parts)

    published, path = publish(tmp_path, kind, data)

    assert [row["id"] for row in published.data] == [r.record_id for r in good]
    assert published.quarantine == []
    assert published.counts == {"read": GOOD, "kept": GOOD, "rejected": 0, "quarantined": 0}
    assert published.skipped == ({} if kind == "wet.gz" else {"non_html_response:image/png": GOOD})


def test_a_whole_file_gzip_gives_every_record_its_own_offset(tmp_path):
    """One gzip member for the whole file (not the standard, but common): offsets are positions
    in the decompressed data, so documents stay distinct and in order."""
    good = [make_record("warc", i) for i in range(GOOD)]
    path = tmp_path / "one-member.warc.gz"
    path.write_bytes(gzip.compress(b"".join(r.data for r in good), mtime=0))

    got = read_chunks(path)

    assert [row["id"] for row in got["rows"]] == [r.record_id for r in good]
    assert got["quarantine"] == [] and got["records"] == GOOD
    orders = [row["__corpus_order"] for row in got["rows"]]
    assert orders == sorted(set(orders))


# --------------------------------------------------------------------------- Content-Length


@pytest.mark.parametrize("kind", KINDS)
def test_a_content_length_too_large_quarantines_only_its_record(tmp_path, kind):
    data, good, offset = damaged_file(kind, make_record(kind, 99, content_length_delta=+60))

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good, offset, "Content-Length .* disagrees")


@pytest.mark.parametrize("kind", KINDS)
def test_a_content_length_beyond_the_record_cap_is_streamed_and_resynchronised(tmp_path, kind):
    """A Content-Length of 3 GB in a small file: nothing is read whole, and reading resumes at the
    next record header inside the claimed block."""
    record = make_record(kind, 99)
    real = re.search(rb"Content-Length: (\d+)\r\n\r\n", record.data).group(0)
    damaged = record.data.replace(real, b"Content-Length: 3000000000\r\n\r\n")
    data, good, offset = damaged_file(kind, damaged)

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good, offset, "Content-Length 3000000000 disagrees")


@pytest.mark.parametrize("kind", KINDS)
def test_a_content_length_too_small_quarantines_only_its_record(tmp_path, kind):
    data, good, offset = damaged_file(kind, make_record(kind, 99, content_length_delta=-40))

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good, offset, "Content-Length .* disagrees")


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_terminator_quarantines_only_its_record(tmp_path, kind):
    """The last byte of the terminator flipped: the next record no longer begins a line, but
    it begins where the Content-Length says, and is read."""
    record = make_record(kind, 99)
    data, good, offset = damaged_file(kind, record.data[:-1] + b"\x0b")

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good, offset, "terminator after its block is damaged")


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_record_type_is_quarantined_not_passed_over(tmp_path, kind):
    record = make_record(kind, 99)
    data, good, offset = damaged_file(kind, record.data.replace(b"WARC-Type: ", b"WARC-Typo: "))

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good, offset, "missing or unknown WARC-Type")


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_content_length_quarantines_only_its_record(tmp_path, kind):
    record = make_record(kind, 99)
    damaged = re.sub(rb"Content-Length: \d+\r\n", b"", record.data)
    data, good, offset = damaged_file(kind, damaged)

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good, offset, "missing or invalid Content-Length")


# --------------------------------------------------------------------------- garbage and versions


@pytest.mark.parametrize("kind", KINDS)
def test_a_garbage_record_between_good_ones_is_one_quarantine_row(tmp_path, kind):
    garbage = random.Random(7).randbytes(700).replace(b"\n", b"") + b"\r\n"
    data, good, offset = damaged_file(kind, garbage)

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good, offset, "bad WARC version line")
    assert published.quarantine[0]["raw"] == garbage[:2048]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("version", [b"WARC/2.0", b"WARC/1.9", b"WRAC/1.0"])
def test_a_bad_version_line_quarantines_only_its_record(tmp_path, kind, version):
    data, good, offset = damaged_file(kind, make_record(kind, 99, version=version))

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good, offset, "bad WARC version line")


# --------------------------------------------------------------------------- gzip members


@pytest.mark.parametrize("kind", ["warc.gz", "wet.gz"])
@pytest.mark.parametrize("where", ["deflate data", "gzip header", "checksum"])
def test_a_corrupt_gzip_member_is_quarantined_and_reading_resumes_at_the_next(tmp_path, kind, where):
    good = [make_record(kind, i) for i in range(GOOD)]
    data, offsets = encode(kind, [r.data for r in good])
    member = bytearray(data[offsets[DAMAGED]:offsets[DAMAGED + 1]])
    at = {"deflate data": len(member) // 2, "gzip header": 0, "checksum": len(member) - 6}[where]
    member[at] ^= 0xFF
    data = data[:offsets[DAMAGED]] + bytes(member) + data[offsets[DAMAGED + 1]:]

    published, path = publish(tmp_path, kind, data)

    error = "not a gzip member" if where == "gzip header" else "corrupt gzip member"
    assert_exactly(published, path, good[:DAMAGED] + good[DAMAGED + 1:], offsets[DAMAGED], error)


@pytest.mark.parametrize("kind", ["warc.gz", "wet.gz"])
def test_a_content_length_too_large_before_a_corrupt_member_gives_two_rows(tmp_path, kind):
    """Two damaged records in a row are two quarantine rows: the one whose block runs into the
    undecodable member, and the member itself."""
    good = [make_record(kind, i) for i in range(GOOD)]
    parts = [r.data for r in good]
    parts[1] = make_record(kind, 1, content_length_delta=+500).data
    data, offsets = encode(kind, parts)
    corrupt = bytearray(data)
    corrupt[(offsets[2] + offsets[3]) // 2] ^= 0xFF

    published, path = publish(tmp_path, kind, bytes(corrupt))

    assert [row["id"] for row in published.data] == [good[i].record_id for i in (0, 3, 4, 5)]
    assert [(row["offset"], row["error"].split(" ")[0]) for row in published.quarantine] == [
        (offsets[1], "record"), (offsets[2], "corrupt")]
    assert published.counts == {"read": 6, "kept": 4, "rejected": 0, "quarantined": 2}


@pytest.mark.parametrize("kind", ["warc.gz", "wet.gz"])
def test_a_corrupt_first_member_header_is_not_mistaken_for_a_plain_file(tmp_path, kind):
    good = [make_record(kind, i) for i in range(GOOD)]
    data, offsets = encode(kind, [r.data for r in good])

    published, path = publish(tmp_path, kind, b"\x1f\x00" + data[2:])

    assert_exactly(published, path, good[1:], 0, "not a gzip member")


@pytest.mark.parametrize("kind", KINDS)
def test_every_single_byte_flip_loses_at_most_the_record_it_hit(tmp_path, kind):
    """Each byte of one record (or its gzip member) damaged in turn: every other record is still
    a document, and the hit record is a document, or one quarantine row, or a record passed
    over because the flip made it another type."""
    good = [make_record(kind, i) for i in range(4)]
    data, offsets = encode(kind, [r.data for r in good])
    path = tmp_path / f"flip.{kind}"
    others = {r.record_id for i, r in enumerate(good) if i != 1}
    for at in range(offsets[1], offsets[2]):
        flipped = bytearray(data)
        flipped[at] ^= 0xFF if kind.endswith(".gz") else 0x21
        path.write_bytes(flipped)

        got = read_chunks(path)

        assert others <= {row["id"] for row in got["rows"]}, at - offsets[1]
        assert len(got["quarantine"]) <= 1, (at - offsets[1], got["quarantine"])
        assert got["records"] == len(got["rows"]) + len(got["quarantine"])
        if got["quarantine"]:
            assert got["quarantine"][0]["offset"] == offsets[1], at - offsets[1]


# --------------------------------------------------------------------------- truncation


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_a_truncated_last_record_is_quarantined_not_kept_short(tmp_path, kind, keep):
    good = [make_record(kind, i) for i in range(GOOD)]
    data, offsets = encode(kind, [r.data for r in good])
    last = offsets[-1]
    data = data[:last + int((len(data) - last) * keep)]

    published, path = publish(tmp_path, kind, data)

    assert_exactly(published, path, good[:-1], last, "truncated record")


# --------------------------------------------------------------------------- size cap


def read_chunks(path: Path, options: ReaderOptions | None = None) -> dict:
    got: dict = {"rows": [], "quarantine": [], "records": 0, "skipped": {}}
    for split in plan_splits(discover([str(path)]), 1 << 40):
        for chunk in read_split(split, options or ReaderOptions()):
            if chunk.batch is not None:
                got["rows"] += chunk.batch.to_pylist()
            got["quarantine"] += chunk.quarantine
            got["records"] += chunk.records
            for key, count in chunk.skipped.items():
                got["skipped"][key] = got["skipped"].get(key, 0) + count
    return got


@dataclass(frozen=True)
class CappedOptions(ReaderOptions):
    max_record_bytes: int = 4096


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_over_the_cap_is_quarantined_as_too_large_and_the_rest_is_read(tmp_path, kind):
    big = make_record(kind, 99, repeat=100)
    assert len(big.data) > CappedOptions.max_record_bytes
    data, good, offset = damaged_file(kind, big)
    path = tmp_path / f"big.{kind}"
    path.write_bytes(data)

    got = read_chunks(path, CappedOptions())

    assert [row["id"] for row in got["rows"]] == [r.record_id for r in good]
    [row] = got["quarantine"]
    assert row["offset"] == offset and row["error"].startswith("record_too_large"), row
    assert got["records"] == len(good) + 1


def test_a_non_html_response_over_the_cap_is_counted_as_skipped(tmp_path):
    video = plain_record("response", b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n\r\n"
                         + b"\x00\x01" * 5000)
    data, good, _ = damaged_file("warc.gz", video)
    path = tmp_path / "video.warc.gz"
    path.write_bytes(data)

    got = read_chunks(path, CappedOptions())

    assert [row["id"] for row in got["rows"]] == [r.record_id for r in good]
    assert got["quarantine"] == [] and got["skipped"] == {"non_html_response:video/mp4": 1}


def test_a_gzip_bomb_member_is_never_decompressed_whole(tmp_path):
    """A member that inflates to 200 MB is streamed in bounded pieces: it is quarantined as too
    large (its Content-Length says so) and the records after it are read."""
    size = 200 << 20
    head = (f"WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: {size}\r\n\r\n").encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = compressor.compress(head) + b"".join(compressor.compress(bytes(1 << 20))
                                                for _ in range(size >> 20))
    bomb += compressor.compress(b"\r\n\r\n") + compressor.flush()
    good = [make_record("wet.gz", i) for i in range(3)]
    data = gzip.compress(good[0].data, mtime=0) + bomb + b"".join(
        gzip.compress(r.data, mtime=0) for r in good[1:])
    path = tmp_path / "bomb.warc.wet.gz"
    path.write_bytes(data)

    tracemalloc.start()
    got = read_chunks(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert [row["id"] for row in got["rows"]] == [r.record_id for r in good]
    [row] = got["quarantine"]
    assert row["error"].startswith("record_too_large") and row["offset"] == len(data) - len(
        b"".join(gzip.compress(r.data, mtime=0) for r in good[1:])) - len(bomb)
    assert peak < 32 << 20, f"peak Python allocation {peak >> 20} MiB"

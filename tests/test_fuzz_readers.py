"""Property-based fuzzing of the readers: mutated, truncated and spliced files never crash a read or a
run and never break the accounting (every record read is a document or a quarantine row)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from conftest import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_readers import PROSE, http_response, read_all, warc_record

from corpus.readers import ReaderOptions

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
RUNS = settings(FUZZ, max_examples=8)
# Small batches, batch bytes and record cap, so the mutations cross every boundary the readers keep.
OPTIONS = ReaderOptions(batch_rows=7, batch_bytes=2048, max_record_bytes=1500)


def _records(count: int = 30) -> list[dict]:
    return [{"id": f"doc-{i}", "text": f"{PROSE} ({i})" * (1 + i % 12), "n": i, "tags": ["a", str(i)]}
            for i in range(count)]


def _jsonl(compression: str | None) -> bytes:
    data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in _records())
    if compression == "gzip":
        # Two members, as concatenated .gz files have.
        half = len(data) // 2
        cut = data.rfind(b"\n", 0, half) + 1
        return gzip.compress(data[:cut], mtime=0) + gzip.compress(data[cut:], mtime=0)
    if compression == "zstd":
        return zstandard.ZstdCompressor().compress(data)
    return data


def _parquet() -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(_records()), sink, row_group_size=8)
    return sink.getvalue()


def _warc(kind: str) -> bytes:
    members = []
    for i in range(12):
        if kind == "wet":
            member, _ = warc_record("conversion", f"https://example.net/{i}",
                                    f"{PROSE * (1 + i % 12)} {i}".encode(), "text/plain")
        else:
            html = f"<html><body><main><p>{PROSE * (1 + i % 12)} {i}</p></main></body></html>".encode()
            member, _ = warc_record("response", f"https://example.net/{i}",
                                    http_response("text/html; charset=utf-8", html),
                                    "application/http; msgtype=response")
        members.append(member)
    data = b"".join(members)
    return data if kind != "warc" else gzip.decompress(data)


VALID = {
    "docs.jsonl": lambda: _jsonl(None),
    "docs.jsonl.gz": lambda: _jsonl("gzip"),
    "docs.jsonl.zst": lambda: _jsonl("zstd"),
    "docs.parquet": _parquet,
    "crawl.warc": lambda: _warc("warc"),
    "crawl.warc.gz": lambda: _warc("warc.gz"),
    "crawl.warc.wet.gz": lambda: _warc("wet"),
}


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """`data` after a few random flips, truncations, deletions, duplications and splices."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        size = len(data)
        kind = draw(st.sampled_from(["flip", "truncate", "delete", "duplicate", "splice", "garbage"]))
        at = draw(st.integers(0, max(0, size - 1)))
        span = draw(st.integers(1, 256))
        if kind == "flip" and size:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "delete":
            del data[at:at + span]
        elif kind == "duplicate":
            data[at:at] = data[at:at + span]
        elif kind == "splice":
            source = draw(st.integers(0, max(0, size - 1)))
            data[at:at] = data[source:source + span]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


def _check_read(path: Path) -> None:
    got = read_all([path], OPTIONS)
    assert got.records == len(got.rows) + len(got.quarantine)
    assert len(set(got.ids)) == len(got.ids)
    for row in got.quarantine:
        assert row["file"] == str(path) and row["error"]


@pytest.mark.parametrize("name", sorted(VALID))
def test_mutated_files_never_crash_a_read_and_keep_the_accounting(tmp_path_factory, name):
    valid = VALID[name]()
    folder = tmp_path_factory.mktemp("fuzz")

    @FUZZ
    @given(data=mutated(valid))
    def check(data: bytes) -> None:
        path = folder / name
        path.write_bytes(data)
        _check_read(path)

    check()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VALID))
def test_mutated_files_never_crash_a_run_and_keep_the_accounting(tmp_path_factory, name):
    valid = VALID[name]()
    counter = iter(range(1_000_000))

    @RUNS
    @given(data=mutated(valid))
    def check(data: bytes) -> None:
        folder = tmp_path_factory.mktemp(f"run{next(counter)}")
        (folder / "in").mkdir()
        (folder / "in" / name).write_bytes(data)
        summary = run(folder, [folder / "in"], [{"special_chars": {}}, {"exact_dedup": {}}],
                      input={"batch_rows": 7, "batch_bytes": 2048, "max_record_bytes": 1500})
        counts = summary.counts
        assert counts["read"] == counts["kept"] + counts["rejected"] + counts["quarantined"]

    check()

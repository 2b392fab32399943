"""Readers on real files: JSONL (plain/gzip/zstd, byte ranges), Parquet, WARC/WET, bad inputs, fsspec paths.

Every test writes its inputs into `tmp_path` and reads them back through
`corpus.readers.read_split` (after `discover` + `plan_splits`), or through the whole
pipeline API (`validate_config` + `run_pipeline`) and the Parquet it publishes.
"""

from __future__ import annotations

import gzip
import json
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from corpus.errors import InputError
from corpus.readers import ReaderOptions, read_split
from corpus.schema import ID, ORDER, TEXT
from corpus.sources import discover, plan_splits
from pipelines.config import validate_config
from pipelines.run import run_pipeline

WHOLE = 1 << 40  # a split size no test file reaches: every file is one split


# --------------------------------------------------------------------------- helpers


@dataclass
class Read:
    """Everything the readers produced for a set of inputs, concatenated in split order."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    records: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    per_split: list[int] = field(default_factory=list)  # records consumed by each split

    @property
    def ids(self) -> list[str]:
        return [row[ID] for row in self.rows]

    @property
    def texts(self) -> list[str]:
        return [row[TEXT] for row in self.rows]


def read_all(paths: list[str | Path], options: ReaderOptions | None = None,
             split_bytes: int = WHOLE, fmt: str = "auto") -> Read:
    options = options or ReaderOptions()
    out = Read()
    splits = plan_splits(discover([str(p) for p in paths], fmt), split_bytes)
    for split in splits:
        consumed = 0
        for chunk in read_split(split, options):
            if chunk.batch is not None:
                out.rows.extend(chunk.batch.to_pylist())
            out.quarantine.extend(chunk.quarantine)
            consumed += chunk.records
            for key, count in chunk.skipped.items():
                out.skipped[key] = out.skipped.get(key, 0) + count
        out.records += consumed
        out.per_split.append(consumed)
    return out


def jsonl_bytes(records: list[Any]) -> bytes:
    return b"".join(json.dumps(record, ensure_ascii=False).encode() + b"\n" for record in records)


def write_jsonl(path: Path, records: list[Any]) -> Path:
    data = jsonl_bytes(records)
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def sample_records(count: int = 25) -> list[dict[str, Any]]:
    return [
        {
            "id": f"doc-{i:03d}",
            "text": f"Document number {i}: " + "lorem ipsum " * (i % 7) + "é ü ☃",
            "url": f"https://example.org/page/{i}",
            "meta": {"lang": "en", "score": i / 10, "tags": [f"t{i}", "x"]},
        }
        for i in range(count)
    ]


@dataclass
class Published:
    manifest: dict[str, Any]
    data: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]


def parquet_rows(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for part in sorted(folder.glob("*.parquet")):
        rows.extend(pq.read_table(part).to_pylist())
    return rows


def run(tmp_path: Path, paths: list[str | Path], dataset: str = "ds", **input_options) -> Published:
    root = tmp_path / "out"
    config = validate_config({
        "dataset": dataset,
        "input": {"paths": [str(p) for p in paths], **input_options},
        "output": {"root": str(root)},
    })
    summary = run_pipeline(config)
    version = root / dataset / "v0001"
    assert summary.path == version
    published = Published(
        manifest=json.loads((version / "manifest.json").read_text()),
        data=parquet_rows(version / "data"),
        rejects=parquet_rows(version / "rejects"),
        quarantine=parquet_rows(version / "quarantine"),
    )
    counts = published.manifest["counts"]
    assert counts["read"] == counts["kept"] + counts["rejected"] + counts["quarantined"], counts
    # The counts describe what was actually published.
    assert counts["kept"] == len(published.data)
    assert counts["quarantined"] == len(published.quarantine)
    return published


# WARC records are written by hand: one gzip member per record, concatenated.


def warc_record(warc_type: str, uri: str, payload: bytes, content_type: str,
                date: str = "2024-03-05T06:07:08Z") -> tuple[bytes, str]:
    record_id = f"<urn:uuid:{uuid.uuid4()}>"
    head = (
        "WARC/1.0\r\n"
        f"WARC-Type: {warc_type}\r\n"
        f"WARC-Target-URI: {uri}\r\n"
        f"WARC-Date: {date}\r\n"
        f"WARC-Record-ID: {record_id}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "\r\n"
    ).encode()
    return gzip.compress(head + payload + b"\r\n\r\n"), record_id


def http_response(content_type: str, body: bytes) -> bytes:
    return (
        "HTTP/1.1 200 OK\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode() + body


PROSE = ("The riverside library has served the town for more than a century, and the committee "
         "met on Tuesday evening to decide how the annual budget should be spent on new books.")
HTML = (
    "<!doctype html><html><head><title>Library news</title>"
    "<script>var tracker = 'SCRIPT_SECRET'; console.log(tracker);</script></head>"
    "<body><nav><a href='/'>Home</a> <a href='/about'>NAV_ABOUT</a></nav>"
    f"<main><article><h1>Library news</h1><p>{PROSE}</p></article></main></body></html>"
).encode()


def write_warc(path: Path) -> dict[str, str]:
    """A request, an HTML response and a PNG response; returns the HTML record's headers."""
    request, _ = warc_record("request", "https://example.com/news",
                             b"GET /news HTTP/1.1\r\nHost: example.com\r\n\r\n",
                             "application/http; msgtype=request")
    html, html_id = warc_record("response", "https://example.com/news",
                                http_response("text/html; charset=utf-8", HTML),
                                "application/http; msgtype=response")
    png, _ = warc_record("response", "https://example.com/logo.png",
                         http_response("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
                         "application/http; msgtype=response")
    path.write_bytes(request + html + png)
    return {"url": "https://example.com/news", "date": "2024-03-05T06:07:08Z", "id": html_id}


# --------------------------------------------------------------------------- JSONL


@pytest.mark.parametrize("name", ["docs.jsonl", "docs.jsonl.gz", "docs.jsonl.zst"])
def test_jsonl_plain_gzip_and_zstd_yield_the_input_documents_in_file_order(tmp_path, name):
    records = sample_records()
    path = write_jsonl(tmp_path / name, records)

    got = read_all([path], ReaderOptions(id_field="id"))

    assert got.quarantine == []
    assert got.records == len(records)
    assert got.ids == [r["id"] for r in records]
    assert got.texts == [r["text"] for r in records]
    assert [row["url"] for row in got.rows] == [r["url"] for r in records]
    assert [row["meta"] for row in got.rows] == [r["meta"] for r in records]


def test_jsonl_plain_gzip_and_zstd_give_identical_rows(tmp_path):
    records = sample_records()
    reads = [
        read_all([write_jsonl(tmp_path / name, records)], ReaderOptions(id_field="id"))
        for name in ("a.jsonl", "a.jsonl.gz", "a.jsonl.zst")
    ]
    # Offsets are positions in the decompressed stream, so even the order keys agree.
    assert reads[0].rows == reads[1].rows == reads[2].rows
    assert len(reads[0].rows) == len(records)


def test_batch_boundaries_do_not_change_the_documents(tmp_path):
    records = sample_records(40)
    path = write_jsonl(tmp_path / "docs.jsonl.gz", records)
    small = read_all([path], ReaderOptions(id_field="id", batch_rows=3))
    large = read_all([path], ReaderOptions(id_field="id"))
    assert small.rows == large.rows


def test_text_field_and_id_field_are_mapped(tmp_path):
    records = [{"doc_id": f"D{i}", "content": f"body {i}", "text": f"not the text {i}", "n": i}
               for i in range(5)]
    path = write_jsonl(tmp_path / "mapped.jsonl", records)

    got = read_all([path], ReaderOptions(text_field="content", id_field="doc_id"))

    assert got.ids == [f"D{i}" for i in range(5)]
    assert got.texts == [f"body {i}" for i in range(5)]
    # The mapped fields are consumed; a pass-through field named like a core column is renamed.
    assert all("content" not in row and "doc_id" not in row for row in got.rows)
    assert [row["input_text"] for row in got.rows] == [f"not the text {i}" for i in range(5)]
    assert [row["n"] for row in got.rows] == list(range(5))


def test_numeric_ids_become_strings(tmp_path):
    path = write_jsonl(tmp_path / "num.jsonl", [{"id": 7, "text": "a"}, {"id": 8, "text": "b"}])
    assert read_all([path], ReaderOptions(id_field="id")).ids == ["7", "8"]


def test_derived_ids_are_stable_across_reads_and_unique(tmp_path):
    records = [{"text": f"same text {i % 3}"} for i in range(50)]
    records[10]["id"] = None  # a null id is replaced by a derived one
    first_path = write_jsonl(tmp_path / "one.jsonl", records)
    second_path = write_jsonl(tmp_path / "two.jsonl", records)
    options = ReaderOptions(id_field="id")

    first = read_all([first_path], options)
    again = read_all([first_path], options)
    other = read_all([second_path], options)

    assert first.ids == again.ids
    assert len(set(first.ids)) == len(records)
    assert all(first.ids)
    # Derived ids name their file: two files with the same content do not collide.
    assert not set(first.ids) & set(other.ids)


def test_mixed_given_and_derived_ids(tmp_path):
    records = [{"id": "given-0", "text": "a"}, {"text": "b"}, {"id": "given-2", "text": "c"}]
    path = write_jsonl(tmp_path / "mixed.jsonl", records)
    ids = read_all([path], ReaderOptions(id_field="id")).ids
    assert ids[0] == "given-0" and ids[2] == "given-2"
    assert ids[1] not in ("given-0", "given-2", "", None)


# --------------------------------------------------------------------------- JSONL byte ranges


def ragged_jsonl(path: Path, split_bytes: int) -> tuple[list[str], list[int]]:
    """A few hundred lines of varied length, some longer than a range, some starting exactly
    at a range start (and one byte before and after one), a blank line, two bad lines and
    a last line without a newline. Returns the good lines' names and the line starts."""
    lines: list[bytes] = []
    names: list[str] = []
    position = 0

    def add(line: bytes, name: str | None = None) -> None:
        nonlocal position
        lines.append(line)
        position += len(line)
        if name is not None:
            names.append(name)

    def record(i: int, size: int) -> bytes:
        return json.dumps({"id": f"r{i}", "text": "w" * size}).encode() + b"\n"

    def pad_to(i: int, target: int) -> None:
        """Add record i so that the next line starts exactly at `target`."""
        overhead = len(record(i, 0))
        assert target - position >= overhead
        add(record(i, target - position - overhead), f"r{i}")

    for i in range(320):
        if i == 100:
            add(b"\n")
        if i == 150:
            add(b'{"id": "bad", "text": \n')
        if i == 200:
            add(b"[1, 2, 3]\n")
        if i % 60 == 20:
            # Next line starts at a range start + delta for delta in (-1, 0, +1).
            delta = (i // 60) % 3 - 1
            target = (position // split_bytes + 2) * split_bytes + delta
            pad_to(i, target)
            continue
        # Every 40th line spans whole ranges: some ranges own no line.
        size = 2 * split_bytes + 300 if i % 40 == 5 else (i * 37) % 180
        line = record(i, size)
        if i == 319:
            line = line.rstrip(b"\n")
        add(line, f"r{i}")
    path.write_bytes(b"".join(lines))
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line)
    return names, starts


@pytest.mark.parametrize("split_bytes", [1000, 997, 4096])
def test_byte_range_splits_read_every_line_exactly_once_in_order(tmp_path, split_bytes):
    path = tmp_path / "big.jsonl"
    names, starts = ragged_jsonl(path, split_bytes)
    size = path.stat().st_size
    # The file really exercises the edge cases.
    boundaries = set(range(split_bytes, size, split_bytes))
    assert boundaries & set(starts), "no line starts exactly at a range start"
    assert boundaries & {s + 1 for s in starts}, "no range starts one byte after a line start"
    assert boundaries & {s - 1 for s in starts}, "no range starts one byte before a line start"

    whole = read_all([path], ReaderOptions(batch_rows=64))
    split = read_all([path], ReaderOptions(batch_rows=64), split_bytes=split_bytes)

    assert len(split.per_split) == -(-size // split_bytes) > 10
    assert 0 in split.per_split, "some range lies inside one long line and owns no line"
    # Derived ids and order keys come from byte offsets: equal rows mean equal offsets too.
    assert split.rows == whole.rows
    assert [row["input_id"] for row in split.rows] == names
    assert split.quarantine == whole.quarantine
    assert [q["offset"] for q in split.quarantine] == [starts[i] for i, line in enumerate(
        path.read_bytes().splitlines(keepends=True)) if line.startswith((b'{"id": "bad"', b"["))]
    assert split.records == whole.records == len(names) + 2


def test_pipeline_with_byte_range_splits_publishes_every_line_once(tmp_path):
    path = tmp_path / "big.jsonl"
    names, _ = ragged_jsonl(path, 1000)

    published = run(tmp_path, [path], split_bytes=1000, id_field=None)

    assert [row["input_id"] for row in published.data] == names
    assert len({row[ID] for row in published.data}) == len(names)
    assert published.manifest["counts"]["read"] == len(names) + 2
    assert len(published.quarantine) == 2
    assert all(ORDER not in row for row in published.data)


# --------------------------------------------------------------------------- Parquet


def test_parquet_pass_through_columns_are_preserved(tmp_path):
    table = pa.table({
        "id": ["p0", "p1", "p2"],
        "text": ["first", "second", "third"],
        "url": ["https://a", None, "https://c"],
        "score": [0.5, 1.5, 2.5],
        "meta": [{"lang": "en", "n": 1}, {"lang": "fr", "n": 2}, {"lang": "de", "n": 3}],
        "tags": [["a"], [], ["b", "c"]],
    })
    path = tmp_path / "docs.parquet"
    pq.write_table(table, path)

    got = read_all([path], ReaderOptions(id_field="id", batch_rows=2))

    assert got.quarantine == []
    assert got.records == 3
    assert got.ids == ["p0", "p1", "p2"]
    assert got.texts == ["first", "second", "third"]
    expected = table.drop_columns(["id", "text"]).to_pylist()
    assert [{k: row[k] for k in ("url", "score", "meta", "tags")} for row in got.rows] == expected


def test_parquet_id_column_of_another_type_passes_through_and_ids_are_derived(tmp_path):
    path = tmp_path / "float_ids.parquet"
    pq.write_table(pa.table({"id": [1.5, 2.5], "text": ["a", "b"]}), path)

    got = read_all([path], ReaderOptions(id_field="id"))

    assert [row["input_id"] for row in got.rows] == [1.5, 2.5]
    assert len(set(got.ids)) == 2 and all("-" in i for i in got.ids)


def test_parquet_null_text_rows_are_quarantined_one_by_one(tmp_path):
    path = tmp_path / "nulls.parquet"
    pq.write_table(pa.table({"text": ["a", None, "c", None, "e"], "n": [0, 1, 2, 3, 4]}), path)

    got = read_all([path], ReaderOptions(batch_rows=2))

    assert got.texts == ["a", "c", "e"]
    assert [row["n"] for row in got.rows] == [0, 2, 4]
    assert [q["offset"] for q in got.quarantine] == [1, 3]
    assert all("null" in q["error"] and q["file"] == str(path) for q in got.quarantine)
    assert got.records == 5


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (pa.table({"body": ["x", "y"]}), ["'text'", "missing", "body"]),
        (pa.table({"text": [1, 2]}), ["'text'", "int64", "not a string"]),
    ],
    ids=["missing-text-column", "non-string-text-column"],
)
def test_parquet_unusable_text_column_is_one_quarantine_record(tmp_path, table, words):
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path)

    got = read_all([path])

    assert got.rows == []
    assert got.records == 1
    assert len(got.quarantine) == 1
    assert all(word in got.quarantine[0]["error"] for word in words), got.quarantine[0]["error"]


def test_file_that_is_not_parquet_is_quarantined_not_a_crash(tmp_path):
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"this is a text file wearing a .parquet name\n" * 10)

    got = read_all([path])

    assert got.rows == []
    assert got.records == 1
    assert len(got.quarantine) == 1
    assert "not a readable Parquet file" in got.quarantine[0]["error"]


# --------------------------------------------------------------------------- WARC / WET


def test_warc_html_response_becomes_main_text_and_other_records_are_skipped(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    expected = write_warc(path)

    got = read_all([path])

    assert got.quarantine == []
    assert got.records == 1
    assert got.skipped == {"non_html_response:image/png": 1}
    [row] = got.rows
    assert PROSE in row[TEXT]
    assert "SCRIPT_SECRET" not in row[TEXT] and "tracker" not in row[TEXT]
    assert "NAV_ABOUT" not in row[TEXT]
    assert row["url"] == expected["url"]
    assert row["date"] == expected["date"]
    assert row["warc_record_id"] == expected["id"]
    assert row[ID] == expected["id"]


def test_wet_conversion_text_equals_payload(tmp_path):
    payloads = ["First page.\nSecond line with ünïcödé ☃.", "Another page\n\nwith a blank line."]
    members, ids = [], []
    for i, payload in enumerate(payloads):
        member, record_id = warc_record("conversion", f"https://example.net/{i}",
                                        payload.encode(), "text/plain")
        members.append(member)
        ids.append(record_id)
    path = tmp_path / "crawl.warc.wet.gz"
    path.write_bytes(b"".join(members))

    got = read_all([path])

    assert got.texts == payloads
    assert got.ids == ids
    assert [row["url"] for row in got.rows] == ["https://example.net/0", "https://example.net/1"]
    assert [row["warc_record_id"] for row in got.rows] == ids
    assert got.skipped == {} and got.quarantine == []


def test_pipeline_publishes_warc_documents_and_counts_skipped_records(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    expected = write_warc(path)

    published = run(tmp_path, [path])

    assert published.manifest["counts"] == {"read": 1, "kept": 1, "rejected": 0, "quarantined": 0}
    assert published.manifest["skipped_records"] == {"non_html_response:image/png": 1}
    [row] = published.data
    assert PROSE in row[TEXT] and "SCRIPT_SECRET" not in row[TEXT]
    assert (row["url"], row["date"], row["warc_record_id"]) == (
        expected["url"], expected["date"], expected["id"])


# --------------------------------------------------------------------------- bad inputs


def test_every_bad_jsonl_line_is_quarantined_with_a_reason(tmp_path):
    good = [{"id": f"g{i}", "text": f"good document {i}"} for i in range(6)]
    bad = [
        (b'{"id": "broken", "text": "no closing brace"\n', "malformed JSON"),
        (b'{"id": "latin1", "text": "caf\xe9 au lait"}\n', "UTF-8"),
        (b'{"id": "notext", "body": "the text is elsewhere"}\n', "'text' is missing"),
        (b'{"id": "number", "text": 42}\n', "'text' is a int, not a string"),
        (b'["an", "array", "line"]\n', "JSON list, not an object"),
    ]
    lines: list[bytes] = []
    for i, record in enumerate(good):
        lines.append(jsonl_bytes([record]))
        if i < len(bad):
            lines.append(bad[i][0])
    path = tmp_path / "dirty.jsonl"
    path.write_bytes(b"".join(lines))
    offsets = {line: sum(len(x) for x in lines[:k]) for k, line in enumerate(lines)}

    published = run(tmp_path, [path])

    assert [row[ID] for row in published.data] == [r["id"] for r in good]
    assert published.manifest["counts"] == {
        "read": len(good) + len(bad), "kept": len(good), "rejected": 0, "quarantined": len(bad)}
    assert len(published.quarantine) == len(bad)
    for q, (line, reason) in zip(published.quarantine, bad, strict=True):
        assert reason in q["error"], (reason, q["error"])
        assert q["offset"] == offsets[line]
        assert q["raw"] == line.rstrip(b"\n")
        assert q["file"] == str(path)


def test_bad_inputs_of_every_format_keep_the_accounting(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write_jsonl(inputs / "a.jsonl", [{"text": "ok"}, {"text": None}, {"text": ["x"]}])
    pq.write_table(pa.table({"text": ["p", None]}), inputs / "b.parquet")
    pq.write_table(pa.table({"body": ["p"]}), inputs / "c.parquet")
    (inputs / "d.parquet").write_bytes(b"PAR1 but not really")
    write_warc(inputs / "e.warc.gz")

    published = run(tmp_path, [inputs])

    # a.jsonl 3 read/1 kept, b.parquet 2/1, c.parquet 1/0, d.parquet 1/0, e.warc.gz 1/1
    assert published.manifest["counts"] == {"read": 8, "kept": 3, "rejected": 0, "quarantined": 5}
    assert sorted(Path(q["file"]).name for q in published.quarantine) == [
        "a.jsonl", "a.jsonl", "b.parquet", "c.parquet", "d.parquet"]
    assert all(q["error"] for q in published.quarantine)
    assert sorted(row[TEXT] for row in published.data if "url" not in row or not row["url"]) == [
        "ok", "p"]


def truncated_gzip(path: Path, lines: int = 200, cut: int = 100) -> list[str]:
    """A gzip of `lines` records with its last `cut` bytes removed; returns the ids of the
    records whose line is complete in what can still be decompressed."""
    records = [{"id": f"t{i:03d}", "text": f"line {i} " + "abc " * (i % 13)} for i in range(lines)]
    data = gzip.compress(jsonl_bytes(records))
    path.write_bytes(data[:-cut])
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    prefix = decoder.decompress(data[:-cut])
    complete = prefix.count(b"\n")
    assert 0 < complete < lines
    return [r["id"] for r in records[:complete]]


def test_truncated_gzip_is_quarantined(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    truncated_gzip(path)

    published = run(tmp_path, [path])

    assert len(published.quarantine) == 1
    error = published.quarantine[0]["error"]
    assert "cannot be decoded" in error and "truncated" in error, error
    assert published.manifest["counts"]["quarantined"] == 1


def test_truncated_gzip_keeps_the_documents_before_the_cut(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    before_cut = truncated_gzip(path)

    published = run(tmp_path, [path])

    assert [row[ID] for row in published.data][: len(before_cut)] == before_cut
    assert len(published.data) >= len(before_cut)
    assert published.quarantine and published.quarantine[-1]["offset"] > 0


def test_truncated_zstd_is_quarantined(tmp_path):
    records = [{"id": f"z{i}", "text": f"line {i}"} for i in range(200)]
    data = zstandard.ZstdCompressor().compress(jsonl_bytes(records))
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(data[:-100])

    got = read_all([path], ReaderOptions(id_field="id"))

    assert got.quarantine, f"{len(got.rows)} documents read, nothing quarantined"
    assert "cannot be decoded" in got.quarantine[-1]["error"]


# --------------------------------------------------------------------------- paths and URLs


@pytest.fixture
def input_folder(tmp_path) -> Path:
    folder = tmp_path / "inputs"
    (folder / "nested").mkdir(parents=True)
    write_jsonl(folder / "a.jsonl", [{"id": "a1", "text": "alpha"}])
    write_jsonl(folder / "b.jsonl.gz", [{"id": "b1", "text": "beta"}])
    write_jsonl(folder / "nested" / "c.jsonl.zst", [{"id": "c1", "text": "gamma"}])
    (folder / "README.md").write_text("not an input\n")
    (folder / "SHA256SUMS").write_text("0000  a.jsonl\n")
    return folder


def test_file_url_resolves(input_folder):
    path = input_folder / "a.jsonl"
    [found] = discover([path.as_uri()])
    assert found.uri == str(path)
    assert (found.format, found.compression, found.size) == ("jsonl", None, path.stat().st_size)
    assert read_all([path.as_uri()], ReaderOptions(id_field="id")).ids == ["a1"]


def test_glob_pattern_resolves_matching_files_in_sorted_order(input_folder):
    pattern = str(input_folder / "*.jsonl*")
    assert [f.uri for f in discover([pattern])] == [
        str(input_folder / "a.jsonl"), str(input_folder / "b.jsonl.gz")]
    assert read_all([pattern], ReaderOptions(id_field="id")).ids == ["a1", "b1"]


def test_folder_path_resolves_recursively_and_ignores_unrelated_files(input_folder):
    found = discover([str(input_folder)])
    assert [(Path(f.uri).name, f.format, f.compression) for f in found] == [
        ("a.jsonl", "jsonl", None), ("b.jsonl.gz", "jsonl", "gzip"),
        ("c.jsonl.zst", "jsonl", "zstd")]
    assert read_all([input_folder], ReaderOptions(id_field="id")).texts == ["alpha", "beta", "gamma"]


def test_the_same_file_named_twice_is_read_once(input_folder):
    path = input_folder / "a.jsonl"
    assert len(discover([str(path), path.as_uri(), str(input_folder / "a.*")])) == 1


@pytest.mark.parametrize("kind", ["path", "file-url", "empty-glob"])
def test_missing_input_raises_input_error(tmp_path, kind):
    target = {
        "path": str(tmp_path / "nope.jsonl"),
        "file-url": (tmp_path / "nope.jsonl").as_uri(),
        "empty-glob": str(tmp_path / "*.jsonl"),
    }[kind]
    with pytest.raises(InputError):
        discover([target])


def test_file_of_unknown_format_raises_input_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(InputError, match="format"):
        discover([str(path)])


def test_pipeline_with_missing_input_raises_input_error_and_publishes_nothing(tmp_path):
    config = validate_config({
        "dataset": "ds",
        "input": {"paths": [str(tmp_path / "missing" / "*.jsonl")]},
        "output": {"root": str(tmp_path / "out")},
    })
    with pytest.raises(InputError):
        run_pipeline(config)
    assert not (tmp_path / "out" / "ds" / "v0001").exists()


def test_pipeline_reads_file_urls_and_keeps_pass_through_fields(tmp_path):
    records = sample_records(8)
    path = write_jsonl(tmp_path / "docs.jsonl.zst", records)

    published = run(tmp_path, [path.as_uri()])

    assert [row[ID] for row in published.data] == [r["id"] for r in records]
    assert [row[TEXT] for row in published.data] == [r["text"] for r in records]
    assert [row["url"] for row in published.data] == [r["url"] for r in records]
    assert [row["meta"] for row in published.data] == [r["meta"] for r in records]
    assert published.manifest["inputs"][0]["uri"] == str(path)
    assert published.manifest["inputs"][0]["compression"] == "zstd"


def test_file_that_cannot_be_opened_is_quarantined_and_the_run_goes_on(tmp_path):
    (tmp_path / "in").mkdir()
    good = write_jsonl(tmp_path / "in" / "a.jsonl", [{"id": "a", "text": "fine"}])
    lost = write_jsonl(tmp_path / "in" / "b.jsonl", [{"id": "b", "text": "gone"}])
    splits = plan_splits(discover([str(tmp_path / "in")]), WHOLE)
    lost.unlink()  # vanishes between discovery and reading, like a file on a flaky mount

    chunks = [chunk for split in splits for chunk in read_split(split, ReaderOptions(id_field="id"))]

    assert [c.batch.column(ID).to_pylist() for c in chunks if c.batch is not None] == [["a"]]
    quarantined = [q for c in chunks for q in c.quarantine]
    assert len(quarantined) == 1 and "b.jsonl" in quarantined[0]["file"]
    assert "cannot read file" in quarantined[0]["error"]
    assert good.exists()


# --------------------------------------------------------------------------- lines read as columns


def mixed_jsonl(count: int = 3000) -> bytes:
    """Mostly lines of string fields (read as columns) with, here and there, every kind of line
    that must be read one by one: other types, missing or extra fields, nulls, duplicate keys,
    two objects on a line, bytes orjson refuses, blank and indented lines, CRLF; and runs of
    lines naming the same fields in another order."""
    odd = [
        b'{"id": 5, "text": "int id", "url": "u"}', b'{"text": "no id, no url"}',
        b'{"id": "a", "text": "t", "url": "u", "lang": "en"}',
        b'{"id": "a", "text": "t", "url": null}', b'{"id": "a", "text": "t", "url": {"k": [1]}}',
        b'{"id": "a", "text": 7, "url": "u"}', b'{"id": "a", "text": "x", "text": "y", "url": "u"}',
        b'{"id": "a", "text": "t", "url": "u"}{"id": "b", "text": "z", "url": "v"}',
        b'{"id": "a", "text": "CESU \xed\xa0\x80", "url": "u"}',
        b'{"id": "a", "text": "bad \xff", "url": "u"}', b'{"id": "a", "text": "lone \\ud800", "url": "u"}',
        b'{"id": "a", "text": "t", "url": 1e400}', b'{"id": "a", "text": "t", "d": "2021-03-04T05:06:07"}',
        b'', b'  \t', b'   {"id": "b", "text": "t", "url": "u"}', b'{"id": "a", "text": "t", "url": "u"}\r',
        b'{"id": "a", "text": "t", "source_file": "s", "url": "u"}', b'{"id": "a", "text": "t", "url": "u",}',
        b'[1]', b'{"id": "a", "te\\u0078t": "escaped key", "url": "u"}',
    ]
    lines = []
    for number in range(count):
        if number % 97 == 13:
            lines.append(odd[(number // 97) % len(odd)])
        else:
            text = f"document {number} \u00e9\u4e2d\U0001f44d " * (number % 40)
            record = {"id": f"d{number}", "text": text, "url": f"https://x/{number}"}
            if number % 500 > 440:  # the same fields named in another order
                record = dict(reversed(record.items()))
            lines.append(json.dumps(record, ensure_ascii=number % 2 == 0).encode())
    return b"\xef\xbb\xbf" + b"\n".join(lines)  # a BOM first, no newline last


@pytest.mark.parametrize("options", [
    ReaderOptions(id_field="id"), ReaderOptions(), ReaderOptions(id_field="id", batch_rows=7),
    ReaderOptions(id_field="text", batch_bytes=5000, max_record_bytes=1200),
])
@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_lines_read_as_columns_give_what_reading_them_one_by_one_gives(tmp_path, monkeypatch, options,
                                                                       suffix):
    """Runs of string-only lines go through Arrow's JSON reader: same batches (schema, rows,
    boundaries), quarantine, record counts and raw bytes as line by line with orjson."""
    import corpus.readers.jsonl as jsonl

    monkeypatch.setattr(jsonl, "BLOCK_BYTES", 16 << 10)  # many regions, many lines across blocks
    data = mixed_jsonl()
    path = tmp_path / f"mixed{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith("gz") else
                     zstandard.ZstdCompressor().compress(data) if suffix.endswith("zst") else data)

    def chunks(split_bytes: int) -> list[tuple]:
        return [(chunk.batch and (chunk.batch.schema, chunk.batch.to_pylist()), chunk.quarantine,
                 chunk.records, chunk.raw_bytes)
                for split in plan_splits(discover([str(path)], "auto"), split_bytes)
                for chunk in read_split(split, options)]

    as_columns = []
    columns = jsonl._columns
    monkeypatch.setattr(jsonl, "_columns", lambda *args: as_columns.append(columns(*args)) or
                        as_columns[-1])
    for split_bytes in (WHOLE, 50_000):
        got = chunks(split_bytes)
        monkeypatch.setattr(jsonl, "_columns", lambda *args: None)
        assert got == chunks(split_bytes)
        monkeypatch.setattr(jsonl, "_columns", lambda *args: as_columns.append(columns(*args)) or
                            as_columns[-1])
    read = sum(part[0].num_rows for part in as_columns if part is not None)
    assert read > 500 and None in as_columns  # both ways were taken


def test_zstd_file_whose_last_line_fills_a_batch_is_read(tmp_path):
    """Arrow's zstd stream closes the file once read; the last line (no newline) comes after."""
    path = tmp_path / "two.jsonl.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(b'{"text": "a"}\n{"text": "b"}'))
    got = read_all([path], ReaderOptions(batch_rows=2))
    assert got.texts == ["a", "b"] and got.quarantine == []

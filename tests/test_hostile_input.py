"""Hostile JSONL and Parquet input: bounded memory, nothing crashes a run, nothing vanishes.

Every test builds its input files in `tmp_path` and runs the real pipeline with `workers: 2`
(next to a small ordinary file, so both worker processes really run), through the API or,
where memory is the point, through the `corpus` command while the RSS of its whole process
tree is sampled from /proc.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import CORPUS, run, tree_rss, write_jsonl

from corpus.readers import ReaderOptions, read_split
from corpus.readers.base import RAW_PREVIEW_BYTES, ReadChunk
from corpus.schema import ID, ORDER
from corpus.sources import discover, plan_splits
from corpus.writers import MAX_SCHEMA_DEPTH

GIB = 1 << 30
MIB = 1 << 20
RSS_LIMIT = 1536 * MIB


# --------------------------------------------------------------------------- helpers


def ordinary(path: Path, count: int = 20) -> list[str]:
    """A small well-formed JSONL file; returns its ids."""
    write_jsonl(path, [{"id": f"ok-{i}", "text": f"An ordinary document number {i}."}
                       for i in range(count)])
    return [f"ok-{i}" for i in range(count)]


def run_measured(tmp_path: Path, paths: list[Path], **input_options: Any
                 ) -> tuple[subprocess.CompletedProcess, int]:
    """`corpus run` on `paths` with workers: 2; the result and the process tree's peak RSS,
    sampled every 0.1 s."""
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "dataset": "hostile", "workers": 2,
        "input": {"paths": [str(p) for p in paths], **input_options},
        "output": {"root": str(tmp_path / "out")},
    }))
    with open(tmp_path / "stdout", "w+") as out, open(tmp_path / "stderr", "w+") as err:
        process = subprocess.Popen([CORPUS, "run", str(config)], stdout=out, stderr=err, text=True)
        peak = 0
        while process.poll() is None:
            peak = max(peak, sum(tree_rss(process.pid).values()))
            time.sleep(0.1)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(process.args, process.returncode, out.read(), err.read())
    assert result.returncode == 0, result.stderr[-3000:]
    return result, peak


def published(version: Path) -> dict[str, Any]:
    """Counts, ids, quarantine rows and (small) data rows of a version; checks the accounting:
    read == kept + rejected + quarantined, every document id published once."""
    manifest = json.loads((version / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["read"] == counts["kept"] + counts["rejected"] + counts["quarantined"], counts

    def ids(kind: str) -> list[str]:
        return [i for p in sorted((version / kind).glob("*.parquet"))
                for i in pq.read_table(p, columns=[ID]).column(ID).to_pylist()]

    kept, rejected = ids("data"), ids("rejects")
    quarantine = [row for p in sorted((version / "quarantine").glob("*.parquet"))
                  for row in pq.read_table(p).to_pylist()]
    assert (len(kept), len(rejected), len(quarantine)) == (
        counts["kept"], counts["rejected"], counts["quarantined"])
    assert len(set(kept + rejected)) == len(kept) + len(rejected), "an id is published twice"
    return {"counts": counts, "kept": kept, "rejected": rejected, "quarantine": quarantine}


def rows(folder: Path) -> list[dict[str, Any]]:
    return [row for p in sorted(folder.glob("*.parquet")) for row in pq.read_table(p).to_pylist()]


def read_chunks(path: Path, options: ReaderOptions) -> list[ReadChunk]:
    return [chunk for split in plan_splits(discover([str(path)]), 1 << 40)
            for chunk in read_split(split, options)]


def nested_list(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


# --------------------------------------------------------------------------- bounded memory


def test_a_gzip_of_a_gibibyte_of_newlines_runs_in_bounded_memory(tmp_path):
    path = tmp_path / "blank.jsonl.gz"
    # 16 gzip members of 64 MiB of newlines each (concatenated members, as `cat a.gz b.gz`
    # makes), between a first and a last record: about 1 MB on disk.
    member = gzip.compress(b"\n" * (64 * MIB), compresslevel=9, mtime=0)
    with open(path, "wb") as handle:
        handle.write(gzip.compress(b'{"id": "first", "text": "before the blanks"}\n', mtime=0))
        for _ in range(16):
            handle.write(member)
        handle.write(gzip.compress(b'{"id": "last", "text": "after the blanks"}\n', mtime=0))
    assert path.stat().st_size < 2 * MIB
    others = ordinary(tmp_path / "ordinary.jsonl")

    started = time.perf_counter()
    _, peak = run_measured(tmp_path, [path, tmp_path / "ordinary.jsonl"])
    elapsed = time.perf_counter() - started

    got = published(tmp_path / "out" / "hostile" / "v0001")
    assert got["counts"] == {"read": 22, "kept": 22, "rejected": 0, "quarantined": 0}
    assert sorted(got["kept"]) == sorted(["first", "last", *others])
    assert peak < RSS_LIMIT, f"peak RSS {peak / MIB:.0f} MiB"
    assert elapsed < 120, f"{elapsed:.0f} s for 1 GiB of blank lines"


def test_blank_lines_keep_the_offsets_of_the_lines_after_them(tmp_path):
    lines = [b'{"id": "a", "text": "one"}', b"", b"   ", b"\t\r", b"\n" * 5000,
             b'  {"id": "b", "text": "two"}', b"\x0b", b'{"id": "c", "text": "three"}']
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / "blanks.jsonl.gz"
    path.write_bytes(gzip.compress(data))

    got = [row for c in read_chunks(path, ReaderOptions(id_field="id"))
           if c.batch is not None for row in c.batch.to_pylist()]

    starts = {b"a": 0, b"b": data.index(b'  {"id": "b"'), b"c": data.index(b'{"id": "c"')}
    assert [(row[ID], row[ORDER]) for row in got] == [
        (name.decode(), offset) for name, offset in starts.items()]


def test_a_200_mb_line_is_quarantined_as_record_too_large_without_being_loaded(tmp_path):
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as handle:
        handle.write(b'{"id": "before", "text": "first"}\n{"id": "huge", "text": "')
        piece = b"a" * MIB
        for _ in range(200):
            handle.write(piece)
        handle.write(b'"}\n{"id": "after", "text": "last"}\n')
    huge_size = path.stat().st_size - len(b'{"id": "before", "text": "first"}\n') - len(
        b'\n{"id": "after", "text": "last"}\n')
    others = ordinary(tmp_path / "ordinary.jsonl")

    _, peak = run_measured(tmp_path, [path, tmp_path / "ordinary.jsonl"])

    got = published(tmp_path / "out" / "hostile" / "v0001")
    assert got["counts"] == {"read": 23, "kept": 22, "rejected": 0, "quarantined": 1}
    assert sorted(got["kept"]) == sorted(["before", "after", *others])
    [bad] = got["quarantine"]
    assert bad["error"].startswith("record_too_large") and str(huge_size) in bad["error"]
    assert bad["offset"] == len(b'{"id": "before", "text": "first"}\n')
    assert bad["raw"].startswith(b'{"id": "huge"') and len(bad["raw"]) == RAW_PREVIEW_BYTES
    assert peak < RSS_LIMIT, f"peak RSS {peak / MIB:.0f} MiB"


@pytest.mark.parametrize("name", ["long.jsonl", "long.jsonl.gz", "long.jsonl.zst"])
def test_max_record_bytes_applies_at_every_block_boundary(tmp_path, name):
    # Lines of every length around the limit and the 1 MiB decode block, in every format.
    limit = 3000
    sizes = [10, limit - 40, limit - 20, limit, limit + 1, 5000, MIB + 7, 2 * MIB, 12, 70]
    records = [{"id": f"r{i}", "text": "x" * size} for i, size in enumerate(sizes)]
    data = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    path = tmp_path / name
    if name.endswith(".gz"):
        data_on_disk = gzip.compress(data)
    elif name.endswith(".zst"):
        import zstandard

        data_on_disk = zstandard.ZstdCompressor().compress(data)
    else:
        data_on_disk = data
    path.write_bytes(data_on_disk)

    chunks = read_chunks(path, ReaderOptions(id_field="id", max_record_bytes=limit))

    lengths = {f"r{i}": len(json.dumps(r)) for i, r in enumerate(records)}
    kept = [row[ID] for c in chunks if c.batch is not None for row in c.batch.to_pylist()]
    quarantined = [q for c in chunks for q in c.quarantine]
    assert kept == [i for i, size in lengths.items() if size <= limit]
    assert [q["offset"] for q in quarantined] == [
        data.index(json.dumps(r).encode()) for i, r in enumerate(records)
        if lengths[f"r{i}"] > limit]
    assert all(q["error"] == f"record_too_large: line of {lengths[f'r{i}']} bytes is over "
               f"max_record_bytes ({limit})"
               for q, i in zip(quarantined, [i for i in range(len(records))
                                             if lengths[f"r{i}"] > limit], strict=True))
    assert sum(c.records for c in chunks) == len(records)


def test_byte_range_splits_never_hold_a_line_over_the_limit(tmp_path):
    path = tmp_path / "ranges.jsonl"
    records = [{"id": f"r{i}", "text": "y" * (50 if i % 5 else 20_000)} for i in range(40)]
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records))

    summary = run(tmp_path, [path], [], workers=2,
                  input={"split_bytes": 4096, "max_record_bytes": 10_000})

    got = published(summary.path)
    assert sorted(got["kept"]) == sorted(r["id"] for r in records if len(r["text"]) == 50)
    assert sorted(q["offset"] for q in got["quarantine"]) == sorted(
        path.read_bytes().index(json.dumps(r).encode()) for r in records if len(r["text"]) > 50)
    assert all(q["error"].startswith("record_too_large") for q in got["quarantine"])


def write_repeated_parquet(path: Path, rows: int = 2000, size: int = 512 * 1024) -> None:
    """`rows` rows of one repeated `size`-byte text: the writer dictionary-encodes it."""
    text = "x" * size
    pq.write_table(pa.table({"id": [f"big-{i}" for i in range(rows)], "text": [text] * rows}),
                   path, compression="zstd")


def test_a_tiny_parquet_of_repeated_512kb_texts_runs_in_bounded_memory(tmp_path):
    path = tmp_path / "repeated.parquet"
    write_repeated_parquet(path)
    assert path.stat().st_size < 10_000
    ordinary(tmp_path / "ordinary.jsonl")

    _, peak = run_measured(tmp_path, [path, tmp_path / "ordinary.jsonl"])

    got = published(tmp_path / "out" / "hostile" / "v0001")
    assert got["counts"] == {"read": 2020, "kept": 2020, "rejected": 0, "quarantined": 0}
    assert peak < RSS_LIMIT, f"peak RSS {peak / MIB:.0f} MiB"


def test_parquet_batches_stay_under_the_byte_cap(tmp_path):
    path = tmp_path / "repeated.parquet"
    write_repeated_parquet(path, rows=300, size=64 * 1024)
    options = ReaderOptions(id_field="id", batch_bytes=MIB)

    chunks = read_chunks(path, options)

    batches = [c.batch for c in chunks if c.batch is not None]
    assert sum(b.num_rows for b in batches) == 300
    assert all(b.nbytes <= options.batch_bytes for b in batches)
    assert len(batches) >= 300 * 64 * 1024 // options.batch_bytes
    assert [row for b in batches for row in b.column(ID).to_pylist()] == [
        f"big-{i}" for i in range(300)]


def test_parquet_rows_that_grow_after_the_probe_are_still_cut_under_the_cap(tmp_path):
    path = tmp_path / "growing.parquet"
    texts = ["small"] * 500 + ["z" * 40_000] * 500 + ["small"] * 500
    pq.write_table(pa.table({"text": texts, "n": list(range(1500))}), path)
    options = ReaderOptions(batch_bytes=MIB)

    chunks = read_chunks(path, options)

    batches = [c.batch for c in chunks if c.batch is not None]
    assert all(b.nbytes <= options.batch_bytes for b in batches)
    assert [n for b in batches for n in b.column("n").to_pylist()] == list(range(1500))


def test_a_row_group_is_reread_in_smaller_batches_once_its_rows_grow(tmp_path):
    path = tmp_path / "growing.parquet"
    texts = ["small"] * 200 + ["z" * 40_000] * 2800
    pq.write_table(pa.table({"text": texts, "n": list(range(3000))}), path)
    options = ReaderOptions(batch_rows=1000, batch_bytes=MIB)

    chunks = read_chunks(path, options)

    batches = [c.batch for c in chunks if c.batch is not None]
    # Every row once, in order, across the restart at row 1000 (which re-reads and drops
    # the rows before it in batches that do not line up with 1000).
    assert [n for b in batches for n in b.column("n").to_pylist()] == list(range(3000))
    assert all(b.nbytes <= options.batch_bytes for b in batches)
    assert sum(c.records for c in chunks) == 3000


def test_a_parquet_value_over_max_record_bytes_is_quarantined(tmp_path):
    path = tmp_path / "values.parquet"
    pq.write_table(pa.table({
        "id": ["a", "b", "c", "d"],
        "text": ["short", "t" * 5000, "short", "short"],
        "note": ["n", "n", "n" * 6000, None],
    }), path)
    others = ordinary(tmp_path / "ordinary.jsonl")

    summary = run(tmp_path, [path, tmp_path / "ordinary.jsonl"], [], workers=2,
                  input={"max_record_bytes": 4096})

    got = published(summary.path)
    assert sorted(got["kept"]) == sorted(["a", "d", *others])
    assert [(q["offset"], q["error"]) for q in got["quarantine"]] == [
        (1, "record_too_large: value of column 'text' of 5000 bytes is over max_record_bytes (4096)"),
        (2, "record_too_large: value of column 'note' of 6000 bytes is over max_record_bytes (4096)"),
    ]


# --------------------------------------------------------------------------- nothing is lost


def test_a_field_nested_deeper_than_parquet_can_read_is_quarantined_at_read_time(tmp_path):
    path = tmp_path / "nested.jsonl"
    deep_dict: Any = "leaf"
    for _ in range(150):
        deep_dict = {"a": deep_dict}
    records = [
        {"id": "flat", "text": "flat", "k": 1},
        {"id": "list50", "text": "fifty lists", "n": nested_list(50)},
        {"id": "list49", "text": "forty-nine lists", "n": nested_list(49)},
        {"id": "dict150", "text": "150 objects", "m": deep_dict},
        {"id": "dict50", "text": "50 objects", "m": _dicts(50)},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records)
                    + '{"id": "list900", "text": "t", "n": ' + "[" * 900 + "]" * 900 + "}\n")
    others = ordinary(tmp_path / "ordinary.jsonl")

    summary = run(tmp_path, [path, tmp_path / "ordinary.jsonl"], [], workers=2)

    got = published(summary.path)
    assert sorted(got["kept"]) == sorted(["flat", "list49", "dict50", *others])
    reasons = {q["raw"][:40]: q["error"] for q in got["quarantine"]}
    assert len(reasons) == 3
    assert all("nested deeper than Parquet can store" in error and str(MAX_SCHEMA_DEPTH) in error
               for error in reasons.values())
    # What was published reads back, 49 nested lists included.
    data = rows(summary.path / "data")
    assert next(row["n"] for row in data if row[ID] == "list49") == nested_list(49)


def _dicts(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"a": value}
    return value


def test_an_empty_object_field_is_published_as_json_text(tmp_path):
    path = tmp_path / "empty.jsonl"
    write_jsonl(path, [{"id": "e1", "text": "a", "meta": {}}, {"id": "e2", "text": "b", "meta": {}},
                       {"id": "e3", "text": "c", "list": [{}]}])

    summary = run(tmp_path, [path], [], workers=2)

    got = published(summary.path)
    assert got["counts"]["kept"] == 3
    data = {row[ID]: row for row in rows(summary.path / "data")}
    assert data["e1"]["meta"] == "{}" and data["e3"]["list"] == "[{}]"


def test_a_batch_the_writer_cannot_represent_is_quarantined_not_a_failed_publish(tmp_path,
                                                                               monkeypatch):
    import corpus.readers as readers

    def unwritable_reader(split, options):
        batch = pa.RecordBatch.from_arrays(
            [pa.array(["u0", "u1"]), pa.array(["x", "y"], pa.large_string()),
             pa.array([3, 9], pa.int64()), pa.array([{}, {}], pa.struct([]))],
            names=[ID, "text", ORDER, "empty"])
        yield ReadChunk(batch=batch, records=2)

    monkeypatch.setitem(readers._READERS, "jsonl", unwritable_reader)
    path = tmp_path / "any.jsonl"
    path.write_text("{}\n")

    summary = run(tmp_path, [path], [])

    got = published(summary.path)
    assert got["counts"] == {"read": 2, "kept": 0, "rejected": 0, "quarantined": 2}
    assert [q["offset"] for q in got["quarantine"]] == [3, 9]
    assert all(q["error"].startswith("record cannot be written: Parquet cannot represent it")
               for q in got["quarantine"])


ENGINE_NAMED = {"__corpus_order": 123, "__corpus_x": "internal?", "filter": "input filter",
                "reason": "input reason", "input_filter": "already there"}


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
def test_fields_named_like_engine_columns_are_renamed_and_rejects_keep_the_engines(tmp_path, kind):
    records = [{"doc": f"d{i}", "body": text, "id": f"input id {i}", "text": f"input text {i}",
                **ENGINE_NAMED}
               for i, text in enumerate(["plain words here", "!!!! #### $$$$ %%%%", "more words"])]
    path = tmp_path / f"named.{kind}"
    if kind == "jsonl":
        write_jsonl(path, records)
    else:
        pq.write_table(pa.Table.from_pylist(records), path)
    ordinary(tmp_path / "ordinary.jsonl")

    summary = run(tmp_path, [path, tmp_path / "ordinary.jsonl"],
                  [{"special_chars": {"max_ratio": 0.5}}], workers=2,
                  input={"text_field": "body", "id_field": "doc"})

    got = published(summary.path)
    assert got["counts"]["rejected"] == 1
    renamed = {"input___corpus_order": 123, "input___corpus_x": "internal?",
               "input_input_filter": "input filter", "input_reason": "input reason",
               "input_filter": "already there"}
    for row in rows(summary.path / "data"):
        if row[ID].startswith("d"):
            assert {key: row[key] for key in renamed} == renamed
            assert row["input_id"] == f"input id {row[ID][1:]}"
            assert row["input_text"] == f"input text {row[ID][1:]}"
            assert not any(key.startswith("__corpus") for key in row)
    [reject] = rows(summary.path / "rejects")
    assert reject[ID] == "d1"
    assert reject["filter"] == "special_chars" and reject["reason"] != "input reason"
    assert {key: reject[key] for key in renamed} == renamed


def test_integers_beyond_64_bits_keep_their_exact_value(tmp_path):
    path = tmp_path / "ints.jsonl"
    path.write_text(
        f'{{"id": "big", "text": "a", "n": {2**70}, "meta": {{"m": {-(2**70)}}}}}\n'
        f'{{"id": "u64", "text": "b", "n": {2**64 - 1}, "meta": {{"m": 1}}}}\n'
        f'{{"id": {2**70}, "text": "c", "n": 5, "f": 1.5e300}}\n')

    summary = run(tmp_path, [path], [], workers=2)

    got = published(summary.path)
    assert got["counts"]["kept"] == 3
    data = {row[ID]: row for row in rows(summary.path / "data")}
    assert json.loads(data["big"]["n"]) == 2**70
    assert json.loads(data["big"]["meta"]) == {"m": -(2**70)}
    assert json.loads(data["u64"]["n"]) == 2**64 - 1
    assert str(2**70) in data
    assert data[str(2**70)]["f"] == 1.5e300


def test_non_scalar_ids_are_kept_as_their_json_text(tmp_path):
    path = tmp_path / "ids.jsonl"
    path.write_text('{"id": true, "text": "a"}\n{"id": {"a": 1}, "text": "b"}\n'
                    '{"id": [1], "text": "c"}\n{"id": false, "text": "d"}\n'
                    '{"id": null, "text": "e"}\n{"id": 7, "text": "f"}\n')

    summary = run(tmp_path, [path], [], workers=2)

    got = published(summary.path)
    assert got["kept"][:4] == ["true", '{"a":1}', "[1]", "false"]
    assert got["kept"][5] == "7" and got["kept"][4] not in got["kept"][:4]


@pytest.mark.parametrize("text_type", ["dictionary", "large_string", "dictionary_large"])
def test_a_dictionary_encoded_or_large_parquet_text_column_is_read(tmp_path, text_type):
    texts = ["alpha", "beta", "alpha", None, "gamma"]
    column = {
        "dictionary": pa.array(texts).dictionary_encode(),
        "large_string": pa.array(texts, pa.large_string()),
        "dictionary_large": pa.array(texts, pa.large_string()).dictionary_encode(),
    }[text_type]
    path = tmp_path / "dict.parquet"
    pq.write_table(pa.table({"id": pa.array(["i0", "i1", "i2", "i3", "i4"]).dictionary_encode(),
                             "text": column}), path)
    assert pa.types.is_dictionary(pq.read_schema(path).field("text").type) == (
        text_type != "large_string")
    others = ordinary(tmp_path / "ordinary.jsonl")

    summary = run(tmp_path, [path, tmp_path / "ordinary.jsonl"], [], workers=2)

    got = published(summary.path)
    assert got["kept"][:4] == ["i0", "i1", "i2", "i4"] and got["kept"][4:] == others
    assert [q["error"] for q in got["quarantine"]] == ["text column 'text' is null"]
    data = {row[ID]: row["text"] for row in rows(summary.path / "data")}
    assert [data[i] for i in ("i0", "i1", "i2", "i4")] == ["alpha", "beta", "alpha", "gamma"]


def test_parquet_text_that_is_not_utf8_is_quarantined_row_by_row(tmp_path):
    raw = pa.array([b"fine", b"caf\xe9", b"also fine"], pa.binary()).view(pa.string())
    path = tmp_path / "latin1.parquet"
    pq.write_table(pa.table({"text": raw, "n": [0, 1, 2]}), path)

    summary = run(tmp_path, [path], [], workers=2)

    got = published(summary.path)
    assert got["counts"] == {"read": 3, "kept": 2, "rejected": 0, "quarantined": 1}
    assert [(q["offset"], q["error"]) for q in got["quarantine"]] == [
        (1, "column 'text' is not valid UTF-8")]


def test_a_truncated_gzip_member_after_a_good_one_is_still_reported(tmp_path):
    good = b"".join(json.dumps({"id": f"g{i}", "text": "g" * 50}).encode() + b"\n"
                    for i in range(100))
    cut = gzip.compress(good)
    path = tmp_path / "two.jsonl.gz"
    path.write_bytes(gzip.compress(good) + cut[: len(cut) // 2])

    chunks = read_chunks(path, ReaderOptions(id_field="id"))

    quarantined = [q for c in chunks for q in c.quarantine]
    assert len(quarantined) == 1 and "truncated" in quarantined[0]["error"]
    kept = [row[ID] for c in chunks if c.batch is not None for row in c.batch.to_pylist()]
    assert kept[:100] == [f"g{i}" for i in range(100)]

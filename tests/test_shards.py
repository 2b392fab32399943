"""Shards for remote readers: files cut by rows or bytes, row groups buffered across input batches
with statistics and the page index, and DuckDB and polars reading a version with a filter on
`lang` pushed down to the row groups."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import corpus_cli, read_rows, run, write_jsonl

from corpus.writers import Budget, Layout, ShardWriter

ROOT = Path(__file__).resolve().parents[1]
TEXT_BYTES = 10_000
EN = "The river runs through the old town, and people walk along it every evening. "
KO = "강물은 오래된 마을을 지나 흐르고, 사람들은 매일 저녁 그 길을 따라 걷는다. "
# Documents of 10,000 text bytes (about 10,050 bytes a row once published): a shard of 105,000
# bytes holds 10 of them, a row group of 35,000 bytes 3, so each shard has groups of 3, 3, 3, 1.
LAYOUT = {"shard_rows": 1_000_000, "shard_bytes": 105_000, "row_group_rows": 1_000,
          "row_group_bytes": 35_000}


def sized(sentence: str, size: int = TEXT_BYTES) -> str:
    """`sentence` repeated to exactly `size` UTF-8 bytes."""
    text = (sentence * (size // len(sentence.encode()) + 1)).encode()[:size].decode(errors="ignore")
    return text + "." * (size - len(text.encode()))


@pytest.fixture(scope="module")
def version(tmp_path_factory) -> Path:
    """200 documents, English then Korean, read two per batch and annotated by langid."""
    tmp_path = tmp_path_factory.mktemp("shards")
    records = [{"id": f"d{i:04d}", "text": sized(EN if i < 100 else KO)} for i in range(200)]
    source = write_jsonl(tmp_path / "raw" / "docs.jsonl", records)
    summary = run(tmp_path, [source], [{"langid": {"mode": "annotate"}}], dataset="quickstart",
                  input={"batch_rows": 2}, output=LAYOUT)
    return summary.path


def metadata(version: Path) -> list[pq.FileMetaData]:
    return [pq.ParquetFile(path).metadata for path in sorted((version / "data").glob("*.parquet"))]


def test_shards_close_at_shard_bytes_and_row_groups_span_input_batches(version):
    files = metadata(version)
    assert [f.num_rows for f in files] == [10] * 20
    assert [[f.row_group(i).num_rows for i in range(f.num_row_groups)] for f in files] == [[3, 3, 3, 1]] * 20
    assert all(pa.Table.from_batches(pq.ParquetFile(path).iter_batches()).nbytes <= LAYOUT["shard_bytes"]
               for path in (version / "data").glob("*.parquet"))
    # Rows keep input order across shards and row groups (nothing is sorted).
    assert [row["id"] for row in read_rows(version / "data")] == [f"d{i:04d}" for i in range(200)]
    manifest = json.loads((version / "manifest.json").read_text())
    assert [shard["rows"] for shard in manifest["shards"]["data"]] == [10] * 20
    assert corpus_cli("verify", str(version)).returncode == 0


def test_shards_carry_statistics_and_the_page_index(version):
    for file in metadata(version):
        lang = file.schema.names.index("lang")
        for number in range(file.num_row_groups):
            column = file.row_group(number).column(lang)
            assert column.statistics.has_min_max
            assert column.has_column_index and column.has_offset_index


def test_shard_rows_still_cuts_files_before_shard_bytes(tmp_path):
    source = write_jsonl(tmp_path / "docs.jsonl", [{"id": str(i), "text": sized(EN, 100)} for i in range(25)])
    summary = run(tmp_path, [source], [], output={"shard_rows": 10, "row_group_rows": 4})
    files = metadata(summary.path)
    assert [[f.row_group(i).num_rows for i in range(f.num_row_groups)] for f in files] == [
        [4, 4, 2], [4, 4, 2], [4, 1]]


def ko_row_groups(version: Path) -> tuple[int, int]:
    """(row groups whose `lang` statistics admit 'ko', all row groups): what a reader must read."""
    admitting = total = 0
    for file in metadata(version):
        lang = file.schema.names.index("lang")
        for number in range(file.num_row_groups):
            stats = file.row_group(number).column(lang).statistics
            admitting += stats.min <= "ko" <= stats.max
            total += 1
    return admitting, total


def test_duckdb_reads_a_version_and_pushes_the_lang_filter_into_the_parquet_scan(version):
    duckdb = pytest.importorskip("duckdb")
    shards = f"{version}/data/*.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{shards}')").fetchall()[0][0] == 200
    korean = duckdb.sql(f"SELECT count(*) FROM read_parquet('{shards}') WHERE lang = 'ko'")
    assert korean.fetchall()[0][0] == 100
    plan = duckdb.sql(f"EXPLAIN SELECT id FROM read_parquet('{shards}') WHERE lang = 'ko'").fetchall()[0][1]
    scan = plan[plan.index("READ_PARQUET"):]
    assert re.search(r"Filters:\s*lang\s*=\s*'ko'", scan), plan
    # The filter reaches the row groups' statistics: half of them cannot hold 'ko' and are skipped.
    assert ko_row_groups(version) == (40, 80)


def test_polars_scans_a_version_and_skips_the_row_groups_the_lang_filter_excludes(version, capfd):
    pl = pytest.importorskip("polars")
    query = pl.scan_parquet(f"{version}/data/*.parquet").filter(pl.col("lang") == "ko")
    assert re.search(r'Parquet SCAN.*\n(.*\n)*\s*SELECTION: col\("lang"\) == "ko"', query.explain())
    capfd.readouterr()
    with pl.Config(verbose=True):  # polars then reports the row groups it reads to stderr
        assert query.select(pl.len()).collect().item() == 100
    counts = re.findall(r"Predicate pushdown: reading (\d+) / (\d+) row groups", capfd.readouterr().err)
    assert counts, "polars reported no row-group pushdown"
    assert sum(int(read) for read, _ in counts) == ko_row_groups(version)[0] == 40


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    body = re.split(r"\n#{2,4} ", text.split("\n### Reading a version with DuckDB and polars\n", 1)[1])[0]
    return re.search(r"```python\n(.*?)```", body, re.S).group(1)


def test_the_readme_example_reads_a_version_with_duckdb_and_polars(version, monkeypatch, capsys):
    pytest.importorskip("duckdb")
    pytest.importorskip("polars")
    monkeypatch.chdir(version.parents[2])  # the example reads out/quickstart/v0001
    exec(compile(readme_example(), "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert re.search(r"Filters:\s*lang\s*=\s*'ko'", printed)
    assert 'SELECTION: col("lang") == "ko"' in printed
    assert re.search(r"ko\s*│\s*docs.jsonl\s*│\s*100", printed)  # lang, source_file, documents


def test_corpus_run_prints_the_shard_layout(tmp_path):
    source = write_jsonl(tmp_path / "raw" / "docs.jsonl", [{"id": str(i), "text": sized(EN, 100)}
                                                          for i in range(25)])
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({"dataset": "d", "input": {"paths": [str(source.parent)]},
                                  "output": {"root": str(tmp_path / "out"), "shard_rows": 10,
                                             "row_group_rows": 4}}))
    printed = corpus_cli("run", str(config), check=True).stdout
    assert ("shards     data: 3 shard(s), 25 rows in 8 row group(s); columns id, text, source_file, "
            "source_offset") in printed


# --------------------------------------------------------------------------- the writer alone


def batch(rows: int, text_bytes: int = 1_000) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({"id": [f"{i:05d}" for i in range(rows)],
                                       "text": ["x" * text_bytes] * rows})


def test_writers_of_a_task_share_one_budget_for_unwritten_row_groups(tmp_path):
    budget = Budget(50_000)
    layout = Layout(group_rows=100_000, group_bytes=40_000)
    writers = [ShardWriter(tmp_path / name, name, layout, budget=budget) for name in ("a", "b", "c")]
    for _ in range(10):
        for writer in writers:
            writer.write(batch(5))
            assert sum(w.buffered_bytes for w in writers) <= budget.limit
    groups = {}
    for writer in writers:
        for path in writer.close():
            file = pq.ParquetFile(path).metadata
            groups[writer.prefix] = [file.row_group(i).num_rows for i in range(file.num_row_groups)]
    assert sum(sum(rows) for rows in groups.values()) == 150
    assert all(max(rows) <= 39 for rows in groups.values())  # 40,000 bytes hold 39 rows of ~1,013


def test_unbuffered_layout_writes_each_batch_as_its_own_row_group(tmp_path):
    writer = ShardWriter(tmp_path, "spill", Layout(group_rows=None), public=False)
    for rows in (3, 5, 2):
        writer.write(batch(rows))
    (path,) = writer.close()
    file = pq.ParquetFile(path).metadata
    assert [file.row_group(i).num_rows for i in range(file.num_row_groups)] == [3, 5, 2]


def test_internal_files_have_no_dictionary_or_statistics_and_read_back_the_same(tmp_path):
    """The engine's own files (spill, keys) skip what only published files' readers use."""
    rows = pa.record_batch({"id": ["a", "b", "a", "c"], "text": ["x", "y", "x", "z"],
                            "hashes": pa.array([[1, 2], [3], [1, 2], []], pa.list_(pa.uint32()))})
    files = {public: ShardWriter(tmp_path / str(public), "part", Layout(), public=public)
             for public in (True, False)}
    for writer in files.values():
        writer.write(rows)
    chunks = {public: [pq.ParquetFile(path).metadata.row_group(0).column(i)
                       for path in writer.close() for i in range(3)]
              for public, writer in files.items()}
    assert all(chunk.statistics is None and chunk.dictionary_page_offset is None
               and not any("DICTIONARY" in encoding for encoding in chunk.encodings)
               for chunk in chunks[False])
    assert all(chunk.statistics is not None and chunk.dictionary_page_offset is not None
               for chunk in chunks[True])
    assert pq.read_table(tmp_path / "False").to_batches()[0].equals(rows)


def test_a_failed_write_is_the_error_a_writer_leaves_not_a_second_one(tmp_path, monkeypatch):
    """A full disk while a row group is written: leaving the writer's context drops the buffered
    rows instead of writing them again into the failed file (which raised 'Operation on closed
    file' and hid the disk-full error from the run's message)."""
    batch = pa.record_batch({"id": [f"d{i}" for i in range(50)], "text": ["x" * 100] * 50})
    calls = []

    def disk_full(self, table, row_group_size=None):
        calls.append(table.num_rows)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", disk_full)
    writer = ShardWriter(tmp_path, "part", Layout(group_rows=10))
    with pytest.raises(OSError, match="No space left"), writer:
        writer.write(batch)
    assert calls == [10]
    assert writer.buffered_bytes == 0 and writer._writer is None

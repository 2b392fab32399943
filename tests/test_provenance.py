"""Provenance: every kept and rejected document names its input file (relative, never the machine's
path above the input) and its record offset, through global filters too; the card counts
documents per source."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import read_rows, run, write_jsonl

from corpus.sources import published_name

PROSE = "The river runs through the old town, and people walk along it every evening."
SOUP = "#$%&*!@#$%^&*()_+{}|:<>?~" * 3


def jsonl_offsets(path: Path) -> list[int]:
    """The byte offset of each line of a JSONL file: the record offset JSONL documents carry."""
    offsets, position = [], 0
    for line in path.read_bytes().splitlines(keepends=True):
        offsets.append(position)
        position += len(line)
    return offsets


def test_kept_and_rejected_documents_name_their_file_and_offset(tmp_path):
    raw = tmp_path / "raw"
    first = write_jsonl(raw / "2024" / "a.jsonl", [{"id": f"a{i}", "text": f"{PROSE} Day {i}."}
                                                   for i in range(5)] + [{"id": "a-soup", "text": SOUP}])
    second = write_jsonl(raw / "b.jsonl", [{"id": "b-soup", "text": SOUP},
                                           {"id": "b0", "text": f"{PROSE} Night."}])
    summary = run(tmp_path, [raw], [{"special_chars": {"max_ratio": 0.3}}], input={"batch_rows": 2})
    kept = {row["id"]: row for row in read_rows(summary.path / "data")}
    rejected = {row["id"]: row for row in read_rows(summary.path / "rejects")}
    assert set(rejected) == {"a-soup", "b-soup"}
    where = {row_id: (row["source_file"], row["source_offset"])
             for row_id, row in {**kept, **rejected}.items()}
    offsets = jsonl_offsets(first)
    assert where == {**{f"a{i}": ("2024/a.jsonl", offsets[i]) for i in range(5)},
                     "a-soup": ("2024/a.jsonl", offsets[5]),
                     "b-soup": ("b.jsonl", 0), "b0": ("b.jsonl", jsonl_offsets(second)[1])}
    # The columns sit where the engine's internal order was: after id and text.
    assert pq.read_schema(next((summary.path / "data").glob("*.parquet"))).names[:4] == [
        "id", "text", "source_file", "source_offset"]
    # No published shard holds the machine's path above the input folder.
    for path in [*(summary.path / "data").glob("*.parquet"), *(summary.path / "rejects").glob("*.parquet")]:
        assert str(tmp_path).encode() not in path.read_bytes()
    manifest = json.loads((summary.path / "manifest.json").read_text())
    by_name = {item["name"]: item["documents"] for item in manifest["inputs"]}
    assert by_name == {"2024/a.jsonl": {"read": 6, "kept": 5, "rejected": 1, "quarantined": 0},
                       "b.jsonl": {"read": 2, "kept": 1, "rejected": 1, "quarantined": 0}}
    card = (summary.path / "README.md").read_text()
    assert "| source_file | read | kept | rejected | quarantined |" in card
    assert "| 2024/a.jsonl | 6 | 5 | 1 | 0 |" in card and "| b.jsonl | 2 | 1 | 1 | 0 |" in card


def test_provenance_survives_a_global_filter_and_parquet_offsets_are_rows(tmp_path):
    table = pa.table({"id": [f"p{i}" for i in range(6)],
                      "text": [f"{PROSE} Copy." if i % 2 else f"{PROSE} Day {i}." for i in range(6)]})
    pq.write_table(table, tmp_path / "docs.parquet")
    summary = run(tmp_path, [tmp_path / "docs.parquet"], [{"exact_dedup": {}}])
    kept = {row["id"]: (row["source_file"], row["source_offset"]) for row in read_rows(summary.path / "data")}
    rejected = {row["id"]: (row["source_file"], row["source_offset"])
                for row in read_rows(summary.path / "rejects")}
    assert kept == {"p0": ("docs.parquet", 0), "p1": ("docs.parquet", 1), "p2": ("docs.parquet", 2),
                    "p4": ("docs.parquet", 4)}
    assert rejected == {"p3": ("docs.parquet", 3), "p5": ("docs.parquet", 5)}


def test_an_input_field_named_source_file_is_kept_as_input_source_file(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": PROSE, "source_file": "crawl-7.warc",
                                                  "source_offset": 99}])
    summary = run(tmp_path, [source], [])
    (row,) = read_rows(summary.path / "data")
    assert (row["source_file"], row["source_offset"]) == ("in.jsonl", 0)
    assert (row["input_source_file"], row["input_source_offset"]) == ("crawl-7.warc", 99)


def test_provenance_false_publishes_no_provenance_columns(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": PROSE}])
    summary = run(tmp_path, [source], [], output={"provenance": False})
    assert pq.read_schema(next((summary.path / "data").glob("*.parquet"))).names == ["id", "text"]


def test_inputs_with_the_same_relative_name_are_told_apart_by_their_folder(tmp_path):
    one = write_jsonl(tmp_path / "crawl-a" / "part.jsonl", [{"id": "a", "text": PROSE}])
    two = write_jsonl(tmp_path / "crawl-b" / "part.jsonl", [{"id": "b", "text": PROSE}])
    summary = run(tmp_path, [one.parent, two.parent], [])
    assert {row["id"]: row["source_file"] for row in read_rows(summary.path / "data")} == {
        "a": "crawl-a/part.jsonl", "b": "crawl-b/part.jsonl"}


def test_a_remote_input_is_named_by_its_url_without_credentials_or_query():
    assert published_name("s3://bucket/crawl/part-1.jsonl.gz", None) == "s3://bucket/crawl/part-1.jsonl.gz"
    assert published_name("https://user:secret@host.example:8443/d/x.jsonl?X-Amz-Signature=abc#frag",
                          None) == "https://host.example:8443/d/x.jsonl"


def test_the_card_counts_kept_tokens_per_source_with_a_tokenizer(tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    tokenizer = tokenizers.Tokenizer(tokenizers.models.BPE())
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.train_from_iterator([PROSE, SOUP], tokenizers.trainers.BpeTrainer(
        vocab_size=300, show_progress=False, initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet()))
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    texts = {"a.jsonl": [f"{PROSE} Day {i}." for i in range(3)] + [SOUP], "b.jsonl": [f"{PROSE} Night."]}
    for name, values in texts.items():
        write_jsonl(tmp_path / "raw" / name, [{"id": f"{name}{i}", "text": t} for i, t in enumerate(values)])
    summary = run(tmp_path, [tmp_path / "raw"], [{"special_chars": {"max_ratio": 0.3}}],
                  tokenizer=str(tmp_path / "tokenizer.json"))
    manifest = json.loads((summary.path / "manifest.json").read_text())
    expected = {name: sum(len(tokenizer.encode(t, add_special_tokens=False).ids) for t in values if t != SOUP)
                for name, values in texts.items()}
    assert {item["name"]: item["tokens_kept"] for item in manifest["inputs"]} == expected
    card = (summary.path / "README.md").read_text()
    assert "| source_file | read | kept | rejected | quarantined | tokens kept |" in card
    assert f"| a.jsonl | 4 | 3 | 1 | 0 | {expected['a.jsonl']:,} |" in card

"""Hostile input paths: dangling symlinks, an output root that is a file, a store inside its inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from conftest import corpus_cli, write_jsonl

CONFIG = """dataset: paths
input: {{paths: [{input}]}}
output: {{root: {root}}}
filters:
  - special_chars: {{}}
"""


def _config(tmp_path: Path, input: str, root: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(input=json.dumps(input), root=json.dumps(root)))
    return path


def test_a_dangling_symlink_in_an_input_folder_is_one_quarantine_record(tmp_path):
    folder = tmp_path / "in"
    write_jsonl(folder / "a.jsonl", [{"id": "a", "text": "A plain sentence of prose."}])
    (folder / "b.jsonl").symlink_to(tmp_path / "nowhere" / "b.jsonl")
    result = corpus_cli("run", str(_config(tmp_path, str(folder), str(tmp_path / "out"))), "-q")
    assert result.returncode == 0, result.stderr
    version = tmp_path / "out" / "paths" / "v0001"
    counts = json.loads((version / "manifest.json").read_text())["counts"]
    assert counts == {"read": 2, "kept": 1, "rejected": 0, "quarantined": 1}
    rows = pq.read_table(next((version / "quarantine").glob("*.parquet"))).to_pylist()
    assert [(row["file"], row["offset"]) for row in rows] == [(str(folder / "b.jsonl"), -1)]
    assert "No such file" in rows[0]["error"]


def test_an_output_root_that_is_a_file_is_a_clear_error(tmp_path):
    write_jsonl(tmp_path / "in" / "a.jsonl", [{"id": "a", "text": "Prose."}])
    (tmp_path / "afile").write_text("not a folder")
    result = corpus_cli("run", str(_config(tmp_path, str(tmp_path / "in"), str(tmp_path / "out"))),
                        "-q", "--output", str(tmp_path / "afile"))
    assert result.returncode == 2
    assert "is a file, not a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_store_inside_an_input_folder_is_refused_naming_both(tmp_path):
    folder = tmp_path / "in"
    write_jsonl(folder / "a.jsonl", [{"id": "a", "text": "Prose."}])
    for pattern in (str(folder), str(folder / "*.jsonl"), str(folder / "**" / "*.jsonl")):
        result = corpus_cli("run", str(_config(tmp_path, pattern, str(folder / "store"))), "-q")
        assert result.returncode == 2, pattern
        assert str(folder / "store") in result.stderr and pattern in result.stderr
    assert not (folder / "store").exists()


def test_an_input_file_inside_the_store_is_refused(tmp_path):
    root = tmp_path / "store"
    write_jsonl(root / "old" / "a.jsonl", [{"id": "a", "text": "Prose."}])
    result = corpus_cli("run", str(_config(tmp_path, str(root / "old" / "a.jsonl"), str(root))), "-q")
    assert result.returncode == 2
    assert "inside the output root" in result.stderr


def test_a_store_beside_an_input_file_is_fine(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "A plain sentence of prose."}])
    result = corpus_cli("run", str(_config(tmp_path, str(path), str(tmp_path / "out"))), "-q")
    assert result.returncode == 0, result.stderr

"""The `corpus` command line: errors before any data is read, overrides, listings, plugins."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import corpus_cli, write_jsonl

FIXTURE = Path(__file__).parent / "fixtures" / "corpus-plugin-example"


def config_file(tmp_path: Path, filters: list, **extra) -> Path:
    source = tmp_path / "in" / "a.jsonl"
    if not source.exists():
        write_jsonl(source, [{"id": f"d{i}", "text": "line one\nline two\n" * (i % 3)}
                             for i in range(30)])
    config = {"dataset": "cli", "input": {"paths": [str(source)]},
              "output": {"root": str(tmp_path / "out")}, "filters": filters, **extra}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.parametrize(("filters", "extra", "expected"), [
    ([{"no_such_filter": {}}], {}, "filters[0]: unknown filter 'no_such_filter'"),
    ([{"special_chars": {"max_ratio": "high"}}], {}, "filters[0].special_chars.max_ratio"),
    ([{"special_chars": {"max_ration": 0.3}}], {}, "filters[0].special_chars.max_ration"),
    ([{"special_chars": {}}], {"workers": 0}, "workers"),
    ([{"special_chars": {}}], {"outptu": {}}, "outptu"),
])
def test_bad_config_fails_with_the_key_and_exit_code_2_before_reading(tmp_path, filters, extra,
                                                                      expected):
    result = corpus_cli("run", str(config_file(tmp_path, filters, **extra)))
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert corpus_cli("validate", str(config_file(tmp_path, filters, **extra))).returncode == 2


def test_missing_input_names_the_path(tmp_path):
    config = config_file(tmp_path, [])
    result = corpus_cli("run", str(config), "--input", str(tmp_path / "nowhere.jsonl"))
    assert result.returncode == 2 and "nowhere.jsonl" in result.stderr
    assert not (tmp_path / "out").exists()


def test_set_overrides_are_applied_and_recorded_in_the_manifest(tmp_path):
    config = config_file(tmp_path, [{"special_chars": {}}])
    result = corpus_cli("run", str(config), "-q", "--set", "filters.special_chars.max_ratio=0.3",
                        "--set", "output.shard_rows=7", check=True)
    assert "cli v0001" in result.stdout and "stats.json" in result.stdout
    manifest = json.loads((tmp_path / "out" / "cli" / "v0001" / "manifest.json").read_text())
    assert manifest["config"]["filters"] == [{"special_chars": {
        "mode": "filter", "max_ratio": 0.3, "max_ratio_by_lang": {}, "lang_column": "lang",
        "lang_source": "chain"}}]
    assert manifest["config"]["output"]["shard_rows"] == 7


def test_stats_versions_and_filters_commands(tmp_path):
    config = config_file(tmp_path, [{"special_chars": {}}])
    corpus_cli("run", str(config), "-q", check=True)
    corpus_cli("run", str(config), "-q", check=True)
    dataset = tmp_path / "out" / "cli"
    listing = corpus_cli("versions", str(dataset), check=True).stdout
    assert "v0001" in listing and "v0002 (LATEST)" in listing
    funnel = corpus_cli("stats", f"{dataset}@v1", check=True).stdout
    assert "special_chars" in funnel and "30" in funnel and "cli v0001" in funnel
    assert "cli v0002" in corpus_cli("stats", str(dataset), check=True).stdout
    assert corpus_cli("stats", f"{dataset}@v9").returncode == 2
    filters = corpus_cli("filters", check=True).stdout
    assert "special_chars" in filters and "exact_dedup" in filters and "max_ratio" in filters
    langid = corpus_cli("filters", "langid", check=True).stdout
    for param in ("languages", "min_score", "min_score_by_lang", "text_chars", "model_path", "mode"):
        assert param in langid
    toxicity = corpus_cli("filters", "toxicity", check=True).stdout
    for param in ("backend", "max_score", "model_path", "label", "wordlists", "unit"):
        assert param in toxicity


def test_a_filter_that_raises_names_itself_the_file_and_the_position(tmp_path):
    module = tmp_path / "plugins" / "broken_filter.py"
    module.parent.mkdir()
    module.write_text(
        "from filters import Filter\n\n"
        "class Broken(Filter):\n"
        "    name = 'broken'\n\n"
        "    def apply(self, batch, stats):\n"
        "        raise ZeroDivisionError('boom: ' + batch.column('text')[0].as_py())\n"
    )
    config = config_file(tmp_path, [{"broken_filter:Broken": {}}])
    result = corpus_cli("run", str(config), "-q", env={"PYTHONPATH": str(module.parent)})
    assert result.returncode == 1
    assert "'broken_filter:Broken'" in result.stderr and "a.jsonl" in result.stderr
    assert "offset 0" in result.stderr and "ZeroDivisionError raised at broken_filter.py:7" in result.stderr
    # The exception's message quotes the document: it reaches neither stderr nor the run record.
    assert "boom" not in result.stderr
    runs = corpus_cli("runs", str(tmp_path / "out" / "cli"), env={"COLUMNS": "400"})
    assert "ZeroDivisionError" in runs.stdout and "boom" not in runs.stdout
    assert not list((tmp_path / "out" / "cli").glob("v*"))


@pytest.mark.slow
def test_installed_plugin_is_used_from_a_config_by_name(tmp_path):
    target, source = tmp_path / "site", tmp_path / "plugin"
    shutil.copytree(FIXTURE, source)  # building writes build/ next to the sources
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(target), str(source)], check=True, capture_output=True)
    env = {"PYTHONPATH": str(target)}
    assert "min_lines" in corpus_cli("filters", "min_lines", env=env, check=True).stdout
    config = config_file(tmp_path, [{"min_lines": {"min_lines": 3}}], workers=2)
    corpus_cli("run", str(config), "-q", env=env, check=True)
    version = tmp_path / "out" / "cli" / "v0001"
    stats = json.loads((version / "stats.json").read_text())
    assert stats["filters"][0]["name"] == "min_lines"
    assert (stats["filters"][0]["docs_in"], stats["filters"][0]["docs_out"]) == (30, 10)
    assert stats["filters"][0]["counters"]["removed_by_reason"] == {"too_few_lines": 20}


def test_plugin_by_module_reference_without_installing(tmp_path):
    config = config_file(tmp_path, [{"corpus_plugin_example:MinLines": {"min_lines": 2}}])
    corpus_cli("run", str(config), "-q", env={"PYTHONPATH": str(FIXTURE)}, check=True)
    stats = json.loads((tmp_path / "out" / "cli" / "v0001" / "stats.json").read_text())
    assert stats["filters"][0]["docs_out"] == 20


@pytest.mark.parametrize("config", sorted((Path(__file__).parents[1] / "configs").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_every_shipped_config_is_valid(config):
    result = corpus_cli("validate", str(config))
    assert result.returncode == 0, result.stderr

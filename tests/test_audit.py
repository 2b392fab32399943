"""Audit before delivery: quality gates, the dataset card, verify, diff and review samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import corpus_cli, run, write_jsonl

from corpus.errors import ConfigError
from corpus.gates import evaluate, metric
from filters.registry import get_filter
from pipelines.config import validate_config

RECORDS = [{"id": f"d{i}", "text": "!!! ### $$$" if i % 4 == 0 else f"Plain sentence number {i} here."}
           for i in range(40)]


def config_file(tmp_path: Path, **extra) -> Path:
    source = write_jsonl(tmp_path / "in.jsonl", RECORDS)
    config = {"dataset": "audit", "input": {"paths": [str(source)]},
              "output": {"root": str(tmp_path / "out")}, "filters": [{"special_chars": {}}], **extra}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    return path


def test_gate_paths_read_totals_filters_counters_and_shares():
    stats = {"total": {"kept_fraction": 0.75, "read": 40},
             "filters": [{"name": "langid", "docs_in": 40, "docs_out": 30, "docs_removed": 10,
                          "counters": {"kept_by_lang": {"ko": 24, "en": 6}}},
                         {"name": "pii", "docs_in": 30, "docs_out": 30, "docs_removed": 0,
                          "counters": {"documents": {"with_pii_after": 0}}}]}
    # Shares and docs_with_pii_after are metrics the filters declare (as the manifest records them).
    figures = {name: get_filter(name).figures for name in ("langid", "pii")}
    assert metric(stats, "total.kept_fraction") == 0.75
    assert metric(stats, "langid.removed_fraction") == 0.25
    assert metric(stats, "langid.lang_share.ko", figures) == 0.8
    assert metric(stats, "langid.counters.kept_by_lang.en") == 6
    assert metric(stats, "pii.docs_with_pii_after", figures) == 0
    results = evaluate({"langid.lang_share.ko": {"min": 0.9}, "total.read": {"max": 100},
                        "langid.nothing": {"min": 1}}, stats, figures)
    assert [r.passed for r in results] == [False, True, False]
    assert "no such statistic" in results[2].error


def test_expectations_must_name_total_or_a_filter_of_the_chain():
    with pytest.raises(ConfigError, match="expectation 'langid.removed_fraction'"):
        validate_config({"dataset": "x", "input": {"paths": ["a.jsonl"]},
                         "filters": [{"special_chars": {}}],
                         "expectations": {"langid.removed_fraction": {"max": 0.5}}})


def test_failed_gate_keeps_the_version_but_not_latest(tmp_path):
    config = config_file(tmp_path, expectations={"total.kept_fraction": {"min": 0.9},
                                                 "special_chars.removed_fraction": {"max": 0.5}})
    dataset = tmp_path / "out" / "audit"
    result = corpus_cli("run", str(config), "-q")
    assert result.returncode == 1 and "quality gate" in result.stderr
    failed = dataset / "v0001"
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed_gates"
    assert [g["passed"] for g in manifest["gates"]] == [False, True]
    assert not (dataset / "LATEST").exists()
    forced = corpus_cli("run", str(config), "-q", "--allow-failed-gates")
    assert forced.returncode == 0 and "LATEST moved anyway" in forced.stderr
    assert (dataset / "LATEST").read_text().strip() == "v0002"
    card = (failed / "README.md").read_text()
    assert "total.kept_fraction" in card and "FAIL" in card


def test_every_version_has_a_report_and_a_dataset_card(tmp_path):
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", RECORDS)], [{"special_chars": {}}],
                  expectations={"total.kept_fraction": {"min": 0.5}})
    assert summary.gates and summary.gates[0].passed
    html = (summary.path / "report.html").read_text()
    assert "<svg" in html and "special_chars" in html
    card = (summary.path / "README.md").read_text()
    assert "# test v0001" in card and "special_chars" in card and "| 40 | 30 | 10 | 0 |" in card
    manifest = json.loads((summary.path / "manifest.json").read_text())
    for shard in manifest["shards"]["data"]:
        assert shard["sha256"] in card


def test_verify_finds_a_changed_or_missing_shard(tmp_path):
    config = config_file(tmp_path)
    corpus_cli("run", str(config), "-q", check=True)
    version = tmp_path / "out" / "audit" / "v0001"
    assert corpus_cli("verify", f"{version.parent}@v1", check=True).returncode == 0
    shard = version / "rejects" / "part-00000.parquet"
    shard.write_bytes(shard.read_bytes()[:-10] + b"0123456789")
    result = corpus_cli("verify", str(version))
    assert result.returncode == 1 and "rejects/part-00000.parquet" in result.stderr
    shard.unlink()
    assert "is missing" in corpus_cli("verify", str(version)).stderr


def test_diff_prints_config_changes_counts_and_filter_deltas(tmp_path):
    config = config_file(tmp_path)
    corpus_cli("run", str(config), "-q", check=True)
    corpus_cli("run", str(config), "-q", "--set", "filters.special_chars.max_ratio=0.95", check=True)
    dataset = tmp_path / "out" / "audit"
    result = corpus_cli("diff", f"{dataset}@v1", "@v2", check=True).stdout
    assert "filters.0.special_chars.max_ratio: 0.5 -> 0.95" in result
    assert "kept" in result and "special_chars" in result


def test_sample_prints_removed_documents_with_pii_redacted(tmp_path):
    records = [{"id": "pii", "text": "!!! ### jane.roe@example.com ### $$$ %%% ^^^ &&& *** ((( )))"},
               {"id": "ok", "text": "A normal sentence."}]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    config = {"dataset": "audit", "input": {"paths": [str(source)]},
              "output": {"root": str(tmp_path / "out")}, "filters": [{"special_chars": {}}]}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    corpus_cli("run", str(path), "-q", check=True)
    dataset = tmp_path / "out" / "audit"
    shown = corpus_cli("sample", f"{dataset}@v1", "--rejected-by", "special_chars", "-n", "5", check=True)
    assert "pii" in shown.stdout and "<EMAIL_ADDRESS>" in shown.stdout
    assert "jane.roe@example.com" not in shown.stdout
    assert "jane.roe@example.com" not in (dataset / "v0001" / "report.html").read_text()
    assert corpus_cli("sample", str(dataset), "--rejected-by", "nope").returncode == 2

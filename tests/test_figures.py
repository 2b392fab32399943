"""Filters present their own figures: declarations recorded per step, read back by report, gates and card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import run, write_jsonl

from corpus.figures import (
    CounterShare,
    CounterTable,
    CounterValue,
    Figures,
    HistogramPlot,
    LargestBin,
    Threshold,
    recorded,
)
from corpus.gates import evaluate, metric
from corpus.report import render_report
from corpus.stats import FilterStats
from filters.registry import BUILTINS, get_filter
from pipelines.audit import version_report

CORPUS = Path(__file__).parents[1] / "corpus"
PLUGIN = Path(__file__).parent / "fixtures" / "corpus-plugin-example"
STEP = "corpus_plugin_example:MinLines"


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> type:
    """The example plugin's filter class, importable by its module reference for this test."""
    monkeypatch.syspath_prepend(str(PLUGIN))
    return get_filter(STEP)


def line_records() -> list[dict[str, Any]]:
    """Documents of 0 to 5 non-empty lines; the blank ones hold only whitespace."""
    return [{"id": f"d{i}", "text": "".join(f"line {n} of {i}\n" for n in range(i % 6)) or "  \n"}
            for i in range(60)]


def test_corpus_names_no_filter():
    sources = {path: path.read_text() for path in CORPUS.rglob("*.py")}
    named = [(path.name, name) for path, text in sources.items() for name in BUILTINS if name in text]
    assert named == []


@pytest.mark.parametrize("name", [*sorted(BUILTINS), STEP])
def test_figures_come_back_from_the_manifest_as_declared(name, plugin):
    figures = get_filter(name).figures
    manifest = json.loads(json.dumps({"filters": [{"label": "step", "figures": figures.to_json()}]}))
    assert recorded(manifest) == {"step": figures}


def test_figure_kinds_this_engine_does_not_know_are_left_out():
    data = {"report": [{"sparkline": {"group": "x"}},
                       {"counter_table": {"groups": ["a"], "key_header": "k", "headers": ["n"]}}],
            "metrics": [{"percentile": {"name": "p90"}}]}
    assert Figures.from_json(data) == Figures(report=(CounterTable(("a",), "k", ("n",)),))


def test_declared_metrics_are_gate_paths_of_their_step():
    entry = FilterStats("step", docs_in=40, docs_out=30)
    entry.count_many("kept_by_kind", ["a", "b"], [24, 6])
    entry.count("documents", "odd", 10)
    entry.histograms["size"] = entry.histogram("size", 0, 100, 10)
    entry.histograms["size"].add(np.array([5.0, 12.0, 47.0]))
    stats = {"total": {"read": 40}, "filters": [entry.to_dict()]}
    figures = {"step": Figures(metrics=(CounterShare("share", "kept_by_kind"),
                                        CounterValue("odd_fraction", "documents", "odd", per_document=True),
                                        CounterValue("odd", "documents", "odd"),
                                        LargestBin("largest_at_least", "size"),
                                        LargestBin("missing_at_least", "no_such_histogram")))}

    assert metric(stats, "step.share.a", figures) == 0.8
    assert metric(stats, "step.share.c", figures) == 0.0  # a key never counted has no share
    assert metric(stats, "step.odd_fraction", figures) == 0.25
    assert metric(stats, "step.odd", figures) == 10
    assert metric(stats, "step.largest_at_least", figures) == 40.0
    assert metric(stats, "step.missing_at_least", figures) == 0.0
    assert metric(stats, "step.counters.documents.odd", figures) == 10  # plain paths still work
    results = evaluate({"step.share": {"min": 0}, "step.odd.x": {"min": 0}, "step.share.a": {"min": 0.9},
                        "other.share.a": {"min": 0}}, stats, figures)
    assert [(result.passed, result.error) for result in results] == [
        (False, "no such statistic: step.share"), (False, "no such statistic: step.odd.x"),
        (False, None), (False, "no such statistic: other.share.a (no filter 'other' in this version)")]
    with pytest.raises(KeyError):  # without the step's figures the metric is unknown
        metric(stats, "step.share.a")


def test_a_grid_of_histogram_parts_draws_the_largest_parts_each_with_a_threshold():
    entry = FilterStats("scorer", docs_in=30, docs_out=20)
    for part, values in (("", [0.1, 0.5, 0.9]), ("web", [0.2, 0.4]), ("books", [0.8]), ("news", [0.3])):
        entry.histogram("score" + (f".{part}" if part else "")).add(np.array(values))
    entry.count_many("docs_by_source", ["web", "books", "news"], [20, 7, 3])
    stats = {"total": {"read": 30, "kept": 20, "rejected": 10, "quarantined": 0, "kept_fraction": 2 / 3,
                       "chars_in": 100, "chars_out": 80, "wall_seconds": 1.0},
             "filters": [{**entry.to_dict(), "filter": "scorer", "mode": "filter"}]}
    plot = HistogramPlot("score", "Score of the {count} sources", Threshold("cut", "cut_by_source", "source"),
                         parts=True, total_title="every source", order_by="docs_by_source", grid=(1, 3))
    manifest = {"dataset": "d", "version": "v0001",
                "config": {"filters": [{"scorer": {"cut": 0.6, "cut_by_source": {"books": 0.9}}}]},
                "filters": [{"label": "scorer", "name": "scorer",
                             "figures": Figures(report=(plot,)).to_json()}]}

    page = render_report(stats, manifest, {})

    # The whole histogram, then the two largest sources (grid 1 x 3); news is left out.
    assert ("Score of the 3 sources (log scale); dashed line: cut = 0.6 (or its per-source value)."
            in page)
    section = page[page.index('id="filter-scorer"'):]
    titles = [section.index(title) for title in ("every source", "web (20)", "books (7)")]
    assert titles == sorted(titles) and "news (3)" not in section  # as with languages past the grid
    assert section.count("stroke-dasharray") == 3  # one threshold line in each of the three plots


def test_plugin_figures_reach_the_manifest_report_gates_and_card(tmp_path, plugin):
    source = write_jsonl(tmp_path / "in.jsonl", line_records())
    gate = f"{STEP}.blank_fraction"

    summary = run(tmp_path, [source], [{STEP: {"min_lines": 3}}], expectations={gate: {"max": 0.1}})

    manifest = json.loads((summary.path / "manifest.json").read_text())
    assert recorded(manifest) == {STEP: plugin.figures}
    entry = summary.stats["filters"][0]
    assert entry["counters"]["documents"]["blank"] == 10
    assert summary.gates[0].value == pytest.approx(10 / 60) and not summary.gates[0].passed
    page = (summary.path / "report.html").read_text()
    assert "Non-empty lines per document; dashed line: min_lines = 3." in page
    assert "<th>non-empty lines</th><th>documents</th>" in page
    card = (summary.path / "README.md").read_text()
    assert "## Line counts (documents read by corpus_plugin_example:MinLines)" in card
    assert "| 0 | 10 | 16.7% |" in card and "blank_fraction | 0.1667 |  | 0.1 | FAIL |" in card


def test_a_version_published_before_figures_were_recorded_gets_the_installed_ones(tmp_path):
    records = [{"id": f"d{i}", "text": "!!! ### $$$" if i % 4 == 0 else f"Plain sentence {i}."}
               for i in range(20)]
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", records)], [{"special_chars": {}}])
    path = summary.path / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["filters"][0]["figures"]
    path.write_text(json.dumps(manifest))

    page = version_report(summary.path)

    assert "special_char_ratio (log scale); dashed line: max_ratio = 0.5." in page
    assert "Threshold: max_ratio = 0.5</p>" in page

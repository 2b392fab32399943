"""The audit report: one self-contained HTML page whose every number matches stats.json."""

from __future__ import annotations

import copy
import html
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
from conftest import read_rows, run, write_jsonl

from corpus.report import render_report
from corpus.stats import FilterStats, Histogram

FIXTURES = Path(__file__).parent / "fixtures" / "report"
SCRIPT = "<script>alert(1)</script>"
FAST_FILTERS = [{"special_chars": {}}, {"exact_dedup": {}}]
INLINE = {"span", "code", "em", "small", "a"}
HIDDEN = {"svg", "style", "title"}


class Page(HTMLParser):
    """What a report shows: its stat spans (with the delta after each), plots and visible text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stats: list[dict[str, Any]] = []
        self.figures = self.svgs = 0
        self.text: list[str] = []
        self._capture: tuple[dict[str, Any], str] | None = None  # where the text inside a span goes
        self._last_stat: dict[str, Any] | None = None  # the stat span that just closed
        self._hidden = 0  # depth inside elements whose text is not shown as text
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        css = dict(attrs).get("class")
        if self._last_stat is not None and tag == "span" and css == "delta":
            self._last_stat["delta"] = ""
            self._capture = (self._last_stat, "delta")
        self._last_stat = None
        if tag == "span" and css == "stat":
            attributes = dict(attrs)
            stat = {"path": attributes["data-stat"], "value": json.loads(attributes["data-value"]),
                    "text": "", "delta": None}
            self.stats.append(stat)
            self._capture = (stat, "text")
        self.figures += tag == "figure" and css == "plot"
        self.svgs += tag == "svg"
        self._hidden += tag in HIDDEN
        if tag not in INLINE:
            self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in HIDDEN
        if tag not in INLINE:
            self.text.append(" ")
        if tag == "span" and self._capture is not None:
            stat, field = self._capture
            self._last_stat = stat if field == "text" else None
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            stat, field = self._capture
            stat[field] += data
        if not self._hidden:
            self.text.append(data)

    def shown(self) -> str:
        """The visible text outside the plots, whitespace collapsed."""
        return " ".join("".join(self.text).split())


def resolve(node: Any, parts: list[str]) -> Any:
    """The value at a dotted path: `filters` is entered by label, and keys may hold dots."""
    if not parts:
        return node
    if isinstance(node, list):
        node = {entry["name"]: entry for entry in node}
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        if isinstance(node, dict) and key in node:
            try:
                return resolve(node[key], parts[end:])
            except KeyError:
                continue
    raise KeyError(".".join(parts))


def assert_numbers_match(page: Page, stats: dict[str, Any]) -> None:
    assert page.stats
    for stat in page.stats:
        assert resolve(stats, stat["path"].split(".")) == stat["value"], stat
        assert stat["text"].strip(), stat


def number_paths(node: Any, prefix: str) -> set[str]:
    """Dotted paths of every number in stats.json, histograms (which are plotted) left out."""
    if isinstance(node, dict):
        return set().union(*(number_paths(value, f"{prefix}.{key}") for key, value in node.items()))
    if isinstance(node, list) and prefix == "filters":
        return set().union(*(number_paths(entry, f"filters.{entry['name']}") for entry in node))
    return {prefix} if isinstance(node, int | float) and not isinstance(node, bool) else set()


def without_document_text(page: str) -> str:
    return re.sub(r'<div class="text">.*?</div>', "", page, flags=re.DOTALL)


def corpus(tmp_path: Path) -> Path:
    """Prose, symbol noise, a document between the two thresholds used below, and duplicates."""
    prose = [f"Report {i}: the river runs through the old town, and people walk along it at {i} pm."
             for i in range(30)]
    noise = ["#### $$$$ @@@@ !!!! ~~~~ %%%% ^^^^ &&&& ****", "<<<>>> ||| {{{}}} [[[]]] ::: ;;;"]
    hostile = f"Read this {SCRIPT} and visit https://example.com/page or http://example.org now."
    texts = [*prose, *noise, "hello!!! " * 20, hostile, hostile, prose[0]]
    records = [{"id": f"doc-{i:03d}", "text": text} for i, text in enumerate(texts)]
    return write_jsonl(tmp_path / "in.jsonl", records)


def published(summary: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return (json.loads((summary.path / "stats.json").read_text()),
            json.loads((summary.path / "manifest.json").read_text()))


def removed_samples(summary: Any) -> dict[str, list[dict[str, Any]]]:
    samples: dict[str, list[dict[str, Any]]] = {}
    for row in read_rows(summary.path / "rejects"):
        samples.setdefault(row["filter"], []).append({
            "id": row["id"], "reason": row["reason"], "score": row.get("special_char_ratio"),
            "text": row["text"]})
    return samples


def fixture() -> tuple[dict[str, Any], dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """stats.json and manifest.json of the quickstart demo, and three removed samples per filter."""
    stats, manifest, samples = (json.loads((FIXTURES / f"{name}.json").read_text())
                                for name in ("stats", "manifest", "samples"))
    return stats, manifest, samples


def test_report_is_one_offline_page_whose_numbers_match_stats(tmp_path):
    summary = run(tmp_path, [corpus(tmp_path)], FAST_FILTERS)
    stats, manifest = published(summary)
    samples = removed_samples(summary)
    assert any(SCRIPT in sample["text"] for sample in samples["exact_dedup"])

    text = render_report(stats, manifest, samples)
    page = Page(text)

    assert text.startswith("<!DOCTYPE html>") and text.count("<html") == text.count("</html>") == 1
    outside = without_document_text(text)
    assert "http://" not in outside and "https://" not in outside
    assert "<script" not in text and " src=" not in text and "<link" not in text
    assert page.figures == page.svgs == 3  # funnel, lengths, special_char_ratio
    assert_numbers_match(page, stats)
    shown = {stat["path"] for stat in page.stats}
    assert {"total.read", "total.kept_fraction", "filters.special_chars.docs_in",
            "filters.exact_dedup.counters.clusters.with_duplicates",
            "filters.special_chars.counters.removed_by_reason.too_many_special_chars"} <= shown
    assert "max_ratio = 0.5" in page.shown()
    assert html.escape(SCRIPT) in text and SCRIPT not in text


def test_comparison_shows_a_change_for_every_number_and_the_config_changes(tmp_path):
    path = corpus(tmp_path)
    old = published(run(tmp_path, [path], FAST_FILTERS))
    new = published(run(tmp_path, [path], [{"special_chars": {"max_ratio": 0.3}}, {"exact_dedup": {}}]))
    assert new[0]["total"]["kept"] < old[0]["total"]["kept"]

    page = Page(render_report(*new, {}, compare=old))

    assert_numbers_match(page, new[0])
    assert all(stat["delta"] is not None for stat in page.stats), [
        stat["path"] for stat in page.stats if stat["delta"] is None]
    kept = next(stat for stat in page.stats if stat["path"] == "total.kept")
    assert kept["delta"] == f"({new[0]['total']['kept'] - old[0]['total']['kept']:+,})"
    assert "filters.0.special_chars.max_ratio: 0.5 → 0.3" in page.shown()


def test_quickstart_report_shows_every_filter_with_its_plots_and_every_counter():
    stats, manifest, samples = fixture()

    text = render_report(stats, manifest, samples)
    page = Page(text)

    assert len(text.encode()) < 3_000_000
    assert_numbers_match(page, stats)
    assert all(f'id="filter-{entry["name"]}"' in text for entry in stats["filters"])
    every_number = number_paths(stats["filters"], "filters") | number_paths(stats["total"], "total")
    assert every_number <= {stat["path"] for stat in page.stats}
    # funnel, lengths, languages, language scores, special_char_ratio, toxicity, pii entities
    assert page.figures == page.svgs == 7
    formatted = {stat["path"]: stat["text"] for stat in page.stats}
    assert formatted["total.read"] == "3,000" and formatted["total.kept_fraction"] == "87.5%"
    assert formatted["filters.pii.counters.validator_rejections.EMAIL_ADDRESS"] == "15"
    for threshold in ("max_ratio = 0.5", "max_score = 0.8", "min_score = 0.5"):
        assert threshold in page.shown()
    assert all(sample["id"] in text for samples_of in samples.values() for sample in samples_of)
    assert "http://" not in without_document_text(text) and "https://" not in without_document_text(text)


def test_gates_table_marks_each_gate_and_the_status():
    stats, manifest, samples = fixture()
    manifest = {**manifest, "status": "failed_gates", "gates": [
        {"name": "langid.removed_fraction", "value": 0.064, "min": None, "max": 0.5, "passed": True},
        {"name": "total.kept_fraction", "value": 0.875, "min": 0.9, "max": None, "passed": False}]}

    shown = Page(render_report(stats, manifest, samples)).shown()

    assert "status failed_gates" in shown
    assert "1 of 2 gates passed" in shown
    assert "langid.removed_fraction 6.4% – 50% pass" in shown
    assert "total.kept_fraction 87.5% 90% – FAIL" in shown


def test_a_plugin_filter_gets_every_histogram_plotted_and_every_counter_tabled():
    stats, manifest, _ = fixture()
    plugin = FilterStats("word_count", docs_in=2625, docs_out=2600, chars_in=4085353, chars_out=4000000)
    plugin.histogram("words", 0, 1000, 10).add(np.arange(0, 1000, 7))
    plugin.count_many("removed_by_reason", ["too_short"], [25])
    stats = copy.deepcopy(stats)
    stats["filters"].append({**plugin.to_dict(), "filter": "word_count", "mode": "filter"})

    text = render_report(stats, manifest, {})
    page = Page(text)

    assert_numbers_match(page, stats)
    assert page.svgs == 8 and "Histogram words." in page.shown()
    assert "filters.word_count.counters.removed_by_reason.too_short" in {s["path"] for s in page.stats}


def test_plot_text_from_plugins_is_escaped_and_every_plot_parses_as_xml():
    stats, manifest, _ = fixture()
    label, key = 'word<b>&"count', "words<i>"
    plugin = FilterStats(label, docs_in=2625, docs_out=2600, chars_in=4085353, chars_out=4000000)
    plugin.histogram(key, 0, 1000, 10).add(np.arange(0, 1000, 7))
    stats = copy.deepcopy(stats)
    stats["filters"].append({**plugin.to_dict(), "filter": "word_count", "mode": "filter"})

    text = render_report(stats, manifest, {})

    assert text == render_report(stats, manifest, {})  # the same statistics give the same bytes
    assert "<b>" not in text and "<i>" not in text
    svgs = re.findall(r"<svg .*?</svg>", text, flags=re.DOTALL)
    assert len(svgs) == 8
    shown = [element.text for svg in svgs for element in ET.fromstring(svg).iter("text")]
    assert label in shown and key in shown  # the funnel's tick label, the histogram's x label
    assert all(" id=" not in svg for svg in svgs)


def test_a_histogram_with_geometric_bins_gets_one_bar_per_bin_up_to_the_last_used():
    stats, manifest, _ = fixture()
    plugin = FilterStats("clusters", docs_in=2625, docs_out=2600, chars_in=4085353, chars_out=4000000)
    plugin.histograms["cluster_size"] = Histogram(edges=[2.0, 3.0, 4.0, 5.0, 10.0, 100.0, 1e6])
    plugin.histograms["cluster_size"].add(np.array([2] * 50 + [3] * 7 + [7]))
    stats = copy.deepcopy(stats)
    stats["filters"].append({**plugin.to_dict(), "filter": "clusters", "mode": "filter"})

    svg = re.findall(r"<svg .*?</svg>", render_report(stats, manifest, {}), flags=re.DOTALL)[-1]

    shown = [element.text for element in ET.fromstring(svg).iter("text")]
    assert [text for text in shown if "–" in text] == ["2–3", "3–4", "4–5", "5–10"]  # not 10–100 on
    assert "cluster_size" in shown and not any(text.endswith("M") for text in shown)

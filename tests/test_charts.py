"""The report's SVG bar charts: axes, ticks, bars, threshold lines, legends and escaping, read back as XML."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from corpus.charts import Chart, engineering, log_ticks, nice_ticks

HOSTILE = '<b>&"x'
CHROMIUM = Path("/usr/bin/chromium")


def parsed(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg())


def texts(svg: ET.Element) -> dict[str, ET.Element]:
    return {element.text: element for element in svg.iter("text")}


def rects(svg: ET.Element, colour: str) -> list[dict[str, float]]:
    return [{key: float(element.get(key)) for key in ("x", "y", "width", "height")}
            for element in svg.iter("rect") if element.get("fill") == colour]


def y_labels(svg: ET.Element) -> dict[str, float]:
    """The y tick labels (right-aligned, upright) and their baselines."""
    return {element.text: float(element.get("y")) for element in svg.iter("text")
            if element.get("text-anchor") == "end" and element.get("transform") is None}


def x_labels(svg: ET.Element) -> dict[str, float]:
    """The upright x tick labels (centred on their ticks) and their x."""
    return {element.text: float(element.get("x")) for element in svg.iter("text")
            if element.get("text-anchor") == "middle" and element.get("font-size") is None}


def dashed(svg: ET.Element) -> list[str]:
    return [element.get("d") for element in svg.iter("path")
            if "stroke-dasharray" in (element.get("style") or "")]


def test_nice_ticks_are_one_two_or_five_times_a_power_of_ten():
    assert nice_ticks(0, 21_000, 6) == [0, 5000, 10_000, 15_000, 20_000]
    assert nice_ticks(-0.05, 1.05, 6) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(-0.05, 1.05, 3) == [0, 0.5, 1.0]
    assert nice_ticks(0, 33_000_000, 6) == [k * 5_000_000 for k in range(7)]
    assert nice_ticks(0, 4515, 6) == [0, 1000, 2000, 3000, 4000]
    assert log_ticks(20_000) == [1, 10, 100, 1000, 10_000]
    assert log_ticks(10 ** 12) == [1, 100, 10 ** 4, 10 ** 6, 10 ** 8, 10 ** 10, 10 ** 12]  # every other


def test_engineering_labels():
    assert [engineering(v) for v in (0, 500, 12_000, 3_400_000, 2.5e9, 0.25)] == ["0", "500", "12k", "3.4M",
                                                                                   "2.5G", "0.25"]


def test_bar_heights_are_proportional_to_values_from_a_zero_baseline():
    chart = Chart()
    chart.panel.bar([0, 1, 2], [10, 20, 40], colour="#123456")
    svg = parsed(chart)
    bars = rects(svg, "#123456")
    assert [bar["height"] / bars[0]["height"] for bar in bars] == pytest.approx([1, 2, 4], abs=0.01)
    baselines = {round(bar["y"] + bar["height"], 1) for bar in bars}
    assert len(baselines) == 1
    zero = y_labels(svg)["0"]  # the y tick label 0 sits on the baseline (its text is 0.35 em below)
    assert zero - 0.35 * 8 == pytest.approx(baselines.pop(), abs=0.1)


def test_stacked_bars_start_where_the_lower_ones_end():
    chart = Chart()
    chart.panel.bar([0, 1], [10, 30], colour="#111111", label="kept")
    chart.panel.bar([0, 1], [5, 0], colour="#222222", label="removed", bottom=[10, 30])
    chart.panel.legend = True
    svg = parsed(chart)
    lower, upper = rects(svg, "#111111"), rects(svg, "#222222")
    assert len(lower) == 2 + 1 and len(upper) == 1 + 1  # bars (an empty one is not drawn) and legend swatches
    assert upper[0]["y"] + upper[0]["height"] == pytest.approx(lower[0]["y"], abs=0.01)
    assert upper[0]["height"] == pytest.approx(lower[0]["height"] / 2, abs=0.01)
    assert {"kept", "removed"} <= set(texts(svg))


def test_log_axis_has_a_tick_per_decade_and_starts_at_one_half():
    chart = Chart()
    chart.panel.histogram([0, 1, 2, 3, 4, 5], [1, 10, 100, 1000, 0], "#4c78a8")
    chart.panel.log = True
    svg = parsed(chart)
    labels = y_labels(svg)
    assert list(labels) == ["1", "10", "100", "1k"]
    ys = list(labels.values())
    decade = ys[0] - ys[1]
    steps = [a - b for a, b in zip(ys, ys[1:], strict=False)]
    assert decade > 0 and steps == pytest.approx([decade] * 3, abs=0.02)
    bars = rects(svg, "#4c78a8")
    assert len(bars) == 4  # the empty bin draws nothing
    # Bars rise from 0.5: a count c is log10(c / 0.5) decades tall.
    assert [bar["height"] / decade for bar in bars] == pytest.approx(
        [math.log10(count / 0.5) for count in (1, 10, 100, 1000)], abs=0.01)
    baseline = bars[0]["y"] + bars[0]["height"]
    assert labels["1"] - 0.35 * 8 == pytest.approx(baseline - decade * math.log10(2), abs=0.05)


def test_threshold_is_a_dashed_line_at_its_value_named_in_the_legend():
    chart = Chart()
    chart.panel.histogram([0, 0.25, 0.5, 0.75, 1.0], [3, 1, 4, 1], "#4c78a8")
    chart.panel.threshold(0.3, "max_ratio = 0.3")
    chart.panel.legend = True
    svg = parsed(chart)
    labels = x_labels(svg)
    x0, x1 = labels["0"], labels["1"]
    line, sample = dashed(svg)
    assert float(line[1:].split()[0]) == pytest.approx(x0 + 0.3 * (x1 - x0), abs=0.02)
    assert sample.endswith("h16")  # the legend's sample of the line
    assert [element.text for element in svg.iter("text")].count("max_ratio = 0.3") == 1


def test_without_the_legend_the_threshold_line_stays_unlabelled():
    chart = Chart()
    chart.panel.histogram([0, 1], [3], "#4c78a8")
    chart.panel.threshold(0.5, "cut = 0.5")
    svg = parsed(chart)
    assert len(dashed(svg)) == 1 and "cut = 0.5" not in texts(svg)


def test_data_text_is_escaped_and_the_svg_parses_as_xml():
    chart = Chart(1, 2)
    for panel in chart.panels:
        panel.bar([0, 1], [1, 2], colour="#4c78a8", label=HOSTILE)
        panel.xticks([0, 1], [HOSTILE, "esc\x1b[31m"], rotation=30)
        panel.title, panel.xlabel, panel.ylabel, panel.legend = HOSTILE, HOSTILE, HOSTILE, True
    markup = chart.svg()
    assert "<b>" not in markup and "&lt;b&gt;&amp;&quot;x" in markup and "\x1b" not in markup
    svg = ET.fromstring(markup)  # would raise on a stray & or <, or a control character
    shown = [element.text for element in svg.iter("text")]
    assert shown.count(HOSTILE) == 2 * 5  # per panel: legend, tick label, title, x label, y label
    assert "esc\u241b[31m" in shown


def test_rotated_labels_end_at_their_ticks():
    chart = Chart()
    chart.panel.bar([0, 1, 2], [1, 2, 3])
    chart.panel.xticks([0, 1, 2], ["input", "special_chars", "minhash_dedup"], rotation=30)
    svg = parsed(chart)
    label = texts(svg)["special_chars"]
    assert label.get("text-anchor") == "end" and label.get("transform").startswith("rotate(-30 ")
    many = Chart()
    many.panel.bar(range(20), range(20))
    many.panel.xticks(range(20), [f"k{i}" for i in range(20)], rotation=90)
    assert texts(parsed(many))["k3"].get("transform").startswith("rotate(-90 ")


def test_a_shared_x_grid_labels_the_lowest_panel_of_each_column_and_hides_unused_cells():
    chart = Chart(2, 3, height=230, sharex=True)
    for index, panel in enumerate(chart.panels[:4]):
        panel.histogram([0, 0.5, 1.0 + index], [2, 3], "#4c78a8")
        panel.title = f"part {index}"
    for panel in chart.panels[4:]:
        panel.visible = False
    svg = parsed(chart)
    assert len(svg.findall("g")) == 4
    assert {f"part {i}" for i in range(4)} <= set(texts(svg))
    # Columns 1 and 2 have nothing below their top panel, so those label their x ticks too.
    tick_labels = [element.text for element in svg.iter("text") if element.text in ("0", "2", "4")]
    assert tick_labels.count("4") == 3
    # Shared x: each panel's axis runs over the same range, so the same bins are as wide everywhere.
    widths = {round(bar["width"], 1) for bar in rects(svg, "#4c78a8")[::2]}
    assert len(widths) == 1


def test_the_same_chart_gives_the_same_bytes():
    def build() -> str:
        chart = Chart(1, 2)
        for panel in chart.panels:
            panel.bar([0, 1, 2], [20_000, 19_000, 17_500], colour=["#9d9d9d", "#4c78a8", "#4c78a8"])
            panel.xticks([0, 1, 2], ["input", "langid", "pii"], rotation=30)
            panel.eng, panel.title = True, "documents kept after each filter"
        return chart.svg()

    first = build()
    assert first == build()
    assert "20k" in first and "<svg " in first and " id=" not in first and "xmlns" not in first


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")
def test_every_text_lies_inside_the_chart_in_a_browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    chart = Chart(1, 2)
    for panel in chart.panels:
        panel.bar(range(6), [20_000, 19_000, 18_900, 18_700, 18_650, 17_400], label="kept")
        panel.xticks(range(6), ["a_long_first_label", "langid", "special_chars", "toxicity", "pii",
                                "minhash_dedup"], rotation=30)  # the first one reaches far left
        panel.threshold(4.2, "max_ratio = 0.5")
        panel.eng, panel.title, panel.ylabel, panel.legend = True, "documents kept", "documents", True
    upright = Chart()
    upright.panel.bar(range(40), [4000 / (i + 1) for i in range(40)], label="kept")
    upright.panel.xticks(range(40), [f"lang{i}" for i in range(40)], rotation=90)
    upright.panel.xlabel, upright.panel.ylabel, upright.panel.legend = "language", "documents", True
    page = "".join(f"<div>{c.svg()}</div>" for c in (chart, upright))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page()
            tab.set_content(f"<!DOCTYPE html><html><body>{page}</body></html>")
            outside = tab.eval_on_selector_all("svg", """svgs => svgs.flatMap(svg => {
                const frame = svg.getBoundingClientRect();
                return [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBoundingClientRect()])
                    .filter(([, b]) => b.left < frame.left - 0.5 || b.right > frame.right + 0.5
                                       || b.top < frame.top - 0.5 || b.bottom > frame.bottom + 0.5)
                    .map(([text]) => text);
            })""")
        finally:
            browser.close()
    assert outside == []

"""The audit report in a real browser: Debian's Chromium, driven by playwright, opens `report.html`.

The page must load offline without errors, draw every inline SVG plot, paint something, and show
every number exactly as stats.json has it. Two versions are opened: one of built-in filters, and one
whose first step is the example plugin (tests/fixtures/corpus-plugin-example), whose report is
rendered again by `corpus report` once the plugin is no longer importable: its section, its plot
with the threshold marked, and the gate on its own metric come from the version's files alone.
Playwright only drives the system's /usr/bin/chromium (installed by `make test`); it never
downloads a browser of its own.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import corpus_cli, write_jsonl
from PIL import Image

from corpus.escape import markdown_text

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
    # Debian's launcher means to add this when /dev/shm is small (as in a default Docker container),
    # but its check breaks when findmnt prints more than one line; shared memory then goes to /tmp.
    "--disable-dev-shm-usage",
]
PLUGIN = Path(__file__).parent / "fixtures" / "corpus-plugin-example"
PLUGIN_STEP = "corpus_plugin_example:MinLines"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make chromium` installs "
                       "Debian's chromium (needs apt-get and root)"),
]
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install -e '.[test]')")


@dataclass
class LoadedReport:
    """A report opened in the browser, with everything that went wrong while it loaded."""

    page: Any
    stats: dict[str, Any]
    case: Case
    version: Path
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


def corpus_records() -> list[dict[str, Any]]:
    """Over a thousand distinct documents, a few duplicates and some symbol junk."""
    words = ["river", "town", "evening", "bridge", "market", "lantern", "harbour", "orchard", "meadow"]
    records = [{"id": f"doc-{i}", "text": f"Note {i}: the {words[i % 9]} by the {words[i * 7 % 9]} is "
                "quiet tonight. " * (1 + i % 9)} for i in range(1200)]
    records += [{"id": f"dup-{i}", "text": records[i]["text"]} for i in range(0, 300, 10)]
    records += [{"id": f"junk-{i}", "text": "#@!$%^&*()[]{}<>|~" * (1 + i)} for i in range(25)]
    return records


def line_records() -> list[dict[str, Any]]:
    """Documents of 0 to 11 non-empty lines (the blank ones only whitespace), a few duplicates."""
    words = ["river", "town", "evening", "bridge", "market", "lantern", "harbour", "orchard", "meadow"]
    texts = ["".join(f"Line {n} of note {i}: the {words[(i + n) % 9]} is quiet.\n" for n in range(i % 12))
             for i in range(600)]
    records = [{"id": f"doc-{i}", "text": text or " \n\t \n"} for i, text in enumerate(texts)]
    return records + [{"id": f"dup-{i}", "text": records[i]["text"]} for i in range(1, 300, 10)]


@dataclass(frozen=True)
class Case:
    """A version to open: its filters and input, a gate it checks, and a step's declared figures.

    `plugin` puts the example plugin on the path for the run only; the report is then rendered
    again without it."""

    filters: list[Any]
    records: Callable[[], list[dict[str, Any]]]
    gate: str  # the plugin's: a metric its figures declare
    step: str
    threshold: str  # the legend of the step's threshold line
    card_table: str  # the title of a table the step's figures add to the dataset card ("" for none)
    plugin: bool = False


CASES = {
    "builtins": Case([{"special_chars": {}}, {"exact_dedup": {}}], corpus_records,
                     "special_chars.removed_fraction", "special_chars", "max_ratio = 0.5", ""),
    "plugin": Case([{PLUGIN_STEP: {"min_lines": 3}}, {"exact_dedup": {}}], line_records,
                   f"{PLUGIN_STEP}.blank_fraction", PLUGIN_STEP, "min_lines = 3",
                   f"Line counts (documents read by {PLUGIN_STEP})", plugin=True),
}


def with_plugin() -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(PLUGIN), os.environ.get("PYTHONPATH")]))}


@pytest.fixture(scope="module", params=list(CASES))
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Case, Path, Path]:
    """(case, version folder, the version's report as `corpus report` renders it again)."""
    case, tmp = CASES[request.param], tmp_path_factory.mktemp(request.param)
    config = {"dataset": "browser", "input": {"paths": [str(write_jsonl(tmp / "in.jsonl", case.records()))]},
              "output": {"root": str(tmp / "out")}, "filters": case.filters,
              "expectations": {case.gate: {"max": 0.5}}}
    (tmp / "config.yaml").write_text(json.dumps(config))
    corpus_cli("run", str(tmp / "config.yaml"), "-q", env=with_plugin() if case.plugin else None, check=True)
    version, again = tmp / "out" / "browser" / "v0001", tmp / "report.html"
    if case.plugin:  # the plugin is gone from here on: only the version's files describe it
        assert corpus_cli("filters", PLUGIN_STEP).returncode != 0
    corpus_cli("report", f"{version.parent}@v1", "--output", str(again), check=True)
    return case, version, again


@pytest.fixture(scope="module")
def loaded(published: tuple[Case, Path, Path]) -> Iterator[LoadedReport]:
    """Open the report offline: every non-local request is recorded and aborted."""
    case, version, report_html = published
    stats = json.loads((version / "stats.json").read_text())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            report = LoadedReport(page, stats, case, version)

            def on_console(message: Any) -> None:
                if message.type == "error":
                    report.errors.append(f"console error: {message.text} @ {message.location}")

            def on_request(request: Any) -> None:
                if not request.url.startswith(LOCAL_SCHEMES) and request.url not in report.external:
                    report.external.append(request.url)

            def on_route(route: Any) -> None:
                if route.request.url.startswith(LOCAL_SCHEMES):
                    route.continue_()
                else:
                    on_request(route.request)
                    route.abort()

            page.on("console", on_console)
            page.on("pageerror", lambda error: report.errors.append(f"page error: {error}"))
            page.on("request", on_request)
            page.route("**/*", on_route)
            page.goto(report_html.as_uri(), wait_until="load")
            yield report
        finally:
            browser.close()


def lookup(node: Any, parts: list[str]) -> Any:
    """The value at a dotted path: dict keys (which may contain dots), list items by `name` or index."""
    if not parts:
        return node
    for k in range(len(parts), 0, -1):
        key, rest = ".".join(parts[:k]), parts[k:]
        if isinstance(node, dict) and key in node:
            children = [node[key]]
        elif isinstance(node, list):
            children = [x for x in node if isinstance(x, dict) and x.get("name") == key]
            if key.isdigit() and int(key) < len(node):
                children.append(node[int(key)])
        else:
            children = []
        for child in children:
            try:
                return lookup(child, rest)
            except KeyError:
                continue
    raise KeyError(".".join(parts))


def scalar_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths of every scalar number in stats.json (histograms, which are plotted, left out)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from scalar_paths(value, f"{prefix}{key}.")
    elif isinstance(node, list) and prefix == "filters.":
        for item in node:
            fields = {k: v for k, v in item.items() if k != "name"}
            yield from scalar_paths(fields, f"filters.{item['name']}.")
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield prefix.rstrip(".")


def shown(value: Any, text: str) -> bool:
    """Whether `text` shows `value`: ints with thousands separators, floats to the digits displayed."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    if isinstance(value, int):
        return re.search(rf"(?<![\d,.]){re.escape(f'{value:,}')}(?![\d,]|\.\d)", text) is not None
    scales = [1.0] + [scale for unit, scale in (("%", 100.0), ("ms", 1e3), ("µs", 1e6)) if unit in text]
    for token in NUMBER.findall(text):
        number = float(token.replace(",", ""))
        mantissa = token.lower().split("e")[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        exponent = int(token.lower().split("e")[1]) if "e" in token.lower() else 0
        tolerance = 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9)
        if any(math.isclose(number, value * scale, abs_tol=tolerance) for scale in scales):
            return True
    return False


def test_loads_without_errors(loaded: LoadedReport) -> None:
    assert loaded.errors == []


def test_requests_nothing_from_the_network(loaded: LoadedReport) -> None:
    assert loaded.external == [], "the report must be self-contained"


def test_every_svg_plot_renders(loaded: LoadedReport) -> None:
    plots = loaded.page.eval_on_selector_all("svg:not(svg svg)", """svgs => svgs.map(svg => {
        const box = svg.getBoundingClientRect();
        return {width: box.width, height: box.height,
                shapes: svg.querySelectorAll("path, rect, line, polyline, polygon, circle, use").length};
    })""")
    assert len(plots) >= 2
    for i, plot in enumerate(plots):
        assert plot["width"] > 0 and plot["height"] > 0, f"svg #{i} has an empty bounding box: {plot}"
        assert plot["shapes"] > 0, f"svg #{i} draws nothing: {plot}"


def test_screenshot_is_not_blank(loaded: LoadedReport) -> None:
    image = Image.open(io.BytesIO(loaded.page.screenshot(full_page=True))).convert("RGB")
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    pixels = image.width * image.height
    background = max(colours)[0]
    assert len(colours) >= 64, f"only {len(colours)} distinct colours in a {image.size} screenshot"
    assert (pixels - background) / pixels > 0.01, "under 1 % of the page differs from its background colour"


def test_numbers_match_stats_json(loaded: LoadedReport) -> None:
    elements = loaded.page.eval_on_selector_all(
        "[data-stat]", "els => els.map(e => [e.dataset.stat, e.getAttribute('data-value'), e.innerText])")
    assert len(elements) >= 20, f"only {len(elements)} [data-stat] elements"
    problems = []
    for path, raw, text in elements:
        try:
            expected = lookup(loaded.stats, path.split("."))
        except KeyError:
            problems.append(f"{path}: not in stats.json")
            continue
        if json.loads(raw) != expected:
            problems.append(f"{path}: data-value {raw} != stats.json {expected!r}")
        if not shown(expected, text):
            problems.append(f"{path}: text {text!r} does not show {expected!r}")
    assert problems == [], "\n".join(problems)


def test_every_scalar_stat_is_shown(loaded: LoadedReport) -> None:
    rendered = set(loaded.page.eval_on_selector_all("[data-stat]", "els => els.map(e => e.dataset.stat)"))
    missing = [path for path in scalar_paths(loaded.stats) if path not in rendered]
    assert missing == [], f"numbers of stats.json missing from the page: {missing}"


def test_rendered_again_from_the_version_alone_it_is_the_page_the_run_wrote(
        published: tuple[Case, Path, Path]) -> None:
    _, version, again = published
    assert again.read_text(encoding="utf-8") == (version / "report.html").read_text(encoding="utf-8")


def test_a_step_shows_its_declared_plot_with_the_threshold_marked(loaded: LoadedReport) -> None:
    section = loaded.page.locator(f"section#filter-{re.sub(r'[^A-Za-z0-9_-]', '_', loaded.case.step)}")
    assert section.is_visible()
    plots = section.locator("figure.plot")
    captions = plots.locator("figcaption").all_inner_texts()
    marked = [index for index, caption in enumerate(captions)
              if f"dashed line: {loaded.case.threshold}" in caption]
    assert marked, f"no plot of {loaded.case.step} marks {loaded.case.threshold}: {captions}"
    plot = plots.nth(marked[0])
    assert plot.locator("svg").bounding_box()["height"] > 0
    # The threshold: a dashed line inside the axes, and its legend as text.
    assert plot.locator("svg text", has_text=loaded.case.threshold).count() == 1
    dashed = plot.locator("svg path").evaluate_all(
        "paths => paths.filter(p => (p.getAttribute('style') || '').includes('stroke-dasharray')).length")
    assert dashed >= 2  # the line and its legend sample


def test_the_gate_on_a_step_metric_is_shown_in_the_report_and_the_card(loaded: LoadedReport) -> None:
    gate = loaded.case.gate
    row = loaded.page.locator("section#gates tr", has_text=gate)
    assert row.count() == 1 and row.locator(".pass").is_visible()
    manifest = json.loads((loaded.version / "manifest.json").read_text())
    value = next(result["value"] for result in manifest["gates"] if result["name"] == gate)
    assert 0 < value < 0.5 and shown(value, row.inner_text().replace(gate, ""))
    card = (loaded.version / "README.md").read_text()
    assert f"| {markdown_text(gate)} | {value:.4g} |  | 0.5 | pass |" in card
    if loaded.case.card_table:
        assert f"## {markdown_text(loaded.case.card_table)}\n" in card

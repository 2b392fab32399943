"""The audit report in a real browser: Debian's Chromium, driven by playwright, opens `report.html`.

The page must load offline without errors, draw every inline SVG plot, paint something, and show
every number exactly as stats.json has it. Playwright only drives the system's /usr/bin/chromium
(installed by `make test`); it never downloads a browser of its own.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import run, write_jsonl
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
    # Debian's launcher means to add this when /dev/shm is small (as in a default Docker container),
    # but its check breaks when findmnt prints more than one line; shared memory then goes to /tmp.
    "--disable-dev-shm-usage",
]
FILTERS: list[Any] = [{"special_chars": {}}, {"exact_dedup": {}}]
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


def ensure_report(version: Path) -> Path:
    """`version/report.html`, rendered here from stats.json and manifest.json if the run did not write it."""
    html = version / "report.html"
    if not html.exists():
        from corpus.report import render_report

        stats = json.loads((version / "stats.json").read_text())
        manifest = json.loads((version / "manifest.json").read_text())
        html.write_text(render_report(stats, manifest, samples={}), encoding="utf-8")
    return html


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    summary = run(tmp, [write_jsonl(tmp / "in.jsonl", corpus_records())], FILTERS)
    return ensure_report(summary.path)


@pytest.fixture(scope="module")
def loaded(report_html: Path) -> Iterator[LoadedReport]:
    """Open the report offline: every non-local request is recorded and aborted."""
    stats = json.loads((report_html.parent / "stats.json").read_text())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            report = LoadedReport(page, stats)

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

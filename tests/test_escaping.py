"""Data is never markup: hostile file names, ids, texts, reasons, gate names and plugin errors
reach the dataset card and the terminal as the characters they are made of."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml
from conftest import corpus_cli, write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from corpus.escape import markdown_code, markdown_text, terminal
from corpus.stats import FilterStats
from filters import Filter, FilterParams, Verdict

IMG = "<img src=x onerror=alert(1)>"
LINK = "[link=http://evil.example]x[/link]"
TITLE = "\x1b]0;pwned\x07"
RED = "\x1b[31m"
HOSTILE_NAME = f"a`b{IMG}[/].jsonl"
HOSTILE_IDS = [LINK, "[/]", "<script>alert(1)</script>"]
HOSTILE_REASON = f"`{IMG}` | [/] {RED}{LINK}"
HOSTILE_ERROR = f"bad [/] {TITLE} {LINK} `{IMG}`"
HOSTILE_GATE = f"special_chars.counters.`{IMG}`|[/]"
TESTS = str(Path(__file__).parent)
PLAIN = {"COLUMNS": "200", "PYTHONPATH": os.pathsep.join(filter(None, (TESTS, os.environ.get("PYTHONPATH"))))}
COLOUR = {**PLAIN, "FORCE_COLOR": "1", "TERM": "xterm-256color"}


class HostileReasons(Filter):
    """Removes documents containing `reject-me`, with a reason full of markup."""

    name = "hostile_reasons"

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        hit = pc.match_substring(batch.column("text"), "reject-me")
        return Verdict(keep=pc.invert(hit), reason=pa.array(
            [HOSTILE_REASON if flag else None for flag in hit.to_pylist()], pa.string()))


class Explodes(Filter):
    """Raises on every batch, with markup and control sequences in the message."""

    name = "explodes"

    class Params(FilterParams):
        message: str = HOSTILE_ERROR

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        raise ValueError(self.params.message)


# Markdown ------------------------------------------------------------------------------------

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
STRUCTURE = {"p", "h1", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "code"}
# Characters Markdown, HTML, Rich and terminals give a meaning, mixed with anything at all.
TRICKY = st.text(st.sampled_from(list("`*_[]()<>&|~#+-=!\\/:;.1a \n\r\t\"'\x1b\x07\x85\u2028"))
                 | st.characters(), max_size=40)


class Rendered(HTMLParser):
    """The tags of a rendered HTML fragment and the text inside `target` elements."""

    def __init__(self, target: str) -> None:
        super().__init__(convert_charrefs=True)
        self.target, self.depth, self.tags, self.text = target, 0, [], ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.depth += tag == self.target

    def handle_endtag(self, tag):
        self.depth -= tag == self.target

    def handle_data(self, data):
        if self.depth:
            self.text += data


def rendered(markdown: str, target: str) -> Rendered:
    parser = Rendered(target)
    parser.feed(MARKDOWN.render(markdown))
    return parser


def one_line(value: str) -> str:
    """What an escaped value should show: line breaks as spaces, controls as pictures."""
    return terminal(re.sub(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]", " ", value))


@settings(max_examples=400, deadline=None)
@given(TRICKY)
def test_markdown_text_renders_as_the_same_characters_wherever_it_stands(value):
    escaped = markdown_text(value)
    assert "\n" not in escaped
    for markdown, target in ((escaped, "p"), (f"# {escaped}", "h1"), (f"- {escaped}", "li"),
                             (f"| h |\n|---|\n| {escaped} |\n", "td"), (f"before {escaped} after", "p")):
        page = rendered(markdown, target)
        assert set(page.tags) <= STRUCTURE - {"code", "strong"}, (markdown, page.tags)
        # Leading and trailing whitespace is layout, not content, to a Markdown renderer.
        expected = one_line(value).strip()
        if markdown.startswith("before"):
            expected = f"before {one_line(value)} after"
        assert page.text.strip() == expected, markdown


@settings(max_examples=400, deadline=None)
@given(TRICKY.filter(lambda value: value.strip(" \n\r\x0b\x0c\x85\u2028\u2029")))
def test_markdown_code_cannot_be_broken_out_of(value):
    page = rendered(f"see {markdown_code(value)} here", "code")
    assert page.tags == ["p", "code"]
    assert page.text == one_line(value)


@given(st.text())
def test_terminal_text_keeps_no_control_character(value):
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", terminal(value))
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", terminal(value, multiline=True))


def test_terminal_shows_escape_sequences_as_visible_characters():
    assert terminal(f"x{TITLE}{RED}y\r\n\tz\x9b", multiline=True) == "x␛]0;pwned␇␛[31my\n\tz\ufffd"
    assert terminal("a\nb\tc") == "a␊b␉c"


# A real run over hostile input ---------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Two versions of a dataset whose input, ids, texts, reasons and gate are hostile, and a
    failed run whose plugin error is hostile; `corpus` runs with the plugins importable."""
    root = tmp_path_factory.mktemp("escaping")
    folder, store = root / "in" / f"[red]x[/red] [/] {RED}", root / "out [red]x[/red] [/]"
    texts = [f"{TITLE}{RED} [/] `code` | pipe", f"{RED}*** {TITLE} [/] ``` ||| !!! ???",
             f"{IMG} ~~~ ||| `` ***"]
    records = [{"id": doc_id, "text": text} for doc_id, text in zip(HOSTILE_IDS, texts, strict=True)]
    records += [{"id": "reasoned", "text": "plain words only, nothing odd about this one: reject-me"},
                {"id": "kept", "text": "an ordinary sentence about rivers and towns"}]
    source = write_jsonl(folder / HOSTILE_NAME, records)
    runs = []
    for number, (ratio, env) in enumerate(((0.1, PLAIN), (0.2, COLOUR))):
        config = root / f"config-{number}.json"
        config.write_text(json.dumps({
            "dataset": "hostile", "input": {"paths": [str(folder)]},
            "output": {"root": str(store)},
            "filters": [{"special_chars": {"max_ratio": ratio}},
                        {"test_escaping:HostileReasons": {}}],
            "expectations": {HOSTILE_GATE: {"min": 0}},
        }))
        runs.append((corpus_cli("run", str(config), "--allow-failed-gates", env=env), env is COLOUR))
    broken = root / "broken.json"
    broken.write_text(json.dumps({"dataset": "hostile", "input": {"paths": [str(source)]},
                                  "output": {"root": str(store)},
                                  "filters": [{"test_escaping:Explodes": {}}]}))
    failed = corpus_cli("run", str(broken), env=PLAIN)
    return {"root": root, "dataset": store / "hostile", "runs": runs, "failed": failed,
            "source": source}


def assert_inert(result, colour: bool) -> str:
    """Exit 0; no control sequence from the data, no Rich markup read from it."""
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "\x07" not in output and "\x1b]" not in output  # no title, no hyperlink
    if colour:
        assert "\x1b[31m␛" not in output and "\x9b" not in output
    else:
        assert "\x1b" not in output
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)  # Rich's own styles, for the checks below


def test_the_card_shows_hostile_names_and_reasons_as_text(hostile):
    version = hostile["dataset"] / "v0002"
    card = (version / "README.md").read_text()
    assert "<img" not in card and "<script" not in card and "\x1b" not in card
    # The Hub renders the Markdown after the YAML front matter (dumped by yaml.safe_dump).
    _, front, card = card.split("---\n", 2)
    assert yaml.safe_load(front)["pretty_name"] == "hostile"
    html = MARKDOWN.render(card)
    assert "<img" not in html and "<script" not in html and "<a " not in html
    for tag in re.findall(r"<([a-z0-9]+)", html):
        assert tag in STRUCTURE | {"h2", "pre", "em"}, tag
    page = rendered(card, "td")
    assert one_line(str(hostile["source"])) in page.text
    assert "FAIL (no such statistic: " in page.text and IMG in page.text and HOSTILE_GATE in page.text
    reasons = rendered(card, "li").text
    assert one_line(HOSTILE_REASON) in reasons


def test_the_report_escapes_the_same_values(hostile):
    report = (hostile["dataset"] / "v0002" / "report.html").read_text()
    assert IMG not in report and "<script>alert" not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "&lt;img src=x onerror=alert(1)&gt;" in report
    page = Rendered("script")
    page.feed(report)
    assert "img" not in page.tags and "alert(1)" not in page.text


@pytest.mark.parametrize("env", [PLAIN, COLOUR], ids=["plain", "colour"])
def test_every_command_prints_hostile_data_as_text(hostile, env):
    colour = env is COLOUR
    for run, run_colour in hostile["runs"]:
        shown = assert_inert(run, run_colour)
        assert "[red]x[/red] [/]" in shown and f"gate FAIL {HOSTILE_GATE}" in shown
    dataset = str(hostile["dataset"])
    sample = assert_inert(corpus_cli("sample", dataset, "--rejected-by", "special_chars", env=env), colour)
    for doc_id in HOSTILE_IDS:
        assert doc_id in sample
    assert "␛]0;pwned␇␛[31m [/] `code` | pipe" in sample and IMG in sample
    runs = assert_inert(corpus_cli("runs", dataset, env=env), colour)
    assert "failed" in runs and "[/]" in runs
    diff = assert_inert(corpus_cli("diff", f"{dataset}@v0001", "@v0002", env=env), colour)
    assert "special_chars.max_ratio" in diff
    assert "hostile v0002" in assert_inert(corpus_cli("stats", dataset, env=env), colour)
    assert "v0002 (LATEST)" in assert_inert(corpus_cli("versions", dataset, env=env), colour)
    assert f"{dataset}/v0002: verified" in assert_inert(corpus_cli("verify", dataset, env=env), colour)
    gc = assert_inert(corpus_cli("gc", dataset, "--dry-run", env=env), colour)
    assert "would remove 1 staging area(s)" in gc
    target = hostile["root"] / f"report [red] {RED} {colour}.html"
    report = assert_inert(corpus_cli("report", dataset, "--output", str(target), env=env), colour)
    assert f"report {terminal(target)}" in report


def test_a_failing_plugin_prints_its_real_error(hostile):
    failed = hostile["failed"]
    assert failed.returncode == 1
    assert "\x1b" not in failed.stderr and "\x07" not in failed.stderr
    assert "MarkupError" not in failed.stderr
    assert f"filter 'test_escaping:Explodes' failed on {terminal(hostile['source'])}" in failed.stderr
    assert "ValueError" in failed.stderr and "resume" in failed.stderr


@pytest.mark.parametrize("env", [PLAIN, COLOUR], ids=["plain", "colour"])
def test_a_missing_input_with_markup_in_its_name_is_a_clear_error(tmp_path, env):
    missing = tmp_path / "in [/]" / "[link=evil]x[/link].jsonl"
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"dataset": "d", "input": {"paths": [str(missing)]},
                                  "output": {"root": str(tmp_path / "out")}}))
    result = corpus_cli("run", str(config), env=env)
    assert result.returncode == 2
    assert "\x1b]" not in result.stderr and "MarkupError" not in result.stderr
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)
    assert f"error: input '{missing}' matches no readable file" in shown

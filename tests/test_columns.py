"""Declared columns, checked along the chain before any data; language values from a closed set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import corpus_cli, read_rows, run, write_jsonl

from corpus.stats import FilterStats
from filters.languages import language_codes
from filters.special_chars import SpecialChars
from filters.text import collapse_whitespace, remove_whitespace
from pipelines.config import validate_config
from pipelines.plan import label_steps

CONFIGS = Path(__file__).parent.parent / "configs"
TOXIC = "Shut up, you stupid idiot, nobody wants to hear your crap. You are a worthless moron."
CLEAN = [
    "Thank you so much for your help with the garden this weekend.",
    "The museum opens at nine and the guided tour starts at ten.",
    "We cooked pasta with fresh tomatoes and basil for dinner.",
]
EMAIL = "jane.roe.secret@example.org"
JUNK = "<script>alert(1)</script>"
PLUGIN = '''
from filters import Filter, Verdict
import pyarrow as pa


class Tagger(Filter):
    name = "tagger"
    writes = ({column!r},)

    def apply(self, batch, stats):
        return Verdict(keep=pa.array([True] * batch.num_rows),
                       columns={{{column!r}: pa.array(["x"] * batch.num_rows)}})
'''


def config_file(tmp_path: Path, filters: list[Any]) -> Path:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": CLEAN[0]}])
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps({"dataset": "columns", "input": {"paths": [str(source)]},
                                "output": {"root": str(tmp_path / "out")}, "filters": filters}))
    return path


def plugin(tmp_path: Path, column: str) -> dict[str, str]:
    """A plugin module that writes `column`, importable by `tagger:Tagger`."""
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    (folder / "tagger.py").write_text(PLUGIN.format(column=column))
    return {"PYTHONPATH": str(folder)}


def assert_chain_error(tmp_path: Path, filters: list[Any], expected: str, env: dict | None = None) -> None:
    """`corpus validate` and `corpus run` both exit 2 with `expected`, no traceback, nothing written."""
    config = config_file(tmp_path, filters)
    for command in ("validate", "run"):
        result = corpus_cli(command, str(config), env=env)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert expected in " ".join(result.stderr.split()), (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_filter_that_reads_lang_before_langid_is_an_error(tmp_path):
    assert_chain_error(tmp_path, [{"special_chars": {}}, {"toxicity": {}}, {"langid": {}}],
                       "config.yaml: filters[1].toxicity: reads lang, which no earlier filter writes; "
                       "put langid before it or set lang_source: input or detect")


def test_per_language_thresholds_without_a_language_column_are_an_error(tmp_path):
    assert_chain_error(tmp_path, [{"special_chars": {"max_ratio_by_lang": {"en": 0.3}}}],
                       "config.yaml: filters[0].special_chars.max_ratio_by_lang: reads lang, which no "
                       "earlier filter writes; put langid before it or set lang_source: input")


def test_two_filters_writing_one_column_are_an_error(tmp_path):
    assert_chain_error(tmp_path, [{"langid": {}}, {"tagger:Tagger": {}}],
                       "config.yaml: filters[1].tagger:Tagger: writes lang, which langid (filters[0]) "
                       "writes too; two filters cannot write one column", env=plugin(tmp_path, "lang"))


def test_a_filter_writing_an_engine_column_is_an_error(tmp_path):
    assert_chain_error(tmp_path, [{"tagger:Tagger": {}}],
                       "config.yaml: filters[0].tagger:Tagger: writes reason, a column the engine owns",
                       env=plugin(tmp_path, "reason"))


def test_an_input_language_column_that_langid_replaces_is_an_error(tmp_path):
    assert_chain_error(tmp_path, [{"langid": {}}, {"toxicity": {"lang_source": "input"}}],
                       "config.yaml: filters[1].toxicity: reads the input column lang, but langid "
                       "(filters[0]) writes lang before it")


def test_every_problem_of_a_chain_is_reported_at_once(tmp_path):
    config = config_file(tmp_path, [{"special_chars": {"max_ratio_by_lang": {"en": 0.3}}},
                                    {"toxicity": {}}, {"langid": {}}])
    result = corpus_cli("validate", str(config))
    assert result.returncode == 2
    assert "filters[0].special_chars.max_ratio_by_lang" in result.stderr
    assert "filters[1].toxicity: reads lang" in result.stderr


@pytest.mark.parametrize("name", ["quickstart.yaml", "web-ko.yaml"])
def test_shipped_configs_still_validate(name):
    assert corpus_cli("validate", str(CONFIGS / name)).returncode == 0


@pytest.mark.parametrize("filters", [
    [{"toxicity": {}}],  # identifies languages itself: no filter writes lang
    [{"minhash_dedup": {}}, {"langid": {}}],  # reads no lang: one token stream for every script
    [{"special_chars": {"max_ratio_by_lang": {"en": 0.3}, "lang_source": "input"}}],
    [{"toxicity": {"lang_source": "detect"}}, {"langid": {}}],
    [{"exact_dedup": {}}, {"minhash_dedup": {}}],  # both fill duplicate_of, declared shared
    [{"special_chars": {"max_ratio": 0.9}}, {"special_chars": {"max_ratio": 0.3}}],  # a repeat
    [{"langid": {}}, {"pii": {}}, {"pii": {}}],
])
def test_chains_that_hold_together_validate(tmp_path, filters):
    result = corpus_cli("validate", str(config_file(tmp_path, filters)))
    assert result.returncode == 0, result.stderr


def test_the_planner_tells_each_filter_what_earlier_filters_write():
    config = validate_config({"dataset": "x", "input": {"paths": ["a.jsonl"]}, "filters": [
        {"toxicity": {}}, {"langid": {}}, {"special_chars": {}}, {"minhash_dedup": {}}]})
    steps = label_steps(config.filters)
    assert steps[0].filter.upstream == frozenset()
    assert steps[2].filter.upstream == {"toxicity_score", "lang", "lang_score", "lang_script"}
    assert "special_char_ratio" in steps[3].filter.upstream


def test_language_values_come_from_a_closed_set():
    column = pa.array(["en", "EN", "eng", "en-US", "kor", "cmn", EMAIL, JUNK, "zzzz", "", "und", None])
    found = language_codes(column)
    assert found.codes.tolist() == ["en", "en", "en", "en", "ko", "zh", None, None, None, None, None, None]
    assert (found.missing, found.other) == (3, 3)
    # a code the config names is known; a column of lists holds no code at all
    assert language_codes(pa.array(["xx"]), frozenset({"xx"})).codes.tolist() == ["xx"]
    nested = language_codes(pa.array([["en"], None]))
    assert (nested.codes.tolist(), nested.missing, nested.other) == ([None, None], 1, 1)


def planted_records() -> list[dict[str, Any]]:
    """English documents whose input `lang` holds an email, markup, a real code or nothing."""
    return [{"id": "c0", "text": CLEAN[0], "lang": EMAIL},
            {"id": "c1", "text": CLEAN[1], "lang": JUNK},
            {"id": "c2", "text": CLEAN[2], "lang": "en"},
            {"id": "bad", "text": TOXIC}]


def version_text(version: Path) -> str:
    """Every file of a version as text: JSON, HTML and Markdown as written, Parquet decoded."""
    parts = []
    for path in sorted(version.rglob("*")):
        if path.suffix == ".parquet":
            parts.append(json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False))
        elif path.is_file():
            parts.append(path.read_text(errors="replace"))
    return "\n".join(parts)


def test_input_language_values_outside_the_set_never_reach_stats_or_the_report(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", planted_records())
    summary = run(tmp_path, [source], [{"toxicity": {"lang_source": "input"}}])
    stats = json.loads((summary.path / "stats.json").read_text())
    assert stats["filters"][0]["counters"]["lang_values"] == {"valid": 1, "missing": 1, "other": 2}
    # only published documents may carry the planted values (their passthrough column)
    for name in ("stats.json", "report.html", "README.md", "manifest.json"):
        text = (summary.path / name).read_text()
        assert EMAIL not in text and "alert(1)" not in text and "script&gt;" not in text, name
    assert stats["filters"][0]["counters"]["docs_by_lang.classifier"] == {"en": 4}


def test_an_input_lang_column_is_ignored_unless_asked_for(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", planted_records())
    summary = run(tmp_path, [source], [{"toxicity": {}}], output={"keep_rejects": False})
    stats = json.loads((summary.path / "stats.json").read_text())["filters"][0]
    assert "lang_values" not in stats["counters"]  # identified with lid.176, the column never read
    assert stats["counters"]["docs_by_lang.classifier"] == {"en": 4}
    assert EMAIL not in json.dumps(stats) and EMAIL not in (summary.path / "report.html").read_text()


@pytest.mark.parametrize("source", ["input", "chain"])
def test_a_toxic_english_document_without_lang_is_removed_as_when_alone(tmp_path, source):
    alone = write_jsonl(tmp_path / "alone" / "in.jsonl", [{"id": "bad", "text": TOXIC}])
    mixed = write_jsonl(tmp_path / "mixed" / "in.jsonl", [
        {"id": f"c{i}", "text": text, "lang": "en"} for i, text in enumerate(CLEAN)] + [
        {"id": "bad", "text": TOXIC}])
    for folder, path in (("alone", alone), ("mixed", mixed)):
        summary = run(tmp_path / folder, [path], [{"toxicity": {"lang_source": source}}])
        rejects = read_rows(summary.path / "rejects")
        assert [(r["id"], r["reason"]) for r in rejects] == [("bad", "toxic")], folder
        assert rejects[0]["toxicity_score"] > 0.8


def test_per_language_thresholds_read_checked_input_codes(tmp_path):
    text = "abc!"  # ratio 0.25
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "upper", "text": text, "lang": "EN"}, {"id": "three", "text": text, "lang": "eng"},
        {"id": "junk", "text": text, "lang": EMAIL}, {"id": "none", "text": text}])
    summary = run(tmp_path, [source], [{"special_chars": {
        "max_ratio": 0.5, "max_ratio_by_lang": {"en": 0.2}, "lang_source": "input"}}])
    assert [r["id"] for r in read_rows(summary.path / "data")] == ["junk", "none"]


def test_run_constants_are_declared_once_not_written_per_batch(tmp_path):
    flt = SpecialChars()
    flt.setup()
    stats = FilterStats("special_chars")
    flt.run(pa.RecordBatch.from_pydict({"id": ["a"], "text": ["abc"]}), stats)
    assert stats.info == {}
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": str(i), "text": t} for i, t in enumerate(CLEAN)])
    summary = run(tmp_path, [source], [{"special_chars": {}}, {"toxicity": {}}], input={"batch_rows": 1})
    info = [entry["info"] for entry in json.loads((summary.path / "stats.json").read_text())["filters"]]
    assert "P*, S*, C*" in info[0]["definition"]
    assert info[1] == {"backend": "auto", "max_score": 0.8}


def test_built_in_filters_write_only_what_they_declare(tmp_path):
    records = [{"id": f"d{i}", "text": f"{text} Mail me at someone{i}@example.com.", "source": "web"}
               for i, text in enumerate(CLEAN * 2)]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    chain = [{"langid": {"min_score": 0.0}}, {"special_chars": {}}, {"toxicity": {}}, {"pii": {}},
             {"exact_dedup": {}}, {"minhash_dedup": {}}]
    summary = run(tmp_path, [source], chain)
    config = validate_config({"dataset": "x", "input": {"paths": ["a"]}, "filters": chain})
    declared = {column for step in label_steps(config.filters) for column in step.filter.column_writes()}
    published = set(pq.read_schema(next((summary.path / "data").glob("*.parquet"))).names)
    # The engine's own: the document contract and the provenance columns (output.provenance).
    assert published - {"id", "text", "source", "source_file", "source_offset"} == declared - {"text"}


def test_unicode_whitespace_is_whitespace_for_exact_dedup(tmp_path):
    texts = ["hello world again", "hello\u00a0world\u3000again", "  hello \u2003 world\u202fagain\u00a0",
             "Hello\u2028World again"]
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": f"d{i}", "text": t} for i, t in enumerate(texts)])
    summary = run(tmp_path, [source], [{"exact_dedup": {}}])
    assert [r["id"] for r in read_rows(summary.path / "data")] == ["d0"]
    assert {r["duplicate_of"] for r in read_rows(summary.path / "rejects")} == {"d0"}


def test_one_whitespace_definition_for_every_normalisation():
    text = pa.array(["a\u00a0b \t c\u3000", "\u2029x\u1680y\u205f"])
    assert collapse_whitespace(text).to_pylist() == ["a b c", "x y"]
    assert remove_whitespace(text).to_pylist() == ["abc", "xy"]

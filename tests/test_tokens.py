"""Token counts: every step's tokens in and out, by language, in stats, funnel, report, card and gates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import corpus_cli, read_rows, run, write_jsonl
from langid_samples import SAMPLES

from corpus.errors import ConfigError
from corpus.funnel import funnel_table
from corpus.gates import evaluate
from corpus.stats import FilterStats
from pipelines.config import check_resources, load_config, validate_config

tokenizers = pytest.importorskip("tokenizers")

CHAIN = [{"langid": {"languages": ["en", "ko", "de"]}}, {"special_chars": {}},
         {"pii": {"action": "redact"}}, {"minhash_dedup": {}}]
PII = 2  # the step that rewrites text
NOISE = "#### $$$$ @@@@ !!!! ~~~~ %%%% ^^^^ &&&& **** <<<>>> ||| {{{}}}"


@pytest.fixture(scope="module")
def tokenizer_file(tmp_path_factory) -> Path:
    """A byte-level BPE tokenizer trained here, offline, on a few hundred sentences in 29 languages."""
    lines = [sentence for groups in SAMPLES.values() for texts in groups.values() for text in texts
             for sentence in re.split(r"(?<=[.!?。])\s*", text) if sentence]
    assert len(lines) > 300
    tokenizer = tokenizers.Tokenizer(tokenizers.models.BPE())
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=1000, show_progress=False,
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(lines, trainer)
    path = tmp_path_factory.mktemp("tokenizer") / "tokenizer.json"
    tokenizer.save(str(path))
    return path


def count(tokenizer_file: Path, texts: list[str]) -> int:
    """An independent count: one `encode` per text, no special tokens."""
    tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_file))
    return sum(len(tokenizer.encode(text, add_special_tokens=False).ids) for text in texts)


def documents() -> list[dict[str, Any]]:
    """Prose in five languages (three kept by langid), some with an e-mail address (redacted by
    pii), symbol noise in a kept language, and copies (removed by minhash_dedup)."""
    records = []
    for lang in ("en", "ko", "de", "ja", "fr"):
        for number, text in enumerate(SAMPLES[lang]["long"] + SAMPLES[lang]["short"]):
            if number % 3 == 0:
                text += f" Write to someone{number}.{lang}@example.com for details."
            records.append({"id": f"{lang}-{number}", "text": text})
    records += [{"id": f"noise-{i}", "text": f"{SAMPLES['en']['short'][i]} {NOISE * 3}"} for i in range(3)]
    records += [{"id": f"copy-{r['id']}", "text": r["text"]} for r in records[:16:2]]
    return records


def write_inputs(folder: Path, records: list[dict[str, Any]]) -> list[Path]:
    """Half the records as JSONL, half as Parquet."""
    half = len(records) // 2
    parquet = folder / "part-1.parquet"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(records[half:]), parquet)
    return [write_jsonl(folder / "part-0.jsonl", records[:half]), parquet]


@pytest.fixture(scope="module")
def counted(tmp_path_factory, tokenizer_file):
    """A real run of CHAIN over JSONL and Parquet with the tokenizer: (summary, input records)."""
    tmp = tmp_path_factory.mktemp("counted")
    records = documents()
    summary = run(tmp, write_inputs(tmp / "in", records), CHAIN, tokenizer=str(tokenizer_file))
    return summary, records


def by_lang(tokenizer_file: Path, texts: dict[str, str], langs: dict[str, str]) -> dict[str, int]:
    groups: dict[str, list[str]] = {}
    for doc_id, text in texts.items():
        groups.setdefault(langs[doc_id], []).append(text)
    return {lang: count(tokenizer_file, group) for lang, group in groups.items()}


def test_every_step_counts_the_tokens_of_the_documents_it_saw_and_kept(counted, tokenizer_file):
    summary, records = counted
    stats = json.loads((summary.path / "stats.json").read_text())
    original = {r["id"]: r["text"] for r in records}
    kept_rows = read_rows(summary.path / "data")
    reject_rows = read_rows(summary.path / "rejects")
    labels = [next(iter(step)) for step in CHAIN]
    removed_at = {row["id"]: labels.index(row["filter"]) for row in reject_rows}
    # Text after pii's redaction: in the data, and in the rejects of the steps after it.
    redacted = {row["id"]: row["text"] for row in kept_rows}
    redacted |= {row["id"]: row["text"] for row in reject_rows if removed_at[row["id"]] > PII}
    assert any(redacted[i] != original[i] for i in redacted), "pii redacted nothing: no recount tested"
    lang = {row["id"]: row["lang"] for row in kept_rows + reject_rows}

    for index, entry in enumerate(stats["filters"]):
        entering = [i for i in original if removed_at.get(i, len(labels)) >= index]
        leaving = [i for i in entering if removed_at.get(i) != index]
        text_in = original if index <= PII else redacted
        text_out = original if index < PII else redacted
        assert entry["tokens_in"] == count(tokenizer_file, [text_in[i] for i in entering]), entry["name"]
        assert entry["tokens_out"] == count(tokenizer_file, [text_out[i] for i in leaving]), entry["name"]
        assert entry["tokens_in_by_lang"] == by_lang(tokenizer_file, {i: text_in[i] for i in entering}, lang)
        assert entry["tokens_by_lang"] == by_lang(tokenizer_file, {i: text_out[i] for i in leaving}, lang)
    assert stats["filters"][PII]["tokens_out"] < stats["filters"][PII]["tokens_in"]
    assert stats["filters"][0]["tokens_in_by_lang"].keys() > stats["filters"][0]["tokens_by_lang"].keys()

    total = stats["total"]
    assert total["tokens_in"] == count(tokenizer_file, list(original.values()))
    assert total["tokens_out"] == count(tokenizer_file, [row["text"] for row in kept_rows])
    assert total["tokens_out"] == stats["filters"][-1]["tokens_out"]
    assert total["tokens_by_lang"] == stats["filters"][-1]["tokens_by_lang"]
    assert set(total["tokens_by_lang"]) <= {"en", "ko", "de"} and total["tokenize_seconds"] > 0
    assert not any(name.startswith("__corpus") for name in pq.read_schema(
        next((summary.path / "data").glob("*.parquet"))).names)

    manifest = json.loads((summary.path / "manifest.json").read_text())
    assert manifest["tokenizer"]["vocab_size"] == 1000
    assert manifest["tokenizer"]["tokenizers"] == tokenizers.__version__


def test_the_funnel_report_and_card_show_every_token_count(counted):
    summary, _ = counted
    from test_report import Page, assert_numbers_match

    stats = json.loads((summary.path / "stats.json").read_text())
    page = Page((summary.path / "report.html").read_text())
    assert_numbers_match(page, stats)
    shown = {stat["path"] for stat in page.stats}
    paths = {"total.tokens_in", "total.tokens_out", "total.tokenize_seconds"}
    paths |= {f"total.tokens_by_lang.{code}" for code in stats["total"]["tokens_by_lang"]}
    for entry in stats["filters"]:
        paths |= {f"filters.{entry['name']}.{key}" for key in ("tokens_in", "tokens_out")}
        paths |= {f"filters.{entry['name']}.{group}.{code}"
                  for group in ("tokens_in_by_lang", "tokens_by_lang") for code in entry[group]}
    assert paths <= shown, paths - shown

    table = funnel_table(stats)
    assert [column.header for column in table.columns][6:8] == ["tokens in", "tokens out"]
    assert list(table.columns[7].cells)[-1] == f"{stats['total']['tokens_out']:,}"

    card = (summary.path / "README.md").read_text()
    assert f"{stats['total']['tokens_in']:,} tokens read, {stats['total']['tokens_out']:,} kept" in card
    pii = stats["filters"][PII]
    assert f"tokens {pii['tokens_in']:,} in and {pii['tokens_out']:,} out" in card
    assert "| ko |" in card


def test_gates_on_tokens_pass_and_fail_and_a_failed_one_holds_latest_back(tmp_path, tokenizer_file, counted):
    stats = counted[0].stats
    kept, korean = stats["total"]["tokens_out"], stats["filters"][0]["tokens_by_lang"]["ko"]
    results = evaluate({"total.tokens_out": {"min": kept}, "langid.tokens_by_lang.ko": {"min": korean},
                        "langid.tokens_by_lang.fr": {"max": 0}, "total.tokens_by_lang.ja": {"max": 0}}, stats)
    assert [result.passed for result in results] == [True] * 4, results

    summary = run(tmp_path, write_inputs(tmp_path / "in", documents()), CHAIN[:2],
                  tokenizer=str(tokenizer_file),
                  expectations={"total.tokens_out": {"min": 3.0e9}, "langid.tokens_by_lang.ko": {"min": 1}})
    failed, passed = summary.gates
    assert not failed.passed and failed.value == summary.stats["total"]["tokens_out"] > 0
    assert passed.passed and passed.value == summary.stats["filters"][0]["tokens_by_lang"]["ko"]
    assert not (summary.path.parent / "LATEST").exists()


def test_a_resumed_run_keeps_the_token_counts(tmp_path, tokenizer_file):
    inputs = [write_jsonl(tmp_path / "in" / f"part-{n}.jsonl", part)
              for n, part in enumerate(_chunks(documents(), 4))]

    def config(name: str) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(json.dumps({
            "dataset": "tokens", "workers": 1, "tokenizer": str(tokenizer_file),
            "input": {"paths": [str(p) for p in inputs], "batch_rows": 8},
            "output": {"root": str(tmp_path / name)},
            "filters": [{"special_chars": {}}, {"minhash_dedup": {}}]}))
        return path

    corpus_cli("run", str(config("whole")), "-q", check=True)
    killed = corpus_cli("run", str(config("resumed")), "-q", env={"CORPUS_KILL_AT": "unit:3"})
    assert killed.returncode != 0
    resumed = corpus_cli("run", str(config("resumed")), check=True)
    assert "reusing" in resumed.stdout + resumed.stderr

    def tokens(root: str) -> list[Any]:
        dataset = tmp_path / root / "tokens"
        stats = json.loads((dataset / (dataset / "LATEST").read_text().strip() / "stats.json").read_text())
        return [stats["total"]["tokens_in"], stats["total"]["tokens_out"]] + [
            (entry["tokens_in"], entry["tokens_out"], entry["tokens_by_lang"]) for entry in stats["filters"]]

    assert tokens("whole") == tokens("resumed")
    assert tokens("whole")[0] == count(tokenizer_file, [r["text"] for r in documents()])


def test_a_step_no_document_reached_counts_zero_tokens_not_none(tmp_path, tokenizer_file):
    noise = [{"id": f"n{i}", "text": NOISE * (i + 1)} for i in range(5)]
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", noise)],
                  [{"special_chars": {}}, {"minhash_dedup": {}}], tokenizer=str(tokenizer_file))

    special, dedup = summary.stats["filters"]
    assert special["docs_out"] == 0
    assert special["tokens_in"] == count(tokenizer_file, [r["text"] for r in noise])
    assert (dedup["tokens_in"], dedup["tokens_out"], dedup["tokens_by_lang"]) == (0, 0, {})
    assert summary.stats["total"]["tokens_out"] == 0


def test_without_a_tokenizer_every_count_says_none_was_configured(tmp_path):
    summary = run(tmp_path, write_inputs(tmp_path / "in", documents()), [{"special_chars": {}}])
    stats = json.loads((summary.path / "stats.json").read_text())

    assert all(stats["total"][key] is None for key in ("tokens_in", "tokens_out", "tokens_by_lang"))
    assert all(entry[key] is None for entry in stats["filters"]
               for key in ("tokens_in", "tokens_out", "tokens_in_by_lang", "tokens_by_lang"))
    assert json.loads((summary.path / "manifest.json").read_text())["tokenizer"] is None
    assert "no tokenizer was configured" in (summary.path / "report.html").read_text()
    assert "Not counted: no tokenizer was configured." in (summary.path / "README.md").read_text()
    assert "no tokenizer configured" in funnel_table(stats).caption
    assert "tokens in" not in [column.header for column in funnel_table(stats).columns]
    gate = evaluate({"total.tokens_out": {"min": 1}}, stats)[0]
    assert not gate.passed and "no tokenizer was configured" in gate.error

    with pytest.raises(ConfigError, match=r"expectation 'total.tokens_out' counts tokens: set tokenizer"):
        validate_config({"dataset": "d", "input": {"paths": ["x"]},
                         "expectations": {"total.tokens_out": {"min": 3.0e9}}})


def test_a_missing_or_broken_tokenizer_is_a_config_error_naming_the_key(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"model": {"type": "BPE"')
    for path, problem in ((tmp_path / "absent.json", "does not exist"),
                          (broken, "is not a Hugging Face tokenizer.json file"),
                          (tmp_path, "is a directory")):
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps({"dataset": "d", "input": {"paths": [str(tmp_path / "none.jsonl")]},
                                      "tokenizer": str(path)}))
        with pytest.raises(ConfigError, match=f"^{re.escape(str(config))}: tokenizer: .*{problem}"):
            check_resources(load_config(config))
        result = corpus_cli("validate", str(config))
        assert result.returncode != 0 and f"{config}: tokenizer: " in result.stderr
        assert "Traceback" not in result.stderr


def test_token_statistics_merge_and_round_trip():
    counted = FilterStats("langid", tokens_in=10, tokens_out=7, tokens_in_by_lang={"ko": 6, "ja": 4},
                          tokens_by_lang={"ko": 7})
    other = FilterStats("langid")
    other.count_tokens(5, 1, {"ko": 5}, {"ko": 1})
    merged = counted + other + FilterStats("langid")  # the last: a resolve, which counts no tokens

    assert (merged.tokens_in, merged.tokens_out) == (15, 8)
    assert merged.tokens_in_by_lang == {"ja": 4, "ko": 11} and merged.tokens_by_lang == {"ko": 8}
    assert FilterStats.from_dict(json.loads(json.dumps(merged.to_dict()))) == merged
    assert (FilterStats("x") + FilterStats("x")).to_dict()["tokens_in"] is None


def _chunks(items: list[Any], parts: int) -> list[list[Any]]:
    size = -(-len(items) // parts)
    return [items[start:start + size] for start in range(0, len(items), size)]

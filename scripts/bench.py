"""Benchmark harness: our pipeline against datatrove on the same synthetic JSONL corpus.

Usage:
    python scripts/bench.py [--docs 200000] [--doc-chars 3000] [--workers 2] [--out /tmp/bench]
                            [--skip-datatrove] [--json results.json]
    python scripts/bench.py --startup                  # fixed cost: whole processes, 40,000 docs
    python scripts/bench.py --pipeline quickstart      # the quickstart chain, 20,000 docs [--profile]
    python scripts/bench.py --gopher                   # gopher_quality + gopher_repetition [--profile]
    python scripts/bench.py --tokenizer PATH           # token counting's cost per core, 40,000 docs

Steps:
1. Generate (seeded, reused when the parameters match) a JSONL corpus of multilingual
   prose (Latin, Hangul, Kana/Kanji, Hanzi, Cyrillic) plus about 5 % symbol-soup documents,
   in `workers * 2` files OUT/input/part-XX.jsonl with fields id, text.
2. Run our pipeline (JSONL > special_chars(max_ratio=0.5) > Parquet) in a subprocess.
3. Run datatrove (JsonlReader > LambdaFilter(same ratio in Python) > ParquetWriter) in a
   subprocess with the same workers and one task per file.
4. Time the special_chars filter alone on one in-memory sample, ours on Arrow batches of
   4096 against the per-document Python function.
5. Print a Markdown table, compare the kept counts, and optionally write JSON.

Every figure is measured in the run. Wall time is the pipeline call inside the subprocess
(interpreter start and imports excluded); peak RSS is the largest sum of the RSS of the
subprocess and all its descendants, sampled every 0.1 s (a shared page counts once per process
that maps it). The CPU seconds of the process tree and of everything else running on the
machine meanwhile are printed too: on a shared machine, compare runs only when the latter is small.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

# The engine's modules are imported where they are used: datatrove's children import this
# script too, and should not pay for our imports.

SEED = 20261128
DUP_SOURCES = 10_000  # earlier documents --dup-rate copies are drawn from
CORPUS_FORMAT = 2  # bump when the generator changes, so cached corpora are rebuilt
MAX_RATIO = 0.5
SYMBOL_SOUP_SHARE = 0.05
MICRO_DOCS = 20_000
MICRO_BATCH_ROWS = 4096
POLL_SECONDS = 0.1
MB = 1_000_000
TARGET_SPEEDUP = 3.0
PIPELINE = "pipeline"
FILTER_IN_PIPELINE = "special_chars in pipeline (per core)"
FILTER_MICRO = "special_chars alone (1 core)"
LANGID_MICRO = "langid alone (1 core)"
TOXICITY_MICRO = "toxicity alone (1 core)"
DEDUP = "minhash_dedup pipeline"
PII_MICRO = "pii alone, 5 % of 2 KB docs with PII (1 core)"
PII_DOCS = 4000
ROOT = Path(__file__).resolve().parents[1]
WEB_PATTERN = "part-*.jsonl.gz"

# A small word list per script, space-separated.
_WORD_LISTS = {
    "latin": (
        "the of and river city people market school garden winter summer report council village "
        "bridge history music library station morning evening project research water light story "
        "family friend travel north south small large quiet early late new old green bright café "
        "über niño façade naïve señora straße élève déjà Zürich Kraków être año"
    ),
    "hangul": (
        "우리는 학교에 도서관 사람들이 오늘 내일 아침 저녁 도시의 시장에서 친구와 함께 이야기를 "
        "했습니다 새로운 계획을 발표했다 강가에서 음악을 듣고 있었다 연구팀은 결과를 확인했다"
    ),
    "japanese": (
        "今日は 東京の 学校で 先生が 新しい 計画を 発表しました 図書館 駅の 近くに ありました "
        "私たちは 友達と 一緒に 音楽を 聞きました カメラ コンピュータ ニュース について "
        "話しました 市場 川沿いの 公園 です ます そして しかし"
    ),
    "hanzi": (
        "我们 今天 城市 学校 图书馆 市场 人们 朋友 一起 讨论 新的 计划 研究 结果 河边 公园 "
        "音乐 历史 发展 经济 文化 非常 重要 已经 开始 委员会 报告 认为"
    ),
    "cyrillic": (
        "город река школа библиотека люди рынок утром вечером новый старый проект исследование "
        "результаты друзья вместе музыка история совет обсудил план мост зима лето деревня "
        "станция говорили работа"
    ),
}
WORDS = {script: words.split() for script, words in _WORD_LISTS.items()}
# Share of prose documents per script (the rest of the corpus is symbol soup).
SCRIPT_WEIGHTS = {"latin": 0.45, "cyrillic": 0.15, "hangul": 0.10, "japanese": 0.15, "hanzi": 0.15}
UNSPACED = {"japanese", "hanzi"}
CLAUSE_MARK = {"latin": ",", "cyrillic": ",", "hangul": ",", "japanese": "、", "hanzi": "，"}
SENTENCE_END = {"latin": ".?!", "cyrillic": ".?!", "hangul": ".?", "japanese": "。？", "hanzi": "。？！"}
SYMBOLS = "!@#$%^&*()[]{}<>+=-_/\\|~`;:'\",.?→★©®±§¶•…€£¥😀🚀🔥"
SOUP_LETTERS = "abcdefxyz0123456789"


# --------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Corpus:
    """The generated input: its files and measured sizes."""

    folder: Path
    params: dict[str, Any]
    file_bytes: int
    text_bytes: int
    pattern: str = "part-*.jsonl"

    @property
    def files(self) -> list[Path]:
        return sorted(self.folder.glob(self.pattern))

    @property
    def docs(self) -> int:
        return self.params["docs"]


def ensure_corpus(out: Path, docs: int, doc_chars: int, files: int, dup_rate: float = 0.0) -> Corpus:
    """The corpus under OUT/input, generated unless one with the same parameters exists."""
    folder = out / "input"
    params = {"docs": docs, "doc_chars": doc_chars, "files": files, "seed": SEED,
              "format": CORPUS_FORMAT, "symbol_soup_share": SYMBOL_SOUP_SHARE}
    if dup_rate:
        params["dup_rate"] = dup_rate
    meta_path = folder / "params.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["params"] == params and len(list(folder.glob("part-*.jsonl"))) == files:
            print(f"reusing corpus {folder}", file=sys.stderr)
            return Corpus(folder, params, meta["file_bytes"], meta["text_bytes"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"generating {docs:,} documents in {folder} ...", file=sys.stderr)
    text_bytes = write_corpus(folder, docs, doc_chars, files, dup_rate)
    file_bytes = sum(path.stat().st_size for path in folder.glob("part-*.jsonl"))
    meta_path.write_text(json.dumps({"params": params, "file_bytes": file_bytes,
                                     "text_bytes": text_bytes}, indent=2))
    return Corpus(folder, params, file_bytes, text_bytes)


def write_corpus(folder: Path, docs: int, doc_chars: int, files: int, dup_rate: float = 0.0) -> int:
    """Write documents 0..docs-1 in contiguous runs over `files` files; the UTF-8 text bytes.

    With `dup_rate`, that share of documents are near copies of an earlier one (`near_copy`),
    so the dedup resolve has clusters to find."""
    rng = random.Random(SEED)
    text_bytes = 0
    earlier: list[str] = []  # a sample of earlier documents that copies are made of
    for part in range(files):
        first, last = part * docs // files, (part + 1) * docs // files
        with open(folder / f"part-{part:02d}.jsonl", "wb") as handle:
            for index in range(first, last):
                if earlier and rng.random() < dup_rate:
                    text = near_copy(rng, rng.choice(earlier))
                else:
                    text = make_document(rng, doc_chars)
                    if dup_rate and len(earlier) < DUP_SOURCES:
                        earlier.append(text)
                    elif dup_rate and rng.random() < 0.01:
                        earlier[rng.randrange(DUP_SOURCES)] = text
                text_bytes += len(text.encode())
                handle.write(orjson.dumps({"id": f"doc-{index:08d}", "text": text}) + b"\n")
    return text_bytes


def near_copy(rng: random.Random, text: str) -> str:
    """An exact copy (a third of the time) or the text with a few words replaced and a line
    appended: 5-gram Jaccard about 0.8-0.95 for space-separated scripts."""
    if rng.random() < 1 / 3:
        return text
    words = text.split(" ")
    for _ in range(max(1, len(words) // 200)):
        words[rng.randrange(len(words))] = "edited"
    return " ".join(words) + " Shared from the archive."


def make_document(rng: random.Random, doc_chars: int) -> str:
    """One document of about doc_chars characters (between 2/3 and 4/3 of it)."""
    length = rng.randint(doc_chars * 2 // 3, doc_chars * 4 // 3)
    if rng.random() < SYMBOL_SOUP_SHARE:
        return symbol_soup(rng, length)
    script = rng.choices(list(SCRIPT_WEIGHTS), weights=list(SCRIPT_WEIGHTS.values()))[0]
    return prose(rng, script, length)


def prose(rng: random.Random, script: str, length: int) -> str:
    """Paragraphs of random sentences in one script, cut to `length` characters."""
    glue = "" if script in UNSPACED else " "
    parts: list[str] = []
    size = 0
    while size < length:
        sentences = [sentence(rng, script) for _ in range(rng.randint(3, 6))]
        paragraph = glue.join(sentences) + "\n\n"
        parts.append(paragraph)
        size += len(paragraph)
    return "".join(parts)[:length].rstrip()


def sentence(rng: random.Random, script: str) -> str:
    """6-16 words with an occasional clause mark, number or no-break space, and an end mark."""
    glue = "" if script in UNSPACED else " "
    words = rng.choices(WORDS[script], k=rng.randint(6, 16))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.randint(2, 999)}\u00a0km")
    if rng.random() < 0.5:
        position = rng.randrange(1, len(words))
        words[position - 1] += CLAUSE_MARK[script]
    text = glue.join(words)
    return text[0].upper() + text[1:] + rng.choice(SENTENCE_END[script])


def symbol_soup(rng: random.Random, length: int) -> str:
    """Short tokens where each character is a symbol with probability 0.55-0.95."""
    share = rng.uniform(0.55, 0.95)
    tokens: list[str] = []
    size = 0
    while size < length:
        token = "".join(rng.choice(SYMBOLS) if rng.random() < share else rng.choice(SOUP_LETTERS)
                        for _ in range(rng.randint(1, 8)))
        tokens.append(token + ("\n" if rng.random() < 0.05 else " "))
        size += len(tokens[-1])
    return "".join(tokens)[:length].rstrip()


# --------------------------------------------------------------------------- the rule in Python


def special_ratio(text: str) -> float | None:
    """Special (P*, S*, C* and not whitespace) over non-whitespace characters; None if none."""
    visible = special = 0
    for char in text:
        if char.isspace():
            continue
        visible += 1
        if unicodedata.category(char)[0] in "PSC":
            special += 1
    return special / visible if visible else None


def keep_text(text: str) -> bool:
    ratio = special_ratio(text)
    return ratio is not None and ratio < MAX_RATIO


def keep_document(doc: Any) -> bool:
    """datatrove's LambdaFilter predicate: True keeps the document."""
    return keep_text(doc.text)


# --------------------------------------------------------------------------- subprocess bodies


def child_ours(out: Path, workers: int) -> dict[str, Any]:
    """Run our pipeline over OUT/input into OUT/ours; the wall time and the version folder."""
    return _run_ours(out / "ours", out, workers, [{"special_chars": {"max_ratio": MAX_RATIO}}])


def child_dedup(out: Path, workers: int) -> dict[str, Any]:
    """Near-dedup at scale: minhash_dedup (128 permutations, threshold 0.8, verification from
    BENCH_DEDUP_VERIFY, set by --dedup-verify) over OUT/input."""
    verify = os.environ.get("BENCH_DEDUP_VERIFY", "exact")
    result = _run_ours(out / "dedup", out, workers, [{"minhash_dedup": {"threshold": 0.8, "verify": verify}}])
    # this process is the run's driver (the resolve's pairs and clusters); ru_maxrss is in KiB
    return result | {"driver_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB}


def _run_ours(root: Path, out: Path, workers: int, filters: list[dict[str, Any]]) -> dict[str, Any]:
    from pipelines.config import validate_config
    from pipelines.run import run_pipeline

    shutil.rmtree(root, ignore_errors=True)
    config = validate_config({
        "dataset": "bench",
        "input": {"paths": [str(out / "input" / "part-*.jsonl")], "format": "jsonl"},
        "output": {"root": str(root)},
        "workers": workers,
        "filters": filters,
    }, source="bench")
    started = time.perf_counter()
    summary = run_pipeline(config)
    return {"wall_seconds": time.perf_counter() - started, "version": str(summary.path)}


def child_datatrove(out: Path, workers: int) -> dict[str, Any]:
    """Run datatrove's equivalent pipeline over OUT/input into OUT/datatrove."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import LambdaFilter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import ParquetWriter

    root = out / "datatrove"
    shutil.rmtree(root, ignore_errors=True)  # datatrove skips tasks its logs mark completed
    tasks = len(list((out / "input").glob("part-*.jsonl")))
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(out / "input"), glob_pattern="part-*.jsonl"),
            LambdaFilter(keep_document),
            ParquetWriter(str(root / "output")),
        ],
        tasks=tasks,
        workers=workers,
        logging_dir=str(root / "logs"),
    )
    started = time.perf_counter()
    executor.run()
    return {"wall_seconds": time.perf_counter() - started, "root": str(root)}




# --------------------------------------------------------------------------- whole processes

WEB_PII_SHARE = 0.2  # one web document in five holds an email, phone, card or similar
STARTUP_DOCS = 40_000
QUICKSTART_DOCS = 20_000
WEB_FILES = 4
STARTUP = "startup (whole process, special_chars)"
QUICKSTART = "quickstart chain (whole process)"
TARGET_FIXED_SECONDS = 1.5
TARGET_QUICKSTART_SPEEDUP = 10.0
TARGET_PER_CORE = 1000.0
QUICKSTART_STEPS = ("langid", "special_chars", "toxicity", "pii", "minhash_dedup")
SEGMENT_LINE = re.compile(r"^segment \d+/\d+: .*: ([\d,]+) docs, .* in ([\d.]+) s \(")


def ensure_web_corpus(folder: Path, docs: int, files: int) -> Corpus:
    """Web-like documents (the demo generator's prose, noise, duplicates and offensive lines in
    thirteen languages, one in five with PII) as gzipped JSONL, reused when the parameters match."""
    params = {"docs": docs, "files": files, "seed": SEED, "pii_share": WEB_PII_SHARE, "kind": "web"}
    meta_path = folder / "params.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["params"] == params:
            print(f"reusing corpus {folder}", file=sys.stderr)
            return Corpus(folder, params, meta["file_bytes"], meta["text_bytes"], WEB_PATTERN)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"generating {docs:,} web-like documents in {folder} ...", file=sys.stderr)
    records = web_documents(docs)
    text_bytes = 0
    for part in range(files):
        count = (part + 1) * docs // files - part * docs // files
        with gzip.open(folder / f"part-{part:02d}.jsonl.gz", "wb", compresslevel=6) as handle:
            for record in itertools.islice(records, count):
                text_bytes += len(record["text"].encode())
                handle.write(orjson.dumps(record) + b"\n")
    file_bytes = sum(path.stat().st_size for path in folder.glob(WEB_PATTERN))
    meta_path.write_text(json.dumps({"params": params, "file_bytes": file_bytes,
                                     "text_bytes": text_bytes}, indent=2))
    return Corpus(folder, params, file_bytes, text_bytes, WEB_PATTERN)


def web_documents(count: int) -> Iterator[dict[str, str]]:
    """`count` records {id, text, url} drawn from scripts/make_demo_corpus.py's generator with
    the PII category weighted to WEB_PII_SHARE."""
    import make_demo_corpus as demo  # beside this script

    builder = demo.CorpusBuilder(SEED)
    weights = dict(demo.CATEGORY_WEIGHTS)
    others = sum(weight for category, weight in weights.items() if category != "pii")
    weights["pii"] = others * WEB_PII_SHARE / (1 - WEB_PII_SHARE)
    categories, values = list(weights), list(weights.values())
    for index in range(count):
        category = builder.rng.choices(categories, values)[0]
        if category.endswith("_duplicates") and not builder.prose:
            category = "prose"
        text, lang = builder.makers[category]()
        yield {"id": f"web-{index:07d}", "text": text, "url": demo.make_url(builder.rng, lang, index)}


def quickstart_filters() -> list[dict[str, Any]]:
    """configs/quickstart.yaml's entries for the steps datatrove's pipeline mirrors (QUICKSTART_STEPS),
    with their parameters, in the config's order."""
    config = yaml.safe_load((ROOT / "configs" / "quickstart.yaml").read_text())
    return [item for item in config["filters"] if next(iter(item)) in QUICKSTART_STEPS]


def corpus_run(name: str, corpus: Corpus, out: Path, workers: int, filters: list[dict[str, Any]],
               profile: bool = False, tokenizer: Path | None = None
               ) -> tuple[Row, ChildRun, dict[str, Any], float, float]:
    """`corpus run` as a user runs it, in its own process: the pipeline row, what was measured,
    the version's stats.json, the summed wall time of the segments (the work that is not
    fixed cost) and the seconds from the process's start to LATEST moved (LATEST's mtime: it is
    replaced by a rename). With `profile`, the run is one in-process worker under cProfile
    instead; with `tokenizer`, the run counts tokens."""
    root = out / name
    shutil.rmtree(root, ignore_errors=True)
    config_path = out / f"{name}.yaml"
    config_path.write_text(yaml.safe_dump({
        "dataset": name, "input": {"paths": [str(corpus.folder / corpus.pattern)], "format": "jsonl"},
        "output": {"root": str(root)}, "workers": 1 if profile else workers, "filters": filters,
        **({"tokenizer": str(tokenizer)} if tokenizer else {})}))
    command = [str(Path(sys.executable).with_name("corpus")), "run", str(config_path)]
    if profile:
        command = [sys.executable, "-m", "cProfile", "-o", str(out / f"{name}.prof"), *command[:1],
                   "run", str(config_path)]
    started = time.time()
    result, measured = run_process(name, command, out)
    to_latest = (root / name / "LATEST").stat().st_mtime - started
    latest = (root / name / "LATEST").read_text().strip()
    stats = json.loads((root / name / latest / "stats.json").read_text())
    segments = sum(float(m.group(2)) for line in result.splitlines() if (m := SEGMENT_LINE.match(line)))
    total = stats["total"]
    row = Row(STARTUP if not filters[1:] else QUICKSTART, f"ours: corpus run ({name})", total["read"],
              total["kept"], measured.process_seconds, corpus.file_bytes / MB, measured)
    return row, measured, stats, segments, to_latest


def run_process(name: str, command: list[str], out: Path) -> tuple[str, ChildRun]:
    """Run a command as one measured process tree; its combined output and the measurements."""
    log_path = out / f"{name}.log"
    print(f"running {name} (log: {log_path}) ...", file=sys.stderr)
    started = time.perf_counter()
    busy_before, own_before = busy_seconds(), resource.getrusage(resource.RUSAGE_SELF)
    with open(log_path, "wb") as log:
        process = psutil.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        sampler = TreeSampler(process)
        while process.poll() is None:
            sampler.sample()
            time.sleep(POLL_SECONDS)
    elapsed = time.perf_counter() - started
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    own = own_after.ru_utime + own_after.ru_stime - own_before.ru_utime - own_before.ru_stime
    tree = sum(sampler.cpu.values())
    other = max(0.0, busy_seconds() - busy_before - tree - own)
    text = log_path.read_text(errors="replace")
    if process.returncode != 0:
        tail = "\n".join(text.splitlines()[-30:])
        raise RuntimeError(f"{name} failed with exit code {process.returncode}:\n{tail}")
    return text, ChildRun(sampler.peak_rss / MB, elapsed, tree, other)


def bench_startup(args: argparse.Namespace) -> dict[str, Any]:
    """Fixed cost of a small run: `corpus run` (read > special_chars > write) against datatrove's
    whole process on the same gzipped files; fixed cost = seconds from the process's start to
    LATEST moved, minus the segment's seconds (issue 17)."""
    docs = args.docs if args.docs_given else STARTUP_DOCS
    corpus = ensure_web_corpus(args.out / "startup-input", docs, WEB_FILES)
    ours, measured, stats, segment, to_latest = corpus_run(
        "startup", corpus, args.out, args.workers, [{"special_chars": {"max_ratio": MAX_RATIO}}])
    rows = [ours]
    fixed = to_latest - segment
    if not args.skip_datatrove:
        result, peer_measured = run_child("datatrove-startup", args.out, args.workers)
        kept = parquet_rows(Path(result["root"]) / "output")
        rows.append(Row(STARTUP, "datatrove (whole process)", docs, kept, peer_measured.process_seconds,
                        corpus.file_bytes / MB, peer_measured))
    print(f"\ncorpus: {corpus.docs:,} web-like docs, {len(corpus.files)} gzipped JSONL files, "
          f"{corpus.file_bytes / MB:,.1f} MB; workers={args.workers}\n")
    speedups = ratios(rows)
    print(markdown_table(rows, speedups, args.workers))
    print(f"\nours: {to_latest:.2f} s from the process's start to LATEST moved "
          f"({measured.process_seconds:.2f} s to its exit), {segment:.2f} s in the segment, fixed cost "
          f"{fixed:.2f} s (target <= {TARGET_FIXED_SECONDS}): "
          f"{'PASS' if fixed <= TARGET_FIXED_SECONDS else 'FAIL'}")
    print_process_lines(rows)
    verdict = speedups.get(STARTUP)
    if verdict is not None:
        print(f"verdict: ours is {verdict:.2f}x datatrove end to end at {docs:,} documents (target >= "
              f"{TARGET_SPEEDUP:.0f}x): {'PASS' if verdict >= TARGET_SPEEDUP else 'FAIL'}")
    return {"rows": [row.to_dict() for row in rows], "fixed_seconds": round(fixed, 3),
            "segment_seconds": segment, "latest_seconds": round(to_latest, 3), "ratios": speedups,
            "environment": environment()}


TOKENIZER_VOCAB = 32_000
TOKENIZER_TRAIN_DOCS = 5_000


def bench_tokens(args: argparse.Namespace) -> dict[str, Any]:
    """What counting tokens costs: `corpus run` (read > special_chars > write) with one worker on the
    web-like corpus, without a tokenizer, with --tokenizer, and with it on one thread
    (TOKENIZERS_PARALLELISM=false). A --tokenizer path that does not exist is first trained on the
    corpus (byte-level BPE, 32k vocabulary, like GPT-2's) and saved there."""
    docs = args.docs if args.docs_given else STARTUP_DOCS
    corpus = ensure_web_corpus(args.out / "startup-input", docs, WEB_FILES)
    if not args.tokenizer.exists():
        train_tokenizer(corpus, args.tokenizer)
    filters = [{"special_chars": {"max_ratio": MAX_RATIO}}]
    runs = {}
    variants = (("without tokenizer", None, None), ("with tokenizer", args.tokenizer, None),
                ("with tokenizer, 1 thread", args.tokenizer, "false"))
    for name, tokenizer, parallel in variants:
        previous = os.environ.pop("TOKENIZERS_PARALLELISM", None)
        if parallel is not None:
            os.environ["TOKENIZERS_PARALLELISM"] = parallel
        try:
            _, measured, stats, segment, _ = corpus_run("tokens", corpus, args.out, 1, filters,
                                                        tokenizer=tokenizer)
        finally:
            os.environ.pop("TOKENIZERS_PARALLELISM", None)
            if previous is not None:
                os.environ["TOKENIZERS_PARALLELISM"] = previous
        total = stats["total"]
        runs[name] = {"docs": total["read"], "segment_seconds": segment,
                      "process_seconds": measured.process_seconds, "cpu_seconds": measured.cpu_seconds,
                      "other_cpu_seconds": measured.other_cpu_seconds, "tokens": total.get("tokens_in"),
                      "tokenize_seconds": total.get("tokenize_seconds")}
    print(f"\ncorpus: {corpus.docs:,} web-like docs ({corpus.text_bytes / corpus.docs / 1000:.2f} KB of "
          f"text each), tokenizer {args.tokenizer}; corpus run, 1 worker, read > special_chars > write\n")
    print("| run | docs/s (segment wall) | docs per CPU second | CPU ms per doc added | tokens "
          "| tokens/s tokenizing | CPU s (other CPU s) |\n|---|---:|---:|---:|---:|---:|---:|")
    base = runs["without tokenizer"]["cpu_seconds"]
    for name, run in runs.items():
        rate = f"{run['tokens'] / run['tokenize_seconds']:,.0f}" if run["tokens"] else "-"
        added = f"{1000 * (run['cpu_seconds'] - base) / run['docs']:.2f}" if run["tokens"] else "-"
        print(f"| {name} | {run['docs'] / run['segment_seconds']:,.0f} "
              f"| {run['docs'] / run['cpu_seconds']:,.0f} | {added} | {run['tokens'] or 0:,} | {rate} "
              f"| {run['cpu_seconds']:.1f} ({run['other_cpu_seconds']:.1f}) |")
    return {"runs": runs, "environment": environment()}


def train_tokenizer(corpus: Corpus, path: Path) -> None:
    """A byte-level BPE tokenizer (TOKENIZER_VOCAB tokens) trained on the corpus's first documents."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    texts = []
    for file in corpus.files:
        with gzip.open(file, "rb") as handle:
            texts += [orjson.loads(line)["text"] for line in itertools.islice(handle, TOKENIZER_TRAIN_DOCS)]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    started = time.perf_counter()
    tokenizer.train_from_iterator(texts[:TOKENIZER_TRAIN_DOCS], trainers.BpeTrainer(
        vocab_size=TOKENIZER_VOCAB, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    path.parent.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(path))
    print(f"trained {path} on {min(len(texts), TOKENIZER_TRAIN_DOCS):,} documents in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)


def bench_quickstart(args: argparse.Namespace) -> dict[str, Any]:
    """configs/quickstart.yaml's chain as a whole `corpus run` process against the closest datatrove
    pipeline, on the same web-like corpus and cores; kept counts per step on both sides."""
    docs = args.docs if args.docs_given else QUICKSTART_DOCS
    corpus = ensure_web_corpus(args.out / "web-input", docs, WEB_FILES)
    filters = quickstart_filters()
    ours, measured, stats, _, _ = corpus_run("quickstart", corpus, args.out, args.workers, filters,
                                             profile=args.profile)
    rows, steps = [ours], {"ours": [(entry["name"], entry["docs_out"]) for entry in stats["filters"]]}
    if not args.skip_datatrove and not args.profile:
        result, peer_measured = run_child("datatrove-quickstart", args.out, args.workers)
        steps["datatrove"] = [("read", result["read"]), *(tuple(step) for step in result["steps"])]
        # docs: the input (datatrove's reader skips empty texts; its `read` shows in the steps).
        rows.append(Row(QUICKSTART, "datatrove (whole process, 4 executors)", corpus.docs,
                        result["kept"], peer_measured.process_seconds, corpus.file_bytes / MB,
                        peer_measured))
    text_kb = corpus.text_bytes / corpus.docs / 1000
    print(f"\ncorpus: {corpus.docs:,} web-like docs ({text_kb:.2f} KB of text each, "
          f"{WEB_PII_SHARE:.0%} with PII), {len(corpus.files)} gzipped JSONL files, "
          f"{corpus.file_bytes / MB:,.1f} MB; workers={args.workers}; chain: "
          + " > ".join(next(iter(item)) for item in filters) + "\n")
    speedups = ratios(rows)
    print(markdown_table(rows, speedups, args.workers))
    print()
    for row in rows:
        cores = max(1, min(args.workers, os.cpu_count() or 1))
        print(f"{row.name}: {row.docs_per_second:,.0f} docs/s, {row.docs_per_second / cores:,.0f} docs/s "
              f"per core ({cores} cores)")
    for side, counts in steps.items():
        print(f"kept per step ({side}): read {corpus.docs:,} > "
              + " > ".join(f"{label} {kept:,}" for label, kept in counts))
    print_process_lines(rows)
    per_core = ours.docs_per_second / max(1, min(args.workers, os.cpu_count() or 1))
    print(f"verdict: {per_core:,.0f} docs/s per core (target >= {TARGET_PER_CORE:,.0f}): "
          f"{'PASS' if per_core >= TARGET_PER_CORE else 'FAIL'}")
    if QUICKSTART in speedups:
        ratio = speedups[QUICKSTART]
        passed = ratio >= TARGET_QUICKSTART_SPEEDUP
        print(f"verdict: ours is {ratio:.2f}x datatrove end to end (target >= "
              f"{TARGET_QUICKSTART_SPEEDUP:.0f}x): {'PASS' if passed else 'FAIL'}")
    if args.profile:
        print_profile(args.out / "quickstart.prof")
    return {"rows": [row.to_dict() for row in rows], "steps": steps, "ratios": speedups,
            "docs_per_second_per_core": round(per_core, 1), "environment": environment()}


LINE_FILTER_DOCS = 10_000
TARGET_GOPHER_PER_CORE = 5_000


def bench_line_filters(args: argparse.Namespace) -> dict[str, Any]:
    """c4_quality and fineweb_quality alone on one core, ours on Arrow batches against datatrove's
    C4QualityFilter and FineWebQualityFilter (char_duplicates_ratio 0.1, FineWeb's published value)
    per document, on the same web-like documents; the kept counts of both sides."""
    from corpus.stats import FilterStats
    from filters.c4_quality import C4Quality
    from filters.fineweb_quality import FineWebQuality

    docs = args.docs if args.docs_given else LINE_FILTER_DOCS
    records = list(web_documents(docs))
    table = pa.table({"id": [r["id"] for r in records], "text": [r["text"] for r in records]})
    megabytes = pc.sum(pc.binary_length(table.column("text"))).as_py() / MB
    batches = table.to_batches(max_chunksize=MICRO_BATCH_ROWS)
    rows = []
    for ours in (C4Quality(), FineWebQuality()):
        group = f"{ours.name} alone (1 core)"
        ours.setup()
        ours.apply(batches[0].slice(0, 10), FilterStats(ours.name))  # one-time tables (filters.words)
        rows.append(filter_row(group, f"ours {type(ours).__name__}.apply", ours, batches, megabytes))
        if not args.skip_datatrove:
            from datatrove.data import Document
            from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter

            peer = (C4QualityFilter() if ours.name == "c4_quality"
                    else FineWebQualityFilter(char_duplicates_ratio=0.1))
            texts = table.column("text").to_pylist()
            peer.filter(Document(text=texts[0], id="warm-up"))  # loads spaCy
            started = time.perf_counter()
            kept = sum(peer.filter(Document(text=text, id=str(i))) is True for i, text in enumerate(texts))
            rows.append(Row(group, f"datatrove {type(peer).__name__}.filter per document", len(texts), kept,
                            time.perf_counter() - started, megabytes))
    text_kb = megabytes * 1000 / len(records)
    print(f"\n{len(records):,} web-like documents ({text_kb:.2f} KB of text each), batches of "
          f"{MICRO_BATCH_ROWS}\n")
    speedups = print_one_core_rows(rows)
    return {"rows": [row.to_dict() for row in rows], "ratios": speedups, "environment": environment()}


def print_one_core_rows(rows: list[Row]) -> dict[str, float]:
    """Print a one-core comparison's table and each row's speed and kept count; its ratios."""
    speedups = ratios(rows)
    print(markdown_table(rows, speedups, 1))
    for row in rows:
        print(f"{row.name}: {row.docs_per_second:,.0f} docs/s per core, kept {row.kept:,}")
    return speedups


GOPHER_DOCS = 4096


def debian_english_documents(count: int) -> list[str]:
    """Real English text of 3-4 KB (the parity set of tests/test_gopher.py, same order)."""
    from eval_quality import english_documents  # scripts/ is on sys.path when a script runs

    return [text for text in english_documents(20000) if 3000 <= len(text) <= 4000][:count]


def bench_gopher(args: argparse.Namespace) -> dict[str, Any]:
    """gopher_quality + gopher_repetition together on one core (CPU time): both on every batch of
    real English 3-4 KB documents, ours on Arrow batches (words split once, shared) against
    datatrove's GopherQualityFilter and GopherRepetitionFilter per document; kept = passes both."""
    from corpus.stats import FilterStats
    from filters.gopher_quality import GopherQuality
    from filters.gopher_repetition import GopherRepetition
    from filters.words import compiled

    texts = debian_english_documents(args.docs if args.docs_given else GOPHER_DOCS)
    table = pa.table({"text": pa.array(texts, pa.large_string())})
    megabytes = pc.sum(pc.binary_length(table.column("text"))).as_py() / MB
    batches = table.to_batches(max_chunksize=MICRO_BATCH_ROWS)
    ours = [GopherQuality(), GopherRepetition()]
    started = time.process_time()
    for flt in ours:
        flt.setup()
        flt.apply(batches[0].slice(0, 10), FilterStats(flt.name))  # one-time tables, numba's start
    one_time = time.process_time() - started
    group = "gopher_quality + gopher_repetition (1 core, CPU time)"
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: the machine may be shared
        profiler.enable()
    started, kept = time.process_time(), 0
    for batch in batches:
        keep = [flt.apply(batch, FilterStats(flt.name)).keep for flt in ours]
        kept += pc.and_(*keep).true_count
    rows = [Row(group, "ours, both filters' apply per batch", len(texts), kept, time.process_time() - started,
                megabytes)]
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.out / "gopher.prof")
    if not args.skip_datatrove:
        from datatrove.data import Document
        from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter

        peers = [GopherQualityFilter(), GopherRepetitionFilter()]
        for peer in peers:
            peer.filter(Document(text=texts[0], id="warm-up"))  # loads spaCy
        started, kept = time.process_time(), 0
        for i, text in enumerate(texts):
            kept += all([peer.filter(Document(text=text, id=str(i))) is True for peer in peers])
        rows.append(Row(group, "datatrove, both filters' filter per document", len(texts), kept,
                        time.process_time() - started, megabytes))
    print(f"\n{len(texts):,} English documents from /usr/share/doc ({megabytes * 1000 / len(texts):.2f} KB "
          f"of text each), batches of {MICRO_BATCH_ROWS}; load average {os.getloadavg()[0]:.2f}\n")
    speedups = print_one_core_rows(rows)
    per_core = rows[0].docs_per_second
    path = "numba loops (filters/kernels.py)" if compiled() is not None else "numpy (numba not installed)"
    print(f"ours ran the {path}; one-time cost before timing (setup, tables, numba's start): "
          f"{one_time:.2f} CPU-s")
    print(f"verdict: {per_core:,.0f} docs/s per core for the pair (target >= {TARGET_GOPHER_PER_CORE:,}): "
          f"{'PASS' if per_core >= TARGET_GOPHER_PER_CORE else 'FAIL'}")
    if profiler is not None:
        print_profile(args.out / "gopher.prof")
    return {"rows": [row.to_dict() for row in rows], "ratios": speedups, "environment": environment()}


def print_profile(path: Path, lines: int = 25) -> None:
    """The profile's top functions by own time."""
    import pstats

    print(f"\nprofile of one in-process worker ({path}), top {lines} by own time:")
    pstats.Stats(str(path)).sort_stats("tottime").print_stats(lines)


def print_process_lines(rows: list[Row]) -> None:
    for row in rows:
        if row.process is not None:
            print(f"{row.name}: {row.process.cpu_seconds:.1f} CPU-s in the process tree, peak RSS "
                  f"{row.process.peak_rss_mb:,.0f} MB; other processes used "
                  f"{row.process.other_cpu_seconds:.1f} CPU-s meanwhile")


def child_datatrove_startup(out: Path, workers: int) -> dict[str, Any]:
    """datatrove's read > special ratio > Parquet over the startup corpus (gzipped JSONL)."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import LambdaFilter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import ParquetWriter

    root = out / "datatrove-startup"
    shutil.rmtree(root, ignore_errors=True)
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(out / "startup-input"), glob_pattern=WEB_PATTERN),
                  LambdaFilter(keep_document), ParquetWriter(str(root / "output"))],
        tasks=WEB_FILES, workers=workers, logging_dir=str(root / "logs")).run()
    return {"root": str(root)}


def child_datatrove_quickstart(out: Path, workers: int) -> dict[str, Any]:
    """The closest datatrove pipeline a user would write for the quickstart chain: LanguageFilter
    on the local lid.176, LambdaFilters for the special ratio and alt-profanity-check per document,
    PIIFormatter, then the four MinHash stages (the filtered documents are kept between them as
    JSONL) and a ParquetWriter. All stages run here, one after the other."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.filters import LambdaFilter, LanguageFilter
    from datatrove.pipeline.formatters import PIIFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter, ParquetWriter
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.lid import FT176LID
    from profanity_check import predict_prob

    from filters.fasttext_model import bundled_lid_model

    class LocalLID(FT176LID):
        """lid.176 from the local file (datatrove's model class would download it); list predict,
        because stock fastText's single-string predict fails with numpy 2."""

        @property
        def model(self):
            if self._model is None:
                import fasttext

                self._model = fasttext.load_model(str(bundled_lid_model()))
            return self._model

        def predict(self, doc):
            labels, scores = self.model.predict([doc.text.replace("\n", " ")], k=self.k)
            pairs = {label.split("__")[2]: float(score)
                     for label, score in zip(labels[0], scores[0], strict=True)}
            return max(pairs.items(), key=lambda pair: pair[1]), pairs

    class LocalLanguageFilter(LanguageFilter):
        def __new__(cls, *args, **kwargs):
            # datatrove's dependency check asks for the fasttext-numpy2-wheel distribution; this
            # project has stock fastText (FIELD-NOTES.md), which LocalLID loads itself.
            return object.__new__(cls)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.model = LocalLID(self.languages)

    def not_toxic(doc) -> bool:
        return predict_prob([doc.text])[0] < 0.8

    root = out / "datatrove-quickstart"
    shutil.rmtree(root, ignore_errors=True)
    settings = {name: params for item in quickstart_filters() for name, params in item.items()}
    signatures, buckets, remove = (str(root / "minhash" / step)
                                   for step in ("signatures", "buckets", "remove"))
    # sha1: datatrove's xxhash path passes str, which the installed xxhash 4 refuses.
    config = MinhashConfig(hash_config=HashConfig(precision=64, hash_fc="sha1"))
    stages = [
        ("filters and signatures", [
            JsonlReader(str(out / "web-input"), glob_pattern=WEB_PATTERN),
            LocalLanguageFilter(language_threshold=settings["langid"]["min_score"]),
            LambdaFilter(keep_document), LambdaFilter(not_toxic), PIIFormatter(),
            JsonlWriter(str(root / "filtered")), MinhashDedupSignature(signatures, config=config)],
         WEB_FILES),
        ("buckets", [MinhashDedupBuckets(signatures, buckets, config=config)], config.num_buckets),
        ("cluster", [MinhashDedupCluster(buckets, remove, config=config)], 1),
        ("dedup and write", [
            JsonlReader(str(root / "filtered")), MinhashDedupFilter(remove),
            ParquetWriter(str(root / "output"))], WEB_FILES),
    ]
    for number, (_, pipeline, tasks) in enumerate(stages):
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=workers,
                              logging_dir=str(root / f"logs-{number}")).run()
    first = json.loads((root / "logs-0" / "stats.json").read_text())
    last = json.loads((root / "logs-3" / "stats.json").read_text())
    read = int(first[0]["stats"]["documents"]["total"])
    # Steps that remove documents count what they forwarded (the reader, formatter and writers do not).
    steps = [(step["name"], int(step["stats"]["forwarded"])) for step in [*first, *last]
             if "forwarded" in step["stats"]]
    return {"root": str(root), "read": read, "kept": parquet_rows(root / "output"), "steps": steps}


CHILDREN = {"ours": child_ours, "datatrove": child_datatrove, "dedup": child_dedup,
            "datatrove-startup": child_datatrove_startup, "datatrove-quickstart": child_datatrove_quickstart}


# --------------------------------------------------------------------------- measuring


@dataclass
class ChildRun:
    """What the parent measured around one subprocess."""

    peak_rss_mb: float
    process_seconds: float  # interpreter start and imports included
    cpu_seconds: float  # user + system of the subprocess and its descendants
    other_cpu_seconds: float  # CPU the rest of the machine used meanwhile (shared-machine noise)


@dataclass
class Row:
    """One line of the result table."""

    group: str
    name: str
    docs: int
    kept: int
    wall_seconds: float
    megabytes: float
    process: ChildRun | None = None

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.wall_seconds

    @property
    def mb_per_second(self) -> float:
        return self.megabytes / self.wall_seconds

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 1),
                "mb_per_second": round(self.mb_per_second, 2)}


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot."""
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq


class TreeSampler:
    """Samples a process and its descendants: peak summed RSS and CPU seconds per process.

    CPU is the last user + system time seen for each pid, so each process's final
    POLL_SECONDS at most go uncounted.
    """

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.peak_rss = 0
        self.cpu: dict[int, float] = {}

    def sample(self) -> None:
        try:
            members = [self.process, *self.process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        rss = 0
        for member in members:
            try:
                with member.oneshot():
                    rss += member.memory_info().rss
                    times = member.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            self.cpu[member.pid] = times.user + times.system
        self.peak_rss = max(self.peak_rss, rss)


def run_child(name: str, out: Path, workers: int) -> tuple[dict[str, Any], ChildRun]:
    """Run one side in a subprocess; its result and what was measured around it."""
    result_path = out / f"{name}-result.json"
    result_path.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--out", str(out),
               "--workers", str(workers), "--result", str(result_path)]
    log_path = out / f"{name}.log"
    print(f"running {name} (log: {log_path}) ...", file=sys.stderr)
    started = time.perf_counter()
    busy_before, own_before = busy_seconds(), resource.getrusage(resource.RUSAGE_SELF)
    with open(log_path, "wb") as log:
        process = psutil.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process)
        while process.poll() is None:
            sampler.sample()
            time.sleep(POLL_SECONDS)
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    own = own_after.ru_utime + own_after.ru_stime - own_before.ru_utime - own_before.ru_stime
    tree = sum(sampler.cpu.values())
    other = max(0.0, busy_seconds() - busy_before - tree - own)
    measured = ChildRun(sampler.peak_rss / MB, time.perf_counter() - started, tree, other)
    if process.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-30:]
        raise RuntimeError(f"{name} failed with exit code {process.returncode}:\n" + "\n".join(tail))
    return json.loads(result_path.read_text()), measured


def parquet_rows(folder: Path) -> int:
    return sum(pq.ParquetFile(path).metadata.num_rows for path in folder.rglob("*.parquet"))


def run_ours_child(name: str, out: Path, workers: int) -> tuple[dict, ChildRun, dict, dict]:
    """One of our children: its result, what was measured, the totals and the first filter's stats."""
    result, measured = run_child(name, out, workers)
    stats = json.loads((Path(result["version"]) / "stats.json").read_text())
    return result, measured, stats["total"], stats["filters"][0]


def bench_ours(corpus: Corpus, out: Path, workers: int) -> tuple[Row, Row]:
    """Whole-pipeline row and in-pipeline filter row (summed over workers, so per core)."""
    result, measured, total, step = run_ours_child("ours", out, workers)
    pipeline = Row(PIPELINE, "ours", total["read"], total["kept"], result["wall_seconds"],
                   corpus.file_bytes / MB, measured)
    in_pipeline = Row(FILTER_IN_PIPELINE, "ours special_chars", step["docs_in"], step["docs_out"],
                      step["wall_seconds"], step["bytes_in"] / MB)
    return pipeline, in_pipeline


def bench_dedup(corpus: Corpus, out: Path, workers: int) -> dict[str, Any]:
    """minhash_dedup over the whole corpus: the pipeline row plus the resolution figures."""
    result, measured, total, step = run_ours_child("dedup", out, workers)
    row = Row(DEDUP, "ours minhash_dedup", total["read"], total["kept"], result["wall_seconds"],
              corpus.file_bytes / MB, measured)
    print(markdown_table([row], {}, workers))
    print(f"minhash_dedup: {json.dumps(step['counters'])}; bands x rows {step['info'].get('bands')} x "
          f"{step['info'].get('rows')}, verify {step['info'].get('verify')}; resolve seconds "
          f"{step['info'].get('resolve_seconds')}; resolve + apply + sign seconds (summed) "
          f"{step['wall_seconds']:.1f}; peak RSS of the driver alone {result['driver_peak_rss_mb']:,.0f} MB")
    return {"rows": [row.__dict__ | {"process": measured.__dict__}], "minhash": step["counters"],
            "driver_peak_rss_mb": result["driver_peak_rss_mb"]}


def bench_datatrove(corpus: Corpus, out: Path, workers: int) -> tuple[Row, Row]:
    """Whole-pipeline row and LambdaFilter row from datatrove's stats.json (per core)."""
    result, measured = run_child("datatrove", out, workers)
    root = Path(result["root"])
    steps = {step["name"]: step for step in json.loads((root / "logs" / "stats.json").read_text())}
    reader, lam = steps[find_step(steps, "Jsonl")], steps[find_step(steps, "Lambda")]
    kept = parquet_rows(root / "output")
    pipeline = Row(PIPELINE, "datatrove", int(reader["stats"]["documents"]["total"]), kept,
                   result["wall_seconds"], corpus.file_bytes / MB, measured)
    in_pipeline = Row(FILTER_IN_PIPELINE, "datatrove LambdaFilter", int(lam["stats"]["total"]),
                      int(lam["stats"]["forwarded"]), lam["time_stats"]["total"], corpus.text_bytes / MB)
    return pipeline, in_pipeline


def find_step(steps: dict[str, Any], fragment: str) -> str:
    """The name of the datatrove step whose name contains `fragment` (names carry emoji)."""
    return next(name for name in steps if fragment in name)


def load_sample(corpus: Corpus, docs: int) -> pa.Table:
    """The first `docs` documents of the corpus as an Arrow table (id, text)."""
    ids: list[str] = []
    texts: list[str] = []
    for path in corpus.files:
        with open(path, "rb") as handle:
            for line in handle:
                record = orjson.loads(line)
                ids.append(record["id"])
                texts.append(record["text"])
                if len(texts) == docs:
                    return pa.table({"id": ids, "text": texts})
    return pa.table({"id": ids, "text": texts})


def micro_benchmark(corpus: Corpus) -> list[Row]:
    """Each filter alone on one sample, one core: special_chars against the same rule in Python per
    document, then langid and toxicity (the classifier backend, English routing forced)."""
    # Imported here, not at the top: spawned pipeline workers re-import this script, and
    # fastText, scikit-learn and presidio/spaCy would slow every worker's start.
    from filters.langid import LangID
    from filters.special_chars import SpecialChars
    from filters.toxicity import Toxicity

    table = load_sample(corpus, min(MICRO_DOCS, corpus.docs))
    megabytes = pc.sum(pc.binary_length(table.column("text"))).as_py() / MB
    batches = table.to_batches(max_chunksize=MICRO_BATCH_ROWS)
    rows = [filter_row(FILTER_MICRO, "ours SpecialChars.apply",
                       SpecialChars(SpecialChars.Params(max_ratio=MAX_RATIO)), batches, megabytes)]
    texts = table.column("text").to_pylist()
    started = time.perf_counter()
    kept = sum(keep_text(text) for text in texts)
    rows.append(Row(FILTER_MICRO, "per-doc Python (unicodedata)", len(texts), kept,
                    time.perf_counter() - started, megabytes))
    rows.append(filter_row(LANGID_MICRO, "ours LangID.apply (lid.176, 1000-char prefix)",
                           LangID(LangID.Params()), batches, megabytes))
    rows.append(filter_row(TOXICITY_MICRO, "ours Toxicity.apply (classifier backend)",
                           Toxicity(Toxicity.Params(backend="classifier")), batches, megabytes))
    return rows


PII_SAMPLES = [
    "Write to jane.roe@example.com for details.", "휴대폰 010-1234-5678 로 연락 주세요.",
    "Call +1 (415) 555-0132 after nine.", "Paid with card 4539 1488 0343 6467 yesterday.",
    "주민등록번호 900101-1234568 입니다.", "The server at 203.0.113.45 answered.",
]
NUMBER_NOISE = ["released on 2024-05-01", "version 3.11.7", "costs $1,299.00", "ISBN 978-3-16-148410-0",
                "section 4.2.1", "in 2023 and 2024"]


def pii_corpus(docs: int, pii_share: float = 0.05, doc_chars: int = 2000) -> pa.RecordBatch:
    """English prose of about 2 KB; `pii_share` of documents hold PII, a quarter carry
    number-heavy look-alikes (dates, versions, prices, ISBNs) that the prefilter must pass on."""
    rng = random.Random(SEED)
    texts = []
    for _ in range(docs):
        text = prose(rng, "latin", doc_chars)
        if rng.random() < 0.25:
            text = f"{text} {rng.choice(NUMBER_NOISE)}."
        if rng.random() < pii_share:
            position = rng.randrange(len(text))
            text = f"{text[:position]} {rng.choice(PII_SAMPLES)} {text[position:]}"
        texts.append(text)
    return pa.RecordBatch.from_pydict({"id": [str(i) for i in range(docs)],
                                       "text": pa.array(texts, pa.large_string())})


def pii_benchmark() -> list[Row]:
    """PII alone, one core, on 2 KB documents of which 5 % hold PII: with the prefilter and
    windows, and presidio on every whole document (on a tenth of the sample: it is slow)."""
    from filters.pii import PII

    batch = pii_corpus(PII_DOCS)
    megabytes = pc.sum(pc.binary_length(batch.column("text"))).as_py() / MB
    fast = filter_row(PII_MICRO, "ours PII.apply (prefilter + windows)", PII(PII.Params()),
                      pa.Table.from_batches([batch]).to_batches(max_chunksize=MICRO_BATCH_ROWS), megabytes)
    sample = batch.slice(0, PII_DOCS // 10)
    slow = filter_row(PII_MICRO, "presidio on every document (prefilter off)",
                      PII(PII.Params(prefilter=False)), [sample], megabytes / 10)
    return [fast, slow]


def filter_row(group: str, label: str, flt: Any, batches: list[pa.RecordBatch], megabytes: float) -> Row:
    """One filter's `apply` over the batches after `setup`, timed on this core."""
    from corpus.stats import FilterStats

    flt.setup()
    stats = FilterStats(flt.name)
    started = time.perf_counter()
    kept = sum(flt.apply(batch, stats).keep.true_count for batch in batches)
    return Row(group, label, sum(b.num_rows for b in batches), kept, time.perf_counter() - started,
               megabytes)


# --------------------------------------------------------------------------- reporting


def grouped(rows: list[Row]) -> dict[str, list[Row]]:
    """Rows by group, in table order; a full group is [ours, peer]."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    return groups


def ratios(rows: list[Row]) -> dict[str, float]:
    """Per group: the first row's docs/s over the second row's (ours over the peer)."""
    return {group: pair[0].docs_per_second / pair[1].docs_per_second
            for group, pair in grouped(rows).items() if len(pair) == 2}


def markdown_table(rows: list[Row], speedups: dict[str, float], workers: int) -> str:
    """The result table as plain Markdown, with its legend; each group's ratio on its first row."""
    header = ["group", "run", "docs", "wall s", "docs/s", "MB/s", "peak RSS MB", "ratio (ours/peer docs/s)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * 6) + "|"]
    shown: set[str] = set()
    for row in rows:
        group = f"pipeline (workers={workers})" if row.group == PIPELINE else row.group
        ratio = f"{speedups[row.group]:.2f}x" if row.group in speedups and row.group not in shown else ""
        shown.add(row.group)
        rss = f"{row.process.peak_rss_mb:,.0f}" if row.process is not None else "-"
        cells = [group, row.name, f"{row.docs:,}", f"{row.wall_seconds:.2f}",
                 f"{row.docs_per_second:,.0f}", f"{row.mb_per_second:,.1f}", rss, ratio]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "MB/s: JSONL input bytes for the pipelines, UTF-8 text bytes for the filters. In-pipeline "
        "filter time is summed over workers (our stats.json `wall_seconds`, datatrove's stats.json "
        "`time_stats.total`). Ratio: ours docs/s over the other row's.",
    ]
    return "\n".join(lines)


def count_checks(rows: list[Row], corpus: Corpus) -> list[str]:
    """Warnings where a side read fewer documents than exist or the kept counts disagree."""
    warnings = [f"WARNING: {row.name} ({row.group}) read {row.docs:,} of {corpus.docs:,} documents"
                for row in rows if row.group == PIPELINE and row.docs != corpus.docs]
    for group, pair in grouped(rows).items():
        if len(pair) == 2 and pair[0].kept != pair[1].kept:
            warnings.append(f"WARNING: kept counts differ in {group}: {pair[0].name} {pair[0].kept:,}, "
                            f"{pair[1].name} {pair[1].kept:,}")
    return warnings


def environment() -> dict[str, Any]:
    try:
        datatrove = metadata.version("datatrove")
    except metadata.PackageNotFoundError:
        datatrove = None
    return {"engine": engine_revision(), "python": platform.python_version(), "pyarrow": pa.__version__,
            "datatrove": datatrove, "cpus": os.cpu_count(), "platform": platform.platform()}


def engine_revision() -> str | None:
    """`git describe --always --dirty` of the project checkout, None outside a git tree."""
    completed = subprocess.run(["git", "-C", str(Path(__file__).resolve().parents[1]), "describe",
                                "--always", "--dirty"], capture_output=True, text=True, check=False)
    return completed.stdout.strip() or None


def report(rows: list[Row], corpus: Corpus, workers: int) -> dict[str, Any]:
    """Print the table, the checks and the verdict; return everything as a JSON-ready dict."""
    speedups = ratios(rows)
    warnings = count_checks(rows, corpus)
    env = environment()
    print(f"\ncorpus: {corpus.docs:,} docs, {len(corpus.files)} files, {corpus.file_bytes / MB:,.1f} MB "
          f"JSONL ({corpus.text_bytes / corpus.docs / 1000:.2f} KB text/doc); workers={workers}; "
          f"{env['cpus']} CPUs; engine {env['engine']}; python {env['python']}, pyarrow {env['pyarrow']}, "
          f"datatrove {env['datatrove']}\n")
    print(markdown_table(rows, speedups, workers))
    print()
    for group, members in grouped(rows).items():
        print(f"kept ({group}): " + ", ".join(f"{row.name} {row.kept:,}" for row in members))
    for row in rows:
        if row.process is not None:
            print(f"{row.name}: {row.process.cpu_seconds:.1f} CPU-s in the process tree, "
                  f"{row.process.process_seconds:.1f} s with interpreter start; other processes used "
                  f"{row.process.other_cpu_seconds:.1f} CPU-s meanwhile")
    for line in warnings:
        print(line)
    verdict = None
    if PIPELINE in speedups:
        verdict = speedups[PIPELINE] >= TARGET_SPEEDUP
        print(f"verdict: ours is {speedups[PIPELINE]:.2f}x datatrove at workers={workers} "
              f"(target >= {TARGET_SPEEDUP:.0f}x): {'PASS' if verdict else 'FAIL'}")
    return {"corpus": {**corpus.params, "file_bytes": corpus.file_bytes, "text_bytes": corpus.text_bytes,
                       "files": len(corpus.files)},
            "workers": workers, "environment": env, "rows": [row.to_dict() for row in rows],
            "ratios": {group: round(value, 3) for group, value in speedups.items()},
            "warnings": warnings, "target_speedup": TARGET_SPEEDUP, "target_met": verdict}


# --------------------------------------------------------------------------- entry points


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, help="documents in the corpus (default 200,000; "
                        f"{STARTUP_DOCS:,} with --startup, {QUICKSTART_DOCS:,} with --pipeline)")
    parser.add_argument("--doc-chars", type=int, default=3000, help="mean characters per document")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for both pipelines")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench"), help="work folder")
    parser.add_argument("--files", type=int, help="input files (default: 2 per worker); 1 file of "
                        "several GB shows that memory stays flat while byte ranges run in parallel")
    parser.add_argument("--skip-datatrove", action="store_true", help="run only our side")
    parser.add_argument("--dedup", action="store_true",
                        help="measure minhash_dedup over the corpus instead (wall time, peak RSS)")
    parser.add_argument("--dup-rate", type=float, default=0.0,
                        help="share of documents that are near or exact copies of an earlier one")
    parser.add_argument("--dedup-verify", choices=["exact", "signature", "none"], default="exact",
                        help="minhash_dedup's verify for --dedup")
    parser.add_argument("--startup", action="store_true",
                        help="fixed cost of a small run: `corpus run` (special_chars) against datatrove's "
                        "whole process on gzipped web-like JSONL")
    parser.add_argument("--pipeline", choices=["quickstart"],
                        help="configs/quickstart.yaml's whole chain as `corpus run` against the closest "
                        "datatrove pipeline, on web-like documents with PII in one of five")
    parser.add_argument("--line-filters", action="store_true",
                        help="c4_quality and fineweb_quality alone on one core against datatrove's "
                        "C4QualityFilter and FineWebQualityFilter on the same web-like documents")
    parser.add_argument("--gopher", action="store_true",
                        help="gopher_quality + gopher_repetition together on one core against datatrove's "
                        "Gopher filters on the same real English 3-4 KB documents (/usr/share/doc)")
    parser.add_argument("--profile", action="store_true",
                        help="with --pipeline: run ours as one in-process worker under cProfile and "
                        "print the top functions (datatrove is skipped)")
    parser.add_argument("--tokenizer", type=Path,
                        help="measure token counting with this tokenizer.json (trained on the corpus "
                             "when the file does not exist)")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    args.out.mkdir(parents=True, exist_ok=True)
    args.docs_given = args.docs is not None
    if args.startup:
        return bench_startup(args)
    if args.pipeline == "quickstart":
        return bench_quickstart(args)
    if args.line_filters:
        return bench_line_filters(args)
    if args.gopher:
        return bench_gopher(args)
    if args.tokenizer:
        return bench_tokens(args)
    args.docs = args.docs or 200_000
    corpus = ensure_corpus(args.out, args.docs, args.doc_chars, args.files or args.workers * 2,
                           args.dup_rate)
    if args.dedup:
        os.environ["BENCH_DEDUP_VERIFY"] = args.dedup_verify
        return bench_dedup(corpus, args.out, args.workers)
    ours, ours_filter = bench_ours(corpus, args.out, args.workers)
    rows, filter_rows = [ours], [ours_filter]
    if not args.skip_datatrove:
        peer, peer_filter = bench_datatrove(corpus, args.out, args.workers)
        rows.append(peer)
        filter_rows.append(peer_filter)
    print("running the filter micro-benchmark ...", file=sys.stderr)
    rows += [*filter_rows, *micro_benchmark(corpus), *pii_benchmark()]
    return report(rows, corpus, args.workers)


def main() -> None:
    args = parse_args()
    if args.child:
        result = CHILDREN[args.child](args.out, args.workers)
        args.result.write_text(json.dumps(result))
        return
    results = benchmark(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

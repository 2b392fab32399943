"""End-to-end runs on real files: the store, the executor, dedup, and the accounting invariant."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import CORPUS, read_rows, run, write_jsonl

from corpus.store import sha256_file


def mixed_records(n: int, offset: int = 0) -> list[dict]:
    """Prose, symbol soup, empties and exact duplicates, deterministically interleaved."""
    records = []
    for i in range(offset, offset + n):
        if i % 10 == 3:
            text = "@@## !!! $$$ %%% ^^^ &&& *** " * 3
        elif i % 17 == 5:
            text = "   "
        elif i % 7 == 6:
            text = f"Shared paragraph number {i % 3} about rivers and towns."
        else:
            text = f"Document {i} tells a short story about a river, a bridge and town {i * 7}."
        records.append({"id": f"doc-{i}", "text": text, "n": i})
    return records


def published(summary) -> dict:
    path = summary.path
    return {
        "data": read_rows(path / "data"),
        "rejects": read_rows(path / "rejects"),
        "manifest": json.loads((path / "manifest.json").read_text()),
        "stats": json.loads((path / "stats.json").read_text()),
    }


CHAIN = [{"special_chars": {"max_ratio": 0.5}}, {"exact_dedup": {}}]


def test_run_publishes_a_complete_version_with_counts_and_shards(tmp_path):
    source = write_jsonl(tmp_path / "in" / "a.jsonl.gz", mixed_records(500))
    summary = run(tmp_path, [source], CHAIN, output={"shard_rows": 100})
    out = published(summary)
    counts = out["manifest"]["counts"]
    assert counts["read"] == 500 == counts["kept"] + counts["rejected"] + counts["quarantined"]
    assert summary.version == "v0001"
    assert (summary.path.parent / "LATEST").read_text().strip() == "v0001"
    assert len(out["manifest"]["shards"]["data"]) == -(-counts["kept"] // 100)
    for shard in out["manifest"]["shards"]["data"] + out["manifest"]["shards"]["rejects"]:
        assert sha256_file(summary.path / shard["path"]) == shard["sha256"]
    assert [f["name"] for f in out["stats"]["filters"]] == ["special_chars", "exact_dedup"]
    assert out["manifest"]["inputs"][0]["fingerprint"]
    assert not list((summary.path.parent / "_staging").iterdir())
    kept_ids = [r["id"] for r in out["data"]]
    assert kept_ids == sorted(kept_ids, key=lambda x: int(x.split("-")[1])), "input order kept"
    assert all(not k.startswith("__corpus") for k in out["data"][0])


def test_exact_dedup_keeps_the_first_in_input_order_and_names_it(tmp_path):
    first = write_jsonl(tmp_path / "in" / "1.jsonl", [
        {"id": "a", "text": "The same text."}, {"id": "b", "text": "Other text."}])
    second = write_jsonl(tmp_path / "in" / "2.jsonl", [
        {"id": "c", "text": "the   SAME text. "}, {"id": "d", "text": "Other text."}])
    out = published(run(tmp_path, [first, second], [{"exact_dedup": {}}]))
    assert [r["id"] for r in out["data"]] == ["a", "b"]
    assert {r["id"]: r["duplicate_of"] for r in out["rejects"]} == {"c": "a", "d": "b"}
    assert out["stats"]["filters"][0]["counters"]["clusters"]["with_duplicates"] == 2


def test_workers_and_byte_ranges_give_the_same_version_as_one_process(tmp_path):
    files = [write_jsonl(tmp_path / "in" / f"{i}.jsonl", mixed_records(400, offset=400 * i))
             for i in range(3)]
    one = published(run(tmp_path / "one", files, CHAIN))
    many = published(run(tmp_path / "many", files, CHAIN, workers=2,
                         input={"split_bytes": 4096, "batch_rows": 64}))
    assert [r["id"] for r in many["data"]] == [r["id"] for r in one["data"]]
    assert [r["text"] for r in many["data"]] == [r["text"] for r in one["data"]]
    assert sorted((r["id"], r["reason"]) for r in many["rejects"]) == sorted(
        (r["id"], r["reason"]) for r in one["rejects"])
    assert many["manifest"]["counts"] == one["manifest"]["counts"]
    for a, b in zip(one["stats"]["filters"], many["stats"]["filters"], strict=True):
        assert (a["docs_in"], a["docs_out"], a["counters"], a["histograms"]) == (
            b["docs_in"], b["docs_out"], b["counters"], b["histograms"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_a_worker_pool_is_forked_with_the_chain_set_up_once(tmp_path):
    files = [write_jsonl(tmp_path / "in" / f"{i}.jsonl", mixed_records(200, offset=200 * i))
             for i in range(4)]
    log = tmp_path / "setups.txt"
    summary = run(tmp_path, files, [{"faulty_filter:SetupLog": {"log": str(log)}}], workers=2)
    assert summary.counts["kept"] == 800
    assert log.read_text().split() == [str(os.getpid())]  # in the driver, not in either worker


def test_loading_pauses_garbage_collection_and_leaves_it_as_it_found_it():
    import gc

    from pipelines.tasks import collection_paused

    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # a caller's own choice is kept
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def frozen_objects(_: int) -> int:
    import gc

    return gc.get_freeze_count()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_forked_workers_leave_what_they_inherited_out_of_their_collections():
    from pipelines.local import LocalPool

    with LocalPool(2) as pool:
        inherited = pool.map(frozen_objects, [0, 1])
    assert min(inherited) > 10_000  # the engine's modules at least, frozen before the fork
    assert frozen_objects(0) == 0  # the driver collects as before


def test_annotate_mode_keeps_every_document_and_writes_columns(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", mixed_records(100))
    out = published(run(tmp_path, [source], [{"special_chars": {"mode": "annotate"}},
                                             {"exact_dedup": {"mode": "annotate"}}]))
    assert len(out["data"]) == 100 and out["rejects"] == []
    assert {"special_char_ratio", "duplicate_of"} <= set(out["data"][0])
    flagged = out["stats"]["filters"][0]["counters"]["would_remove_by_reason"]
    assert flagged["too_many_special_chars"] == 10


def test_text_lengths_carried_between_steps_match_the_texts(tmp_path):
    """Each step's characters and bytes in are the step before's out, measured once per batch
    and carried (c4_quality rewrites texts: its output is measured again); the length
    histograms count the texts read and published."""
    from corpus.stats import length_histogram

    records = mixed_records(300)
    for i, record in enumerate(records[:60]):  # lines c4_quality drops: the text is rewritten
        record["text"] = (f"Line {i} of the page is a sentence. The second one follows it here. A third "
                          f"one closes the line.\nno punctuation here\nPlease enable javascript to see it.")
    source = write_jsonl(tmp_path / "a.jsonl", records)
    chain = [{"c4_quality": {"min_num_sentences": 1}}, {"special_chars": {"max_ratio": 0.5}},
             {"exact_dedup": {}}]
    out = published(run(tmp_path, [source], chain, input={"batch_rows": 64}))
    steps = out["stats"]["filters"]
    texts = [record["text"] for record in records]
    kept = [row["text"] for row in out["data"]]
    assert (steps[0]["chars_in"], steps[0]["bytes_in"]) == (sum(map(len, texts)),
                                                          sum(len(t.encode()) for t in texts))
    for before, after in zip(steps, steps[1:], strict=False):
        assert (after["chars_in"], after["bytes_in"]) == (before["chars_out"], before["bytes_out"])
    assert (steps[-1]["chars_out"], steps[-1]["bytes_out"]) == (sum(map(len, kept)),
                                                                sum(len(t.encode()) for t in kept))
    assert steps[0]["docs_out"] >= 60 and steps[0]["chars_out"] <= steps[0]["chars_in"] - 60 * len(
        "\nno punctuation here\nPlease enable javascript to see it.")
    for name, values in (("read", texts), ("kept", kept)):
        histogram = length_histogram()
        histogram.add([len(text) for text in values])
        assert out["stats"]["total"]["length_histograms"][name] == histogram.to_dict()


def test_keep_rejects_false_still_accounts_for_every_document(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", mixed_records(200))
    out = published(run(tmp_path, [source], CHAIN, output={"keep_rejects": False}))
    counts = out["manifest"]["counts"]
    assert out["rejects"] == [] and counts["rejected"] > 0
    assert counts["read"] == counts["kept"] + counts["rejected"]


def big_input(tmp_path: Path, n: int = 150_000) -> Path:
    body = "A river runs through an old town and people walk along it in the evening. " * 8
    return write_jsonl(tmp_path / "big.jsonl", [{"id": str(i), "text": f"{i} {body}"}
                                                 for i in range(n)])


def write_config(tmp_path: Path, source: Path, **extra) -> Path:
    config = {"dataset": "kill", "input": {"paths": [str(source)], "batch_rows": 512},
              "output": {"root": str(tmp_path / "out"), "shard_rows": 5000},
              "filters": [{"special_chars": {}}], **extra}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.slow
def test_sigkill_mid_run_leaves_versions_and_latest_intact_and_rerun_succeeds(tmp_path):
    source = big_input(tmp_path)
    config = write_config(tmp_path, source)
    subprocess.run([CORPUS, "run", str(config), "-q"], check=True, capture_output=True)
    dataset = tmp_path / "out" / "kill"
    before = sorted(p.name for p in dataset.iterdir())
    process = subprocess.Popen([CORPUS, "run", str(config), "-q"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not list((dataset / "_staging").glob("*/units/*/data/*.parquet")):
        time.sleep(0.05)
    time.sleep(0.3)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert sorted(p.name for p in dataset.iterdir()) == before
    assert (dataset / "LATEST").read_text().strip() == "v0001"
    assert pq.ParquetFile(dataset / "v0001" / "data" / "part-00000.parquet").metadata.num_rows
    subprocess.run([CORPUS, "run", str(config), "-q"], check=True, capture_output=True)
    assert (dataset / "LATEST").read_text().strip() == "v0002"
    manifest = json.loads((dataset / "v0002" / "manifest.json").read_text())
    assert manifest["counts"]["read"] == 150_000 and manifest["parent"] == "v0001"


@pytest.mark.slow
def test_concurrent_runs_publish_two_complete_distinct_versions(tmp_path):
    source = big_input(tmp_path, 40_000)
    config = write_config(tmp_path, source)
    processes = [subprocess.Popen([CORPUS, "run", str(config), "-q"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for _ in range(2)]
    for process in processes:
        assert process.wait(timeout=300) == 0, process.stderr.read()
    dataset = tmp_path / "out" / "kill"
    assert sorted(p.name for p in dataset.glob("v*")) == ["v0001", "v0002"]
    assert (dataset / "LATEST").read_text().strip() in ("v0001", "v0002")
    for version in ("v0001", "v0002"):
        manifest = json.loads((dataset / version / "manifest.json").read_text())
        assert manifest["counts"]["kept"] == 40_000
        rows = sum(pq.ParquetFile(dataset / version / s["path"]).metadata.num_rows
                   for s in manifest["shards"]["data"])
        assert rows == 40_000


@pytest.mark.slow
def test_quickstart_on_the_demo_corpus_removes_the_planted_noise_and_keeps_prose(tmp_path):
    """What `make demo` runs, checked against the generator's labels."""
    import csv
    import sys

    root = Path(__file__).parents[1]
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(root / "scripts" / "make_demo_corpus.py"), str(corpus),
                    "--with-bad-records"], check=True, capture_output=True)
    result = subprocess.run([CORPUS, "run", str(root / "configs" / "quickstart.yaml"), "-q",
                             "--input", str(corpus), "--output", str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    version = tmp_path / "out" / "quickstart" / "v0001"
    with open(corpus / "labels.csv") as handle:
        labels = {row["id"]: row["category"] for row in csv.DictReader(handle)}
    kept = {row["id"] for row in read_rows(version / "data")}
    removed = {row["id"]: row["filter"] for row in read_rows(version / "rejects")}
    by_category: dict[str, list[str]] = {}
    for doc_id, category in labels.items():
        by_category.setdefault(category, []).append(doc_id)
    for category in ("noise_symbols", "noise_code", "exact_duplicates", "empty"):
        assert all(doc_id in removed for doc_id in by_category[category]), category
    near = by_category["near_duplicates"]
    assert sum(removed.get(doc_id) == "minhash_dedup" for doc_id in near) / len(near) >= 0.9
    prose = by_category["prose"]
    assert sum(doc_id in kept for doc_id in prose) / len(prose) >= 0.99
    offensive = by_category["offensive"]
    assert sum(removed.get(doc_id) == "toxicity" for doc_id in offensive) / len(offensive) >= 0.85
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["status"] == "published" and all(gate["passed"] for gate in manifest["gates"])
    counts = manifest["counts"]
    assert counts["quarantined"] == 4
    assert counts["read"] == counts["kept"] + counts["rejected"] + counts["quarantined"]
    assert [f["name"] for f in manifest["filters"]] == [
        "langid", "special_chars", "gopher_quality", "fineweb_quality", "toxicity", "pii", "minhash_dedup"]
    published = {row["id"]: row for row in read_rows(version / "data")}
    for doc_id, row in published.items():
        if labels[doc_id] == "pii":
            assert row["pii"] and "<" in row["text"], doc_id
        elif labels[doc_id] == "prose":
            assert not row["pii"], (doc_id, row["pii"])


def test_rejects_name_the_step_label_so_repeated_filters_have_their_own_samples(tmp_path):
    records = [{"id": f"d{i}", "text": "@@## !!! prose $$$" if i % 2 else "a  b"} for i in range(6)]
    path = write_jsonl(tmp_path / "in" / "docs.jsonl", records)
    summary = run(tmp_path, [path], [{"special_chars": {"max_ratio": 0.9}},
                                     {"special_chars": {"max_ratio": 0.3}}])
    labels = {row["id"]: row["filter"] for row in read_rows(summary.path / "rejects")}
    assert labels == {"d1": "special_chars#2", "d3": "special_chars#2", "d5": "special_chars#2"}
    sample = subprocess.run([CORPUS, "sample", str(summary.path), "--rejected-by", "special_chars#2"],
                            capture_output=True, text=True)
    assert sample.returncode == 0 and sample.stdout.count("too_many_special_chars") == 3

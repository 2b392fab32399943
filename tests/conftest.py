"""Shared helpers: write real input files, run the real pipeline and CLI, read what was published."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from pipelines.config import validate_config
from pipelines.run import RunSummary, run_pipeline

CORPUS = str(Path(sys.executable).parent / "corpus")


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as JSON Lines, gzip-compressed when the name ends in .gz."""
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return path


def run(tmp_path: Path, paths: list[Path], filters: list[Any], **settings: Any) -> RunSummary:
    """Run a pipeline through the Python API into `tmp_path/out`."""
    config = {
        "dataset": settings.pop("dataset", "test"),
        "input": {"paths": [str(p) for p in paths], **settings.pop("input", {})},
        "output": {"root": str(tmp_path / "out"), **settings.pop("output", {})},
        "filters": filters,
        **settings,
    }
    return run_pipeline(validate_config(config))


def read_rows(folder: Path) -> list[dict[str, Any]]:
    """Every row of every Parquet shard in `folder`, in shard order."""
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def version_contents(version: Path) -> dict[str, Any]:
    """Everything two runs of one config must agree on, whatever executor ran them and however
    often they were interrupted: every row of every shard in shard order, counts, statistics."""
    manifest = json.loads((version / "manifest.json").read_text())
    stats = json.loads((version / "stats.json").read_text())
    shards = {kind: [pq.read_table(version / shard["path"]).to_pylist()
                     for shard in manifest["shards"][kind]]
              for kind in ("data", "rejects", "quarantine", "index")}
    filters = [{key: entry[key] for key in ("name", "docs_in", "docs_out", "chars_in", "chars_out",
                                            "bytes_in", "bytes_out", "counters", "histograms")}
               for entry in stats["filters"]]
    return {"shards": shards, "counts": manifest["counts"], "filters": filters}


def corpus_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
               check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed `corpus` console script."""
    result = subprocess.run([CORPUS, *args], capture_output=True, text=True, cwd=cwd,
                            env={**os.environ, **(env or {})}, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"corpus {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def prose_records() -> list[dict[str, Any]]:
    """Real sentences in many scripts, each a plausible web document."""
    texts = {
        "en": "The river runs through the old town, and people walk along it every evening.",
        "ko": "강물은 오래된 마을을 지나 흐르고, 사람들은 매일 저녁 그 길을 따라 걷는다.",
        "ja": "川は古い町を流れ、人々は毎晩その川沿いを散歩します。",
        "zh": "河流穿过古老的城镇，人们每天晚上都沿着河边散步。",
        "ru": "Река течёт через старый город, и люди каждый вечер гуляют вдоль неё.",
        "ar": "يجري النهر عبر البلدة القديمة، ويمشي الناس على ضفافه كل مساء.",
        "hi": "नदी पुराने शहर से होकर बहती है, और लोग हर शाम उसके किनारे टहलते हैं।",
        "th": "แม่น้ำไหลผ่านเมืองเก่า และผู้คนเดินเล่นริมแม่น้ำทุกเย็น",
        "de": "Der Fluss fließt durch die Altstadt, und jeden Abend gehen die Leute daran entlang.",
        "el": "Το ποτάμι διασχίζει την παλιά πόλη και οι άνθρωποι περπατούν δίπλα του κάθε βράδυ.",
        "he": "הנהר זורם דרך העיר העתיקה, ואנשים מטיילים לאורכו בכל ערב.",
    }
    return [{"id": f"prose-{lang}", "text": text, "lang": lang} for lang, text in texts.items()]


def tree_rss(root: int) -> dict[int, int]:
    """Resident bytes of process `root` and each of its descendants, read from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    sizes = {}
    for pid in tree:
        try:
            sizes[pid] = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError):
            continue
    return sizes


def pair_signatures(dedup: Any, rng: np.random.Generator, shared: int, own: int, pairs: int) -> np.ndarray:
    """MinHash signatures (with `dedup`'s permutations) of `pairs` pairs of random shingle-hash
    sets that share `shared` hashes and hold `own` of their own each, so each pair's Jaccard is
    exactly shared / (shared + 2 * own); rows 2k and 2k + 1 are pair k."""
    from filters.minhash_signing import minhash

    hashes, parents = [], []
    for pair in range(pairs):
        values = rng.choice(2**32, size=shared + 2 * own, replace=False).astype(np.uint32)
        for side, extra in enumerate((values[shared:shared + own], values[shared + own:])):
            hashes.append(np.concatenate([values[:shared], extra]))
            parents.append(np.full(shared + own, 2 * pair + side))
    return minhash(np.concatenate(hashes), np.concatenate(parents), 2 * pairs, dedup.a, dedup.b)

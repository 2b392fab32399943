"""Soak test: millions of short documents through special_chars and minhash_dedup, then a kill and a resume.

Usage:
    python scripts/soak.py [--docs 10000000] [--files 20] [--workers 2] [--out /tmp/soak]
                           [--kill-at 0.7] [--json soak.json]

1. Generates (seeded, reused when the parameters match) `--files` JSONL files of short
   prose documents (about 300 characters; every 97th document a near copy of the one before).
2. Runs `corpus run` uninterrupted, sampling the summed RSS of the run's process tree every
   0.5 s; the peak so far is recorded when the finished first-segment units cover 1 M, 5 M
   and all documents, and at the end (after the dedup resolve and the write).
3. Runs again with `--fresh`, SIGKILLs it at `--kill-at` of the first run's wall time, and
   times the resume (`corpus run` on the same config), which reuses the finished units.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from bench import TreeSampler

MB = 1 << 20
SEED = 20261128
WORDS = np.array([
    "the", "of", "river", "town", "evening", "people", "walk", "bridge", "market", "bread",
    "coffee", "rain", "window", "garden", "morning", "letter", "station", "train", "museum",
    "painting", "music", "street", "lamp", "harbour", "ship", "north", "south", "quiet",
    "bright", "old", "new", "long", "small", "children", "teacher", "story", "winter",
    "summer", "field", "forest", "mountain", "village", "road", "light", "water", "stone",
    "house", "door", "table", "book", "song"
])
CORPUS_FORMAT = 1


def ensure_corpus(folder: Path, docs: int, files: int) -> list[Path]:
    marker = folder / "corpus.json"
    wanted = {"docs": docs, "files": files, "format": CORPUS_FORMAT}
    paths = [folder / f"part-{number:03d}.jsonl" for number in range(files)]
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    per_file = docs // files
    for number, path in enumerate(paths):
        with open(path, "w") as handle:
            for start in range(0, per_file, 100_000):
                rows = rng.integers(0, len(WORDS), size=(min(100_000, per_file - start), 50))
                texts = [" ".join(row) for row in WORDS[rows]]
                for i in range(96, len(texts), 97):
                    texts[i] = texts[i - 1] + " again"
                handle.writelines(f'{{"id":"{number}-{start + i}","text":"{text}"}}\n'
                                  for i, text in enumerate(texts))
        print(f"wrote {path}", file=sys.stderr)
    marker.write_text(json.dumps(wanted))
    return paths


def write_config(out: Path, inputs: list[Path], workers: int) -> Path:
    config = {"dataset": "soak", "workers": workers,
              "input": {"paths": [str(p) for p in inputs]},
              "output": {"root": str(out / "store"), "shard_rows": 500_000},
              "filters": [{"special_chars": {}}, {"minhash_dedup": {"threshold": 0.8}}]}
    path = out / "soak.yaml"
    path.write_text(json.dumps(config))
    return path


def finished_first_units(dataset: Path) -> int:
    return sum(1 for done in dataset.glob("_staging/*/units/*/done.json")
               if (done.parent / "spill").is_dir())


def run(config: Path, dataset: Path, per_unit: int, marks: list[int], kill_after: float | None,
        fresh: bool) -> dict[str, Any]:
    command = ["corpus", "run", str(config), *(["--fresh"] if fresh else [])]
    started = time.perf_counter()
    log = open(config.parent / f"run-{int(time.time())}.log", "w+")  # noqa: SIM115
    process = psutil.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    sampler = TreeSampler(process)
    peaks: dict[str, float] = {}
    while process.poll() is None:
        sampler.sample()
        covered = finished_first_units(dataset) * per_unit
        for mark in marks:
            if covered >= mark and f"{mark:,}" not in peaks:
                peaks[f"{mark:,}"] = round(sampler.peak_rss / MB)
        if kill_after is not None and time.perf_counter() - started >= kill_after:
            process.send_signal(signal.SIGKILL)
            process.wait()
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    log.seek(0)
    output = log.read()
    if kill_after is None and process.returncode != 0:
        raise RuntimeError(f"run failed:\n{output[-3000:]}")
    peaks["end"] = round(sampler.peak_rss / MB)
    return {"seconds": round(elapsed, 1), "peak_rss_mb": peaks, "returncode": process.returncode,
            "reused": [line for line in output.splitlines() if "reusing" in line]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/soak"))
    parser.add_argument("--kill-at", type=float, default=0.7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    inputs = ensure_corpus(args.out / "input", args.docs, args.files)
    config = write_config(args.out, inputs, args.workers)
    dataset = args.out / "store" / "soak"
    per_unit = args.docs // args.files
    marks = sorted({min(m, args.docs) for m in (1_000_000, 5_000_000, args.docs)})
    full = run(config, dataset, per_unit, marks, None, fresh=True)
    print(f"uninterrupted: {full}", file=sys.stderr)
    killed = run(config, dataset, per_unit, marks, args.kill_at * full["seconds"], fresh=True)
    resumed = run(config, dataset, per_unit, [], None, fresh=False)
    result = {"docs": args.docs, "files": args.files, "workers": args.workers,
              "uninterrupted": full, "killed": killed, "resumed": resumed,
              "saved_seconds": round(full["seconds"] - resumed["seconds"], 1)}
    print(json.dumps(result, indent=2))
    print("\n| documents read | peak RSS (MB, process tree) |\n|---|---|")
    for mark, rss in full["peak_rss_mb"].items():
        print(f"| {mark} | {rss:,} |")
    print(f"\nuninterrupted {full['seconds']} s; killed at {killed['seconds']} s; resume "
          f"{resumed['seconds']} s ({result['saved_seconds']} s saved)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

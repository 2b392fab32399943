"""Scale-out evidence: the quickstart pipeline on N demo documents, local against Ray with 1 and 2 CPUs.

Usage:
    python scripts/scaleout.py [--docs 200000] [--out /tmp/scaleout]

The demo corpus (two .jsonl.gz files and one Parquet file: three tasks at most) is rewritten
as `--files` plain JSONL files, so both executors have enough tasks to spread. Each run is
`corpus run configs/quickstart.yaml` in a fresh process (wall time includes the
interpreter, Ray start-up and model loading); Ray runs start a local Ray instance with the
given number of actors at 1 CPU each. Prints a Markdown table of documents/s and the Ray
overhead against the local executor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = str(Path(sys.executable).parent / "corpus")


def timed_run(corpus: Path, out: Path, name: str, settings: list[str]) -> dict:
    command = [CORPUS, "run", str(ROOT / "configs" / "quickstart.yaml"), "-q", "--fresh",
               "--input", str(corpus), "--output", str(out), "--dataset", name,
               "--allow-failed-gates", *settings]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    version = (out / name / "LATEST").read_text().strip()
    counts = json.loads((out / name / version / "manifest.json").read_text())["counts"]
    return {"name": name, "seconds": round(seconds, 1), "read": counts["read"], "kept": counts["kept"],
            "docs_per_second": round(counts["read"] / seconds)}


def rewrite(demo: Path, corpus: Path, files: int) -> None:
    """Every demo record (id, text) into `files` plain JSONL files, round-robin."""
    import gzip

    import orjson
    import pyarrow.parquet as pq

    records = []
    for path in sorted(demo.glob("*.jsonl.gz")):
        with gzip.open(path) as handle:
            records += [orjson.loads(line) for line in handle]
    for path in sorted(demo.glob("*.parquet")):
        records += pq.read_table(path, columns=["id", "text"]).to_pylist()
    corpus.mkdir(parents=True)
    for number in range(files):
        with open(corpus / f"part-{number:02d}.jsonl", "wb") as handle:
            handle.writelines(orjson.dumps({"id": r["id"], "text": r["text"]}) + b"\n"
                              for r in records[number::files])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path("/tmp/scaleout"))
    args = parser.parse_args()
    demo = args.out / "demo"
    if not (demo / "labels.csv").exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo_corpus.py"), str(demo),
                        "--docs", str(args.docs)], check=True)
    corpus = args.out / "corpus"
    if not corpus.is_dir():
        rewrite(demo, corpus, args.files)
    runs = [
        timed_run(corpus, args.out, "local-1", ["--workers", "1"]),
        timed_run(corpus, args.out, "local-2", ["--workers", "2"]),
        timed_run(corpus, args.out, "ray-1", ["--executor", "ray", "--set", "ray.actors=1",
                                              "--set", "ray.cpus_per_actor=1"]),
        timed_run(corpus, args.out, "ray-2", ["--executor", "ray", "--set", "ray.actors=2",
                                              "--set", "ray.cpus_per_actor=1"]),
    ]
    by_name = {run["name"]: run for run in runs}
    print("| executor | CPUs | wall s | docs/s | kept | vs local, same CPUs |\n|---|---|---|---|---|---|")
    for run in runs:
        kind, cpus = run["name"].split("-")
        ratio = run["seconds"] / by_name[f"local-{cpus}"]["seconds"]
        print(f"| {kind} | {cpus} | {run['seconds']} | {run['docs_per_second']:,} | {run['kept']:,} | "
              f"{ratio:.2f}x time |")
    assert len({run["kept"] for run in runs}) == 1, "executors disagree"


if __name__ == "__main__":
    main()

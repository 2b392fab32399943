"""Dedup spill files with and without compression: bytes per document and CPU per document.

    python scripts/bench_spill.py [--docs 20000] [--input FILE.jsonl]

Signs `--docs` documents with minhash_dedup (verify: exact, so the keys carry shingle hashes),
writes the key table as Parquet (with the options the engine's own files are written with,
corpus.writers.INTERNAL) and the band keys (16 x 6 at threshold 0.8) as Arrow IPC,
each with no compression, lz4 and zstd, and prints bytes, write and read CPU time per document
(best of several runs). Without `--input` it uses the benchmark's generated corpus.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus.schema import ID, ORDER  # noqa: E402
from corpus.writers import INTERNAL  # noqa: E402
from filters.minhash_dedup import BAND_SCHEMA, MinHashDedup, band_keys, banding  # noqa: E402
from filters.minhash_signing import _signatures  # noqa: E402


def cpu(action: Callable[[], object], runs: int) -> float:
    """The least CPU time of `runs` calls of `action`."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def documents(path: Path | None, count: int) -> list[str]:
    if path is None:
        from bench import ensure_corpus  # scripts/ is on sys.path when a script runs

        path = sorted(ensure_corpus(Path(tempfile.gettempdir()) / "bench-spill", count, 2000, 1, 0.05)
                      .glob("*.jsonl"))[0]
    with open(path, "rb") as lines:
        return [orjson.loads(line)["text"] for line in itertools.islice(lines, count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--input", type=Path, help="a JSONL file with a text field")
    args = parser.parse_args()
    texts = documents(args.input, args.docs)
    count = len(texts)
    dedup = MinHashDedup(threshold=0.8)
    dedup.setup()
    tables = []
    for start in range(0, count, 4096):
        chunk = texts[start:start + 4096]
        batch = pa.record_batch({ID: [f"d{start + i}" for i in range(len(chunk))],
                                 "text": pa.array(chunk, pa.large_string()),
                                 ORDER: pa.array(range(start, start + len(chunk)), pa.int64())})
        tables.append(pa.table({ID: batch.column(ID), ORDER: batch.column(ORDER), **dedup.sign(batch)}))
    keys = pa.concat_tables(tables)
    bands, rows = banding(0.8, 128, 0.99)
    owners = np.tile(keys.column(ORDER).to_numpy(), bands)
    band_table = pa.table([pa.array(band_keys(_signatures(keys, 128), bands, rows)), pa.array(owners)],
                          schema=BAND_SCHEMA)
    print(f"{count:,} documents; key columns: {', '.join(keys.schema.names)}; {bands} x {rows} bands")
    print("| file | codec | bytes/doc | write us/doc | read us/doc |\n|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for codec in ("none", "lz4", "zstd"):
            path = Path(folder) / f"keys-{codec}.parquet"
            write = cpu(partial(pq.write_table, keys, path, compression=codec, **INTERNAL), 3)
            row("keys (Parquet)", codec, path, count, write, cpu(partial(pq.read_table, path), 5))
        for codec in ("none", "lz4", "zstd"):
            path = Path(folder) / f"bands-{codec}.arrow"
            write = cpu(partial(write_ipc, band_table, path, codec), 3)
            row("band keys (Arrow IPC)", codec, path, count, write, cpu(partial(read_ipc, path), 5))


def write_ipc(table: pa.Table, path: Path, codec: str) -> None:
    options = pa.ipc.IpcWriteOptions(compression=None if codec == "none" else codec)
    with pa.ipc.new_file(str(path), table.schema, options=options) as sink:
        sink.write_table(table)


def read_ipc(path: Path) -> pa.Table:
    return pa.ipc.open_file(str(path)).read_all()


def row(kind: str, codec: str, path: Path, count: int, write: float, read: float) -> None:
    print(f"| {kind} | {codec} | {path.stat().st_size / count:,.0f} | {write / count * 1e6:.1f} "
          f"| {read / count * 1e6:.1f} |")

if __name__ == "__main__":
    main()

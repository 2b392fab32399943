"""Verify a published version: every shard's checksum and row count against its manifest."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpus.store import SHARD_KINDS, read_json, sha256_file


def verify_version(path: Path) -> list[str]:
    """Problems found (empty when the version is intact), one sentence each."""
    manifest = read_json(path / "manifest.json")
    problems = []
    listed = set()
    for kind in SHARD_KINDS:
        for shard in manifest["shards"].get(kind, []):
            listed.add(shard["path"])
            file = path / shard["path"]
            if not file.is_file():
                problems.append(f"{shard['path']} is missing")
                continue
            if sha256_file(file) != shard["sha256"]:
                problems.append(f"{shard['path']} has a different sha256 than the manifest records")
            try:
                rows = pq.ParquetFile(file).metadata.num_rows
            except (pa.ArrowException, OSError) as exc:
                problems.append(f"{shard['path']} cannot be read as Parquet: {exc}")
                continue
            if rows != shard["rows"]:
                problems.append(f"{shard['path']} holds {rows} rows, the manifest says {shard['rows']}")
    for kind in SHARD_KINDS:
        for file in sorted((path / kind).glob("*.parquet")) if (path / kind).is_dir() else []:
            if f"{kind}/{file.name}" not in listed:
                problems.append(f"{kind}/{file.name} is not in the manifest")
    counts = manifest["counts"]
    kept = sum(s["rows"] for s in manifest["shards"].get("data", []))
    if kept != counts["kept"]:
        problems.append(f"data shards hold {kept} rows, counts.kept says {counts['kept']}")
    return problems

"""Verify a published version: every file, the counts, the manifest's digest chain and signature.

What each part of a version's seal (written by `corpus.store.seal`) guarantees:

- `files` in the manifest: every file of the version (shards, stats.json, report.html, the
  card) has the sha256 and size recorded, and no file is missing or added.
- `manifest.sha256`: the manifest is the one written at publish, but only against accidents
  and careless edits. Whoever can rewrite the files can rewrite the manifest and this digest
  too; an unsigned digest alone proves nothing against a deliberate edit.
- The chain: each version's manifest records its parent's manifest digest
  (`parent_manifest_sha256`), so a rewritten manifest (with a matching digest file) shows
  in the next version's record, unless every later version is rewritten as well. The newest
  version has no such witness: copy its digest elsewhere, or sign it.
- `manifest.sig`: an HMAC-SHA256 of the digest with a secret key. Without the key no edit
  can be made to match, so a version verified with the key is exactly what was signed.

The counts are re-derived from the shards (data rows are the kept documents, rejects the
rejected ones when `keep_rejects` was on, quarantine rows the quarantined ones), checked
against the accounting `read == kept + rejected + quarantined` and against stats.json.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from corpus.store import (
    MANIFEST,
    MANIFEST_DIGEST,
    SEAL_FILES,
    SHARD_KINDS,
    SIGNATURE,
    SIGNATURE_ALGORITHM,
    VERSION_NAME,
    config_sha256,
    list_files,
    read_json,
    sha256_file,
    sign,
)

COUNTS = ("read", "kept", "rejected", "quarantined")


@dataclass
class Verification:
    """What verify found: problems (each naming a file) and, per check, what was checked."""

    problems: list[str] = field(default_factory=list)
    checked: dict[str, str] = field(default_factory=dict)
    signature: str = ""


def verify_version(path: Path, key: bytes | None = None) -> Verification:
    """Check the version folder `path`; with `key`, its signature too."""
    result = Verification()
    try:
        raw = (path / MANIFEST).read_bytes()
        manifest = json.loads(raw)
    except (OSError, ValueError) as exc:
        result.problems.append(f"{MANIFEST} cannot be read: {exc}")
        return result
    digest = hashlib.sha256(raw).hexdigest()
    _check_digest(path, digest, result)
    result.signature = _check_signature(path, digest, key, result)
    for check in (_check_files, _check_counts, _check_config, _check_chain):
        try:
            check(path, manifest, digest, result)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # A hand-edited manifest can hold anything: report it, never crash on it.
            result.problems.append(f"{MANIFEST} is malformed ({type(exc).__name__}: {exc})")
    return result


def _check_digest(path: Path, digest: str, result: Verification) -> None:
    try:
        recorded = (path / MANIFEST_DIGEST).read_text().split()
    except (OSError, UnicodeDecodeError):
        result.problems.append(f"{MANIFEST_DIGEST} is missing or unreadable: the manifest's "
                               f"digest cannot be checked")
        return
    if not recorded or recorded[0] != digest:
        result.problems.append(f"{MANIFEST} does not match {MANIFEST_DIGEST}: the manifest was "
                               f"changed after publishing")
        return
    result.checked["manifest"] = f"{MANIFEST} matches {MANIFEST_DIGEST}"


def _check_signature(path: Path, digest: str, key: bytes | None, result: Verification) -> str:
    """Check manifest.sig with `key`; returns one line saying what was (not) checked."""
    file = path / SIGNATURE
    if not file.exists():
        if key is not None:
            result.problems.append(f"{SIGNATURE} is missing: the version is not signed, but a "
                                   f"key was given")
            return "unsigned (a key was given: FAILED)"
        return "unsigned (no manifest.sig)"
    try:
        record = read_json(file)
        algorithm, signature = record["algorithm"], record["signature"]
    except (OSError, ValueError, KeyError, TypeError):
        result.problems.append(f"{SIGNATURE} is unreadable")
        return "signed, but manifest.sig is unreadable"
    if algorithm != SIGNATURE_ALGORITHM:
        result.problems.append(f"{SIGNATURE} names algorithm {algorithm!r}, expected "
                               f"{SIGNATURE_ALGORITHM}")
        return "signed with an unknown algorithm"
    if key is None:
        return "signed, signature NOT checked (give --key or set CORPUS_SIGNING_KEY)"
    if not isinstance(signature, str) or not hmac.compare_digest(signature, sign(digest, key)):
        result.problems.append(f"{SIGNATURE} does not match: {MANIFEST} was changed after "
                               f"signing, or the key is wrong")
        return f"signed, {SIGNATURE_ALGORITHM} signature checked: INVALID"
    return f"signed, {SIGNATURE_ALGORITHM} signature checked: valid"


def _check_files(path: Path, manifest: dict[str, Any], digest: str, result: Verification) -> None:
    """Every file against `files`, then the shards' rows against `shards`."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        result.problems.append(f"{MANIFEST} has no `files` section: the version's files cannot "
                               f"be checked")
        _check_shards(path, manifest, {}, result)
        return
    present = set(list_files(path)) - set(SEAL_FILES)
    total = 0
    for name, entry in sorted(files.items()):
        if not _inside(name):
            result.problems.append(f"{MANIFEST} lists a file outside the version: {name!r}")
            continue
        file = path / name
        if name not in present:
            result.problems.append(f"{name} is missing")
        elif file.is_symlink():
            result.problems.append(f"{name} is a symbolic link, not a file of the version")
        elif (size := file.stat().st_size) != entry["bytes"]:
            result.problems.append(f"{name} was changed: {size} bytes, the manifest records "
                                   f"{entry['bytes']}")
        elif sha256_file(file) != entry["sha256"]:
            result.problems.append(f"{name} was changed: its sha256 differs from the manifest's")
        else:
            total += size
    for name in sorted(present - set(files)):
        result.problems.append(f"{name} is not in the manifest")
    shards = _check_shards(path, manifest, files, result)
    result.checked["files"] = (f"{len(files)} files ({shards} shards, {total:,} bytes): sha256 "
                               f"and size match the manifest, none missing or extra")


def _check_shards(path: Path, manifest: dict[str, Any], files: dict[str, Any],
                  result: Verification) -> int:
    listed = 0
    for kind in SHARD_KINDS:
        for shard in manifest["shards"].get(kind, []):
            listed += 1
            name = shard["path"]
            entry = files.get(name)
            if entry is not None and (entry["sha256"], entry["bytes"]) != (shard["sha256"],
                                                                         shard["bytes"]):
                result.problems.append(f"{MANIFEST} records two different checksums for {name} "
                                       f"(files and shards)")
            if not _inside(name) or not (path / name).is_file():
                continue  # reported with the files
            rows = _rows(path / name, result)
            if rows is not None and rows != shard["rows"]:
                result.problems.append(f"{name} holds {rows} rows, the manifest says {shard['rows']}")
    return listed


def _check_counts(path: Path, manifest: dict[str, Any], digest: str, result: Verification) -> None:
    """The counts re-derived from the shards, the manifest's accounting, stats.json's totals."""
    counts = {name: manifest["counts"][name] for name in COUNTS}
    before = len(result.problems)
    if counts["read"] != counts["kept"] + counts["rejected"] + counts["quarantined"]:
        result.problems.append(
            f"{MANIFEST} counts break the accounting: read {counts['read']} != kept "
            f"{counts['kept']} + rejected {counts['rejected']} + quarantined {counts['quarantined']}")
    rows = {kind: _folder_rows(path / kind, result) for kind in ("data", "rejects", "quarantine")}
    expected = {"data": counts["kept"], "quarantine": counts["quarantined"],
                "rejects": counts["rejected"] if manifest["config"]["output"]["keep_rejects"] else 0}
    for kind, count in expected.items():
        if rows[kind] is not None and rows[kind] != count:
            result.problems.append(f"{kind}/ shards hold {rows[kind]} rows, but {MANIFEST} counts "
                                   f"imply {count}")
    try:
        totals = read_json(path / "stats.json")["total"]
    except (OSError, ValueError, KeyError, TypeError):
        result.problems.append("stats.json is missing or unreadable: its totals cannot be checked")
    else:
        for name in COUNTS:
            if totals.get(name) != counts[name]:
                result.problems.append(f"stats.json total.{name} is {totals.get(name)}, {MANIFEST} "
                                       f"counts.{name} is {counts[name]}")
    if len(result.problems) == before:
        result.checked["counts"] = (
            f"read {counts['read']:,} = kept {counts['kept']:,} + rejected {counts['rejected']:,} "
            f"+ quarantined {counts['quarantined']:,}; the shards' rows and stats.json agree")


def _check_config(path: Path, manifest: dict[str, Any], digest: str, result: Verification) -> None:
    if config_sha256(manifest["config"]) != manifest["config_sha256"]:
        result.problems.append(f"{MANIFEST} config does not match its config_sha256: the config "
                               f"was edited")
    else:
        result.checked["config"] = "the config matches config_sha256"


def _check_chain(path: Path, manifest: dict[str, Any], digest: str, result: Verification) -> None:
    """This manifest against its children's records, the parent's against this one's."""
    dataset, name = path.parent, path.name
    facts = []
    parent = manifest.get("parent")
    if parent:
        parent_file = dataset / str(parent) / MANIFEST
        recorded = manifest.get("parent_manifest_sha256")
        if not VERSION_NAME.match(str(parent)) or (dataset / str(parent)).is_symlink():
            result.problems.append(f"{MANIFEST} names a parent that is not a version of this "
                                   f"dataset: {parent!r}")
        elif recorded is None:
            result.problems.append(f"{MANIFEST} does not record its parent {parent}'s manifest "
                                   f"digest")
        elif not parent_file.is_file():
            facts.append(f"parent {parent} is no longer in the store (not checked)")
        elif sha256_file(parent_file) != recorded:
            result.problems.append(f"{parent}/{MANIFEST} differs from the digest {name}/{MANIFEST} "
                                   f"records for it: {parent} was changed after {name} was "
                                   f"published")
        else:
            facts.append(f"parent {parent}'s manifest matches the digest recorded here")
    children = 0
    for child in sorted(dataset.iterdir()):
        if not VERSION_NAME.match(child.name) or child.name == name or child.is_symlink():
            continue
        try:
            record = read_json(child / MANIFEST)
        except (OSError, ValueError):
            continue  # not a published version; verify that one to see why
        if not isinstance(record, dict) or record.get("parent") != name:
            continue
        children += 1
        if record.get("parent_manifest_sha256") != digest:
            result.problems.append(f"{child.name}/{MANIFEST} records a different digest for "
                                   f"{name}/{MANIFEST}: {name}'s manifest was changed after "
                                   f"{child.name} was published")
    facts.append(f"{children} later version(s) record this manifest's digest" if children else
                 "no later version records this manifest's digest yet")
    result.checked["chain"] = "; ".join(facts)


def _rows(file: Path, result: Verification) -> int | None:
    try:
        return _num_rows(file)
    except (pa.ArrowException, OSError) as exc:
        result.problems.append(f"{file.parent.name}/{file.name} cannot be read as Parquet: {exc}")
        return None


def _folder_rows(folder: Path, result: Verification) -> int | None:
    """Rows of every shard in `folder` (None when one cannot be read: already reported)."""
    if not folder.is_dir():
        return 0
    total = 0
    for file in sorted(folder.glob("*.parquet")):
        if file.is_symlink():
            return None
        try:
            total += _num_rows(file)
        except (pa.ArrowException, OSError):
            return None
    return total


def _num_rows(file: Path) -> int:
    """Rows in a Parquet file's footer (a local file or one on object storage)."""
    with file.open("rb") as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def _inside(name: str) -> bool:
    """A relative path that stays inside the version folder."""
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts

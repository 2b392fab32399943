"""The versioned dataset store: staging areas, atomic publish of vNNNN folders, LATEST."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from corpus.errors import UserError
from corpus.faults import checkpoint

SHARD_KINDS = ("data", "rejects", "quarantine", "index")
RUN_FILE = "run.json"
_VERSION = re.compile(r"^v(\d{4,})$")


@dataclass
class Staging:
    """The private work area of one run; nothing in it is visible as a version.

    A live run holds an exclusive lock on `<path>/.lock`; an area whose lock is free
    belongs to a run that stopped (finished, failed or killed) and may be resumed.
    """

    path: Path
    run_id: str
    lock: Any = field(default=None, repr=False)

    def folder(self, kind: str) -> Path:
        folder = self.path / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def state(self) -> dict[str, Any]:
        path = self.path / RUN_FILE
        return read_json(path) if path.exists() else {}

    def update(self, **fields: Any) -> None:
        """Merge `fields` into run.json (atomically replaced)."""
        atomic_write(self.path / RUN_FILE, json.dumps(
            {**self.state, **fields, "updated_at": _now()}, indent=2) + "\n")

    def release(self) -> None:
        if self.lock is not None:
            self.lock.close()
            self.lock = None


@dataclass(frozen=True)
class StagingArea:
    """What `corpus runs` shows of a staging area."""

    path: Path
    active: bool
    state: dict[str, Any]

    @property
    def status(self) -> str:
        recorded = self.state.get("status", "unknown")
        if self.active:
            return "running"
        return "interrupted" if recorded == "running" else recorded


class DatasetStore:
    """`<root>/<dataset>/`: immutable versions, a LATEST pointer and staging areas."""

    def __init__(self, root: str | Path, dataset: str) -> None:
        self.path = Path(root) / dataset

    def versions(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if _VERSION.match(p.name) and p.is_dir())

    def latest(self) -> str | None:
        pointer = self.path / "LATEST"
        return pointer.read_text().strip() if pointer.exists() else None

    def version_path(self, version: str | None = None) -> Path:
        """The folder of `version` (`v3`, `3`, `v0003`), or of LATEST when None."""
        name = self.latest() if version is None else normalise_version(version)
        if name is None:
            raise UserError(f"dataset {self.path} has no published version")
        path = self.path / name
        if not (path / "manifest.json").exists():
            raise UserError(f"{path} is not a published version")
        return path

    def start_run(self, state: dict[str, Any]) -> Staging:
        """A new, locked staging area whose run.json starts as `state`."""
        run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
        path = self.path / "_staging" / run_id
        path.mkdir(parents=True)
        staging = Staging(path, run_id, _try_lock(path))
        staging.update(**state, run_id=run_id, created_at=_now(), status="running")
        return staging

    def adopt(self, area: StagingArea) -> Staging | None:
        """Take over a stopped run's staging area (None if another process got it first)."""
        lock = _try_lock(area.path)
        if lock is None:
            return None
        staging = Staging(area.path, area.path.name, lock)
        staging.update(status="running", resumed=staging.state.get("resumed", 0) + 1)
        return staging

    def staging_areas(self) -> list[StagingArea]:
        """Every staging area of the dataset, oldest first."""
        root = self.path / "_staging"
        if not root.is_dir():
            return []
        areas = []
        for path in sorted(p for p in root.iterdir() if p.is_dir()):
            lock = _try_lock(path)
            if lock is not None:
                lock.close()
            state_file = path / RUN_FILE
            areas.append(StagingArea(path, lock is None,
                                     read_json(state_file) if state_file.exists() else {}))
        return areas

    def run_version(self, run_id: str) -> str | None:
        """The version a run published, if it got that far (its manifest names the run)."""
        for version in reversed(self.versions()):
            manifest = self.path / version / "manifest.json"
            if manifest.exists() and read_json(manifest).get("run", {}).get("id") == run_id:
                return version
        return None

    def publish(self, folder: Path, manifest: dict[str, Any], stats: dict[str, Any],
                move_latest: bool = True,
                finish: Callable[[Path, dict[str, Any], dict[str, Any]], None] | None = None) -> str:
        """Number the shards in `folder`, write manifest and stats, and rename it to a new version.

        The version number is chosen and the folder renamed under a lock, so concurrent
        runs get distinct versions; `finish` (the report, the dataset card) runs once the
        manifest knows its version, before the rename. LATEST is then replaced atomically,
        unless `move_latest` is false (a version that failed its quality gates).
        """
        manifest = dict(manifest)
        manifest["shards"] = {kind: _finalise_shards(folder / kind) for kind in SHARD_KINDS}
        with self._lock():
            previous = self.versions()
            number = int(previous[-1][1:]) + 1 if previous else 1
            version = f"v{number:04d}"
            manifest.update(version=version, parent=self.latest())
            _write_json(folder / "manifest.json", manifest)
            _write_json(folder / "stats.json", stats)
            if finish is not None:
                finish(folder, manifest, stats)
            fsync_tree(folder)
            checkpoint("publish")
            os.rename(folder, self.path / version)
            checkpoint("latest")
            if move_latest:
                self.move_latest(version)
        return version

    def move_latest(self, version: str) -> None:
        atomic_write(self.path / "LATEST", version + "\n")

    def discard(self, staging: Staging) -> None:
        staging.release()
        shutil.rmtree(staging.path, ignore_errors=True)

    @contextlib.contextmanager
    def _lock(self):
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def normalise_version(version: str) -> str:
    digits = version.lower().lstrip("v")
    if not digits.isdigit():
        raise UserError(f"{version!r} is not a version (expected e.g. v3 or v0003)")
    return f"v{int(digits):04d}"


def parse_ref(ref: str) -> tuple[DatasetStore, str | None]:
    """`DIR[@vN]` -> the dataset's store and the version asked for (None means LATEST)."""
    path, _, version = ref.partition("@")
    folder = Path(path.rstrip("/"))
    if _VERSION.match(folder.name) and not version:
        folder, version = folder.parent, folder.name
    return DatasetStore(folder.parent, folder.name), version or None


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _finalise_shards(folder: Path) -> list[dict[str, Any]]:
    """Rename staged parts to part-00000.parquet... in their sorted order and describe them."""
    if not folder.is_dir():
        return []
    shards = []
    for index, part in enumerate(sorted(folder.glob("*.parquet"))):
        final = folder / f"part-{index:05d}.parquet"
        if part != final:
            os.rename(part, final)
        shards.append({
            "path": f"{folder.name}/{final.name}",
            "rows": pq.ParquetFile(final).metadata.num_rows,
            "bytes": final.stat().st_size,
            "sha256": sha256_file(final),
        })
    return shards


def _try_lock(folder: Path):
    """An open handle holding the folder's exclusive lock, or None if a live run holds it."""
    handle = open(folder / ".lock", "a")  # noqa: SIM115 - held open for the run's lifetime
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` so a reader sees the old or the new content, never a part."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def fsync_tree(path: Path) -> None:
    """Flush every file below `path` to disk."""
    for file in path.rglob("*"):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())

"""The versioned dataset store: staging areas, assembly and atomic publish of sealed vNNNN folders, LATEST.

A published version is sealed: its manifest lists every file with sha256 and size
(`files`), records its parent's manifest digest (`parent_manifest_sha256`), and the
manifest's own digest is written beside it (`manifest.sha256`), optionally with an HMAC of
that digest (`manifest.sig`). `corpus.verify` explains what each of these guarantees.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
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
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.parquet as pq

from corpus.errors import UserError
from corpus.faults import checkpoint

if TYPE_CHECKING:
    from corpus.units import RunResults

SHARD_KINDS = ("data", "rejects", "quarantine", "index")
RUN_FILE = "run.json"
# A unit of work is finished once this file is written, after its other files (pipelines.ledger).
DONE = "done.json"
# The staging folder a version is assembled in before it is renamed to vNNNN.
PUBLISH = "publish"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
SIGNATURE = "manifest.sig"
# The seal describes the other files; it cannot list itself in the manifest's `files`.
SEAL_FILES = (MANIFEST, MANIFEST_DIGEST, SIGNATURE)
SIGNATURE_ALGORITHM = "hmac-sha256"
KEY_VARIABLE = "CORPUS_SIGNING_KEY"
# A staging area being deleted is first renamed to this prefix: no run lists or adopts it.
TRASH_PREFIX = ".trash-"
VERSION_NAME = re.compile(r"^v(\d{4,})$")
# A URL's scheme, as fsspec reads it: a local path holding "://" further on is still a path.
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# LATEST holds a short version name; more than this is not read (it names no version anyway).
_LATEST_READ = 256


@dataclass
class Staging:
    """The private work area of one run; nothing in it is visible as a version.

    A live run holds an exclusive lock on `<path>/.lock`; an area whose lock is free
    belongs to a run that stopped (finished, failed or killed) and may be resumed.
    """

    path: Path
    run_id: str
    lock: Any = field(default=None, repr=False)
    mirror: Any = field(default=None, repr=False)  # its copy on object storage (corpus.mirror)

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

    def assemble(self, results: RunResults, indexes: list[Path]) -> Path:
        """The version's folder (`publish/`), built from the finished units by hard links: every
        segment's rejects, the first segment's quarantine, the last segment's data and each
        global step's index. The units stay whole until the version is published, so a crash
        here loses nothing."""
        folder = self.path / PUBLISH
        if folder.exists():
            shutil.rmtree(folder)
        for result in results.all():
            _link_all(result.folder / "rejects", folder / "rejects")
        for result in results.first:
            _link_all(result.folder / "quarantine", folder / "quarantine")
        for result in results.last:
            _link_all(result.folder / "data", folder / "data")
        for number, index in enumerate(indexes):
            _link_all(index, folder / "index", prefix=f"g{number:02d}-")
        folder.mkdir(parents=True, exist_ok=True)
        return folder


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
        return sorted(p.name for p in self.path.iterdir() if VERSION_NAME.match(p.name) and p.is_dir())

    def latest(self) -> str | None:
        """The version LATEST names (None without LATEST), refused unless it is a published
        version folder of this dataset: a LATEST naming `../../other/v0001` must not make
        commands read, verify or build on another dataset."""
        pointer = self.path / "LATEST"
        if not pointer.exists():
            return None
        try:
            with open(pointer, "rb") as handle:
                name = handle.read(_LATEST_READ).decode("utf-8", "replace").strip()
        except OSError as exc:
            raise UserError(f"dataset {self.path}: cannot read LATEST: {exc.strerror}") from None
        self._version_folder(name, f"LATEST holds {name!r}")
        return name

    def version_path(self, version: str | None = None) -> Path:
        """The folder of `version` (`v3`, `3`, `v0003`), or of LATEST when None."""
        if version is None:
            name = self.latest()
            if name is None:
                raise UserError(f"dataset {self.path} has no published version")
            return self.path / name
        name = normalise_version(version)
        return self._version_folder(name, name)

    def _version_folder(self, name: str, what: str) -> Path:
        """`<dataset>/name` if it is a published version folder of this dataset, else a UserError."""
        path = self.path / name
        if not VERSION_NAME.match(name) or path.is_symlink():
            raise UserError(f"dataset {self.path}: {what}, which is not a version folder of this "
                            f"dataset (vNNNN, directly inside it, not a link)")
        if not (path / MANIFEST).is_file():
            raise UserError(f"dataset {self.path}: {what}, which is not a published version "
                            f"(no {name}/{MANIFEST})")
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
        """Take over a stopped run's staging area (None if another process got it first, or
        `corpus gc` removed it since it was listed)."""
        lock = _try_lock(area.path)
        if lock is None:
            return None
        staging = Staging(area.path, area.path.name, lock)
        staging.update(status="running", resumed=staging.state.get("resumed", 0) + 1)
        return staging

    def staging_areas(self) -> list[StagingArea]:
        """Every staging area of the dataset, oldest first (areas being deleted are not)."""
        root = self.path / "_staging"
        if not root.is_dir():
            return []
        areas = []
        for path in sorted(p for p in root.iterdir()
                           if p.is_dir() and not p.name.startswith(TRASH_PREFIX)):
            lock = _try_lock(path)
            if lock is not None:
                lock.close()
            state_file = path / RUN_FILE
            try:
                state = read_json(state_file) if state_file.exists() else {}
            except FileNotFoundError:
                continue  # removed by `corpus gc` while we looked
            if path.is_dir():
                areas.append(StagingArea(path, lock is None, state))
        return areas

    def remove_area(self, path: Path) -> bool:
        """Delete a staging area unless a live run holds it (then False).

        The area is renamed to `_staging/.trash-*` while its lock is held, so a run trying
        to adopt it meanwhile finds it locked or gone, never half deleted.
        """
        lock = _try_lock(path)
        if lock is None:
            return False
        try:
            trash = _trash_name(path)
            os.rename(path, trash)
        finally:
            lock.close()
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def orphans(self) -> list[str]:
        """Version folders without a manifest that no live run is writing: none on disk, where a
        version appears by rename (object storage: corpus.remote)."""
        return []

    def remove_orphan(self, name: str) -> None:
        raise NotImplementedError(name)

    def trash(self) -> list[Path]:
        """Staging areas whose deletion was interrupted (a crash after the rename)."""
        root = self.path / "_staging"
        return sorted(root.glob(f"{TRASH_PREFIX}*")) if root.is_dir() else []

    def run_version(self, run_id: str) -> str | None:
        """The version a run published, if it got that far (its manifest names the run)."""
        for version in reversed(self.versions()):
            manifest = self.path / version / "manifest.json"
            if manifest.exists() and read_json(manifest).get("run", {}).get("id") == run_id:
                return version
        return None

    def publish(self, folder: Path, manifest: dict[str, Any], stats: dict[str, Any],
                move_latest: bool = True,
                finish: Callable[[Path, dict[str, Any], dict[str, Any]], None] | None = None,
                key: bytes | None = None) -> str:
        """Number the shards in `folder`, write stats, seal it and rename it to a new version.

        The version number is chosen and the folder renamed under a lock, so concurrent
        runs get distinct versions; `finish` (the report, the dataset card) runs once the
        manifest knows its version and parent, and before the seal, so what it writes is
        checksummed too (it sees the manifest without `files`). With `key` the seal is
        signed. LATEST is then replaced atomically, unless `move_latest` is false (a version
        that failed its quality gates).
        """
        manifest = dict(manifest)
        manifest["shards"] = {kind: _finalise_shards(folder / kind) for kind in SHARD_KINDS}
        with self._lock():
            previous = self.versions()
            number = int(previous[-1][1:]) + 1 if previous else 1
            version = f"v{number:04d}"
            self._seal_version(folder, manifest, stats, version, finish, key)
            fsync_tree(folder)
            checkpoint("publish")
            os.rename(folder, self.path / version)
            checkpoint("latest")
            if move_latest:
                self.move_latest(version)
        return version

    def _seal_version(self, folder: Path, manifest: dict[str, Any], stats: dict[str, Any], version: str,
                      finish: Callable[[Path, dict[str, Any], dict[str, Any]], None] | None,
                      key: bytes | None) -> None:
        """Name `folder`'s version and parent in the manifest, write stats, run `finish`, seal."""
        parent = self.latest()
        manifest.update(version=version, parent=parent, parent_manifest_sha256=(
            sha256_file(self.path / parent / MANIFEST) if parent else None))
        _write_json(folder / "stats.json", stats)
        if finish is not None:
            finish(folder, manifest, stats)
        seal(folder, manifest, key)

    def move_latest(self, version: str) -> None:
        atomic_write(self.path / "LATEST", version + "\n")

    def discard(self, staging: Staging) -> None:
        """Delete a run's own staging area; renamed away under its lock first (see remove_area)."""
        trash = _trash_name(staging.path)
        os.rename(staging.path, trash)
        staging.release()
        shutil.rmtree(trash, ignore_errors=True)

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


def is_url(root: str | Path) -> bool:
    """A store root on an fsspec filesystem other than the local one (s3://, gs://, ...)."""
    match = _URL.match(str(root))
    return match is not None and match.group(1).lower() not in ("file", "local")


def open_store(root: str | Path, dataset: str) -> DatasetStore:
    """The store of `dataset` under `root`: a local folder, or an fsspec URL (corpus.remote)."""
    if is_url(root):
        from corpus.remote import RemoteStore  # fsspec's cloud filesystems load only when used

        return RemoteStore(str(root), dataset)
    return DatasetStore(root, dataset)


def parse_ref(ref: str) -> tuple[DatasetStore, str | None]:
    """`DIR[@vN]` -> the dataset's store and the version asked for (None means LATEST)."""
    if is_url(ref):  # the version is after the last "@": one before it would be a URL's userinfo
        head, _, tail = ref.rpartition("@")
        path, version = (head, tail) if head and "/" not in tail else (ref, "")
        root, _, name = path.rstrip("/").rpartition("/")
        if VERSION_NAME.match(name) and not version:
            (root, _, name), version = root.rpartition("/"), name
        return open_store(root, name), version or None
    path, _, version = ref.partition("@")
    folder = Path(path.rstrip("/"))
    if VERSION_NAME.match(folder.name) and not version:
        folder, version = folder.parent, folder.name
    return DatasetStore(folder.parent, folder.name), version or None


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def seal(folder: Path, manifest: dict[str, Any], key: bytes | None = None) -> None:
    """Write manifest.json listing every other file of `folder`, its digest, and the signature.

    The manifest's `files` maps each path to its sha256 and bytes (shards reuse the
    checksums `shards` already holds, so nothing is hashed twice). manifest.sha256 is in
    `sha256sum` format; with `key`, manifest.sig holds the HMAC-SHA256 of that digest.
    """
    known = {shard["path"]: shard for shards in manifest["shards"].values() for shard in shards}
    files = {}
    for path in list_files(folder):
        if path in SEAL_FILES:
            continue
        shard = known.get(path)
        files[path] = ({"sha256": shard["sha256"], "bytes": shard["bytes"]} if shard else
                       {"sha256": sha256_file(folder / path), "bytes": (folder / path).stat().st_size})
    manifest["files"] = files
    _write_json(folder / MANIFEST, manifest)
    digest = sha256_file(folder / MANIFEST)
    (folder / MANIFEST_DIGEST).write_text(f"{digest}  {MANIFEST}\n")
    if key is not None:
        _write_json(folder / SIGNATURE, {"algorithm": SIGNATURE_ALGORITHM, "signed": MANIFEST_DIGEST,
                                         "signature": sign(digest, key)})


def sign(digest: str, key: bytes) -> str:
    """The HMAC-SHA256 (hex) of a manifest digest."""
    return hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()


def signing_key(file: Path | None) -> bytes | None:
    """The signing key: the bytes of `file` (without a final newline), else the value of
    CORPUS_SIGNING_KEY, else None. The key is never logged or stored."""
    if file is None:
        value = os.environ.get(KEY_VARIABLE)
        return value.encode() if value else None
    try:
        key = file.read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        raise UserError(f"cannot read the signing key {file}: {exc.strerror}") from None
    if not key:
        raise UserError(f"the signing key file {file} is empty")
    return key


def config_sha256(config: dict[str, Any]) -> str:
    """The digest of a resolved config, as the manifest's `config_sha256` records it."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def list_files(folder: Path) -> list[str]:
    """Every file below `folder` (links included, never followed), as sorted relative paths."""
    if not isinstance(folder, Path):  # a folder on object storage (corpus.remote): no links there
        base = folder.path.rstrip("/") + "/"
        return sorted(name[len(base):] for name in folder.fs.find(folder.path))
    found = []
    for parent, folders, files in os.walk(folder):
        base = Path(parent).relative_to(folder)
        found += [(base / name).as_posix() for name in files]
        found += [(base / name).as_posix() for name in folders if Path(parent, name).is_symlink()]
    return sorted(found)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:  # a local Path or a file on object storage (corpus.remote)
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


def _link_all(source: Path, target: Path, prefix: str = "") -> None:
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.parquet")):
        try:
            os.link(path, target / f"{prefix}{path.name}")
        except OSError:  # a filesystem without hard links
            shutil.copy2(path, target / f"{prefix}{path.name}")


def _try_lock(folder: Path):
    """An open handle holding the folder's exclusive lock, or None if a live run holds it or
    the folder is gone (removed by `corpus gc`)."""
    try:
        handle = open(folder / ".lock", "a")  # noqa: SIM115 - held open for the run's lifetime
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    # gc renames an area away while holding its lock: a handle opened before that rename
    # and locked after it holds the lock of the trashed folder, not of this one.
    try:
        current = os.stat(folder / ".lock")
    except (FileNotFoundError, NotADirectoryError):
        current = None
    held = os.fstat(handle.fileno())
    if current is None or (current.st_dev, current.st_ino) != (held.st_dev, held.st_ino):
        handle.close()
        return None
    return handle


def _trash_name(path: Path) -> Path:
    return path.with_name(f"{TRASH_PREFIX}{path.name}-{secrets.token_hex(3)}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def cache_folder(name: str) -> Path:
    """This user's cache folder `name` of the engine: $XDG_CACHE_HOME/corpus/NAME (~/.cache by default)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "corpus" / name


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` so a reader sees the old or the new content, never a part."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def atomic_save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` to `path` as one .npz (its folder made if missing) so a reader finds the old
    file, the new one or none, never a part: the engine's caches of tables and models."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def fsync_tree(path: Path) -> None:
    """Flush every file below `path` to disk."""
    for file in path.rglob("*"):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())

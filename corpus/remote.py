"""A dataset store on object storage (s3://, gs://, az://, any fsspec filesystem): publish without rename.

Object stores have no rename, no hard links and no locks, so a version is published the
other way round from a local store: the run works in a staging area on local disk, then

1. claims a version number by creating `<dataset>/_claims/vNNNN` with a conditional write
   (S3 `If-None-Match: *`, through fsspec's `mode="create"`): of two runs claiming the same
   number exactly one succeeds, the other takes the next;
2. uploads the version's files under `<dataset>/vNNNN/` from the local files, each created
   once and never overwritten (s3fs uploads large files in parts and retries throttled
   requests with backoff), then manifest.sha256 and manifest.sig, then manifest.json last:
   the manifest's existence is what makes a version exist, readers ignore a folder without one;
3. moves LATEST by creating the marker `<dataset>/_latest/vNNNN`, again a conditional write.
   LATEST is the highest marked version, so it only ever moves forward and needs no
   read-modify-write.

Where the filesystem has no conditional create (fsspec then checks and writes, which two runs
can interleave), a claim is confirmed by reading it back after CLAIM_SETTLE seconds: the run
whose token is still there owns the number. That is safe while no write takes longer than
the settle time; a single publisher per dataset is safe everywhere.

Credentials come only from the environment and the filesystem's own configuration (for S3:
AWS_* variables, ~/.aws, instance roles); a URL carrying credentials is refused, and errors
name the store and what went wrong, never a key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from corpus.errors import UserError
from corpus.faults import checkpoint
from corpus.mirror import Mirror
from corpus.store import (
    MANIFEST,
    MANIFEST_DIGEST,
    RUN_FILE,
    SEAL_FILES,
    SHARD_KINDS,
    SIGNATURE,
    VERSION_NAME,
    DatasetStore,
    Staging,
    StagingArea,
    _finalise_shards,
    _now,
    _try_lock,
    atomic_write,
    cache_folder,
    list_files,
    read_json,
)

if TYPE_CHECKING:
    from corpus.units import RunResults

CLAIMS = "_claims"
LATEST_MARKERS = "_latest"
# Filesystems whose `mode="create"` is one conditional request (tested: s3 against moto).
CONDITIONAL_CREATE = ("s3", "s3a")
CLAIM_SETTLE = 2.0
STAGING_VARIABLE = "CORPUS_STAGING_DIR"
# A run's area on the store counts as live while its heartbeat (run.json's `alive_at`, written
# every lease / 4 seconds) is younger than the lease: then no other machine adopts or removes it.
LEASE_VARIABLE = "CORPUS_RUN_LEASE"
LEASE = 120.0
# `_staging/<run>/adopted-NNNN`, created conditionally: one machine takes over a stopped run.
ADOPTED = "adopted"
# The clients under fsspec's cloud filesystems: their own errors (endpoint unreachable, no
# credentials found) are not OSErrors, but are the user's to fix.
CLIENT_LIBRARIES = ("botocore", "aiobotocore", "aiohttp", "google", "azure")


def location(url: str) -> Any:
    """A pathlib-like object (universal_pathlib's UPath) for an fsspec URL."""
    if _has_credentials(url):
        raise UserError(f"the store URL {_redacted(url)} carries credentials: give them through the "
                        f"environment or the filesystem's configuration instead")
    try:
        from upath import UPath

        return UPath(url)
    except ImportError as exc:  # upath itself, or the filesystem's package (s3fs, gcsfs, adlfs)
        raise UserError(f"a store on {urlsplit(url).scheme}:// needs an extra package: "
                        f"{exc} (pip install 'corpus-engine[s3]' for s3://)") from None


def staging_root(url: str) -> Path:
    """The local folder of the staging areas of runs publishing to `url` (one per store root)."""
    base = os.environ.get(STAGING_VARIABLE) or cache_folder("staging")
    return Path(base) / hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:16]


@contextlib.contextmanager
def remote_errors(url: str) -> Iterator[None]:
    """Turn a filesystem's refusal into one line naming the store (never the credentials)."""
    try:
        yield
    except PermissionError:
        raise UserError(f"access denied to {url}: check the credentials and permissions the "
                        f"environment gives (for s3: AWS_PROFILE or AWS_ACCESS_KEY_ID, ~/.aws)") from None
    except OSError as exc:
        raise UserError(f"{url}: {type(exc).__name__}: {exc.strerror or exc}") from None
    except Exception as exc:
        if not _client_error(exc):
            raise  # a bug: keep its traceback
        raise UserError(f"cannot reach {url}: {exc}") from None  # no endpoint, no credentials


class RemoteStore(DatasetStore):
    """`<url>/<dataset>/` on an fsspec filesystem, with its staging areas on local disk."""

    def __init__(self, url: str, dataset: str) -> None:
        self.url = url.rstrip("/")
        self.dataset = dataset
        self.path = location(self.url) / dataset
        self.fs = self.path.fs
        self.local = DatasetStore(staging_root(self.url), dataset)
        self._check()

    def _check(self) -> None:
        """Fail now, in one line, on a missing bucket or refused credentials."""
        bucket = self.path.path.strip("/").split("/")[0]
        with remote_errors(self.url):
            try:
                self.fs.info(bucket)
            except FileNotFoundError:
                raise UserError(f"store {self.url}: the bucket {bucket!r} does not exist") from None
            except PermissionError:
                pass  # credentials scoped to a prefix may not see the bucket: the listing decides
            self._names(self.path.path)

    def _names(self, folder: str) -> list[str]:
        """Names directly inside `folder`, freshly listed (another run may have written since)."""
        self.fs.invalidate_cache(folder)
        try:
            entries = self.fs.ls(folder, detail=False)
        except FileNotFoundError:
            return []
        return [entry.rstrip("/").rsplit("/", 1)[-1] for entry in entries]

    def versions(self) -> list[str]:
        """Version folders holding a manifest (one without is unpublished: ignored)."""
        base = self.path.path
        return sorted(name for name in self._names(base)
                      if VERSION_NAME.match(name) and self.fs.exists(f"{base}/{name}/{MANIFEST}"))

    def latest(self) -> str | None:
        marked = [name for name in self._names(f"{self.path.path}/{LATEST_MARKERS}")
                  if VERSION_NAME.match(name)]
        if not marked:
            return None
        name = max(marked, key=lambda item: int(item[1:]))
        self._version_folder(name, f"LATEST marks {name!r}")
        return name

    def move_latest(self, version: str) -> None:
        with remote_errors(self.url):
            self._create(f"{self.path.path}/{LATEST_MARKERS}/{version}", version)

    def publish(self, folder: Path, manifest: dict[str, Any], stats: dict[str, Any],
                move_latest: bool = True,
                finish: Callable[[Path, dict[str, Any], dict[str, Any]], None] | None = None,
                key: bytes | None = None) -> str:
        """Seal `folder` as the next version and upload it, manifest last (see the module)."""
        manifest = dict(manifest)
        manifest["shards"] = {kind: _finalise_shards(folder / kind) for kind in SHARD_KINDS}
        version = self._claim(manifest.get("run", {}).get("id", ""))
        self._seal_version(folder, manifest, stats, version, finish, key)
        checkpoint("publish")
        self._upload(folder, version)
        checkpoint("latest")
        if move_latest:
            self.move_latest(version)
        return version

    def _claim(self, run_id: str) -> str:
        """The next free version number, claimed by a conditional create."""
        claims = f"{self.path.path}/{CLAIMS}"
        with remote_errors(self.url):
            taken = [int(name[1:]) for name in self._names(claims) + self._names(self.path.path)
                     if VERSION_NAME.match(name)]
            number = max(taken, default=0) + 1
            while not self._create(f"{claims}/v{number:04d}", json.dumps(
                    {"run": run_id, "claimed_at": _now(), "token": secrets.token_hex(8)})):
                number += 1
        return f"v{number:04d}"

    def _create(self, path: str, text: str) -> bool:
        """Create `path` holding `text` unless it exists; False if another writer has it."""
        data = text.encode()
        try:
            self.fs.pipe_file(path, data, mode="create")
        except FileExistsError:
            return False
        if self.path.protocol in CONDITIONAL_CREATE:
            return True
        time.sleep(CLAIM_SETTLE)  # check-then-write: a racing writer may have replaced it
        self.fs.invalidate_cache(path)
        return self.fs.cat_file(path) == data

    def _upload(self, folder: Path, version: str) -> None:
        """Every file, then the digest and signature, then the manifest; each created once."""
        target = f"{self.path.path}/{version}"
        names = list_files(folder)
        body = [name for name in names if name not in SEAL_FILES]
        seal = [name for name in (MANIFEST_DIGEST, SIGNATURE) if name in names]
        for group in (body, seal, [MANIFEST]):
            if group:
                with remote_errors(self.url):
                    self.fs.put([str(folder / name) for name in group],
                                [f"{target}/{name}" for name in group], mode="create")
            checkpoint("upload")  # the crash tests kill here: a version folder without its manifest

    # A run works in a staging area on this machine's disk, mirrored under `_staging/<run>/`.
    def start_run(self, state: dict[str, Any]) -> Staging:
        local = self.local.start_run(state)
        return self._mirrored(local.path, local.run_id, local.lock)

    def adopt(self, area: StagingArea) -> Staging | None:
        """Take over a stopped run's area, on this machine or another: the adoption marker is a
        conditional create (one taker), then the units finished on the store are restored here
        as their `done.json` (their files come down when a task or the assembly reads them)."""
        name = area.path.name
        here = self.local.path / "_staging" / name
        here.mkdir(parents=True, exist_ok=True)
        lock = _try_lock(here)
        if lock is None:
            return None
        resumed = int(area.state.get("resumed", 0)) + 1
        with remote_errors(self.url):
            if not self._create(f"{self._area(name)}/{ADOPTED}-{resumed:04d}", _now()):
                lock.close()
                return None
            atomic_write(here / RUN_FILE, json.dumps(area.state))
            staging = self._mirrored(here, name, lock, status="running", resumed=resumed)
            staging.mirror.restore_markers()
        return staging

    def _mirrored(self, path: Path, run_id: str, lock: Any, **state: Any) -> RemoteStaging:
        staging = RemoteStaging(path, run_id, lock, Mirror(self.url, self.dataset, run_id, path),
                                holder=secrets.token_hex(8))
        with remote_errors(self.url):
            staging.update(**state)
        staging.beat()
        return staging

    def _area(self, name: str) -> str:
        return f"{self.path.path}/_staging/{name}"

    def staging_areas(self) -> list[StagingArea]:
        """Every run's area on the store, oldest first (`path` is its URL)."""
        areas = []
        with remote_errors(self.url):
            for name in sorted(self._names(f"{self.path.path}/_staging")):
                state = self._area_state(name)
                if state is not None:
                    areas.append(StagingArea(self.path / "_staging" / name, self._live(name, state), state))
        return areas

    def _area_state(self, name: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.fs.cat_file(f"{self._area(name)}/{RUN_FILE}"))
        except FileNotFoundError:
            return None  # removed meanwhile, or its run.json not written yet

    def _live(self, name: str, state: dict[str, Any]) -> bool:
        """A process of this machine holds the area; or its last holder was elsewhere and its
        heartbeat is younger than the lease."""
        here = self.local.path / "_staging" / name
        if here.is_dir():
            lock = _try_lock(here)
            if lock is None:
                return True
            lock.close()
            with contextlib.suppress(OSError, ValueError):
                if read_json(here / RUN_FILE).get("holder") == state.get("holder"):
                    return False  # held last by a process of this machine, which has stopped
        return state.get("status") == "running" and time.time() - float(state.get("alive_at", 0)) < lease()

    def remove_area(self, path: Any) -> bool:
        """Delete a stopped run's area, on the store (run.json first: no run lists it any more)
        and on this machine; False if its run is live."""
        name = path.name
        state = self._area_state(name)
        if state is not None and self._live(name, state):
            return False
        here = self.local.path / "_staging" / name
        if here.is_dir() and not self.local.remove_area(here):
            return False
        with remote_errors(self.url):
            self._remove(self._area(name))
        return True

    def _remove(self, prefix: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(f"{prefix}/{RUN_FILE}")
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(prefix, recursive=True)

    def trash(self) -> list[Path]:
        return self.local.trash()

    def orphans(self) -> list[str]:
        """Version folders without a manifest (a run killed while uploading) whose claiming run
        is not live."""
        base = self.path.path
        with remote_errors(self.url):
            names = [name for name in self._names(base) if VERSION_NAME.match(name)
                     and not self.fs.exists(f"{base}/{name}/{MANIFEST}")]
            if not names:
                return []
            live = {area.path.name for area in self.staging_areas() if area.active}
            found = []
            for name in names:
                try:
                    claim = json.loads(self.fs.cat_file(f"{base}/{CLAIMS}/{name}"))
                except FileNotFoundError:
                    claim = {}
                if claim.get("run") not in live:
                    found.append(name)
        return found

    def remove_orphan(self, name: str) -> None:
        """Delete an unpublished version folder (its number stays claimed, never reused)."""
        folder = f"{self.path.path}/{name}"
        with remote_errors(self.url):
            self.fs.invalidate_cache(folder)
            if not VERSION_NAME.match(name) or self.fs.exists(f"{folder}/{MANIFEST}"):
                raise UserError(f"{self.url}/{self.dataset}/{name} is a published version")
            self.fs.rm(folder, recursive=True)

    def discard(self, staging: Staging) -> None:
        """Delete the run's staging area here and on the store, and the local folders it leaves empty."""
        if isinstance(staging, RemoteStaging):
            staging.stop_beat()
        self.local.discard(staging)
        with remote_errors(self.url):
            self._remove(self._area(staging.run_id))
        for folder in (self.local.path / "_staging", self.local.path, self.local.path.parent):
            with contextlib.suppress(OSError):
                folder.rmdir()


@dataclass
class RemoteStaging(Staging):
    """A run's local staging area whose run.json is also on the store, with a heartbeat, and
    whose units are uploaded there as they finish (`mirror`)."""

    holder: str = ""  # this process's token: a later holder of the area writes its own
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stopped: threading.Event = field(default_factory=threading.Event, repr=False)
    _beating: threading.Thread | None = field(default=None, repr=False)

    def update(self, **fields: Any) -> None:
        """Merge `fields` into run.json here and upload it, with the heartbeat."""
        with self._guard:
            super().update(**fields, holder=self.holder, alive_at=time.time())
            self.mirror.fs.put_file(str(self.path / RUN_FILE), f"{self.mirror.prefix}/{RUN_FILE}")

    def beat(self) -> None:
        self._beating = threading.Thread(target=self._beat, name="corpus-heartbeat", daemon=True)
        self._beating.start()

    def _beat(self) -> None:
        while not self._stopped.wait(lease() / 4):
            with contextlib.suppress(Exception):  # a missed beat is retried; a long outage ends the lease
                self.update()

    def stop_beat(self) -> None:
        self._stopped.set()
        if self._beating is not None and self._beating is not threading.current_thread():
            self._beating.join()

    def release(self) -> None:
        self.stop_beat()
        super().release()

    def assemble(self, results: RunResults, indexes: list[Path]) -> Path:
        """Download what the version takes from units finished elsewhere, then assemble here."""
        folders = [*(result.folder / "rejects" for result in results.all()),
                   *(result.folder / "quarantine" for result in results.first),
                   *(result.folder / "data" for result in results.last), *indexes]
        self.mirror.fetch_folders(folders)
        return super().assemble(results, indexes)


def lease() -> float:
    """Seconds without a heartbeat after which a run on another machine counts as stopped."""
    return float(os.environ.get(LEASE_VARIABLE) or LEASE)


def arrow_files(files: list[Any]) -> tuple[Any, list[str]]:
    """(pyarrow filesystem or None, paths) to read `files` (local Paths or UPaths) with pyarrow."""
    if all(isinstance(file, Path) for file in files):
        return None, [str(file) for file in files]
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    return PyFileSystem(FSSpecHandler(files[0].fs)), [file.path for file in files]


def _client_error(exc: Exception) -> bool:
    return any(cls.__module__.split(".")[0] in CLIENT_LIBRARIES for cls in type(exc).__mro__)


def _has_credentials(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.username or parts.password)


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.hostname or "").geturl()

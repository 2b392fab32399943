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
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corpus.errors import UserError
from corpus.faults import checkpoint
from corpus.store import (
    MANIFEST,
    MANIFEST_DIGEST,
    SEAL_FILES,
    SHARD_KINDS,
    SIGNATURE,
    VERSION_NAME,
    DatasetStore,
    Staging,
    StagingArea,
    _finalise_shards,
    _now,
    list_files,
)

CLAIMS = "_claims"
LATEST_MARKERS = "_latest"
# Filesystems whose `mode="create"` is one conditional request (tested: s3 against moto).
CONDITIONAL_CREATE = ("s3", "s3a")
CLAIM_SETTLE = 2.0
STAGING_VARIABLE = "CORPUS_STAGING_DIR"
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
    base = os.environ.get(STAGING_VARIABLE) or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "corpus" / "staging"
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

    # Staging areas live on this machine's disk.
    def start_run(self, state: dict[str, Any]) -> Staging:
        return self.local.start_run(state)

    def adopt(self, area: StagingArea) -> Staging | None:
        return self.local.adopt(area)

    def staging_areas(self) -> list[StagingArea]:
        return self.local.staging_areas()

    def remove_area(self, path: Path) -> bool:
        return self.local.remove_area(path)

    def trash(self) -> list[Path]:
        return self.local.trash()

    def discard(self, staging: Staging) -> None:
        """Delete the run's local staging area and the folders it leaves empty."""
        self.local.discard(staging)
        for folder in (self.local.path / "_staging", self.local.path, self.local.path.parent):
            with contextlib.suppress(OSError):
                folder.rmdir()


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

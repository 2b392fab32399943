"""A run's staging area mirrored on object storage, so units outlive the machine that wrote them.

The driver's local staging area (`home`) is mirrored under `<dataset>/_staging/<run>/` of the
store. A finished unit is uploaded file by file with its `done.json` last, so a unit exists on
the store once its marker does, as on disk. Any process reaches the area through a `Mirror`
(it pickles: the store URL, dataset, run and `home`) and decides how it works from its own
staging root ($CORPUS_STAGING_DIR, see `corpus.remote.staging_root`):

* the same machine and root as the driver (the local executor, Ray workers beside the
  driver): a task works in `home` itself, downloads only inputs that are missing (a run
  resumed on another machine has its units on the store only) and uploads its unit;
* another root or machine (a Ray node without the driver's disk), and every call of a
  dedup step mapped over Ray workers (some of which may be elsewhere: only the store holds
  the whole work folder): the call works in a scratch folder of this process. The paths of
  `home` in its arguments are rebased there, what it reads is pulled from the store first,
  what it wrote or deleted is pushed after, and its results name `home`'s paths again.
  Files are evicted after each call; a folder the driver created (a dedup step's work
  folder) stays synced between calls that name it and is evicted once a call no longer
  does, or when the worker is released.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import secrets
import shutil
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.store import DONE, list_files

# This process's scratch folders (one per run) and the work folders synced into them.
_scratch: dict[str, Path] = {}
_synced: set[Path] = set()
# What the driver last pushed of its own folders (see `push_local`).
_pushed: dict[Path, tuple[int, int]] = {}


@dataclass(frozen=True)
class Mirror:
    """One run's staging area on the store, from any process (see the module)."""

    url: str  # the store root
    dataset: str
    run_id: str
    home: Path  # the driver's staging area
    machine: str = field(default_factory=lambda: machine_id())  # where `home` is

    @property
    def prefix(self) -> str:
        """The area's path on the store's filesystem."""
        return f"{_filesystem(self.url)[1]}/{self.dataset}/_staging/{self.run_id}"

    @property
    def fs(self) -> Any:
        return _filesystem(self.url)[0]

    def remote(self, path: Path, base: Path | None = None) -> str:
        return f"{self.prefix}/{path.relative_to(base or self.home).as_posix()}"

    def shares_home(self) -> bool:
        """Whether this process works on the driver's disk: the same machine and staging root (a
        home folder at the same path on another machine is another disk)."""
        from corpus.remote import staging_root

        return machine_id() == self.machine and \
            staging_root(self.url) / self.dataset / "_staging" / self.run_id == self.home

    # The driver's side.
    def begin(self, folder: Path) -> None:
        """Drop what an interrupted attempt at a unit left on the store (its work folder)."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(self.remote(folder), recursive=True)

    def push_unit(self, folder: Path) -> None:
        """Upload a finished unit: its files, then `done.json`; its work folder is dropped."""
        target = self.remote(folder)
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(f"{target}/work", recursive=True)
        names = [name for name in list_files(folder) if name != DONE]
        if names:
            self.fs.put([str(folder / name) for name in names], [f"{target}/{name}" for name in names])
        self.fs.put_file(str(folder / DONE), f"{target}/{DONE}")

    def fetch(self, paths: Iterable[Path]) -> None:
        """Download the files among `paths` that are missing here."""
        self._download({self.remote(path): path for path in paths if not path.exists()})

    def fetch_folders(self, folders: Iterable[Path]) -> None:
        """Download every file of `folders` (inside the area's units) that is missing here; one
        listing of the units on the store (1,000 objects a request on S3)."""
        units = self.home / "units"
        listing = self._listing(self.remote(units))
        inside = tuple(folder.relative_to(units).as_posix() + "/" for folder in folders)
        self._download({f"{self.remote(units)}/{name}": units / name for name in listing
                        if name.startswith(inside) and not (units / name).exists()})

    def restore_markers(self) -> None:
        """Download the `done.json` of every unit finished on the store and missing here (a run
        adopted from another machine)."""
        units, source = self.home / "units", self.remote(self.home / "units")
        self._download({f"{source}/{name}": units / name for name in self._listing(source)
                        if name.endswith(f"/{DONE}") and not (units / name).exists()})

    def exists(self, path: Path) -> bool:
        """Whether a file of the area is here or on the store."""
        return path.is_file() or self.fs.exists(self.remote(path))

    def parquet_rows(self, path: Path) -> int:
        """Rows of a Parquet file of the area, read from its footer here or on the store."""
        import pyarrow.parquet as pq

        if path.exists():
            return pq.ParquetFile(path).metadata.num_rows
        with self.fs.open(self.remote(path), "rb") as handle:
            return pq.ParquetFile(handle).metadata.num_rows

    def mapper(self, map_: Callable[[Callable[[Any], Any], list[Any]], list[Any]]
               ) -> Callable[[Callable[[Any], Any], list[Any]], list[Any]]:
        """`map_` for workers that may not share this disk: what the driver wrote in the
        folders and files the items name is pushed first (files of finished units are on the
        store already), and each call runs through `work`."""
        def mapped(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
            paths = {path for item in items for path in _paths(item, self.home)}
            folders = sorted(path for path in paths if path.is_dir())
            self.push_local([*folders, *sorted(path for path in paths
                                                if path.is_file() and not self._finished(path))])
            return map_(Remote(self, function, frozenset(folders)), items)

        return mapped

    def _finished(self, path: Path) -> bool:
        """Whether `path` is in a unit finished here (so uploaded with it)."""
        units = self.home / "units"
        return path.is_relative_to(units) and (units / path.relative_to(units).parts[0] / DONE).is_file()

    def push_local(self, roots: list[Path]) -> None:
        """Upload what the driver wrote in `roots` (folders or files) since it last pushed them;
        delete on the store what it deleted since."""
        for root in roots:
            current = _stats(root)
            for path in [p for p in _pushed if _inside(p, root) and p not in current]:
                with contextlib.suppress(FileNotFoundError):
                    self.fs.rm_file(self.remote(path))
                del _pushed[path]
            changed = [path for path, stat in current.items() if _pushed.get(path) != stat]
            if changed:
                self.fs.put([str(p) for p in changed], [self.remote(p) for p in changed])
            _pushed.update({path: current[path] for path in changed})

    # Any process's side.
    def work(self, function: Callable[..., Any], item: Any, *args: Any,
             folders: frozenset[Path] = frozenset(), isolated: bool = False) -> Any:
        """`function(item, *args)` where this process is: see the module. `folders` are the
        paths of `item` that are folders (the others are files, or a unit's folder);
        `isolated` works through a scratch folder even on the driver's disk (a dedup step's
        calls, whose work folder only the store holds whole when some workers are elsewhere)."""
        paths = sorted(set(_paths(item, self.home)))
        if self.shares_home() and not isolated:
            for path in paths:
                if path not in folders and path.suffix and not path.exists():
                    with contextlib.suppress(FileNotFoundError):  # an output: not there yet
                        self._download({self.remote(path): path})
            result = function(item, *args)
            self._push_units(paths)
            return result
        scratch = self._scratch()
        local = {path: scratch / path.relative_to(self.home) for path in paths}
        for folder in [f for f in _synced if f not in {local[p] for p in folders}]:
            shutil.rmtree(folder, ignore_errors=True)
            _synced.discard(folder)
        before: dict[Path, tuple[int, int]] = {}
        for path, here in local.items():
            here.parent.mkdir(parents=True, exist_ok=True)
            if path in folders:
                before.update(self._sync(self.remote(path), here))
            elif path.suffix and not here.exists():
                with contextlib.suppress(FileNotFoundError):
                    self._download({self.remote(path): here})
            if here.is_file():
                before[here] = _stat(here)
        try:
            result = function(_rebased(item, self.home, scratch), *args)
            self._push_changes(scratch, list(local.values()), before)
        finally:
            for path, here in local.items():
                if path in folders:
                    continue
                if here.is_dir():
                    shutil.rmtree(here, ignore_errors=True)
                else:
                    here.unlink(missing_ok=True)
        return _rebased(result, scratch, self.home)

    def _push_changes(self, scratch: Path, roots: list[Path], before: dict[Path, tuple[int, int]]) -> None:
        """Upload new and changed files under `roots` (a unit's `done.json` after its files);
        delete on the store the files that were there before the call and are gone."""
        now: dict[Path, tuple[int, int]] = {}
        for root in roots:
            now.update(_stats(root))
        changed = sorted((path for path, stat in now.items() if before.get(path) != stat),
                         key=lambda path: path.name == DONE)
        body = [p for p in changed if p.name != DONE]
        if body:
            self.fs.put([str(p) for p in body], [self.remote(p, scratch) for p in body])
        for path in changed[len(body):]:
            self.fs.put_file(str(path), self.remote(path, scratch))
        for path in before:
            if path not in now:
                with contextlib.suppress(FileNotFoundError):
                    self.fs.rm_file(self.remote(path, scratch))

    def _push_units(self, paths: list[Path]) -> None:
        for path in paths:
            if (path / DONE).is_file():
                self.push_unit(path)

    def _sync(self, source: str, folder: Path) -> dict[Path, tuple[int, int]]:
        """Make `folder` hold what the store holds under `source`; its files' stats."""
        listing = self._listing(source)
        _synced.add(folder)
        for path in [p for p in _stats(folder) if p.relative_to(folder).as_posix() not in listing]:
            path.unlink()
        # a file another worker deletes meanwhile (a partition it consumed) is as if deleted before
        self._download({f"{source}/{name}": folder / name for name, size in listing.items()
                        if not (folder / name).exists() or (folder / name).stat().st_size != size},
                       missing_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        return _stats(folder)

    def _listing(self, source: str) -> dict[str, int]:
        """Files below `source` on the store: relative name -> size."""
        self.fs.invalidate_cache(source)
        try:
            found = self.fs.find(source, detail=True)
        except FileNotFoundError:
            return {}
        base = source.rstrip("/") + "/"
        return {name[len(base):]: info.get("size") or 0 for name, info in found.items()
                if name.startswith(base)}

    def _download(self, files: dict[str, Path], missing_ok: bool = False) -> None:
        """Each source to its target, in one concurrent batch (fsspec's `get` of lists), through
        temporary names: no process reads a partial file. With `missing_ok` a source that is
        gone is skipped (the batch is retried file by file)."""
        if not files:
            return
        partial = {source: target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(3)}.part")
                   for source, target in files.items()}
        for target in files.values():
            target.parent.mkdir(parents=True, exist_ok=True)
        try:
            got = list(partial)
            try:
                self.fs.get(got, [str(path) for path in partial.values()])
            except FileNotFoundError:
                if not missing_ok:
                    raise
                got = []
                for source, path in partial.items():
                    with contextlib.suppress(FileNotFoundError):
                        self.fs.get_file(source, str(path))
                        got.append(source)
            for source in got:
                os.replace(partial[source], files[source])
        finally:
            for path in partial.values():
                path.unlink(missing_ok=True)

    def _scratch(self) -> Path:
        from corpus.remote import staging_root

        key = f"{self.url}/{self.dataset}/{self.run_id}"
        if key not in _scratch:
            _scratch[key] = staging_root(self.url) / self.dataset / "_work" / f"{self.run_id}-{os.getpid()}"
        return _scratch[key]


@dataclass(frozen=True)
class Remote:
    """A mapped function run through `Mirror.work` (picklable, for the executor's workers)."""

    mirror: Mirror
    function: Callable[[Any], Any]
    folders: frozenset[Path] = field(default_factory=frozenset)

    @property
    def __name__(self) -> str:
        return getattr(self.function, "__name__", "function")

    def __call__(self, item: Any) -> Any:
        return self.mirror.work(self.function, item, folders=self.folders, isolated=True)


def release() -> None:
    """Delete this process's scratch folders (a worker that is done with its runs)."""
    for folder in _scratch.values():
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()
    _scratch.clear()
    _synced.clear()


@functools.cache
def _cached_filesystem(url: str, pid: int) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    return fs, path.rstrip("/")


def _filesystem(url: str) -> tuple[Any, str]:
    """The filesystem and root path of a store URL, one per process (forked workers get theirs)."""
    return _cached_filesystem(url, os.getpid())


def machine_id() -> str:
    """This machine: its host name and the kernel's boot id."""
    boot = Path("/proc/sys/kernel/random/boot_id")
    return f"{socket.gethostname()}/{boot.read_text().strip() if boot.exists() else ''}"


def _paths(item: Any, base: Path) -> Iterable[Path]:
    """The paths below `base` anywhere in `item` (tuples, lists, dicts, dataclasses)."""
    if isinstance(item, (Mirror, Remote)):
        return
    if isinstance(item, Path):
        if item.is_relative_to(base):
            yield item
    elif isinstance(item, (tuple, list)):
        for value in item:
            yield from _paths(value, base)
    elif isinstance(item, dict):
        for value in item.values():
            yield from _paths(value, base)
    elif dataclasses.is_dataclass(item) and not isinstance(item, type):
        for found in dataclasses.fields(item):
            yield from _paths(getattr(item, found.name), base)


def _rebased(item: Any, old: Path, new: Path) -> Any:
    """`item` with every path below `old` moved below `new` (the same object if none is)."""
    if isinstance(item, (Mirror, Remote)):
        return item
    if isinstance(item, Path):
        return new / item.relative_to(old) if item.is_relative_to(old) else item
    if isinstance(item, (tuple, list)):
        values = [_rebased(value, old, new) for value in item]
        if all(a is b for a, b in zip(values, item, strict=True)):
            return item
        return type(item)(values)
    if isinstance(item, dict):
        values = {key: _rebased(value, old, new) for key, value in item.items()}
        return item if all(values[key] is item[key] for key in item) else values
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        changes = {}
        for found in dataclasses.fields(item):
            value = getattr(item, found.name)
            moved = _rebased(value, old, new)
            if moved is not value:
                changes[found.name] = moved
        return dataclasses.replace(item, **changes) if changes else item
    return item


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _stat(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _stats(root: Path) -> dict[Path, tuple[int, int]]:
    """Every file at or below `root` (none if it does not exist) and its size and mtime."""
    if root.is_file():
        return {root: _stat(root)}
    if not root.is_dir():
        return {}
    return {root / name: _stat(root / name) for name in list_files(root) if (root / name).is_file()}

"""Find input files (paths, folders, globs, fsspec URLs), fingerprint them and cut them into read splits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import fsspec
import xxhash
from fsspec.core import url_to_fs

from corpus.errors import InputError

# A fingerprint hashes this many bytes from each end of a file.
FINGERPRINT_SAMPLE = 1 << 20
FORMATS = ("jsonl", "parquet", "warc", "wet")
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".warc": "warc",
    ".wet": "wet",
}
_COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}


@dataclass(frozen=True)
class InputFile:
    """One input file with what identifies its content; `name` is how the published data names it
    (`published_name`)."""

    uri: str
    format: str
    compression: str | None
    size: int
    mtime: float | None
    name: str = ""

    @property
    def splittable(self) -> bool:
        return self.format == "jsonl" and self.compression is None


@dataclass(frozen=True)
class Split:
    """A unit of reading work: a whole file or a byte range of an uncompressed JSONL file."""

    input_index: int
    file: InputFile
    start: int = 0
    end: int | None = None

    @property
    def size(self) -> int:
        return (self.end if self.end is not None else self.file.size) - self.start


def detect(uri: str) -> tuple[str | None, str | None]:
    """(format, compression) from the file name, e.g. `x.warc.wet.gz` -> ("wet", "gzip")."""
    name = uri.rsplit("/", 1)[-1].lower()
    compression = None
    for suffix, kind in _COMPRESSIONS.items():
        if name.endswith(suffix):
            compression, name = kind, name[: -len(suffix)]
            break
    for suffix, fmt in _SUFFIXES.items():
        if name.endswith(suffix):
            return fmt, compression
    return None, compression


def discover(paths: list[str], fmt: str = "auto") -> list[InputFile]:
    """Every input file the patterns name, in a stable order; raises InputError if one names none.

    Two inputs whose published names coincide (`a/x.jsonl` and `b/x.jsonl` given as folders
    `a` and `b`) are each named with their folder's name in front (`a/x.jsonl`, `b/x.jsonl`)."""
    found: dict[str, InputFile] = {}
    roots: dict[str, Path | None] = {}
    for pattern in paths:
        matches = _expand(pattern, fmt)
        if not matches:
            raise InputError(f"input {pattern!r} matches no readable file")
        for item in matches:
            if item.uri not in found:
                found[item.uri], roots[item.uri] = item, local_folder(pattern)
    repeated = Counter(item.name for item in found.values())
    return [replace(item, name=f"{root.name}/{item.name}")
            if repeated[item.name] > 1 and (root := roots[item.uri]) is not None else item
            for item in found.values()]


def published_name(uri: str, root: Path | None) -> str:
    """How the data names an input (provenance): relative to the local folder its pattern reads
    (`root`), by its file name for a single local file, and by its URL without user, password,
    query or fragment for a remote one: never the machine's own path above the input."""
    if "://" in uri:
        parts = urlsplit(uri)
        return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    path = Path(uri)
    return path.relative_to(root).as_posix() if root and path.is_relative_to(root) else path.name


def _expand(pattern: str, fmt: str) -> list[InputFile]:
    fs, path = url_to_fs(pattern)
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    # A file or folder whose name holds a glob character ("[red]") is read as it is named.
    if any(ch in path for ch in "*?[") and not fs.exists(path):
        candidates = sorted(fs.glob(path))
    elif fs.isdir(path):
        candidates = sorted(fs.find(path))
    elif fs.exists(path):
        candidates = [path]
    else:
        raise InputError(f"input {pattern!r} does not exist")
    root = local_folder(pattern)
    files = []
    for candidate in candidates:
        try:
            info = fs.info(candidate)
        except OSError:
            # A dangling symlink or an entry that vanished: it stays an input, so reading it
            # fails and it becomes one quarantine record instead of silently disappearing.
            info = {"type": "file", "size": 0}
        if info.get("type") == "directory":
            continue
        detected, compression = detect(candidate)
        chosen = detected if fmt == "auto" else fmt
        if chosen is None:
            if candidate == path:
                raise InputError(f"cannot tell the format of {pattern!r}; set input.format")
            continue  # a folder or glob may hold unrelated files (READMEs, checksums)
        uri = candidate if protocol in ("file", "local") else fs.unstrip_protocol(candidate)
        mtime = info.get("mtime") or info.get("created")
        files.append(
            InputFile(
                uri=uri,
                format=chosen,
                compression=compression,
                size=int(info.get("size") or 0),
                mtime=float(mtime) if isinstance(mtime, int | float) else None,
                name=published_name(uri, root),
            )
        )
    return files


def plan_splits(files: list[InputFile], split_bytes: int) -> list[Split]:
    """Whole files, except uncompressed JSONL larger than `split_bytes`, cut into byte ranges."""
    splits = []
    for index, item in enumerate(files):
        if item.splittable and item.size > split_bytes:
            for start in range(0, item.size, split_bytes):
                splits.append(Split(index, item, start, min(start + split_bytes, item.size)))
        else:
            splits.append(Split(index, item))
    return splits


def open_binary(uri: str):
    """A binary file object for a local path or an fsspec URL."""
    return fsspec.open(uri, "rb").open()


def fingerprint(item: InputFile) -> str:
    """xxh3-128 of the size and the first and last MiB: cheap, and changes when content does."""
    digest = xxhash.xxh3_128()
    digest.update(str(item.size).encode())
    try:
        handle = open_binary(item.uri)
    except OSError as exc:  # read later as one quarantine record
        return f"unreadable:{type(exc).__name__}"
    with handle:
        digest.update(handle.read(FINGERPRINT_SAMPLE))
        if item.size > 2 * FINGERPRINT_SAMPLE:
            handle.seek(item.size - FINGERPRINT_SAMPLE)
            digest.update(handle.read(FINGERPRINT_SAMPLE))
    return digest.hexdigest()


def local_folder(pattern: str) -> Path | None:
    """The local folder an input pattern reads from: the folder it names, or the part of a glob
    before its first glob character; None for a single file or a remote URL."""
    fs, path = url_to_fs(pattern)
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    if protocol not in ("file", "local") or Path(path).is_file():
        return None
    if Path(path).is_dir():
        return Path(path)
    cut = min((path.find(ch) for ch in "*?[" if ch in path), default=-1)
    if cut < 0:
        return None
    return Path(path[:cut]) if path[:cut].endswith("/") else Path(path[:cut]).parent


def check_store_root(root: str, patterns: list[str], files: list[InputFile]) -> None:
    """Refuse a store root that is not a folder, or that an input would read from.

    A store inside an input folder would make every run read the store's earlier versions
    (kept 20 -> 40 -> 80); it is refused, naming both paths, rather than silently excluded.
    """
    fs, path = url_to_fs(root)
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    if protocol not in ("file", "local"):
        return
    store = Path(path).resolve()
    if store.exists() and not store.is_dir():
        raise InputError(f"output root {root!r} is a file, not a folder")
    for pattern in patterns:
        folder = local_folder(pattern)
        if folder is not None and store.is_relative_to(folder.resolve()):
            raise InputError(f"output root {root!r} is inside input {pattern!r}: every run would read "
                             f"the store's own versions; put the store elsewhere")
    for item in files:
        if "://" not in item.uri and Path(item.uri).resolve().is_relative_to(store):
            raise InputError(f"input file {item.uri!r} lies inside the output root {root!r}: put the "
                             f"store elsewhere or narrow input.paths")

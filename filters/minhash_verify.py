"""minhash_dedup's pair verification on the workers: candidates' signatures and shingles on disk.

The resolve's last pass writes, for each key file, the documents that are in a candidate
pair (the "members") to member files in the work folder: their signatures (raw uint32,
num_perm a row) and, for `verify: exact`, their shingle-hash lists (raw uint32 values and
an offsets array). Pairs of members are then verified in jobs of JOB_PAIRS pairs on the
executor's workers, which memory-map the member files and read only the rows their pairs
name: the driver holds pairs and ids, never a signature or a shingle set.

Exact verification first compares signatures: a pair whose signatures agree on fewer than
`agreement_floor` positions is rejected without reading its shingles. A pair at exactly the
threshold falls below that floor with probability MISSED (the binomial tail), far below
LSH's own miss rate (1 - recall_target); every pair accepted is accepted on its exact Jaccard.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.schema import ID, ORDER
from filters.minhash_signing import SIGNATURE
from filters.shingles import index_ranges, set_jaccard, shingle_sets

LENGTH = "length"
SHINGLES = "shingles"
NODES = "nodes.npy"  # ORDER of every member, sorted: which documents the member files hold
MISSED = 1e-6  # chance that the signature check rejects a pair at exactly the threshold
# Pairs per verification job: a worker touches at most 2 x JOB_PAIRS member rows of the
# memory-mapped files (about 4 KB of page each), so this bounds a worker's memory.
JOB_PAIRS = 1 << 14
KEY_BATCH_ROWS = 4096  # key-file rows read at a time (shingle lists: about 1-8 KB a document)


def agreement_floor(threshold: float, num_perm: int) -> int:
    """Fewest agreeing signature positions worth reading shingles for: a pair with Jaccard
    `threshold` agrees on fewer with probability at most MISSED (higher Jaccard: less).

    The binomial quantile (scipy's `binom.ppf(MISSED, num_perm, threshold)`, tested equal),
    summed here: importing scipy.stats cost the resolve 0.6 s, serially in the driver."""
    if threshold >= 1.0:
        return num_perm
    log_p, log_q = math.log(threshold), math.log1p(-threshold)
    total = 0.0
    for agreeing in range(num_perm + 1):
        total += math.exp(math.lgamma(num_perm + 1) - math.lgamma(agreeing + 1)
                          - math.lgamma(num_perm - agreeing + 1)
                          + agreeing * log_p + (num_perm - agreeing) * log_q)
        if total >= MISSED:
            return agreeing
    return num_perm


def store_members(job: tuple[int, Path, Path, int, bool]) -> pa.Table | None:
    """Map step: write the members among key file `number`'s documents to its member files;
    their ORDER, ID and LENGTH in file order (None when it has none)."""
    number, path, workdir, num_perm, exact = job
    nodes = np.load(workdir / NODES, mmap_mode="r")
    columns = [ORDER, ID, LENGTH, SIGNATURE, *([SHINGLES] if exact else [])]
    parts, sizes = [], [np.zeros(1, np.int64)]
    names = _member_files(workdir, number)
    with open(names["signatures"], "wb") as signatures, open(names["values"], "wb") as values:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=KEY_BATCH_ROWS, columns=columns):
            order = batch.column(ORDER).to_numpy()
            at = np.minimum(np.searchsorted(nodes, order), max(len(nodes) - 1, 0))
            selected = nodes[at] == order if len(nodes) else np.zeros(len(order), bool)
            if not selected.any():
                continue
            rows = batch.filter(pa.array(selected))
            flat = rows.column(SIGNATURE).flatten().to_numpy(zero_copy_only=False)
            signatures.write(flat.astype(np.uint32, copy=False).reshape(-1, num_perm).tobytes())
            if exact:
                lists = rows.column(SHINGLES)
                sizes.append(pc.list_value_length(lists).to_numpy(zero_copy_only=False).astype(np.int64))
                values.write(pc.list_flatten(lists).to_numpy(zero_copy_only=False).astype(np.uint32).tobytes())
            parts.append(pa.table({ORDER: rows.column(ORDER), ID: rows.column(ID).cast(pa.string()),
                                   LENGTH: rows.column(LENGTH).cast(pa.int64())}))
    np.save(names["offsets"], np.cumsum(np.concatenate(sizes)))
    return pa.concat_tables(parts) if parts else None


def _member_files(workdir: Path, number: int) -> dict[str, Path]:
    stem = workdir / f"members-{number:06d}"
    return {"signatures": stem.with_suffix(".sig"), "values": stem.with_suffix(".shingles"),
            "offsets": stem.with_suffix(".offsets.npy")}


@dataclass(frozen=True)
class MemberFiles:
    """Where the workers find member rows: member files 0..n-1 hold rows starts[i]..starts[i+1]."""

    workdir: Path
    starts: np.ndarray
    num_perm: int

    def _located(self, rows: np.ndarray) -> list[tuple[dict[str, Path], np.ndarray]]:
        """(member files, local rows) per file, in file order, for sorted unique `rows`."""
        files = np.searchsorted(self.starts, rows, side="right") - 1
        bounds = np.searchsorted(files, np.arange(len(self.starts)))
        return [(_member_files(self.workdir, number), rows[low:high] - self.starts[number])
                for number, (low, high) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)) if high > low]

    def signatures(self, rows: np.ndarray) -> np.ndarray:
        """The signatures of sorted unique member `rows` (rows x num_perm)."""
        parts = []
        for names, local in self._located(rows):
            mapped = np.memmap(names["signatures"], dtype=np.uint32, mode="r").reshape(-1, self.num_perm)
            parts.append(np.asarray(mapped[local]))
            del mapped  # unmapped: its pages leave this worker's memory
        return np.concatenate(parts) if parts else np.zeros((0, self.num_perm), np.uint32)

    def shingle_sets(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The shingle sets (values, offsets; `shingle_sets`) of sorted unique member `rows`."""
        values, sizes = [], []
        for names, local in self._located(rows):
            offsets = np.load(names["offsets"], mmap_mode="r")
            begins, ends = np.asarray(offsets[local]), np.asarray(offsets[local + 1])
            sizes.append(ends - begins)
            if (ends > begins).any():
                mapped = np.memmap(names["values"], dtype=np.uint32, mode="r")
                values.append(np.asarray(mapped[index_ranges(begins, ends - begins)]))
                del mapped
        sizes_ = np.concatenate(sizes) if sizes else np.zeros(0, np.int64)
        offsets_ = np.zeros(len(sizes_) + 1, np.int64)
        np.cumsum(sizes_, out=offsets_[1:])
        flat = np.concatenate(values) if values else np.zeros(0, np.uint32)
        return shingle_sets(flat, offsets_)


@dataclass(frozen=True)
class Verification:
    """How a job decides its pairs: `exact` (signature check, then shingle sets) or the
    signatures' agreement alone."""

    members: MemberFiles
    exact: bool
    floor: int


def verify_pairs(job: tuple[Verification, Path, int, int]) -> tuple[np.ndarray, int]:
    """Map step: the similarity of pairs start..stop of the pairs file (member rows), and how
    many of them were compared on their shingle sets. Exact Jaccard where the signatures
    reach the floor, else the signatures' agreement (below the threshold)."""
    how, path, start, stop = job
    pairs = np.array(np.load(path, mmap_mode="r")[start:stop])
    rows, inverse = np.unique(pairs, return_inverse=True)
    inverse = inverse.reshape(pairs.shape)
    signatures = how.members.signatures(rows)
    agree = (signatures[inverse[:, 0]] == signatures[inverse[:, 1]]).sum(axis=1)
    similarity = agree / how.members.num_perm
    if not how.exact:
        return similarity, 0
    close = np.flatnonzero(agree >= how.floor)
    if len(close):
        needed, where = np.unique(pairs[close], return_inverse=True)
        where = where.reshape(-1, 2)
        similarity[close] = set_jaccard(*how.members.shingle_sets(needed), where[:, 0], where[:, 1])
    return similarity, len(close)


class PairCheck:
    """The driver's side: similarities of pairs of member rows, computed by `verify_pairs` on
    the executor's workers (`map`); each call's pairs go to the workers as a file."""

    def __init__(self, map_: Callable, how: Verification) -> None:
        self.map, self.how = map_, how
        self.calls = 0
        self.on_shingles = 0  # pairs compared on their shingle sets so far

    def __call__(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        if not len(first):
            return np.zeros(0, np.float64)
        path = self.how.members.workdir / f"pairs-{self.calls:04d}.npy"
        self.calls += 1
        np.save(path, np.stack([first, second], axis=1).astype(np.int64))
        jobs = [(self.how, path, start, min(start + JOB_PAIRS, len(first)))
                for start in range(0, len(first), JOB_PAIRS)]
        results = self.map(verify_pairs, jobs)
        path.unlink()
        self.on_shingles += sum(count for _, count in results)
        return np.concatenate([similarity for similarity, _ in results])

    def release(self) -> None:
        """Delete the member files."""
        for number in range(len(self.how.members.starts) - 1):
            for path in _member_files(self.how.members.workdir, number).values():
                path.unlink(missing_ok=True)

"""minhash_dedup: near-duplicate removal with vectorised MinHash signatures, LSH and connected components."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from pydantic import Field
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from corpus.errors import UserError
from corpus.schema import ID, ORDER, TEXT
from corpus.stats import FilterStats, Histogram
from corpus.store import parse_ref
from filters.base import FilterParams, GlobalFilter, Verdict
from filters.shingles import shingle_hashes

SIGNATURE = "signature"
LENGTH = "length"
CLUSTER_EDGES = [2, 3, 4, 5, 10, 20, 50, 100, 1000, 1_000_000]


class MinHashDedup(GlobalFilter):
    """Removes near-duplicates: documents whose estimated Jaccard similarity reaches `threshold`.

    Signatures follow datasketch's `affine32` scheme exactly (same permutations for the same
    seed, murmur3 finaliser, a*h+b mod 2^32), computed for a whole batch in numpy. Bands and
    rows come from datasketch's false-positive/false-negative optimisation. Candidate pairs
    that share a band are verified on the full signature (on by default), clusters are the
    connected components, and the kept document of a cluster is the first in input order
    (or the longest). Every member gets `dup_cluster` (the kept document's id); removed
    ones get `duplicate_of`.
    """

    name = "minhash_dedup"
    columns: ClassVar[tuple[str, ...]] = ("dup_cluster", "duplicate_of")

    class Params(FilterParams):
        threshold: float = Field(0.8, gt=0.0, le=1.0, description="Jaccard similarity that makes a duplicate")
        num_perm: int = Field(128, ge=16, le=1024, description="permutations in each signature")
        ngram: int = Field(5, ge=1, description="words per shingle (space-separated scripts)")
        char_ngram: int = Field(5, ge=1, description="characters per shingle (Chinese, Japanese, Korean)")
        shingles: Literal["auto", "word", "char"] = Field(
            "auto", description="auto: characters for CJK documents (by lang or script), words otherwise")
        seed: int = Field(1, description="permutation seed (datasketch-compatible)")
        verify: bool = Field(True, description="check each candidate pair on the full signature")
        keep: Literal["first", "longest"] = Field("first", description="which member of a cluster stays")
        false_positive_weight: float = Field(0.5, ge=0.0, le=1.0, description="LSH parameter optimisation")
        lang_column: str = Field("lang", description="language column written by langid, if present")
        against: list[str] = Field(
            default_factory=list,
            description="earlier versions (DIR@vN) whose documents count as already delivered")

    def setup(self) -> None:
        self.bands, self.rows = _optimal_param(self.params.threshold, self.params.num_perm,
                                               self.params.false_positive_weight,
                                               1.0 - self.params.false_positive_weight)
        a, b = MinHash(num_perm=self.params.num_perm, seed=self.params.seed, scheme="affine32").permutations
        self.a, self.b = np.asarray(a, np.uint32), np.asarray(b, np.uint32)

    def sign(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        column = self.params.lang_column
        langs = batch.column(column) if column in batch.schema.names else None
        hashes, parents = shingle_hashes(batch.column(TEXT), langs, self.params.shingles, self.params.ngram,
                                         self.params.char_ngram)
        signatures = minhash(hashes, parents, batch.num_rows, self.a, self.b)
        flat = pa.array(signatures.ravel(), pa.uint32())
        return {SIGNATURE: pa.FixedSizeListArray.from_arrays(flat, self.params.num_perm),
                LENGTH: pc.utf8_length(batch.column(TEXT))}

    def resolve(self, keys: Iterator[pa.RecordBatch], stats: FilterStats) -> None:
        new = pa.Table.from_batches(list(keys)).sort_by(ORDER)
        earlier = self._earlier_versions(stats)
        table = pa.concat_tables([earlier, new.select(earlier.schema.names)]) if earlier is not None else new
        order = table.column(ORDER).to_numpy()
        ids = np.array(table.column(ID).to_pylist(), dtype=object)
        if not len(order):
            self.drop, self.cluster_of, self.duplicate_of = _empty(), {}, {}
            return
        signatures = table.column(SIGNATURE).combine_chunks().flatten().to_numpy().reshape(
            len(order), self.params.num_perm)
        first, second = candidate_pairs(signatures, self.bands, self.rows)
        # documents without a single shingle (no words at all) share the empty signature
        empty = (signatures == np.iinfo(np.uint32).max).all(axis=1)
        real = ~(empty[first] | empty[second])
        first, second = first[real], second[real]
        stats.count("pairs", "candidates", len(first))
        if self.params.verify and len(first):
            similar = (signatures[first] == signatures[second]).mean(axis=1) >= self.params.threshold
            stats.count("pairs", "rejected_by_verification", int((~similar).sum()))
            first, second = first[similar], second[similar]
        stats.count("pairs", "duplicates", len(first))
        lengths = table.column(LENGTH).to_numpy()
        self.drop, self.cluster_of, self.duplicate_of = clusters(first, second, order, ids, lengths,
                                                                 self.params.keep, stats)
        kept = ~np.isin(new.column(ORDER).to_numpy(), self.drop)
        self._index = new.filter(pa.array(kept)).select([ID, SIGNATURE, LENGTH])
        stats.info.update(bands=self.bands, rows=self.rows, num_perm=self.params.num_perm,
                          threshold=self.params.threshold, keep=self.params.keep)

    def write_index(self, folder: Path) -> None:
        """The signatures of the documents this version keeps, for `against` in later runs."""
        index = self.__dict__.pop("_index", None)
        if index is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        metadata = {b"corpus.minhash": json.dumps({"num_perm": self.params.num_perm, "seed": self.params.seed,
                                                   "ngram": self.params.ngram,
                                                   "char_ngram": self.params.char_ngram}).encode()}
        pq.write_table(index.replace_schema_metadata(metadata), folder / "minhash-00000.parquet",
                       compression="zstd")

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_index", None)  # the index stays in the parent; workers need only the decision
        return state

    def _earlier_versions(self, stats: FilterStats) -> pa.Table | None:
        """Documents of the versions in `against`, ordered before every new document."""
        tables = []
        for position, ref in enumerate(self.params.against):
            store, version = parse_ref(ref)
            folder = store.version_path(version) / "index"
            files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
            if not files:
                raise UserError(f"{ref} has no minhash index (index/); run it with minhash_dedup first")
            table = pa.concat_tables(pq.read_table(f) for f in files)
            settings = json.loads((table.schema.metadata or {}).get(b"corpus.minhash", b"{}"))
            wanted = {"num_perm": self.params.num_perm, "seed": self.params.seed, "ngram": self.params.ngram,
                      "char_ngram": self.params.char_ngram}
            if settings != wanted:
                raise UserError(f"{ref} was deduplicated with {settings}, this run uses {wanted}")
            # earlier versions come first in input order, so they are never the copy removed
            offset = (len(self.params.against) - position) * (1 << 50)
            order = np.arange(table.num_rows, dtype=np.int64) - offset
            tables.append(table.append_column(ORDER, pa.array(order)))
            stats.count("against", ref, table.num_rows)
        return pa.concat_tables(tables).select([ORDER, ID, SIGNATURE, LENGTH]) if tables else None

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        order = batch.column(ORDER).to_numpy()
        drop = np.isin(order, self.drop)
        cluster = [self.cluster_of.get(o) for o in order.tolist()]
        duplicate_of = [self.duplicate_of.get(o) for o in order.tolist()]
        return Verdict(keep=pa.array(~drop),
                       columns={"dup_cluster": pa.array(cluster, pa.string()),
                                "duplicate_of": pa.array(duplicate_of, pa.string())},
                       reason=pa.array(np.where(drop, "near_duplicate", None), pa.string()))


def minhash(hashes: np.ndarray, parents: np.ndarray, documents: int, a: np.ndarray, b: np.ndarray,
            chunk: int = 1 << 15) -> np.ndarray:
    """Signatures (documents x permutations, uint32) of 32-bit shingle hashes grouped by document.

    h -> murmur3 fmix32(h) * a + b (mod 2^32), minimum per document: datasketch's affine32.
    Shingles are processed in chunks so the (shingles x permutations) matrix stays small.
    Documents without shingles keep the maximum value everywhere.
    """
    signatures = np.full((documents, len(a)), np.iinfo(np.uint32).max, dtype=np.uint32)
    mixed = fmix32(hashes)
    for start in range(0, len(mixed), chunk):
        values = mixed[start:start + chunk, None] * a[None, :] + b[None, :]
        _reduce(signatures, parents[start:start + chunk], values)
    return signatures


def _reduce(signatures: np.ndarray, owners: np.ndarray, values: np.ndarray) -> None:
    """Per-document minima of a chunk whose rows are grouped by document (owners ascending)."""
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    minima = np.minimum.reduceat(values, starts, axis=0)
    docs = owners[starts]
    signatures[docs] = np.minimum(signatures[docs], minima)


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    h = values.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def candidate_pairs(signatures: np.ndarray, bands: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(later, earlier) row pairs that share at least one band: each member of a bucket is paired
    with the bucket's first row, which is enough for connected components."""
    firsts, seconds = [], []
    weights = np.random.default_rng(0).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
    for band in range(bands):
        block = signatures[:, band * rows:(band + 1) * rows].astype(np.uint64)
        keys = (block * weights[None, :]).sum(axis=1, dtype=np.uint64)
        by_key = np.argsort(keys, kind="stable")
        sorted_keys = keys[by_key]
        starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
        head = by_key[np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))]
        members = ~starts
        firsts.append(by_key[members])
        seconds.append(head[members])
    first = np.concatenate(firsts)
    second = np.concatenate(seconds)
    pairs = np.unique(np.stack([np.maximum(first, second), np.minimum(first, second)], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def clusters(first: np.ndarray, second: np.ndarray, order: np.ndarray, ids: np.ndarray,
             lengths: np.ndarray, keep: str, stats: FilterStats):
    """Connected components of the duplicate pairs and the kept member of each.

    Returns (ORDER values to drop, {ORDER: cluster id} for every member, {ORDER: kept id} for
    removed members). Rows are in input order, so "first" is the lowest row of a component.
    """
    count = len(order)
    graph = coo_matrix((np.ones(len(first), np.int8), (first, second)), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    in_cluster = sizes[labels] > 1
    rows = np.flatnonzero(in_cluster)
    # Documents of earlier versions (negative ORDER) always lead their cluster: they were
    # delivered already and are never the copy removed.
    later = order[rows] >= 0
    if keep == "longest":  # longest first, input order breaks ties
        ranking = np.lexsort((rows, -lengths[rows], later, labels[rows]))
    else:
        ranking = np.lexsort((rows, later, labels[rows]))
    ranked = rows[ranking]
    leader_of = {}
    for row in ranked:
        leader_of.setdefault(labels[row], row)
    kept = np.array([leader_of[labels[row]] for row in rows], dtype=np.int64)
    removed = rows[kept != rows]
    cluster_of = {int(order[row]): ids[leader] for row, leader in zip(rows, kept, strict=True)}
    duplicate_of = {int(order[row]): ids[leader] for row, leader in zip(rows, kept, strict=True)
                    if row != leader}
    empty = Histogram(edges=[float(edge) for edge in CLUSTER_EDGES])
    histogram = stats.histograms.setdefault("cluster_size", empty)
    histogram.add(sizes[sizes > 1])
    stats.count("clusters", "count", int((sizes > 1).sum()))
    stats.count("clusters", "documents", int(in_cluster.sum()))
    removed = removed[order[removed] >= 0]
    return np.sort(order[removed]), cluster_of, duplicate_of


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)

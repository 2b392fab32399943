"""minhash_dedup: near-duplicate removal with vectorised MinHash signatures, LSH and connected components."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
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
from corpus.figures import Figures, LargestBin
from corpus.schema import ID, ORDER, TEXT
from corpus.stats import FilterStats, Histogram
from corpus.store import parse_ref
from filters.base import FilterParams, GlobalFilter, Keys, Read
from filters.decisions import REASON, DecisionReader, decision_schema, write_decisions
from filters.shingles import shingle_hashes

SIGNATURE = "signature"
LENGTH = "length"
SOURCE = "__corpus_key_file"
CLUSTER_EDGES = [2, 3, 4, 5, 10, 20, 50, 100, 1000, 1_000_000]
DECISION_SCHEMA = decision_schema({"dup_cluster": pa.string(), "duplicate_of": pa.string()})


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
    writes: ClassVar[tuple[str, ...]] = ("dup_cluster", "duplicate_of")
    shared: ClassVar[tuple[str, ...]] = ("duplicate_of",)
    # The stats keep cluster sizes in bins (CLUSTER_EDGES), so the largest cluster is known
    # to its bin: `minhash_dedup.largest_cluster_at_least: {max: 100}` fails at 100 or more.
    figures = Figures(metrics=(LargestBin("largest_cluster_at_least", "cluster_size"),))

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
        partitions: int = Field(
            32, ge=1, le=65536, description="band-key partitions resolved one at a time (memory: about "
                                            "16 x bands x documents / partitions bytes)")
        against: list[str] = Field(
            default_factory=list,
            description="earlier versions (DIR@vN) whose documents count as already delivered")

    def column_reads(self) -> tuple[Read, ...]:
        if self.params.shingles != "auto":
            return ()
        return (Read(self.params.lang_column, fallback="chooses character shingles by script",
                     instead="set shingles: word or char"),)

    def setup(self) -> None:
        self.bands, self.rows = _optimal_param(self.params.threshold, self.params.num_perm,
                                               self.params.false_positive_weight,
                                               1.0 - self.params.false_positive_weight)
        a, b = MinHash(num_perm=self.params.num_perm, seed=self.params.seed, scheme="affine32").permutations
        self.a, self.b = np.asarray(a, np.uint32), np.asarray(b, np.uint32)

    def sign(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        column = self.params.lang_column
        # Planned: only a column an earlier filter writes, never an input column of that name.
        present = self.upstream if self.upstream is not None else batch.schema.names
        langs = batch.column(column) if self.params.shingles == "auto" and column in present else None
        hashes, parents = shingle_hashes(batch.column(TEXT), langs, self.params.shingles, self.params.ngram,
                                         self.params.char_ngram)
        signatures = minhash(hashes, parents, batch.num_rows, self.a, self.b)
        flat = pa.array(signatures.ravel(), pa.uint32())
        return {SIGNATURE: pa.FixedSizeListArray.from_arrays(flat, self.params.num_perm),
                LENGTH: pc.utf8_length(batch.column(TEXT))}

    def resolve(self, keys: Keys, stats: FilterStats, workdir: Path) -> None:
        """Three passes over the key files, each mapped over the executor's workers; memory is
        bounded by one band partition and the documents that have a candidate, never by the
        corpus, and no worker or driver ever holds every signature.

        1. each key file's band keys are spread to `partitions` files by key hash (a shuffle);
        2. each partition alone is sorted into buckets: every member is paired with the
           bucket's first document (earliest input order);
        3. each key file returns the signatures of its documents that are in a pair; the
           pairs are verified and clusters are the connected components of the verified pairs.

        The decision is written as one decision file per key file (`keys.decisions`): every
        member of a cluster gets `dup_cluster`, removed ones `duplicate_of` and a reason.
        """
        workdir.mkdir(parents=True, exist_ok=True)
        sources = list(keys.files)
        earlier = self._earlier_versions(stats)
        if earlier is not None:
            pq.write_table(earlier, workdir / "earlier.parquet")
            sources.insert(0, workdir / "earlier.parquet")
        first, second = self._candidates(sources, keys.map, workdir, stats)
        nodes = np.unique(np.concatenate([first, second]))
        members = self._members(sources, keys.map, nodes)
        first, second = np.searchsorted(members.order, first), np.searchsorted(members.order, second)
        stats.count("pairs", "candidates", len(first))
        if self.params.verify and len(first):
            similar = members.similar(first, second, self.params.threshold)
            stats.count("pairs", "rejected_by_verification", int((~similar).sum()))
            first, second = first[similar], second[similar]
        stats.count("pairs", "duplicates", len(first))
        members.signatures = None  # the largest part of the resolve's memory, no longer needed
        rows, kept = clusters(first, second, members.order, members.lengths, self.params.keep, stats)
        _write_decisions(keys.decisions, members, rows, kept, 0 if earlier is None else 1)
        stats.info.update(bands=self.bands, rows=self.rows, num_perm=self.params.num_perm,
                          threshold=self.params.threshold, keep=self.params.keep,
                          partitions=self.params.partitions)

    def _candidates(self, sources: list[Path], map_: Callable, workdir: Path, stats: FilterStats
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(later ORDER, earlier ORDER) pairs of documents that share a band bucket."""
        shape = (self.bands, self.rows, self.params.partitions, self.params.num_perm)
        map_(_spread_bands, [(number, path, workdir, shape) for number, path in enumerate(sources)])
        found = map_(_partition_pairs, [(part, workdir) for part in range(self.params.partitions)])
        stats.info["largest_partition_rows"] = max((rows for _, _, rows in found), default=0)
        later = [pairs for pairs, _, _ in found if len(pairs)]
        if not later:
            return _empty(), _empty()
        earlier_ = [pairs for _, pairs, _ in found if len(pairs)]
        pairs = np.unique(np.stack([np.concatenate(later), np.concatenate(earlier_)], axis=1), axis=0)
        return pairs[:, 0], pairs[:, 1]

    def _members(self, sources: list[Path], map_: Callable, nodes: np.ndarray) -> Members:
        """The documents in `nodes`, sorted by ORDER."""
        parts = [table for table in map_(_select_members, list(enumerate((path, nodes) for path in sources)))
                 if table is not None]
        if not parts:
            return Members(_empty(), pa.array([], pa.string()), _empty(), np.zeros(0, np.int32),
                           np.zeros((0, self.params.num_perm), np.uint32), _empty())
        order = np.concatenate([part.column(ORDER).to_numpy() for part in parts])
        ranking = np.argsort(order, kind="stable")
        # signatures stay in arrival order (one copy, not two): `rows` maps a member to its own
        signatures = np.concatenate([_signatures(part, self.params.num_perm) for part in parts])
        column = pa.chunked_array([part.column(ID) for part in parts]).cast(pa.string()).combine_chunks()
        return Members(order[ranking], column.take(pa.array(ranking)),
                       np.concatenate([part.column(LENGTH).to_numpy() for part in parts])[ranking],
                       np.concatenate([part.column(SOURCE).to_numpy() for part in parts])[ranking],
                       signatures, ranking)

    def write_index(self, keys: Keys, folder: Path) -> None:
        """The signatures of the documents this version keeps, for `against` in later runs."""
        folder.mkdir(parents=True, exist_ok=True)
        settings = self._index_settings()
        schema = pa.schema([(ID, pa.string()), (SIGNATURE, pa.list_(pa.uint32(), self.params.num_perm)),
                            (LENGTH, pa.int64())],
                           metadata={b"corpus.minhash": json.dumps(settings).encode()})
        with pq.ParquetWriter(folder / "minhash-00000.parquet", schema, compression="zstd") as writer:
            for path, decision in zip(keys.files, keys.decisions, strict=True):
                decisions = DecisionReader([decision])
                for batch in pq.ParquetFile(path).iter_batches():
                    kept = pc.is_null(decisions.take(batch.column(ORDER)).column(REASON))
                    rows = batch.filter(kept.combine_chunks())
                    writer.write_batch(pa.record_batch(
                        [rows.column(ID), rows.column(SIGNATURE), rows.column(LENGTH).cast(pa.int64())],
                        schema=schema))
                decisions.close()

    def _index_settings(self) -> dict[str, int]:
        """What must match for two versions' signatures to be comparable."""
        return {"num_perm": self.params.num_perm, "seed": self.params.seed, "ngram": self.params.ngram,
                "char_ngram": self.params.char_ngram}

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
            wanted = self._index_settings()
            if settings != wanted:
                raise UserError(f"{ref} was deduplicated with {settings}, this run uses {wanted}")
            # earlier versions come first in input order, so they are never the copy removed
            offset = (len(self.params.against) - position) * (1 << 50)
            order = np.arange(table.num_rows, dtype=np.int64) - offset
            tables.append(table.append_column(ORDER, pa.array(order)))
            stats.count("against", ref, table.num_rows)
        return pa.concat_tables(tables).select([ORDER, ID, SIGNATURE, LENGTH]) if tables else None


@dataclass
class Members:
    """The documents in a candidate pair, sorted by ORDER: their ids, lengths and the key file
    (`source`) each came from; `signatures[rows[i]]` is the signature of member i."""

    order: np.ndarray
    ids: pa.StringArray
    lengths: np.ndarray
    source: np.ndarray
    signatures: np.ndarray | None
    rows: np.ndarray

    def similar(self, first: np.ndarray, second: np.ndarray, threshold: float,
                chunk: int = 1 << 14) -> np.ndarray:
        """Whether each pair's signatures agree on at least `threshold` of their positions
        (pairs compared a chunk at a time: two gathered signatures per pair are large)."""
        result = np.empty(len(first), dtype=bool)
        for start in range(0, len(first), chunk):
            a = self.signatures[self.rows[first[start:start + chunk]]]
            b = self.signatures[self.rows[second[start:start + chunk]]]
            result[start:start + chunk] = (a == b).mean(axis=1) >= threshold
        return result


def _write_decisions(targets: list[Path], members: Members, rows: np.ndarray, kept: np.ndarray,
                     first_source: int) -> None:
    """One decision file per key file: its cluster members with `dup_cluster`, and for the
    removed ones `duplicate_of` and the reason. Key file i is source `first_source + i`
    (source 0 is the earlier versions' index when there is one)."""
    removed = kept != rows
    leaders = members.ids.take(pa.array(kept))
    table = pa.table([pa.array(members.order[rows]),
                      pa.array(np.where(removed, "near_duplicate", None), pa.string()),
                      leaders, pc.if_else(pa.array(removed), leaders, pa.scalar(None, pa.string()))],
                     schema=DECISION_SCHEMA)
    source = members.source[rows]
    for number, target in enumerate(targets):
        write_decisions(target, table.filter(pa.array(source == first_source + number)))


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


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per document and band, band after band (bands x documents values)."""
    weights = np.random.default_rng(0).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
    band_salt = np.arange(bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # wraps, on purpose
    keys = np.empty((bands, len(signatures)), dtype=np.uint64)
    for band in range(bands):
        block = signatures[:, band * rows:(band + 1) * rows].astype(np.uint64)
        keys[band] = (block * weights[None, :]).sum(axis=1, dtype=np.uint64) + band_salt[band]
    return keys.ravel()


BAND_SCHEMA = pa.schema([("key", pa.uint64()), (ORDER, pa.int64())])


def _spread_bands(job: tuple[int, Path, Path, tuple[int, int, int, int]]) -> None:
    """Map step of the shuffle: one key file's band keys, written to one file per partition."""
    number, path, workdir, (bands, rows, partitions, num_perm) = job
    sinks: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    try:
        for batch in pq.ParquetFile(path).iter_batches(columns=[ORDER, SIGNATURE]):
            signatures = _signatures(batch, num_perm)
            has_shingles = ~(signatures == np.iinfo(np.uint32).max).all(axis=1)
            order = batch.column(ORDER).to_numpy()[has_shingles]
            keys = band_keys(signatures[has_shingles], bands, rows)
            owners = np.tile(order, bands)
            partition = (keys % np.uint64(partitions)).astype(np.int64)
            for part in np.unique(partition).tolist():
                if part not in sinks:
                    target = workdir / f"bands-{part:05d}-{number:06d}.arrow"
                    sinks[part] = pa.ipc.new_file(str(target), BAND_SCHEMA)
                chosen = partition == part
                sinks[part].write_batch(pa.record_batch([pa.array(keys[chosen]), pa.array(owners[chosen])],
                                                        schema=BAND_SCHEMA))
    finally:
        for sink in sinks.values():
            sink.close()


def _partition_pairs(job: tuple[int, Path]) -> tuple[np.ndarray, np.ndarray, int]:
    """Reduce step: one partition's bucket pairs (member, leader) and its row count."""
    part, workdir = job
    paths = sorted(workdir.glob(f"bands-{part:05d}-*.arrow"))
    tables = []
    for path in paths:
        with pa.memory_map(str(path)) as source:
            tables.append(pa.ipc.open_file(source).read_all())
    if not tables:
        return _empty(), _empty(), 0
    table = pa.concat_tables(tables)
    later, earlier = bucket_pairs(table.column("key").to_numpy(), table.column(ORDER).to_numpy())
    for path in paths:
        path.unlink()
    return later, earlier, table.num_rows


def _select_members(job: tuple[int, tuple[Path, np.ndarray]]) -> pa.Table | None:
    """The rows of key file number `number` whose documents are in a candidate pair."""
    number, (path, nodes) = job
    parts = []
    for batch in pq.ParquetFile(path).iter_batches(columns=[ORDER, ID, SIGNATURE, LENGTH]):
        selected = np.isin(batch.column(ORDER).to_numpy(), nodes)
        if selected.any():
            parts.append(batch.filter(pa.array(selected)))
    if not parts:
        return None
    table = pa.Table.from_batches(parts)
    return table.append_column(SOURCE, pa.array(np.full(table.num_rows, number, np.int32)))


def bucket_pairs(keys: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(member, bucket leader) ORDER pairs for every bucket of equal keys; the leader is the
    bucket's earliest document. Enough edges for connected components."""
    if not len(keys):
        return _empty(), _empty()
    ranking = np.lexsort((order, keys))
    keys, order = keys[ranking], order[ranking]
    starts = np.r_[True, keys[1:] != keys[:-1]]
    leader = order[np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))]
    members = ~starts & (order != leader)
    return order[members], leader[members]


def _signatures(batch: pa.RecordBatch | pa.Table, num_perm: int) -> np.ndarray:
    column = batch.column(SIGNATURE)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column.flatten().to_numpy(zero_copy_only=False).reshape(len(column), num_perm)


def clusters(first: np.ndarray, second: np.ndarray, order: np.ndarray, lengths: np.ndarray, keep: str,
             stats: FilterStats) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of the duplicate pairs and the kept member of each.

    Returns (rows of the new documents in a cluster, ascending; the row of the member kept in
    each one's cluster). Rows are in input order, so "first" is the lowest row of a component.
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
    heads = np.r_[True, labels[ranked][1:] != labels[ranked][:-1]] if len(ranked) else np.zeros(0, bool)
    leader_of = np.zeros(len(sizes), dtype=np.int64)
    leader_of[labels[ranked[heads]]] = ranked[heads]
    kept = leader_of[labels[rows]]
    empty = Histogram(edges=[float(edge) for edge in CLUSTER_EDGES])
    histogram = stats.histograms.setdefault("cluster_size", empty)
    histogram.add(sizes[sizes > 1])
    stats.count("clusters", "count", int((sizes > 1).sum()))
    stats.count("clusters", "documents", int(in_cluster.sum()))
    new = order[rows] >= 0
    return rows[new], kept[new]


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)

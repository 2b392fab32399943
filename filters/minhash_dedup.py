"""minhash_dedup: near-duplicate removal with MinHash signatures, recall-first LSH and exact verification."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import Field, model_validator

from corpus.errors import UserError
from corpus.figures import CounterTable, CounterValue, Figures, LargestBin
from corpus.schema import ID, ORDER, ORDER_SHIFT, TEXT
from corpus.stats import FilterStats, Histogram
from corpus.store import parse_ref
from filters.base import FilterParams, GlobalFilter, Keys
from filters.decisions import REASON, DecisionReader, decision_schema, write_decisions
from filters.minhash_signing import _signatures, affine32_permutations, minhash
from filters.minhash_verify import (
    KEY_BATCH_ROWS,
    LENGTH,
    NODES,
    SHINGLES,
    SIGNATURE,
    MemberFiles,
    PairCheck,
    Verification,
    agreement_floor,
    store_members,
)
from filters.shingles import SHINGLE_SCHEME, shingle_hashes, shingle_lists

CLUSTER_EDGES = [2, 3, 4, 5, 10, 20, 50, 100, 1000, 1_000_000]
DECISION_SCHEMA = decision_schema({"dup_cluster": pa.string(), "duplicate_of": pa.string()})
S_CURVE = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)
LARGEST_SHOWN = 5  # clusters listed in the report with two sample members each
# Rounds of "compare a document left standing beside a removed one with that one's kept
# document" (see `star_clusters`); each round only adds verified pairs, one is nearly always enough.
LEADER_ROUNDS = 3
EARLIER_SPAN = 1 << 50  # ORDERs below zero, one span per `against` version: they come first


class MinHashDedup(GlobalFilter):
    """Removes near-duplicates: documents whose Jaccard similarity with a kept document reaches `threshold`.

    Signatures follow datasketch's `affine32` scheme exactly (same permutations for the same
    seed, murmur3 finaliser, a*h+b mod 2^32), computed for a whole batch in numpy. Bands and
    rows are chosen for recall: a pair at exactly `threshold` becomes a candidate with
    probability `recall_target` or more (`s_curve`). Candidate pairs are verified on their
    real shingle sets (`verify: exact`), on the signatures' agreement (`signature`) or not at
    all (`none`). A document is removed only against the kept document of its cluster
    (`star_clusters`), so chains A~B~C never merge A and C. Every member gets `dup_cluster`
    (the kept document's id); removed ones get `duplicate_of`.
    """

    name = "minhash_dedup"
    writes: ClassVar[tuple[str, ...]] = ("dup_cluster", "duplicate_of")
    shared: ClassVar[tuple[str, ...]] = ("duplicate_of",)
    # `largest_cluster` is exact (`clusters.largest`); `largest_cluster_at_least` is its
    # histogram bin's lower edge, kept for gates written before the exact counter existed.
    figures = Figures(
        report=(CounterTable(tuple(f"largest_clusters.{part}" for part in ("size", "jaccard_1", "jaccard_2")),
                             key_header="largest clusters (input:offset): kept <- two removed members",
                             headers=("size", "Jaccard 1st", "Jaccard 2nd"), order="count"),),
        metrics=(CounterValue("largest_cluster", "clusters", "largest"),
                 LargestBin("largest_cluster_at_least", "cluster_size")))

    class Params(FilterParams):
        threshold: float = Field(0.8, gt=0.0, le=1.0, description="Jaccard similarity that makes a duplicate")
        num_perm: int = Field(128, ge=16, le=1024, description="permutations in each signature")
        ngram: int = Field(5, ge=1, description="tokens per shingle (words; with shingles: auto also each "
                                                "Han, Kana or Hangul character)")
        char_ngram: int = Field(5, ge=1, description="characters per shingle with shingles: char (equal to "
                                                     "ngram with auto)")
        shingles: Literal["auto", "word", "char"] = Field(
            "auto", description="auto: one token stream of words and single Han/Kana/Hangul characters; "
                                "word: words only; char: every character")
        seed: int = Field(1, description="permutation seed (datasketch-compatible)")
        verify: Literal["exact", "signature", "none"] = Field(
            "exact", description="candidate pairs: exact Jaccard of their shingle sets (keys carry them), "
                                 "the signatures' estimate, or none (every candidate is a duplicate)")
        recall_target: float = Field(
            0.99, gt=0.0, lt=1.0, description="chance that a pair at exactly `threshold` becomes a candidate "
                                              "(chooses bands x rows)")
        keep: Literal["first", "longest"] = Field("first", description="which member of a cluster stays")
        max_cluster_size: int = Field(
            1000, ge=2, description="clusters larger than this are counted (clusters.above_max_size)")
        partitions: int = Field(
            32, ge=1, le=65536, description="band-key partitions resolved one at a time (memory: about "
                                            "16 x bands x documents / partitions bytes)")
        against: list[str] = Field(
            default_factory=list,
            description="earlier versions (DIR@vN) whose documents count as already delivered")

        @model_validator(mode="after")
        def _one_stream(self) -> MinHashDedup.Params:
            if self.shingles == "auto" and self.char_ngram != self.ngram:
                raise ValueError(f"ngram {self.ngram} and char_ngram {self.char_ngram} differ: with "
                                 "shingles: auto one token stream holds words and Han/Kana/Hangul "
                                 "characters, so they must be equal (or set shingles: word or char)")
            return self

        @model_validator(mode="after")
        def _reachable(self) -> MinHashDedup.Params:
            bands, rows = banding(self.threshold, self.num_perm, self.recall_target)
            reached = candidate_probability(self.threshold, bands, rows)
            if reached < self.recall_target:
                raise ValueError(f"recall_target {self.recall_target} is out of reach with num_perm "
                                 f"{self.num_perm} at threshold {self.threshold} (at most {reached:.4f})")
            return self

    @classmethod
    def notes(cls, params: FilterParams | None = None) -> list[str]:
        """The banding and its S-curve for `params` (the defaults), for `corpus filters`."""
        p = params if params is not None else cls.Params()
        bands, rows = banding(p.threshold, p.num_perm, p.recall_target)
        curve = ", ".join(f"{j:g}: {value:.3f}" for j, value in s_curve(bands, rows, p.threshold).items())
        return [f"threshold {p.threshold:g}, num_perm {p.num_perm}, recall_target {p.recall_target:g} -> "
                f"{bands} bands x {rows} rows",
                f"chance that a pair with Jaccard J becomes a candidate: {curve}"]

    def info(self) -> dict[str, object]:
        p = self.params
        bands, rows = banding(p.threshold, p.num_perm, p.recall_target)
        return {"bands": bands, "rows": rows, "num_perm": p.num_perm, "threshold": p.threshold,
                "recall_target": p.recall_target, "verify": p.verify, "keep": p.keep,
                "s_curve": {f"{j:g}": round(value, 4)
                            for j, value in s_curve(bands, rows, p.threshold).items()}}

    def setup(self) -> None:
        p = self.params
        self.bands, self.rows = banding(p.threshold, p.num_perm, p.recall_target)
        self.a, self.b = affine32_permutations(p.num_perm, p.seed)
        # one small batch signed now: the shingle tables and compiled loops are loaded before
        # a local pool forks its workers, not in each of them
        self.sign(pa.record_batch({TEXT: pa.array(["a b, c 中文"], pa.large_string())}))

    def sign(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        hashes, parents = shingle_hashes(batch.column(TEXT), self.params.shingles, self.params.ngram,
                                         self.params.char_ngram)
        signatures = minhash(hashes, parents, batch.num_rows, self.a, self.b)
        flat = pa.array(signatures.ravel(), pa.uint32())
        keys = {SIGNATURE: pa.FixedSizeListArray.from_arrays(flat, self.params.num_perm),
                LENGTH: pc.utf8_length(batch.column(TEXT))}
        if self.params.verify == "exact":
            # 4 B per shingle on disk, read back only for documents in a candidate pair
            keys[SHINGLES] = shingle_lists(hashes, parents, batch.num_rows)
        return keys

    def resolve(self, keys: Keys, stats: FilterStats, workdir: Path) -> None:
        """Three passes over the key files, each mapped over the executor's workers; memory is
        bounded by one band partition, one verification job and, on the driver, the candidate
        pairs and their documents' ids: no worker or driver ever holds every signature, and the
        driver holds no signature or shingle set at all.

        1. each key file's band keys are spread to `partitions` files by key hash (a shuffle);
        2. each partition alone is sorted into buckets: every member is paired with the
           bucket's first document (earliest input order) and the one before it;
        3. each key file writes the signatures (and with `verify: exact` the shingle lists) of
           its documents that are in a pair to member files (`filters.minhash_verify`); the
           pairs are verified there in jobs, and `star_clusters` decides which documents go,
           each against a kept document it is verified against.

        The decision is written as one decision file per key file (`keys.decisions`): every
        member of a cluster gets `dup_cluster`, removed ones `duplicate_of` and a reason.
        """
        started = time.perf_counter()
        workdir.mkdir(parents=True, exist_ok=True)
        sources = list(keys.files)
        earlier = self._earlier_versions(stats, workdir / "earlier.parquet")
        if earlier is not None:
            sources.insert(0, earlier)
        first, second, nodes = self._candidates(sources, keys.map, workdir, stats)
        members = self._members(sources, keys.map, nodes, workdir)
        stats.count("pairs", "candidates", len(first))
        check = None
        if self.params.verify != "none":
            def check(a: np.ndarray, b: np.ndarray) -> np.ndarray:
                return members.similarity(a, b) >= self.params.threshold

            similar = check(first, second)
            stats.count("pairs", "rejected_by_verification", int((~similar).sum()))
            first, second = first[similar], second[similar]
        stats.count("pairs", "duplicates", len(first))
        leader = star_clusters(first, second, members.order, members.lengths, self.params.keep, check, stats)
        if self.params.verify == "exact":
            stats.count("pairs", "compared_on_shingles", members.check.on_shingles)
        rows, kept = _cluster_stats(leader, members, first, second, self.params.max_cluster_size, stats)
        members.check.release()
        _write_decisions(keys.decisions, members, rows, kept, 0 if earlier is None else 1)
        stats.info.update(partitions=self.params.partitions,
                          resolve_seconds=round(time.perf_counter() - started, 1))

    def _candidates(self, sources: list[Path], map_: Callable, workdir: Path, stats: FilterStats
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of documents that share a band bucket, as (later, earlier) indexes into the
        sorted ORDERs of the documents in a pair (the third array)."""
        shape = (self.bands, self.rows, self.params.partitions, self.params.num_perm)
        map_(_spread_bands, [(number, path, workdir, shape) for number, path in enumerate(sources)])
        parts = [(part, workdir) for part in range(self.params.partitions)]
        found = map_(_partition_pairs, parts)
        map_(_drop_partition, parts)
        stats.info["largest_partition_rows"] = max((rows for _, _, rows in found), default=0)
        later = np.concatenate([_empty(), *(pairs for pairs, _, _ in found)])
        earlier_ = np.concatenate([_empty(), *(pairs for _, pairs, _ in found)])
        del found
        nodes = np.unique(np.concatenate([later, earlier_]))
        # one 64-bit key per pair (two indexes below 2^32): a 1-D unique, not a row-wise one
        packed = (np.searchsorted(nodes, later).astype(np.uint64) << np.uint64(32)) | \
            np.searchsorted(nodes, earlier_).astype(np.uint64)
        del later, earlier_
        packed = np.unique(packed)
        return ((packed >> np.uint64(32)).astype(np.int64), (packed & np.uint64(0xFFFFFFFF)).astype(np.int64),
                nodes)

    def _members(self, sources: list[Path], map_: Callable, nodes: np.ndarray, workdir: Path) -> Members:
        """The documents in `nodes` (sorted ORDERs), their rows written to member files."""
        np.save(workdir / NODES, nodes)
        jobs = [(number, path, workdir, self.params.num_perm, self.params.verify == "exact")
                for number, path in enumerate(sources)]
        parts = map_(store_members, jobs)
        counts = [0 if part is None else part.num_rows for part in parts]
        starts = np.zeros(len(parts) + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        how = Verification(MemberFiles(workdir, starts, self.params.num_perm), self.params.verify == "exact",
                           agreement_floor(self.params.threshold, self.params.num_perm))
        check = PairCheck(map_, how)
        found = [part for part in parts if part is not None]
        if not found:
            return Members(_empty(), pa.array([], pa.string()), _empty(), np.zeros(0, np.int32), _empty(),
                           check)
        table = pa.concat_tables(found)
        del parts, found
        # member files hold rows in key-file order: `rows` maps a member (ORDER rank) to its own
        order = table.column(ORDER).to_numpy()
        ranking = np.argsort(order, kind="stable")
        source = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
        return Members(order[ranking], table.column(ID).combine_chunks().take(pa.array(ranking)),
                       table.column(LENGTH).to_numpy()[ranking], source[ranking], ranking, check)

    def write_index(self, keys: Keys, folder: Path) -> None:
        """The signatures (and with `verify: exact` the shingle lists) of the documents this
        version keeps, for `against` in later runs: one file per key file, written on the workers."""
        folder.mkdir(parents=True, exist_ok=True)
        schema = self._index_schema()
        keys.map(_write_index_part, [(path, decision, folder / f"minhash-{number:05d}.parquet", schema)
                                     for number, (path, decision) in enumerate(zip(keys.files, keys.decisions,
                                                                                   strict=True))])

    def _index_schema(self) -> pa.Schema:
        """The columns of `index/` (shingle lists only with `verify: exact`), with the settings
        that must match for two versions' signatures to be comparable."""
        fields = [(ID, pa.string()), (SIGNATURE, pa.list_(pa.uint32(), self.params.num_perm)),
                  (LENGTH, pa.int64())]
        if self.params.verify == "exact":
            fields.append((SHINGLES, pa.large_list(pa.uint32())))
        return pa.schema(fields, metadata={b"corpus.minhash": json.dumps(self._index_settings()).encode()})

    def _index_settings(self) -> dict[str, int | str]:
        return {"num_perm": self.params.num_perm, "seed": self.params.seed, "ngram": self.params.ngram,
                "char_ngram": self.params.char_ngram, "shingles": self.params.shingles,
                "shingle_scheme": SHINGLE_SCHEME}

    def _earlier_versions(self, stats: FilterStats, target: Path) -> Path | None:
        """The documents of the versions in `against`, ordered before every new document, as one
        key file at `target` (streamed batch by batch); None without `against`."""
        if not self.params.against:
            return None
        schema = self._index_schema()
        wanted = self._index_settings()
        with pq.ParquetWriter(target, pa.schema([(ORDER, pa.int64()), *schema])) as writer:
            for position, ref in enumerate(self.params.against):
                store, version = parse_ref(ref)
                folder = store.version_path(version) / "index"
                files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
                if not files:
                    raise UserError(f"{ref} has no minhash index (index/); run it with minhash_dedup first")
                # earlier versions come first in input order, so they are never the copy removed
                first = -(len(self.params.against) - position) * EARLIER_SPAN
                order = first
                for path in files:
                    found = pq.read_schema(path)
                    settings = json.loads((found.metadata or {}).get(b"corpus.minhash", b"{}"))
                    if settings != wanted:
                        raise UserError(f"{ref} was deduplicated with {settings}, this run uses {wanted}")
                    if SHINGLES in schema.names and SHINGLES not in found.names:
                        raise UserError(f"{ref} has no shingle sets in its minhash index (it was "
                                        f"deduplicated with verify: signature or none); set verify: "
                                        f"signature to use it")
                    for batch in pq.ParquetFile(path).iter_batches(batch_size=KEY_BATCH_ROWS,
                                                                   columns=schema.names):
                        orders = pa.array(np.arange(order, order + batch.num_rows, dtype=np.int64))
                        columns = [batch.column(name).cast(schema.field(name).type) for name in schema.names]
                        writer.write_batch(pa.record_batch([orders, *columns], schema=writer.schema))
                        order += batch.num_rows
                stats.count("against", ref, order - first)
        return target


@dataclass
class Members:
    """The documents in a candidate pair, sorted by ORDER: their ids, lengths and the key file
    (`source`) each came from; member i is row `rows[i]` of the member files `check` reads."""

    order: np.ndarray
    ids: pa.StringArray
    lengths: np.ndarray
    source: np.ndarray
    rows: np.ndarray
    check: PairCheck

    def similarity(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Each pair's similarity, computed on the workers: exact Jaccard with `verify: exact`
        (for pairs whose signatures reach the agreement floor), else the signatures' agreement."""
        return self.check(self.rows[first], self.rows[second])


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


# lz4 shrinks band files by a quarter (the owners' ORDER column compresses) for 0.3 us a document
BAND_OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4")


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
                    sinks[part] = pa.ipc.new_file(str(target), BAND_SCHEMA, options=BAND_OPTIONS)
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
    return later, earlier, table.num_rows


def _drop_partition(job: tuple[int, Path]) -> None:
    """After every partition's pairs are in: its band files go. Not in `_partition_pairs`
    itself, whose retry (a worker reported lost that had in fact finished) must find them."""
    part, workdir = job
    for path in workdir.glob(f"bands-{part:05d}-*.arrow"):
        path.unlink(missing_ok=True)


def _write_index_part(job: tuple[Path, Path, Path, pa.Schema]) -> None:
    """Map step of `write_index`: the kept documents of one key file. The hash columns are
    stored plain (random 32-bit values: compression and dictionaries only cost time)."""
    path, decision, target, schema = job
    plain = [name for name in schema.names if name in (SIGNATURE, SHINGLES)]
    decisions = DecisionReader([decision])
    with pq.ParquetWriter(target, schema, compression={name: "none" if name in plain else "zstd"
                                                       for name in schema.names},
                          use_dictionary=[name for name in schema.names if name not in plain]) as writer:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=KEY_BATCH_ROWS,
                                                       columns=[ORDER, *schema.names]):
            kept = pc.is_null(decisions.take(batch.column(ORDER)).column(REASON))
            rows = batch.filter(kept.combine_chunks())
            writer.write_batch(pa.record_batch([rows.column(name).cast(schema.field(name).type)
                                                for name in schema.names], schema=schema))
    decisions.close()


def bucket_pairs(keys: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(member, earlier member) ORDER pairs for every bucket of equal keys: each member with the
    bucket's earliest document and with the one just before it. The second edge matters once
    pairs are verified: when the earliest document only shares the bucket by chance, the
    duplicates behind it still meet each other."""
    if not len(keys):
        return _empty(), _empty()
    ranking = np.lexsort((order, keys))
    keys, order = keys[ranking], order[ranking]
    starts = np.r_[True, keys[1:] != keys[:-1]]
    leader = order[np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))]
    members = ~starts & (order != leader)
    previous = np.r_[order[:1], order[:-1]]
    chained = members & (previous != leader) & (previous != order)
    return (np.concatenate([order[members], order[chained]]),
            np.concatenate([leader[members], previous[chained]]))


def banding(threshold: float, num_perm: int, recall_target: float) -> tuple[int, int]:
    """Bands x rows (at most `num_perm` values) under which a pair at exactly `threshold` becomes a
    candidate with probability `recall_target` or more, with the fewest candidates below the
    threshold (the S-curve's area under it). When no choice reaches the target, the one that
    comes closest (`Params` refuses it)."""
    grid = np.linspace(0.0, threshold, 201)
    best: tuple[float, float, int, int] | None = None
    for rows in range(1, num_perm + 1):
        if threshold >= 1.0:
            bands = 1
        else:
            miss = 1.0 - threshold ** rows
            bands = math.ceil(math.log1p(-recall_target) / math.log(miss)) if miss < 1.0 else num_perm + 1
        bands = max(1, min(bands, num_perm // rows))
        shortfall = max(0.0, recall_target - candidate_probability(threshold, bands, rows))
        area = float(np.mean(1.0 - (1.0 - grid ** rows) ** bands)) * threshold
        choice = (shortfall, area, bands, rows)
        if best is None or choice < best:
            best = choice
    return best[2], best[3]


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """The chance that a pair with this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard ** rows) ** bands


def s_curve(bands: int, rows: int, threshold: float) -> dict[float, float]:
    """Candidate probability at Jaccard 0.5 ... 1.0 and at the threshold."""
    return {j: candidate_probability(j, bands, rows) for j in sorted({*S_CURVE, threshold})}


def star_clusters(first: np.ndarray, second: np.ndarray, order: np.ndarray, lengths: np.ndarray, keep: str,
                  check: Callable[[np.ndarray, np.ndarray], np.ndarray] | None, stats: FilterStats
                  ) -> np.ndarray:
    """Which document each member is a duplicate of: `leader[i]` is i for a kept member, else the
    kept member it was verified against. Members are rows sorted by ORDER; (first, second) are
    verified pairs.

    Members are ranked (earlier versions first, then input order, or length with `keep:
    longest`) and taken greedily: a member is removed if a verified pair joins it to a kept
    member ranked before it, else kept. So every removed document has Jaccard >= threshold with
    the document it points at, and two members of one cluster are within 2 x (1 - threshold)
    of each other in Jaccard distance: a chain A~B~C keeps C when C is not similar to A.
    Connected components would merge whole chains (templated pages, generated text). A member
    kept beside a removed one is then compared with that one's kept document, which LSH may
    not have paired it with (`check`, up to LEADER_ROUNDS rounds); each round adds pairs.
    """
    count = len(order)
    earlier = order < 0  # delivered already: they lead, whatever they resemble
    if keep == "longest":
        ranking = np.lexsort((np.arange(count), -lengths, ~earlier))
    else:
        ranking = np.lexsort((np.arange(count), ~earlier))
    rank = np.empty(count, dtype=np.int64)
    rank[ranking] = np.arange(count)
    for _ in range(LEADER_ROUNDS):
        leader = _greedy(first, second, rank, ranking, earlier)
        if check is None:
            return leader
        low, high = _by_rank(first, second, rank)
        known = set((low * count + high).tolist())
        removed_low = leader[low] != low
        removed_high = leader[high] != high
        # the kept document of the removed member of each pair, against the other (kept) member
        heads = np.where(removed_low, leader[low], leader[high])
        others = np.where(removed_low, high, low)
        chosen = (removed_low != removed_high) & (leader[others] == others) & (heads != others)
        a, b = _by_rank(heads[chosen], others[chosen], rank)
        fresh = np.unique(a * count + b)
        fresh = fresh[[value not in known for value in fresh.tolist()]]
        if not len(fresh):
            return leader
        a, b = fresh // count, fresh % count
        stats.count("pairs", "leader_checks", len(a))
        similar = check(a, b)
        if not similar.any():
            return leader
        stats.count("pairs", "duplicates_of_leaders", int(similar.sum()))
        first, second = np.concatenate([first, a[similar]]), np.concatenate([second, b[similar]])
    return _greedy(first, second, rank, ranking, earlier)


def _by_rank(first: np.ndarray, second: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pair as (better ranked, worse ranked)."""
    swap = rank[first] > rank[second]
    return np.where(swap, second, first), np.where(swap, first, second)


def _greedy(first: np.ndarray, second: np.ndarray, rank: np.ndarray, ranking: np.ndarray,
            earlier: np.ndarray) -> np.ndarray:
    """The greedy decision in rank order, computed in rounds over the pairs: a member whose
    better-ranked neighbours are all decided is decided. Each round settles at least the best
    undecided member of every component."""
    count = len(rank)
    undecided, kept, removed = 0, 1, 2
    state = np.where(earlier, kept, undecided).astype(np.int8)
    leader = np.arange(count, dtype=np.int64)
    low, high = _by_rank(first, second, rank)
    while True:
        active = state[high] == undecided
        low, high = low[active], high[active]
        if not (state == undecided).any():
            return leader
        beside_kept = state[low] == kept
        best = np.full(count, count, dtype=np.int64)
        np.minimum.at(best, high[beside_kept], rank[low[beside_kept]])
        waiting = np.zeros(count, dtype=bool)
        waiting[high[state[low] == undecided]] = True
        going = (state == undecided) & (best < count)
        staying = (state == undecided) & ~going & ~waiting
        leader[going] = ranking[best[going]]
        state[going], state[staying] = removed, kept


def _cluster_stats(leader: np.ndarray, members: Members, first: np.ndarray, second: np.ndarray,
                   max_size: int, stats: FilterStats) -> tuple[np.ndarray, np.ndarray]:
    """Count the clusters (a kept document and those removed against it) and list the largest
    with two members each and their similarity to the kept one. Returns (rows of the new
    documents in a cluster, ascending; the row of each one's kept document)."""
    gone = np.flatnonzero(leader != np.arange(len(leader)))
    heads, removed_count = np.unique(leader[gone], return_counts=True)
    sizes = removed_count + 1
    empty = Histogram(edges=[float(edge) for edge in CLUSTER_EDGES])
    stats.histograms.setdefault("cluster_size", empty).add(sizes)
    stats.count("clusters", "count", len(sizes))
    stats.count("clusters", "documents", int(sizes.sum()))
    stats.count("clusters", "largest", int(sizes.max()) if len(sizes) else 0)
    stats.count("clusters", "above_max_size", int((sizes > max_size).sum()))
    # a chain broken: kept, though verified similar to a document removed against another
    linked = np.zeros(len(leader), dtype=bool)
    for one, other in ((first, second), (second, first)):
        linked[one[(leader[other] != other) & (leader[other] != one)]] = True
    standing = linked & (leader == np.arange(len(leader)))
    stats.count("clusters", "kept_beside_a_removed_duplicate", int(standing.sum()))
    if len(sizes):
        _largest(leader, gone, heads, sizes, members, stats)
    rows = np.union1d(gone, heads)
    new = members.order[rows] >= 0
    return rows[new], leader[rows][new]


def _largest(leader: np.ndarray, gone: np.ndarray, heads: np.ndarray, sizes: np.ndarray, members: Members,
             stats: FilterStats) -> None:
    """The LARGEST_SHOWN largest clusters: the kept document <- two removed members, with the size
    and each member's similarity to the kept document.

    Documents are named by input position (`input:offset`, the manifest's inputs in order), not
    by id: statistics keys must never carry data, and ids are often emails or phone numbers."""
    top = np.lexsort((heads, -sizes))[:LARGEST_SHOWN]
    by_head = gone[np.argsort(leader[gone], kind="stable")]
    starts = np.searchsorted(leader[by_head], heads[top])
    for head, size, start in zip(heads[top].tolist(), sizes[top].tolist(), starts.tolist(), strict=True):
        samples = by_head[start:start + min(2, size - 1)]
        similarity = members.similarity(samples, np.full(len(samples), head))
        names = ", ".join(_position(int(members.order[row])) for row in samples)
        key = f"{_position(int(members.order[head]))} <- {names}"
        stats.count("largest_clusters.size", key, size)
        for number, value in enumerate(similarity.tolist(), start=1):
            stats.count(f"largest_clusters.jaccard_{number}", key, round(value, 3))


def _position(order: int) -> str:
    """A document's place in the input as `input:offset`; `earlier` for an `against` version's."""
    if order < 0:
        return "earlier"
    return f"{order >> ORDER_SHIFT}:{order & ((1 << ORDER_SHIFT) - 1)}"


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)

"""minhash_dedup decides on exact Jaccard, bands for recall and never merges a chain."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from conftest import corpus_cli, pair_signatures, read_rows, run, write_jsonl
from pydantic import ValidationError

from corpus.errors import UserError
from corpus.stats import FilterStats
from filters.minhash_dedup import (
    MinHashDedup,
    band_keys,
    banding,
    candidate_probability,
    star_clusters,
)
from filters.shingles import shingle_hashes

LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def words(count: int, seed: int) -> list[str]:
    """`count` distinct lower-case words (no digits: normalisation folds every digit to 0)."""
    rng = np.random.default_rng(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        found["".join(rng.choice(LETTERS, size=7))] = None
    return list(found)


def tail_replaced(base: list[str], k: int, seed: int) -> str:
    """`base` with its last k words replaced by new ones: with n words, word 5-gram Jaccard
    (n - 4 - k) / (n - 4 + k) against `base`."""
    return " ".join(base[:len(base) - k] + words(k, seed))


def test_the_decision_is_exact_jaccard_just_above_and_below_the_threshold(tmp_path):
    # 100 distinct words, 96 shingles; the last k replaced: J = (96 - k) / (96 + k)
    above, below = words(100, 1), words(100, 2)
    docs = [{"id": "above", "text": " ".join(above)},
            {"id": "above-copy", "text": tail_replaced(above, 10, 3)},   # 86/106 = 0.8113
            {"id": "below", "text": " ".join(below)},
            {"id": "below-copy", "text": tail_replaced(below, 11, 4)}]   # 85/107 = 0.7944
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", docs)], [{"minhash_dedup": {}}])
    removed = {row["id"]: row["duplicate_of"] for row in read_rows(summary.path / "rejects")}
    assert removed == {"above-copy": "above"}
    kept = {row["id"]: row["dup_cluster"] for row in read_rows(summary.path / "data")}
    assert kept == {"above": "above", "below": None, "below-copy": None}
    entry = summary.stats["filters"][0]
    assert entry["info"]["verify"] == "exact"
    assert entry["counters"]["pairs"]["rejected_by_verification"] >= 1  # below-copy was a candidate
    # the largest cluster, exactly, with its member's exact Jaccard in the report's table
    assert entry["counters"]["clusters"]["largest"] == 2
    # named by input position (input:byte offset), never by id: ids may hold personal data
    second = f"0:{len(json.dumps(docs[0], ensure_ascii=False).encode()) + 1}"
    assert entry["counters"]["largest_clusters.size"] == {f"0:0 <- {second}": 2}
    assert entry["counters"]["largest_clusters.jaccard_1"] == {f"0:0 <- {second}": round(86 / 106, 3)}


def test_character_shingles_are_verified_exactly_too(tmp_path):
    rng = np.random.default_rng(5)
    hangul = [chr(code) for code in rng.integers(0xAC00, 0xD7A4, size=200)]
    base = "".join(hangul[:100])
    # 100 characters, 96 character 5-grams; the last 10 replaced: 86/106 above 0.8
    docs = [{"id": "ko", "text": base}, {"id": "ko-copy", "text": base[:90] + "".join(hangul[100:110])},
            {"id": "ko-far", "text": base[:89] + "".join(hangul[110:121])}]  # 85/107 below
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", docs)], [{"minhash_dedup": {}}])
    removed = {row["id"]: row["duplicate_of"] for row in read_rows(summary.path / "rejects")}
    assert removed == {"ko-copy": "ko"}


def test_signature_verification_estimates_and_none_takes_every_candidate(tmp_path):
    base = words(100, 6)
    docs = [{"id": "a", "text": " ".join(base)}, {"id": "b", "text": tail_replaced(base, 30, 7)}]  # 66/126
    source = write_jsonl(tmp_path / "in.jsonl", docs)
    results = {}
    for verify in ("exact", "signature", "none"):
        summary = run(tmp_path / verify, [source], [{"minhash_dedup": {"threshold": 0.5, "verify": verify}}])
        results[verify] = {row["id"] for row in read_rows(summary.path / "rejects")}
        assert summary.stats["filters"][0]["info"]["verify"] == verify
    assert results["exact"] == results["none"] == {"b"}  # 0.524 >= 0.5, and a candidate
    assert results["signature"] <= {"b"}  # an estimate: either side of 0.5


def test_a_chain_keeps_the_document_that_is_not_similar_to_the_kept_one(tmp_path):
    # A, B, C: 100-word windows 8 words apart. J(A,B) = J(B,C) = 88/104 = 0.846, J(A,C) = 80/112 = 0.714
    pool = words(116, 8)
    docs = [{"id": name, "text": " ".join(pool[start:start + 100])}
            for name, start in (("A", 0), ("B", 8), ("C", 16))]
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", docs)], [{"minhash_dedup": {}}])
    assert {row["id"]: row["duplicate_of"] for row in read_rows(summary.path / "rejects")} == {"B": "A"}
    kept = {row["id"]: row["dup_cluster"] for row in read_rows(summary.path / "data")}
    assert kept == {"A": "A", "C": None}
    counters = summary.stats["filters"][0]["counters"]
    assert counters["clusters"]["kept_beside_a_removed_duplicate"] == 1
    assert counters["clusters"]["largest"] == 2


def test_star_clusters_compares_a_document_left_standing_with_the_kept_one():
    order = np.arange(3, dtype=np.int64)
    lengths = np.full(3, 10)
    # verified pairs A~B and B~C only (LSH never paired A with C)
    first, second = np.array([1, 2]), np.array([0, 1])
    asked = []

    def similar_to_a(a, b):
        asked.append(sorted(zip(a.tolist(), b.tolist(), strict=True)))
        return np.ones(len(a), dtype=bool)

    stats = FilterStats("m")
    assert star_clusters(first, second, order, lengths, "first", similar_to_a, stats).tolist() == [0, 0, 0]
    assert asked == [[(0, 2)]] and stats.counters["pairs"]["duplicates_of_leaders"] == 1
    unlike = star_clusters(first, second, order, lengths, "first", lambda a, b: np.zeros(len(a), bool),
                           FilterStats("m"))
    assert unlike.tolist() == [0, 0, 2]
    # keep: longest ranks C first: B goes against C, A (not similar to C) stays
    longest = star_clusters(first, second, order, np.array([5, 7, 9]), "longest",
                            lambda a, b: np.zeros(len(a), bool), FilterStats("m"))
    assert longest.tolist() == [0, 2, 2]
    # a long path of pairs decides every other document, however long the chain
    path = np.arange(1, 1001)
    chain = star_clusters(path, path - 1, np.arange(1001), np.full(1001, 10), "first", None, FilterStats("m"))
    assert chain[::2].tolist() == list(range(0, 1001, 2)) and chain[1::2].tolist() == list(range(0, 1000, 2))


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_the_s_curve_meets_recall_target(threshold, num_perm):
    bands, rows = banding(threshold, num_perm, 0.99)
    assert bands * rows <= num_perm
    assert candidate_probability(threshold, bands, rows) >= 0.99
    # no band more than the target needs: each band adds candidates below the threshold
    assert bands == 1 or candidate_probability(threshold, bands - 1, rows) < 0.99


def test_pairs_at_the_threshold_become_candidates_on_real_signatures():
    """400 pairs of shingle sets with Jaccard exactly 0.8 through the real signing and band keys."""
    flt = MinHashDedup()
    flt.setup()
    rng = np.random.default_rng(9)
    shared, own = 160, 20  # |A & B| = 160, |A | B| = 200
    signatures = pair_signatures(flt, rng, shared, own, 400)
    keys = band_keys(signatures, flt.bands, flt.rows).reshape(flt.bands, 800)
    found = (keys[:, 0::2] == keys[:, 1::2]).any(axis=0).mean()
    assert found >= 0.97, (flt.bands, flt.rows, found)


def test_an_unreachable_recall_target_is_a_config_error():
    reason = "recall_target 0.9999 is out of reach with num_perm 16 at threshold 0.1"
    with pytest.raises(ValidationError, match=reason):
        MinHashDedup.Params(threshold=0.1, num_perm=16, recall_target=0.9999)


def test_against_uses_exact_verification_for_delivered_documents(tmp_path):
    first_words, second_words = words(100, 10), words(100, 11)
    delivered = [{"id": "one", "text": " ".join(first_words)}, {"id": "two", "text": " ".join(second_words)}]
    first = run(tmp_path, [write_jsonl(tmp_path / "v1.jsonl", delivered)], [{"minhash_dedup": {}}])
    fresh = [{"id": "near-one", "text": tail_replaced(first_words, 10, 12)},    # 0.811 against "one"
             {"id": "far-two", "text": tail_replaced(second_words, 11, 13)}]   # 0.794 against "two"
    second = run(tmp_path, [write_jsonl(tmp_path / "v2.jsonl", fresh)],
                 [{"minhash_dedup": {"against": [f"{first.path.parent}@{first.version}"]}}])
    removed = {row["id"]: row["duplicate_of"] for row in read_rows(second.path / "rejects")}
    assert removed == {"near-one": "one"}
    assert [row["id"] for row in read_rows(second.path / "data")] == ["far-two"]


def test_against_an_index_without_shingle_sets_needs_signature_verification(tmp_path):
    base = words(100, 14)
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": " ".join(base)}])
    cheap = run(tmp_path, [source], [{"minhash_dedup": {"verify": "signature"}}])
    ref = f"{cheap.path.parent}@{cheap.version}"
    with pytest.raises(UserError, match="has no shingle sets in its minhash index"):
        run(tmp_path, [source], [{"minhash_dedup": {"against": [ref]}}])
    again = run(tmp_path, [source], [{"minhash_dedup": {"verify": "signature", "against": [ref]}}])
    assert again.counts["kept"] == 0


def test_keys_carry_shingle_lists_only_for_exact_verification():
    text = pa.array([" ".join(words(20, 15)), "", " ".join(words(3, 16))], pa.large_string())
    batch = pa.record_batch([text], names=["text"])
    for verify, present in (("exact", True), ("signature", False)):
        flt = MinHashDedup(MinHashDedup.Params(verify=verify))
        flt.setup()
        keys = flt.sign(batch)
        assert ("shingles" in keys) is present
    flt = MinHashDedup()
    flt.setup()
    # 20 words: 16 word 5-grams; no words: none; 3 words: one shingle of all three
    lists = flt.sign(batch)["shingles"].to_pylist()
    assert [len(item) for item in lists] == [16, 0, 1]
    hashes, _ = shingle_hashes(text, "auto", 5, 5)
    assert sorted(value for item in lists for value in item) == sorted(hashes.tolist())


def test_corpus_filters_prints_the_s_curve():
    result = corpus_cli("filters", "minhash_dedup", check=True)
    assert "16 bands x 6 rows" in result.stdout
    assert "0.8: 0.992" in result.stdout


def test_stats_record_the_banding_and_the_curve(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": " ".join(words(30, 17))}])
    summary = run(tmp_path, [source], [{"minhash_dedup": {"threshold": 0.7}}])
    info = json.loads((summary.path / "stats.json").read_text())["filters"][0]["info"]
    assert (info["bands"], info["rows"]) == banding(0.7, 128, 0.99)
    assert info["s_curve"]["0.7"] >= 0.99 and set(info["s_curve"]) >= {"0.5", "0.8", "1"}

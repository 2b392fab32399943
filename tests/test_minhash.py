"""minhash_dedup: datasketch-identical signatures, LSH, clusters, keep rules, CJK shingles, verification."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import regex
from conftest import pair_signatures, read_rows, run, write_jsonl
from datasketch import MinHash

from filters import minhash_dedup, minhash_verify
from filters.base import serial_map
from filters.minhash_dedup import MinHashDedup, candidate_probability, minhash
from filters.minhash_verify import agreement_floor
from filters.shingles import set_jaccard, shingle_hashes, shingle_sets

WORDS = ["river", "town", "bridge", "people", "evening", "walk", "old", "new", "light", "rain", "market",
         "street", "house", "garden", "school", "music", "water", "stone", "window", "morning", "summer",
         "winter", "letter", "table"]


def prose(rng: random.Random, words: int = 120) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def edit(rng: random.Random, text: str, changes: int) -> str:
    tokens = text.split()
    for _ in range(changes):
        tokens[rng.randrange(len(tokens))] = rng.choice(WORDS).upper()
    return " ".join(tokens)


def test_signatures_are_identical_to_datasketch_affine32():
    flt = MinHashDedup()
    flt.setup()
    hashes = np.random.default_rng(3).integers(0, 2**32, size=500, dtype=np.uint64).astype(np.uint32)
    parents = np.repeat(np.arange(5), 100)
    ours = minhash(hashes, parents, 5, flt.a, flt.b, chunk=64)
    for row in range(5):
        reference = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=lambda value: value)
        reference.update_batch(hashes[row * 100:(row + 1) * 100].tolist())
        assert np.array_equal(ours[row], reference.hashvalues.astype(np.uint32))


def test_jaccard_estimates_match_datasketch_within_sampling_error():
    """Same shingle sets: our estimate (xxh3 shingles) vs datasketch's default (sha1 of strings)."""
    rng = random.Random(5)
    flt = MinHashDedup(MinHashDedup.Params(num_perm=256))
    flt.setup()
    for changes in (2, 10, 25, 50):
        a = prose(rng, 150)
        b = edit(rng, a, changes)
        shingles = [{" ".join(t.lower().split()[i:i + 5]) for i in range(len(t.split()) - 4)} for t in (a, b)]
        truth = len(shingles[0] & shingles[1]) / len(shingles[0] | shingles[1])
        hashes, parents = shingle_hashes(pa.array([a, b], pa.large_string()), "word", 5, 5)
        ours = minhash(hashes, parents, 2, flt.a, flt.b)
        estimate = float((ours[0] == ours[1]).mean())
        reference = [MinHash(num_perm=256, seed=1) for _ in range(2)]
        for sketch, items in zip(reference, shingles, strict=True):
            sketch.update_batch([item.encode() for item in items])
        theirs = reference[0].jaccard(reference[1])
        error = 4 * np.sqrt(truth * (1 - truth) / 256) + 0.02
        assert abs(estimate - truth) <= error and abs(estimate - theirs) <= 2 * error, (
            changes, truth, estimate, theirs)


def test_bands_and_rows_put_a_pair_at_the_threshold_in_a_candidate_at_recall_target():
    flt = MinHashDedup(MinHashDedup.Params(threshold=0.7, num_perm=128))
    flt.setup()
    assert flt.bands * flt.rows <= 128
    assert candidate_probability(0.7, flt.bands, flt.rows) >= 0.99


def test_chinese_uses_character_shingles():
    base = "这是一个关于河流和城镇的中文句子，人们每天晚上都沿着河边散步，看着夕阳慢慢落下，心情非常平静。"
    near = base.replace("平静", "安静")
    hashes, parents = shingle_hashes(pa.array([base, near], pa.large_string()), "auto", 5, 5)
    assert np.bincount(parents).min() > 20  # character 5-grams, not one "word" per sentence
    flt = MinHashDedup()
    flt.setup()
    signatures = minhash(hashes, parents, 2, flt.a, flt.b)
    assert (signatures[0] == signatures[1]).mean() > 0.7


# A Korean manual page's paragraph: a third of its characters are Hangul, the rest option names,
# commands and spaces (the real pages' share of Han, Kana and Hangul runs from 0.3 to 0.6).
KOREAN_PAGE = ("ls 명령은 디렉터리의 내용을 나열합니다. 옵션 -a, --all 을 주면 . 으로 시작하는 항목도 "
               "보여 줍니다. -l 은 긴 목록 형식 (long listing format) 을 쓰고, -h, --human-readable 은 "
               "크기를 1K 234M 2G 처럼 읽기 쉽게 표시합니다. --color=auto 는 터미널일 때만 색을 씁니다. "
               "종료 상태: 0 은 정상, 1 은 작은 문제 (예: 하위 디렉터리에 접근할 수 없음), 2 는 심각한 "
               "문제 (예: 명령행 인자에 접근할 수 없음) 입니다. 자세한 내용은 info coreutils 'ls invocation' "
               "을 보십시오.")
HEADER = "Skip to main content | Home | Documentation | Manual pages | Search | Log in"
FOOTER = "Copyright the respective authors. Privacy policy | Terms of use | Contact"


def test_an_edit_that_lowers_the_cjk_share_leaves_a_near_duplicate(tmp_path):
    """A page with an English header and footer added: below 30 % Hangul the copy used to get
    word shingles and its source character shingles (Jaccard 0); one stream keeps them close."""
    copy = "\n\n".join([HEADER, KOREAN_PAGE, FOOTER])
    shares = [len(regex.findall(r"\p{Hangul}", text)) / len(text) for text in (KOREAN_PAGE, copy)]
    assert shares[0] >= 0.3 > shares[1]
    hashes, parents = shingle_hashes(pa.array([KOREAN_PAGE, copy], pa.large_string()), "auto", 5, 5)
    one, two = set(hashes[parents == 0].tolist()), set(hashes[parents == 1].tolist())
    assert len(one & two) / len(one | two) > 0.75
    docs = [{"id": "page", "text": KOREAN_PAGE}, {"id": "copy", "text": copy}]
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", docs)],
                  [{"minhash_dedup": {"threshold": 0.7}}])
    removed = [(row["id"], row["duplicate_of"]) for row in read_rows(summary.path / "rejects")]
    assert removed == [("copy", "page")]


def test_an_index_with_other_shingles_is_refused(tmp_path):
    """`against` an index of another shingle mode or an earlier shingle scheme: a clear error."""
    from corpus.errors import UserError

    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": KOREAN_PAGE}])
    by_word = run(tmp_path, [source], [{"minhash_dedup": {"shingles": "word"}}])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(minhash_dedup, "SHINGLE_SCHEME", 1)
        earlier = run(tmp_path, [source], [{"minhash_dedup": {}}])
    for version, differs in ((by_word, "'shingles': 'word'"), (earlier, "'shingle_scheme': 1")):
        ref = f"{version.path.parent}@{version.version}"
        with pytest.raises(UserError, match=f"was deduplicated with .*{differs}"):
            run(tmp_path, [source], [{"minhash_dedup": {"against": [ref]}}])


def records(seed: int = 1) -> tuple[list[dict], dict[str, str]]:
    """Originals, near copies and exact copies in several files' worth of order; copy -> source."""
    rng = random.Random(seed)
    docs, source_of = [], {}
    originals = [prose(rng) for _ in range(60)]
    for index, text in enumerate(originals):
        docs.append({"id": f"o{index}", "text": text})
    for index in range(0, 60, 3):
        docs.append({"id": f"n{index}", "text": edit(rng, originals[index], 1) + " extra words here"})
        source_of[f"n{index}"] = f"o{index}"
    for index in range(1, 60, 7):
        docs.append({"id": f"e{index}", "text": originals[index]})
        source_of[f"e{index}"] = f"o{index}"
    docs.append({"id": "empty-1", "text": "..."})
    docs.append({"id": "empty-2", "text": "!!!"})
    return docs, source_of


def test_near_and_exact_copies_are_removed_and_point_at_the_first(tmp_path):
    docs, source_of = records()
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", docs)],
                  [{"minhash_dedup": {"threshold": 0.7}}])
    kept = {row["id"]: row for row in read_rows(summary.path / "data")}
    removed = {row["id"]: row for row in read_rows(summary.path / "rejects")}
    assert set(removed) == set(source_of)
    for copy, source in source_of.items():
        assert removed[copy]["duplicate_of"] == source and removed[copy]["dup_cluster"] == source
        assert kept[source]["dup_cluster"] == source and kept[source]["duplicate_of"] is None
    assert kept["o2"]["dup_cluster"] is None
    assert "empty-1" in kept and "empty-2" in kept  # no shingles: never clustered together


def test_keep_longest_keeps_the_extended_copy(tmp_path):
    docs, source_of = records()
    summary = run(tmp_path, [write_jsonl(tmp_path / "in.jsonl", docs)],
                  [{"minhash_dedup": {"threshold": 0.7, "keep": "longest"}}])
    removed = {row["id"]: row["duplicate_of"] for row in read_rows(summary.path / "rejects")}
    assert removed["o0"] == "n0"  # n0 is o0 with one word changed plus three: the longest member


@pytest.mark.slow
def test_workers_and_single_process_find_the_same_clusters(tmp_path):
    docs, _ = records(seed=2)
    halves = [write_jsonl(tmp_path / "in" / f"{i}.jsonl", docs[i::2]) for i in range(2)]
    one = run(tmp_path / "one", halves, [{"minhash_dedup": {"threshold": 0.7}}])
    many = run(tmp_path / "many", halves, [{"minhash_dedup": {"threshold": 0.7}}], workers=2,
               input={"batch_rows": 16})
    pick = [(r["id"], r["dup_cluster"], r["duplicate_of"]) for r in read_rows(one.path / "rejects")]
    assert sorted(pick) == sorted((r["id"], r["dup_cluster"], r["duplicate_of"])
                                  for r in read_rows(many.path / "rejects"))
    assert one.stats["filters"][0]["counters"] == many.stats["filters"][0]["counters"]


def test_a_new_version_against_an_earlier_one_removes_what_was_already_delivered(tmp_path):
    docs, _ = records(seed=3)
    source = write_jsonl(tmp_path / "in.jsonl", docs)
    first = run(tmp_path, [source], [{"minhash_dedup": {"threshold": 0.7}}])
    delivered = {row["id"] for row in read_rows(first.path / "data")}
    index = first.path / "index"
    assert sorted(p.name for p in index.iterdir()) == ["part-00000.parquet"]
    manifest = __import__("json").loads((first.path / "manifest.json").read_text())
    assert manifest["shards"]["index"][0]["rows"] == len(delivered)
    fresh = [{"id": "brand-new", "text": prose(random.Random(99))}]
    extra = write_jsonl(tmp_path / "more.jsonl", fresh)
    second = run(tmp_path, [source, extra],
                 [{"minhash_dedup": {"threshold": 0.7, "keep": "longest",
                                     "against": [f"{first.path.parent}@{first.version}"]}}])
    # documents without a single word have no shingles: minhash never clusters them
    assert [row["id"] for row in read_rows(second.path / "data")] == ["empty-1", "empty-2", "brand-new"]
    removed = {row["id"]: row["duplicate_of"] for row in read_rows(second.path / "rejects")}
    assert set(removed) == {doc["id"] for doc in docs} - {"empty-1", "empty-2"}
    assert all(target in delivered for target in removed.values())
    assert removed["o1"] == "o1"  # the same document, delivered in the first version


def test_against_a_version_without_an_index_is_a_clear_error(tmp_path):
    from corpus.errors import UserError

    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "some words in a row here"}])
    plain = run(tmp_path, [source], [{"special_chars": {}}])
    with pytest.raises(UserError, match="has no minhash index"):
        run(tmp_path, [source], [{"minhash_dedup": {"against": [str(plain.path)]}}])


def test_resolution_does_not_depend_on_the_number_of_partitions(tmp_path):
    docs, source_of = records(seed=4)
    source = write_jsonl(tmp_path / "in.jsonl", docs)
    outcomes = []
    for partitions in (1, 7, 64):
        summary = run(tmp_path / str(partitions), [source],
                      [{"minhash_dedup": {"threshold": 0.7, "partitions": partitions}}],
                      input={"batch_rows": 10})
        outcomes.append(sorted((r["id"], r["duplicate_of"]) for r in read_rows(summary.path / "rejects")))
        assert summary.stats["filters"][0]["info"]["partitions"] == partitions
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert {doc_id for doc_id, _ in outcomes[0]} == set(source_of)


def key_file(path, flt: MinHashDedup, texts: list[str], first_order: int):
    """A key file as the executor writes it: ORDER, ID and the filter's keys."""
    batch = pa.record_batch([pa.array(texts, pa.large_string())], names=["text"])
    keys = flt.sign(batch)
    orders = pa.array(range(first_order, first_order + len(texts)), pa.int64())
    ids = pa.array([f"d{order}" for order in orders.to_pylist()])
    pq.write_table(pa.table({"__corpus_order": orders, "id": ids, **keys}), path)
    return path


def word_shingles(text: str) -> set[str]:
    tokens = text.split()
    return {" ".join(tokens[i:i + 5]) for i in range(len(tokens) - 4)}


def test_pairs_are_verified_on_the_workers_from_member_files(tmp_path):
    """Members of two key files: close pairs get their exact Jaccard, far pairs are rejected on
    their signatures without reading shingles; answers do not depend on the job size."""
    rng = random.Random(7)
    base, other = prose(rng, 150), prose(rng, 150)
    texts = [base, other, edit(rng, base, 3), edit(rng, base, 30), prose(rng, 150)]
    flt = MinHashDedup()
    flt.setup()
    files = [key_file(tmp_path / "k0.parquet", flt, texts[:2], 0),
             key_file(tmp_path / "k1.parquet", flt, texts[2:], 1 << 40)]
    nodes = np.array([0, 1, 1 << 40, (1 << 40) + 1, (1 << 40) + 2])
    (tmp_path / "work").mkdir()
    members = flt._members(files, serial_map, nodes, tmp_path / "work")
    assert members.source.tolist() == [0, 0, 1, 1, 1]
    first, second = np.array([2, 3, 4, 1]), np.array([0, 0, 0, 0])
    similarity = members.similarity(first, second)
    truth = [len(word_shingles(texts[a].lower()) & word_shingles(texts[b].lower()))
             / len(word_shingles(texts[a].lower()) | word_shingles(texts[b].lower()))
             for a, b in zip(first, second, strict=True)]
    assert similarity[0] == pytest.approx(truth[0]) and truth[0] > 0.8  # exact, not an estimate
    floor = agreement_floor(0.8, 128)
    assert (similarity[1:] < floor / 128).all() and max(truth[1:]) < 0.5
    assert members.check.on_shingles == 1  # only the close pair read its shingle lists
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(minhash_verify, "JOB_PAIRS", 1)
        assert np.array_equal(members.similarity(first, second), similarity)
    members.check.release()
    assert not list((tmp_path / "work").glob("members-*"))


def test_pairs_at_the_threshold_reach_the_agreement_floor():
    """2,000 pairs of sets with Jaccard exactly 0.8: the signature check keeps every one (a miss
    has probability 1e-6 each); pairs at 0.4 are nearly all rejected before their shingles."""
    flt = MinHashDedup()
    flt.setup()
    rng = np.random.default_rng(11)
    floor = agreement_floor(0.8, 128)
    for shared, own, kept in ((160, 20, 1.0), (80, 60, 0.0)):  # J = 160/200 = 0.8, 80/200 = 0.4
        signatures = pair_signatures(flt, rng, shared, own, 2000)
        agree = (signatures[0::2] == signatures[1::2]).sum(axis=1)
        assert (agree >= floor).mean() == pytest.approx(kept, abs=0.001)


def test_the_agreement_floor_is_scipys_binomial_quantile_without_importing_scipy():
    binom = pytest.importorskip("scipy.stats").binom
    for num_perm in (16, 64, 128, 256, 1024):
        for threshold in (i / 200 for i in range(1, 201)):
            assert agreement_floor(threshold, num_perm) == int(binom.ppf(minhash_verify.MISSED, num_perm,
                                                                        threshold)), (num_perm, threshold)
    code = ("import sys; from filters.minhash_verify import agreement_floor; agreement_floor(0.7, 128); "
            "print('scipy' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_set_jaccard_matches_python_sets():
    rng = np.random.default_rng(2)
    lists = [rng.integers(0, 300, size=rng.integers(0, 200)).astype(np.uint32) for _ in range(60)]
    offsets = np.r_[0, np.cumsum([len(item) for item in lists])]
    values, set_offsets = shingle_sets(np.concatenate(lists), offsets)
    first, second = rng.integers(0, 60, size=500), rng.integers(0, 60, size=500)
    ours = set_jaccard(values, set_offsets, first, second, chunk=256)
    for a, b, value in zip(first.tolist(), second.tolist(), ours.tolist(), strict=True):
        one, two = set(lists[a].tolist()), set(lists[b].tolist())
        assert value == (len(one & two) / len(one | two) if one | two else 0.0)


def test_a_partition_read_twice_gives_the_same_pairs(tmp_path):
    """A Ray worker reported lost after it had finished is given its partition again: the
    second read must find the band files (they go only once every partition is read)."""
    keys = np.array([7, 7, 7, 9, 9], dtype=np.uint64)
    owners = np.array([1, 2, 3, 4, 5], dtype=np.int64)
    schema = minhash_dedup.BAND_SCHEMA
    with pa.ipc.new_file(str(tmp_path / "bands-00000-000000.arrow"), schema) as sink:
        sink.write_batch(pa.record_batch([pa.array(keys), pa.array(owners)], schema=schema))
    first = minhash_dedup._partition_pairs((0, tmp_path))
    again = minhash_dedup._partition_pairs((0, tmp_path))
    assert first[2] == again[2] == 5 and len(first[0]) > 0
    for a, b in zip(first[:2], again[:2], strict=True):
        assert np.array_equal(a, b)
    minhash_dedup._drop_partition((0, tmp_path))
    assert not list(tmp_path.glob("bands-*"))

"""MinHash signing: the kernel against datasketch, n-grams and the token stream against their definitions."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import regex
import xxhash
from datasketch import MinHash

from corpus.errors import ConfigError
from filters.minhash_signing import affine32_permutations, minhash
from filters.shingles import _POSITION_WEIGHTS, CJK_SCRIPT, _cjk_table, _ngrams, normalise, shingle_hashes
from pipelines.config import validate_config

MASK = (1 << 64) - 1


@pytest.mark.parametrize(("num_perm", "seed"), [(16, 0), (128, 1), (256, 42), (1024, 2**31 + 5)])
def test_permutations_are_datasketch_affine32s(num_perm, seed):
    a, b = affine32_permutations(num_perm, seed)
    expected = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, expected[0]) and np.array_equal(b, expected[1])


@pytest.mark.parametrize("chunk", [7, 300, 1 << 13])
def test_signatures_match_datasketch_whatever_the_chunk(chunk):
    """Documents of very different sizes, some split across chunks, one without shingles."""
    rng = np.random.default_rng(11)
    sizes = [1, 0, 450, 3, 1200, 0, 17]
    hashes = rng.integers(0, 2**32, size=sum(sizes), dtype=np.uint64).astype(np.uint32)
    parents = np.repeat(np.arange(len(sizes)), sizes)
    permutations = MinHash(num_perm=64, seed=5, scheme="affine32").permutations
    a, b = (np.asarray(values, np.uint32) for values in permutations)
    ours = minhash(hashes, parents, len(sizes), a, b, chunk=chunk)
    for row, size in enumerate(sizes):
        reference = MinHash(num_perm=64, seed=5, scheme="affine32", hashfunc=lambda value: value)
        reference.update_batch(hashes[parents == row].tolist())
        expected = reference.hashvalues.astype(np.uint32) if size else np.full(64, 2**32 - 1, np.uint32)
        assert np.array_equal(ours[row], expected), row


def reference_ngrams(tokens: list[int], n: int) -> list[int]:
    """The definition: weighted sums of each window of n tokens (one of all tokens when fewer)."""
    windows = [tokens[i:i + n] for i in range(len(tokens) - n + 1)] or [tokens]
    folded = []
    for window in windows:
        total = sum(token * int(_POSITION_WEIGHTS[k % 64]) for k, token in enumerate(window)) & MASK
        folded.append((total ^ (total >> 32)) & 0xFFFFFFFF)
    return folded


@pytest.mark.parametrize("n", [1, 2, 5, 66])
def test_ngrams_follow_the_definition_across_document_boundaries(n):
    rng = np.random.default_rng(n)
    sizes = [1, 4, 5, 6, 2, 70, 1, 30, 3]
    tokens = rng.integers(0, 2**64, size=sum(sizes), dtype=np.uint64)
    parents = np.repeat(np.arange(len(sizes)) * 3, sizes)  # ascending, with gaps
    hashes, owners = _ngrams(tokens, parents, n)
    start = 0
    for row, size in enumerate(sizes):
        expected = reference_ngrams([int(t) for t in tokens[start:start + size]], n)
        assert hashes[owners == row * 3].tolist() == expected, (row, size)
        start += size


# Texts of one script each (the CJK ones only Han, Kana or Hangul characters and spaces), with
# the digest of the shingles the previous scheme gave them and a third of each (`shingles: auto`
# at 8400d03, which chose words or characters per document by script share).
PURE = {
    "The river runs past the old town, and in the evening people walk along it to the market.":
        "db85d6b4bb17ce1c",
    "우리는 매일 저녁 강가를 따라 걸으며 해가 지는 것을 봅니다 그리고 집으로 돌아갑니다": "5ada98079aa39025",
    "这是一个关于河流和城镇的中文句子人们每天晚上都沿着河边散步看着夕阳慢慢落下": "2b80668c17d5c4a5",
    "わたしたちは まいばん かわぞいを あるいて ゆうひを みます カタカナ ハ コチラ": "9486e6f953ea3a7e",
    "東京の川沿いを毎晩歩いて夕日を見ます 私たちは静かな町に住んでいます": "c43952e4569c2a5d",
}
MIXED = [
    "ls 명령은 디렉터리의 내용을 보여 줍니다. --all 옵션을 쓰면 숨은 파일도 나옵니다 (ls -la /tmp).",
    "grep は ファイル の中から パターン に合う行を探します。-i オプションで大文字と小文字を区別しません。",
    "使用 tar -xzf archive.tar.gz 解压文件；参见 tar(1) 的 --help 输出。版本 1.35 起支持 zstd 压缩。",
]
TOKEN = regex.compile(rf"{CJK_SCRIPT}|[^\s{CJK_SCRIPT[1:-1]}]+")  # one CJK character, or a run of others


def splitmix64(value: int) -> int:
    z = (value + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def reference_stream(text: str) -> list[int]:
    """The definition in Python: the normalised text's words of other scripts and its single
    Han, Kana or Hangul characters in order, a character hashed as character shingles hash it."""
    normal = normalise(pa.array([text], pa.large_string()))[0].as_py()
    return [splitmix64(ord(token)) if regex.fullmatch(CJK_SCRIPT, token)
            else xxhash.xxh3_64_intdigest(token.encode()) for token in TOKEN.findall(normal)]


def digest(hashes: np.ndarray, parents: np.ndarray) -> str:
    return hashlib.sha256(hashes.tobytes() + parents.astype(np.int64).tobytes()).hexdigest()[:16]


@pytest.mark.parametrize("text", list(PURE))
def test_text_of_one_script_keeps_the_previous_shingles_bit_for_bit(text):
    column = pa.array([text, text[:len(text) // 3]], pa.large_string())
    stream = shingle_hashes(column, "auto", 5, 5)
    assert digest(*stream) == PURE[text]
    alone = "word" if text.isascii() else "char"  # the explicit modes are unchanged too
    assert all(np.array_equal(a, b) for a, b in zip(stream, shingle_hashes(column, alone, 5, 5), strict=True))


@pytest.mark.parametrize("n", [1, 3, 5])
def test_mixed_text_is_one_stream_of_words_and_cjk_characters(n):
    hashes, parents = shingle_hashes(pa.array(MIXED, pa.large_string()), "auto", n, n)
    for row, text in enumerate(MIXED):
        tokens = reference_stream(text)
        assert 20 < len(tokens) < len(normalise(pa.array([text]))[0].as_py())  # words, not characters
        assert hashes[parents == row].tolist() == reference_ngrams(tokens, n), row


def test_auto_needs_one_n_gram_size():
    with pytest.raises(ConfigError, match="ngram 3 and char_ngram 5 differ"):
        validate_config({"dataset": "d", "input": {"paths": ["x.jsonl"]}, "output": {"root": "out"},
                         "filters": [{"minhash_dedup": {"ngram": 3}}]})
    validate_config({"dataset": "d", "input": {"paths": ["x.jsonl"]}, "output": {"root": "out"},
                     "filters": [{"minhash_dedup": {"ngram": 3, "shingles": "word"}}]})


def test_the_cjk_table_is_the_script_regex_over_every_code_point():
    points = np.r_[0:0xD800, 0xE000:0x110000]
    expected = np.zeros(0x110000, dtype=bool)
    expected[points] = pc.match_substring_regex(pa.array([chr(point) for point in points]), CJK_SCRIPT)
    assert np.array_equal(_cjk_table(), expected)

"""MinHash signing: the kernel against datasketch, n-grams and the token stream against their definitions."""

from __future__ import annotations

import hashlib
import random
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import regex
import xxhash
from datasketch import MinHash

import filters.minhash_signing
import filters.shingles
from corpus.errors import ConfigError
from filters.minhash_signing import affine32_permutations, minhash
from filters.shingles import (
    _POSITION_WEIGHTS,
    CJK_SCRIPT,
    TABLED,
    _cjk_table,
    _ngrams,
    normalise,
    shingle_hashes,
)
from filters.text import code_point_strings
from filters.words import compiled
from pipelines.config import validate_config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import make_demo_corpus  # noqa: E402  (the generator of the benchmark's web corpus)

MASK = (1 << 64) - 1


@pytest.mark.parametrize(("num_perm", "seed"), [(16, 0), (128, 1), (256, 42), (1024, 2**31 + 5)])
def test_permutations_are_datasketch_affine32s(num_perm, seed):
    a, b = affine32_permutations(num_perm, seed)
    expected = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, expected[0]) and np.array_equal(b, expected[1])


def needs_numba() -> None:
    if compiled() is None:
        pytest.skip("numba is not installed, or not usable with this numpy")


def numpy_only(monkeypatch) -> None:
    """The numpy code runs, as where numba is not installed."""
    for module in (filters.shingles, filters.minhash_signing):
        monkeypatch.setattr(module, "compiled", lambda: None)


@pytest.mark.parametrize("path", ["compiled", "numpy"])
@pytest.mark.parametrize("chunk", [7, 300, 1 << 13])
def test_signatures_match_datasketch_whatever_the_chunk(chunk, path, monkeypatch):
    """Documents of very different sizes, some split across chunks, one without shingles;
    the compiled loop and the numpy code alike."""
    if path == "compiled":
        needs_numba()
    else:
        numpy_only(monkeypatch)
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
def test_mixed_text_is_one_stream_of_words_and_cjkcode_point_strings(n):
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


def both_paths(texts: pa.Array, mode: str, n: int, monkeypatch) -> None:
    """The compiled shingles equal the numpy code's, array for array (values and types)."""
    ours = shingle_hashes(texts, mode, n, n)
    with monkeypatch.context() as patch:
        numpy_only(patch)
        expected = shingle_hashes(texts, mode, n, n)
    for got, want in zip(ours, expected, strict=True):
        assert got.dtype == want.dtype and np.array_equal(got, want)


def every_code_point(width: int) -> list[str]:
    """Every code point but the surrogates, `width` consecutive ones a row."""
    points = np.r_[0:0xD800, 0xE000:0x110000].astype(np.uint32)
    return ["".join(map(chr, points[at:at + width])) for at in range(0, len(points), width)]


def web_texts(count: int) -> list[str]:
    """Documents of every category of the demo corpus's generator (scripts/bench.py's web
    corpus draws from it): prose of several scripts, PII, boilerplate, near duplicates."""
    builder = make_demo_corpus.CorpusBuilder(7)
    categories = list(make_demo_corpus.CATEGORY_WEIGHTS)
    texts = []
    for index in range(count):
        category = categories[index % len(categories)]
        if category.endswith("_duplicates") and not builder.prose:
            category = "prose"
        texts.append(builder.makers[category]()[0])
    return texts


def mixed_texts(count: int, seed: int) -> list[str | None]:
    """Random strings of characters whose normal form differs in length or kind: upper case
    that grows in UTF-8 when lowered (U+023A), digits of other scripts, punctuation, symbols,
    every kind of whitespace, Han/Kana/Hangul, combining marks, full-width and compatibility
    forms, code points above the tables; with empty strings and a null."""
    rng = random.Random(seed)
    pool = list("Aa Zz09\u0663\u0967\uff11.,;!?-_()[]{}$%&*+=<>|~`^@#'\"\t\n\r\x0b\x0c\x1c\x1f\x85\xa0"
                "\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\u00c9\u0130\u023a\u2c65\u1e9e"
                "\u212a\u2126\u0391\u03a3\u0410\u05d0\u0627\u0e01\u0301\u0308\u4e2d\u6587\u3042"
                "\u30ab\uac00\u1100\u3131\uff21\uff41\ufb01\u2460\u00bd\u00b2\U0001f600\U00020000"
                "\U00030000\U00040000\U000e0001\U000f0000\U0010fffd")
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 80))) for _ in range(count)]
    return [*texts, "", None, "   ", "word"]


@pytest.mark.parametrize("mode", ["auto", "word"])
@pytest.mark.parametrize("n", [1, 2, 5, 66])
def test_compiled_shingles_equal_the_numpy_code(mode, n, monkeypatch):
    """On the benchmark's kind of web documents (several scripts, PII), random strings of
    the characters normalisation changes, a sliced batch and a plain string column."""
    needs_numba()
    web = web_texts(300)
    mixed = mixed_texts(400, n)
    both_paths(pa.array(web + mixed, pa.large_string()), mode, n, monkeypatch)
    both_paths(pa.array(mixed, pa.string()).slice(37, 300), mode, n, monkeypatch)
    for nothing in ([], [None], ["", " \u3000 ", ".,!"]):  # batches without a token
        both_paths(pa.array(nothing, pa.large_string()), mode, n, monkeypatch)


def test_compiled_shingles_equal_the_numpy_code_on_every_code_point(monkeypatch):
    """Every code point, in runs of consecutive ones and alone between two words: the tables
    (and beyond them, planes 4 to 16, the code point itself, ordinary) are normalise's."""
    needs_numba()
    runs = every_code_point(48)
    both_paths(pa.array(runs, pa.large_string()), "auto", 1, monkeypatch)
    both_paths(pa.array(runs, pa.large_string()), "word", 3, monkeypatch)
    points = np.r_[0:0xD800, 0xE000:0x110000:97]
    alone = [f"x{chr(point)}y z" for point in points]
    both_paths(pa.array(alone, pa.large_string()), "auto", 2, monkeypatch)


def test_a_large_document_grows_every_array(monkeypatch):
    """One document of some 400 KB of distinct words beside small ones: the token, distinct
    token and slot arrays all grow past their first sizes, between rows."""
    needs_numba()
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz\u00e9\u4e2d") for _ in range(rng.randint(1, 12)))
             for _ in range(60_000)]
    texts = ["tiny text", " ".join(words), "", "\u4e2d\u6587 tail", " ".join(words[:50])]
    both_paths(pa.array(texts, pa.large_string()), "auto", 5, monkeypatch)


def test_the_stream_table_is_what_normalise_does_to_each_code_point():
    """utf8_is_space (the table's whitespace) is utf8_split_whitespace's for every code point,
    and above TABLED normalise leaves every code point as it is, neither space nor CJK."""
    points = np.r_[0:0xD800, 0xE000:0x110000].astype(np.uint32)
    characters = code_point_strings(points)
    split = pc.list_value_length(pc.utf8_split_whitespace(characters)).to_numpy() != 1
    assert np.array_equal(pc.utf8_is_space(characters).to_numpy(zero_copy_only=False), split)
    high = points[points >= TABLED]
    after = normalise(code_point_strings(high))
    assert after.to_pylist() == [chr(point) for point in high]
    assert not pc.any(pc.utf8_is_space(after)).as_py()
    assert not pc.any(pc.match_substring_regex(after, CJK_SCRIPT)).as_py()

"""MinHash signing: the kernel against datasketch, n-grams and the CJK choice against their definitions."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from datasketch import MinHash

from filters.minhash_signing import minhash
from filters.shingles import (
    _POSITION_WEIGHTS,
    CJK_BLOCKS,
    CJK_SCRIPT,
    CJK_SHARE,
    _ngrams,
    character_documents,
)

MASK = (1 << 64) - 1


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


def test_cjk_blocks_are_all_counted_by_the_script_regex():
    for low, high in CJK_BLOCKS:
        block = "".join(chr(point) for point in range(low, high + 1))
        assert pc.count_substring_regex(pa.array([block]), CJK_SCRIPT)[0].as_py() == high - low + 1


def test_character_documents_decide_as_the_script_regex_does():
    """Documents decided by lead bytes alone, by CJK_BLOCKS, and by the regex (half-width
    katakana and Hangul jamo lie outside the blocks; emoji and Georgian are high bytes only)."""
    texts = ["plain English text", "naïve café", "Москва", "我们今天在城市", "今日は東京", "우리는 학교에",
             "ｶﾀｶﾅｶﾀｶﾅ abc", "ᄀᄁᄂᄃ abcdef", "😀😀😀 ab", "ქართული",
             "mixed 我们 with a lot of latin words", "", "㋐㋑㋒ and text", "3 我 words of"]
    text = pa.array(texts, pa.large_string())
    langs = pa.array([None, "zh", None, "en", None, None, None, None, None, None, None, None, None, None])
    cjk = pc.count_substring_regex(text, CJK_SCRIPT).to_numpy()
    by_script = cjk / np.maximum(pc.utf8_length(text).to_numpy(), 1) >= CJK_SHARE
    assert character_documents(text, None, "auto").tolist() == by_script.tolist()
    expected = by_script.copy()
    expected[1], expected[3] = True, False  # where langid ran, its language decides
    assert character_documents(text, langs, "auto").tolist() == expected.tolist()
    assert by_script.tolist()[3:10] == [True, True, True, True, True, False, False]

"""Shingles for near-dedup: n-grams of one token stream (words, and each CJK character), hashed per batch."""

from __future__ import annotations

import functools
from types import ModuleType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from filters.text import (
    code_point_strings,
    digits_to_zero,
    fold,
    nfkc,
    remove_whitespace,
    symbols_to_spaces,
    utf8_buffer,
    utf8_values,
)
from filters.words import compiled

CJK_SCRIPT = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]"
# The shingles' definition, stored with a version's minhash index: an index whose shingles
# were made otherwise is refused. 2: one token stream for mixed text (`shingles: auto`); the
# indexes written before (a word or character choice per document) carry no number.
SHINGLE_SCHEME = 2
# Every character of CJK_SCRIPT lies between U+1100 and here (planes 0-3; tests check the rest).
CJK_BELOW = 0x40000
# Beyond here (planes 4-16) `normalise` keeps every code point, and none splits words or is
# CJK: the compiled token stream's tables stop here (tests check the rest).
TABLED = 0x40000
# Odd 64-bit multipliers that place each token of an n-gram; order matters, as it should.
_POSITION_WEIGHTS = (np.random.default_rng(20261128).integers(1, 2**63, size=64, dtype=np.uint64)
                     | np.uint64(1))


def normalise(text: pa.Array) -> pa.Array:
    """NFKC, lower case, punctuation and symbols to spaces, every digit folded to 0."""
    return digits_to_zero(symbols_to_spaces(fold(text)))


def tokens_spaced(text: pa.Array) -> pa.Array:
    """Normalised text with a space on each side of every CJK character: split on whitespace,
    it is the token stream of `shingles: auto` (words of other scripts, CJK characters one by
    one). The definition: `shingle_hashes` makes the same tokens without it, scripts/eval_dedup.py
    labels with it."""
    return pc.replace_substring_regex(text, CJK_SCRIPT, r" \0 ")


def shingle_hashes(text: pa.Array, mode: str, ngram: int, char_ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every shingle and the row it belongs to, grouped by row in ascending order.

    `auto`: `ngram`-grams of the token stream (`tokens_spaced`); `word`: `ngram`-grams of
    whitespace-separated words; `char`: `char_ngram`-grams of the characters, whitespace
    removed. No shingle string is built: each distinct token of the batch is hashed once,
    n-grams combine token hashes with position weights. With numba installed `auto` and
    `word` run as compiled loops (`_compiled_word_shingles`): the same hashes.
    """
    kernel = compiled()
    if kernel is not None and mode != "char":
        return _compiled_word_shingles(kernel, text, ngram, stream=mode == "auto")
    normal = normalise(text)
    if mode == "char":
        return _char_shingles(normal, char_ngram)
    return _word_shingles(normal, ngram, stream=mode == "auto")


def shingle_lists(hashes: np.ndarray, parents: np.ndarray, documents: int) -> pa.ListArray:
    """The hashes `shingle_hashes` returned as one list per document (duplicates kept: making
    sets is left to the few documents that are ever verified)."""
    counts = np.bincount(parents, minlength=documents)
    offsets = np.zeros(documents + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(hashes, pa.uint32()))


def shingle_sets(values: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lists of hashes (flat values, offsets) made sets: each list sorted, repeats dropped."""
    owners = np.repeat(np.arange(len(offsets) - 1, dtype=np.uint64), np.diff(offsets))
    keyed = np.sort((owners << np.uint64(32)) | values.astype(np.uint64))
    # a plain sort and a neighbour test: numpy 2's np.unique hashes first and is several times slower
    keyed = keyed[np.concatenate([[True], keyed[1:] != keyed[:-1]])] if len(keyed) else keyed
    counts = np.bincount((keyed >> np.uint64(32)).astype(np.int64), minlength=len(offsets) - 1)
    new_offsets = np.zeros(len(offsets), dtype=np.int64)
    np.cumsum(counts, out=new_offsets[1:])
    return (keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32), new_offsets


def set_jaccard(values: np.ndarray, offsets: np.ndarray, first: np.ndarray, second: np.ndarray,
                chunk: int = 1 << 23) -> np.ndarray:
    """Exact Jaccard similarity of pairs of shingle sets (`shingle_sets` output), list `first[i]`
    against list `second[i]` (each list sorted and without repeats, as `shingle_sets` makes them);
    pairs go a chunk of about `chunk` hashes at a time."""
    sizes = np.diff(offsets)
    result = np.zeros(len(first), dtype=np.float64)
    ends = np.cumsum(sizes[first] + sizes[second])
    start = 0
    while start < len(first):
        done = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, done + chunk, side="right")), start + 1)
        result[start:stop] = _chunk_jaccard(values, offsets, sizes, first[start:stop], second[start:stop])
        start = stop
    return result


def _chunk_jaccard(values: np.ndarray, offsets: np.ndarray, sizes: np.ndarray, first: np.ndarray,
                   second: np.ndarray) -> np.ndarray:
    """Each side's sets tagged with the pair's number: since each set is sorted, each side is
    one sorted array, and a binary search of one side in the other finds the intersection
    (no sort of the pairs' hashes)."""
    pairs = np.arange(len(first), dtype=np.uint64)
    left, right = [(np.repeat(pairs, sizes[side]) << np.uint64(32))
                   | values[index_ranges(offsets[side], sizes[side])].astype(np.uint64)
                   for side in (first, second)]
    inter = np.zeros(len(first), dtype=np.int64)
    if len(left) and len(right):
        at = np.minimum(np.searchsorted(right, left), len(right) - 1)
        shared = left[right[at] == left] >> np.uint64(32)
        inter = np.bincount(shared.astype(np.int64), minlength=len(first))
    union = sizes[first] + sizes[second] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def index_ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The indices start..start+size of every range, concatenated."""
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(sizes)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - sizes), sizes)


def _word_shingles(text: pa.Array, n: int, stream: bool) -> tuple[np.ndarray, np.ndarray]:
    words = pc.utf8_split_whitespace(text)
    flat = pc.list_flatten(words)
    real = pc.greater(pc.utf8_length(flat), 0)  # splitting "" yields one empty token
    flat = flat.filter(real)
    if not len(flat):
        return _nothing()
    parents = pc.list_parent_indices(words).filter(real).to_numpy()
    if not stream:
        return _ngrams(_xxh3(flat), parents, n)
    high = _high(flat)
    hashes = _xxh3(flat, skip=high)
    return _ngrams(*_split_cjk(flat, high, hashes, parents), n)


def _compiled_word_shingles(kernel: ModuleType, text: pa.Array, n: int, stream: bool
                            ) -> tuple[np.ndarray, np.ndarray]:
    """`_word_shingles(normalise(text))` in two compiled passes over the NFKC text: the token
    stream read through `_stream_table` (lower case, symbols, digits, whitespace and CJK per
    code point) with each distinct token's bytes kept once, then the n-grams."""
    normal = nfkc(text)
    if normal.null_count:
        normal = pc.fill_null(normal, "")
    data, offsets = utf8_buffer(normal)
    values, cjk, counts, distinct, starts = kernel.token_stream(data, offsets, *_stream_table(), stream)
    view = memoryview(distinct)
    hashes = np.fromiter((xxhash.xxh3_64_intdigest(view[start:end])
                          for start, end in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)),
                         np.uint64, len(starts) - 1)
    return kernel.ngram_hashes(values, cjk, hashes, counts, _POSITION_WEIGHTS, n)


@functools.cache
def _stream_table() -> tuple[np.ndarray, np.ndarray]:
    """(the code point `normalise` makes of each NFKC code point below TABLED, its part in the
    token stream: kernels.SEPARATOR, ORDINARY or CJK), read from pyarrow's lower case, the
    symbol and digit replacements, its whitespace (utf8_is_space: utf8_split_whitespace's, a
    test checks) and CJK_SCRIPT (about 0.1 s once per process). Checked: each code point
    becomes one code point (or it would not be a table), and none below U+0800 is CJK (the
    kernel counts on a CJK token taking 3 bytes or more)."""
    from filters.kernels import CJK, ORDINARY, SEPARATOR

    points = np.r_[0:0xD800, 0xE000:TABLED].astype(np.uint32)
    after = digits_to_zero(symbols_to_spaces(pc.utf8_lower(code_point_strings(points))))
    if not pc.all(pc.equal(pc.utf8_length(after), 1)).as_py():
        raise RuntimeError("pyarrow's lower case or replacements turn a code point into several")
    mapped = np.arange(TABLED, dtype=np.int32)
    mapped[points] = _code_points(after)
    kind = np.full(TABLED, ORDINARY, np.uint8)
    kind[points[pc.match_substring_regex(after, CJK_SCRIPT).to_numpy(zero_copy_only=False)]] = CJK
    kind[points[pc.utf8_is_space(after).to_numpy(zero_copy_only=False)]] = SEPARATOR
    if (kind[:0x800] == CJK).any():
        raise RuntimeError("a code point below U+0800 counts as a CJK character")
    return mapped, kind


def _xxh3(tokens: pa.Array, skip: np.ndarray | None = None) -> np.ndarray:
    """xxh3 of each token, each distinct token hashed once (those `skip` marks are left 0)."""
    encoded = pc.dictionary_encode(tokens)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    distinct = np.zeros(len(encoded.dictionary), dtype=np.uint64)
    hashed = np.ones(len(distinct), dtype=bool)
    if skip is not None:
        hashed[indices[skip]] = False
    chosen = encoded.dictionary.filter(pa.array(hashed)) if skip is not None else encoded.dictionary
    distinct[hashed] = [xxhash.xxh3_64_intdigest(token) for token in utf8_values(chosen)]
    return distinct[indices]


def _high(text: pa.Array) -> np.ndarray:
    """Strings holding a UTF-8 lead byte of 0xE1 or more (U+1100 and above: every CJK character)."""
    values, offsets = utf8_buffer(text)
    return np.diff(np.searchsorted(np.flatnonzero(values >= 0xE1), offsets)) > 0


def _split_cjk(words: pa.Array, high: np.ndarray, hashes: np.ndarray, parents: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """The token stream from whitespace-separated words and their hashes: a word without CJK
    characters stays one token; in a word with some, each CJK character is a token hashed as
    `_char_shingles` hashes it (so text of CJK characters alone gets the shingles of `shingles:
    char`) and each run of other characters a token hashed as a word. The same tokens as
    splitting `tokens_spaced` text, without a regex pass: the words are cut at character
    boundaries in their UTF-8 buffer."""
    high = np.flatnonzero(high)  # only these words can hold a CJK character (`_high`)
    if not len(high):
        return hashes, parents
    chosen = words.take(pa.array(high))
    values, offsets = utf8_buffer(chosen)
    data = values[offsets[0]:offsets[-1]]
    points = _code_points(chosen)
    cjk = _cjk_table()[points]
    lengths = pc.utf8_length(chosen).to_numpy()
    word_starts = np.cumsum(lengths) - lengths
    begins = cjk | np.r_[False, cjk[:-1]]
    begins[word_starts] = True
    firsts = np.flatnonzero(begins)
    lead = np.flatnonzero((data & 0xC0) != 0x80)  # the byte where each character starts
    tokens = pa.LargeStringArray.from_buffers(len(firsts), pa.py_buffer(np.r_[lead[firsts], len(data)]),
                                              pa.py_buffer(data))
    single = cjk[firsts]  # a token that starts with a CJK character is that character
    token_hashes = np.empty(len(firsts), dtype=np.uint64)
    token_hashes[single] = _splitmix64(points[firsts[single]].astype(np.uint64))
    token_hashes[~single] = _xxh3(tokens.filter(pa.array(~single)))
    per_word = np.diff(np.searchsorted(firsts, np.r_[word_starts, len(points)]))
    counts = np.ones(len(words), dtype=np.int64)
    counts[high] = per_word
    starts = np.cumsum(counts) - counts
    stream = np.empty(int(counts.sum()), dtype=np.uint64)
    stream[starts] = hashes
    stream[index_ranges(starts[high], per_word)] = token_hashes
    return stream, np.repeat(parents, counts)


@functools.cache
def _cjk_table() -> np.ndarray:
    """Which code points CJK_SCRIPT matches, read from RE2 once per process for the code points
    U+1100 to CJK_BELOW (about 0.1 s)."""
    points = np.r_[0x1100:0xD800, 0xE000:CJK_BELOW].astype(np.uint32)
    table = np.zeros(0x110000, dtype=bool)
    matched = pc.match_substring_regex(code_point_strings(points), CJK_SCRIPT)
    table[points] = matched.to_numpy(zero_copy_only=False)
    return table


def _char_shingles(text: pa.Array, n: int) -> tuple[np.ndarray, np.ndarray]:
    compact = remove_whitespace(text)
    counts = pc.utf8_length(compact).fill_null(0).to_numpy()
    if not counts.sum():
        return _nothing()
    parents = np.repeat(np.arange(len(text)), counts)
    return _ngrams(_splitmix64(_code_points(compact).astype(np.uint64)), parents, n)


def _code_points(text: pa.Array) -> np.ndarray:
    """The code points of a column's documents, concatenated (one decode for the column, not
    one Python string per document)."""
    values, offsets = utf8_buffer(text)
    points = str(memoryview(values[offsets[0]:offsets[-1]]), "utf-8").encode("utf-32-le")
    return np.frombuffer(points, dtype=np.uint32)


def _ngrams(tokens: np.ndarray, parents: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n-gram hashes within each document (documents are contiguous runs of `parents`); a
    document with fewer than n tokens gets one shingle of all its tokens."""
    count = len(tokens)
    windows = max(count - n + 1, 0)
    # every window of n tokens of the batch, weighted sums over contiguous slices; those that
    # cross a document boundary are dropped below
    combined = np.zeros(count, dtype=np.uint64)
    step = np.empty(windows, dtype=np.uint64)
    for k in range(n):
        np.multiply(tokens[k:k + windows], _POSITION_WEIGHTS[k % 64], out=step)
        combined[:windows] += step
    begins = np.zeros(count, dtype=bool)
    begins[:windows] = parents[:windows] == parents[n - 1:]
    starts = np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])
    sizes = np.diff(np.r_[starts, count])
    short, short_sizes = starts[sizes < n], sizes[sizes < n]
    if len(short):
        sums = np.zeros(len(short), dtype=np.uint64)
        for k in range(int(short_sizes.max())):
            has = short_sizes > k
            sums[has] += tokens[short[has] + k] * _POSITION_WEIGHTS[k % 64]
        combined[short] = sums
        begins[short] = True
    combined = combined[begins]
    folded = (combined ^ (combined >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return folded.astype(np.uint32), np.repeat(parents[starts], np.maximum(sizes - n + 1, 1))


def _splitmix64(values: np.ndarray) -> np.ndarray:
    z = values + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _nothing() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.uint32), np.zeros(0, np.int64)

"""Words of every script, counted over whole Arrow columns: the unit of the quality heuristics.

A word is what the quality rules (Gopher, C4, FineWeb) count, split the way spaCy's English
tokenizer (the one datatrove uses) splits: at Unicode whitespace, then punctuation at either
end of a chunk comes off one character at a time (a run of dots stays one: `...`), while
punctuation inside a chunk stays in the word (`3.14`, `e.g`, `adduser(8`, `17:11`), except
`- : < > = / ,` between a letter or digit and a letter (`well - known`, `key = value`), `+ - * ^`
between digits (`2022 - 03 - 08`) and an apostrophe, which starts a word (`it 's`). At a chunk's
end only spaCy's suffix characters come off (`insertions(+ )`, `tic80-*-`), and its two-character
emoticons stay one word (`func ):`). So
`(see "this"), it's` is `( see " this " ) , it 's`, and Korean words are space-separated eojeol.

Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) need a
segmenter: with the `quality` extra installed and the document's language known (ja, zh,
th), jieba (zh), SudachiPy (ja) or PyThaiNLP (th) segment them. Otherwise the character
rule applies: every letter of those scripts is a word (with the marks that follow it).
Counts are then about 1.5-2 times a segmenter's for Chinese and Japanese, and mean word
length is 1; the filters' per-language defaults allow for it.

The tokenizer runs in numpy over the UTF-8 buffer of a batch (no regex, no Python per
document): the quality filters must run at thousands of documents per second, and RE2
over Unicode classes reads only 30-50 MB/s.
"""

from __future__ import annotations

import functools
import importlib.util
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from types import ModuleType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from filters.text import utf8_buffer

DEFINITION = (
    "words: split at Unicode whitespace, punctuation at a chunk's ends split off (as spaCy's English "
    "tokenizer); Han, kana, Thai, Lao, Khmer, Myanmar: segmenter (quality extra) for ja/zh/th, "
    "else one word per letter; has a letter = any Unicode letter (L*)"
)

# Character classes of the tokenizer: SPACE..MARK as they are; PUNCT..HYPHEN split or join by context.
SPACE, WORD, SINGLE, MARK, PUNCT, DOT, APOSTROPHE, INFIX = range(8)
MAX_CODE_POINT = 0x110000

# Letters of these scripts are written without spaces: the character rule makes each a word.
UNSPACED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),
    (0x3040, 0x30FF),  # Hiragana, Katakana (ー included)
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK extensions B-H
)

# Languages a segmenter of the `quality` extra handles, and the module it needs.
SEGMENTED = {"zh": "jieba", "ja": "sudachipy", "th": "pythainlp"}
# SudachiPy refuses inputs over 49,149 bytes: longer Japanese documents go in pieces (4 bytes a
# character at most).
SUDACHI_CHARS = 12_000
# Bytes of text tokenised at a time (see `_tokenize`).
CHUNK_BYTES = 1 << 19
# The last batch tokenised in this process: (text, lang, segment, Words).
_LAST_BATCH: list[tuple[pa.Array, pa.Array | None, bool, Words] | None] = [None]


# ASCII punctuation spaCy's English tokenizer never splits off the front of a chunk.
NOT_PREFIX = np.zeros(MAX_CODE_POINT, bool)
NOT_PREFIX[[ord(char) for char in "-/+@^|~\\"]] = True
# ASCII punctuation spaCy's English tokenizer never splits off the end of a chunk: after a letter,
# and after a digit (`+ $ %` are suffixes there only).
NOT_SUFFIX = np.zeros(MAX_CODE_POINT, bool)
NOT_SUFFIX[[ord(char) for char in "$%+-/=@^|~\\"]] = True
NOT_SUFFIX_AFTER_DIGIT = np.zeros(MAX_CODE_POINT, bool)
NOT_SUFFIX_AFTER_DIGIT[[ord(char) for char in "-/=@^|~\\"]] = True
# spaCy's infix between a digit and a digit or hyphen (`2022-03-08` is `2022 - 03 - 08`).
DIGIT_INFIX = [ord(char) for char in "+-*^"]
# spaCy's two-character emoticons: split-off punctuation forming one is one word (`foo):` is `foo ):`).
EMOTICONS = ("(=", ":)", ":}", ";)", ":*", ":|", "[:", "[=", "=/", "(;", ":>", "=]", "(:", "]=", "):", ":(",
             ":]", "=)", ":/", "=[", "=(", "=|")
EMOTICON_PAIRS = np.array(sorted(ord(a) * MAX_CODE_POINT + ord(b) for a, b in EMOTICONS), np.int64)


@functools.cache
def char_classes() -> tuple[np.ndarray, np.ndarray]:
    """(tokenizer class, is a Unicode letter) of every code point; built once per process (~0.4 s)."""
    classes = np.empty(MAX_CODE_POINT, np.uint8)
    letter = np.zeros(MAX_CODE_POINT, bool)
    for point in range(MAX_CODE_POINT):
        char = chr(point)
        category = unicodedata.category(char)[0]
        if category == "L":
            classes[point], letter[point] = WORD, True
        elif category == "N":
            classes[point] = WORD
        elif category == "M":
            classes[point] = MARK
        else:
            classes[point] = SPACE if char.isspace() else PUNCT
    for low, high in UNSPACED_RANGES:
        span = classes[low:high + 1]
        span[span == WORD] = SINGLE
    classes[ord(".")] = DOT
    classes[[ord("'"), ord("\u2019")]] = APOSTROPHE
    # spaCy's infixes: split between a letter or digit and a letter (`well-known`, `key=value`, `a/b`).
    classes[[ord(char) for char in "-\u2010\u2013:<>=/,"]] = INFIX
    return classes, letter


@dataclass
class Words:
    """The words of a batch of documents, as flat arrays (word i belongs to document `doc[i]`).

    `counts[d]` is the number of words of document d; `chars` the length of each word in
    code points; `letter` whether it holds a Unicode letter; `symbol` whether it is
    punctuation split off a chunk. `values` are the words as strings, `ids` equal numbers
    for equal words (indices into `vocabulary`, for n-gram and stop-word work), built when
    first asked for.
    """

    doc: np.ndarray
    counts: np.ndarray
    chars: np.ndarray
    letter: np.ndarray
    symbol: np.ndarray
    _data: np.ndarray | None = None
    _offsets: np.ndarray | None = None
    _encoded: tuple[np.ndarray, pa.Array] | None = None

    @functools.cached_property
    def values(self) -> pa.LargeStringArray:
        if self._data is None:
            return self.vocabulary.take(pa.array(self.ids))
        return pa.LargeStringArray.from_buffers(
            len(self._offsets) - 1, pa.py_buffer(self._offsets), pa.py_buffer(self._data))

    @property
    def ids(self) -> np.ndarray:
        return self._encode()[0]

    @property
    def vocabulary(self) -> pa.Array:
        return self._encode()[1]

    def _encode(self) -> tuple[np.ndarray, pa.Array]:
        if self._encoded is None:
            encoded = pc.dictionary_encode(self.values)
            self._encoded = (encoded.indices.to_numpy().astype(np.int64), encoded.dictionary)
        return self._encoded

    def per_document(self, values: np.ndarray) -> np.ndarray:
        """Each document's sum of an integer (or boolean) per word, as float64."""
        result = np.zeros(len(self.counts))
        some = self.counts > 0
        result[some] = np.add.reduceat(values, (np.cumsum(self.counts) - self.counts)[some], dtype=np.int64)
        return result

    def lists(self) -> pa.LargeListArray:
        """The words of each document as one list per document."""
        offsets = np.zeros(len(self.counts) + 1, np.int64)
        np.cumsum(self.counts, out=offsets[1:])
        return pa.LargeListArray.from_arrays(pa.array(offsets), self.values)

    def slices(self, text: pa.Array, size: int = 0) -> Iterator[tuple[int, int, Words]]:
        """(first row, end row, their words) for consecutive rows of `text` (these words' column)
        of about `size` bytes (default CHUNK_BYTES): per-row work on cache-sized pieces."""
        _, offsets = utf8_buffer(text)
        cuts = _cuts(offsets, size or CHUNK_BYTES)
        first = np.zeros(len(self.counts) + 1, np.int64)
        np.cumsum(self.counts, out=first[1:])
        ids, vocabulary = self._encode()
        for start, end in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            words = slice(first[start], first[end])
            yield start, end, Words(doc=self.doc[words] - start, counts=self.counts[start:end],
                                    chars=self.chars[words], letter=self.letter[words],
                                    symbol=self.symbol[words], _encoded=(ids[words], vocabulary))

    def take(self, rows: np.ndarray) -> Words:
        """The words of documents `rows` (in that order), as a batch of their own."""
        if len(rows) == len(self.counts) and np.array_equal(rows, np.arange(len(rows))):
            return self
        counts = self.counts[rows]
        first = np.zeros(len(self.counts) + 1, np.int64)
        np.cumsum(self.counts, out=first[1:])
        shift = first[rows] - np.append(0, np.cumsum(counts)[:-1])
        taken = np.repeat(shift, counts) + np.arange(counts.sum())
        ids, vocabulary = self._encode()
        return Words(doc=np.repeat(np.arange(len(rows), dtype=self.doc.dtype), counts), counts=counts,
                     chars=self.chars[taken], letter=self.letter[taken], symbol=self.symbol[taken],
                     _encoded=(ids[taken], vocabulary))


def tokenize(text: pa.Array, lang: pa.Array | None = None, segment: bool = True) -> Words:
    """The words of every document of `text` (nulls have none).

    `lang` (one code per row, e.g. langid's column) selects a segmenter for ja, zh and th
    rows when `segment` is on and the segmenter is installed; other rows, and those rows
    without one, use the character rule for unspaced scripts. The last batch's words are
    kept: the same column, or rows of it (a later filter's batch after an earlier one
    removed documents), are not split again.
    """
    lang = None if lang is None or not segment else lang
    cached = _LAST_BATCH[0]
    if cached is not None and cached[2] == segment:
        rows = _rows_of(text, lang, cached[0], cached[1])
        if rows is not None:
            return cached[3].take(rows)
    words = _tokenize(text, lang, segment)
    _LAST_BATCH[0] = (text, lang, segment, words)
    return words


def _tokenize(text: pa.Array, lang: pa.Array | None, segment: bool) -> Words:
    """`tokenize` without the cache: the batch in slices of about CHUNK_BYTES (numpy's
    temporaries of a whole 10 MB batch are several times slower than of cache-sized slices);
    the compiled loop goes a document at a time anyway."""
    segmented = None
    if lang is not None:
        text, segmented = _segmented(text, lang)
    if compiled() is not None:
        return _tokenize_rows(text, segmented)
    cuts = _cuts(utf8_buffer(text)[1], CHUNK_BYTES)
    parts = [_tokenize_rows(text.slice(start, end - start),
                            None if segmented is None else segmented[start:end])
             for start, end in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True)]
    if len(parts) == 1:
        return parts[0]
    first_word = np.cumsum([0] + [len(part.doc) for part in parts])
    string_base = np.cumsum([0] + [len(part._data) for part in parts])
    return Words(
        doc=np.concatenate([part.doc + start for part, start in zip(parts, cuts[:-1].tolist(), strict=True)]),
        counts=np.concatenate([part.counts for part in parts]),
        chars=np.concatenate([part.chars for part in parts]),
        letter=np.concatenate([part.letter for part in parts]),
        symbol=np.concatenate([part.symbol for part in parts]),
        _data=np.concatenate([part._data for part in parts]),
        _offsets=np.append(np.concatenate([part._offsets[:-1] + base for part, base
                                           in zip(parts, string_base[:-1].tolist(), strict=True)]),
                           string_base[-1]) if first_word[-1] else np.zeros(1, np.int64))


def _cuts(offsets: np.ndarray, size: int) -> np.ndarray:
    """Row boundaries cutting documents with these byte offsets into pieces of about `size` bytes."""
    chunk = (offsets[:-1] - offsets[0]) // size
    return np.concatenate([[0], np.flatnonzero(np.diff(chunk)) + 1, [len(offsets) - 1]]).astype(np.int64)


def _rows_of(text: pa.Array, lang: pa.Array | None, old_text: pa.Array,
             old_lang: pa.Array | None) -> np.ndarray | None:
    """The row of `old_text` holding each row of `text` (with the same language), or None."""
    if (lang is None) != (old_lang is None) or len(text) > len(old_text):
        return None
    if text is old_text or (len(text) == len(old_text) and text.type == old_text.type
                            and text.offset == old_text.offset
                            and [b.address if b else 0 for b in text.buffers()]
                            == [b.address if b else 0 for b in old_text.buffers()]):
        rows = np.arange(len(text))
    else:
        # A batch of other documents is told by its first row, before hashing the old batch.
        if len(text) and (not text[0].is_valid or pc.index(old_text, text[0].as_py()).as_py() < 0):
            return None
        found = pc.index_in(text.cast(old_text.type), value_set=old_text)
        if found.null_count:
            return None
        rows = found.to_numpy()
    if lang is not None:
        same = pc.equal(pc.fill_null(lang.cast(pa.string()), ""),
                        pc.fill_null(old_lang.cast(pa.string()).take(pa.array(rows)), ""))
        if not pc.all(same).as_py():
            return None
    return rows


def prepare() -> None:
    """Build the character tables and load the compiled word splitter now (a filter's setup:
    workers forked after it start with both)."""
    char_classes()
    if compiled() is not None:
        _tokenize_rows(pa.array(["a b."], pa.large_string()), None)


@functools.cache
def compiled() -> ModuleType | None:
    """filters.kernels (numba) when installed, else None and the numpy code runs: imported on
    first use, so only runs that split words load numba."""
    try:
        from filters import kernels
    except ImportError:  # no numba, or one that refuses this numpy version
        return None
    return kernels


def _tokenize_rows(text: pa.Array, segmented: np.ndarray | None) -> Words:
    """The words of a slice of rows; `segmented` marks rows a segmenter has spaced."""
    data, offsets = utf8_buffer(text)
    data = data[offsets[0]:offsets[-1]]
    offsets = (offsets - offsets[0]).astype(np.int64)
    kernel = compiled()
    if kernel is not None:
        spaced = np.zeros(len(text), bool) if segmented is None else segmented
        doc, counts, chars, letter, symbol, kept, string_offsets = kernel.tokenize_rows(
            data, offsets, spaced, (*char_classes(), NOT_PREFIX, NOT_SUFFIX, NOT_SUFFIX_AFTER_DIGIT,
                                    EMOTICON_PAIRS, MAX_CODE_POINT))
        return Words(doc=doc, counts=counts, chars=chars, letter=letter, symbol=symbol,
                     _data=kept, _offsets=string_offsets)
    points, byte_starts = _code_points(data)
    table, letters = char_classes()
    classes = table[points]
    doc_of_char = np.repeat(np.arange(len(text), dtype=np.int32), np.diff(offsets))
    if len(points) != len(data):
        doc_of_char = doc_of_char[byte_starts]
    if segmented is not None and segmented.any():
        # The segmenter has put spaces between its words: no character rule in its documents.
        single = np.flatnonzero(classes == SINGLE)
        classes[single[segmented[doc_of_char[single]]]] = WORD
    first_char = np.zeros(len(points), bool)
    first_char[np.searchsorted(byte_starts, offsets[:-1])[np.diff(offsets) > 0]] = True
    visible_mask = classes != SPACE
    boundary, symbol_start = _boundaries(classes, first_char, visible_mask, letters, points)
    # A word is a run of visible characters from one boundary to the next.
    visible = np.flatnonzero(visible_mask)
    word_first_visible = np.flatnonzero(boundary[visible])
    word_first = visible[word_first_visible]
    chars = np.diff(np.append(word_first_visible, len(visible)))
    letter = np.zeros(len(word_first), bool)
    if len(word_first):
        letter = np.maximum.reduceat(letters[points[visible]], word_first_visible).astype(bool)
    word_doc = doc_of_char[word_first]
    counts = np.bincount(word_doc, minlength=len(text))
    # The strings: the bytes of the visible characters, concatenated, cut at word starts.
    if len(points) == len(data):
        kept = data[visible_mask]
        string_offsets = np.append(word_first_visible, len(visible)).astype(np.int64)
    else:
        char_bytes = np.diff(np.append(byte_starts, len(data)))
        kept = data[np.repeat(visible_mask, char_bytes)]
        string_offsets = np.zeros(len(visible) + 1, np.int64)
        np.cumsum(char_bytes[visible], out=string_offsets[1:])
        string_offsets = string_offsets[np.append(word_first_visible, len(visible))]
    return Words(doc=word_doc, counts=counts, chars=chars, letter=letter, symbol=symbol_start[word_first],
                 _data=kept, _offsets=string_offsets)


def split_words(text: pa.Array, lang: pa.Array | None = None, segment: bool = True) -> pa.LargeListArray:
    """The words of each document, one list per row (see `tokenize`)."""
    return tokenize(text, lang, segment).lists()


def word_counts(text: pa.Array, lang: pa.Array | None = None, segment: bool = True) -> pa.Int64Array:
    """The number of words of each document."""
    return pa.array(tokenize(text, lang, segment).counts)


def has_letter(words: pa.Array) -> pa.BooleanArray:
    """Whether each string holds a Unicode letter (any script; digits and symbols are not letters)."""
    return pc.match_substring_regex(words, r"\p{L}")


def segmenters() -> dict[str, bool]:
    """Which languages' segmenters are installed."""
    return {lang: importlib.util.find_spec(module) is not None for lang, module in SEGMENTED.items()}


@functools.cache
def stop_words(lang: str) -> frozenset[str]:
    """The stop words of a language (lower case), empty when we ship no list for it."""
    path = resources.files("filters") / "stopwords" / f"{lang}.txt"
    if not lang.isalpha() or not path.is_file():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def stop_word_languages() -> frozenset[str]:
    """Languages we ship a stop-word list for."""
    folder = resources.files("filters") / "stopwords"
    return frozenset(item.name[:-4] for item in folder.iterdir() if item.name.endswith(".txt"))


def _code_points(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code point, byte offset) of every character of a valid UTF-8 buffer."""
    if not len(data) or data.max() < 0x80:
        return data, np.arange(len(data), dtype=np.int64)
    starts = np.flatnonzero((data & 0xC0) != 0x80)
    points = data[starts].astype(np.int32)
    wide = np.flatnonzero(points >= 0x80)
    first = points[wide]
    size = 1 + (first >= 0xC0).astype(np.int32) + (first >= 0xE0) + (first >= 0xF0)
    value = first & np.where(size == 2, 0x1F, np.where(size == 3, 0x0F, 0x07))
    last = len(data) - 1
    for k in (1, 2, 3):
        follow = data[np.minimum(starts[wide] + k, last)].astype(np.int32) & 0x3F
        value = np.where(size > k, (value << 6) | follow, value)
    points[wide] = np.minimum(value, MAX_CODE_POINT - 1)
    return points, starts


def _boundaries(classes: np.ndarray, first_char: np.ndarray, visible: np.ndarray, letters: np.ndarray,
                points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where a word starts, and where a word of split-off punctuation starts.

    Dense work is a few byte-wide passes; punctuation, unspaced letters and marks are
    handled at their (sparse) positions. A run of punctuation is inside a word when a
    letter or digit of a spaced script touches it on both sides.
    """
    n = len(classes)
    after_space = np.ones(n, bool)
    after_space[1:] = ~visible[:-1]
    boundary = visible & (after_space | first_char)
    symbol = np.zeros(n, bool)
    last_char = np.append(first_char[1:], True)

    def neighbour(positions: np.ndarray, step: int) -> np.ndarray:
        """The class of the character before (-1) or after (+1), SPACE across documents."""
        edge = first_char if step < 0 else last_char
        found = classes[np.clip(positions + step, 0, max(n - 1, 0))]
        return np.where(edge[positions], SPACE, found)

    # Punctuation beside an unspaced letter is always split off (`す。今` is `す 。 今`).
    wordlike = np.zeros(256, bool)
    wordlike[[WORD, MARK]] = True
    punct = np.flatnonzero(classes >= PUNCT)
    if len(punct):
        new_run = np.ones(len(punct), bool)
        new_run[1:] = (punct[1:] != punct[:-1] + 1) | first_char[punct[1:]]
        run = np.cumsum(new_run) - 1
        run_first = punct[new_run]
        run_last = punct[np.append(np.flatnonzero(new_run)[1:] - 1, len(punct) - 1)]
        before, after = neighbour(run_first, -1), neighbour(run_last, 1)
        # A run that starts a chunk and holds no spaCy prefix character (`--enable`, `/etc`,
        # `-1`) stays on the word after it; so does a dot after a lone letter (`a.`, spaCy's
        # exceptions).
        opening = np.bincount(run, weights=~NOT_PREFIX[points[punct]], minlength=len(run_first)) == 0
        lone = ((points[run_first] == ord(".")) & (run_first == run_last) & (after == SPACE)
                & (before == WORD) & (neighbour(np.maximum(run_first - 1, 0), -1) == SPACE))
        glued = (wordlike[before] & wordlike[after]) | (opening & (before == SPACE) & wordlike[after]) | lone
        # A run ending a chunk after a word loses characters from its end only while they are
        # spaCy suffixes: the rest stays on the word (`insertions(+)` is `insertions(+ )`).
        trailing = wordlike[before] & (after == SPACE)
        in_trailing = np.flatnonzero(trailing[run])
        if len(in_trailing):
            at = punct[in_trailing]
            code = points[at]
            stays = np.where(_digit(points[at - 1]), NOT_SUFFIX_AFTER_DIGIT[code], NOT_SUFFIX[code])
            last_stay = np.full(len(run_first), -1, np.int64)
            np.maximum.at(last_stay, run[in_trailing[stays]], at[stays])
            inside_trailing = at <= last_stay[run[in_trailing]]
        inside = glued[run]
        if len(in_trailing):
            inside[in_trailing] |= inside_trailing
        split = punct[~inside]
        # Each split-off character is a word, except the second and later of a run of dots
        # (`...`) or hyphens (`--`).
        code = points[split]
        previous_code = points[np.maximum(split - 1, 0)]
        continues = ((code == ord(".")) | (code == ord("-"))) & (previous_code == code) & ~first_char[split]
        starts = split[~continues]
        paired = starts[(starts > 0) & ~first_char[starts]]
        pair = points[paired - 1].astype(np.int64) * MAX_CODE_POINT + points[paired]
        paired = paired[np.isin(pair, EMOTICON_PAIRS) & np.isin(paired - 1, starts)]
        starts = np.setdiff1d(starts, paired, assume_unique=True)
        boundary[starts] = True
        symbol[starts] = True
        follows = split[~last_char[split]] + 1
        boundary[follows[visible[follows] & (classes[follows] < PUNCT)]] = True
        joined = punct[inside]
        kind = classes[joined]
        boundary[joined[kind == APOSTROPHE]] = True
        infix = joined[(kind == INFIX) & (neighbour(joined, -1) == WORD) & (neighbour(joined, 1) == WORD)]
        infix = infix[letters[points[infix + 1]]]
        math = joined[np.isin(points[joined], DIGIT_INFIX) & ~first_char[joined] & ~last_char[joined]]
        math = math[_digit(points[math - 1]) & (_digit(points[math + 1]) | (points[math + 1] == ord("-")))]
        infix = np.union1d(infix, math)
        boundary[infix] = True
        symbol[infix] = True
        boundary[infix + 1] = True
    single = np.flatnonzero(classes == SINGLE)
    if len(single):
        boundary[single] = True
        follows = single[~last_char[single]] + 1
        boundary[follows[(classes[follows] == WORD)]] = True
    # Marks belong to the letter before them (accents, Thai vowel signs, kana voicing).
    marks = np.flatnonzero(classes == MARK)
    boundary[marks[neighbour(marks, -1) != SPACE]] = False
    return boundary, symbol


def _digit(points: np.ndarray) -> np.ndarray:
    return (points >= ord("0")) & (points <= ord("9"))


def _segmented(text: pa.Array, lang: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """`text` with the ja/zh/th rows whose segmenter is installed rewritten as space-separated
    words, and which rows those are."""
    lang = lang.cast(pa.string()) if not pa.types.is_string(lang.type) else lang
    available = [code for code, ok in segmenters().items() if ok]
    if not available:
        return text, None
    chosen = pc.fill_null(pc.is_in(lang, pa.array(available)), False)
    rows = np.flatnonzero(chosen.to_numpy(zero_copy_only=False))
    if not len(rows):
        return text, None
    taken = pa.array(rows)
    values, codes = text.take(taken).to_pylist(), lang.take(taken).to_pylist()
    segmented = [" ".join(_segmenter(code)(value)) if value else value
                 for value, code in zip(values, codes, strict=True)]
    rewritten = pc.replace_with_mask(text.cast(pa.large_string()), chosen,
                                     pa.array(segmented, pa.large_string()))
    return rewritten, chosen.to_numpy(zero_copy_only=False)


@functools.cache
def _segmenter(lang: str) -> Callable[[str], list[str]]:
    """The word segmenter of a language (loaded once per process)."""
    if lang == "zh":
        import jieba

        jieba.setLogLevel(60)  # its dictionary-loading banner goes to stderr otherwise
        tokenizer = jieba.Tokenizer()
        return lambda text: tokenizer.lcut(text)
    if lang == "ja":
        from sudachipy import Dictionary, SplitMode

        japanese = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
        return lambda text: [morpheme.surface() for start in range(0, len(text), SUDACHI_CHARS)
                             for morpheme in japanese.tokenize(text[start:start + SUDACHI_CHARS])]
    from pythainlp.tokenize import word_tokenize

    return lambda text: word_tokenize(text, engine="newmm", keep_whitespace=False)

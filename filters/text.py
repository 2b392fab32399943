"""Text normalisation shared by every filter, over whole Arrow string columns.

One place owns what "whitespace", "case-folded" and "what a model reads" mean, so exact
dedup, shingling, toxicity and language ID agree. RE2 (pyarrow's regex engine) reads `\\s`
as ASCII whitespace only: the no-break space and the other Unicode separators must be
named, or "a\\u00a0b" and "a b" normalise differently.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sys
import unicodedata
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpus.store import atomic_write, cache_folder

# Whitespace other than the ASCII space, as Python's str.isspace() sees it: the C0 controls
# it counts, NEL, and the Unicode separators (Zs, Zl, Zp; U+00A0 is the no-break space).
OTHER_WHITESPACE = (
    r"\t\n\x0b\f\r\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)
WHITESPACE = rf"[ {OTHER_WHITESPACE}]"
# fastText reads one line per example: every line break must become a space first.
LINE_BREAKS = r"[\r\n\x0b\f\x{85}\x{2028}\x{2029}]+"


def collapse_whitespace(text: pa.Array) -> pa.Array:
    """Every run of Unicode whitespace as one ASCII space, none at either end."""
    return pc.utf8_trim(pc.replace_substring_regex(text, f"{WHITESPACE}+", " "), " ")


def remove_whitespace(text: pa.Array) -> pa.Array:
    """The text with every Unicode whitespace character removed (for scripts written without spaces)."""
    return pc.replace_substring_regex(text, f"{WHITESPACE}+", "")


def fold(text: pa.Array) -> pa.Array:
    """NFKC, then lower case: full-width, ligature and case variants compare equal."""
    return pc.utf8_lower(nfkc(text))


def nfkc(text: pa.Array) -> pa.Array:
    """The text in Unicode's NFKC form, as pyarrow's utf8_normalize writes it, at a fraction of its cost.

    Most text is NFKC already, and utf8_normalize costs 25-40 us per 2.6 KB row of any script
    but ASCII. A row that Python's unicodedata finds normalized and that holds only characters
    its Unicode version assigns stays as it is: Unicode's normalization stability policy keeps
    such a string normalized in every later version (utf8proc's is later; tests/test_toxicity.py
    checks every code point). ASCII rows are normalized; rows with combining marks go straight
    to utf8_normalize (Python's check is slow there: 100 us on Hindi), as do the rows Python's
    check finds not normalized.
    """
    ascii_rows = pc.fill_null(pc.string_is_ascii(text), False).to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(~ascii_rows)
    redo = np.zeros(len(text), bool)
    if len(candidates):
        sample = text.take(pa.array(candidates))
        slow = pc.fill_null(pc.match_substring_regex(sample, _unassigned_or_mark()), True)
        redo[candidates] = slow.to_numpy(zero_copy_only=False)
        checked = candidates[~redo[candidates]]
        redo[checked] = [not unicodedata.is_normalized("NFKC", value)
                         for value in text.take(pa.array(checked)).to_pylist()]
    if not redo.any():
        return text
    mask = pa.array(redo)
    replacements = pc.utf8_normalize(text.filter(mask), "NFKC")
    if isinstance(replacements, pa.ChunkedArray):
        replacements = replacements.combine_chunks()
    return pc.replace_with_mask(text, mask, replacements)


# Where `_unassigned_or_mark` keeps its class per Unicode version of Python's unicodedata
# (corpus.store.cache_folder), followed by a line with its sha256: building it walks every code
# point, 0.12 s in the driver before the local pool forks (a serial cost of every run with
# toxicity, exact dedup or shingles); reading the file takes about a millisecond.
UNASSIGNED_CACHE = "unicode"


@functools.cache
def _unassigned_or_mark() -> str:
    """An RE2 class of the combining marks and the code points Python's unicodedata leaves
    unassigned (category Cn): read from this user's cache folder, else built and cached there."""
    path = cache_folder(UNASSIGNED_CACHE) / f"unassigned-or-mark-unicode-{unicodedata.unidata_version}.txt"
    with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
        stored, digest = path.read_text().split("\n")
        if hashlib.sha256(stored.encode()).hexdigest() == digest:  # else damaged: built again
            return stored
    built = _built_unassigned_or_mark()
    with contextlib.suppress(OSError):  # no writable cache folder: built again next time
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, f"{built}\n{hashlib.sha256(built.encode()).hexdigest()}")
    return built


def _built_unassigned_or_mark() -> str:
    ranges, start = [], None
    for point in range(sys.maxunicode + 2):
        unassigned = point <= sys.maxunicode and unicodedata.category(chr(point)) == "Cn"
        if unassigned and start is None:
            start = point
        elif not unassigned and start is not None:
            ranges.append(rf"\x{{{start:x}}}-\x{{{point - 1:x}}}")
            start = None
    return rf"[\p{{M}}{''.join(ranges)}]"


def code_point_strings(points: np.ndarray) -> pa.LargeStringArray:
    """One string per code point of `points` (uint32, none a surrogate): how a per-code-point
    table is read from Arrow's own functions."""
    encoded = np.frombuffer(points.tobytes().decode("utf-32-le").encode(), dtype=np.uint8)
    sizes = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
    offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    return pa.LargeStringArray.from_buffers(len(points), pa.py_buffer(offsets), pa.py_buffer(encoded))


def symbols_to_spaces(text: pa.Array) -> pa.Array:
    """Runs of punctuation and symbols (Unicode P*, S*) as one space."""
    return pc.replace_substring_regex(text, r"[\p{P}\p{S}]+", " ")


def words_only(text: pa.Array) -> pa.Array:
    """Runs of anything that is not a letter, mark or number as one space."""
    return pc.replace_substring_regex(text, r"[^\p{L}\p{M}\p{N}]+", " ")


def digits_to_zero(text: pa.Array) -> pa.Array:
    """Every decimal digit of any script as 0: numbers that differ only in value compare equal."""
    return pc.replace_substring_regex(text, r"\p{Nd}", "0")


def model_text(text: pa.Array, chars: int) -> pa.Array:
    """What a fastText model reads: the first `chars` characters, line breaks as single spaces
    (filters.fasttext_model.predict hands its UTF-8 bytes to the compiled predictor)."""
    prefix = pc.utf8_slice_codeunits(text, 0, chars)
    return pc.replace_substring_regex(prefix, LINE_BREAKS, " ")


def utf8_buffer(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(bytes, offsets) of a string column: document i is bytes[offsets[i]:offsets[i + 1]].

    Zero-copy for large_string columns; nulls read as empty strings.
    """
    text = text.cast(pa.large_string()) if not pa.types.is_large_string(text.type) else text
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    data = text.buffers()[2]
    values = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return values, offsets


def utf8_values(text: pa.Array) -> Iterator[memoryview]:
    """The UTF-8 bytes of each document as memoryviews, without building Python strings."""
    values, offsets = utf8_buffer(text)
    data = memoryview(values)
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        yield data[start:end]

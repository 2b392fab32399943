"""special_chars: remove documents made mostly of punctuation, symbols and control characters."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import zipfile
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from corpus.figures import Figures, HistogramPlot, Threshold, ThresholdText
from corpus.schema import TEXT
from corpus.stats import FilterStats
from corpus.store import atomic_save_arrays, cache_folder
from filters.base import Filter, FilterParams, Read, Verdict
from filters.languages import language_codes
from filters.text import OTHER_WHITESPACE, code_point_strings

# Whitespace is filters.text's (Python's str.isspace(); RE2's \s misses the no-break space).
# Special: punctuation (P*), symbols (S*, emoji included) and other (C*) minus whitespace,
# written as "not a letter, mark, number or whitespace": the general categories partition
# the code space, so unassigned code points (Cn) count as special too.
SPECIAL_PATTERN = rf"[^\p{{L}}\p{{M}}\p{{N}} {OTHER_WHITESPACE}]"
WHITESPACE_PATTERN = rf"[ {OTHER_WHITESPACE}]"
# Each code point's class, looked up in a table that RE2 fills (so RE2's Unicode tables decide,
# as they did when each class was a count_substring_regex): one pass over a batch's characters
# instead of three counts: 1.06-1.11 -> 0.45-0.48 CPU-s on the bench's 40,000 web documents.
ORDINARY, WHITESPACE, SPECIAL = 0, 1, 2
# Texts are classified this many UTF-8 bytes of rows at a time (a longer row alone): the
# decoded code points take four bytes each, their positions eight.
PIECE_BYTES = 4 << 20
SURROGATES = range(0xD800, 0xE000)
# The table's cache folder (corpus.store.cache_folder), one file per Arrow release (its RE2 and
# Unicode tables) and patterns: matching takes about 0.13 s, in the driver before the local pool
# forks (a serial cost of every run); reading the file about 1 ms.
CLASSES_CACHE = "special-chars"
CLASSES_FORMAT = 1  # bumped whenever what the table holds changes: an older file is matched again
DEFINITION = (
    "special = Unicode P*, S*, C* characters that are not whitespace; "
    "ratio = special / non-whitespace characters"
)

MAX_RATIO = Threshold("max_ratio", by_key="max_ratio_by_lang", per="language")


class SpecialChars(Filter):
    """Removes a document when special characters make up `max_ratio` or more of it.

    Letters, marks and digits of every script are never special, so Korean, Japanese,
    Chinese, Cyrillic, Arabic or Devanagari prose scores as low as English prose.
    Documents with no visible character are removed with reason `empty`.
    """

    name = "special_chars"
    writes = ("special_char_ratio",)
    score_column = "special_char_ratio"
    figures = Figures(report=(HistogramPlot("special_char_ratio", threshold=MAX_RATIO),
                              ThresholdText(MAX_RATIO)))

    class Params(FilterParams):
        max_ratio: float = Field(0.5, ge=0.0, le=1.0,
                                 description="remove documents whose ratio is at least this")
        max_ratio_by_lang: dict[str, float] = Field(
            default_factory=dict,
            description="per-language thresholds; needs a language column (langid before it, "
                        "or lang_source: input)",
        )
        lang_column: str = Field("lang", description="column holding each document's language")
        lang_source: Literal["chain", "input"] = Field(
            "chain", description="chain: the column an earlier filter (langid) writes; input: the "
                                 "input's column, its values checked against the language codes")

    def column_reads(self) -> tuple[Read, ...]:
        if not self.params.max_ratio_by_lang:
            return ()
        return (Read(self.params.lang_column, self.params.lang_source, key="max_ratio_by_lang",
                     instead="set lang_source: input"),)

    def info(self) -> dict[str, str]:
        return {"definition": DEFINITION}

    def setup(self) -> None:
        self.classes = code_point_classes()
        self.by_lang = pa.array(list(self.params.max_ratio_by_lang), pa.string())
        self.by_lang_values = np.array(list(self.params.max_ratio_by_lang.values()), np.float64)

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        special, whitespace, length = _class_counts(batch.column(TEXT), self.classes)
        visible = length - whitespace
        empty = visible == 0
        ratio = np.divide(special, visible, out=np.zeros(len(special)), where=~empty)
        too_special = ~empty & (ratio >= self._thresholds(batch))
        keep = ~(empty | too_special)

        stats.histogram("special_char_ratio").add(ratio[~empty])
        stats.count("documents", "empty", int(empty.sum()))
        reason = np.where(empty, "empty", np.where(too_special, "too_many_special_chars", None))
        return Verdict(
            keep=pa.array(keep),
            columns={"special_char_ratio": pa.array(ratio.astype(np.float32))},
            reason=pa.array(reason, pa.string()),
        )

    def _thresholds(self, batch: pa.RecordBatch) -> np.ndarray | float:
        """The threshold of each row: its language's, where one is configured."""
        column = self.params.lang_column
        if not len(self.by_lang) or column not in batch.schema.names:
            return self.params.max_ratio
        # Values are checked against the language codes (an input column holds anything).
        known = frozenset(self.params.max_ratio_by_lang)
        codes = pa.array(language_codes(batch.column(column), known).codes, pa.string())
        index = pc.index_in(codes, value_set=self.by_lang)
        index = index.to_numpy(zero_copy_only=False)
        found = ~np.isnan(index.astype(np.float64))
        thresholds = np.full(batch.num_rows, self.params.max_ratio)
        thresholds[found] = self.by_lang_values[index[found].astype(np.int64)]
        return thresholds


@functools.cache
def code_point_classes() -> pa.UInt8Array:
    """ORDINARY, WHITESPACE or SPECIAL for every code point (surrogates, never in a valid text,
    as SPECIAL): read from this user's cache folder, else matched by RE2 and cached there."""
    key = hashlib.sha256(f"{SPECIAL_PATTERN}\n{WHITESPACE_PATTERN}".encode()).hexdigest()[:16]
    path = cache_folder(CLASSES_CACHE) / f"pyarrow-{pa.__version__}-{key}-format-{CLASSES_FORMAT}.npz"
    # Missing, damaged or not a table: matched again.
    with contextlib.suppress(OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        with np.load(path, allow_pickle=False) as stored:
            classes, digest = stored["classes"], stored["sha256"].tobytes()
        if classes.shape == (0x110000,) and classes.dtype == np.uint8 \
                and hashlib.sha256(classes.tobytes()).digest() == digest:
            return pa.array(classes)
    classes = _matched_classes()
    with contextlib.suppress(OSError):  # no writable cache folder: matched again next run
        atomic_save_arrays(path, {"classes": classes, "sha256": np.frombuffer(
            hashlib.sha256(classes.tobytes()).digest(), np.uint8)})
    return pa.array(classes)


def _matched_classes() -> np.ndarray:
    """Each code point's class as RE2 (Arrow's) matches the patterns, one string per code point."""
    points = np.concatenate([np.arange(SURROGATES.start, dtype=np.uint32),
                             np.arange(SURROGATES.stop, 0x110000, dtype=np.uint32)])
    chars = code_point_strings(points)
    special = pc.match_substring_regex(chars, SPECIAL_PATTERN).to_numpy(zero_copy_only=False)
    space = pc.match_substring_regex(chars, WHITESPACE_PATTERN).to_numpy(zero_copy_only=False)
    classes = np.where(special, SPECIAL, np.where(space, WHITESPACE, ORDINARY)).astype(np.uint8)
    return np.insert(classes, SURROGATES.start, np.full(len(SURROGATES), SPECIAL, np.uint8))


def _class_counts(text: pa.Array, classes: pa.UInt8Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Special characters, whitespace characters and characters of each row (a null row: none)."""
    if text.null_count:
        text = text.fill_null("")
    rows = len(text)
    length = pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.int64)
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(text.buffers()[1], width)[text.offset:text.offset + rows + 1]
    data = memoryview(text.buffers()[2] or b"")
    counts = {SPECIAL: np.zeros(rows, np.int64), WHITESPACE: np.zeros(rows, np.int64)}
    start = 0
    while start < rows:
        stop = int(np.searchsorted(offsets, offsets[start] + PIECE_BYTES, side="right")) - 1
        stop = min(rows, max(start + 1, stop))
        points = np.frombuffer(str(data[offsets[start]:offsets[stop]], "utf-8").encode("utf-32-le"),
                               np.uint32)
        # Arrow's take reads uint32 indices as they are (numpy's would first copy them to intp).
        piece = pc.take(classes, pa.array(points)).to_numpy()
        # Row i's characters are [bounds[i], bounds[i + 1]) of the piece.
        bounds = np.zeros(stop - start + 1, np.int64)
        np.cumsum(length[start:stop], out=bounds[1:])
        for kind, count in counts.items():
            hits = np.flatnonzero(piece == kind)
            count[start:stop] = np.diff(np.searchsorted(hits, bounds))
        start = stop
    return counts[SPECIAL], counts[WHITESPACE], length

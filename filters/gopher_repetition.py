"""gopher_repetition: remove documents that repeat lines, paragraphs or word n-grams, by the Gopher rules.

The repetition rules and defaults of Rae et al. 2021 (Gopher), Appendix A, table A1, as
datatrove's GopherRepetitionFilter applies them. Lines, paragraphs and word n-grams are
compared within each document, over whole columns: lines and paragraphs by Arrow's
dictionary encoding, n-grams by 64-bit rolling hashes of word ids (numpy).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, field_validator

from corpus.figures import Figures, HistogramPlot
from corpus.schema import TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, Read, Verdict
from filters.lines import row_languages_or
from filters.text import utf8_buffer
from filters.words import DEFINITION, Words, compiled, prepare, tokenize

TOP_N_GRAMS = {2: 0.20, 3: 0.18, 4: 0.16}
DUP_N_GRAMS = {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}
MAX_N = 20
# Odd multipliers modulo 2**64 (numpy's unsigned arithmetic wraps): n-gram hashes of word ids.
HASH_BASE = np.uint64(0x9E3779B97F4A7C15)
DOC_MIX = np.uint64(0xC2B2AE3D27D4EB4F)


class Thresholds(BaseModel):
    """The Gopher repetition thresholds; null turns a rule off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dup_para_frac: float | None = Field(
        0.30, ge=0, le=1, description="remove documents whose paragraphs (split at blank lines) are more "
                                      "than this share repeats of an earlier paragraph")
    dup_para_char_frac: float | None = Field(
        0.20, ge=0, le=1, description="remove documents whose repeated paragraphs hold more than this "
                                      "share of the characters")
    dup_line_frac: float | None = Field(
        0.30, ge=0, le=1, description="remove documents whose lines are more than this share repeats")
    dup_line_char_frac: float | None = Field(
        0.20, ge=0, le=1, description="remove documents whose repeated lines hold more than this share "
                                      "of the characters")
    top_n_grams: dict[int, float | None] = Field(
        default_factory=lambda: dict(TOP_N_GRAMS),
        description="n -> remove documents where the most frequent word n-gram, times its count, holds "
                    "more than this share of the characters (n = 2..4 in Gopher)")
    dup_n_grams: dict[int, float | None] = Field(
        default_factory=lambda: dict(DUP_N_GRAMS),
        description="n -> remove documents where repeated word n-grams cover more than this share of "
                    "the characters (n = 5..10 in Gopher)")

    @field_validator("top_n_grams", "dup_n_grams")
    @classmethod
    def _sizes(cls, value: dict[int, float | None]) -> dict[int, float | None]:
        if any(not 2 <= n <= MAX_N for n in value):
            raise ValueError(f"n-gram sizes must be between 2 and {MAX_N}")
        return value


class Overrides(Thresholds):
    """Per-language thresholds: only the keys given replace the document-wide ones (n-gram maps merge)."""


class GopherRepetition(Filter):
    """Removes documents failing one of the Gopher repetition rules (reason: the first that fails).

    `gopher_repetition` is each document's largest measure-to-threshold ratio: above 1, a rule fails.
    """

    name = "gopher_repetition"
    writes = ("gopher_repetition",)
    score_column = "gopher_repetition"
    figures = Figures(report=(
        HistogramPlot("gopher_repetition", caption="largest measure / threshold (above 1: removed)"),
        HistogramPlot("dup_line_char_frac", caption="share of characters in repeated lines"),
        HistogramPlot("dup_para_char_frac", caption="share of characters in repeated paragraphs"),
        HistogramPlot("top_2_gram", caption="share of characters in the most frequent word 2-gram"),
        HistogramPlot("dup_5_grams", caption="share of characters in repeated word 5-grams"),
    ))

    class Params(FilterParams, Thresholds):
        by_lang: dict[str, Overrides] = Field(
            default_factory=dict,
            description="per-language thresholds, e.g. {ja: {dup_n_grams: {5: 0.2}}}; needs a language "
                        "column")
        language: str = Field("en", description="language of documents without a language value (by_lang)")
        lang_column: str = Field("lang", description="column holding each document's language")
        lang_source: Literal["chain", "input"] = Field(
            "chain", description="chain: the column an earlier filter (langid) writes; input: the "
                                 "input's column, its values checked against the language codes")
        segment: bool = Field(True, description="segment ja/zh/th documents with the quality extra's "
                                                "segmenters when installed (else one word per letter)")

    def column_reads(self) -> tuple[Read, ...]:
        return (Read(self.params.lang_column, self.params.lang_source,
                     fallback=f"every document is taken as {self.params.language}",
                     key="lang_column", instead="set lang_source: input"),)

    def info(self) -> dict[str, Any]:
        return {"words": DEFINITION, "thresholds": self._rules()}

    def setup(self) -> None:
        self.rules = self._rules()
        prepare()
        sample = pa.array(["a b c d e f g h i j k"], pa.large_string())
        self._measures(sample, tokenize(sample))  # loads the compiled loops now

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        text = batch.column(TEXT)
        langs = row_languages_or(self, self.params, batch, self.params.language)
        words = tokenize(text, pa.array(langs, pa.string()) if self.params.segment else None,
                         self.params.segment)
        parts = [self._measures(text.slice(start, end - start), piece)
                 for start, end, piece in words.slices(text)]
        measures = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
        reason = np.full(len(text), None, dtype=object)
        score = np.zeros(len(text))
        for key, limits in reversed(self.rules):
            values = measures[key]
            limit = np.full(len(text), limits[None])
            for lang, value in limits.items():
                if lang is not None:
                    limit[langs == lang] = value
            with np.errstate(invalid="ignore", divide="ignore"):
                fails = values > limit
                score = np.fmax(score, values / limit)
            reason[fails] = key
        for key, values in measures.items():
            finite = values[np.isfinite(values)]
            stats.histogram(key).add(np.clip(finite, 0, 1))
        stats.histogram("gopher_repetition", 0, 2, 20).add(np.clip(score, 0, 2))
        return Verdict(keep=pa.array(np.equal(reason, None)),
                       columns={"gopher_repetition": pa.array(score.astype(np.float32))},
                       reason=pa.array(reason, pa.string()))

    def _rules(self) -> list[tuple[str, dict[str | None, float]]]:
        """(measure, {language or None: threshold}) in the order rules are checked; NaN: rule off."""
        def flat(values: dict[str, Any]) -> dict[str, float]:
            out = {key: values[key] for key in ("dup_para_frac", "dup_para_char_frac", "dup_line_frac",
                                                "dup_line_char_frac") if key in values}
            out |= {f"top_{n}_gram": limit for n, limit in values.get("top_n_grams", {}).items()}
            out |= {f"dup_{n}_grams": limit for n, limit in values.get("dup_n_grams", {}).items()}
            return {key: np.nan if limit is None else float(limit) for key, limit in out.items()}

        document = flat(self.params.model_dump())
        rules: dict[str, dict[str | None, float]] = {key: {None: limit} for key, limit in document.items()}
        for lang, overrides in self.params.by_lang.items():
            for key, limit in flat(overrides.model_dump(include=overrides.model_fields_set)).items():
                rules.setdefault(key, {None: np.nan})[lang] = limit
        return list(rules.items())


    def _measures(self, text: pa.Array, words: Words) -> dict[str, np.ndarray]:
        rows = len(text)
        length = pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.float64)
        measures: dict[str, np.ndarray] = {}
        with np.errstate(invalid="ignore", divide="ignore"):
            # Paragraphs of the stripped text, split at two or more line breaks (as datatrove).
            count, repeated, chars = _paragraph_repeats(text)
            measures["dup_para_frac"] = repeated / count
            measures["dup_para_char_frac"] = chars / length
            count, repeated, chars = _line_repeats(text)
            measures["dup_line_frac"] = repeated / count
            measures["dup_line_char_frac"] = chars / length
            wanted = {key for key, _ in self.rules}
            top_sizes = {n for n in range(2, MAX_N + 1) if f"top_{n}_gram" in wanted}
            dup_sizes = {n for n in range(2, MAX_N + 1) if f"dup_{n}_grams" in wanted}
            kernel = compiled()
            if kernel is not None:
                top, dup = kernel.n_gram_measures(words.ids, words.counts, words.chars, top_sizes, dup_sizes,
                                                  HASH_BASE)
                for n in range(2, len(top)):
                    if n in top_sizes:
                        measures[f"top_{n}_gram"] = top[n] / length
                    if n in dup_sizes:
                        measures[f"dup_{n}_grams"] = dup[n] / length
                return measures
            grams = NGrams(words)
            for n in range(2, 1 + max(top_sizes | dup_sizes, default=1)):
                starts, ids, counts = grams.advance()
                if f"top_{n}_gram" in wanted:
                    measures[f"top_{n}_gram"] = _top_n_gram(grams, starts, ids, counts, rows) / length
                if f"dup_{n}_grams" in wanted:
                    measures[f"dup_{n}_grams"] = _duplicate_n_grams(grams, starts, ids, counts, rows) / length
        return measures


def _paragraph_repeats(text: pa.Array) -> np.ndarray:
    """Per document: paragraphs, repeated paragraphs and their characters (see `_repeats`)."""
    stripped = pc.utf8_trim_whitespace(text)
    kernel = compiled()
    if kernel is not None:
        return _nulls_none(kernel.piece_repeats(*utf8_buffer(stripped), True), text)
    paragraphs = pc.split_pattern_regex(stripped, r"\n\n+")
    return np.stack(_repeats(paragraphs, len(text), _kept_pieces(paragraphs, all_pieces=True)))


def _line_repeats(text: pa.Array) -> np.ndarray:
    """Per document: lines split at runs of \n (empty lines only at either end, as re.split("\n+")),
    repeated lines and their characters."""
    kernel = compiled()
    if kernel is not None:
        return _nulls_none(kernel.piece_repeats(*utf8_buffer(text), False), text)
    lines = pc.split_pattern(text, "\n")
    return np.stack(_repeats(lines, len(text), _kept_pieces(lines, all_pieces=False)))


def _nulls_none(counts: np.ndarray, text: pa.Array) -> np.ndarray:
    """`counts` with no pieces in null documents (Arrow's split gives them none)."""
    if text.null_count:
        counts[:, text.is_null().to_numpy(zero_copy_only=False)] = 0
    return counts


def _kept_pieces(pieces: pa.ListArray, all_pieces: bool) -> np.ndarray:
    """Which pieces of a split count: all, or (lines) the non-empty ones and those at either end."""
    flat = pieces.flatten()
    if all_pieces:
        return np.ones(len(flat), bool)
    offsets = pieces.offsets.to_numpy() - pieces.offsets[0].as_py()
    ends = np.zeros(len(flat) + 1, bool)
    ends[offsets[:-1]] = True
    ends[offsets[1:] - 1] = True
    return ends[:-1] | (pc.utf8_length(flat).to_numpy(zero_copy_only=False) > 0)


def _repeats(pieces: pa.ListArray, rows: int, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per document: pieces, pieces repeating an earlier one of the document, and their characters."""
    flat = pieces.flatten()
    parent = pc.list_parent_indices(pieces).to_numpy()[kept]
    ids = pc.dictionary_encode(flat).indices.to_numpy().astype(np.int64)[kept]
    chars = pc.utf8_length(flat).to_numpy(zero_copy_only=False)[kept]
    _, first = np.unique(parent * (int(ids.max(initial=0)) + 1) + ids, return_index=True)
    repeat = np.ones(len(ids), bool)
    repeat[first] = False
    return (np.bincount(parent, minlength=rows).astype(np.float64),
            np.bincount(parent, weights=repeat, minlength=rows),
            np.bincount(parent, weights=chars * repeat, minlength=rows))


class NGrams:
    """Word n-grams of a batch, n = 2, 3, ...: which repeat within their document.

    An n-gram can only repeat where the (n-1)-gram at the same word repeats, so each n looks
    only at those positions (few, past n = 3 in prose): the cost falls fast with n. Ids come
    from Arrow's dictionary encoding of 64-bit hashes (word ids rolled, the document mixed in),
    so equal n-grams of one document share an id, numbered in order of first appearance.
    """

    def __init__(self, words: Words) -> None:
        self.words = words
        self.n = 1
        self.starts = np.arange(len(words.doc), dtype=np.int64)
        self.prefix = np.append(0, np.cumsum(words.chars))
        self.word_ids = words.ids.astype(np.uint64) if len(words.doc) else np.zeros(0, np.uint64)

    def advance(self) -> tuple[np.ndarray, np.ndarray]:
        """(start word, id) of the (n+1)-grams that may repeat; the positions left after it."""
        self.n += 1
        n, doc = self.n, self.words.doc
        starts = self.starts[self.starts + n <= len(doc)]
        starts = starts[doc[starts] == doc[starts + n - 1]]
        with np.errstate(over="ignore"):
            key = self.word_ids[starts]
            for k in range(1, n):
                key = key * HASH_BASE + self.word_ids[starts + k]
            key = key * HASH_BASE + doc[starts].astype(np.uint64) * DOC_MIX
        ids = pc.dictionary_encode(pa.array(key)).indices.to_numpy().astype(np.int64)
        counts = np.bincount(ids)[ids] if len(ids) else ids
        self.starts = starts[counts > 1]
        return starts, ids, counts

    def first_length(self, rows: int) -> np.ndarray:
        """Characters of each document's first n-gram, words joined by spaces (NaN: fewer words)."""
        doc, n = self.words.doc, self.n
        first = np.flatnonzero(np.append(True, doc[1:] != doc[:-1]))
        first = first[first + n <= len(doc)]
        first = first[doc[first] == doc[first + n - 1]]
        result = np.full(rows, np.nan)
        result[doc[first]] = self.prefix[first + n] - self.prefix[first] + n - 1
        return result


def _top_n_gram(grams: NGrams, starts: np.ndarray, ids: np.ndarray, counts: np.ndarray,
                rows: int) -> np.ndarray:
    """Per document: characters of its most frequent n-gram (words joined by spaces) times its count.

    Among n-grams as frequent, the one seen first counts (collections.Counter.most_common);
    a document whose n-grams are all unique has its first n-gram. NaN: fewer than n words.
    """
    result = grams.first_length(rows)
    repeated = counts > 1
    starts, counts = starts[repeated], counts[repeated]
    if not len(starts):
        return result
    doc = grams.words.doc[starts]
    # The first n-gram (by position) of each document's largest count wins.
    most = np.zeros(rows, counts.dtype)
    np.maximum.at(most, doc, counts)
    best = np.flatnonzero(counts == most[doc])
    leaders = best[np.append(True, doc[best[1:]] != doc[best[:-1]])]
    start, n = starts[leaders], grams.n
    result[doc[leaders]] = counts[leaders] * (grams.prefix[start + n] - grams.prefix[start] + n - 1)
    return result


def _duplicate_n_grams(grams: NGrams, starts: np.ndarray, ids: np.ndarray, counts: np.ndarray,
                       rows: int) -> np.ndarray:
    """Per document: characters of the n-grams that repeat an earlier one, as datatrove counts them.

    datatrove walks the words: an n-gram seen before adds its characters (the words' own, no
    spaces) and skips n words; anything else is remembered and moves one word on. Only
    n-grams occurring twice or more in their document can be seen before, so the walk steps
    from one of those to the next (or, after a take, to the first at or past the skip): every
    document walks at once, one such n-gram per step, exactly as datatrove's loop.
    """
    words, n = grams.words, grams.n
    result = np.zeros(rows)
    repeated = counts > 1
    positions, gram = starts[repeated], ids[repeated]
    if not len(positions):
        return result
    doc = words.doc[positions]
    chars = grams.prefix[positions + n] - grams.prefix[positions]
    first = np.flatnonzero(np.append(True, doc[1:] != doc[:-1]))
    at, stop = first, np.append(first[1:], len(positions))
    seen = np.zeros(int(gram.max()) + 1, bool)
    while len(at):
        here = gram[at]
        take = seen[here]
        result[doc[at[take]]] += chars[at[take]]
        seen[here[~take]] = True
        at = np.where(take, np.searchsorted(positions, positions[at] + n), at + 1)
        going = at < stop
        at, stop = at[going], stop[going]
    return result

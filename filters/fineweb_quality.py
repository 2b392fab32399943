"""fineweb_quality: FineWeb's line heuristics (punctuated, short and duplicated lines, newlines per word)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from corpus.figures import Figures, HistogramPlot, Threshold
from corpus.schema import TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, Read, Verdict
from filters.lines import (
    PYTHON_WHITESPACE,
    SENTENCE_TERMINALS,
    by_lang_field,
    lang_column_field,
    lang_source_field,
    language_reads,
    overrides_model,
    row_languages,
    row_values,
    split_lines,
)
from filters.words import tokenize

# The four measures, each with the parameter it is compared with and the reason it removes by.
LINE_PUNCT = "fineweb_line_punct_ratio"
SHORT_LINES = "fineweb_short_line_ratio"
DUP_CHARS = "fineweb_dup_char_ratio"
NEWLINES = "fineweb_newline_ratio"
REASONS = ("empty", "line_punct_ratio", "short_line_ratio", "char_dup_ratio", "newline_ratio")

DEFINITION = (
    "lines: text split at \\n, blank lines left out, trailing whitespace ignored; line_punct: share of "
    "lines ending with a sentence terminal of any script; short: share of lines of at most "
    "short_line_length characters; dup_char: characters of lines repeating an earlier line of the "
    "document / characters other than \\n; newline: \\n count / words of filters.words"
)


class FineWebRules(FilterParams):
    """FineWeb's thresholds (each also settable per language in `by_lang`)."""

    line_punct_thr: float = Field(0.12, ge=0.0, le=1.0,
                                  description="remove documents whose share of lines ending with a "
                                              "sentence terminal is below this")
    line_punct_exclude_zero: bool = Field(False, description="keep documents where no line ends with "
                                                             "a terminal (the rule then only removes "
                                                             "low non-zero shares)")
    short_line_thr: float = Field(0.67, ge=0.0, le=1.0,
                                  description="remove documents whose share of short lines is above this")
    short_line_length: int = Field(30, ge=0, description="a line of at most this many characters is short")
    char_duplicates_ratio: float = Field(
        0.1, ge=0.0, le=1.0, description="remove documents whose share of characters in lines repeating "
                                         "an earlier line is above this (FineWeb's published 0.1; "
                                         "datatrove's class default is 0.01)")
    new_line_ratio: float = Field(0.3, ge=0.0, description="remove documents with more line breaks per "
                                                           "word than this")


RULE_FIELDS = tuple(name for name in FineWebRules.model_fields if name not in FilterParams.model_fields)
FineWebOverrides = overrides_model("FineWebOverrides", FineWebRules, RULE_FIELDS)


class FineWebQuality(Filter):
    """Removes documents whose lines look like lists, menus or boilerplate rather than prose.

    The lines are the text's "\\n"-separated lines that hold a visible character. A document
    is removed when fewer than `line_punct_thr` of its lines end with a sentence terminal of
    any script (. ! ? 。 ！ ？ । ؟ ...), when more than `short_line_thr` are at most
    `short_line_length` characters long, when lines repeating an earlier line hold more than
    `char_duplicates_ratio` of its characters, or when it has more than `new_line_ratio` line
    breaks per word (filters.words: spaCy-like tokens, every script); reasons are checked in
    that order. Each measure is written as a column.
    """

    name = "fineweb_quality"
    writes: ClassVar[tuple[str, ...]] = (LINE_PUNCT, SHORT_LINES, DUP_CHARS, NEWLINES)
    score_column = LINE_PUNCT
    figures = Figures(report=(
        HistogramPlot(LINE_PUNCT, caption="Share of lines ending with a sentence terminal",
                      threshold=Threshold("line_punct_thr")),
        HistogramPlot(SHORT_LINES, caption="Share of short lines", threshold=Threshold("short_line_thr")),
        HistogramPlot(DUP_CHARS, caption="Share of characters in repeated lines",
                      threshold=Threshold("char_duplicates_ratio")),
        HistogramPlot(NEWLINES, caption="Line breaks per word", threshold=Threshold("new_line_ratio")),
    ))

    class Params(FineWebRules):
        by_lang: dict[str, FineWebOverrides] = by_lang_field("{ja: {short_line_length: 15}}")  # type: ignore[valid-type]
        lang_column: str = lang_column_field()
        lang_source: Literal["chain", "input"] = lang_source_field()

    def column_reads(self) -> tuple[Read, ...]:
        return language_reads(self, self.params, fallback="counts Han, kana and Thai words one per letter")

    def info(self) -> dict[str, Any]:
        return {"definition": DEFINITION}

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        text = batch.column(TEXT).fill_null("")
        codes = row_languages(self, self.params, batch)
        rule = row_values(self.params, RULE_FIELDS, codes, batch.num_rows)
        lines = split_lines(text, "newline")
        # Trailing whitespace (a "\r" of CRLF text, spaces) is not part of what a line ends with.
        line = pc.utf8_rtrim(lines.values, PYTHON_WHITESPACE)
        chars = _numpy(pc.utf8_length(line))
        visible = _numpy(pc.utf8_length(pc.utf8_ltrim(line, PYTHON_WHITESPACE))) > 0
        count = lines.count(visible)
        punctuated = visible & _numpy(pc.is_in(pc.utf8_slice_codeunits(line, -1),
                                               value_set=pa.array(list(SENTENCE_TERMINALS), line.type)))
        short = visible & (chars <= rule["short_line_length"][lines.doc])
        repeated = visible & _repeats(line, lines.doc, visible)
        breaks = _numpy(pc.count_substring(text, "\n"))
        text_chars = _numpy(pc.utf8_length(text)) - breaks
        words = tokenize(text, None if codes is None else pa.array(codes.tolist(), pa.string())).counts

        measures = {
            LINE_PUNCT: _ratio(lines.count(punctuated), count),
            SHORT_LINES: _ratio(lines.count(short), count),
            DUP_CHARS: _ratio(lines.per_doc(chars, repeated), text_chars),
            NEWLINES: _ratio(breaks, words),
        }
        empty = count == 0
        punct = measures[LINE_PUNCT]
        failed = [empty,
                  (punct < rule["line_punct_thr"]) & ~((punct == 0) & rule["line_punct_exclude_zero"]),
                  measures[SHORT_LINES] > rule["short_line_thr"],
                  measures[DUP_CHARS] > rule["char_duplicates_ratio"],
                  measures[NEWLINES] > rule["new_line_ratio"]]
        reason = np.full(batch.num_rows, None, dtype=object)
        for where, name in reversed(list(zip(failed, REASONS, strict=True))):
            reason[where] = name
        keep = reason == None  # noqa: E711 - elementwise comparison with None

        stats.count("lines", "in", int(count.sum()))
        for name, where in (("punctuated", punctuated), ("short", short), ("repeated", repeated)):
            stats.count("lines", name, int(where.sum()))
        stats.count("documents", "empty", int(empty.sum()))
        for name, values in measures.items():
            stats.histogram(name).add(values[~empty])
        columns = {name: pa.array(values.astype(np.float32)) for name, values in measures.items()}
        return Verdict(keep=pa.array(keep), columns=columns, reason=pa.array(reason, pa.string()))


def _repeats(line: pa.Array, doc: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Whether each line in `where` equals an earlier line of its document (in `where`)."""
    rows = np.flatnonzero(where)
    repeated = np.zeros(len(line), bool)
    if not len(rows):
        return repeated
    encoded = pc.dictionary_encode(line.take(pa.array(rows)))
    value = encoded.indices.to_numpy().astype(np.int64)
    key = doc[rows] * len(encoded.dictionary) + value
    _, first = np.unique(key, return_index=True)
    repeated[rows] = True
    repeated[rows[first]] = False
    return repeated


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros(len(part)), where=whole > 0)


def _numpy(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)

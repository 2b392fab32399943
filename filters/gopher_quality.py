"""gopher_quality: remove documents that do not look like prose, by the Gopher paper's rules.

The rules and defaults of Rae et al. 2021 (Gopher), Appendix A, as datatrove's
GopherQualityFilter applies them: word count, mean word length, hash and ellipsis to word
ratios, bullet and ellipsis lines, words with a letter, stop words. Words are
`filters.words`' (every script counted right); the rules run over whole columns.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field

from corpus.figures import CounterTable, Figures, HistogramPlot, Threshold
from corpus.schema import TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, Read, Verdict
from filters.lines import row_languages_or
from filters.text import utf8_buffer
from filters.words import DEFINITION, compiled, prepare, stop_words, tokenize

# The rules in the order they are checked (the first that fails is the reason): the
# threshold parameter, the measure it cuts, whether the cut is a minimum, and the reason.
RULES = (
    ("min_doc_words", "words", True, "too_few_words"),
    ("max_doc_words", "words", False, "too_many_words"),
    ("min_avg_word_length", "mean_word_length", True, "mean_word_too_short"),
    ("max_avg_word_length", "mean_word_length", False, "mean_word_too_long"),
    ("max_symbol_word_ratio", "hash_ratio", False, "too_many_hashes"),
    ("max_symbol_word_ratio", "ellipsis_ratio", False, "too_many_ellipses"),
    ("max_bullet_lines_ratio", "bullet_lines_ratio", False, "too_many_bullet_lines"),
    ("max_ellipsis_lines_ratio", "ellipsis_lines_ratio", False, "too_many_ellipsis_lines"),
    ("min_alpha_words_ratio", "alpha_words_ratio", True, "too_few_words_with_letters"),
    ("min_stop_words", "stop_words", True, "too_few_stop_words"),
)
# Lines as str.splitlines() counts them, for the common breaks (\n, \r\n, \r); RE2's (?m)
# anchors see \n only, which \r\n text also has. A bullet match runs to the line's end:
# Arrow counts by searching again from the end of each match, where `^` would match anew.
BULLET_LINE = r"(?m)^[ \t\f\v\x{a0}]*[-•][^\n]*"
ELLIPSIS_LINE = r"(?m)(?:\.\.\.|…)[ \t\r\f\v\x{a0}]*$"


class Thresholds(BaseModel):
    """The Gopher rules' thresholds; null turns a rule off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_doc_words: int | None = Field(
        50, ge=0, description="remove documents with fewer words (punctuation words not counted)")
    max_doc_words: int | None = Field(
        100_000, ge=0, description="remove documents with more words (punctuation words not counted)")
    min_avg_word_length: float | None = Field(
        3, ge=0, description="remove documents whose mean word length (characters, punctuation words "
                             "not counted) is below this")
    max_avg_word_length: float | None = Field(
        10, ge=0, description="remove documents whose mean word length is above this")
    max_symbol_word_ratio: float | None = Field(
        0.1, ge=0, description="remove documents with more '#' per word, or more ellipses ('...', '…') "
                               "per word, than this")
    max_bullet_lines_ratio: float | None = Field(
        0.9, ge=0, le=1, description="remove documents with a larger share of lines starting with '-' or '•'")
    max_ellipsis_lines_ratio: float | None = Field(
        0.3, ge=0, le=1, description="remove documents with a larger share of lines ending with an ellipsis")
    min_alpha_words_ratio: float | None = Field(
        0.8, ge=0, le=1, description="remove documents where a smaller share of words holds a letter "
                                     "(any Unicode letter)")
    min_stop_words: int | None = Field(
        2, ge=0, description="remove documents with fewer distinct stop words of their language "
                             "(filters/stopwords; languages without a list skip the rule)")


class Overrides(Thresholds):
    """Per-language thresholds: only the keys given replace the document-wide ones."""


# The character rule makes every Han, kana or Thai letter a word (mean length 1; a segmenter
# gives 1.5-2.5), so the mean-word-length floor would remove all Chinese, Japanese and Thai.
# A Korean eojeol is a few syllable blocks: everyday sentences average 2.5-3.5 characters.
DEFAULT_BY_LANG = {
    "ko": {"min_avg_word_length": 2},
    "ja": {"min_avg_word_length": 1},
    "zh": {"min_avg_word_length": 1},
    "th": {"min_avg_word_length": 1},
}

MIN_ALPHA = Threshold("min_alpha_words_ratio", by_key="by_lang", per="language")


class GopherQuality(Filter):
    """Removes documents failing one of the Gopher quality rules (reason: the first that fails)."""

    name = "gopher_quality"
    writes = ("gopher_words", "gopher_mean_word_length", "gopher_alpha_words_ratio")
    score_column = "gopher_alpha_words_ratio"
    figures = Figures(report=(
        HistogramPlot("words_log10", caption="words per document (log10)"),
        HistogramPlot("mean_word_length", caption="mean word length (characters)"),
        HistogramPlot("alpha_words_ratio", caption="share of words with a letter", threshold=MIN_ALPHA),
        HistogramPlot("stop_words", caption="distinct stop words (10 = 10 or more)"),
        HistogramPlot("bullet_lines_ratio", caption="share of bullet lines"),
        HistogramPlot("ellipsis_lines_ratio", caption="share of lines ending with an ellipsis"),
        CounterTable(("stop_words_skipped",), key_header="language",
                     headers=("documents without a stop-word list",)),
    ))

    class Params(FilterParams, Thresholds):
        by_lang: dict[str, Overrides] = Field(
            default_factory=dict,
            description="per-language thresholds, e.g. {ja: {min_doc_words: 80}}; applied over the "
                        "built-in ones (ja, zh, th: min_avg_word_length 1; ko: 2); needs a language column")
        language: str = Field("en", description="language of documents without a language value "
                                                "(stop-word list, by_lang)")
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
        return {"words": DEFINITION, "thresholds_by_lang": self._by_lang()}

    def setup(self) -> None:
        self.by_lang = self._by_lang()
        prepare()
        _text_counts(pa.array(["a b..."], pa.large_string()))  # loads the compiled loop now

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        text = batch.column(TEXT)
        langs = row_languages_or(self, self.params, batch, self.params.language)
        words = tokenize(text, pa.array(langs, pa.string()) if self.params.segment else None,
                         self.params.segment)
        measures = self._measures(text, words, langs, stats)
        reason = np.full(len(text), None, dtype=object)
        for param, measure, minimum, why in reversed(RULES):
            limit = self._thresholds(param, langs)
            values = measures[measure]
            with np.errstate(invalid="ignore"):
                fails = values < limit if minimum else values > limit
            reason[fails] = why
        keep = np.equal(reason, None)
        self._count(stats, measures)
        return Verdict(
            keep=pa.array(keep),
            columns={"gopher_words": pa.array(measures["words"].astype(np.int32)),
                     "gopher_mean_word_length": pa.array(measures["mean_word_length"].astype(np.float32)),
                     "gopher_alpha_words_ratio": pa.array(measures["alpha_words_ratio"].astype(np.float32))},
            reason=pa.array(reason, pa.string()),
        )

    def _by_lang(self) -> dict[str, dict[str, float | None]]:
        merged = {lang: dict(values) for lang, values in DEFAULT_BY_LANG.items()}
        for lang, overrides in self.params.by_lang.items():
            merged.setdefault(lang, {}).update(overrides.model_dump(include=overrides.model_fields_set))
        return merged


    def _thresholds(self, param: str, langs: np.ndarray) -> np.ndarray:
        """The threshold of each row (NaN: rule off, so no comparison fails)."""
        default = getattr(self.params, param)
        limits = np.full(len(langs), np.nan if default is None else default, dtype=np.float64)
        for lang, values in self.by_lang.items():
            if param in values:
                limits[langs == lang] = np.nan if values[param] is None else values[param]
        return limits

    def _measures(self, text: pa.Array, words: Any, langs: np.ndarray,
                  stats: FilterStats) -> dict[str, np.ndarray]:
        counted = ~words.symbol
        all_words = words.counts.astype(np.float64)
        n_words = words.per_document(counted)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_length = words.per_document(np.where(counted, words.chars, 0)) / n_words
            hashes, ellipses, lines, bullets, ellipsis_lines = _text_counts(text)
            return {
                "words": n_words,
                "mean_word_length": mean_length,
                "hash_ratio": hashes / all_words,
                "ellipsis_ratio": ellipses / all_words,
                "bullet_lines_ratio": bullets / lines,
                "ellipsis_lines_ratio": ellipsis_lines / lines,
                "alpha_words_ratio": words.per_document(words.letter) / all_words,
                "stop_words": self._stop_words(words, langs, stats),
            }

    def _stop_words(self, words: Any, langs: np.ndarray, stats: FilterStats) -> np.ndarray:
        """Distinct stop words of each document's language in it (NaN: no list, rule skipped)."""
        found = np.full(len(langs), np.nan)
        if self.params.min_stop_words is None and not any(
                "min_stop_words" in values for values in self.by_lang.values()):
            return found
        vocabulary, ids = pc.utf8_lower(words.vocabulary), words.ids
        for lang in np.unique(langs.astype(str)):
            rows = langs == lang
            listed = stop_words(lang)
            if not listed:
                stats.count("stop_words_skipped", lang, int(rows.sum()))
                continue
            vocabulary_index = pc.index_in(vocabulary, value_set=pa.array(sorted(listed)))
            index = vocabulary_index.fill_null(-1).to_numpy()
            # Positions of listed words, then of those in documents of this language.
            hit = np.flatnonzero((index >= 0)[ids])
            hit = hit[rows[words.doc[hit]]]
            pairs = np.unique(words.doc[hit].astype(np.int64) * len(listed) + index[ids[hit]])
            found[rows] = 0
            found += np.bincount(pairs // len(listed), minlength=len(langs))
        return found

    def _count(self, stats: FilterStats, measures: dict[str, np.ndarray]) -> None:
        def add(key: str, values: np.ndarray, low: float = 0.0, high: float = 1.0, bins: int = 20) -> None:
            stats.histogram(key, low, high, bins).add(np.clip(values[np.isfinite(values)], low, high))

        add("words_log10", np.log10(np.maximum(measures["words"], 1)), 0, 6, 24)
        add("mean_word_length", measures["mean_word_length"], 0, 20, 20)
        add("alpha_words_ratio", measures["alpha_words_ratio"])
        add("stop_words", measures["stop_words"], 0, 10, 10)
        add("bullet_lines_ratio", measures["bullet_lines_ratio"])
        add("ellipsis_lines_ratio", measures["ellipsis_lines_ratio"])


def _text_counts(text: pa.Array) -> np.ndarray:
    """Per document (NaN: null): '#', ellipses, lines, bullet lines and lines ending with an ellipsis."""
    kernel = compiled()
    if kernel is not None:
        counts = kernel.text_counts(*utf8_buffer(text))
        if text.null_count:
            counts[:, text.is_null().to_numpy(zero_copy_only=False)] = np.nan
        return counts
    lines = (_counts(pc.count_substring(text, "\n")) + _counts(pc.count_substring(text, "\r"))
             - _counts(pc.count_substring(text, "\r\n")))
    # A last line without a break counts too (str.splitlines()).
    ends_open = ~pc.fill_null(pc.match_substring_regex(text, r"[\r\n]$"), True).to_numpy(zero_copy_only=False)
    return np.stack([_counts(pc.count_substring(text, "#")),
                     _counts(pc.count_substring(text, "...")) + _counts(pc.count_substring(text, "…")),
                     lines + ends_open,
                     _counts(pc.count_substring_regex(text, BULLET_LINE)),
                     _counts(pc.count_substring_regex(text, ELLIPSIS_LINE))])


def _counts(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False).astype(np.float64)

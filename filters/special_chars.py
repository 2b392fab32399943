"""special_chars: remove documents made mostly of punctuation, symbols and control characters."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from corpus.figures import Figures, HistogramPlot, Threshold, ThresholdText
from corpus.schema import TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, Read, Verdict
from filters.languages import language_codes
from filters.text import OTHER_WHITESPACE

# Whitespace is filters.text's (Python's str.isspace(); RE2's \s misses the no-break space).
# The ASCII space is counted with a literal search: as a regex match it is so frequent that
# counting it costs eight times more than everything else together.
# Special: punctuation (P*), symbols (S*, emoji included) and other (C*) minus whitespace,
# written as "not a letter, mark, number or whitespace": the general categories partition
# the code space, so unassigned code points (Cn) count as special too.
SPECIAL_PATTERN = rf"[^\p{{L}}\p{{M}}\p{{N}} {OTHER_WHITESPACE}]"
OTHER_WHITESPACE_PATTERN = rf"[{OTHER_WHITESPACE}]"
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
        self.by_lang = pa.array(list(self.params.max_ratio_by_lang), pa.string())
        self.by_lang_values = np.array(list(self.params.max_ratio_by_lang.values()), np.float64)

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        text = batch.column(TEXT)
        special = _counts(pc.count_substring_regex(text, SPECIAL_PATTERN))
        whitespace = _counts(pc.count_substring(text, " ")) + _counts(
            pc.count_substring_regex(text, OTHER_WHITESPACE_PATTERN))
        visible = _counts(pc.utf8_length(text)) - whitespace
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


def _counts(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False).astype(np.int64)

"""c4_quality: C4's line cleaning (keep the lines that end a sentence) and its document rules."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from corpus.figures import (
    CounterBars,
    CounterTable,
    Figures,
    HistogramPlot,
    Series,
    Threshold,
    ThresholdText,
)
from corpus.schema import TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, Read, Verdict
from filters.lines import (
    CLOSING_QUOTES,
    ELLIPSES,
    PYTHON_WHITESPACE,
    SENTENCE_TERMINALS,
    Lines,
    by_lang_field,
    lang_column_field,
    lang_source_field,
    language_reads,
    max_chunk_chars,
    overrides_model,
    re2_class,
    row_languages,
    row_values,
    split_lines,
    whitespace_chunks,
)
from filters.words import tokenize

# Wikipedia-style citation markers, removed from every line: [1], [], [edit], [citation needed].
CITATION = r"\[\p{Nd}*\]|\[edit\]|\[citation needed\]"
POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
# A line ends a sentence when it ends with a sentence terminal of any script (C4: . ? !), with
# a straight quote (as in C4), or with a terminal followed by closing quotes (“… done.” 「…た。」):
# a curly quote alone mostly closes a phrase in a line wrapped mid-sentence (provided “as is”).
STRAIGHT_QUOTES = "\"'"
# Letters of the scripts written without spaces: a line holding one has its words counted by
# filters.words (a segmenter, or one word per letter), not by whitespace.
UNSPACED = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]"

# Sentences of a kept line, counted as spaCy's sentencizer counts them on its English tokens
# (what C4 and datatrove use): a sentence ends at a terminal mark that is a token of its own
# and is followed, past any punctuation, by a letter or number. A terminal is its own token at
# the end of a chunk, and (not ".") at its start ("(!52)"); so runs of dots, initials and
# abbreviations (`U.S.`, `e.g.`, `R. Link`, `Mr.`) end none, and "foo.Bar" splits (an infix).
# Full-width marks (。！？) end a sentence with no space after them.
_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Rev", "St", "Mt", "Jr", "Co", "Corp", "Inc",
                  "Ltd", "Bros", "Gen", "Gov", "Sen", "Rep", "Adm", "Ph\\.D", "vs", "Jan", "Feb", "Mar",
                  "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
NOT_AN_END = r"(^|[^\p{L}\p{N}.])((?:\p{L}\.)*\p{L}|" + "|".join(_ABBREVIATIONS) + r")\.|\.\.+"
_WIDE_ENDS = "。！？｡"
_ENDS = re2_class("".join(char for char in SENTENCE_TERMINALS if char not in _WIDE_ENDS))
_PREFIX_ENDS = re2_class("".join(char for char in SENTENCE_TERMINALS if char not in _WIDE_ENDS + "."))
_NEXT_WORD = r"[^\p{L}\p{N}]*[\p{L}\p{N}]"
SENTENCE_BREAK = "|".join((rf"[{_ENDS}][^\s\p{{L}}\p{{N}}]*\s{_NEXT_WORD}",
                           rf"(?:^|\s)[^\s\p{{L}}\p{{N}}]*[{_PREFIX_ENDS}]{_NEXT_WORD}",
                           rf"[{_WIDE_ENDS}]{_NEXT_WORD}",
                           r"\p{Ll}\.\p{Lu}"))

# Line rules in the order C4 applies them: a removed line is counted under the first it fails.
LINE_RULES = ("too_long_word", "no_terminal_punctuation", "too_few_words", "javascript", "policy")
REASONS = ("lorem_ipsum", "curly_bracket", "too_few_sentences", "empty")
SENTENCES_CAP = 50

MIN_SENTENCES = Threshold("min_num_sentences")
DEFINITION = (
    "lines: str.splitlines(), stripped; citations removed; a line is kept when it ends with a sentence "
    "terminal of any script or a closing quote (not ...), has min_words_per_line whitespace words "
    "(words of filters.words in lines of unspaced scripts), no word over max_word_length, and no "
    "javascript or policy phrase; lorem ipsum or { in a kept line removes the document; sentences: "
    "spaCy sentencizer boundaries in the kept lines"
)


class C4Rules(FilterParams):
    """C4's rules and thresholds (each also settable per language in `by_lang`)."""

    min_num_sentences: int = Field(5, ge=0, description="remove documents whose kept lines hold fewer "
                                                        "sentences (0: off)")
    min_words_per_line: int = Field(3, ge=0, description="remove lines with fewer words (0: off)")
    max_word_length: int = Field(1000, ge=0, description="remove lines holding a longer word, in "
                                                         "characters (0: off)")
    remove_citations: bool = Field(True, description="remove citation markers: [1], [edit], "
                                                     "[citation needed]")
    filter_no_terminal_punct: bool = Field(True, description="remove lines that do not end with a "
                                                             "sentence terminal or closing quote, or "
                                                             "that end with an ellipsis")
    filter_lorem_ipsum: bool = Field(True, description="remove documents with 'lorem ipsum' in a kept line")
    filter_javascript: bool = Field(True, description="remove lines mentioning javascript")
    filter_curly_bracket: bool = Field(True, description="remove documents with { in a kept line")
    filter_policy: bool = Field(True, description="remove lines with terms-of-use, privacy or cookie "
                                                  "phrases")


RULE_FIELDS = tuple(name for name in C4Rules.model_fields if name not in FilterParams.model_fields)
C4Overrides = overrides_model("C4Overrides", C4Rules, RULE_FIELDS)


class C4Quality(Filter):
    """Cleans documents line by line as C4 did, and removes those left with too little text.

    Every line is stripped and loses its citation markers; a line is kept when it ends with a
    sentence terminal (of any script: . ! ? 。 ！ ？ । ؟ ...) or a closing quote and not with an
    ellipsis, holds `min_words_per_line` words and no word longer than `max_word_length`, and
    mentions neither javascript nor a terms-of-use, privacy or cookie phrase. The kept lines,
    in order and joined by "\\n", replace `text`. A document is removed when a kept line says
    "lorem ipsum" or holds a curly bracket, when no line is kept (`empty`), or when the kept
    lines hold fewer than `min_num_sentences` sentences. Words are whitespace-separated, as in
    C4, except in lines of scripts written without spaces, where filters.words counts them.
    """

    name = "c4_quality"
    writes: ClassVar[tuple[str, ...]] = (TEXT, "c4_sentences", "c4_lines_removed")
    score_column = "c4_sentences"
    figures = Figures(report=(
        HistogramPlot("c4_sentences", caption="Sentences in the kept lines of each document",
                      threshold=MIN_SENTENCES),
        ThresholdText(MIN_SENTENCES),
        CounterBars(("lines_removed_by_rule",),
                    (Series("lines_removed_by_rule", "lines removed", "removed"),),
                    "Lines removed from the documents kept, by the first rule they fail.", order="count",
                    rotation=20),
        CounterTable(("lines_removed_by_rule", "chars_removed_by_rule"), "rule", ("lines", "characters"),
                     order="count", empty="No line removed."),
    ))

    class Params(C4Rules):
        by_lang: dict[str, C4Overrides] = by_lang_field("{ja: {min_words_per_line: 1}}")  # type: ignore[valid-type]
        lang_column: str = lang_column_field()
        lang_source: Literal["chain", "input"] = lang_source_field()

    def column_reads(self) -> tuple[Read, ...]:
        return language_reads(self, self.params, fallback="counts Han, kana and Thai words one per letter")

    def info(self) -> dict[str, Any]:
        return {"definition": DEFINITION}

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        text = batch.column(TEXT)
        codes = row_languages(self, self.params, batch)
        per_doc = row_values(self.params, RULE_FIELDS, codes, batch.num_rows)
        lines = split_lines(text, "universal")
        rule = {name: values[lines.doc] for name, values in per_doc.items()}
        line = pc.utf8_trim(lines.values, PYTHON_WHITESPACE)
        line, citation_chars = _remove_citations(line, rule["remove_citations"])
        chars = _numpy(pc.utf8_length(line))
        blank = chars == 0
        limit = rule["max_word_length"]
        words, longest = _words(line, lines, codes, limit)
        too_long = (limit > 0) & (longest > limit)
        unended = rule["filter_no_terminal_punct"] & ~_ends_sentence(line)
        few_words = words < rule["min_words_per_line"]
        candidate = ~blank & ~too_long & ~unended & ~few_words
        phrases = _phrases(line, candidate)
        javascript = phrases["javascript"] & rule["filter_javascript"]
        policy = phrases["policy"] & rule["filter_policy"]
        lorem = phrases["lorem ipsum"] & rule["filter_lorem_ipsum"]
        curly = phrases["{"] & rule["filter_curly_bracket"] & ~lorem & ~javascript
        kept_line = candidate & ~javascript & ~policy
        sentences = lines.per_doc(_sentences(line, kept_line), kept_line).astype(np.int64)

        reason = self._reasons(lines, lorem, curly, kept_line, sentences, per_doc["min_num_sentences"])
        keep = reason == None  # noqa: E711 - elementwise comparison with None
        failed = np.select([blank, too_long, unended, few_words, javascript, policy],
                           [-1, *range(len(LINE_RULES))], default=-2)
        removed_lines = lines.count(failed >= 0)
        columns = {"c4_sentences": pa.array(sentences.astype(np.int32)),
                   "c4_lines_removed": pa.array(removed_lines.astype(np.int32))}
        cleaned = lines.join(line, kept_line)
        if self.params.mode == "filter":
            columns[TEXT] = pc.if_else(pa.array(keep), cleaned, text)
        self._count(stats, lines, keep, failed, chars, citation_chars, kept_line, sentences, text, cleaned)
        return Verdict(keep=pa.array(keep), columns=columns, reason=pa.array(reason, pa.string()))

    def _reasons(self, lines: Lines, lorem: np.ndarray, curly: np.ndarray, kept_line: np.ndarray,
                 sentences: np.ndarray, min_sentences: np.ndarray) -> np.ndarray:
        """Why each document is removed (None: kept). The first kept line with lorem ipsum or a
        curly bracket decides, as C4 stops at it; then an empty result, then too few sentences."""
        first = lines.first(lorem | curly)
        event = first >= 0
        reason = np.full(lines.docs, None, dtype=object)
        empty = lines.count(kept_line) == 0
        reason[~event & ~empty & (sentences < min_sentences)] = "too_few_sentences"
        reason[~event & empty] = "empty"
        reason[event] = np.where(lorem[first[event]], "lorem_ipsum", "curly_bracket")
        return reason

    def _count(self, stats: FilterStats, lines: Lines, keep: np.ndarray, failed: np.ndarray,
               chars: np.ndarray, citation_chars: np.ndarray, kept_line: np.ndarray,
               sentences: np.ndarray, text: pa.Array, cleaned: pa.Array) -> None:
        """Lines and characters each rule removes from the documents kept; sentence and kept-share
        histograms. (In annotate mode: what filter mode would remove.)"""
        in_kept_doc = keep[lines.doc]
        stats.count("lines", "in", int((failed != -1).sum()))
        stats.count("lines", "kept", int((kept_line & in_kept_doc).sum()))
        for index, name in enumerate(LINE_RULES):
            removed = in_kept_doc & (failed == index)
            if removed.any():
                stats.count("lines_removed_by_rule", name, int(removed.sum()))
                stats.count("chars_removed_by_rule", name, int(chars[removed].sum()))
        cited = int(citation_chars[in_kept_doc].sum())
        if cited:
            stats.count("chars_removed_by_rule", "citation", cited)
        stats.histogram("c4_sentences", 0, SENTENCES_CAP, SENTENCES_CAP).add(sentences)
        before = _numpy(pc.utf8_length(text.fill_null("")))[keep]
        after = _numpy(pc.utf8_length(cleaned))[keep]
        stats.histogram("c4_kept_char_fraction").add(
            np.divide(after, before, out=np.ones(len(after)), where=before > 0))


def _remove_citations(line: pa.Array, enabled: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """The lines without citation markers (stripped again), and the characters each lost."""
    lost = np.zeros(len(line), np.int64)
    has = _numpy(pc.match_substring(line, "[")) & enabled
    if not has.any():
        return line, lost
    mask = pa.array(has)
    before = line.filter(mask)
    after = pc.utf8_trim(pc.replace_substring_regex(before, CITATION, ""), PYTHON_WHITESPACE)
    lost[has] = _numpy(pc.utf8_length(before)) - _numpy(pc.utf8_length(after))
    return pc.replace_with_mask(line, mask, after), lost


def _words(line: pa.Array, lines: Lines, codes: np.ndarray | None,
           limit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Words in each line and the length of its longest word in characters (where it can pass `limit`).

    Whitespace-separated chunks (C4's `line.split()`), except in lines holding letters of a
    script written without spaces, whose words are filters.words' (punctuation not counted).
    """
    words = whitespace_chunks(line)
    chars = _numpy(pc.utf8_length(line))
    longest = np.zeros(len(line), np.int64)
    # Only a line of 2+ multi-byte characters can hold an unspaced letter (3 bytes in UTF-8).
    wide = np.flatnonzero(_numpy(pc.binary_length(line)) - chars >= 2)
    unspaced = wide[_numpy(pc.match_substring_regex(line.take(pa.array(wide)), UNSPACED))]
    spaced = np.ones(len(line), bool)
    spaced[unspaced] = False
    # A word can be longer than the limit only in a line that long.
    long = np.flatnonzero(spaced & (limit > 0) & (chars > limit))
    if len(long):
        longest[long] = max_chunk_chars(line.take(pa.array(long)))
    if len(unspaced):
        lang = None if codes is None else pa.array(codes[lines.doc[unspaced]].tolist(), pa.string())
        found = tokenize(line.take(pa.array(unspaced)), lang)
        words[unspaced] = np.bincount(found.doc[~found.symbol], minlength=len(unspaced))
        most = np.zeros(len(unspaced), np.int64)
        np.maximum.at(most, found.doc, found.chars)
        longest[unspaced] = most
    return words, longest


def _ends_sentence(line: pa.Array) -> np.ndarray:
    """Whether each line ends with a sentence terminal or a straight quote and not with an ellipsis
    (C4), or with a terminal and closing quotes and no ellipsis before them."""
    ends = _numpy(pc.is_in(pc.utf8_slice_codeunits(line, -1),
                           value_set=pa.array(list(SENTENCE_TERMINALS + STRAIGHT_QUOTES), line.type)))
    core = pc.utf8_rtrim(line, CLOSING_QUOTES)
    quoted = _numpy(pc.not_equal(pc.utf8_length(core), pc.utf8_length(line)))
    ends |= quoted & _numpy(pc.is_in(pc.utf8_slice_codeunits(core, -1),
                                     value_set=pa.array(list(SENTENCE_TERMINALS), line.type)))
    for ellipsis in ELLIPSES:
        ends &= ~_numpy(pc.ends_with(core, ellipsis))
    return ends


def _phrases(line: pa.Array, where: np.ndarray) -> dict[str, np.ndarray]:
    """Which lines in `where` hold each phrase C4 looks for (case-insensitive, "{" as is)."""
    rows = np.flatnonzero(where)
    chosen = line.take(pa.array(rows))
    lower = pc.utf8_lower(chosen)
    found = {}
    for name, values, pattern in (("javascript", lower, "javascript"), ("lorem ipsum", lower, "lorem ipsum"),
                                  ("{", chosen, "{")):
        found[name] = np.zeros(len(line), bool)
        found[name][rows] = _numpy(pc.match_substring(values, pattern))
    found["policy"] = np.zeros(len(line), bool)
    for phrase in POLICY:
        found["policy"][rows] |= _numpy(pc.match_substring(lower, phrase))
    return found


def _sentences(line: pa.Array, where: np.ndarray) -> np.ndarray:
    """Sentences in each line in `where` (0 elsewhere): one, plus one per sentence break."""
    rows = np.flatnonzero(where)
    counted = np.zeros(len(line), np.int64)
    plain = pc.replace_substring_regex(line.take(pa.array(rows)), NOT_AN_END, r"\1\2")
    counted[rows] = _numpy(pc.count_substring_regex(plain, SENTENCE_BREAK)) + 1
    return counted


def _numpy(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)

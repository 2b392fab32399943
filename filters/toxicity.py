"""toxicity: score every document 0..1 with a backend that covers its language; remove the worst."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, model_validator

from corpus.figures import CounterTable, Figures, HistogramPlot, Threshold
from corpus.schema import TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, Read, ResourceProblem, Verdict
from filters.fasttext_model import (
    bundled_lid_model,
    check_model,
    load_predictor,
    parse_label,
    predict,
)
from filters.languages import language_codes
from filters.text import WHITESPACE, model_text
from filters.toxicity_backends import (
    ClassifierScorer,
    FastTextScorer,
    WordlistScorer,
    check_classifier,
    check_wordlist,
    classifier_versions,
    fasttext_versions,
    wordlist_versions,
)

NOT_SCORED = "none"
# The language of documents no language is known for, where only statistics need one.
UNDETERMINED = "und"
# Characters of each document lid.176 reads where toxicity identifies languages itself.
DETECT_CHARS = 1000
# Sentence boundaries for `unit: sentence`: line breaks and sentence-final punctuation
# (Latin, CJK full-width, Devanagari danda).
SENTENCE_END = rf"[\n\r]+|[.!?。！？।]+{WHITESPACE}*"


class Toxicity(Filter):
    """Writes `toxicity_score` (0..1) and removes documents scoring above `max_score`.

    backend `auto` routes each document by its language: to the fastText model for
    `fasttext_languages` when `model_path` is set, to the English classifier for English,
    and to the word list of its language otherwise. A document no backend covers keeps a
    null score and is counted. The language (`lang_source`) is the column an earlier filter
    (langid) writes, or the input's column (`input`), where it holds a language code; a
    document without one, and every document with `detect` or when no filter before it
    writes a language, is identified with fastText's lid.176. Values that are not language
    codes are counted as `other` (`lang_values`), never used as they are.
    """

    name = "toxicity"
    writes = ("toxicity_score",)
    score_column = "toxicity_score"
    figures = Figures(report=(
        HistogramPlot("toxicity_score", "Toxicity score, over all documents and per backend",
                      Threshold("max_score"), parts=True, total_title="all backends"),
        CounterTable(("docs_by_backend",), "backend", ("documents",)),
    ))

    class Params(FilterParams):
        backend: Literal["auto", "classifier", "fasttext", "wordlist"] = Field(
            "auto", description="auto routes by language; the others score every document")
        max_score: float = Field(0.8, ge=0.0, le=1.0, description="remove documents scoring above this")
        lang_column: str = Field("lang", description="the column holding each document's language")
        lang_source: Literal["chain", "input", "detect"] = Field(
            "chain", description="chain: the column an earlier filter (langid) writes, else lid.176; "
                                 "input: the input's column, its values checked; detect: lid.176")
        model_path: str | None = Field(None, description="fastText supervised model (fasttext backend)")
        label: str = Field("__label__toxic", description="the toxic class label of that model")
        fasttext_languages: list[str] = Field(
            default_factory=list, description="auto: languages sent to the fastText model (empty: all)")
        wordlists: dict[str, str] = Field(
            default_factory=dict, description="extra or replacement word-list files per language")
        wordlist_saturation: float = Field(
            0.02, gt=0.0, le=1.0, description="flagged-word share that scores 1.0")
        chars_per_word: dict[str, float] = Field(
            default_factory=lambda: {"zh": 1.5, "ja": 2.0, "ko": 3.0, "th": 3.0},
            description="languages matched as substrings, and characters per word to count words")
        text_chars: int = Field(5000, gt=0, description="characters the fastText models read")
        unit: Literal["document", "sentence"] = Field(
            "document", description="classifier and fasttext: score the whole document, or each "
                                    "sentence and keep the highest (catches one toxic line in prose)")

        @model_validator(mode="after")
        def _fasttext_needs_a_model(self) -> Toxicity.Params:
            if self.backend == "fasttext" and not self.model_path:
                raise ValueError("backend fasttext needs model_path")
            return self

    def setup(self) -> None:
        params = self.params
        self.scorers: dict[str, Any] = {}
        if params.backend in ("auto", "classifier"):
            self.scorers["classifier"] = ClassifierScorer()
        if params.model_path and params.backend in ("auto", "fasttext"):
            self.scorers["fasttext"] = FastTextScorer(params.model_path, params.label, params.text_chars)
        if params.backend in ("auto", "wordlist"):
            self.scorers["wordlist"] = WordlistScorer(params.wordlists, params.wordlist_saturation,
                                                      params.chars_per_word)
        self.lid = load_predictor(str(bundled_lid_model())) if self._detects() else None
        self.known = frozenset(params.wordlists) | frozenset(params.fasttext_languages)

    def column_reads(self) -> tuple[Read, ...]:
        if self.params.lang_source == "detect":
            return ()
        fallback = ("identifies languages with lid.176" if self.params.backend in ("auto", "wordlist")
                    else f"counts every document as {UNDETERMINED}")
        return (Read(self.params.lang_column, self.params.lang_source, fallback=fallback,
                     instead="set lang_source: input or detect"),)

    def info(self) -> dict[str, Any]:
        return {"backend": self.params.backend, "max_score": self.params.max_score}

    def _detects(self) -> bool:
        """Whether documents without a language code are identified (routing needs a language)."""
        return self.params.backend in ("auto", "wordlist") or self.params.lang_source == "detect"

    def check_resources(self) -> list[str]:
        """Every file the parameters name, and the packaged models the chosen backend loads."""
        params, problems = self.params, []
        if params.model_path:
            try:
                labels = check_model(params.model_path).labels
            except ResourceProblem as exc:
                problems.append(f"model_path: {exc}")
            else:
                if params.label not in labels and params.backend in ("auto", "fasttext"):
                    shown = ", ".join(labels[:10]) + (", ..." if len(labels) > 10 else "")
                    problems.append(f"label: {params.model_path} has no label {params.label} "
                                    f"(it has {shown})")
        for lang, path in sorted(params.wordlists.items()):
            try:
                check_wordlist(path)
            except ResourceProblem as exc:
                problems.append(f"wordlists.{lang}: {exc}")
        packaged = []
        if params.backend in ("auto", "classifier"):
            packaged.append(("classifier", check_classifier))
        if self._detects():
            packaged.append(("language-ID model", lambda: check_model(str(bundled_lid_model()))))
        for what, check in packaged:
            try:
                check()
            except (ResourceProblem, FileNotFoundError) as exc:
                problems.append(f"backend: {params.backend} needs the {what}: {exc}")
        return problems

    def versions(self) -> dict[str, Any]:
        params, found = self.params, {}
        if params.backend in ("auto", "classifier"):
            found["classifier"] = classifier_versions()
        if params.model_path and params.backend in ("auto", "fasttext"):
            found["fasttext"] = fasttext_versions(params.model_path, params.label)
        if params.backend in ("auto", "wordlist"):
            found["wordlist"] = wordlist_versions(params.wordlists)
        return found

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        text = batch.column(TEXT)
        lang = self._languages(batch, stats)
        route = self._route(lang)
        score = np.full(batch.num_rows, np.nan, dtype=np.float32)
        for backend in np.unique(route):
            rows = np.flatnonzero(route == backend)
            if backend == NOT_SCORED:
                continue
            if backend in ("classifier", "fasttext"):
                score[rows] = self._model_scores(self.scorers[backend], text.take(pa.array(rows)))
            else:
                score[rows] = self.scorers["wordlist"].score(text.take(pa.array(rows)), lang[rows])
        self._count(stats, route, lang, score)
        scored = ~np.isnan(score)
        keep = ~(scored & (score > self.params.max_score))
        return Verdict(
            keep=pa.array(keep),
            columns={"toxicity_score": pa.array(score, mask=~scored)},
            reason=pa.array(np.where(keep, None, "toxic"), pa.string()),
        )

    def _model_scores(self, scorer: Any, text: pa.Array) -> np.ndarray:
        """A model's score per document, or its highest score over the document's sentences."""
        if self.params.unit == "document":
            return scorer.score(text)
        sentences = pc.split_pattern_regex(text, SENTENCE_END)
        flat = pc.list_flatten(sentences)
        parents = pc.list_parent_indices(sentences).to_numpy()
        best = np.zeros(len(text), np.float32)
        np.maximum.at(best, parents, scorer.score(flat))
        return best

    def _languages(self, batch: pa.RecordBatch, stats: FilterStats) -> np.ndarray:
        """Each document's language code: the language column's where it holds one, else
        lid.176's (or `und` where only statistics need a language)."""
        lang = np.full(batch.num_rows, None, dtype=object)
        column = self.params.lang_column
        if self._reads_lang(batch):
            values = (batch.column(column) if column in batch.schema.names
                      else pa.nulls(batch.num_rows, pa.string()))
            found = language_codes(values, self.known)
            lang = found.codes
            for kind, count in (("valid", batch.num_rows - found.missing - found.other),
                                ("missing", found.missing), ("other", found.other)):
                if count:
                    stats.count("lang_values", kind, count)
        unknown = np.flatnonzero(lang == None)  # noqa: E711 - elementwise comparison with None
        if len(unknown) and self.lid is not None:
            text = batch.column(TEXT).take(pa.array(unknown))
            labels, _ = predict(self.lid, model_text(text, DETECT_CHARS))
            lang[unknown] = [parse_label(top[0])[0] for top in labels]
        elif len(unknown):
            lang[unknown] = UNDETERMINED
        return lang

    def _reads_lang(self, batch: pa.RecordBatch) -> bool:
        """Whether this batch's languages come from the language column (see `lang_source`)."""
        source, column = self.params.lang_source, self.params.lang_column
        if source == "chain":
            # Planned: only a column an earlier filter writes, never an input column of that name.
            return column in (self.upstream if self.upstream is not None else batch.schema.names)
        return source == "input"

    def _route(self, lang: np.ndarray) -> np.ndarray:
        """The backend that scores each document."""
        backend = self.params.backend
        if backend in ("classifier", "fasttext"):
            return np.full(len(lang), backend, dtype=object)
        wordlist = self.scorers["wordlist"]
        route = np.array(["wordlist" if wordlist.covers(code) else NOT_SCORED for code in lang],
                         dtype=object)
        if backend == "auto":
            route[lang == "en"] = "classifier"
            if "fasttext" in self.scorers:
                chosen = self.params.fasttext_languages
                route[np.isin(lang, chosen) if chosen else np.ones(len(lang), bool)] = "fasttext"
        return route

    def _count(self, stats: FilterStats, route: np.ndarray, lang: np.ndarray, score: np.ndarray) -> None:
        scored = ~np.isnan(score)
        stats.histogram("toxicity_score").add(score[scored])
        for backend in np.unique(route):
            rows = route == backend
            stats.count("docs_by_backend", backend, int(rows.sum()))
            for code in np.unique(lang[rows]):
                stats.count(f"docs_by_lang.{backend}", code, int((rows & (lang == code)).sum()))
            if backend != NOT_SCORED:
                stats.histogram(f"toxicity_score.{backend}").add(score[rows])

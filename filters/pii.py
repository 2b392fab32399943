"""pii: find personal information with presidio, then redact it, drop the document, or annotate."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from corpus.figures import CounterBars, CounterTable, CounterValue, Figures, Series
from corpus.schema import TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, Verdict
from filters.pii_recognizers import LANGUAGE, MIN_PHONE_DIGITS, REJECTIONS, build_analyzer, is_boundary
from filters.spacy_models import installed_spacy_model, not_installed

DEFAULT_ENTITIES = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN",
                    "KR_RRN"]
# Presidio scores a phone number 0.4 when no NLP context can raise it, and an IP address 0.6.
DEFAULT_THRESHOLDS = {"PHONE_NUMBER": 0.4, "IP_ADDRESS": 0.6}
DEFAULT_REGIONS = ["KR", "US", "GB", "DE", "FR", "JP", "CN", "IN", "CA", "ES", "IT", "BR", "RU"]

PII_TYPE = pa.list_(pa.struct([("type", pa.string()), ("start", pa.int32()), ("end", pa.int32()),
                               ("score", pa.float32())]))

# Candidate triggers: every span a recognizer can accept contains a match of its trigger, so a
# document without any trigger match cannot hold that entity. Written once with {D} (a
# decimal digit) and {N} (not a digit, not a line break): RE2 for the whole-column
# prefilter, Python `re` (whose \d is Unicode, like presidio's) for the windows.
_TRIGGERS = [
    (("EMAIL_ADDRESS",), "@"),
    # Accepted phone numbers have MIN_PHONE_DIGITS (7) digits or more; cards, SSNs and RRNs
    # have more. Up to 3 separators between digits.
    (("PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "KR_RRN"),
     "{D}(?:{N}{{0,3}}{D}){{" + str(MIN_PHONE_DIGITS - 1) + ",}}"),
    # Presidio's IBAN pattern is upper case and ASCII: two letters, two digits, 4-char groups.
    (("IBAN_CODE",), "[A-Z]{{2}}[0-9]{{2}}(?:[ \\-]?[A-Z0-9]{{4}}){{2}}"),
    (("IP_ADDRESS",),
     "{D}{{1,3}}\\.{D}{{1,3}}\\.{D}{{1,3}}\\.{D}{{1,3}}|[0-9A-Fa-f]{{0,4}}:[0-9A-Fa-f]{{0,4}}:"),
]
_RE2 = {"D": r"\p{Nd}", "N": r"[^\p{Nd}\n]"}
_PYTHON = {"D": r"\d", "N": r"[^\d\n]"}

# Numbers that look like an address but follow a word that says they are not (dolma's PII
# tagger uses the same idea for ISBNs and DOIs).
_NOT_AN_ADDRESS = re.compile(
    r"(?:^|\W)(?:v|ver|version|release|build|section|sec|chapter|ch|§|article|art|clause|rule|"
    r"figure|fig|table|step|item|paragraph|para|no|isbn|doi)\.?\s*$", re.IGNORECASE)
_NEGATIVE_CONTEXT = {"IP_ADDRESS": _NOT_AN_ADDRESS, "PHONE_NUMBER": _NOT_AN_ADDRESS}

# The counter groups kept per entity type, in the order the report shows them.
ENTITY_GROUPS = ("docs_with_entity", "spans_found", "spans_redacted", "docs_dropped", "validator_rejections")


class PII(Filter):
    """Detects personal information with presidio's pattern recognizers and validators.

    A whole-column RE2 prefilter selects the documents that can hold a candidate; presidio
    then reads only windows around the candidates (snapped to whitespace), so its cost is
    paid for a few percent of the text. `action`: `redact` replaces every span with
    `template`; `drop` removes documents holding any of `drop_entities` (or more than
    `max_entities` spans) and redacts the rest; `annotate` changes nothing. The `pii`
    column lists every span (type, start, end, score) in code points of the original text.
    """

    name = "pii"
    # text: rewritten with the values replaced when action is redact
    writes: ClassVar[tuple[str, ...]] = ("pii", TEXT)
    figures = Figures(
        report=(
            CounterBars(ENTITY_GROUPS, (Series("spans_found", "spans found", "read"),
                                        Series("spans_redacted", "spans redacted", "kept"),
                                        Series("docs_dropped", "docs dropped", "removed")),
                        "Spans found and redacted, and documents dropped, per entity.", rotation=20),
            CounterTable(ENTITY_GROUPS, "entity", ("documents with it", "spans found", "spans redacted",
                                                   "documents dropped", "validator rejections"),
                         empty="No personal data found."),
        ),
        # `pii.docs_with_pii_after`: documents that still hold personal data after the step.
        metrics=(CounterValue("docs_with_pii_after", "documents", "with_pii_after"),),
    )

    class Params(FilterParams):
        action: Literal["redact", "drop", "annotate"] = Field("redact", description="what to do with PII")
        entities: list[str] = Field(default_factory=lambda: list(DEFAULT_ENTITIES),
                                    description="entity types to detect")
        drop_entities: list[str] = Field(default_factory=lambda: ["KR_RRN", "CREDIT_CARD", "US_SSN"],
                                         description="drop: remove documents holding any of these")
        max_entities: int | None = Field(None, ge=0,
                                         description="drop: also remove documents with more spans than this")
        template: str = Field("<{entity}>", description="redaction text; {entity} is the type")
        min_score: float = Field(0.5, ge=0.0, le=1.0, description="score threshold for other types")
        thresholds: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_THRESHOLDS),
                                             description="score threshold per entity type")
        phone_regions: list[str] = Field(default_factory=lambda: list(DEFAULT_REGIONS),
                                         description="regions whose phone number formats are recognised")
        kr_rrn_checksum: Literal["strict", "lenient"] = Field(
            "strict", description="strict: reject RRNs with a bad check digit")
        nlp_model: str | None = Field(None, description="an installed spaCy model (e.g. en_core_web_lg) "
                                                        "for PERSON and LOCATION; slow, no prefilter")
        prefilter: bool = Field(True, description="select candidate documents and windows before presidio")
        window_chars: int = Field(100, ge=0, description="context kept around each candidate")

    def setup(self) -> None:
        params = self.params
        self.analyzer = build_analyzer(tuple(params.phone_regions), params.kr_rrn_checksum == "strict",
                                       params.nlp_model)
        self.entities = list(params.entities) + (["PERSON", "LOCATION"] if params.nlp_model else [])
        enabled = set(self.entities)
        self.triggers = [(tuple(e for e in entities if e in enabled), pattern)
                         for entities, pattern in _TRIGGERS if enabled.intersection(entities)]
        self.column_pattern = "|".join(f"(?:{p.format(**_RE2)})" for _, p in self.triggers)
        self.window_patterns = [(set(entities), re.compile(p.format(**_PYTHON)))
                                for entities, p in self.triggers]
        self.whole_documents = bool(params.nlp_model) or not params.prefilter

    def check_resources(self) -> list[str]:
        name = self.params.nlp_model
        return [f"nlp_model: {not_installed(name)}"] if name and not installed_spacy_model(name) else []

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        text = batch.column(TEXT)
        candidates = self._candidates(text)
        spans: list[list[tuple[str, int, int, float]]] = [[] for _ in range(batch.num_rows)]
        REJECTIONS.clear()
        documents = text.take(pa.array(candidates)).to_pylist()
        for row, document in zip(candidates.tolist(), documents, strict=True):
            spans[row] = self._find(document, stats)
        stats.count_many("validator_rejections", list(REJECTIONS), list(REJECTIONS.values()))
        stats.count("documents", "prefilter_candidates", len(candidates))

        keep, reasons = self._decide(spans)
        action = "annotate" if self.params.mode == "annotate" else self.params.action
        redact = action != "annotate"
        columns = {"pii": pa.array([[{"type": t, "start": s, "end": e, "score": c} for t, s, e, c in row]
                                    for row in spans], PII_TYPE)}
        if redact and candidates.size:
            columns[TEXT] = self._redacted(text, spans)
        self._count(stats, spans, keep, redact)
        return Verdict(keep=pa.array(keep), columns=columns, reason=pa.array(reasons, pa.string()))

    def _candidates(self, text: pa.Array) -> np.ndarray:
        """Rows that can hold PII: every row when the prefilter is off or NER is on."""
        if self.whole_documents:
            return np.arange(len(text))
        hits = pc.match_substring_regex(text, self.column_pattern).fill_null(False)
        return np.flatnonzero(hits.to_numpy(zero_copy_only=False))

    def _find(self, document: str, stats: FilterStats) -> list[tuple[str, int, int, float]]:
        """The accepted spans of one document, non-overlapping, in text order."""
        found = []
        for start, end, entities in self._windows(document):
            stats.count("documents", "analysed_windows")
            stats.count("documents", "analysed_chars", end - start)
            for result in self.analyzer.analyze(document[start:end], language=LANGUAGE,
                                                entities=sorted(entities)):
                found.append((result.entity_type, start + result.start, start + result.end,
                              float(result.score)))
        accepted = [span for span in found if span[3] >= self._threshold(span[0])
                    and not self._negated(document, span)]
        return _non_overlapping(accepted)

    def _windows(self, document: str) -> list[tuple[int, int, set[str]]]:
        """Merged windows around every trigger match, widened on both sides to whitespace or a
        CJK letter (never part of a value), so no value is cut."""
        if self.whole_documents:
            return [(0, len(document), set(self.entities))]
        margin = self.params.window_chars
        raw = []
        for entities, pattern in self.window_patterns:
            for match in pattern.finditer(document):
                raw.append((_left_edge(document, match.start() - margin),
                            _right_edge(document, match.end() + margin), entities))
        raw.sort(key=lambda window: window[0])
        merged: list[tuple[int, int, set[str]]] = []
        for start, end, entities in raw:
            if merged and start <= merged[-1][1]:
                last = merged[-1]
                merged[-1] = (last[0], max(last[1], end), last[2] | entities)
            else:
                merged.append((start, end, set(entities)))
        return merged

    def _threshold(self, entity: str) -> float:
        return self.params.thresholds.get(entity, self.params.min_score)

    @staticmethod
    def _negated(document: str, span: tuple[str, int, int, float]) -> bool:
        rule = _NEGATIVE_CONTEXT.get(span[0])
        return bool(rule and rule.search(document[max(0, span[1] - 24):span[1]]))

    def _decide(self, spans: list[list[tuple]]) -> tuple[np.ndarray, list[str | None]]:
        keep = np.ones(len(spans), dtype=bool)
        reasons: list[str | None] = [None] * len(spans)
        if self.params.action != "drop":
            return keep, reasons
        severe = set(self.params.drop_entities)
        for row, found in enumerate(spans):
            hit = sorted({span[0] for span in found} & severe)
            if hit:
                keep[row], reasons[row] = False, f"pii:{hit[0]}"
            elif self.params.max_entities is not None and len(found) > self.params.max_entities:
                keep[row], reasons[row] = False, "too_many_pii"
        return keep, reasons

    def _redacted(self, text: pa.Array, spans: list[list[tuple]]) -> pa.Array:
        rows = [row for row, found in enumerate(spans) if found]
        if not rows:
            return text
        replaced = [_replace(document, spans[row], self.params.template)
                    for row, document in zip(rows, text.take(pa.array(rows)).to_pylist(), strict=True)]
        mask = np.zeros(len(text), dtype=bool)
        mask[rows] = True
        return pc.replace_with_mask(text, pa.array(mask), pa.array(replaced, text.type))

    def _count(self, stats: FilterStats, spans: list[list[tuple]], keep: np.ndarray, redact: bool) -> None:
        """Counts per entity type; the values themselves are never recorded."""
        stats.info.update(action=self.params.action, entities=self.entities,
                          thresholds={e: self._threshold(e) for e in self.entities},
                          phone_regions=self.params.phone_regions, prefilter=not self.whole_documents)
        with_pii = 0
        for row, found in enumerate(spans):
            if not found:
                continue
            with_pii += 1
            for entity in sorted({span[0] for span in found}):
                stats.count("docs_with_entity", entity)
                if not keep[row]:
                    stats.count("docs_dropped", entity)
            for span in found:
                stats.count("spans_found", span[0])
                if redact:
                    stats.count("spans_redacted", span[0])
        stats.count("documents", "with_pii", with_pii)
        stats.count("documents", "with_pii_after", 0 if redact else with_pii)


# When two validated types claim the same span (a 13-digit RRN also passes Luhn), the type
# whose check is more specific wins.
_SPECIFICITY = {entity: rank for rank, entity in enumerate(["KR_RRN", "IBAN_CODE", "US_SSN", "CREDIT_CARD"])}


def _non_overlapping(spans: list[tuple[str, int, int, float]]) -> list[tuple[str, int, int, float]]:
    """Highest score first, then longest, then the most specific type; a span overlapping
    an accepted one is dropped."""
    accepted: list[tuple[str, int, int, float]] = []
    ranked = sorted(set(spans),
                    key=lambda s: (-s[3], s[1] - s[2], _SPECIFICITY.get(s[0], len(_SPECIFICITY)), s[1]))
    for span in ranked:
        if all(span[2] <= other[1] or span[1] >= other[2] for other in accepted):
            accepted.append(span)
    return sorted(accepted, key=lambda s: s[1])


def _replace(document: str, spans: list[tuple[str, int, int, float]], template: str) -> str:
    pieces, position = [], 0
    for entity, start, end, _ in spans:
        pieces.append(document[position:start])
        pieces.append(template.format(entity=entity))
        position = end
    pieces.append(document[position:])
    return "".join(pieces)


def _left_edge(document: str, position: int) -> int:
    position = max(0, position)
    while position > 0 and not is_boundary(document[position - 1]):
        position -= 1
    return position


def _right_edge(document: str, position: int) -> int:
    position = min(len(document), position)
    while position < len(document) and not is_boundary(document[position]):
        position += 1
    return position

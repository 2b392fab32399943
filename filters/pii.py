"""pii: find personal information with presidio, then redact it, drop the document, or annotate."""

from __future__ import annotations

import re
from collections import Counter
from operator import itemgetter
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex
from pydantic import Field

from corpus.figures import CounterBars, CounterTable, CounterValue, Figures, Series
from corpus.schema import ID, INTERNAL_PREFIX, ORDER, ORDER_SHIFT, TEXT
from corpus.stats import FilterStats
from filters.base import Filter, FilterParams, Redactor, Verdict

# presidio (and the spaCy it imports) takes seconds to import: filters.pii_recognizers and
# filters.spacy_models, which need it, are imported by `setup` and `check_resources` only,
# so a config without the pii filter, `corpus validate` and the prefilter never load it.
LANGUAGE = "en"  # pattern recognizers are script-agnostic; every text is analysed as "en"
# A national significant number (without trunk prefix or extension) shorter than this is
# an extension or a local number that reaches nobody without its area code; dates, years
# and groups of reference numbers are that short too.
MIN_PHONE_DIGITS = 7
# Validator rejections counted per entity type in this process; the filter reads and
# resets it after each batch (the values themselves are never kept).
REJECTIONS: Counter[str] = Counter()
# Letters of these scripts attach to a value without a space: they are boundaries, never
# part of a value (see filters.pii_recognizers.cjk_boundaries).
CJK = r"\p{Han}\p{Hangul}\p{Hiragana}\p{Katakana}\u30fc"
_BOUNDARY = regex.compile(rf"[\s{CJK}]")
_LAST_BOUNDARY = regex.compile(_BOUNDARY.pattern, regex.REVERSE)

DEFAULT_ENTITIES = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN",
                    "KR_RRN"]
# Presidio scores a phone number 0.4 when no NLP context can raise it, and an IP address 0.6.
DEFAULT_THRESHOLDS = {"PHONE_NUMBER": 0.4, "IP_ADDRESS": 0.6}
DEFAULT_REGIONS = ["KR", "US", "GB", "DE", "FR", "JP", "CN", "IN", "CA", "ES", "IT", "BR", "RU"]

PII_COLUMN = "pii"
PII_TYPE = pa.list_(pa.struct([("type", pa.string()), ("start", pa.int32()), ("end", pa.int32()),
                               ("score", pa.float32())]))
ALL_COLUMNS = "all"

Span = tuple[str, int, int, float]
# Spans by row, only for rows that hold any: most values of most columns hold none.
Found = dict[int, list[Span]]


def _digit_run(digits: int) -> str:
    """A trigger for `digits` digits or more with up to 3 separators between digits."""
    return "{D}(?:{N}{{0,3}}{D}){{" + str(digits - 1) + ",}}"


# Candidate triggers: every span a recognizer can accept contains a match of its trigger, so a
# document without any trigger match cannot hold that entity. Written once with {D} (a
# decimal digit) and {N} (not a digit, not a line break): RE2 for the whole-column
# prefilter, the `regex` module (presidio's, whose \d is Unicode) for the windows.
_TRIGGERS = [
    (("EMAIL_ADDRESS",), "@"),
    # Presidio's IBAN pattern is upper case and ASCII: two letters, two digits, 4-char groups.
    (("IBAN_CODE",), "[A-Z]{{2}}[0-9]{{2}}(?:[ \\-]?[A-Z0-9]{{4}}){{2}}"),
    (("IP_ADDRESS",),
     "{D}{{1,3}}\\.{D}{{1,3}}\\.{D}{{1,3}}\\.{D}{{1,3}}|[0-9A-Fa-f]{{0,4}}:[0-9A-Fa-f]{{0,4}}:"),
]
# Triggers written for the whole-column RE2 pass: a text holds a match of one exactly when it
# holds a match of the other, and RE2 compiles these ones faster (it compiles a pattern on
# every call, once per column and batch: 2.5 ms for the plain forms, 0.5 ms for these). A
# dotted quad's first and last numbers need one digit, an IPv6 trigger its colons.
_PRESENCE = {"IP_ADDRESS": "{D}\\.{D}{{1,3}}\\.{D}{{1,3}}\\.{D}|:[0-9A-Fa-f]{{0,4}}:"}


def _digit_run_presence(digits: int) -> str:
    """What a text holding a `_digit_run(digits)` match holds, and only such a text: `digits`
    digits with at most 3 characters but a line break from each to the next (the characters
    between two of them may be digits: then those are the run's), in fewer RE2 states."""
    return "{D}(?:.{{0,3}}{D}){{" + str(digits - 1) + "}}"


# Digit runs (`_digit_run`), shortest first: accepted phone numbers have MIN_PHONE_DIGITS (7)
# digits or more, SSNs 9, the shortest card presidio's pattern matches and an RRN 13, so a run
# of 7 or 8 digits (an id, a date) is read by the phone recognizer alone. A run's match spans
# its whole stretch of digits, so one search for the shortest run finds every longer one:
# those of its matches that hold enough digits.
_DIGIT_RUNS = [(("PHONE_NUMBER",), MIN_PHONE_DIGITS), (("US_SSN",), 9), (("CREDIT_CARD", "KR_RRN"), 13)]
# Triggers slow to search for in every candidate with the `regex` module (the IP address's can
# start anywhere: 50 us a web page), with an RE2 pattern that every text holding one of their
# matches matches, whatever either engine counts as a digit: one whole-column pass selects the
# candidates worth that search (a third of the bench corpus's; the pass costs a tenth of the
# searches it saves).
_ROW_CHECKS = {"IP_ADDRESS": r"\.[^.]{1,3}\.[^.]{1,3}\.|:[0-9A-Fa-f]{0,4}:"}
# Triggers that can start almost anywhere (the IP address's: a digit, a hex letter, a colon)
# and are slow to search for through a whole document, with an anchor found much faster (a
# dot between digits, two colons) and where it lies in their matches: every match holds one
# starting at most `before` characters after the match's start, and is at most `longest`
# characters long (`AnchoredPattern`: 0.6x the IP trigger's time on the bench's candidates).
_ANCHORS = {"IP_ADDRESS": ("{D}\\.{D}|:[0-9A-Fa-f]{{0,4}}:", 4, 15)}
# Every match of these types' patterns lies in the words that hold their trigger matches (from
# the boundary before a match to the one after it): emails and IP addresses hold no whitespace
# nor CJK letter, and SSNs, cards and RRNs are digits with single separators, inside the digit
# run that triggered them. Their recognizers read only those words.
_NEAR_TRIGGERS = {"EMAIL_ADDRESS", "IP_ADDRESS", "US_SSN", "CREDIT_CARD", "KR_RRN"}
_RE2 = {"D": r"\p{Nd}", "N": r"[^\p{Nd}\n]"}
_REGEX = {"D": r"\d", "N": r"[^\d\n]"}
_DIGIT = regex.compile(r"\d")

# An id of ASCII letters and single separators, then 7 or 8 ASCII digits (web-0000123,
# doc_1234567): its one trigger is the digit run, for phone numbers alone (`_DIGIT_RUNS`; no
# @, no dot nor colon, no letter touching a digit), and the run is the one candidate
# libphonenumber finds in it (letters and these separators start none), which follows a
# letter and a separator (`beside_other_text`) and holds no inner group: the phone recognizer
# parses nothing in it and finds nothing. One RE2 pass over the candidates sets these aside.
_PLAIN_ID = r"^[A-Za-z]+(?:[-_/][A-Za-z]+)*[-_/][0-9]{7,8}$"

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

    `columns` are scanned and redacted the same way: by default `text`, `id` and every other
    string column (string, large_string, dictionary of strings, and strings nested in lists
    and structs; maps are not read), so passthrough fields such as `email` or `author` are
    never delivered raw. The decision of `drop` counts spans of every scanned column; the `pii`
    column lists the spans of `text` only. An id holding PII would, with only its spans
    replaced, collide with other ids (`<EMAIL_ADDRESS>` for every user): it also gets the
    document's position in the input, `~<input number>:<record offset>` (the manifest lists
    the inputs in that order), which is unique in the version and stable across runs and
    means something only to whoever holds the input. No mapping to the original id is kept:
    it would be a copy of the PII.

    `scope: everything` makes the engine redact, with this same detection, every row it
    writes that did not pass through this filter: rejects of the filters before it (any
    filter, dedup included; they get the `pii` column too) and the raw prefixes of
    quarantined records (see `filters.pii_policy`). `delivered` leaves those as they are.
    """

    name = "pii"
    # text: rewritten with the values replaced when action is redact
    writes: ClassVar[tuple[str, ...]] = (PII_COLUMN, TEXT)
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
        scope: Literal["everything", "delivered"] = Field(
            "everything", description="everything: the engine also redacts the rejects of every "
                                      "filter and the raw prefixes in quarantine/; delivered: only "
                                      "what passes through this filter")
        columns: Literal["all"] | Annotated[list[str], Field(min_length=1)] = Field(
            ALL_COLUMNS,
            description="string columns scanned and redacted: all (text, id and every other string "
                        "column, strings nested in lists and structs included) or a list of names")

    def setup(self) -> None:
        from filters.pii_recognizers import build_analyzer, reader

        params = self.params
        self.analyzer = build_analyzer(tuple(params.phone_regions), params.kr_rrn_checksum == "strict",
                                       params.nlp_model)
        recognizers = self.analyzer.registry.recognizers
        self.phone = next(r for r in recognizers if r.supported_entities == ["PHONE_NUMBER"])
        self.recognizers = [reader(r) for r in recognizers if r is not self.phone]
        self.setup_prefilter()

    def setup_prefilter(self) -> None:
        """Compile the candidate triggers only: enough for `candidates`, without presidio."""
        self.entities = self._entities()
        enabled = set(self.entities)
        triggers = [(enabled.intersection(entities), pattern) for entities, pattern in _TRIGGERS
                    if enabled.intersection(entities)]
        self.runs = [(digits, enabled.intersection(entities)) for entities, digits in _DIGIT_RUNS
                     if enabled.intersection(entities)]
        # The shortest digit run alone: RE2's DFA gives up on the alternation of all three. Each
        # trigger in the form RE2 compiles fastest that matches the same texts (`_PRESENCE`).
        patterns = [next((_PRESENCE[e] for e in entities if e in _PRESENCE), pattern)
                    for entities, pattern in triggers] + \
            [_digit_run_presence(self.runs[0][0])] * bool(self.runs)
        self.column_pattern = "|".join(f"(?:{p.format(**_RE2)})" for p in patterns)
        self.window_patterns = [(entities, _window_pattern(entities, p)) for entities, p in triggers]
        self.row_checks = [next((_ROW_CHECKS[e] for e in entities if e in _ROW_CHECKS), None)
                           for entities, _ in triggers]
        self.run_pattern = regex.compile(_digit_run(self.runs[0][0]).format(**_REGEX)) if self.runs else None
        # The entity types a run of n digits triggers, at n = min(digits, the longest run's).
        self.run_entities = [set().union(*(entities for least, entities in self.runs if digits >= least))
                             for digits in range(self.runs[-1][0] + 1 if self.runs else 0)]
        self.whole_documents = self._whole_documents()

    def info(self) -> dict[str, Any]:
        params, entities = self.params, self._entities()
        return {"action": params.action, "entities": entities,
                "thresholds": {e: self._threshold(e) for e in entities},
                "phone_regions": params.phone_regions, "prefilter": not self._whole_documents(),
                "scope": params.scope, "columns": params.columns}

    def _entities(self) -> list[str]:
        return list(self.params.entities) + (["PERSON", "LOCATION"] if self.params.nlp_model else [])

    def _whole_documents(self) -> bool:
        """Whether every document is analysed whole (a spaCy model, or the prefilter off)."""
        return bool(self.params.nlp_model) or not self.params.prefilter

    def check_resources(self) -> list[str]:
        name = self.params.nlp_model
        if not name:
            return []
        from filters.spacy_models import installed_spacy_model, not_installed  # imports presidio

        return [] if installed_spacy_model(name) else [f"nlp_model: {not_installed(name)}"]

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        REJECTIONS.clear()
        redact = self.redacts
        columns, found = self.scan(batch, stats, redact)
        stats.count_many("validator_rejections", list(REJECTIONS), list(REJECTIONS.values()))
        by_row: Found = {}
        for spans in found.values():
            for row, row_spans in spans.items():
                by_row.setdefault(row, []).extend(row_spans)
        keep, reasons = self._decide(by_row, batch.num_rows)
        columns[PII_COLUMN] = spans_array(found.get(TEXT, {}), batch.num_rows)
        self._count(stats, found, by_row, keep, redact)
        return Verdict(keep=pa.array(keep), columns=columns, reason=pa.array(reasons, pa.string()))

    @property
    def redacts(self) -> bool:
        """Whether this filter changes text (not `annotate`, as action or mode)."""
        return self.params.mode != "annotate" and self.params.action != "annotate"

    def redactor(self) -> Redactor | None:
        if not self.redacts:
            return None
        from filters.pii_policy import PIIRedactor  # the policy's code, beside the filter's

        return PIIRedactor(self)

    def scan(self, batch: pa.RecordBatch, stats: FilterStats, redact: bool
             ) -> tuple[dict[str, pa.Array], dict[str, Found]]:
        """The scanned columns that redaction changed, and the spans found per column."""
        changed, found = {}, {}
        for name in self._scanned(batch.schema):
            values = batch.column(name)
            redacted, spans = self.scan_values(values, stats, redact)
            if name == ID and redacted is not values and ORDER in batch.schema.names:
                redacted = _unique_ids(redacted, spans, batch.column(ORDER))
            found[name] = spans
            if redacted is not values:
                changed[name] = redacted
        return changed, found

    def _scanned(self, schema: pa.Schema) -> list[str]:
        wanted = self.params.columns
        return [name for name, kind in zip(schema.names, schema.types, strict=True)
                if (wanted == ALL_COLUMNS or name in wanted) and name != PII_COLUMN
                and not name.startswith(INTERNAL_PREFIX) and _holds_strings(kind)]

    def scan_values(self, values: pa.Array, stats: FilterStats, redact: bool) -> tuple[pa.Array, Found]:
        """`values` with PII redacted (the same object when nothing changed) and the spans of each
        row; the spans of nested strings are gathered under their top-level row."""
        kind = values.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            spans = self._spans(values, stats)
            return (self._redacted(values, spans) if redact and spans else values), spans
        if pa.types.is_dictionary(kind):
            dictionary, entries = self.scan_values(values.dictionary, stats, redact)
            if not entries:
                return values, {}
            indices = values.indices.to_numpy(zero_copy_only=False)
            hit = np.flatnonzero(np.isin(indices, list(entries)) & values.is_valid().to_numpy(
                zero_copy_only=False))
            spans = {int(row): entries[int(indices[row])] for row in hit}
            if dictionary is values.dictionary:
                return values, spans
            return pa.DictionaryArray.from_arrays(values.indices, dictionary), spans
        if pa.types.is_struct(kind):
            children, spans, changed = [], {}, False
            for child in values.flatten():
                redacted, child_spans = self.scan_values(child, stats, redact)
                children.append(redacted)
                changed |= redacted is not child
                _gather(spans, child_spans.items())
            if not changed:
                return values, spans
            mask = values.is_null() if values.null_count else None
            return pa.StructArray.from_arrays(children, fields=list(kind), mask=mask), spans
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            offsets = values.offsets.to_numpy(zero_copy_only=False)
            child = values.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
            redacted, child_spans = self.scan_values(child, stats, redact)
            parents = np.searchsorted(offsets, np.array(sorted(child_spans), dtype=np.int64) + offsets[0],
                                      side="right") - 1
            spans: Found = {}
            _gather(spans, zip(parents.tolist(), (child_spans[i] for i in sorted(child_spans)), strict=True))
            if redacted is child:
                return values, spans
            mask = values.is_null() if values.null_count else None
            relative = pa.array(offsets - offsets[0], values.offsets.type)
            return type(values).from_arrays(relative, redacted, mask=mask), spans
        return values, {}

    def _spans(self, values: pa.Array, stats: FilterStats) -> Found:
        candidates = self.candidates(values)
        stats.count("documents", "prefilter_candidates", len(candidates))
        found: Found = {}
        selected = values.take(pa.array(candidates))
        windows = chars = 0
        plain = self._plain_ids(selected)
        if plain is not None and plain.any():
            # One window each, the whole value, in which the phone recognizer finds nothing.
            windows, chars = int(plain.sum()), pc.sum(pc.utf8_length(selected.filter(plain))).as_py()
            REJECTIONS["PHONE_NUMBER"] += 0  # the recognizer ran: its entity is counted, as zero
            candidates, selected = candidates[~plain], selected.filter(pa.array(~plain))
        documents, searched = selected.to_pylist(), self._searched(selected)
        for row, document, patterns in zip(candidates.tolist(), documents, searched, strict=True):
            if document:
                spans, analysed = self._find(document, patterns)
                windows, chars = windows + len(analysed), chars + sum(end - start for start, end in analysed)
                if spans:
                    found[row] = spans
        if windows:
            stats.count("documents", "analysed_windows", windows)
            stats.count("documents", "analysed_chars", chars)
        return found

    def _plain_ids(self, texts: pa.Array) -> np.ndarray | None:
        """Which of `texts` are `_PLAIN_ID`s (None when the rule does not apply: windows off,
        or phone numbers not looked for, or digit runs of 7 or 8 triggering more than them)."""
        if self.whole_documents or not self.runs or self.runs[0] != (MIN_PHONE_DIGITS, {"PHONE_NUMBER"}) \
                or any(digits < 9 for digits, _ in self.runs[1:]):
            return None
        return pc.match_substring_regex(texts, _PLAIN_ID).fill_null(False).to_numpy(zero_copy_only=False)

    def candidates(self, text: pa.Array) -> np.ndarray:
        """Rows that can hold PII: every row when the prefilter is off or NER is on."""
        if self.whole_documents:
            return np.arange(len(text))
        hits = pc.match_substring_regex(text, self.column_pattern).fill_null(False)
        return np.flatnonzero(hits.to_numpy(zero_copy_only=False))

    def _searched(self, texts: pa.Array) -> list[list[tuple[set[str], regex.Pattern | AnchoredPattern]]]:
        """For each of `texts`, the window patterns worth searching it for (`_ROW_CHECKS`)."""
        if self.whole_documents:  # no windows
            return [self.window_patterns] * len(texts)
        masks = np.zeros(len(texts), dtype=np.int64)
        for bit, check in enumerate(self.row_checks):
            if check is None:
                masks |= 1 << bit
            else:
                hits = pc.match_substring_regex(texts, check).fill_null(False).to_numpy(zero_copy_only=False)
                masks |= hits.astype(np.int64) << bit
        lists = {mask: [pattern for bit, pattern in enumerate(self.window_patterns) if mask >> bit & 1]
                 for mask in np.unique(masks).tolist()}
        return [lists[mask] for mask in masks.tolist()]

    def _find(self, document: str, patterns: list[tuple[set[str], regex.Pattern]]
              ) -> tuple[list[Span], list[tuple[int, int]]]:
        """The accepted spans of one document, non-overlapping, in text order, and the windows
        analysed (start, end); `patterns`: the window patterns to search it for."""
        accepted, analysed = [], []
        for start, end, triggers in self._windows(document, patterns):
            analysed.append((start, end))
            accepted += self._analyse(document, start, end, triggers)
        return _non_overlapping(accepted), analysed

    def _analyse(self, document: str, start: int, end: int, triggers: dict[str, list[tuple[int, int]]]
                 ) -> list[Span]:
        """The accepted spans of the window document[start:end], in document offsets; `triggers`
        holds, per entity type to look for, the words that hold its trigger matches."""
        text, wanted = document[start:end], sorted(triggers)
        if self.params.nlp_model:  # spaCy's entities, and its tokens as context for the scores
            return self._accepted(document, start, self.analyzer.analyze(text, language=LANGUAGE,
                                                                          entities=wanted))
        # Without a spaCy model, presidio's AnalyzerEngine adds nothing to what its recognizers
        # find: they are called directly, the phone recognizer last.
        found = []
        for recognizer in self.recognizers:
            entity = recognizer.supported_entities[0]
            if entity not in triggers:
                continue
            if entity in _NEAR_TRIGGERS:
                for first, last in triggers[entity]:
                    found += self._accepted(document, first, recognizer.analyze(document[first:last], wanted))
            else:
                found += self._accepted(document, start, recognizer.analyze(text, wanted))
        if "PHONE_NUMBER" not in triggers:
            return found
        # Values that score above every phone number win against any phone number overlapping
        # them: the phone recognizer need not parse those.
        winners = _non_overlapping([span for span in found if span[3] > self.phone.SCORE])

        def discarded(first: int, last: int) -> bool:
            span = ("PHONE_NUMBER", start + first, start + last, self.phone.SCORE)
            return self._negated(document, span) or \
                any(span[1] < other[2] and other[1] < span[2] for other in winners)

        return found + self._accepted(document, start, self.phone.analyze(text, wanted, discarded=discarded))

    def _accepted(self, document: str, start: int, results: list) -> list[Span]:
        if not results:  # most words and windows
            return []
        spans = [(result.entity_type, start + result.start, start + result.end, float(result.score))
                 for result in results]
        return [span for span in spans
                if span[3] >= self._threshold(span[0]) and not self._negated(document, span)]

    def _windows(self, document: str, patterns: list[tuple[set[str], regex.Pattern]]
                 ) -> list[tuple[int, int, dict[str, list[tuple[int, int]]]]]:
        """Merged windows around every trigger match, widened on both sides to whitespace or a
        CJK letter (never part of a value), so no value is cut; each with the entity types its
        triggers are for, and for each type read near its triggers (`_NEAR_TRIGGERS`) the words
        (merged where they overlap) holding them (an empty list for the others)."""
        if self.whole_documents:
            return [(0, len(document), {entity: [(0, len(document))] for entity in self.entities})]
        margin = self.params.window_chars
        matches = [(*match.span(), entities) for entities, pattern in patterns
                   for match in pattern.finditer(document)]
        if self.run_pattern is not None:
            runs, longest = self.run_entities, len(self.run_entities) - 1
            matches += [(*match.span(), runs[min(len(_DIGIT.findall(match[0])), longest)])
                        for match in self.run_pattern.finditer(document)]
        matches.sort(key=itemgetter(0))
        # An edge is a boundary's position (or the document's end): a window ending at `last`
        # already holds every edge up to it, so an edge is searched for only beyond it.
        merged: list[tuple[int, int, dict[str, list[tuple[int, int]]]]] = []
        last = -1
        for start, end, entities in matches:
            if not merged or start - margin > last:
                last = _right_edge(document, end + margin)
                merged.append((_left_edge(document, start - margin), last, {}))
            elif end + margin > last:
                last = _right_edge(document, end + margin)
                merged[-1] = (merged[-1][0], last, merged[-1][2])
            triggers, word = merged[-1][2], None
            for entity in entities:
                words = triggers.setdefault(entity, [])
                if entity not in _NEAR_TRIGGERS:
                    continue
                if words and start <= words[-1][1]:  # the word starts before that edge
                    if end > words[-1][1]:
                        words[-1] = (words[-1][0], _right_edge(document, end))
                    continue
                word = word or (_left_edge(document, start), _right_edge(document, end))
                if words and word[0] <= words[-1][1]:
                    words[-1] = (words[-1][0], max(words[-1][1], word[1]))
                else:
                    words.append(word)
        return merged

    def _threshold(self, entity: str) -> float:
        return self.params.thresholds.get(entity, self.params.min_score)

    @staticmethod
    def _negated(document: str, span: Span) -> bool:
        rule = _NEGATIVE_CONTEXT.get(span[0])
        return bool(rule and rule.search(document[max(0, span[1] - 24):span[1]]))

    def _decide(self, by_row: Found, rows: int) -> tuple[np.ndarray, list[str | None]]:
        keep = np.ones(rows, dtype=bool)
        reasons: list[str | None] = [None] * rows
        if self.params.action != "drop":
            return keep, reasons
        severe = set(self.params.drop_entities)
        for row, found in by_row.items():
            hit = sorted({span[0] for span in found} & severe)
            if hit:
                keep[row], reasons[row] = False, f"pii:{hit[0]}"
            elif self.params.max_entities is not None and len(found) > self.params.max_entities:
                keep[row], reasons[row] = False, "too_many_pii"
        return keep, reasons

    def _redacted(self, values: pa.Array, spans: Found) -> pa.Array:
        rows = sorted(spans)
        replaced = [_replace(document, spans[row], self.params.template)
                    for row, document in zip(rows, values.take(pa.array(rows)).to_pylist(), strict=True)]
        mask = np.zeros(len(values), dtype=bool)
        mask[rows] = True
        return pc.replace_with_mask(values, pa.array(mask), pa.array(replaced, values.type))

    def _count(self, stats: FilterStats, found: dict[str, Found], by_row: Found, keep: np.ndarray,
               redact: bool) -> None:
        """Counts per entity type, and per scanned column; the values themselves are never recorded."""
        for row, spans in by_row.items():
            for entity in sorted({span[0] for span in spans}):
                stats.count("docs_with_entity", entity)
                if not keep[row]:
                    stats.count("docs_dropped", entity)
            for span in spans:
                stats.count("spans_found", span[0])
                if redact:
                    stats.count("spans_redacted", span[0])
        count_columns(stats, found, "")
        stats.count("documents", "with_pii", len(by_row))
        stats.count("documents", "with_pii_after", 0 if redact else len(by_row))


def count_columns(stats: FilterStats, found: dict[str, Found], prefix: str) -> None:
    """Documents with PII per column (`docs_with_pii_by_column`) and spans per column and type
    (`spans_by_column`, keys `column:TYPE`), under group names starting with `prefix`."""
    for column, spans in found.items():
        if not spans:
            continue
        stats.count(f"{prefix}docs_with_pii_by_column", column, len(spans))
        for row_spans in spans.values():
            for span in row_spans:
                stats.count(f"{prefix}spans_by_column", f"{column}:{span[0]}")


def spans_array(spans: Found, rows: int) -> pa.Array:
    """The `pii` column of `rows` documents from their text spans."""
    return pa.array([[{"type": t, "start": s, "end": e, "score": c} for t, s, e, c in spans.get(row, ())]
                     for row in range(rows)], PII_TYPE)


def _holds_strings(kind: pa.DataType) -> bool:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return True
    if pa.types.is_dictionary(kind):
        return _holds_strings(kind.value_type)
    if pa.types.is_struct(kind):
        return any(_holds_strings(field.type) for field in kind)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _holds_strings(kind.value_type)
    return False


def _gather(spans: Found, items) -> None:
    for row, row_spans in items:
        spans.setdefault(row, []).extend(row_spans)


def _unique_ids(ids: pa.Array, spans: Found, order: pa.Array) -> pa.Array:
    """Redacted ids suffixed with their document's input number and record offset (see PII)."""
    rows = sorted(spans)
    positions = order.take(pa.array(rows)).to_pylist()
    suffixed = [f"{value}~{position >> ORDER_SHIFT}:{position & ((1 << ORDER_SHIFT) - 1)}"
                for value, position in zip(ids.take(pa.array(rows)).to_pylist(), positions, strict=True)]
    mask = np.zeros(len(ids), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(ids, pa.array(mask), pa.array(suffixed, ids.type))


# When two validated types claim the same span (a 13-digit RRN also passes Luhn), the type
# whose check is more specific wins.
_SPECIFICITY = {entity: rank for rank, entity in enumerate(["KR_RRN", "IBAN_CODE", "US_SSN", "CREDIT_CARD"])}


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """Highest score first, then longest, then the most specific type; a span overlapping
    an accepted one is dropped."""
    if len(spans) < 2:  # the common case: nothing to rank
        return list(spans)
    accepted: list[Span] = []
    ranked = sorted(set(spans),
                    key=lambda s: (-s[3], s[1] - s[2], _SPECIFICITY.get(s[0], len(_SPECIFICITY)), s[1]))
    for span in ranked:
        if all(span[2] <= other[1] or span[1] >= other[2] for other in accepted):
            accepted.append(span)
    return sorted(accepted, key=lambda s: s[1])


def _replace(document: str, spans: list[Span], template: str) -> str:
    pieces, position = [], 0
    for entity, start, end, _ in spans:
        pieces.append(document[position:start])
        pieces.append(template.format(entity=entity))
        position = end
    pieces.append(document[position:])
    return "".join(pieces)


def is_boundary(character: str) -> bool:
    """True for whitespace and CJK letters: no value found by the recognizers holds one."""
    return _BOUNDARY.match(character) is not None


def _window_pattern(entities: set[str], pattern: str) -> regex.Pattern | AnchoredPattern:
    """The trigger `pattern` compiled for windows (the `regex` module), anchored if it can be."""
    compiled = regex.compile(pattern.format(**_REGEX))
    anchor = next((_ANCHORS[entity] for entity in entities if entity in _ANCHORS), None)
    if anchor is None:
        return compiled
    return AnchoredPattern(compiled, regex.compile(anchor[0].format(**_REGEX)), *anchor[1:])


class AnchoredPattern:
    """The matches of `pattern` (as its finditer finds them), searched for only around the
    matches of `anchor`: every match of `pattern` holds an `anchor` match starting at most
    `before` characters after its own start, and is at most `longest` characters long. So no
    match starts more than `before` before the first anchor, and a match starting at or before
    an anchor is found whole by a search that ends `longest` characters after it."""

    def __init__(self, pattern: regex.Pattern, anchor: regex.Pattern, before: int, longest: int) -> None:
        self.pattern, self.anchor, self.before, self.longest = pattern, anchor, before, longest

    def finditer(self, document: str) -> list[regex.Match]:
        found, position = [], 0
        while (anchor := self.anchor.search(document, position)) is not None:
            at = anchor.start()
            match = self.pattern.search(document, max(position, at - self.before), at + self.longest + 1)
            if match is not None and match.start() <= at:
                found.append(match)
                position = match.end()
            else:  # no match starts at or before this anchor
                position = at + 1
        return found


def _left_edge(document: str, position: int) -> int:
    """Just after the last boundary before `position` (0 without one)."""
    boundary = _LAST_BOUNDARY.search(document, 0, max(0, position))
    return boundary.end() if boundary else 0


def _right_edge(document: str, position: int) -> int:
    """The first boundary at or after `position` (the end without one)."""
    boundary = _BOUNDARY.search(document, min(len(document), position))
    return boundary.start() if boundary else len(document)

"""The presidio analyzer for PII: pattern recognizers only, offline, with strict validators."""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer import predefined_recognizers as presidio
from presidio_analyzer.nlp_engine import NlpEngineProvider
from tldextract import TLDExtract

LANGUAGE = "en"  # pattern recognizers are script-agnostic; every text is analysed as "en"

# Validator rejections counted per entity type in this process; the filter reads and
# resets it after each batch (the values themselves are never kept).
REJECTIONS: Counter[str] = Counter()


class OfflineEmailRecognizer(presidio.EmailRecognizer):
    """Presidio's email recognizer with a public-suffix check that never goes to the network."""

    _domains = TLDExtract(suffix_list_urls=(), cache_dir=None)

    def validate_result(self, pattern_text: str) -> bool:
        valid = self._domains(pattern_text).fqdn != ""
        if not valid:
            REJECTIONS[self.supported_entities[0]] += 1
        return valid


class StrictKrRrnRecognizer(presidio.KrRrnRecognizer):
    """Korean resident registration numbers whose check digit is valid.

    Presidio accepts any date-shaped number at 0.5 because numbers issued since October
    2020 have a random last digit; `strict` (the default) rejects a bad check digit, which
    removes most false positives on 13-digit order and account numbers.
    """

    def __init__(self, strict: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strict = strict

    def validate_result(self, pattern_text: str) -> bool | None:
        result = super().validate_result(pattern_text)
        if result is None and self.strict:
            result = False
        if result is False:
            REJECTIONS[self.supported_entities[0]] += 1
        return result


def counting_validator(recognizer: Any) -> Any:
    """Wrap a recognizer's `validate_result` so rejections (Luhn, IBAN checksum...) are counted."""
    original = recognizer.validate_result
    entity = recognizer.supported_entities[0]

    def validate_result(pattern_text: str):
        result = original(pattern_text)
        if result is False:
            REJECTIONS[entity] += 1
        return result

    recognizer.validate_result = validate_result
    return recognizer


@functools.cache
def build_analyzer(regions: tuple[str, ...], strict_rrn: bool, nlp_model: str | None) -> AnalyzerEngine:
    """An analyzer with the pattern recognizers the PII filter uses, built once per process.

    Without `nlp_model` it uses presidio's no-op NLP engine (no spaCy model, no download);
    with one (e.g. en_core_web_lg, installed by the user) it adds spaCy's PERSON/LOCATION.
    """
    recognizers = [
        OfflineEmailRecognizer(supported_language=LANGUAGE),
        presidio.PhoneRecognizer(supported_language=LANGUAGE, supported_regions=regions, leniency=1),
        counting_validator(presidio.CreditCardRecognizer(supported_language=LANGUAGE)),
        counting_validator(presidio.IbanRecognizer(supported_language=LANGUAGE)),
        counting_validator(presidio.IpRecognizer(supported_language=LANGUAGE)),
        counting_validator(presidio.UsSsnRecognizer(supported_language=LANGUAGE)),
        StrictKrRrnRecognizer(strict=strict_rrn, supported_language=LANGUAGE),
    ]
    engine = "spacy" if nlp_model else "no_op"
    configuration = {"nlp_engine_name": engine,
                     "models": [{"lang_code": LANGUAGE, "model_name": nlp_model or "no_op"}]}
    if nlp_model:
        recognizers.append(presidio.SpacyRecognizer(supported_language=LANGUAGE))
    nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=[LANGUAGE])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE])

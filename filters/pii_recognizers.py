"""The presidio analyzer for PII: pattern recognizers only, offline, with strict validators."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
from collections.abc import Callable
from typing import Any

import phonenumbers
import regex
from phonenumbers.phonenumbermatcher import _LEAD_CLASS, _PATTERN
from phonenumbers.phonenumberutil import (
    _SECOND_NUMBER_START_PATTERN,
    _build_national_number_for_parsing,
    _is_viable_phone_number,
    _maybe_strip_extension,
)
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer import predefined_recognizers as presidio
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.pattern_recognizer import REGEX_TIMEOUT_SECONDS
from tldextract import TLDExtract

from filters.pii import CJK, LANGUAGE, MIN_PHONE_DIGITS, REJECTIONS
from filters.spacy_models import OfflineSpacyNlpEngine

# Korean particles (로, 를, 은), Japanese (で, に, は) and Chinese (的, 给) words attach to
# the value before or after them without a space, and presidio's `\b` and `\w` count
# these letters as part of a word: `jiho.p@outlook.com로` was read as the domain `com로`
# and rejected, `4667-5570-9505-1665로` had no boundary at its end. In our patterns a
# letter of these scripts is a boundary and never part of a value; every other character
# keeps presidio's meaning. Patterns are for the `regex` module, which presidio uses
# (CJK, the letters of these scripts, is defined beside the filter's window edges).
WORD = rf"[^\W{CJK}]"
_CLASS_WITH_WORD = re.compile(r"\[((?:\\.|[^\]\\])*?)\\w((?:\\.|[^\]\\])*)\]")


def cjk_boundaries(pattern: str) -> str:
    r"""Presidio's `pattern` with CJK letters as boundaries: `\b` at either end becomes a
    lookaround for a non-CJK word character, and `\w` (alone or in a class) excludes CJK."""
    if pattern.startswith(r"\b"):
        pattern = rf"(?<!{WORD})" + pattern[2:]
    if pattern.endswith(r"\b"):
        pattern = pattern[:-2] + rf"(?!{WORD})"
    # A colon right after a label (`IP:2001:db8::1`, `연락처:...`) is not part of an address.
    pattern = pattern.replace(r"(?<![\w:])", rf"(?<!{WORD})(?<![0-9A-Fa-f:]:)")
    pattern = _CLASS_WITH_WORD.sub(lambda m: f"(?:[{m[1]}{m[2]}]|{WORD})", pattern)
    pattern = pattern.replace(r"\w", WORD)
    if r"\b" in pattern or r"\w" in pattern:
        raise ValueError(f"cannot rewrite the presidio pattern {pattern!r} for CJK boundaries")
    return pattern


# Mastercard's 2221-2720 range (issued since 2017) is missing from presidio's card pattern.
_MASTERCARD_2 = Pattern(
    "Mastercard 2-series (weak)",
    r"\b(2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))[- ]?(\d{4})[- ]?(\d{4})[- ]?(\d{4})\b", 0.3)


# Lengths that card networks issue for a prefix (first digits -> lengths), longest prefix
# first: Visa, Mastercard, Amex, Diners, JCB, Discover, UnionPay, Maestro, UATP.
_CARD_LENGTHS = [(("34", "37"), (15,)),
                 (("300", "301", "302", "303", "304", "305", "3095", "36", "38", "39"), (14, 16)),
                 (("35",), (16, 17, 18, 19)), (("4",), (13, 16, 19)), (("51", "52", "53", "54", "55"), (16,)),
                 (("2",), (16,)), (("5", "6"), tuple(range(12, 20))), (("1",), (15,))]


class IssuedCardRecognizer(presidio.CreditCardRecognizer):
    """Presidio's card recognizer (Luhn) that also requires a length its network issues for
    the number's prefix: a 14-digit order number starting with 1 passing Luhn is no card."""

    def validate_result(self, pattern_text: str) -> bool:
        number = "".join(c for c in pattern_text if c.isdigit())
        for prefixes, lengths in _CARD_LENGTHS:
            if number.startswith(prefixes):
                return len(number) in lengths and super().validate_result(pattern_text)
        return False


def credit_card_recognizer() -> PatternRecognizer:
    """Cards with CJK boundaries and Mastercard's 2-series, never matching inside a longer
    run of digit groups: one in ten 16-digit stretches of a 22-digit tracking number or a
    3-7-7 order number passes Luhn."""
    recognizer = IssuedCardRecognizer(supported_language=LANGUAGE)
    recognizer.patterns = [*recognizer.patterns, _MASTERCARD_2]
    with_cjk_boundaries(recognizer)
    recognizer.patterns = [Pattern(p.name, rf"(?<!\d[ -]){p.regex}(?![ -]\d)", p.score)
                           for p in recognizer.patterns]
    return recognizer


def with_cjk_boundaries(recognizer: PatternRecognizer) -> PatternRecognizer:
    """The recognizer with every pattern rewritten by `cjk_boundaries` (same names, scores)."""
    recognizer.patterns = [Pattern(p.name, cjk_boundaries(p.regex), p.score) for p in recognizer.patterns]
    return recognizer


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


class PlausiblePhoneRecognizer(presidio.PhoneRecognizer):
    """Presidio's phone recognizer (libphonenumber) without numbers that are something else.

    libphonenumber accepts any digit string that a region could dial, and German and
    Italian numbers may be very short: dates (`02.02.2001`), the last group of a reference
    number (`4531 5286 9169 1682`) and decimals (`0.35052 × 82`) came out as phone numbers.
    A match is rejected when `not_a_phone` says so; each rejection is counted.

    The matcher's search (candidates, inner groups, their checks) is the same in every region
    until a parse succeeds, so it runs once (`CandidateProbe`); a region then only parses the
    probe's candidates (`matches_along`), and searches itself only where its path turns.
    The result is the union of the regions' spans, less those inside another. A whole
    candidate is not parsed in the regions after one that accepted it: another region finds
    it again, or spans inside it (its search turns at an inner group and goes on to the end
    of the candidate, where the probe's goes on). Nor is one without inner groups parsed when
    `not_a_phone` rejects it whatever number it parses to, or when `discarded(start, end)`
    says the caller drops its span (it overlaps a value that outranks every phone number).
    A rejection counts a span no region accepts.
    """

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None,
                discarded: Callable[[int, int], bool] | None = None) -> list:
        results, accepted, rejected = [], set(), set()
        probe, parsed = CandidateProbe(text, self.leniency), {}
        settled = set()
        for whole, inner in probe.groups:
            if not whole or inner:
                continue
            span = (whole[1], whole[1] + len(whole[0]))
            if discarded is not None and discarded(*span):
                settled.add(whole)
            elif not_written_as_a_phone(text, *span):
                settled.add(whole)
                rejected.add(span)
        groups, regions = probe.groups, tuple(self.supported_regions)
        for index, region in enumerate(regions):
            if only_drops_digits(region):
                groups = [(whole, inner) for whole, inner in groups if whole not in settled]
                if not groups:
                    if index > last_searching(regions):  # no region left that searches itself
                        break
                    continue
                matcher = LongNumberMatcher(text, region, leniency=self.leniency, parsed=parsed)
                matches = matcher.matches_along(groups)
                if matches is None:
                    matches = matcher
            else:
                matches = phonenumbers.PhoneNumberMatcher(text, region, leniency=self.leniency)
            for match in matches:
                if not_a_phone(text, match.start, match.end, match.number):
                    rejected.add((match.start, match.end))
                    continue
                accepted.add((match.start, match.end))
                settled.add((match.raw_string, match.start))
                results.append(self._get_recognizer_result(match, text, region, nlp_artifacts))
        REJECTIONS[self.supported_entities[0]] += len(rejected - accepted)
        return EntityRecognizer.remove_duplicates(results) if len(results) > 1 else results


_EXTENSION = re.compile(r"[\s,;#*x×.:]*(?:e?xt?n?\.?|x|×|#)?[\s.:]*\d+\s*$", re.IGNORECASE)
_DATE = re.compile(r"(?:(?P<d1>\d{1,2})[./\- ] ?(?P<m1>\d{1,2})|(?P<m2>\d{1,2})[./\- ] ?(?P<d2>\d{1,2}))"
                   r"[./\- ] ?(?:\d{2}|\d{4})\.?"
                   r"|(?:19|20)\d{2}[./\- ] ?(?P<m3>\d{1,2})[./\- ] ?(?P<d3>\d{1,2})\.?"
                   r"|(?:19|20)\d{2}(?P<m4>0[1-9]|1[0-2])(?P<d4>0[1-9]|[12]\d|3[01])")
# A year-month-day date inside the span (2.7 - 2019-05-30, 2.0-20130217 is left alone).
_ISO_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?!\d)")
# A decimal (0.35052, 28,5) or a number grouped by thousands (1,234,567, 12.345.678).
_QUANTITY = re.compile(r"\d+[.,]\d+|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?:\.\d{3})+")
# A version inside the span: 1.8.14536.542, 9.0.0904, 0.2.5 (phone numbers written with dots
# have a trunk zero or groups of two or more digits: 01.42.68.53.00, 415.555.0132).
_VERSION = re.compile(r"(?<![\d.])(?:\d{1,2}\.\d\.|[1-9]\d?\.\d{1,2}\.)\d")
# Brackets holding anything but an area code ((26.04.2025)15), a bracket closing something
# opened before the span (case 14082223) 60), dots followed by spaces (169. 254. 1. 2) and
# two long groups (an order number 499-0770837-5714216) are not how phone numbers are written.
_NOT_WRITTEN_AS_A_PHONE = re.compile(r"[(\[][^)\]]*[^\d\s+()\[\]][^)\]]*[)\]]"
                                     r"|^[^(\[]*[)\]]|\.\s|\d{6,}\D+\d{6,}")
# Digits written without any separator are phone numbers only when they are long enough to
# carry an area code (national numbers with trunk prefix): shorter runs are ids and counts.
MIN_BARE_DIGITS = 10
# A number directly beside another number (the rest of a longer number or a decimal), an
# identifier's letters (INV-2016-962534), an arithmetic operator, a unit, a percent sign or
# a currency word is not a phone number.
_BEFORE = re.compile(r"(?:\d[ .,/:\-]?|\d\s[-+−]\s|[A-Za-z][-_/]|#|[=×*÷^±≈<>≤≥]\s*)$")
_AFTER = re.compile(r"^(?:[ .,/:\-]?\d|\s[-+−]\s\d|\s*[=×*÷^±≈<>≤≥%‰]|\s?[원円元]"
                    r"|\s?(?:bytes?|[KMGT]i?B|[kMG]?Hz|[kcmµ]?m[²³]?|[mk]?g|mAh|ms|px|dpi|rpm)(?![A-Za-z]))")


# The characters libphonenumber's inner groups (phonenumbermatcher._INNER_MATCHES) start after:
# a slash, a bracket, whitespace, a wide hyphen, a full stop.
_INNER_BREAK = re.compile(r"[/(.\u2012-\u2015\uFF0D]|\s")


# A + before the first digit, then a country code (parsing tries 1 to 3 digits): such a number
# is parsed the same way whatever the region (the region is only used when the digits after
# the + are no country code).
_INTERNATIONAL = re.compile(
    r"[^+＋\d]*[+＋]+(?:" + "|".join(sorted(map(str, phonenumbers.COUNTRY_CODE_TO_REGION_CODE))) + r")")


# The characters libphonenumber's candidate pattern (phonenumbermatcher._PATTERN) can start
# with: its lead class (opening brackets, plus signs) or a digit, with its flags.
_CANDIDATE_START = re.compile(_LEAD_CLASS + r"|\d", _PATTERN.flags)


def next_candidate(text: str, index: int) -> re.Match | None:
    """`_PATTERN.search(text, index)`, tried only where a match can start: the pattern has
    no anchor nor lookaround, so its leftmost match is its match at the first such position
    where it matches (3x faster on prose, whose letters re tries one by one)."""
    while (start := _CANDIDATE_START.search(text, index)) is not None:
        match = _PATTERN.match(text, start.start())
        if match is not None:
            return match
        index = start.start() + 1
    return None


class LongNumberMatcher(phonenumbers.PhoneNumberMatcher):
    """libphonenumber's matcher that does not parse a candidate `not_a_phone` would reject
    whatever number it parsed to: one holding fewer than MIN_PHONE_DIGITS digits and no
    letter (letters can stand for digits; in a region whose national prefix rule only drops
    digits, `only_drops_digits`, its national number is shorter still), and one
    `beside_other_text` (an id's digits after `web-`, a group of a longer number). Parsing
    these in every region was most of the pii filter's time; they are not counted as
    validator rejections. (The matcher then tries the candidate's inner groups, which sit
    beside the same text or digits: the same spans on the bench's web corpus, eval_pii and
    test_pii.)"""

    def __init__(self, text: str, region: str | None, leniency: Any,
                 parsed: dict[tuple[str, int, str | None], Any] | None = None) -> None:
        super().__init__(text, region, leniency=leniency)
        self.parsed = {} if parsed is None else parsed

    def _find(self, index: int) -> Any:
        # libphonenumber's loop over candidates, searching with `next_candidate`. A `too_short`
        # candidate is not extracted: neither it nor any group inside it is worth parsing, so
        # libphonenumber's extraction would find nothing (most candidates in a window are short
        # numbers: 232, 2024, 9,283.00).
        match = next_candidate(self.text, index)
        while self._max_tries > 0 and match is not None:
            start = match.start()
            candidate = self._trim_after_first_match(_SECOND_NUMBER_START_PATTERN,
                                                     self.text[start:match.end()])
            if len(candidate) >= self._min_candidate_length:
                found = None if too_short(candidate) else self._extract_match(candidate, start)
                if found is not None:
                    return found
                self._max_tries -= 1
            match = next_candidate(self.text, start + len(candidate))
        return None

    def _parse_and_verify(self, candidate: str, offset: int) -> Any:
        if not self.worth_parsing(candidate, offset):
            return None
        return self.verified(candidate, offset)

    def _extract_inner_match(self, candidate: str, offset: int) -> Any:
        # libphonenumber's six searches for an inner group find none in a candidate without
        # the character each of them needs (most candidates: 010-7534-5913, 0001234).
        if _INNER_BREAK.search(candidate) is None:
            return None
        return super()._extract_inner_match(candidate, offset)

    def verified(self, candidate: str, offset: int) -> Any:
        """libphonenumber's parse and check of a candidate, kept in `parsed` (shared by the
        regions of one text): a number written with + and a country code reads the same in
        every region."""
        key = (candidate, offset, None if _INTERNATIONAL.match(candidate) else self.preferred_region)
        if key not in self.parsed:
            self.parsed[key] = super()._parse_and_verify(candidate, offset)
        return self.parsed[key]

    def worth_parsing(self, candidate: str, offset: int) -> bool:
        return not too_short(candidate) and not beside_other_text(self.text, offset, offset + len(candidate))

    def matches_along(self, groups: list[tuple[tuple[str, int] | None, list[tuple[str, int]]]]
                      ) -> list[Any] | None:
        """This region's matches, found by parsing the probe's candidates (`groups`, the probe's
        or some of them) in the probe's order: a whole candidate that parses is a match, after
        which the search goes on where the probe's did. None when an inner group parses: the
        search would go on from inside its candidate, so the region must search itself."""
        matches = []
        for whole, inner in groups:
            match = self.verified(*whole) if whole else None
            if match is not None:
                matches.append(match)
            elif any(self.verified(*group) is not None for group in inner):
                return None
        return matches


class CandidateProbe(LongNumberMatcher):
    """The matcher's search with every parse failing, run to the end of the text. `groups`
    lists, in order, each candidate tried whole and the inner groups tried after it (those
    worth parsing; None for a whole one that is not): every region's search takes this path
    until one of them parses."""

    def __init__(self, text: str, leniency: Any) -> None:
        super().__init__(text, None, leniency=leniency)
        self.groups: list[tuple[tuple[str, int] | None, list[tuple[str, int]]]] = []
        self._whole = False
        if self.has_next():
            raise AssertionError("the probe never parses, so it never matches")
        self.groups = [(whole, inner) for whole, inner in self.groups if whole or inner]

    def _extract_match(self, candidate: str, offset: int) -> None:
        # `_find` calls it with candidates that are not `too_short` (nothing to record there).
        self.groups.append((None, []))
        self._whole = True  # libphonenumber parses the whole candidate first
        return super()._extract_match(candidate, offset)

    def _parse_and_verify(self, candidate: str, offset: int) -> None:
        whole, self._whole = self._whole, False
        if self.worth_parsing(candidate, offset):
            if whole:
                self.groups[-1] = ((candidate, offset), [])
            else:
                self.groups[-1][1].append((candidate, offset))


def too_short(candidate: str) -> bool:
    """Fewer than MIN_PHONE_DIGITS digits and no letter (letters can stand for digits)."""
    if len(candidate) < MIN_PHONE_DIGITS:  # most candidates in prose: 232, 2024, 9,283
        return candidate.isdigit() or not any(map(str.isalpha, candidate))
    return sum(map(str.isdigit, candidate)) < MIN_PHONE_DIGITS and not any(map(str.isalpha, candidate))


@functools.cache
def last_searching(regions: tuple[str, ...]) -> int:
    """The index of the last of `regions` that is not `only_drops_digits` (-1 without one)."""
    return max((index for index, region in enumerate(regions) if not only_drops_digits(region)), default=-1)


@functools.cache
def only_drops_digits(region: str) -> bool:
    """Whether the region's national prefix transform (if any) only keeps captured digits
    (JP, BR: `\\1`, `\\2`), never adds some (AR inserts a 9)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    rule = metadata.national_prefix_transform_rule if metadata is not None else None
    return rule is None or re.fullmatch(r"(?:\\\d)*", rule) is not None


def not_a_phone(text: str, start: int, end: int, number: phonenumbers.PhoneNumber) -> bool:
    """True when the digits at text[start:end] are a date, a quantity, a version, part of a
    longer number, an identifier or arithmetic, or too short to be anyone's phone number."""
    if len(phonenumbers.national_significant_number(number)) < MIN_PHONE_DIGITS:
        return True
    span = text[start:end]
    return written_as_something_else(text, start, end, _EXTENSION.sub("", span) if number.extension else span)


def not_written_as_a_phone(text: str, start: int, end: int) -> bool:
    """True when no region can parse text[start:end] to a number that `not_a_phone` accepts:
    libphonenumber finds the same extension in every region (parse strips it before it reads
    the region; these are its first steps), and the rules on the text then decide."""
    span = text[start:end]
    try:
        national = _build_national_number_for_parsing(span)
    except phonenumbers.NumberParseException:
        return True
    if not _is_viable_phone_number(national):
        return True
    extension = _maybe_strip_extension(national)[0]
    return written_as_something_else(text, start, end, _EXTENSION.sub("", span) if extension else span)


def written_as_something_else(text: str, start: int, end: int, core: str) -> bool:
    """`not_a_phone`'s rules on the text: `core` is text[start:end] without its extension."""
    if core[:1] in "([" and not any(c in core for c in ")]"):  # libphonenumber keeps an unmatched "("
        core = core[1:]
    if core[:1] in "-−":  # a negative number
        return True
    if core.isdigit() and (len(core) < MIN_BARE_DIGITS or _is_integer_limit(int(core))):
        return True
    date = _DATE.fullmatch(core)
    if (date and _is_day_month(date)) or _ISO_DATE.search(core):
        return True
    if _QUANTITY.fullmatch(core) or _VERSION.search(core) or _NOT_WRITTEN_AS_A_PHONE.search(core):
        return True
    return beside_other_text(text, start, end)


def beside_other_text(text: str, start: int, end: int) -> bool:
    """True when the characters around text[start:end] make its digits part of something else
    (`_BEFORE`, `_AFTER`): a longer number, an identifier, arithmetic, a unit or a currency."""
    return bool(_BEFORE.search(text[max(0, start - 4):start]) or _AFTER.search(text[end:end + 6]))


def _is_integer_limit(value: int) -> bool:
    """2**31 - 1, 4294967295 and their neighbours fill technical text."""
    return any((value + offset) & (value + offset - 1) == 0 for offset in (0, 1, 2))


def _is_day_month(date: re.Match) -> bool:
    for day, month in (("d1", "m1"), ("d2", "m2"), ("d3", "m3"), ("d4", "m4")):
        if date[day] and 1 <= int(date[day]) <= 31 and 1 <= int(date[month]) <= 12:
            return True
    return False


class PersonalIpRecognizer(presidio.IpRecognizer):
    """Presidio's IP recognizer without addresses that point at no one's machine (loopback,
    unspecified, multicast, reserved, a network written with its prefix) and without IPv4
    that are version numbers: a first number below 10 and every number below 100 (Git
    1.7.9.2, XFree86 4.3.99.16). The rare public address of that shape (1.1.1.1, 8.8.8.8)
    is a well-known service, not a person.
    """

    def invalidate_result(self, pattern_text: str) -> bool:
        # Presidio's check (an address ip_interface cannot parse is invalid), on the one parse
        # ours reads too (the parse is most of the recognizer's time).
        try:
            interface = ipaddress.ip_interface(pattern_text)
        except ValueError:
            invalid = True
        else:
            address = interface.ip
            network = interface.network.prefixlen < interface.max_prefixlen and \
                address == interface.network.network_address  # 10.0.0.0/8 names a network
            version = address.version == 4 and address.packed[0] < 10 and max(address.packed) < 100
            invalid = (address.is_loopback or address.is_unspecified or address.is_multicast
                       or address.is_reserved or network or version)
        if invalid:
            REJECTIONS[self.supported_entities[0]] += 1
        return invalid


# A global inline flag, or a reference to a group (by number or name, a condition, a call).
_NOT_JOINABLE = re.compile(r"\(\?[a-zA-Z]+\)|\\[1-9]|\\g<|\(\?P=|\(\?[(&R0-9+\-]")


# What every match of a recognizer's patterns holds, for those slow to try on the words they
# read (at each position of a long word of symbols around an `@`, the email pattern runs to
# the end of the word and back; the IP recognizer's five patterns joined cost as much as the
# five alone): one search for it rules most words out. Each was read off the patterns it is
# keyed by (the sha1 of their sources, `_patterns_digest`: presidio's, with their CJK rewrite):
# an email holds a local-part character, `@`, a domain word and a dot followed by a word
# character; an IPv4 address holds four dotted numbers, an IPv6 one a colon between hex
# digits or two colons. Other patterns (another presidio version's) are read without it.
_NECESSARY = {
    "6da2779d8a9db60d547466d187fdfbc8674971dd":
        rf"(?:[!#$%&'*+\-/=?^_`{{|}}~]|{WORD})@{WORD}+(?:-+{WORD}+)*\.{WORD}",
    "be1ec4aefb6c7a793b5fa96898aa56f708526b9e": r"\d\.\d{1,3}\.\d{1,3}\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]|::",
}


def _patterns_digest(recognizer: PatternRecognizer) -> str:
    """The sha1 of the sources of the recognizer's patterns, one a line."""
    return hashlib.sha1("\n".join(p.regex for p in recognizer.patterns).encode()).hexdigest()


class PatternReader:
    """What presidio's `PatternRecognizer.analyze` finds, without the explanation, clock reads
    and log calls it makes for every pattern and match (most of its cost on a short window)."""

    def __init__(self, recognizer: PatternRecognizer) -> None:
        self.recognizer = recognizer
        self.supported_entities = recognizer.supported_entities
        self.patterns = [(regex.compile(p.regex, flags=recognizer.global_regex_flags), p.score)
                         for p in recognizer.patterns]
        # One search rules out most texts at once: for what every match holds (`_NECESSARY`),
        # else for a match of any pattern (where one pattern matches, so does the alternation:
        # a text holding a 9-digit run is read for SSNs by five patterns). The alternation is
        # not built when joining could change a pattern's meaning (a global inline flag, a
        # group referred to by number).
        sources = [p.regex for p in recognizer.patterns]
        joinable = len(sources) > 1 and not any(map(_NOT_JOINABLE.search, sources))
        any_of = _NECESSARY.get(_patterns_digest(recognizer)) or \
            ("|".join(f"(?:{p})" for p in sources) if joinable else None)
        self.any = regex.compile(any_of, flags=recognizer.global_regex_flags) if any_of else None

    def analyze(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        try:
            if self.any is not None and self.any.search(text, timeout=REGEX_TIMEOUT_SECONDS) is None:
                return []
        except TimeoutError:  # each pattern is tried on its own, as presidio does
            pass
        recognizer, entity, results = self.recognizer, self.supported_entities[0], []
        for pattern, score in self.patterns:
            try:
                for match in pattern.finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
                    start, end = match.span()
                    if start == end:
                        continue
                    value, result = text[start:end], score
                    valid = recognizer.validate_result(value)
                    if valid is not None:
                        result = EntityRecognizer.MAX_SCORE if valid else EntityRecognizer.MIN_SCORE
                    if recognizer.invalidate_result(value):
                        result = EntityRecognizer.MIN_SCORE
                    if result > EntityRecognizer.MIN_SCORE:
                        results.append(RecognizerResult(entity, start, end, result))
            except TimeoutError:  # presidio skips the rest of the pattern too
                continue
        # Every result scores above zero: presidio's clean-up changes nothing for one result.
        return EntityRecognizer.remove_duplicates(results) if len(results) > 1 else results


def reader(recognizer: EntityRecognizer) -> EntityRecognizer | PatternReader:
    """A `PatternReader` for a pattern recognizer that keeps presidio's `analyze`, else itself."""
    if isinstance(recognizer, PatternRecognizer) and type(recognizer).analyze is PatternRecognizer.analyze:
        return PatternReader(recognizer)
    return recognizer


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
        with_cjk_boundaries(OfflineEmailRecognizer(supported_language=LANGUAGE)),
        # libphonenumber's matcher already accepts any non-Latin letter beside a number.
        PlausiblePhoneRecognizer(supported_language=LANGUAGE, supported_regions=regions, leniency=1),
        counting_validator(credit_card_recognizer()),
        # IBAN and KR RRN patterns are bounded by ASCII classes and digits already.
        counting_validator(presidio.IbanRecognizer(supported_language=LANGUAGE)),
        with_cjk_boundaries(PersonalIpRecognizer(supported_language=LANGUAGE)),
        counting_validator(with_cjk_boundaries(presidio.UsSsnRecognizer(supported_language=LANGUAGE))),
        StrictKrRrnRecognizer(strict=strict_rrn, supported_language=LANGUAGE),
    ]
    if nlp_model:
        recognizers.append(presidio.SpacyRecognizer(supported_language=LANGUAGE))
        nlp_engine = OfflineSpacyNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": nlp_model}])
        nlp_engine.load()
    else:
        configuration = {"nlp_engine_name": "no_op",
                         "models": [{"lang_code": LANGUAGE, "model_name": "no_op"}]}
        nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=[LANGUAGE])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE])

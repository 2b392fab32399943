"""pii: real presidio on text written here; validators, hard negatives, prefilter recall, actions."""

from __future__ import annotations

import json
import random

import pyarrow as pa
import pytest
from conftest import read_rows, run, write_jsonl

from corpus.stats import FilterStats
from filters.pii import PII


def luhn_card(body: str, valid: bool = True) -> str:
    """`body` plus the Luhn check digit (or a wrong one), grouped by four."""
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    check = (10 - total % 10) % 10
    number = body + str(check if valid else (check + 1) % 10)
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def korean_rrn(birth: str, serial: str, valid: bool = True) -> str:
    digits = [int(d) for d in birth + serial]
    check = (11 - sum(d * w for d, w in zip(digits, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], strict=True))
             % 11) % 10
    return f"{birth}-{serial}{check if valid else (check + 1) % 10}"


def iban(country: str, bban: str, valid: bool = True) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + country) + "00"
    check = 98 - int(numeric) % 97
    code = f"{country}{check if valid else (check + 1) % 97:02d}{bban}"
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


POSITIVES = {
    "EMAIL_ADDRESS": [
        "Write to jane.roe@example.com for details.",
        "문의는 hong.gildong@example.co.kr 로 보내 주세요.",
        "Kontakt: max.mustermann@beispiel.de bitte.",
    ],
    "PHONE_NUMBER": [
        "Call +1 (415) 555-0132 after nine.",
        "휴대폰 010-1234-5678 로 연락 주세요.",
        "사무실 전화는 02-123-4567 입니다.",
        "London office: +44 20 7946 0958.",
        "Appelez le 01 42 68 53 00 demain.",
        "Rufen Sie 030 12345678 an.",
    ],
    "CREDIT_CARD": [
        f"Paid with card {luhn_card('453914880343646')} yesterday.",
        f"카드번호 {luhn_card('555555555555444')} 결제",
    ],
    "IBAN_CODE": [
        f"Überweisung an {iban('DE', '370400440532013000')} bitte.",
        f"Send it to {iban('GB', 'WEST12345698765432')} today.",
    ],
    "IP_ADDRESS": ["The server at 203.0.113.45 answered.", "Connect to 2001:db8:85a3::8a2e:370:7334 now."],
    "US_SSN": ["Her SSN is 536-22-1234 on the form."],
    "KR_RRN": [
        f"주민등록번호 {korean_rrn('900101', '123456')} 입니다.",
        f"RRN {korean_rrn('851231', '234567')}",
    ],
}
INVALID = [  # the validators must reject these
    f"Paid with card {luhn_card('453914880343646', valid=False)} yesterday.",
    f"주민등록번호 {korean_rrn('900101', '123456', valid=False)} 입니다.",
    f"Send it to {iban('GB', 'WEST12345698765432', valid=False)} today.",
    "Write to someone@nowhere.invalidtld please.",
]
HARD_NEGATIVES = [
    "Python 3.11.7 was released on 2024-05-01 and costs $1,299.00 less than nothing.",
    "ISBN 978-3-16-148410-0 is printed on the back; see section 4.2.1.3 and chapter 12.4.",
    "The total was 12,345,678 units in 2023, up 4.5 % from 11,812,000 in 2022.",
    "Solve 3 + 4 = 7 and 12345 * 6789 = 83810205 before 10:30:45.",
    "Order 20240501123456 shipped; tracking code 1Z 999 AA1 01 2345 6784.",
    "The 16-digit reference 1234 5678 9012 3456 fails the Luhn check.",
    "버전 2.3.1 업데이트는 2024년 5월 1일에 배포되었고 가격은 12,900원입니다.",
    "バージョン 4.0.2 は 2023年12月24日 に公開され、価格は 3,980円 です。",
    "Version 1.2.3.4 of the library and release v10.0.0.1 are out.",
]


def detect(texts: list[str], **params) -> tuple[list[list[dict]], list[str], FilterStats]:
    flt = PII(PII.Params(**params))
    flt.setup()
    stats = FilterStats("pii")
    batch = pa.RecordBatch.from_pydict({"id": [str(i) for i in range(len(texts))],
                                        "text": pa.array(texts, pa.large_string())})
    outcome = flt.run(batch, stats)
    return outcome.kept.column("pii").to_pylist(), outcome.kept.column("text").to_pylist(), stats


@pytest.mark.parametrize("entity", sorted(POSITIVES))
def test_every_default_entity_is_found_in_several_languages(entity):
    texts = POSITIVES[entity]
    spans, _, _ = detect(texts, action="annotate")
    for text, found in zip(texts, spans, strict=True):
        assert [s["type"] for s in found] == [entity], (text, found)


def test_validators_reject_bad_checksums_and_count_it():
    spans, _, stats = detect(INVALID, action="annotate")
    assert spans == [[], [], [], []]
    rejected = stats.counters["validator_rejections"]
    assert rejected["CREDIT_CARD"] >= 1 and rejected["KR_RRN"] >= 1 and rejected["IBAN_CODE"] >= 1
    assert rejected["EMAIL_ADDRESS"] >= 1


def test_numbers_that_are_not_pii_are_left_alone():
    spans, texts, _ = detect(HARD_NEGATIVES)
    assert spans == [[]] * len(HARD_NEGATIVES)
    assert texts == HARD_NEGATIVES


def test_redaction_replaces_touching_spans_at_the_right_offsets():
    text = "a@b.com,c@d.com;+1 (415) 555-0132"
    spans, texts, stats = detect([text])
    assert texts == ["<EMAIL_ADDRESS>,<EMAIL_ADDRESS>;<PHONE_NUMBER>"]
    assert [(s["type"], text[s["start"]:s["end"]]) for s in spans[0]] == [
        ("EMAIL_ADDRESS", "a@b.com"), ("EMAIL_ADDRESS", "c@d.com"), ("PHONE_NUMBER", "+1 (415) 555-0132")]
    assert stats.counters["spans_redacted"] == {"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1}
    assert stats.counters["documents"]["with_pii_after"] == 0


def test_offsets_are_code_points_of_the_original_text():
    text = "연락처: 홍길동 hong@example.kr 😀 그리고 010-1234-5678"
    spans, _, _ = detect([text], action="annotate")
    assert [text[s["start"]:s["end"]] for s in spans[0]] == ["hong@example.kr", "010-1234-5678"]


def test_custom_template():
    _, texts, _ = detect(["mail jane.roe@example.com"], template="[{entity}]")
    assert texts == ["mail [EMAIL_ADDRESS]"]


def test_drop_removes_severe_documents_redacts_the_rest_and_keeps_pii_out_of_rejects(tmp_path):
    rrn = korean_rrn("900101", "123456")
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "rrn", "text": f"주민등록번호 {rrn} 입니다."},
        {"id": "mail", "text": "Write to jane.roe@example.com please."},
        {"id": "many", "text": "a@b.com c@d.com e@f.com"},
        {"id": "clean", "text": "Nothing personal here."}])
    summary = run(tmp_path, [source], [{"pii": {"action": "drop", "max_entities": 2}}])
    kept = {r["id"]: r["text"] for r in read_rows(summary.path / "data")}
    assert kept == {"mail": "Write to <EMAIL_ADDRESS> please.", "clean": "Nothing personal here."}
    rejects = {r["id"]: r for r in read_rows(summary.path / "rejects")}
    assert rejects["rrn"]["reason"] == "pii:KR_RRN" and rejects["many"]["reason"] == "too_many_pii"
    assert rrn not in rejects["rrn"]["text"] and "<KR_RRN>" in rejects["rrn"]["text"]
    assert rejects["rrn"]["pii"][0]["type"] == "KR_RRN"
    published = (summary.path / "stats.json").read_text() + (summary.path / "manifest.json").read_text()
    for secret in (rrn, "jane.roe@example.com", "a@b.com"):
        assert secret not in published
    stats = json.loads((summary.path / "stats.json").read_text())["filters"][0]
    assert stats["counters"]["docs_dropped"]["KR_RRN"] == 1


def mixed_corpus(n: int, seed: int = 7) -> list[str]:
    """Prose with PII, invalid look-alikes, number-heavy negatives and digit noise, shuffled."""
    rng = random.Random(seed)
    words = ["the", "river", "town", "people", "walk", "evening", "market", "bridge", "old", "new"]
    pools = [text for texts in POSITIVES.values() for text in texts] + INVALID + HARD_NEGATIVES
    docs = []
    for _ in range(n):
        parts = [" ".join(rng.choice(words) for _ in range(rng.randint(5, 40)))]
        for _ in range(rng.randint(0, 3)):
            choice = rng.random()
            if choice < 0.5:
                parts.append(rng.choice(pools))
            elif choice < 0.8:
                digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 16)))
                parts.append(rng.choice(["", "+", "("]) + rng.choice(["-", " ", ".", ""]).join(
                    digits[i:i + rng.randint(2, 4)] for i in range(0, len(digits), 3)))
            else:
                parts.append(f"{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}."
                             f"{rng.randint(0, 255)}")
        rng.shuffle(parts)
        docs.append(" ".join(parts))
    return docs


def test_prefilter_and_windows_never_lose_what_presidio_finds_on_whole_documents():
    docs = mixed_corpus(400)
    fast, _, fast_stats = detect(docs, action="annotate")
    full, _, _ = detect(docs, action="annotate", prefilter=False)
    assert fast == full
    assert sum(1 for found in full if found) >= 150
    assert fast_stats.counters["documents"]["prefilter_candidates"] < len(docs)


def test_recognizers_called_directly_find_what_presidios_analyzer_engine_finds():
    """Without a spaCy model the filter calls the recognizers itself, reads the pattern types
    near their triggers and parses no phone candidate a stronger value covers: the spans are
    those of presidio's AnalyzerEngine on whole documents, filtered the same way."""
    from filters.pii import LANGUAGE, _non_overlapping

    docs = mixed_corpus(300, seed=3) + POSITIVES["PHONE_NUMBER"] + HARD_NEGATIVES
    fast, _, _ = detect(docs, action="annotate")
    flt = PII(PII.Params(action="annotate"))
    flt.setup()
    for doc, found in zip(docs, fast, strict=True):
        engine = _non_overlapping(flt._accepted(doc, 0, flt.analyzer.analyze(doc, language=LANGUAGE,
                                                                             entities=flt.entities)))
        assert [(s["type"], s["start"], s["end"]) for s in found] == [span[:3] for span in engine], doc
    assert sum(1 for found in fast if found) >= 100


@pytest.mark.skipif(not __import__("importlib").util.find_spec("en_core_web_lg"),
                    reason="the spaCy model en_core_web_lg is not installed")
def test_spacy_model_adds_person_and_location():
    spans, _, _ = detect(["Barack Obama visited Paris last spring."], nlp_model="en_core_web_lg",
                         action="annotate")
    assert {"PERSON", "LOCATION"} <= {s["type"] for s in spans[0]}


def test_phone_search_run_once_finds_what_every_region_finds_searching_alone():
    """The phone recognizer searches a text once and parses its candidates per region; a plain
    libphonenumber search in each region, filtered the same way, finds the same numbers."""
    import phonenumbers

    from filters.pii import DEFAULT_REGIONS
    from filters.pii_recognizers import PlausiblePhoneRecognizer, not_a_phone

    recognizer = PlausiblePhoneRecognizer(supported_language="en", supported_regions=DEFAULT_REGIONS,
                                          leniency=1)
    texts = [*POSITIVES["PHONE_NUMBER"], *HARD_NEGATIVES, *mixed_corpus(300, seed=11),
             "ids web-0000017 and web-0001234, call 010-9876-5432 or +49 30 901820, fax 03-1234-5678",
             "(+33) 1 42 68 53 00 / 0049 30 12345678 / +82 2-123-4567 / 1-800-555-0199 ext. 12"]
    found_somewhere = 0
    for text in texts:
        alone = set()
        for region in DEFAULT_REGIONS:
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=1):
                if not not_a_phone(text, match.start, match.end, match.number):
                    alone.add((match.start, match.end))
        alone = {span for span in alone if not any(other != span and other[0] <= span[0] and
                                                   span[1] <= other[1] for other in alone)}
        once = {(result.start, result.end) for result in recognizer.analyze(text, ["PHONE_NUMBER"])}
        assert once == alone, text
        found_somewhere += bool(once)
    assert found_somewhere >= 40


def test_row_checks_select_every_text_the_window_triggers_match():
    """A trigger's RE2 row check (one whole-column pass) matches every text in which the
    `regex` module finds the trigger, whatever the digits' script, and rules out others."""
    import pyarrow.compute as pc

    from filters.pii import _ROW_CHECKS

    flt = PII(PII.Params())
    flt.setup_prefilter()
    texts = ["host 192.168.10.23 up", "١٩٢.١٦٨.١.٢٥ عنوان", "ＩＰ １０．２．３．４", "सर्वर २०३.०.११३.९",
             "fe80::1 link", "at 10:30: the bus", "call 010-9876-5432", "version 2.3 and U.S.A. text",
             "a.b.c. and 1.2.3", "ratio 3:2 only", "plain words", "", "1.2.3.4\n"]
    for (entities, pattern), check in zip(flt.window_patterns, flt.row_checks, strict=True):
        if check is None:
            continue
        hits = pc.match_substring_regex(pa.array(texts), check).to_pylist()
        found = [next(iter(pattern.finditer(text)), None) is not None for text in texts]
        assert all(hit for hit, trigger in zip(hits, found, strict=True) if trigger), (entities, hits, found)
        assert sum(found) >= 4 and not all(hits)
    assert set(_ROW_CHECKS) <= set(flt.entities)


def test_pattern_reader_reads_what_presidio_reads_with_patterns_joined_or_not():
    """The reader's one search for any pattern rules out texts no pattern matches; patterns it
    cannot join safely (a backreference) are read one by one: presidio's results either way."""
    from presidio_analyzer import Pattern, PatternRecognizer

    from filters.pii_recognizers import PatternReader

    texts = ["id 4455 and ab here", "77 ab 12", "nothing at all", "x1y2 11 ab", "zz 3456-7890 ab-cd"]
    joined = [Pattern("pair", r"\b\d{2}\b", 0.4), Pattern("word", r"\bab\b", 0.6),
              Pattern("dash", r"\d{4}-\d{4}", 0.5)]
    numbered = [Pattern("twice", r"(\d)\1", 0.5), Pattern("word", r"\bab\b", 0.6)]
    for patterns, joins in ((joined, True), (numbered, False)):
        recognizer = PatternRecognizer(supported_entity="THING", patterns=patterns)
        reader = PatternReader(recognizer)
        assert (reader.any is not None) == joins
        for text in texts:
            ours = sorted((r.start, r.end, r.score) for r in reader.analyze(text, ["THING"]))
            theirs = sorted((r.start, r.end, r.score) for r in recognizer.analyze(text, ["THING"]))
            assert ours == theirs, text
    assert not PatternReader(PatternRecognizer(supported_entity="THING", patterns=joined)).analyze(
        "nothing at all", ["THING"])


def test_inner_groups_are_searched_for_only_in_candidates_holding_a_break():
    """libphonenumber's inner-group searches all need a character `_INNER_BREAK` finds: a
    candidate without one is not searched (random candidates over digits, separators, letters)."""
    from phonenumbers.phonenumbermatcher import _INNER_MATCHES

    from filters.pii_recognizers import _INNER_BREAK

    rng = random.Random(5)
    alphabet = "0123456789-+#*x()/.,;: \u00a0\u2013\u2014\uff0d\u3000e٣"
    candidates = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(20000)]
    unbroken = [c for c in candidates if _INNER_BREAK.search(c) is None]
    assert all(pattern.search(c) is None for c in unbroken for pattern in _INNER_MATCHES)
    broken = [c for c in candidates if any(pattern.search(c) for pattern in _INNER_MATCHES)]
    assert len(unbroken) >= 500 and len(broken) >= 5000


def test_candidates_are_searched_for_only_where_one_can_start():
    """`next_candidate` finds what libphonenumber's search for its candidate pattern finds,
    from any index (random texts over digits, brackets, plus signs, separators, letters)."""
    from phonenumbers.phonenumbermatcher import _PATTERN

    from filters.pii_recognizers import next_candidate

    rng = random.Random(7)
    alphabet = "0123456789(([+＋-./ xext;=#,\u00a0\u3000abcé٣\n"
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        for index in range(0, len(text) + 1, 3):
            theirs, ours = _PATTERN.search(text, index), next_candidate(text, index)
            assert (ours and ours.span()) == (theirs and theirs.span()), (text, index)
            found += theirs is not None
    assert found > 10000


def test_anchored_triggers_find_what_the_triggers_find():
    """A trigger searched for around its anchors (`AnchoredPattern`) finds the matches its
    pattern's own search finds (random texts over digits, dots, colons, hex letters)."""
    from filters.pii import AnchoredPattern

    flt = PII(PII.Params())
    flt.setup_prefilter()
    anchored = [pattern for _, pattern in flt.window_patterns if isinstance(pattern, AnchoredPattern)]
    assert anchored  # the IP address's
    rng = random.Random(11)
    alphabet = "0123456789..::abcdefABCDEFgx -\n٣"
    found = 0
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for pattern in anchored:
            theirs = [match.span() for match in pattern.pattern.finditer(text)]
            assert [match.span() for match in pattern.finditer(text)] == theirs, text
            found += len(theirs)
    assert found > 2000


def test_necessary_searches_hold_every_match_of_the_email_and_ip_patterns():
    """The email and IP readers first search for what every match of their patterns holds
    (`_NECESSARY`, read off the installed presidio's patterns): every text a pattern matches
    holds it (random texts and words), and most texts without a match are ruled out."""
    flt = PII(PII.Params())
    flt.setup()
    readers = {reader.supported_entities[0]: reader for reader in flt.recognizers}
    rng = random.Random(3)
    alphabets = {"EMAIL_ADDRESS": "ab.z_-+@@..9한{}~ #", "IP_ADDRESS": "0123456789..::abfg/% -٣"}
    words = {"EMAIL_ADDRESS": ["jane.roe@example.com", "a@b.c", "{@media", "x@y", "홍@example.co.kr로"],
             "IP_ADDRESS": ["203.0.113.45", "2001:db8::1", "::1", "::ffff:10.0.0.1", "fe80::/10", "a:b:c"]}
    for entity, alphabet in alphabets.items():
        reader = readers[entity]
        assert reader.any is not None and "|".join(f"(?:{p})" for p in
                                                    (pattern.pattern for pattern, _ in reader.patterns)) \
            != reader.any.pattern  # the necessary search, not the patterns joined
        texts = words[entity] + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
                                 for _ in range(30000)]
        matched = ruled_out = 0
        for text in texts:
            if any(pattern.search(text) for pattern, _ in reader.patterns):
                assert reader.any.search(text) is not None, (entity, text)
                matched += 1
            else:
                ruled_out += reader.any.search(text) is None
        assert matched >= 200 and ruled_out > (len(texts) - matched) / 2, (entity, matched, ruled_out)


def test_ip_addresses_presidio_invalidates_are_invalid():
    """The IP recognizer's own check (one parse) still rejects whatever presidio's rejects."""
    from presidio_analyzer.predefined_recognizers import IpRecognizer

    from filters.pii_recognizers import PersonalIpRecognizer

    ours, theirs = PersonalIpRecognizer(), IpRecognizer()
    values = ["203.0.113.45", "256.1.1.1", "10.0.0.0/8", "10.0.0.1/8", "1.2.3", "::", "::1", "fe80::1%eth0",
              "2001:db8::1/129", "2001:db8:85a3::8a2e:370:7334", "01.02.03.04", "::ffff:1.2.3.4", "1:2:3"]
    rejected = {value for value in values if ours.invalidate_result(value)}
    assert {value for value in values if theirs.invalidate_result(value)} <= rejected
    assert "203.0.113.45" not in rejected and "2001:db8:85a3::8a2e:370:7334" not in rejected


def test_plain_ids_set_aside_find_and_count_what_their_windows_find(monkeypatch):
    """Ids of letters, separators and 7 or 8 digits (`_PLAIN_ID`) set aside by one RE2 pass:
    the same spans (none) and the same counters as reading each in its window, among ids of
    other shapes (a digit before the separator, a +, 9 digits, a bare phone number...)."""
    import pyarrow.compute as pc

    from filters.pii import _PLAIN_ID

    rng = random.Random(23)

    def word() -> str:
        return "".join(rng.choice("abcxyzEXT") for _ in range(rng.randint(1, 5)))

    def digits(count: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(count))

    plain = [f"{word()}{rng.choice('-_/')}{word()}{rng.choice('-_/')}{digits(rng.randint(7, 8))}"
             for _ in range(300)] + ["web-0000123", "doc_12345678", "a/b/0101234567"[:-2]]
    others = [f"v2-{digits(8)}", f"web-+{digits(8)}", f"web-{digits(9)}", f"web {digits(8)}",
              "call 010-1234-5678", "id-02-123-4567", "x-4155550132", "ab-2024010199"]
    texts = plain + others
    rng.shuffle(texts)
    batch = pa.RecordBatch.from_pydict({"id": [f"r{i}" for i in range(len(texts))], "text": texts})

    def outcome():
        flt = PII(PII.Params())
        flt.setup()
        stats = FilterStats("pii")
        kept = flt.run(batch, stats).kept
        return kept.column("pii").to_pylist(), kept.column("text").to_pylist(), stats.to_dict()["counters"]

    aside = outcome()
    monkeypatch.setattr(PII, "_plain_ids", lambda self, texts: None)
    assert aside == outcome()
    assert any(aside[0]) and aside[2]["documents"]["analysed_windows"] >= len(texts)
    assert sum(pc.match_substring_regex(pa.array(texts), _PLAIN_ID).to_pylist()) == len(plain)


def test_column_pass_selects_the_texts_the_plain_triggers_select():
    """The whole-column RE2 pattern, written in the forms RE2 compiles fastest (`_PRESENCE`,
    `_digit_run_presence`), selects exactly the texts the triggers as written select (random
    texts over digits of two scripts, dots, colons, hex letters, line breaks, @)."""
    import pyarrow.compute as pc

    from filters.pii import _RE2, _TRIGGERS, _digit_run

    flt = PII(PII.Params())
    flt.setup_prefilter()
    patterns = [pattern for _, pattern in _TRIGGERS] + [_digit_run(7)]
    plain = "|".join(f"(?:{p.format(**_RE2)})" for p in patterns)
    assert plain != flt.column_pattern
    rng = random.Random(29)
    alphabet = "0123456789٣٤..::abfAB-- \n@GBDE"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(40000)]
    ours = pc.match_substring_regex(pa.array(texts), flt.column_pattern).to_pylist()
    theirs = pc.match_substring_regex(pa.array(texts), plain).to_pylist()
    assert ours == theirs
    assert 5000 < sum(ours) < len(texts) - 5000

"""pii in Korean, Japanese and Chinese text, and numbers that are not phone numbers: the real filter."""

from __future__ import annotations

import random

import pytest
import regex
from presidio_analyzer import predefined_recognizers as presidio
from test_pii import detect, iban, korean_rrn, luhn_card, mixed_corpus

from filters.pii import DEFAULT_ENTITIES
from filters.pii_recognizers import cjk_boundaries

PHONES = {"ko": "010-1234-5678", "ja": "090-1234-5678", "zh": "138 1234 5678"}
VALUES = {
    "EMAIL_ADDRESS": lambda lang: "jiho.p@outlook.com",
    "PHONE_NUMBER": lambda lang: PHONES[lang],
    "CREDIT_CARD": lambda lang: luhn_card("466755709505166").replace(" ", "-"),
    "IBAN_CODE": lambda lang: iban("DE", "370400440532013000"),
    "IP_ADDRESS": lambda lang: "203.0.113.45",
    "US_SSN": lambda lang: "536-22-1234",
    "KR_RRN": lambda lang: korean_rrn("900101", "123456"),
}
# `{}` is the value; the words and particles touch it, as they do in these languages.
CONTEXTS = {
    "ko": ["{}로 보내 주세요.", "{}으로 결제되었습니다.", "{}를 확인했습니다.", "{}은 등록되어 있습니다.",
           "{}에게 문의하세요.", "{}까지 알려 주세요.", "번호는{} 입니다.", "연락처{}로 연락 주세요."],
    "ja": ["{}でお願いします。", "{}に送ってください。", "{}は無効です。", "{}までご連絡ください。",
           "番号は{}です。", "連絡先{}に電話してください。"],
    "zh": ["{}的用户。", "请发送{}给我们。", "号码是{}。", "邮箱{}已登记。", "账户{}的余额。"],
}


def test_every_default_entity_has_a_value_here():
    assert sorted(VALUES) == sorted(DEFAULT_ENTITIES)


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "whole-documents"])
@pytest.mark.parametrize("entity", sorted(VALUES))
def test_values_touching_korean_japanese_and_chinese_words_are_found_and_redacted(entity, prefilter):
    texts, values = [], []
    for lang, contexts in CONTEXTS.items():
        for context in contexts:
            values.append(VALUES[entity](lang))
            texts.append(context.format(values[-1]))
    spans, redacted, _ = detect(texts, prefilter=prefilter)
    for text, value, found, out in zip(texts, values, spans, redacted, strict=True):
        assert [(s["type"], text[s["start"]:s["end"]]) for s in found] == [(entity, value)], text
        assert out == text.replace(value, f"<{entity}>")


@pytest.mark.parametrize("text", [
    "Korean particle after an address: jiho.p@outlook.com로 메일을 보내 주세요",
    "카드번호 4667-5570-9505-1665로 결제되었습니다",
    "010-1234-5678로 연락",
])
def test_the_examples_of_the_issue_are_found(text):
    spans, _, _ = detect([text], action="annotate")
    assert len(spans[0]) == 1


NOT_PHONE_NUMBERS = [
    'Released 02.02.2001.',
    'Updated on 06.04.2005.',
    'Reference no. 4531 5286 9169 1682',
    '0.35052 × 82 = 28.74227',
    '0.35052 x 82 = 28.74227',
    'Due 2024-05-01, paid 05/01/2024 and 1/5/2024.',
    'Build 10.0.19041.1234 and v12.3.43.8004 and 9.0.0904 are out.',
    '2024. 5. 1. 배포, 2024년 5월 1일 공개',
    '2023年12月24日に公開 (3.8.19281.1959)',
    'Invoice INV-2016-962534 and case 66772459 and order #20160526721720.',
    'Order 499-0770837-5714216 shipped; tracking 1Z 999 AA1 01 2345 6784.',
    'tracking 6361 3222 5141 6754 4931 21 and 9400 1000 0000 0000 0000 00',
    'The file has 1144738 bytes, 12345678 mm.',
    'Prices: $12,345.67, 1.234.567,89 €, 12,900원, 3,980円, 1234.56 元.',
    '5622 + 7448 - 2164 = 10906; 12345 * 6789',
    'Limits: 4294967295, 2147483647 and -2147483648.',
    'ISBN 978-3-16-148410-0, doi:10.1000/182, section 4.2.1.3',
    'Coordinates 37.5665, 126.9780 at 10:30:45 on 26.04.2025.',
    'Closes: #1024598, #1021082.',
    'Git 1.7.9.2, XFree86 4.3.99.16, dpkg (1.15.3.1); bind to 127.0.0.1 or ::1; route 10.0.0.0/8',
]


def test_dates_versions_references_and_arithmetic_are_not_redacted():
    spans, redacted, _ = detect(NOT_PHONE_NUMBERS)
    assert {text: found for text, found in zip(NOT_PHONE_NUMBERS, spans, strict=True) if found} == {}
    assert redacted == NOT_PHONE_NUMBERS


@pytest.mark.parametrize("text", [
    "Rufen Sie 030 12345678 an.", "Tel.: +49 30 1234567", "Звоните +7 495 123-45-67 или 8 (495) 123-45-67.",
    "Call (415) 555-0132 x 82 today.", "Appelez le 01.42.68.53.00 demain.", "Llame al 912 345 678 hoy.",
    "電話は03-1234-5678です。", "请拨打13812345678咨询。",
    f"Paid with {luhn_card('222100123456789')} yesterday.",
])
def test_phone_numbers_and_cards_written_as_people_write_them_are_still_found(text):
    spans, _, _ = detect([text], action="annotate")
    assert spans[0], text


def cjk_corpus(n: int, seed: int = 11) -> list[str]:
    """Korean, Japanese and Chinese sentences with values glued to words, look-alikes and
    number noise, so the prefilter's windows end at CJK letters inside long runs."""
    rng = random.Random(seed)
    noise = NOT_PHONE_NUMBERS + ["버전 2.3.1 업데이트", "価格は3,980円です", "共计12345678元"]
    docs = []
    for _ in range(n):
        lang = rng.choice(sorted(CONTEXTS))
        words = "가나다라마바사" if lang == "ko" else "日本語の文章です"
        parts = [words * rng.randint(1, 30)]
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.5:
                entity = rng.choice(sorted(VALUES))
                parts.append(rng.choice(CONTEXTS[lang]).format(VALUES[entity](lang)))
            else:
                parts.append(rng.choice(noise))
        rng.shuffle(parts)
        docs.append(rng.choice(["", " "]).join(parts))
    return docs


def test_prefilter_and_windows_never_lose_what_presidio_finds_on_whole_documents_with_cjk_boundaries():
    docs = cjk_corpus(300) + mixed_corpus(200, seed=13)
    fast, _, stats = detect(docs, action="annotate")
    full, _, _ = detect(docs, action="annotate", prefilter=False)
    assert fast == full
    assert sum(1 for found in full if found) >= 150
    assert stats.counters["documents"]["prefilter_candidates"] < len(docs)


def test_rewritten_patterns_match_like_presidio_where_no_cjk_letter_is_near():
    docs = mixed_corpus(300, seed=5)
    flags = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE
    for recognizer in (presidio.EmailRecognizer, presidio.CreditCardRecognizer, presidio.UsSsnRecognizer,
                       presidio.IpRecognizer):
        for pattern in recognizer.PATTERNS:
            if r"(?<![\w:])" in pattern.regex:
                continue  # IPv6 after a label's colon is found on purpose (`IP:2001:db8::1`)
            ours = regex.compile(cjk_boundaries(pattern.regex), flags)
            theirs = regex.compile(pattern.regex, flags)
            for doc in docs:
                assert [m.span() for m in ours.finditer(doc)] == [m.span() for m in theirs.finditer(doc)], \
                    (pattern.name, doc)

"""eval_pii: precision and recall of the pii filter on real multilingual text and real number-heavy text.

The labelled set is built from text that Debian installs, nothing is downloaded at run time:

- positives: paragraphs of the manual pages in English, Korean, Japanese, Chinese, German,
  French, Spanish and Russian, each with valid values of every default entity type injected
  (Luhn-valid cards, Korean RRNs with their check digit, mod-97 IBANs, phone numbers that
  libphonenumber validates for the language's region...), glued to the words around them
  the way each language writes them (Korean particles, Japanese and Chinese words without
  a space);
- hard negatives without PII: Debian changelogs and NEWS files (dates, versions, bug and
  release numbers; lines with an `@`, the maintainers' signatures, are left out), and
  manual-page paragraphs filled with generated number formats (dates in every common
  format, versions, ISBN, DOI, prices, measurements, arithmetic, order, tracking and
  reference numbers that fail Luhn).

The set is split by source file: rules and thresholds are chosen on `dev`, the report is
on `test`. Korean manual pages come with man-db, passwd, login, psmisc and xz-utils; the
others with Debian's manpages-ja, manpages-zh, manpages-de, manpages-fr, manpages-es and
manpages-ru (`make eval-pii` installs them). Prints Markdown tables.

    make eval-pii
    python scripts/eval_pii.py --split dev --errors 20
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.stats import FilterStats  # noqa: E402
from filters.pii import DEFAULT_ENTITIES, PII  # noqa: E402

MAN = Path("/usr/share/man")
DOC = Path("/usr/share/doc")
LANGUAGES = {
    "en": ["man1", "man5", "man7", "man8"],
    "ko": ["ko"],
    "ja": ["ja"],
    "zh": ["zh_CN", "zh_TW"],
    "de": ["de"],
    "fr": ["fr"],
    "es": ["es"],
    "ru": ["ru"],
}
PACKAGES = {
    "en": "manpages",
    "ko": "man-db",
    "ja": "manpages-ja",
    "zh": "manpages-zh",
    "de": "manpages-de",
    "fr": "manpages-fr",
    "es": "manpages-es",
    "ru": "manpages-ru",
}
MIN_PARAGRAPHS = 40  # fewer than this and a language's result would mean nothing


@dataclass
class Document:
    text: str
    lang: str
    kind: str  # "positive", "changelog" or "numbers"
    gold: list[tuple[str, int, int]] = field(default_factory=list)


# ---------------------------------------------------------------- real text


def read_gz(path: Path) -> str | None:
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError):
        return None


_ROFF_ESCAPES = [
    (re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)"), ""),
    (re.compile(r"\\\*(?:\[[^\]]*\]|\(..|.)"), ""),
    (re.compile(r"\\\((?:em|en|hy)"), "-"),
    (re.compile(r"\\\(..|\\\[[^\]]*\]"), ""),
    (
        re.compile(r"\\[-&e|^ ~0]"),
        lambda m: {"\\-": "-", "\\e": "\\", "\\ ": " ", "\\~": " ", "\\0": " "}.get(m[0], ""),
    ),
    (re.compile(r"\\s[-+]?\d"), ""),
    (re.compile(r'\\".*$'), ""),
]


_ADDRESS = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\.?\d)|[0-9A-Fa-f]{1,4}::?[0-9A-Fa-f]{1,4}:")


def roff_paragraphs(source: str) -> list[str]:
    """Prose paragraphs of a roff manual page: macros dropped, font escapes removed."""
    paragraphs, current, literal = [], [], False
    for line in source.splitlines():
        if line.startswith((".", "'")):
            macro = line[1:3]
            if macro in ("nf", "EX"):
                literal = True
            elif macro in ("fi", "EE"):
                literal = False
            if (
                macro in ("PP", "LP", "P", "SH", "SS", "TP", "IP", "sp", "br", "nf", "fi", "EX", "EE")
                or not macro
            ):
                if current:
                    paragraphs.append(" ".join(current))
                current = []
            continue
        if literal:
            continue
        for pattern, replacement in _ROFF_ESCAPES:
            line = pattern.sub(replacement, line)
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    # Paragraphs that already hold an address (translators' emails, URLs, example IP
    # addresses) would carry real unlabelled values: left out.
    return [
        p
        for p in paragraphs
        if len(p) >= 60 and "@" not in p and "://" not in p and "\\" not in p and not _ADDRESS.search(p)
    ]


def manual_paragraphs(lang: str) -> dict[str, list[str]]:
    """Paragraphs of the language's manual pages, keyed by the page's real path (symlinks
    and `.so` redirections read once)."""
    pages: dict[str, list[str]] = {}
    for folder in LANGUAGES[lang]:
        for path in sorted((MAN / folder).rglob("*.gz")):
            real = str(path.resolve())
            if real in pages:
                continue
            source = read_gz(path)
            if source and not source.lstrip().startswith(".so "):
                found = roff_paragraphs(source)
                if found:
                    pages[real] = found
    return pages


def changelog_chunks(max_chars: int = 1500) -> dict[str, list[str]]:
    """Debian changelogs and NEWS files cut into documents at line ends; only chunks with
    at least 20 digits (number-heavy) are kept. Lines holding an `@` are dropped."""
    chunks: dict[str, list[str]] = {}
    names = ("changelog.Debian.gz", "changelog.gz", "NEWS.gz", "NEWS.Debian.gz")
    for path in sorted(p for name in names for p in DOC.glob(f"*/{name}")):
        real = str(path.resolve())
        source = read_gz(path)
        if real in chunks or not source:
            continue
        found, current = [], []
        for line in source.splitlines():
            if "@" in line:
                continue
            current.append(line)
            if sum(len(x) + 1 for x in current) >= max_chars:
                found.append("\n".join(current))
                current = []
        if current:
            found.append("\n".join(current))
        found = [c for c in found if sum(ch.isdigit() for ch in c) >= 20]
        if found:
            chunks[real] = found
    return chunks


def split_of(source: str) -> str:
    return "dev" if zlib.crc32(source.encode()) % 2 == 0 else "test"


# ---------------------------------------------------------------- valid values


def luhn_digit(body: str) -> str:
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def credit_card(rng: random.Random) -> str:
    prefix, length = rng.choice(
        [
            ("4", 16),
            ("51", 16),
            ("53", 16),
            ("55", 16),
            ("2221", 16),
            ("6011", 16),
            ("35", 16),
            ("34", 15),
            ("37", 15),
        ]
    )
    body = prefix + digits(rng, length - len(prefix) - 1)
    number = body + luhn_digit(body)
    if length == 15:
        return rng.choice([number, f"{number[:4]} {number[4:10]} {number[10:]}"])
    separator = rng.choice([" ", "-", ""])
    return separator.join(number[i : i + 4] for i in range(0, 16, 4))


IBAN_LAYOUTS = {
    "DE": "n18",
    "FR": "n10a11n2",
    "ES": "n20",
    "GB": "A4n14",
    "IT": "A1n10a12",
    "NL": "A4n10",
    "AT": "n16",
    "BE": "n12",
}


def iban(rng: random.Random) -> str:
    country = rng.choice(sorted(IBAN_LAYOUTS))
    bban = ""
    for kind, count in re.findall(r"([anA])(\d+)", IBAN_LAYOUTS[country]):
        alphabet = {
            "n": "0123456789",
            "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "a": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        }[kind]
        bban += "".join(rng.choice(alphabet) for _ in range(int(count)))
    numeric = "".join(str(int(c, 36)) for c in bban + country) + "00"
    code = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    return rng.choice([code, " ".join(code[i : i + 4] for i in range(0, len(code), 4))])


def ip_address(rng: random.Random) -> str:
    if rng.random() < 0.7:
        while True:
            first = rng.randint(1, 223)
            if first not in (10, 127, 169, 172, 192):
                return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0] = rng.choice(["2001", "2a02", "2404", "2600", "2c0f"])
    if rng.random() < 0.5:
        return ":".join(groups)
    return ":".join(groups[:3]) + "::" + ":".join(groups[6:])


def us_ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def kr_rrn(rng: random.Random) -> str:
    year = rng.randint(1940, 2019)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    gender = rng.choice("12") if year < 2000 else rng.choice("34")
    body = f"{year % 100:02d}{month:02d}{day:02d}{gender}{rng.randint(0, 95):02d}{digits(rng, 3)}"
    check = (
        11 - sum(int(d) * w for d, w in zip(body, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], strict=True)) % 11
    ) % 10
    number = body + str(check)
    return f"{number[:6]}-{number[6:]}" if rng.random() < 0.85 else number


NAMES = [
    "jiho.park",
    "m.schmidt",
    "taro_yamada",
    "li.wei88",
    "marie-claire.dupont",
    "ivan.petrov",
    "ana.garcia",
    "j.smith+news",
    "kim_minjun",
    "suzuki.hanako",
    "wang.fang",
    "lukas.mueller",
    "camille.martin",
    "olga.ivanova",
    "carlos.lopez",
    "emily.jones",
]
DOMAINS = {
    "en": ["gmail.com", "outlook.com", "example.org", "company.co.uk", "uni.edu"],
    "ko": ["naver.com", "daum.net", "kakao.com", "korea.ac.kr", "samsung.co.kr"],
    "ja": ["yahoo.co.jp", "docomo.ne.jp", "u-tokyo.ac.jp", "gmail.com"],
    "zh": ["qq.com", "163.com", "sina.com.cn", "tsinghua.edu.cn"],
    "de": ["web.de", "gmx.de", "t-online.de", "firma.de"],
    "fr": ["orange.fr", "free.fr", "laposte.net", "entreprise.fr"],
    "es": ["telefonica.es", "gmail.com", "hotmail.es", "empresa.es"],
    "ru": ["mail.ru", "yandex.ru", "rambler.ru", "company.ru"],
}


def email(rng: random.Random, lang: str) -> str:
    return f"{rng.choice(NAMES)}@{rng.choice(DOMAINS[lang])}"


# How people write phone numbers in each language's region: "#" is a random digit.
PHONE_FORMATS = {
    "en": [
        ("US", "(415) ###-####"),
        ("US", "+1 212-###-####"),
        ("US", "646.###.####"),
        ("GB", "020 7946 ####"),
        ("GB", "+44 20 7946 ####"),
        ("GB", "07700 9#####"),
        ("CA", "+1 (604) ###-####"),
        ("IN", "+91 98### #####"),
    ],
    "ko": [
        ("KR", "010-####-####"),
        ("KR", "02-###-####"),
        ("KR", "031-###-####"),
        ("KR", "+82 10-####-####"),
        ("KR", "010########"),
        ("KR", "051-###-####"),
    ],
    "ja": [
        ("JP", "090-####-####"),
        ("JP", "03-####-####"),
        ("JP", "06-####-####"),
        ("JP", "+81 90-####-####"),
        ("JP", "080-####-####"),
    ],
    "zh": [
        ("CN", "138########"),
        ("CN", "139 #### ####"),
        ("CN", "+86 136 #### ####"),
        ("CN", "010-6#######"),
        ("CN", "021-6#######"),
    ],
    "de": [
        ("DE", "030 #######"),
        ("DE", "+49 30 #######"),
        ("DE", "0171 #######"),
        ("DE", "+49 171 #######"),
        ("DE", "089/#######"),
        ("DE", "040 ########"),
    ],
    "fr": [
        ("FR", "01 ## ## ## ##"),
        ("FR", "06 ## ## ## ##"),
        ("FR", "+33 6 ## ## ## ##"),
        ("FR", "01.##.##.##.##"),
        ("FR", "+33 1 ## ## ## ##"),
    ],
    "es": [
        ("ES", "91# ### ###"),
        ("ES", "6## ### ###"),
        ("ES", "+34 6## ### ###"),
        ("ES", "91 ### ## ##"),
        ("ES", "93# ## ## ##"),
    ],
    "ru": [
        ("RU", "+7 495 ###-##-##"),
        ("RU", "+7 (916) ###-##-##"),
        ("RU", "8 (495) ###-##-##"),
        ("RU", "8 916 ### ## ##"),
        ("RU", "+7 812 ### ## ##"),
    ],
}


def phone(rng: random.Random, lang: str) -> str:
    """A number libphonenumber validates for its region, in a format people write."""
    while True:
        region, layout = rng.choice(PHONE_FORMATS[lang])
        number = "".join(rng.choice("0123456789") if c == "#" else c for c in layout)
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(number, region)):
                return number
        except phonenumbers.NumberParseException:
            continue


def value(rng: random.Random, entity: str, lang: str) -> str:
    return {
        "EMAIL_ADDRESS": lambda: email(rng, lang),
        "PHONE_NUMBER": lambda: phone(rng, lang),
        "CREDIT_CARD": lambda: credit_card(rng),
        "IBAN_CODE": lambda: iban(rng),
        "IP_ADDRESS": lambda: ip_address(rng),
        "US_SSN": lambda: us_ssn(rng),
        "KR_RRN": lambda: kr_rrn(rng),
    }[entity]()


# Sentences that carry a value, in each language; `{}` is the value. Korean particles and
# Japanese/Chinese words touch the value, as they do in real text.
FRAMES = {
    "en": [
        "Contact: {}.",
        "Send it to {} today.",
        "The record lists {} as given.",
        "({})",
        "Use {}, not the old one.",
    ],
    "ko": [
        "{}로 연락 주세요.",
        "{}으로 보내 주세요.",
        "{}를 확인했습니다.",
        "{}은 등록되어 있습니다.",
        "{}에게 문의하세요.",
        "{}까지 알려 주세요.",
        "연락처:{} 입니다.",
        "번호는{}입니다.",
        "결제 정보 {}로 처리되었습니다.",
    ],
    "ja": [
        "{}までご連絡ください。",
        "{}で登録しました。",
        "連絡先は{}です。",
        "{}に送ってください。",
        "番号は{}は無効です。",
        "お問い合わせ：{}。",
    ],
    "zh": ["请发送到{}给我们。", "联系方式{}的用户。", "我的号码是{}。", "请拨打{}咨询。", "账户{}已登记。"],
    "de": [
        "Kontakt: {}.",
        "Bitte an {} senden.",
        "Die Angabe {} ist hinterlegt.",
        "Erreichbar unter {} ab 9 Uhr.",
    ],
    "fr": [
        "Contact : {}.",
        "Écrivez à {} demain.",
        "La valeur {} est enregistrée.",
        "Appelez le {} avant midi.",
    ],
    "es": ["Contacto: {}.", "Envíelo a {} hoy.", "El dato {} está registrado.", "Llame al {} por la mañana."],
    "ru": [
        "Контакт: {}.",
        "Отправьте на {} сегодня.",
        "Значение {} сохранено.",
        "Звоните по номеру {} утром.",
    ],
}


def sentences(passage: str, lang: str) -> list[str]:
    """The passage cut after each sentence (not inside numbers such as 2.6.13)."""
    pattern = r"(?<=[。！？])" if lang in ("ja", "zh") else r"(?<=[.!?])\s+"
    return [p for p in re.split(pattern, passage) if p]


def _joiner(lang: str, text: list[str]) -> str:
    """What goes between sentences: nothing in Japanese and Chinese (a full stop when the
    previous piece, e.g. a heading, has none), a space elsewhere."""
    if not text:
        return ""
    if lang in ("ja", "zh"):
        return "" if text[-1].endswith(("。", "！", "？", ".", "!", "?", "）", ")")) else "。"
    return " "


def inject(rng: random.Random, passage: str, lang: str, entities: list[str]) -> Document:
    """The passage with one sentence per entity (a valid value in a frame) inserted at
    sentence ends; gold offsets are those of the values in the final text."""
    pieces = [p for p in sentences(passage, lang) if p]
    inserts = sorted((rng.randint(0, len(pieces)), entity) for entity in entities)
    text, gold, cursor = [], [], 0
    for index, piece in enumerate(pieces + [""]):
        for at, entity in inserts:
            if at == index:
                found = value(rng, entity, lang)
                before, after = rng.choice(FRAMES[lang]).split("{}")
                joiner = _joiner(lang, text)
                start = cursor + len(joiner) + len(before)
                gold.append((entity, start, start + len(found)))
                sentence = joiner + before + found + after
                text.append(sentence)
                cursor += len(sentence)
        if piece:
            joiner = _joiner(lang, text)
            text.append(joiner + piece)
            cursor += len(joiner) + len(piece)
    return Document("".join(text), lang, "positive", gold)


# ---------------------------------------------------------------- number formats without PII

MONTHS = {"en": "May", "de": "Mai", "fr": "mai", "es": "mayo", "ru": "мая"}


def number_phrase(rng: random.Random, lang: str) -> str:
    """One number-heavy phrase that holds no personal information."""
    y, m, d = rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28)
    hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    dates = [
        f"{d:02d}.{m:02d}.{y}",
        f"{d}.{m}.{y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{d:02d}/{m:02d}/{y}",
        f"{m:02d}/{d:02d}/{y}",
        f"{y}/{m:02d}/{d:02d}",
        f"{d:02d}-{m:02d}-{y}",
        f"{d:02d}.{m:02d}.{y % 100:02d}",
        f"{y}. {m}. {d}.",
        f"{y}{m:02d}{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}년 {m}월 {d}일",
        f"{d} {MONTHS.get(lang, 'May')} {y}",
        f"{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z",
        f"Mon, {d:02d} May {y} {hh:02d}:{mm:02d}:{ss:02d} +0100",
        f"{d:02d}.{m:02d}.{y} {hh:02d}:{mm:02d}",
    ]
    isbn_body = "978" + digits(rng, 9)
    isbn_check = str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(isbn_body)) % 10) % 10)
    reference = digits(rng, 15)
    reference += str((int(luhn_digit(reference)) + rng.randint(1, 9)) % 10)  # fails Luhn
    a, b = rng.uniform(0, 1), rng.randint(2, 999)
    choices = [
        lambda: rng.choice(dates),
        lambda: f"{rng.randint(0, 20)}.{rng.randint(0, 30)}.{rng.randint(0, 300)}",
        lambda: f"v{rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}.{rng.randint(0, 9999)}",
        lambda: (
            f"{rng.randint(1, 10)}.{rng.randint(0, 9)}.{rng.randint(10000, 22631)}.{rng.randint(1, 4000)}"
        ),
        lambda: f"ISBN {isbn_body[:3]}-{isbn_body[3]}-{isbn_body[4:8]}-{isbn_body[8:]}-{isbn_check}",
        lambda: f"ISBN {isbn_body}{isbn_check}",
        lambda: f"doi:10.{rng.randint(1000, 9999)}/{rng.randint(100000, 9999999)}",
        lambda: f"${rng.randint(1, 99)},{rng.randint(0, 999):03d}.{rng.randint(0, 99):02d}",
        lambda: f"{rng.randint(1, 999)}.{rng.randint(0, 999):03d},{rng.randint(0, 99):02d} €",
        lambda: f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}원",
        lambda: f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}円",
        lambda: f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d} 元",
        lambda: f"{rng.randint(1, 9999)}.{rng.randint(0, 999)} km",
        lambda: f"{rng.randint(1, 99)} {rng.randint(0, 999):03d} m²",
        lambda: f"{rng.randint(100, 99999)} mm",
        lambda: f"{rng.randint(1000000, 99999999)} bytes",
        lambda: f"{a:.5f} × {b} = {a * b:.5f}",
        lambda: f"{rng.randint(1000, 99999)} * {rng.randint(1000, 9999)} = {rng.randint(10**6, 10**9)}",
        lambda: f"{rng.randint(100, 9999)} + {rng.randint(100, 9999)} - {rng.randint(100, 9999)}",
        lambda: f"order #{y}{m:02d}{d:02d}{digits(rng, 6)}",
        lambda: f"order {digits(rng, 3)}-{digits(rng, 7)}-{digits(rng, 7)}",
        lambda: f"tracking 1Z {digits(rng, 3)} AA1 {digits(rng, 2)} {digits(rng, 4)} {digits(rng, 3)}",
        lambda: f"tracking {' '.join(digits(rng, 4) for _ in range(5))} {digits(rng, 2)}",
        lambda: f"Reference no. {' '.join(reference[i : i + 4] for i in range(0, 16, 4))}",
        lambda: f"invoice INV-{y}-{digits(rng, 6)}",
        lambda: f"case {digits(rng, 8)}",
        lambda: f"{hh:02d}:{mm:02d}:{ss:02d}",
        lambda: f"{rng.randint(1, 9)},{digits(rng, 3)},{digits(rng, 3)} users",
        lambda: f"{rng.uniform(-90, 90):.4f}, {rng.uniform(-180, 180):.4f}",
        lambda: f"section {rng.randint(1, 20)}.{rng.randint(1, 9)}.{rng.randint(1, 9)}",
        lambda: f"{rng.uniform(0, 100):.1f} %",
        lambda: f"Closes: #{rng.randint(100000, 1099999)}",
        lambda: f"{rng.randint(1, 31)}.{rng.randint(1, 12)}.",
    ]
    return rng.choice(choices)()


def numbers_document(rng: random.Random, passage: str, lang: str) -> Document:
    """A real passage with number-heavy phrases added after its sentences."""
    pieces = [p for p in sentences(passage, lang) if p]
    out = []
    for piece in pieces:
        out.append(piece)
        for _ in range(rng.randint(1, 3)):
            out.append(f"({number_phrase(rng, lang)})")
    joiner = "" if lang in ("ja", "zh") else " "
    return Document(joiner.join(out), lang, "numbers")


# ---------------------------------------------------------------- the set, the run, the score


def build(split: str, seed: int, per_type: int, negatives: int) -> list[Document]:
    rng = random.Random(f"{seed}-{split}")
    docs = []
    for lang in LANGUAGES:
        pages = manual_paragraphs(lang)
        passages = [p for source, found in pages.items() if split_of(source) == split for p in found]
        if len(passages) < MIN_PARAGRAPHS:
            raise SystemExit(
                f"eval_pii: only {len(passages)} manual-page paragraphs for {lang!r} under "
                f"{MAN}/{LANGUAGES[lang][0]}; install the Debian package {PACKAGES[lang]}"
                + ("" if lang in ("en", "ko") else " (`make eval-pii` does)")
            )
        for entity in DEFAULT_ENTITIES:
            for _ in range(per_type):
                docs.append(inject(rng, rng.choice(passages), lang, [entity]))
        for _ in range(negatives // len(LANGUAGES)):
            docs.append(numbers_document(rng, rng.choice(passages), lang))
    chunks = [c for source, found in changelog_chunks().items() if split_of(source) == split for c in found]
    if len(chunks) < MIN_PARAGRAPHS:
        raise SystemExit(f"eval_pii: only {len(chunks)} changelog chunks under {DOC}")
    docs += [Document(c, "en", "changelog") for c in rng.sample(chunks, min(negatives, len(chunks)))]
    return docs


def detect(docs: list[Document], params: dict) -> tuple[list[list[tuple[str, int, int]]], float]:
    flt = PII(PII.Params(action="annotate", **params))
    flt.setup()
    stats = FilterStats("pii")
    found = []
    started = time.perf_counter()
    for offset in range(0, len(docs), 1000):
        chunk = docs[offset : offset + 1000]
        batch = pa.RecordBatch.from_pydict(
            {
                "id": [str(i) for i in range(len(chunk))],
                "text": pa.array([d.text for d in chunk], pa.large_string()),
            }
        )
        verdict = flt.apply(batch, stats)
        found += [
            [(s["type"], s["start"], s["end"]) for s in row] for row in verdict.columns["pii"].to_pylist()
        ]
    return found, len(docs) / (time.perf_counter() - started)


def marked(text: str, start: int, end: int) -> str:
    return repr(f"{text[max(0, start - 30) : start]}[[{text[start:end]}]]{text[end : end + 30]}")


def score(docs: list[Document], found: list[list[tuple[str, int, int]]], errors: int) -> str:
    """Markdown tables: per entity type, per language, and hard negatives flagged."""
    tp, fn, fp, hit = Counter(), Counter(), Counter(), Counter()
    lang_tp, lang_fn, lang_fp = Counter(), Counter(), Counter()
    flagged, negatives, flagged_by = Counter(), Counter(), Counter()
    shown = []
    for doc, spans in zip(docs, found, strict=True):
        for entity, start, end in doc.gold:
            covered = any(t == entity and s <= start and e >= end for t, s, e in spans)
            (tp if covered else fn)[entity] += 1
            (lang_tp if covered else lang_fn)[doc.lang] += 1
            if not covered and len(shown) < errors:
                shown.append(f"missed {entity} [{doc.lang}]: {marked(doc.text, start, end)}")
        for entity, start, end in spans:
            if any(t == entity and s < end and e > start for t, s, e in doc.gold):
                hit[entity] += 1
            else:
                fp[entity] += 1
                lang_fp[doc.lang] += 1
                if len(shown) < errors:
                    shown.append(f"false {entity} [{doc.kind}]: {marked(doc.text, start, end)}")
        if doc.kind != "positive":
            negatives[doc.kind] += 1
            if spans:
                flagged[doc.kind] += 1
                for entity in {t for t, _, _ in spans}:
                    flagged_by[entity] += 1

    def ratio(a: int, b: int) -> str:
        return f"{a / b:.3f}" if b else "-"

    lines = ["| entity | gold | recall | predicted | precision |", "|---|---:|---:|---:|---:|"]
    for entity in DEFAULT_ENTITIES:
        predicted = hit[entity] + fp[entity]
        lines.append(
            f"| {entity} | {tp[entity] + fn[entity]} | {ratio(tp[entity], tp[entity] + fn[entity])} | "
            f"{predicted} | {ratio(hit[entity], predicted)} |"
        )
    total_tp, total_fn = sum(tp.values()), sum(fn.values())
    total_hit, total_fp = sum(hit.values()), sum(fp.values())
    lines.append(
        f"| **all** | {total_tp + total_fn} | {ratio(total_tp, total_tp + total_fn)} | "
        f"{total_hit + total_fp} | {ratio(total_hit, total_hit + total_fp)} |"
    )
    lines += ["", "| language | gold | recall | false spans |", "|---|---:|---:|---:|"]
    for lang in LANGUAGES:
        lines.append(
            f"| {lang} | {lang_tp[lang] + lang_fn[lang]} | "
            f"{ratio(lang_tp[lang], lang_tp[lang] + lang_fn[lang])}"
            f" | {lang_fp[lang]} |"
        )
    lines += ["", "| hard negatives (no PII) | documents | flagged | share flagged |", "|---|---:|---:|---:|"]
    for kind, label in (
        ("changelog", "Debian changelogs and NEWS"),
        ("numbers", "manual pages + number formats"),
    ):
        lines.append(
            f"| {label} | {negatives[kind]} | {flagged[kind]} | {ratio(flagged[kind], negatives[kind])} |"
        )
    lines.append(
        f"| **all** | {sum(negatives.values())} | {sum(flagged.values())} | "
        f"{ratio(sum(flagged.values()), sum(negatives.values()))} |"
    )
    if flagged_by:
        lines.append("")
        lines.append(
            "flagged negatives by entity: " + ", ".join(f"{k} {v}" for k, v in sorted(flagged_by.items()))
        )
    return "\n".join(lines + ([""] + shown if shown else []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split",
        choices=["dev", "test"],
        default="test",
        help="dev: choose rules and thresholds; test: report",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--per-type", type=int, default=60, help="injected values per entity type and language"
    )
    parser.add_argument("--negatives", type=int, default=1000, help="documents per kind of hard negative")
    parser.add_argument("--errors", type=int, default=0, help="print up to this many misses and false hits")
    parser.add_argument("--no-prefilter", action="store_true", help="run presidio on whole documents")
    args = parser.parse_args()
    docs = build(args.split, args.seed, args.per_type, args.negatives)
    found, speed = detect(docs, {"prefilter": not args.no_prefilter})
    print(
        f"pii eval, split {args.split}, seed {args.seed}: {len(docs)} documents "
        f"({sum(d.kind == 'positive' for d in docs)} with injected PII), {speed:,.0f} docs/s\n"
    )
    print(score(docs, found, args.errors))


if __name__ == "__main__":
    main()

"""eval_quality: how much real machine noise a config's filters catch and how much real prose they lose.

The labelled set is built from files Debian and PyPI packages install; nothing is downloaded:

- noise, by kind: log lines (/var/log: dpkg, apt, alternatives), minified JavaScript and
  CSS (files with a mean line length above 300 characters under /usr/share, the Debian
  Python packages and this interpreter's site-packages), source maps (`*.map` JSON),
  hex dumps (`xxd` and `od` of binaries in /usr/bin), base64 of the same binaries
  (76-character lines, as `base64` writes them), symbol tables (`nm -D` of shared
  libraries), terminfo sources (`infocmp` of every installed terminal) and ASCII art
  (`figlet` in every installed figlet and toilet font, of package names);
- prose: paragraphs of the translated manual pages in 14 languages (en, ko, ja, zh, de, fr,
  es, ru, it, pl, pt, nl, sv, uk), joined into documents, and a separate bucket of short
  texts (the first 1-3 sentences of a paragraph); option lists, synopses, SEE ALSO lists,
  index entries and text without a letter of the language's script are not prose (`is_prose`),
  and a text repeated across pages (translators' boilerplate) is counted once.

Documents take web-like sizes (log-uniform, 200-5,000 characters). The set is split by
source file (a manual page, a binary, a library, a font, a terminal; the few log files by
1,000-line blocks, minified assets and source maps by 40,000-character blocks), each kind
and language sampled from its own random stream: thresholds are chosen on `dev`, the report
is on `test`. The script runs
the config's noise filters twice, the baseline (langid and special_chars) and the whole
chain (with the quality filters), and prints Markdown tables: recall per noise kind (and of
the whole chain on each noise document's prefix of 20-400 characters, noise as short as the
short texts: no rule for short texts is judged on long noise alone) and prose loss per
language, overall and for short texts. Filters that do not judge noise
(toxicity, pii, minhash_dedup) are left out; with `languages` set on langid, prose in other
languages is left out (removing it is the config's intent).

    make eval-quality
    python scripts/eval_quality.py --config configs/web-ko.yaml --split dev --errors 5
"""

from __future__ import annotations

import argparse
import base64
import glob
import gzip
import lzma
import math
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import unicodedata
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import regex
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_pii import read_gz, roff_paragraphs  # noqa: E402

from corpus.schema import REJECT_REASON  # noqa: E402
from corpus.stats import FilterStats  # noqa: E402
from filters.registry import get_filter  # noqa: E402

MAN = Path("/usr/share/man")
# language -> (manual page folders, the Debian package that installs most of them)
LANGUAGES = {
    "en": (["man1", "man5", "man7", "man8"], "manpages"),
    "ko": (["ko"], "man-db"),
    "ja": (["ja"], "manpages-ja"),
    "zh": (["zh_CN", "zh_TW"], "manpages-zh"),
    "de": (["de"], "manpages-de"),
    "fr": (["fr"], "manpages-fr"),
    "es": (["es"], "manpages-es"),
    "ru": (["ru"], "manpages-ru"),
    "it": (["it"], "manpages-it"),
    "pl": (["pl"], "manpages-pl"),
    "pt": (["pt", "pt_BR"], "manpages-pt-br"),
    "nl": (["nl"], "manpages-nl"),
    "sv": (["sv"], "dpkg"),
    "uk": (["uk"], "manpages-uk"),
}
NOISE_FILTERS = {"langid", "special_chars"}  # the baseline chain
NOT_NOISE = {"toxicity", "pii", "minhash_dedup", "exact_dedup"}
MIN_DOCS = 20  # fewer than this in a bucket of a split and its share would mean nothing
# Korean manual pages are few (44, from five packages): its long-document bucket is small.
MIN_LONG_PROSE = 10
MAX_PER_SOURCE = 30  # one big file must not make up a kind
# Minified assets and source maps come from a dozen files of very different sizes: split by
# whole file, one split could get a few documents of a kind. Their blocks of 40,000
# characters (about 27 documents) are the split's units instead, at most 4 blocks a file.
BLOCK_CHARS, MAX_BLOCKS = 40_000, 4
MIN_CHARS, MAX_CHARS = 200, 5000
SHORT_CHARS = (20, 400)  # short texts: prose of 1-3 sentences, and noise prefixes of as many characters
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


class SourceMissing(RuntimeError):
    """A data source of the labelled set is not installed."""


@dataclass
class Document:
    text: str
    label: str  # a noise kind, or a language code for prose
    noise: bool
    short: bool
    source: str


def split_of(source: str) -> str:
    """A source's split: by its file's name, and for a block of a file (`name#3`) alternating
    from block to block, so a file cut into blocks gives both splits their share."""
    name, _, block = source.partition("#")
    return ("dev", "test")[(zlib.crc32(name.encode()) + int(block or 0)) % 2]


def doc_length(rng: random.Random) -> int:
    return int(math.exp(rng.uniform(math.log(MIN_CHARS), math.log(MAX_CHARS))))


def cut_lines(text: str, rng: random.Random) -> list[str]:
    """Consecutive lines cut into documents of web-like sizes."""
    docs, current, size, target = [], [], 0, doc_length(rng)
    for line in text.splitlines():
        current.append(line)
        size += len(line) + 1
        if size >= target:
            docs.append("\n".join(current))
            current, size, target = [], 0, doc_length(rng)
    if size >= MIN_CHARS:
        docs.append("\n".join(current))
    return docs


def cut_blocks(name: str, text: str, rng: random.Random) -> dict[str, list[str]]:
    """A long-line file's first blocks (the split's units), each cut into documents."""
    blocks = {}
    for start in range(0, min(len(text), MAX_BLOCKS * BLOCK_CHARS), BLOCK_CHARS):
        docs = cut_chars(text[start : start + BLOCK_CHARS], rng)
        if docs:
            blocks[f"{name}#{start // BLOCK_CHARS}"] = docs
    return blocks


def cut_chars(text: str, rng: random.Random) -> list[str]:
    """A text with few line breaks (minified code) cut into slices of web-like sizes."""
    docs, start = [], 0
    while len(text) - start >= MIN_CHARS:
        end = start + doc_length(rng)
        docs.append(text[start:end])
        start = end
    return docs


def run(command: list[str], data: bytes | None = None) -> str:
    done = subprocess.run(command, input=data, capture_output=True, timeout=60)
    return done.stdout.decode("utf-8", "replace")


def need(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        raise SourceMissing(f"{tool} is not installed: install Debian's {package} (make eval-quality does)")


# ---------------------------------------------------------------- noise


def logs(rng: random.Random) -> dict[str, list[str]]:
    files = sorted(Path("/var/log").glob("*.log")) + sorted(Path("/var/log/apt").glob("*.log"))
    found: dict[str, list[str]] = {}
    for path in files + sorted(Path("/var/log/apt").glob("*.log.xz")):
        try:
            raw = lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes()
        except OSError:
            continue
        lines = raw.decode("utf-8", "replace").splitlines()
        # Few log files exist on one machine: 1,000-line blocks are the split's units.
        for block in range(0, len(lines), 1000):
            docs = cut_lines("\n".join(lines[block : block + 1000]), rng)
            if docs:
                found[f"{path}#{block // 1000}"] = docs
    if sum(len(d) for d in found.values()) < 2 * MIN_DOCS:
        raise SourceMissing("too few log lines under /var/log: Debian's dpkg and apt write them")
    return found


SITE = Path(sysconfig.get_paths()["purelib"])


def source_name(path: Path) -> str:
    """A file's name as a source of the split: under this interpreter's site-packages, relative
    to it, so a file lands in the same split whichever folder the virtual environment is in."""
    return f"site-packages/{path.relative_to(SITE)}" if path.is_relative_to(SITE) else str(path)


def _long_line_files(suffixes: tuple[str, ...]) -> list[Path]:
    roots = [Path("/usr/share"), Path("/usr/lib/python3/dist-packages"), SITE]
    files = []
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in suffixes and path.is_file() and not path.is_symlink():
                size = path.stat().st_size
                if 5_000 <= size <= 5_000_000:
                    files.append(path)
    return sorted(set(files))


def minified(suffix: str, rng: random.Random) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _long_line_files((suffix,)):
        text = path.read_bytes().decode("utf-8", "replace")
        if len(text) / (text.count("\n") + 1) > 300:  # minified: long lines
            found.update(cut_blocks(source_name(path), text, rng))
    if len(found) < 2:
        package = "libjs-jquery and libjs-underscore" if suffix == ".js" else "libjs-sphinxdoc"
        raise SourceMissing(f"no minified {suffix} files found: install Debian's {package}")
    return found


def source_maps(rng: random.Random) -> dict[str, list[str]]:
    found = {}
    for path in _long_line_files((".map",)):
        found.update(cut_blocks(source_name(path), path.read_text("utf-8", "replace"), rng))
    if len(found) < 2:
        raise SourceMissing("no source maps (*.map) found: install Debian's libjs-underscore")
    return found


def binaries(count: int) -> list[Path]:
    paths = sorted(p for p in Path("/usr/bin").iterdir() if p.is_file() and not p.is_symlink())
    return paths[:: max(1, len(paths) // count)]


def hex_dumps(rng: random.Random) -> dict[str, list[str]]:
    need("xxd", "xxd")
    found = {}
    for index, path in enumerate(binaries(120)):
        data = path.read_bytes()
        docs = []
        for _ in range(3):
            size = doc_length(rng) // 4  # a dump line holds 16 bytes in about 68 characters
            start = rng.randrange(max(1, len(data) - size))
            chunk = data[start : start + size]
            # xxd and od: the two dumps a page is likely to carry
            docs.append(run(["xxd"], chunk) if index % 2 else run(["od", "-A", "x", "-t", "x1z"], chunk))
        found[str(path)] = [d for d in docs if len(d) >= MIN_CHARS]
    return found


def base64_dumps(rng: random.Random) -> dict[str, list[str]]:
    found = {}
    for path in binaries(120):
        data = path.read_bytes()
        docs = []
        for _ in range(3):
            size = doc_length(rng) * 3 // 4
            start = rng.randrange(max(1, len(data) - size))
            docs.append(base64.encodebytes(data[start : start + size]).decode())
        found[str(path)] = [d for d in docs if len(d) >= MIN_CHARS]
    return found


def symbol_tables(rng: random.Random) -> dict[str, list[str]]:
    need("nm", "binutils")
    libraries = sorted(p for p in Path("/usr/lib/x86_64-linux-gnu").glob("*.so*") if not p.is_symlink())
    found = {}
    for path in libraries[:: max(1, len(libraries) // 150)]:
        docs = cut_lines(run(["nm", "-D", str(path)]), rng)[:MAX_PER_SOURCE]
        if docs:
            found[str(path)] = docs
    return found


def terminfo(rng: random.Random) -> dict[str, list[str]]:
    need("infocmp", "ncurses-bin")
    roots = ("/lib/terminfo", "/usr/share/terminfo")
    names = sorted({p.name for root in roots for p in Path(root).glob("*/*")})
    if len(names) < 200:
        raise SourceMissing("fewer than 200 terminfo entries: install Debian's ncurses-term")
    found = {}
    for name in names[:: max(1, len(names) // 400)]:
        text = run(["infocmp", name])
        if len(text) >= MIN_CHARS:
            found[name] = [text[: doc_length(rng) * 2]]
    return found


def ascii_art(rng: random.Random) -> dict[str, list[str]]:
    need("figlet", "figlet")
    fonts = sorted(p for p in Path("/usr/share/figlet").glob("*") if p.suffix in (".flf", ".tlf"))
    if len(fonts) < 10:
        raise SourceMissing("fewer than 10 figlet fonts: install Debian's figlet and toilet-fonts")
    words = run(["dpkg-query", "-W", "-f", "${Package}\n"]).split()
    found = {}
    for font in fonts:
        docs = []
        for _ in range(8):
            target, parts = doc_length(rng), []
            while sum(len(p) for p in parts) < target:
                phrase = " ".join(rng.sample(words, rng.randint(1, 2)))
                art = run(["figlet", "-w", "100", "-f", str(font), phrase]).rstrip()
                if not art.strip():
                    break
                parts.append(art)
            if parts:
                docs.append("\n\n".join(parts))
        found[str(font)] = [d for d in docs if len(d) >= MIN_CHARS]
    return found


NOISE = {
    "log lines": logs,
    "minified JS": lambda rng: minified(".js", rng),
    "minified CSS": lambda rng: minified(".css", rng),
    "source maps": source_maps,
    "hex dumps": hex_dumps,
    "base64": base64_dumps,
    "symbol tables": symbol_tables,
    "terminfo": terminfo,
    "ASCII art": ascii_art,
}


# ---------------------------------------------------------------- prose


# groff's accent escapes (`\('e`, `\(~a`, `\[:o]`): Portuguese, Swedish, Polish... pages
# spell their letters this way, and dropping them (as a plain roff strip does) garbles the prose.
_ACCENT = re.compile(r"\\(?:\(([\'`^~:,o])([A-Za-z])|\[([\'`^~:,o])([A-Za-z])\])")
_COMBINING = {"'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", ":": "\u0308", ",": "\u0327",
              "o": "\u030a"}
_NAMED = {"co": "©", "em": "—", "en": "–", "lq": "“", "rq": "”", "aq": "'", "dq": '"', "bu": "•", "ss": "ß"}
_NAMED_ESCAPE = re.compile(r"\\\((" + "|".join(_NAMED) + ")")


def english_documents(limit: int) -> list[str]:
    """Real English text on this machine: Debian's /usr/share/doc READMEs, changelogs and
    notes, cut into documents of about 3,000 characters at paragraph breaks."""
    documents: list[str] = []
    for path in sorted(glob.glob("/usr/share/doc/**/*", recursive=True)):
        name = Path(path).name
        if not (name.endswith((".gz", ".txt", ".md", ".rst")) or name.startswith("README")):
            continue
        try:
            raw = Path(path).read_bytes()
            text = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
            continue
        current = ""
        for paragraph in text.split("\n\n"):
            current += paragraph + "\n\n"
            if len(current) >= 3000:
                documents.append(current.strip())
                current = ""
        if current.strip():
            documents.append(current.strip())
    random.Random(3).shuffle(documents)
    return documents[:limit]


def decode_accents(source: str) -> str:
    def letter(match: re.Match) -> str:
        accent, base = (match[1], match[2]) if match[1] else (match[3], match[4])
        return unicodedata.normalize("NFC", base + _COMBINING[accent])

    return _NAMED_ESCAPE.sub(lambda m: _NAMED[m[1]], _ACCENT.sub(letter, source))


def manual_pages(lang: str) -> dict[str, list[str]]:
    folders, package = LANGUAGES[lang]
    pages: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted((MAN / folder).rglob("*.gz")):
            real = str(path.resolve())
            # Google Cloud SDK's 16,000 generated command references would make up most of
            # the English set: they are flag listings, not prose.
            if real in pages or path.name.startswith("gcloud"):
                continue
            source = read_gz(path)
            if source and not source.lstrip().startswith(".so "):
                found = [p for p in roff_paragraphs(decode_accents(source)) if is_prose(p, lang)]
                if found:
                    pages[real] = found
    if len(pages) < 4:
        raise SourceMissing(f"too few {lang} manual pages under /usr/share/man: install Debian's {package}")
    return pages


# Manual pages hold more than prose: option lists, synopses, command examples, SEE ALSO
# lists, index entries (a name and the page that documents it: systemd.directives(7)) and, in
# translated pages, paragraphs left in English or another script. The labels keep sentences
# of the page's language only, by rules that look at none of the filters' measures.
_REFERENCES = re.compile(r"[\w.-]+\(\d\w*\)")
# the letters a language is written in: a paragraph with none of them is not in the language
_SCRIPT = {"ko": regex.compile(r"\p{Hangul}"), "ja": regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]"),
           "zh": regex.compile(r"\p{Han}"), "ru": regex.compile(r"\p{Cyrillic}"),
           "uk": regex.compile(r"\p{Cyrillic}")}
_LATIN = regex.compile(r"\p{Latin}")
_CODE = re.compile(r"[\[\]{}<>$=|_/\\]|--|\s-\w")
_ENGLISH = frozenset({"the", "and", "of", "to", "is", "are", "be", "this", "that", "with", "for", "can",
                      "will", "if", "by", "an", "or", "as", "on", "not", "in", "it"})


def is_prose(paragraph: str, lang: str) -> bool:
    text = paragraph.strip()
    references = len(_REFERENCES.findall(text))
    if text[:1] in "-[$%#*" or references >= 2 or len(_CODE.findall(text)) >= 2:
        return False
    if (references and len(text.split()) <= 2) or not _SCRIPT.get(lang, _LATIN).search(text):
        return False
    visible = [c for c in text if not c.isspace()]
    if sum(c.isalpha() for c in visible) < 0.75 * len(visible):
        return False
    words = text.lower().split()
    return lang == "en" or sum(w in _ENGLISH for w in words) < 0.1 * len(words)


def prose(lang: str, paragraphs: list[str], rng: random.Random) -> list[str]:
    """A page's paragraphs joined into documents of web-like sizes, one paragraph per line."""
    docs, current, target = [], [], doc_length(rng)
    for paragraph in paragraphs:
        current.append(paragraph)
        if sum(len(p) + 1 for p in current) >= target:
            docs.append("\n".join(current))
            current, target = [], doc_length(rng)
    if sum(len(p) for p in current) >= MIN_CHARS:
        docs.append("\n".join(current))
    return docs


def short_texts(lang: str, paragraphs: list[str], rng: random.Random) -> list[str]:
    """The first 1-3 sentences of paragraphs, held to the paragraphs' prose rules: texts of a
    sentence or a few."""
    texts = []
    for paragraph in paragraphs:
        sentences = [s for s in SENTENCE_END.split(paragraph) if s.strip()]
        text = " ".join(sentences[: rng.randint(1, 3)]).strip()
        if SHORT_CHARS[0] <= len(text) <= SHORT_CHARS[1] and is_prose(text, lang):
            texts.append(text)
    return texts


def distinct(docs: list[Document]) -> list[Document]:
    """Each text once: translated pages share boilerplate (the translators' licence note)."""
    first: dict[str, Document] = {}
    for doc in docs:
        first.setdefault(doc.text, doc)
    return list(first.values())


def short_noise(docs: list[Document], seed: int) -> list[Document]:
    """Each noise document's prefix of 20-400 characters (log-uniform): noise as short as the
    short texts, for rules that treat short texts differently."""
    rng = random.Random(seed)
    low, high = (math.log(n) for n in SHORT_CHARS)
    return [Document(d.text[: int(math.exp(rng.uniform(low, high)))], d.label, True, True, d.source)
            for d in docs if d.noise]


def build(split: str, seed: int, per_kind: int, per_lang: int, languages: list[str]) -> list[Document]:
    docs: list[Document] = []
    # Each kind and language draws from its own stream: a log that grew since the last run
    # must not reshuffle the other buckets.
    for kind, make in NOISE.items():
        rng = random.Random(f"{seed}/{kind}")
        sources = {k: v[:MAX_PER_SOURCE] for k, v in make(rng).items() if split_of(k) == split}
        found = [Document(t, kind, True, False, s) for s, texts in sources.items() for t in texts]
        if len(found) < MIN_DOCS:
            raise SourceMissing(f"only {len(found)} {kind} documents in the {split} split")
        docs += rng.sample(found, min(per_kind, len(found)))
    for lang in languages:
        rng = random.Random(f"{seed}/{lang}")
        pages = {k: v for k, v in manual_pages(lang).items() if split_of(k) == split}
        long = distinct([Document(t, lang, False, False, s) for s, p in pages.items()
                         for t in prose(lang, p, rng)])
        short = distinct([Document(t, lang, False, True, s) for s, p in pages.items()
                          for t in short_texts(lang, p, rng)])
        if len(long) < MIN_LONG_PROSE or len(short) < MIN_DOCS:
            package = LANGUAGES[lang][1]
            raise SourceMissing(f"too few {lang} manual pages in the {split} split: install {package}")
        docs += rng.sample(long, min(per_lang, len(long))) + rng.sample(short, min(per_lang, len(short)))
    return docs


# ---------------------------------------------------------------- the filters


def chain_of(config: Path) -> list[tuple[str, dict]]:
    """The config's filters that judge noise, in order, as (name, parameters)."""
    try:
        loaded = yaml.safe_load(config.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise SystemExit(f"eval_quality: cannot read {config}: {error}") from None
    steps = []
    for entry in loaded.get("filters") or []:
        (name, params), = entry.items()
        if name not in NOT_NOISE:
            steps.append((name, dict(params or {})))
    return steps


def removed_by(
    docs: list[Document], steps: list[tuple[str, dict]]
) -> tuple[list[str | None], dict[str, str]]:
    """For each document the step (and reason) that removed it, None when kept; and the
    texts after the chain (c4_quality rewrites them)."""
    filters = []
    for name, params in steps:
        cls = get_filter(name)
        flt = cls(cls.Params(**params))
        flt.setup()
        filters.append((name, flt, FilterStats(name)))
    verdicts: list[str | None] = [None] * len(docs)
    after: dict[str, str] = {}
    for offset in range(0, len(docs), 4096):
        chunk = docs[offset : offset + 4096]
        batch = pa.RecordBatch.from_pydict(
            {
                "id": [str(offset + i) for i in range(len(chunk))],
                "text": pa.array([d.text for d in chunk], pa.large_string()),
            }
        )
        for name, flt, stats in filters:
            outcome = flt.run(batch, stats)
            if outcome.rejected is not None:
                reasons = outcome.rejected.column(REJECT_REASON).to_pylist()
                for row, reason in zip(outcome.rejected.column("id").to_pylist(), reasons, strict=True):
                    verdicts[int(row)] = f"{name}: {reason}" if reason and reason != name else name
            batch = outcome.kept
        after.update(zip(batch.column("id").to_pylist(), batch.column("text").to_pylist(), strict=True))
    return verdicts, after


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def report(docs: list[Document], base: list[str | None], full: list[str | None], after: dict[str, str],
           full_names: list[str], shorts: list[Document], short_full: list[str | None]) -> str:
    added = [n for n in full_names if n not in NOISE_FILTERS]
    lines = [
        "| noise kind | docs | baseline recall | with quality filters | caught first by "
        "| prefixes of 20-400 characters caught |",
        "|---|---:|---:|---:|---|---:|",
    ]
    totals = [0, 0, 0, 0]
    for kind in NOISE:
        rows = [i for i, d in enumerate(docs) if d.noise and d.label == kind]
        caught_base = sum(base[i] is not None for i in rows)
        caught_full = sum(full[i] is not None for i in rows)
        first = Counter(full[i].split(":")[0] for i in rows if full[i] is not None)
        by = ", ".join(f"{name} {count}" for name, count in first.most_common())
        caught_short = sum(short_full[i] is not None for i, d in enumerate(shorts) if d.label == kind)
        lines.append(f"| {kind} | {len(rows)} | {percent(caught_base, len(rows))} | "
                     f"{percent(caught_full, len(rows))} | {by} | {percent(caught_short, len(rows))} |")
        totals = [totals[0] + len(rows), totals[1] + caught_base, totals[2] + caught_full,
                  totals[3] + caught_short]
    lines.append(f"| **all noise** | {totals[0]} | {percent(totals[1], totals[0])} | "
                 f"{percent(totals[2], totals[0])} | | {percent(totals[3], totals[0])} |")
    lines += [
        "",
        "| language | docs | baseline loss | with quality filters | short texts | baseline loss "
        "| with quality filters | characters cut from kept docs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_lang: dict[str, dict[bool, list[int]]] = defaultdict(lambda: {False: [], True: []})
    for i, d in enumerate(docs):
        if not d.noise:
            by_lang[d.label][d.short].append(i)
    for lang, buckets in by_lang.items():
        cells = []
        for short in (False, True):
            rows = buckets[short]
            cells += [str(len(rows)), percent(sum(base[i] is not None for i in rows), len(rows)),
                      percent(sum(full[i] is not None for i in rows), len(rows))]
        kept = [i for i in buckets[False] + buckets[True] if full[i] is None]
        before = sum(len(docs[i].text) for i in kept)
        cut = before - sum(len(after[str(i)]) for i in kept)
        lines.append(f"| {lang} | {' | '.join(cells)} | {percent(cut, before)} |")
    lines.append("")
    lines.append(f"baseline: {', '.join(n for n in full_names if n in NOISE_FILTERS)}; "
                 f"quality filters added: {', '.join(added) or 'none'}")
    return "\n".join(lines)


def errors(docs: list[Document], full: list[str | None], count: int) -> str:
    """A few lost prose documents and surviving noise documents, to choose thresholds on dev."""
    out = []
    lost = [i for i, d in enumerate(docs) if not d.noise and full[i] is not None]
    missed = [i for i, d in enumerate(docs) if d.noise and full[i] is None]
    for title, rows in (("lost prose", lost), ("surviving noise", missed)):
        reasons = Counter(f"{docs[i].label}: {full[i]}" if full[i] else docs[i].label for i in rows)
        out.append(f"\n{title}: {len(rows)} ({', '.join(f'{k} {v}' for k, v in reasons.most_common(12))})")
        for i in random.Random(0).sample(rows, min(count, len(rows))):
            out.append(f"  [{docs[i].label} / {full[i]}] {docs[i].source}: {docs[i].text[:160]!r}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "quickstart.yaml")
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--per-kind", type=int, default=400, help="noise documents per kind")
    parser.add_argument("--per-lang", type=int, default=200,
                        help="prose documents per language (and as many short texts)")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated prose languages")
    parser.add_argument("--errors", type=int, default=0, help="print this many lost or missed documents")
    args = parser.parse_args()

    steps = chain_of(args.config)
    keep = next((p.get("languages") for n, p in steps if n == "langid"), None) or []
    languages = [lang for lang in args.languages.split(",") if lang and (not keep or lang in keep)]
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise SystemExit(f"eval_quality: --languages: no manual pages known for {', '.join(unknown)}")
    started = time.perf_counter()
    try:
        docs = build(args.split, args.seed, args.per_kind, args.per_lang, languages)
    except SourceMissing as problem:
        raise SystemExit(f"eval_quality: {problem}") from None
    built = time.perf_counter() - started
    base, _ = removed_by(docs, [(n, p) for n, p in steps if n in NOISE_FILTERS])
    full, after = removed_by(docs, steps)
    shorts = short_noise(docs, args.seed)
    short_full, _ = removed_by(shorts, steps)
    print(f"{args.config.name}, {args.split} split: {len(docs)} documents "
          f"(built in {built:.0f} s, filtered in {time.perf_counter() - started - built:.0f} s)\n")
    print(report(docs, base, full, after, [n for n, _ in steps], shorts, short_full))
    if args.errors:
        print(errors(docs, full, args.errors))


if __name__ == "__main__":
    main()

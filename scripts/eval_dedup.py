"""Near-duplicate evaluation on real text: ours, datatrove's default MinHash and datasketch's LSH.

The labelled set is built from the translated manual pages Debian ships (/usr/share/man/<lang>),
text nobody on the team wrote. Each page (the source) gets variants made by edits whose
effect is known exactly: typos, boilerplate headers and footers, truncation, paragraphs
inserted from another page of the same manual or removed, whitespace and punctuation changes.
Other pages of the same language are the related non-duplicates (each source is paired with
its two most similar ones). The truth is the exact Jaccard similarity of the 5-gram shingle
sets of the engine's token stream (words, and every Han, Kana or Hangul character a token of
its own), computed here on shingle strings, independently of the engine's hashing.

    .venv/bin/pip install -e '.[bench]'      # datatrove
    .venv/bin/python scripts/eval_dedup.py [--per-language 30] [--man /usr/share/man]

Prints the detection rate per true-Jaccard bucket (all, CJK, other scripts) and, for each
method, precision (removed documents whose Jaccard with the document they were removed for
reaches tau) and recall (labelled pairs with Jaccard >= tau that end in one cluster).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy.sparse import csr_matrix

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from filters.shingles import CJK_SCRIPT, normalise, tokens_spaced  # noqa: E402

LANGUAGES = ["ko", "ja", "zh_CN", "zh_TW", "de", "fr", "es", "ru", "it", "pl", "nl", "pt", "pt_BR", "sv",
             "uk", "da", "tr", "cs", "en"]
CJK = {"ko", "ja", "zh_CN", "zh_TW"}
BUCKETS = [(0.0, 0.6, "< 0.6"), (0.6, 0.7, "0.6-0.7"), (0.7, 0.8, "0.7-0.8"), (0.8, 0.85, "0.8-0.85"),
           (0.85, 0.9, "0.85-0.9"), (0.9, 1.01, ">= 0.9")]
MIN_CHARS, MAX_CHARS = 1200, 6000
# A page of a CJK folder with a smaller share of Han, Kana and Hangul characters is untranslated
# (and a page of another folder with this share or more is not in its language): left out.
CJK_SHARE = 0.3
BOILERPLATE = [
    "Skip to main content | Home | Documentation | Manual pages | Search | Log in",
    "This page is part of the online manual archive. Mirrors are updated every night from the "
    "distribution's packages; report problems to the archive maintainers.",
    "Copyright the respective authors. Content available under the licence of each package. "
    "Privacy policy | Terms of use | Contact",
    "Related pages: commands, system calls, library functions, file formats, games, overview, "
    "administration",
    "Was this page helpful? Yes | No | Print this page | Download as PDF | Share",
]

FONT = re.compile(r"\\f(\[[^\]]*\]|\(..|.)")
SPECIAL = re.compile(r"\\(\(..|\[[^\]]*\]|\*(\(..|\[[^\]]*\]|.))")
ESCAPE = re.compile(r"\\.")
TEXT_MACROS = {"SH", "SS", "B", "I", "BR", "IR", "RB", "BI", "IB", "RI", "SM", "SB", "Nm", "Nd", "Sh", "Dl"}
BREAK_MACROS = {"PP", "P", "LP", "sp", "br", "IP", "TP", "HP", "Pp", "RS", "RE"}


def roff_text(source: str) -> str:
    """Plain paragraphs from a manual page's roff source (macros dropped, fonts and escapes resolved)."""
    paragraphs, current = [], []
    for line in source.splitlines():
        if line.startswith((".", "'")):
            macro, _, rest = line[1:].strip().partition(" ")
            if macro in TEXT_MACROS and rest:
                line = rest.replace('"', "")
            else:
                if macro in BREAK_MACROS and current:
                    paragraphs.append(" ".join(current))
                    current = []
                continue
        line = line.replace("\\-", "-").replace("\\(em", " - ")
        line = ESCAPE.sub("", SPECIAL.sub(" ", FONT.sub("", line)))
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(p for p in paragraphs if len(p) > 1)


def sources(man: Path, per_language: int) -> list[tuple[str, str, str]]:
    """(language, page name, text) for up to `per_language` pages of each language."""
    found = []
    for lang in LANGUAGES:
        folder = man if lang == "en" else man / lang
        pages = sorted(folder.glob("man[1-8]/*.gz"))
        taken = 0
        for path in pages:
            if taken >= per_language:
                break
            try:
                text = roff_text(gzip.decompress(path.read_bytes()).decode("utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            if len(text) < MIN_CHARS:
                continue
            cut = text[:MAX_CHARS]
            text = cut[:cut.rfind("\n\n")] if len(text) > MAX_CHARS and "\n\n" in cut else cut
            if (lang in CJK) != (cjk_share([text])[0] >= CJK_SHARE):
                continue  # an untranslated page in a CJK folder, or the reverse
            found.append((lang, path.name, text))
            taken += 1
    return found


def cjk_share(texts: list[str]) -> np.ndarray:
    """The share of each text's characters that are Han, Kana or Hangul."""
    column = pa.array(texts, pa.large_string())
    counts = pc.count_substring_regex(column, CJK_SCRIPT).to_numpy(zero_copy_only=False)
    return counts / np.maximum(pc.utf8_length(column).to_numpy(zero_copy_only=False), 1)


def shingle_sets(texts: list[str]) -> list[frozenset[str]]:
    """The 5-gram shingle strings of each text, as the engine defines them (before hashing)."""
    found = []
    for spaced in tokens_spaced(normalise(pa.array(texts, pa.large_string()))).to_pylist():
        tokens = spaced.split()
        if len(tokens) < 5:
            found.append(frozenset([" ".join(tokens)] if tokens else []))
        else:
            found.append(frozenset(" ".join(tokens[i:i + 5]) for i in range(len(tokens) - 4)))
    return found


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


# ---- edits -------------------------------------------------------------------------------------

def typos(text: str, rng: np.random.Generator, others: list[str]) -> tuple[str, str]:
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    count = int(rng.integers(1, max(2, len(letters) // 60)))
    for i in rng.choice(letters, size=min(count, len(letters)), replace=False):
        chars[i] = chars[int(rng.choice(letters))]
    return "".join(chars), f"typos x{count}"


def boilerplate(text: str, rng: np.random.Generator, others: list[str]) -> tuple[str, str]:
    lines = int(rng.integers(1, len(BOILERPLATE) + 1))
    chosen = [BOILERPLATE[i] for i in rng.choice(len(BOILERPLATE), size=lines, replace=False)]
    split = int(rng.integers(0, lines + 1))
    return "\n\n".join([*chosen[:split], text, *chosen[split:]]), f"boilerplate x{lines}"


def truncation(text: str, rng: np.random.Generator, others: list[str]) -> tuple[str, str]:
    share = float(rng.uniform(0.45, 0.99))
    return text[:int(len(text) * share)], f"truncated to {share:.2f}"


def inserted(text: str, rng: np.random.Generator, others: list[str]) -> tuple[str, str]:
    paragraphs = text.split("\n\n")
    count = int(rng.integers(1, 4))
    for _ in range(count):
        donor = others[int(rng.integers(len(others)))].split("\n\n")
        paragraphs.insert(int(rng.integers(0, len(paragraphs) + 1)), donor[int(rng.integers(len(donor)))])
    return "\n\n".join(paragraphs), f"inserted x{count}"


def removed(text: str, rng: np.random.Generator, others: list[str]) -> tuple[str, str]:
    paragraphs = text.split("\n\n")
    count = min(int(rng.integers(1, 4)), max(len(paragraphs) - 1, 0))
    for _ in range(count):
        paragraphs.pop(int(rng.integers(len(paragraphs))))
    return "\n\n".join(paragraphs), f"removed x{count}"


def spacing(text: str, rng: np.random.Generator, others: list[str]) -> tuple[str, str]:
    changed = re.sub(r"\s+", lambda m: "  " if rng.random() < 0.5 else "\n", text)
    changed = changed.replace(",", " ;").replace(". ", " . ").replace("、", "，")
    return changed, "whitespace and punctuation"


def combined(text: str, rng: np.random.Generator, others: list[str]) -> tuple[str, str]:
    first, a = typos(text, rng, others)
    second, b = boilerplate(first, rng, others)
    return second, f"{a} + {b}"


EDITS: list[Callable[[str, np.random.Generator, list[str]], tuple[str, str]]] = [
    typos, typos, boilerplate, truncation, truncation, inserted, removed, spacing, combined]


@dataclass
class Labelled:
    texts: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    group: list[int] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    sets: list[frozenset[str]] = field(default_factory=list)
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # labelled pairs, exact Jaccard


def build(man: Path, per_language: int, seed: int) -> Labelled:
    rng = np.random.default_rng(seed)
    pages = sources(man, per_language)
    sets = shingle_sets([text for _, _, text in pages])
    # drop pages that already resemble an earlier one (the same page under two names)
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, items in enumerate(sets):
        for item in items:
            rows.append(row)
            cols.append(vocabulary.setdefault(item, len(vocabulary)))
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), len(vocabulary)))
    shared = (matrix @ matrix.T).tocoo()
    sizes = np.array([len(s) for s in sets])
    similarity = shared.data / np.maximum(sizes[shared.row] + sizes[shared.col] - shared.data, 1)
    drop = set(shared.row[(shared.row > shared.col) & (similarity >= 0.5)].tolist())
    keep = [i for i in range(len(pages)) if i not in drop]
    data = Labelled()
    by_lang: dict[str, list[int]] = {}
    for number, index in enumerate(keep):
        by_lang.setdefault(pages[index][0], []).append(number)
    first_of: list[int] = []
    for number, index in enumerate(keep):
        lang, name, text = pages[index]
        others = [pages[keep[other]][2] for other in by_lang[lang] if other != number] or [text]
        members = [(text, "source")] + [edit(text, rng, others) for edit in EDITS]
        first_of.append(len(data.texts))
        variants = shingle_sets([body for body, _ in members[1:]])
        for variant, (body, _) in enumerate(members):
            data.texts.append(body)
            data.ids.append(f"{lang}/{name}/{variant}")
            data.group.append(number)
            data.lang.append(lang)
            data.sets.append(sets[index] if variant == 0 else variants[variant - 1])
        start = first_of[-1]
        # each variant against its source: the edit's effect is what is labelled (two variants
        # of one page may each be within the threshold of it and not of each other)
        for b in range(start + 1, len(data.texts)):
            data.pairs.append((start, b, jaccard(data.sets[start], data.sets[b])))
    # related non-duplicates: each source with its two most similar pages of the same language
    kept_index = {index: number for number, index in enumerate(keep)}
    best: dict[int, list[tuple[float, int]]] = {}
    for row, col, value in zip(shared.row.tolist(), shared.col.tolist(), similarity.tolist(), strict=True):
        if row != col and row in kept_index and col in kept_index and pages[row][0] == pages[col][0]:
            best.setdefault(kept_index[row], []).append((value, kept_index[col]))
    seen = set()
    for number, candidates in best.items():
        for _, other in sorted(candidates, reverse=True)[:2]:
            a, b = sorted((first_of[number], first_of[other]))
            if (a, b) not in seen:
                seen.add((a, b))
                data.pairs.append((a, b, jaccard(data.sets[a], data.sets[b])))
    return data


# ---- methods: each returns rep[i], the document i is kept as or removed for ---------------------

def ours(data: Labelled, order: np.ndarray, work: Path, **params: object) -> np.ndarray:
    from pipelines.config import validate_config
    from pipelines.run import run_pipeline

    source = work / "input.jsonl"
    if not source.exists():
        with source.open("w") as out:
            for i in order.tolist():
                out.write(json.dumps({"id": data.ids[i], "text": data.texts[i]}, ensure_ascii=False) + "\n")
    name = "-".join(f"{key}{value}" for key, value in params.items())
    config = {"dataset": f"eval-{name}", "workers": 1, "input": {"paths": [str(source)]},
              "output": {"root": str(work / "out")}, "filters": [{"minhash_dedup": params}]}
    summary = run_pipeline(validate_config(config))
    index = {doc_id: i for i, doc_id in enumerate(data.ids)}
    rep = np.arange(len(data.ids))
    for path in sorted((summary.path / "rejects").glob("*.parquet")):
        table = pq.read_table(path, columns=["id", "duplicate_of"]).to_pydict()
        for doc_id, target in zip(table["id"], table["duplicate_of"], strict=True):
            rep[index[doc_id]] = index[target]
    return rep


def datatrove_default(data: Labelled, order: np.ndarray, work: Path) -> np.ndarray:
    """datatrove's MinhashDedup stages with its default MinhashConfig (14 buckets x 8 hashes,
    5-grams, no verification), run in this process on the same documents in the same order."""
    from datatrove.data import Document
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupSignature,
    )

    config = MinhashConfig()
    folder = work / "datatrove"
    docs = [Document(text=data.texts[i], id=str(position)) for position, i in enumerate(order.tolist())]
    signing = MinhashDedupSignature(output_folder=str(folder / "sigs"), config=config)
    # datatrove passes str to xxhash, which the installed xxhash refuses: the same hash of the bytes
    signing._hash_func = lambda text, hashed=signing._hash_func: hashed(text.encode())
    _drain(signing.run(iter(docs), 0, 1))
    buckets = MinhashDedupBuckets(input_folder=str(folder / "sigs"), output_folder=str(folder / "buckets"),
                                  config=config)
    for rank in range(config.num_buckets):
        _drain(buckets.run(None, rank, config.num_buckets))
    _drain(MinhashDedupCluster(input_folder=str(folder / "buckets"), output_folder=str(folder / "remove"),
                               config=config, save_cluster_id=True).run(None, 0, 1))
    removed = _uint32(folder / "remove" / "000000.remove")
    clusters = _uint32(folder / "remove" / "000000.clusters").reshape(-1, 2)
    rep_position = np.arange(len(order))
    kept_of: dict[int, int] = {}
    removed_set = set(removed.tolist())
    for position, cluster in clusters.tolist():
        if position not in removed_set:
            kept_of[cluster] = position
    for position, cluster in clusters.tolist():
        rep_position[position] = kept_of[cluster]
    rep = np.arange(len(order))
    rep[order] = order[rep_position]
    return rep


def datasketch_lsh(data: Labelled, order: np.ndarray, threshold: float) -> np.ndarray:
    """datasketch's MinHashLSH at `threshold` (its own band optimisation, 128 permutations, no
    verification): documents in input order, each removed for the earliest kept one it finds."""
    from datasketch import MinHash, MinHashLSH

    sketches = MinHash.bulk([[item.encode() for item in data.sets[i]] for i in order.tolist()], num_perm=128)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    rep = np.arange(len(order))
    for position, (i, sketch) in enumerate(zip(order.tolist(), sketches, strict=True)):
        found = lsh.query(sketch) if data.sets[i] else []
        if found:
            rep[i] = order[min(found)]
        else:
            lsh.insert(position, sketch)
    return rep


def _drain(result: object) -> None:
    if result is not None and hasattr(result, "__iter__"):
        for _ in result:
            pass


def _uint32(path: Path) -> np.ndarray:
    return np.fromfile(path, dtype="<u4") if path.exists() else np.zeros(0, dtype="<u4")


# ---- metrics ------------------------------------------------------------------------------------

def evaluate(data: Labelled, rep: np.ndarray) -> dict[str, object]:
    """Per bucket, `found`: the pair is no longer both kept (what deduplication promises) and
    `merged`: both ended in one cluster (one removed for the other or for the same document)."""
    pairs = np.array([(a, b) for a, b, _ in data.pairs])
    truth = np.array([value for _, _, value in data.pairs])
    kept = rep == np.arange(len(rep))
    found = ~(kept[pairs[:, 0]] & kept[pairs[:, 1]])
    merged = rep[pairs[:, 0]] == rep[pairs[:, 1]]
    cjk = np.array([data.lang[a] in CJK for a, _ in pairs])
    rates = {}
    for measure, hit in (("found", found), ("merged", merged)):
        for name, chosen in (("all", np.ones(len(pairs), bool)), ("CJK", cjk), ("other", ~cjk)):
            row = {}
            for low, high, label in BUCKETS:
                inside = chosen & (truth >= low) & (truth < high)
                row[label] = float(hit[inside].mean()) if inside.any() else None
            rates[(measure, name)] = row
    gone = np.flatnonzero(~kept)
    against = np.array([jaccard(data.sets[i], data.sets[rep[i]]) for i in gone])
    scores = {tau: (float((against >= tau).mean()) if len(gone) else 1.0, float(found[truth >= tau].mean()))
              for tau in (0.7, 0.8)}
    return {"rates": rates, "scores": scores, "removed": len(gone)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--man", type=Path, default=Path("/usr/share/man"))
    parser.add_argument("--per-language", type=int, default=30)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--skip-datatrove", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    data = build(args.man, args.per_language, args.seed)
    languages = sorted(set(data.lang))
    print(f"labelled set: {len(set(data.group))} pages in {len(languages)} languages "
          f"({', '.join(languages)}), "
          f"{len(data.texts)} documents, {len(data.pairs)} labelled pairs; built in "
          f"{time.perf_counter() - started:.0f} s")
    # the documents whose shingles a per-document word or character choice by script share split
    # from their source's before the token stream (shingle scheme 2)
    cjk = np.array([lang in CJK for lang in data.lang])
    low = set(np.flatnonzero(cjk & (cjk_share(data.texts) < CJK_SHARE)).tolist())
    print(f"CJK-language documents with a CJK share below {CJK_SHARE}: {len(low)} of {int(cjk.sum())}; "
          f"labelled pairs with one: {sum(a in low or b in low for a, b, _ in data.pairs)}")
    truth = np.array([value for _, _, value in data.pairs])
    print("pairs per bucket: " + ", ".join(f"{label} {int(((truth >= low) & (truth < high)).sum())}"
                                          for low, high, label in BUCKETS))
    order = np.random.default_rng(args.seed).permutation(len(data.texts))
    methods: list[tuple[str, Callable[[Path], np.ndarray]]] = [
        ("ours 0.8 (exact)", lambda work: ours(data, order, work, threshold=0.8)),
        ("ours 0.8 (verify: signature)",
         lambda work: ours(data, order, work, threshold=0.8, verify="signature")),
        ("ours 0.7 (exact)", lambda work: ours(data, order, work, threshold=0.7)),
        ("datasketch MinHashLSH 0.8", lambda work: datasketch_lsh(data, order, 0.8)),
        ("datasketch MinHashLSH 0.7", lambda work: datasketch_lsh(data, order, 0.7)),
    ]
    if not args.skip_datatrove:
        methods.insert(3, ("datatrove default (14 x 8)", lambda work: datatrove_default(data, order, work)))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, method in methods:
            begun = time.perf_counter()
            rep = method(Path(tmp))
            results[name] = evaluate(data, rep) | {"seconds": time.perf_counter() - begun}
    header = "| method | measure | script | " + " | ".join(label for _, _, label in BUCKETS) + " |"
    print("\nPer true-Jaccard bucket: found = the pair is no longer both kept; "
          "merged = both in one cluster\n")
    print(header)
    print("|" + "---|" * (len(BUCKETS) + 3))
    for name, result in results.items():
        for (measure, script), row in result["rates"].items():
            cells = [f"{rate:.3f}" if rate is not None else "-" for rate in row.values()]
            print(f"| {name} | {measure} | {script} | " + " | ".join(cells) + " |")
    print("\nPrecision: removed documents whose Jaccard with the document kept for them is >= tau; "
          "recall: labelled pairs with Jaccard >= tau found\n")
    print("| method | precision tau 0.8 | recall tau 0.8 | precision tau 0.7 | recall tau 0.7 "
          "| removed | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name, result in results.items():
        s = result["scores"]
        print(f"| {name} | {s[0.8][0]:.3f} | {s[0.8][1]:.3f} | {s[0.7][0]:.3f} | {s[0.7][1]:.3f} | "
              f"{result['removed']} | {result['seconds']:.1f} |")


if __name__ == "__main__":
    main()

"""MinHash signing side by side on one core: ours against rensa and datasketch on the same documents.

Usage:
    python scripts/bench_signing.py [--docs 20000] [--doc-chars 2000] [--datasketch-docs 2000]
                                    [--before REV]

The documents come from scripts/bench.py's generator (multilingual prose, 5 % symbol soup).
Every side signs with 128 permutations and 5-grams of one token stream: words, and every Han,
Kana or Hangul character a token of its own (about 40 % of the documents here are Chinese,
Japanese or Korean). The peers shingle as a user would in Python (lower case, `regex.findall`
of single CJK characters and runs of other non-space characters, join n-grams); ours
normalises (NFKC, symbols, digits) and shingles inside `MinHashDedup.sign`, whose time
includes everything it returns. `--before REV` also times filters/shingles.py as it was at git
revision REV (shingles and kernel, beside ours now), in the same run.

Batches of 4,096 documents go to each side in turn, so the load of this shared machine falls
on both alike; CPU seconds of this process are the measure (documents/s per core), and the CPU
the rest of the machine used meanwhile is printed. The kernel rows sign the same 32-bit shingle
hashes (ours as `sign` computed them): ours against rensa's flat-hash matrix API. Our
signatures are checked bit for bit against datasketch's affine32 on those hashes.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import regex
from datasketch import MinHash
from rensa import RMinHash

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import SEED, busy_seconds, make_document  # noqa: E402

from filters.minhash_dedup import MinHashDedup  # noqa: E402
from filters.minhash_signing import minhash  # noqa: E402
from filters.shingles import CJK_SCRIPT, shingle_hashes  # noqa: E402

BATCH = 4096
NUM_PERM = 128
NGRAM = 5
CHECKED = 200  # documents whose signatures are compared with datasketch's
TOKEN = regex.compile(rf"{CJK_SCRIPT}|[^\s{CJK_SCRIPT[1:-1]}]+")  # one CJK character, or a run of others


def python_shingles(text: str) -> list[str]:
    """The shingles a user would build in Python: 5-grams of the token stream, one of all the
    tokens when there are fewer."""
    tokens = TOKEN.findall(text.lower())
    return [" ".join(tokens[i:i + NGRAM]) for i in range(max(len(tokens) - NGRAM + 1, 1))] if tokens else []


def rensa_sign(texts: list[str]) -> np.ndarray:
    return RMinHash.digest_matrix_from_token_sets([python_shingles(text) for text in texts], NUM_PERM, 1)


def datasketch_sign(texts: list[str]) -> list[MinHash]:
    sets = [[shingle.encode() for shingle in python_shingles(text)] for text in texts]
    return MinHash.bulk(sets, num_perm=NUM_PERM, seed=1)


def shingler_at(revision: str) -> Callable[[pa.Array], tuple[np.ndarray, np.ndarray]]:
    """`shingle_hashes(text)` with `shingles: auto` as filters/shingles.py was at a git revision
    (before the token stream it also took the `lang` column: none here)."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "-C", str(root), "show", f"{revision}:filters/shingles.py"],
                            check=True, capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as file:
        file.write(source)
    spec = importlib.util.spec_from_file_location(f"shingles_at_{revision}", file.name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    Path(file.name).unlink()
    if "langs" in inspect.signature(module.shingle_hashes).parameters:
        return lambda text: module.shingle_hashes(text, None, "auto", NGRAM, NGRAM)
    return lambda text: module.shingle_hashes(text, "auto", NGRAM, NGRAM)


def shingled_and_signed(shingler: Callable[[pa.Array], tuple[np.ndarray, np.ndarray]], text: pa.Array,
                        a: np.ndarray, b: np.ndarray) -> np.ndarray:
    hashes, parents = shingler(text)
    return minhash(hashes, parents, len(text), a, b)


def timed(work: Callable[..., object], *args: object) -> float:
    """CPU seconds of this process that `work(*args)` took."""
    started = time.process_time()
    work(*args)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--doc-chars", type=int, default=2000, help="mean characters per document")
    parser.add_argument("--datasketch-docs", type=int, default=2000,
                        help="the first documents datasketch signs (it is much slower)")
    parser.add_argument("--before", metavar="REV", help="also time filters/shingles.py at this git revision")
    args = parser.parse_args()

    rng = random.Random(SEED)
    texts = [make_document(rng, args.doc_chars) for _ in range(args.docs)]
    table = pa.table({"text": pa.array(texts, pa.large_string())})
    batches = table.to_batches(max_chunksize=BATCH)
    flt = MinHashDedup(MinHashDedup.Params(num_perm=NUM_PERM, ngram=NGRAM, char_ngram=NGRAM))
    flt.setup()
    hashed = [shingle_hashes(batch.column(0), "auto", NGRAM, NGRAM) for batch in batches]
    shinglers = {"ours now": lambda text: shingle_hashes(text, "auto", NGRAM, NGRAM)}
    if args.before:
        shinglers[f"ours at {args.before}"] = shingler_at(args.before)

    seconds = dict.fromkeys(("ours", "rensa", "ours kernel", "rensa kernel", "datasketch", *shinglers), 0.0)
    other_before, wall_before, cpu_before = busy_seconds(), time.perf_counter(), time.process_time()
    for number, batch in enumerate(batches):
        rows = slice(number * BATCH, number * BATCH + batch.num_rows)
        hashes, parents = hashed[number]
        offsets = np.searchsorted(parents, np.arange(batch.num_rows + 1)).astype(np.uint64)
        seconds["ours"] += timed(flt.sign, batch)
        seconds["rensa"] += timed(rensa_sign, texts[rows])
        if args.before:
            for name, shingler in shinglers.items():
                seconds[name] += timed(shingled_and_signed, shingler, batch.column(0), flt.a, flt.b)
        seconds["ours kernel"] += timed(minhash, hashes, parents, batch.num_rows, flt.a, flt.b)
        seconds["rensa kernel"] += timed(RMinHash.digest_matrix_from_flat_token_hashes,
                                         hashes.astype(np.uint64), offsets, NUM_PERM, 1)
    datasketch_docs = min(args.datasketch_docs, args.docs)
    seconds["datasketch"] = timed(datasketch_sign, texts[:datasketch_docs])
    own = time.process_time() - cpu_before
    other = busy_seconds() - other_before - own
    wall = time.perf_counter() - wall_before

    hashes, parents = hashed[0]
    ours = minhash(hashes, parents, batches[0].num_rows, flt.a, flt.b)
    for row in range(min(CHECKED, batches[0].num_rows)):
        reference = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=lambda value: value)
        reference.update_batch(hashes[parents == row].tolist())
        if not np.array_equal(ours[row], reference.hashvalues.astype(np.uint32)):
            raise SystemExit(f"document {row}: our signature differs from datasketch affine32")

    shingles = sum(len(hashes) for hashes, _ in hashed)
    cjk = sum(bool(regex.search(CJK_SCRIPT, text)) for text in texts)
    print(f"{args.docs:,} documents, {sum(len(t.encode()) for t in texts) / args.docs:,.0f} B of UTF-8 and "
          f"{shingles / args.docs:,.0f} shingles each, {cjk / args.docs:.0%} with Han, Kana or Hangul "
          f"characters; {wall:.1f} s wall, {own:.1f} CPU-s of this process, {other:.1f} CPU-s used by other "
          "processes meanwhile")
    print(f"signatures of the first {min(CHECKED, batches[0].num_rows)} documents: bit-identical to "
          "datasketch affine32")
    print("\n| run | docs | CPU s | docs/s per core | ours / peer |\n|---|---:|---:|---:|---:|")
    rows_ = [("ours: `MinHashDedup.sign` (text to signatures and shingle lists)", "ours", args.docs, None),
             ("rensa 0.5.0: Python shingles + `digest_matrix_from_token_sets`", "rensa", args.docs, "ours"),
             ("datasketch 2.0.0: Python shingles + `MinHash.bulk` (sha1)", "datasketch", datasketch_docs,
              "ours"),
             ("ours kernel: `minhash` on the shingle hashes", "ours kernel", args.docs, None),
             ("rensa kernel: `digest_matrix_from_flat_token_hashes`, same hashes", "rensa kernel", args.docs,
              "ours kernel")]
    if args.before:
        rows_ += [(f"{name}: `shingle_hashes` (auto) + `minhash`", name, args.docs,
                   None if name == "ours now" else "ours now") for name in shinglers]
    for label, key, docs, versus in rows_:
        rate = docs / seconds[key]
        ratio = "" if versus is None else f"{args.docs / seconds[versus] / rate:.2f}x"
        print(f"| {label} | {docs:,} | {seconds[key]:.2f} | {rate:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()

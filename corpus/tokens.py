"""Token counts: a Hugging Face `tokenizer.json` run over each batch's text, once per document.

A document's count is taken when it is read and travels with it in the internal column
TOKENS (spilled between segments, never published), so a step's tokens in and out are sums
of that column. Only a step that declares it writes the text (a redaction, a line-level
cleaning) has its kept documents recounted, and only those whose text it changed.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpus.schema import INTERNAL_PREFIX, ORDER, TEXT, set_column
from corpus.stats import FilterStats

TOKENS = f"{INTERNAL_PREFIX}_tokens"
# The language column the language-ID step writes (or the input carries); counts by language follow it.
LANG = "lang"
_counters: dict[str, TokenCounter] = {}


class TokenizerProblem(ValueError):
    """The configured tokenizer file is missing or unusable; the message is one sentence."""


@dataclass(frozen=True)
class TokenizerRef:
    """A checked tokenizer file: what a worker loads and what the manifest and ledger record."""

    path: str
    sha256: str
    vocab_size: int

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {"path": self.path, "sha256": self.sha256, "vocab_size": self.vocab_size,
                "tokenizers": version("tokenizers")}


def check_tokenizer(path: str) -> TokenizerRef:
    """The tokenizer at `path`, loaded once to prove it is one; TokenizerProblem if not."""
    file = Path(path).expanduser()
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise TokenizerProblem(f"{path} does not exist") from None
    except IsADirectoryError:
        raise TokenizerProblem(f"{path} is a directory, not a tokenizer.json file") from None
    except OSError as exc:
        raise TokenizerProblem(f"cannot read {path}: {exc.strerror}") from None
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise TokenizerProblem("counting tokens needs the tokenizers package: "
                               "pip install 'corpus-engine[tokens]'") from None
    try:
        tokenizer = Tokenizer.from_str(data.decode("utf-8"))
    except Exception:  # not UTF-8, or the library's bare Exception on JSON it cannot use
        raise TokenizerProblem(f"{path} is not a Hugging Face tokenizer.json file") from None
    return TokenizerRef(str(file.resolve()), hashlib.sha256(data).hexdigest(),
                        tokenizer.get_vocab_size())


class TokenCounter:
    """Counts the tokens of texts with one tokenizer (no special tokens added).

    `tally` is what a task reports: tokens read, kept (and kept by language), and the seconds
    spent tokenizing."""

    def __init__(self, ref: TokenizerRef) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(ref.path)
        self.tally: dict[str, Any] = {}

    def start(self, stats: dict[str, FilterStats]) -> None:
        """A new task: its steps count tokens (from zero), and the tally starts again."""
        for step_stats in stats.values():
            step_stats.count_tokens(0, 0, {}, {})
        self.tally = {"read": 0, "kept": 0, "kept_by_lang": {}, "seconds": 0.0}

    def count(self, text: pa.Array) -> pa.Array:
        """The number of tokens of each text (a null text has none)."""
        started = time.perf_counter()
        texts = text.fill_null("").to_pylist()
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        counts = pa.array([len(encoding) for encoding in encodings], pa.int64())
        self.tally["seconds"] = self.tally.get("seconds", 0.0) + time.perf_counter() - started
        return counts

    def read(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """A batch as read, with its documents' counts in TOKENS."""
        batch = set_column(batch, TOKENS, self.count(batch.column(TEXT)))
        self.tally["read"] += total(batch)
        return batch

    def step(self, rewrites: bool, before: pa.RecordBatch, kept: pa.RecordBatch,
             rejected: pa.RecordBatch | None, stats: FilterStats) -> pa.RecordBatch:
        """Count a step's tokens in and out (by language too) into `stats`; the kept batch, its
        rewritten texts recounted when the step `rewrites` the text."""
        in_by_lang = by_lang(kept)
        for code, count in by_lang(rejected).items():
            in_by_lang[code] = in_by_lang.get(code, 0) + count
        if rewrites:
            kept = self.recounted(before, kept)
        stats.count_tokens(total(before), total(kept), in_by_lang, by_lang(kept))
        return kept

    def kept(self, batch: pa.RecordBatch) -> None:
        """Published documents (after the last step)."""
        self.tally["kept"] += total(batch)
        for code, count in by_lang(batch).items():
            self.tally["kept_by_lang"][code] = self.tally["kept_by_lang"].get(code, 0) + count

    def recounted(self, before: pa.RecordBatch, after: pa.RecordBatch) -> pa.RecordBatch:
        """`after` (rows of `before` a step kept, in order, text maybe rewritten) with the counts
        of the documents whose text changed taken again."""
        if after.num_rows == 0:
            return after
        kept = before.filter(pc.is_in(before.column(ORDER), value_set=after.column(ORDER)))
        text = after.column(TEXT)
        changed = pc.fill_null(pc.not_equal(kept.column(TEXT), text), True)
        if not pc.any(changed).as_py():
            return after
        rows = np.flatnonzero(changed.to_numpy(zero_copy_only=False))
        tokens = after.column(TOKENS).to_numpy(zero_copy_only=False).copy()
        tokens[rows] = self.count(text.take(pa.array(rows))).to_numpy(zero_copy_only=False)
        return set_column(after, TOKENS, pa.array(tokens, pa.int64()))


def counter(ref: TokenizerRef) -> TokenCounter:
    """The counter of `ref`, loaded once per process."""
    if ref.sha256 not in _counters:
        _counters[ref.sha256] = TokenCounter(ref)
    return _counters[ref.sha256]


def total(batch: pa.RecordBatch | None) -> int:
    """The tokens of the batch's documents."""
    if batch is None or batch.num_rows == 0:
        return 0
    return int(pc.sum(batch.column(TOKENS)).as_py() or 0)


def by_lang(batch: pa.RecordBatch | None) -> dict[str, int]:
    """The batch's tokens by its `lang` column (`und` where null); {} without a string `lang` column."""
    if batch is None or batch.num_rows == 0 or LANG not in batch.schema.names:
        return {}
    lang = batch.column(LANG)
    if not (pa.types.is_string(lang.type) or pa.types.is_large_string(lang.type)):
        return {}
    table = pa.table({"lang": lang.fill_null(""), "tokens": batch.column(TOKENS)})
    sums = table.group_by("lang").aggregate([("tokens", "sum")])
    return {code or "und": int(count) for code, count in
            zip(sums.column("lang").to_pylist(), sums.column("tokens_sum").to_pylist(), strict=True)}

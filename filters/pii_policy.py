"""pii.scope: what the engine redacts, with the pii filter's detection, in rows the filter never sees.

Under `scope: everything` the task passes through `PIIRedactor` the rejects of every step
before the pii step (their documents never reached it: special_chars, langid, dedup, plugins)
and every quarantine batch, before writing them. Rejects get the same columns redacted as
delivered documents and the `pii` column (spans in their text), which marks them as redacted
by the policy. The counts go into the pii step's statistics under `policy*` groups, the time
into its wall and CPU seconds.

Quarantine keeps a raw prefix of each unreadable record (`raw`, bytes). It is decoded as
UTF-8 and redacted; a prefix that is not UTF-8 (binary damage, another encoding) cannot be
scanned and is dropped (`raw` set to null; the file, offset and error stay). A prefix cut at
the reader's preview limit also loses its last `CUT_TAIL_CHARS` characters and the token they
start in, so a value crossing the cut (`4111 1111 1111 11`, which no validator accepts) is
never kept in part.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from corpus.readers.base import RAW_PREVIEW_BYTES
from corpus.schema import TEXT, set_column
from corpus.stats import FilterStats
from filters.base import Redactor
from filters.pii import PII_COLUMN, count_columns, spans_array

if TYPE_CHECKING:
    from filters.pii import PII

RAW = "raw"
ERROR = "error"
# Longer than any value the default entities accept in one token run (IBANs: 34 characters
# and their spaces; cards and phones with separators: about 25).
CUT_TAIL_CHARS = 64
# Characters that end a token of a cut prefix: whitespace and JSON/markup delimiters.
_DELIMITERS = frozenset(" \t\r\n\"'<>{}[](),;")


class PIIRedactor(Redactor):
    """The pii filter's detection applied to rejects and quarantine rows (see the module)."""

    def __init__(self, detector: PII) -> None:
        self.detector = detector
        self.scope = detector.params.scope

    def policy(self) -> dict[str, Any]:
        return {"scope": self.scope, "columns": self.detector.params.columns,
                "template": self.detector.params.template}

    def rejects(self, batch: pa.RecordBatch, stats: FilterStats) -> pa.RecordBatch:
        started = time.perf_counter(), time.process_time()
        changed, found = self.detector.scan(batch, FilterStats(stats.name), redact=True)
        for name, values in changed.items():
            batch = set_column(batch, name, values)
        if PII_COLUMN not in batch.schema.names:
            batch = set_column(batch, PII_COLUMN, spans_array(found.get(TEXT, {}), batch.num_rows))
        rows = set().union(*found.values()) if found else set()
        stats.count("policy", "rejects_scanned", batch.num_rows)
        stats.count("policy", "rejects_with_pii", len(rows))
        count_columns(stats, found, "policy_rejects_")
        _timed(stats, started)
        return batch

    def quarantine(self, batch: pa.RecordBatch, stats: FilterStats) -> pa.RecordBatch:
        started = time.perf_counter(), time.process_time()
        scratch = FilterStats(stats.name)
        raw, kept = decoded_prefixes(batch.column(RAW))
        texts = pa.array(kept, pa.large_string())
        redacted, found = self.detector.scan_values(texts, scratch, redact=True)
        values = [None if text is None else text.encode() for text in redacted.to_pylist()]
        batch = set_column(batch, RAW, pa.array(values, batch.schema.field(RAW).type))
        changed, errors = self.detector.scan(batch.select([ERROR]), scratch, redact=True)
        if ERROR in changed:
            batch = set_column(batch, ERROR, changed[ERROR])
        dropped = sum(1 for value, text in zip(raw, kept, strict=True) if value is not None and text is None)
        stats.count("policy", "quarantine_rows", batch.num_rows)
        stats.count("policy", "quarantine_raw_redacted", len(found))
        stats.count("policy", "quarantine_raw_dropped", dropped)
        stats.count("policy", "quarantine_errors_redacted", len(errors.get(ERROR, {})))
        _timed(stats, started)
        return batch


def _timed(stats: FilterStats, started: tuple[float, float]) -> None:
    """The policy's time counts as the pii step's: it is the cost of its scope."""
    stats.wall_seconds += time.perf_counter() - started[0]
    stats.cpu_seconds += time.process_time() - started[1]


def decoded_prefixes(raw: pa.Array) -> tuple[list[bytes | None], list[str | None]]:
    """The raw prefixes and, for each, its scannable text: None when it is not UTF-8; a prefix
    cut at the preview limit loses a partial last character and its tail (see the module)."""
    values = raw.to_pylist()
    texts: list[str | None] = []
    for value in values:
        if value is None:
            texts.append(None)
            continue
        cut = len(value) >= RAW_PREVIEW_BYTES
        text = _utf8(value, cut)
        if text is not None and cut:
            text = _without_tail(text)
        texts.append(text)
    return values, texts


def _utf8(value: bytes, cut: bool) -> str | None:
    # A cut prefix may end inside a character: at most 3 bytes of it.
    for trim in range(4 if cut else 1):
        try:
            return value[:len(value) - trim].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def _without_tail(text: str) -> str:
    end = max(0, len(text) - CUT_TAIL_CHARS)
    while end > 0 and text[end - 1] not in _DELIMITERS:
        end -= 1
    return text[:end]

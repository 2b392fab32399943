"""Per-filter statistics: counts, timings, counters and fixed-bin histograms that merge with `+`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Histogram:
    """Counts over fixed bin edges; two histograms with the same edges add up."""

    edges: list[float]
    counts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * (len(self.edges) - 1)

    @classmethod
    def uniform(cls, low: float, high: float, bins: int) -> Histogram:
        return cls(edges=[float(x) for x in np.linspace(low, high, bins + 1).round(6)])

    def add(self, values: np.ndarray) -> None:
        """Count `values`; values outside the edges land in the first or last bin."""
        values = np.clip(np.asarray(values, dtype=np.float64), self.edges[0], self.edges[-1])
        counts, _ = np.histogram(values, bins=self.edges)
        self.counts = [a + int(b) for a, b in zip(self.counts, counts, strict=True)]

    def __add__(self, other: Histogram) -> Histogram:
        if self.edges != other.edges:
            raise ValueError("cannot merge histograms with different bin edges")
        return Histogram(self.edges, [a + b for a, b in zip(self.counts, other.counts, strict=True)])

    def to_dict(self) -> dict[str, Any]:
        return {"edges": self.edges, "counts": self.counts}


@dataclass
class FilterStats:
    """What one filter did: documents and characters in and out, time, and its own figures.

    `counters` holds named groups of numbers (e.g. `removed_by_reason`, `docs_by_lang`);
    `histograms` holds fixed-bin histograms. Both merge by adding, so the merge of worker
    statistics does not depend on the order the workers finish in.

    `tokens_in` / `tokens_out` (and by language, of the documents' `lang`: `tokens_in_by_lang`,
    `tokens_by_lang` for what the step kept) are None when no tokenizer was configured: no
    count is ever estimated. None merges with a count as nothing counted.
    """

    name: str
    docs_in: int = 0
    docs_out: int = 0
    chars_in: int = 0
    chars_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    tokens_in: int | None = None
    tokens_out: int | None = None
    tokens_in_by_lang: dict[str, int] | None = None
    tokens_by_lang: dict[str, int] | None = None
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    counters: dict[str, dict[str, float]] = field(default_factory=dict)
    histograms: dict[str, Histogram] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def docs_removed(self) -> int:
        return self.docs_in - self.docs_out

    def count(self, group: str, key: str, amount: float = 1) -> None:
        bucket = self.counters.setdefault(group, {})
        bucket[key] = bucket.get(key, 0) + amount

    def count_many(self, group: str, keys: list[str], amounts: list[float]) -> None:
        for key, amount in zip(keys, amounts, strict=True):
            self.count(group, key, amount)

    def count_tokens(self, tokens_in: int, tokens_out: int, in_by_lang: dict[str, int],
                     out_by_lang: dict[str, int]) -> None:
        """Add one batch's token counts (the first call marks the step as counted)."""
        self.tokens_in = (self.tokens_in or 0) + tokens_in
        self.tokens_out = (self.tokens_out or 0) + tokens_out
        self.tokens_in_by_lang = _plus_counts(self.tokens_in_by_lang, in_by_lang) or {}
        self.tokens_by_lang = _plus_counts(self.tokens_by_lang, out_by_lang) or {}

    def histogram(self, key: str, low: float = 0.0, high: float = 1.0, bins: int = 20) -> Histogram:
        """The histogram `key`, created with uniform bins on first use."""
        if key not in self.histograms:
            self.histograms[key] = Histogram.uniform(low, high, bins)
        return self.histograms[key]

    def __add__(self, other: FilterStats) -> FilterStats:
        if self.name != other.name:
            raise ValueError(f"cannot merge stats of {self.name!r} and {other.name!r}")
        counters = {g: dict(v) for g, v in self.counters.items()}
        for group, values in other.counters.items():
            bucket = counters.setdefault(group, {})
            for key, amount in values.items():
                bucket[key] = bucket.get(key, 0) + amount
        histograms = dict(self.histograms)
        for key, hist in other.histograms.items():
            histograms[key] = histograms[key] + hist if key in histograms else hist
        return FilterStats(
            name=self.name,
            docs_in=self.docs_in + other.docs_in,
            docs_out=self.docs_out + other.docs_out,
            chars_in=self.chars_in + other.chars_in,
            chars_out=self.chars_out + other.chars_out,
            bytes_in=self.bytes_in + other.bytes_in,
            bytes_out=self.bytes_out + other.bytes_out,
            tokens_in=_plus(self.tokens_in, other.tokens_in),
            tokens_out=_plus(self.tokens_out, other.tokens_out),
            tokens_in_by_lang=_plus_counts(self.tokens_in_by_lang, other.tokens_in_by_lang),
            tokens_by_lang=_plus_counts(self.tokens_by_lang, other.tokens_by_lang),
            wall_seconds=self.wall_seconds + other.wall_seconds,
            cpu_seconds=self.cpu_seconds + other.cpu_seconds,
            counters=counters,
            histograms=histograms,
            info={**other.info, **self.info},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "docs_in": self.docs_in,
            "docs_out": self.docs_out,
            "docs_removed": self.docs_removed,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "tokens_in_by_lang": _sorted(self.tokens_in_by_lang),
            "tokens_by_lang": _sorted(self.tokens_by_lang),
            "wall_seconds": round(self.wall_seconds, 6),
            "cpu_seconds": round(self.cpu_seconds, 6),
            "counters": {g: dict(sorted(v.items())) for g, v in sorted(self.counters.items())},
            "histograms": {k: h.to_dict() for k, h in sorted(self.histograms.items())},
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FilterStats:
        return cls(
            name=data["name"],
            docs_in=data["docs_in"],
            docs_out=data["docs_out"],
            chars_in=data["chars_in"],
            chars_out=data["chars_out"],
            bytes_in=data["bytes_in"],
            bytes_out=data["bytes_out"],
            tokens_in=data.get("tokens_in"),
            tokens_out=data.get("tokens_out"),
            tokens_in_by_lang=data.get("tokens_in_by_lang"),
            tokens_by_lang=data.get("tokens_by_lang"),
            wall_seconds=data["wall_seconds"],
            cpu_seconds=data["cpu_seconds"],
            counters={g: dict(v) for g, v in data.get("counters", {}).items()},
            histograms={k: Histogram(**h) for k, h in data.get("histograms", {}).items()},
            info=dict(data.get("info", {})),
        )


# Document lengths in characters, on a 1-2-5 scale (the last bin holds everything larger).
LENGTH_EDGES = [0, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
                1_000_000]


def length_histogram() -> Histogram:
    return Histogram(edges=[float(edge) for edge in LENGTH_EDGES])


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def _plus_counts(a: dict[str, int] | None, b: dict[str, int] | None) -> dict[str, int] | None:
    if a is None:
        return None if b is None else dict(b)
    total = dict(a)
    if b is None:
        return total
    for key, amount in b.items():
        total[key] = total.get(key, 0) + amount
    return total


def _sorted(counts: dict[str, int] | None) -> dict[str, int] | None:
    return None if counts is None else dict(sorted(counts.items()))


def merge_all(stats: list[FilterStats]) -> FilterStats:
    """The sum of several statistics of one filter."""
    total = stats[0]
    for item in stats[1:]:
        total = total + item
    return total

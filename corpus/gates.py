"""Quality gates: expectations over a version's statistics, checked before it is delivered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from corpus.figures import Figures


@dataclass(frozen=True)
class GateResult:
    name: str
    value: float | None
    min: float | None
    max: float | None
    passed: bool
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(expectations: dict[str, dict[str, float]], stats: dict[str, Any],
             figures: Mapping[str, Figures] | None = None) -> list[GateResult]:
    """Each expectation `PATH: {min, max}` checked against the value `metric(stats, PATH, figures)`."""
    results = []
    for name, bounds in expectations.items():
        low, high = bounds.get("min"), bounds.get("max")
        try:
            value = metric(stats, name, figures)
        except KeyError as exc:
            results.append(GateResult(name, None, low, high, False, f"no such statistic: {exc.args[0]}"))
            continue
        passed = (low is None or value >= low) and (high is None or value <= high)
        results.append(GateResult(name, value, low, high, passed))
    return results


def metric(stats: dict[str, Any], path: str, figures: Mapping[str, Figures] | None = None) -> float:
    """The number a gate path names.

    `total.<key>` reads the totals (read, kept, rejected, quarantined, kept_fraction,
    tokens_out, `tokens_by_lang.<lang>`, ...).
    `<step>.<key>` reads a filter's entry: a top-level figure (docs_in, docs_removed,
    chars_out, tokens_out, ...), `removed_fraction` / `kept_fraction`, `tokens_by_lang.<lang>`
    (tokens the step kept in that language; 0 where it kept none), `counters.<group>.<key>`, or
    a metric the step's `figures` (by label, as the manifest records them) derive, such as
    `<name>.<key>` for a counter share. Raises KeyError naming the part that is missing; a
    token figure of a version counted without a tokenizer is missing.
    """
    head, _, rest = path.partition(".")
    if head == "total":
        return _tokens(stats["total"], rest, path)
    entry = next((f for f in stats["filters"] if f["name"] == head), None)
    if entry is None:
        raise KeyError(f"{path} (no filter {head!r} in this version)")
    if rest in ("removed_fraction", "kept_fraction"):
        removed = entry["docs_removed"] / entry["docs_in"] if entry["docs_in"] else 0.0
        return removed if rest == "removed_fraction" else 1.0 - removed
    for derived in (figures or {}).get(head, Figures()).metrics:
        name, dot, key = rest.partition(".")
        if name == derived.name:
            try:
                return derived.value(entry, key if dot else None)
            except KeyError:
                raise KeyError(path) from None
    return _tokens(entry, rest, path)


def _tokens(node: dict[str, Any], dotted: str, path: str) -> float:
    """`_number`, where a token figure without a tokenizer says so and an uncounted language is 0."""
    key, _, lang = dotted.partition(".")
    if key.startswith("tokens") and key in node and node[key] is None:
        raise KeyError(f"{path} (no tokenizer was configured)")
    if key in ("tokens_by_lang", "tokens_in_by_lang") and lang and key in node:
        return float(node[key].get(lang, 0))
    return _number(node, dotted, path)


def _number(node: Any, dotted: str, path: str) -> float:
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        node = node[part]
    if not isinstance(node, int | float):
        raise KeyError(f"{path} (not a number)")
    return float(node)

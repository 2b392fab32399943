"""Differences between two versions: config keys, counts and per-filter figures."""

from __future__ import annotations

from typing import Any

FILTER_FIGURES = ("docs_in", "docs_out", "docs_removed", "chars_in", "chars_out")


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a nested config; filters by position and name (filters.0.<name>.<param>)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    if isinstance(node, list) and node and all(isinstance(i, dict) and len(i) == 1 for i in node):
        out = {}
        for index, item in enumerate(node):
            name = next(iter(item))
            out.update(flatten(item[name], f"{prefix}{index}.{name}."))
        return out
    return {prefix.rstrip("."): node}


def config_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(key, old value, new value) for every config key that differs; None where absent."""
    a, b = flatten(old), flatten(new)
    return [(key, a.get(key), b.get(key)) for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)]


def count_deltas(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Manifest counts of both versions: {read: (old, new), kept: ..., ...}."""
    return {key: (old["counts"].get(key, 0), new["counts"].get(key, 0)) for key in new["counts"]}


def filter_deltas(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Per filter of the newer version: each figure as (old, new); old is None for a new filter."""
    before = {entry["name"]: entry for entry in old["filters"]}
    rows = []
    for entry in new["filters"]:
        previous = before.get(entry["name"])
        rows.append({"filter": entry["name"],
                     **{f: (previous[f] if previous else None, entry[f]) for f in FILTER_FIGURES}})
    for name in before.keys() - {entry["name"] for entry in new["filters"]}:
        rows.append({"filter": name, **{f: (before[name][f], None) for f in FILTER_FIGURES}})
    return rows

"""The filter registry: built-ins, the `corpus.filters` entry points, and `module:Class` references."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from filters.base import Filter

ENTRY_POINT_GROUP = "corpus.filters"

BUILTINS = {
    "special_chars": "filters.special_chars:SpecialChars",
    "exact_dedup": "filters.exact_dedup:ExactDedup",
    "minhash_dedup": "filters.minhash_dedup:MinHashDedup",
    "langid": "filters.langid:LangID",
    "toxicity": "filters.toxicity:Toxicity",
    "pii": "filters.pii:PII",
    "gopher_quality": "filters.gopher_quality:GopherQuality",
    "gopher_repetition": "filters.gopher_repetition:GopherRepetition",
    "c4_quality": "filters.c4_quality:C4Quality",
    "fineweb_quality": "filters.fineweb_quality:FineWebQuality",
}


class UnknownFilter(LookupError):
    """No filter is registered or importable under this name."""


def load_reference(reference: str) -> type[Filter]:
    """Import `package.module:Class` and check that it is a Filter."""
    module_name, _, attribute = reference.partition(":")
    try:
        target = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise UnknownFilter(f"cannot import filter {reference!r}: {exc}") from exc
    if not (isinstance(target, type) and issubclass(target, Filter)):
        raise UnknownFilter(f"{reference!r} is not a subclass of filters.Filter")
    return target


def plugin_references() -> dict[str, str]:
    """Filters that installed packages register in the `corpus.filters` entry-point group."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def references() -> dict[str, str]:
    """Every filter known by name: plugins first, so a built-in name cannot be shadowed."""
    return {**plugin_references(), **BUILTINS}


def get_filter(name: str) -> type[Filter]:
    """The filter class for a config key: a registered name or a `module:Class` reference."""
    if name in BUILTINS:  # they win over plugins anyway: no need to read every entry point (19 ms)
        return load_reference(BUILTINS[name])
    known = references()
    if name in known:
        return load_reference(known[name])
    if ":" in name:
        return load_reference(name)
    raise UnknownFilter(f"unknown filter {name!r} (known: {', '.join(sorted(known))})")

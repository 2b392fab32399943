"""The filter plugins: the Filter API, the registry, and one module per built-in filter."""

from filters.base import Filter, FilterParams, GlobalFilter, Read, Verdict

__all__ = ["Filter", "FilterParams", "GlobalFilter", "Read", "Verdict"]

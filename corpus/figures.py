"""How a filter presents its statistics: report figures, gate metrics and dataset-card tables, as data.

A filter class holds a `Figures` (`Filter.figures`). The engine records each step's figures in
the manifest at publish (`manifest.filters[i].figures`), and the report, the gates and the card
read them back from there: a version shows its figures from its own files, even once the
filter's package is gone, and `corpus/` never needs to know a filter by name.

Figures name statistics, never values: histogram keys, counter groups, and the parameters that
hold thresholds (`max_ratio`), whose values come from the version's recorded config.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from pydantic import TypeAdapter

Json = dict[str, Any]
# Rows of a counter table or bars of a plot: by descending count in the first group, or by key.
Order = Literal["count", "key"]
Colour = Literal["kept", "removed", "read", "accent"]


@dataclass(frozen=True)
class Threshold:
    """A parameter whose value is a cut on a histogram's axis, drawn as a dashed line.

    `by_key` names a parameter mapping a histogram part (a language) to its own value;
    `per` says in words what those keys are ("language")."""

    param: str
    by_key: str | None = None
    per: str = "key"


@dataclass(frozen=True)
class HistogramPlot:
    """The histogram `histogram` with the threshold marked (a log count axis unless `log` is off).

    With `parts`, a grid of the histogram itself (titled `total_title`) and each
    `<histogram>.<part>` (titled by the part): in one row, or in `grid` (rows, columns),
    which also caps how many parts are drawn. `order_by` names a counter group: parts then
    go by descending count in it, and each title shows that count. `caption` may use
    `{key}` (the histogram) and `{count}` (the plots drawn)."""

    histogram: str
    caption: str = "{key}"
    threshold: Threshold | None = None
    parts: bool = False
    total_title: str = "all"
    order_by: str | None = None
    grid: tuple[int, int] | None = None
    log: bool = True

    def histograms(self, keys: list[str]) -> set[str]:
        """The histogram keys, out of `keys`, that this plot covers."""
        return {key for key in keys if key == self.histogram
                or (self.parts and key.startswith(self.histogram + "."))}


@dataclass(frozen=True)
class ThresholdText:
    """A line naming the threshold's configured value and its per-key overrides."""

    threshold: Threshold


@dataclass(frozen=True)
class Series:
    """One counter group drawn as bars of one colour."""

    group: str
    label: str
    colour: Colour = "kept"


@dataclass(frozen=True)
class CounterBars:
    """Bars over the keys of the `keys` counter groups: one series per group, stacked or side by side."""

    keys: tuple[str, ...]
    series: tuple[Series, ...]
    caption: str
    ylabel: str = "count"
    stacked: bool = False
    order: Order = "key"
    rotation: int = 0

    @property
    def groups(self) -> set[str]:
        return {*self.keys, *(series.group for series in self.series)}


@dataclass(frozen=True)
class CounterTable:
    """A table with a row per key of the counter groups and a column per group.

    `headers` heads the groups' columns, `key_header` the keys'; `empty` is said when no group
    has a key (nothing is shown when it is empty)."""

    groups: tuple[str, ...]
    key_header: str
    headers: tuple[str, ...]
    order: Order = "key"
    empty: str = ""


Figure = HistogramPlot | ThresholdText | CounterBars | CounterTable


@dataclass(frozen=True)
class CounterShare:
    """Gate metric `<step>.<name>.<key>`: the key's share of the counter group's total (0 if absent)."""

    name: str
    group: str

    def value(self, entry: Json, key: str | None) -> float:
        if key is None:
            raise KeyError(self.name)
        values = entry["counters"].get(self.group, {})
        total = sum(values.values())
        return values.get(key, 0) / total if total else 0.0


@dataclass(frozen=True)
class CounterValue:
    """Gate metric `<step>.<name>`: one counter, or with `per_document` its share of documents in."""

    name: str
    group: str
    key: str
    per_document: bool = False

    def value(self, entry: Json, key: str | None) -> float:
        value = entry["counters"].get(self.group, {}).get(self.key)
        if key is not None or not isinstance(value, int | float):
            raise KeyError(self.name)
        if self.per_document:
            return value / entry["docs_in"] if entry["docs_in"] else 0.0
        return float(value)


@dataclass(frozen=True)
class LargestBin:
    """Gate metric `<step>.<name>`: the lower edge of the histogram's highest non-empty bin, so
    the largest value counted is at least this (0 when nothing was counted)."""

    name: str
    histogram: str

    def value(self, entry: Json, key: str | None) -> float:
        if key is not None:
            raise KeyError(self.name)
        histogram = entry["histograms"].get(self.histogram, {"edges": [0.0], "counts": []})
        filled = [index for index, count in enumerate(histogram["counts"]) if count]
        return float(histogram["edges"][filled[-1]]) if filled else 0.0


Metric = CounterShare | CounterValue | LargestBin


@dataclass(frozen=True)
class CardTable:
    """A dataset-card table of a counter group's largest values, with their share of the group.

    `title` may use `{label}` (the step); rows with a zero value are left out. `metadata` names
    the card's Hugging Face metadata field the keys with a value fill (`language`)."""

    title: str
    group: str
    key_header: str
    value_header: str = "documents"
    limit: int = 15
    metadata: str | None = None


@dataclass(frozen=True)
class Figures:
    """Everything a filter shows beyond the generic rendering of its statistics.

    `report`: figures of its report section, in order (histograms and counter groups they
    do not use are still drawn and tabled generically); `metrics`: derived numbers usable in
    `expectations:`; `card`: tables for the dataset card."""

    report: tuple[Figure, ...] = ()
    metrics: tuple[Metric, ...] = ()
    card: tuple[CardTable, ...] = ()

    def to_json(self) -> Json:
        """The figures as JSON data: each item a one-key mapping, its kind to its fields."""
        return {part.name: [{_KIND_OF[type(item)]: asdict(item)} for item in getattr(self, part.name)]
                for part in fields(self)}

    @classmethod
    def from_json(cls, data: Json) -> Figures:
        """The figures `to_json` wrote. Kinds this engine does not know (written by a newer one)
        are left out: the statistics they showed still appear in the generic rendering."""
        parts = {}
        for part in fields(cls):
            items = []
            for item in data.get(part.name, []):
                (kind, values), = item.items()
                if kind in _KINDS:
                    items.append(_ADAPTERS[kind].validate_python(values))
            parts[part.name] = tuple(items)
        return cls(**parts)


_KINDS: dict[str, type] = {
    "histogram_plot": HistogramPlot, "threshold_text": ThresholdText, "counter_bars": CounterBars,
    "counter_table": CounterTable, "counter_share": CounterShare, "counter_value": CounterValue,
    "largest_bin": LargestBin, "card_table": CardTable,
}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}
_ADAPTERS = {kind: TypeAdapter(cls) for kind, cls in _KINDS.items()}


def recorded(manifest: Json) -> dict[str, Figures]:
    """Each step's figures as the manifest records them, by step label (none for a step without)."""
    return {step["label"]: Figures.from_json(step.get("figures", {}))
            for step in manifest.get("filters", [])}

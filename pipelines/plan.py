"""Planning: the filter chain, labelled and cut into segments at each global filter."""

from __future__ import annotations

from dataclasses import dataclass, field

from filters.base import Filter, GlobalFilter
from pipelines.config import FilterSpec, step_labels


@dataclass
class Step:
    """A filter at its place in the chain; `label` is unique (`name`, or `name#2` for repeats)."""

    label: str
    filter: Filter


@dataclass
class Segment:
    """Filters that stream without a barrier.

    `head` is the global filter resolved before this segment (its `apply` runs first);
    `steps` are per-document filters; `tail` is the global filter whose keys this
    segment emits, or None for the last segment, which writes the published data.
    """

    index: int
    head: Step | None = None
    steps: list[Step] = field(default_factory=list)
    tail: Step | None = None

    def applied(self) -> list[Step]:
        """The steps whose `run` this segment calls, in order."""
        return ([self.head] if self.head else []) + self.steps


def label_steps(specs: list[FilterSpec]) -> list[Step]:
    labels = step_labels([spec.name for spec in specs])
    return [Step(label, spec.build()) for label, spec in zip(labels, specs, strict=True)]


def plan_segments(steps: list[Step]) -> list[Segment]:
    """Cut the chain after every global filter: [a, G, b] -> [a | sign G], [apply G, b]."""
    segments = [Segment(0)]
    for step in steps:
        if isinstance(step.filter, GlobalFilter):
            segments[-1].tail = step
            segments.append(Segment(len(segments), head=step))
        else:
            segments[-1].steps.append(step)
    return segments

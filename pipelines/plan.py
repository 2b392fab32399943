"""Planning: the filter chain checked column by column, labelled, and cut into segments at global filters.

Each segment's tasks are made in `pipelines.schedule` (`pipelines.tasks` imports this module).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.errors import ConfigError
from corpus.schema import TEXT, is_engine_name
from filters.base import Filter, GlobalFilter, Read
from filters.registry import BUILTINS, UnknownFilter, get_filter
from pipelines.config import FilterSpec, PipelineConfig, step_labels


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

    def describe(self, total: int) -> str:
        """How progress names the segment: `segment 1/2: read > langid > sign minhash_dedup`."""
        names = [step.label for step in self.applied()]
        if self.index == 0:
            names.insert(0, "read")
        names.append(f"sign {self.tail.label}" if self.tail is not None else "write")
        return f"segment {self.index + 1}/{total}: " + " > ".join(names)


def label_steps(specs: list[FilterSpec]) -> list[Step]:
    """The chain's steps, each filter told which columns the filters before it write."""
    labels = step_labels([spec.name for spec in specs])
    steps = [Step(label, spec.build()) for label, spec in zip(labels, specs, strict=True)]
    upstream: set[str] = set()
    for step in steps:
        step.filter.bind(frozenset(upstream))
        upstream.update(step.filter.column_writes())
    return steps


def check_chain(config: PipelineConfig) -> None:
    """Check the columns every filter reads and writes along the chain, before any data is read.

    A column a filter reads from the chain must be written by an earlier filter (or the
    filter must have a fallback and no later filter may write it: the order would then be
    wrong); a column read from the input must not be one an earlier filter replaces or
    the engine owns; no two filters may write one column, unless they are the same filter
    repeated or both declare it `shared`; only the text, among the engine's columns, may
    be rewritten. All problems are raised in one ConfigError, one line each, naming the key.
    """
    names = [spec.name for spec in config.filters]
    filters = [spec.build() for spec in config.filters]
    problems = []
    for index, problem, key in _read_problems(names, filters) + _write_problems(names, filters):
        where = f"filters[{index}].{names[index]}" + (f".{key}" if key else "")
        problems.append(f"{config._source}: {where}: {problem}")
    if problems:
        raise ConfigError("\n".join(problems))


def _read_problems(names: list[str], filters: list[Filter]) -> list[tuple[int, str, str]]:
    problems = []
    for index, flt in enumerate(filters):
        for read in flt.column_reads():
            writers = [at for at, other in enumerate(filters) if read.column in other.column_writes()]
            earlier = [at for at in writers if at < index]
            later = [at for at in writers if at > index]
            if read.source == "input":
                problem = _input_problem(read, names, earlier)
                if problem:
                    problems.append((index, problem, read.key))
            elif not earlier and (later or read.fallback is None):
                writer = names[later[0]] if later else _known_writer(read.column)
                instead = f" or {read.instead}" if read.instead else ""
                problems.append((index, f"reads {read.column}, which no earlier filter writes; "
                                        f"put {writer} before it{instead}", read.key))
    return problems


def _input_problem(read: Read, names: list[str], earlier: list[int]) -> str | None:
    """Why an input column cannot be read as named, or None."""
    if is_engine_name(read.column):
        return (f"reads the input column {read.column}, a name the engine owns: the input's field "
                f"of that name is read as input_{read.column}")
    if earlier:
        return (f"reads the input column {read.column}, but {names[earlier[-1]]} "
                f"(filters[{earlier[-1]}]) writes {read.column} before it; read that filter's column "
                f"or name another input column")
    return None


def _write_problems(names: list[str], filters: list[Filter]) -> list[tuple[int, str, str]]:
    problems = []
    owner: dict[str, int] = {}
    for index, flt in enumerate(filters):
        for column in flt.column_writes():
            if column == TEXT:  # the document itself: filters rewrite it in turn (pii redacts)
                continue
            if is_engine_name(column):
                problems.append((index, f"writes {column}, a column the engine owns", ""))
                continue
            first = owner.setdefault(column, index)
            other = filters[first]
            if first != index and type(other) is not type(flt) and not (
                    column in other.shared and column in flt.shared):
                problems.append((index, f"writes {column}, which {names[first]} (filters[{first}]) "
                                        f"writes too; two filters cannot write one column", ""))
    return problems


def _known_writer(column: str) -> str:
    """The built-in filters that write `column`, to name in a hint."""
    found = []
    for name in BUILTINS:
        try:
            if column in get_filter(name).writes:
                found.append(name)
        except UnknownFilter:
            continue
    return " or ".join(found) or f"a filter that writes {column}"


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

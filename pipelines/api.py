"""The Python API: build and run pipelines, open published versions, filter Arrow data in memory.

`Pipeline` is a validated config (from keyword arguments with filter objects, a dict or a YAML
file) that `run`s through the same engine as `corpus run` (`pipelines.run.run_pipeline`: store,
resume, statistics, gates) and returns the published `Version`. `apply_filters` and
`FilterChain` run the per-document filters of a chain over Arrow data a caller already holds
(a Table, RecordBatches, anything with `__arrow_c_stream__` such as a polars DataFrame), with
the same parameter validation and column checks.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa

from corpus.errors import ConfigError
from corpus.gates import GateResult
from corpus.schema import ID, TEXT, input_name, is_engine_name
from corpus.stats import FilterStats
from corpus.store import parse_ref, read_json, signing_key
from corpus.verify import Verification, verify_version
from filters.base import Filter, GlobalFilter
from filters.registry import UnknownFilter, get_filter
from pipelines.config import PipelineConfig, apply_override, check_resources, load_config, validate_config
from pipelines.plan import check_chain, label_steps
from pipelines.progress import RunProgress
from pipelines.run import run_pipeline

# What a chain may be given: filter objects, filter classes, names, or `{name: {params}}` as in YAML.
FilterEntry = Filter | type[Filter] | str | Mapping[str, Any]
# Rows per batch when a Table is cut for the filters (the readers' default `batch_rows`).
BATCH_ROWS = 4096


class GatesFailed(RuntimeError):
    """The run published its version with failed quality gates and LATEST was not moved.

    `version` is the published version (status `failed_gates`), to inspect."""

    def __init__(self, version: Version) -> None:
        names = ", ".join(gate.name for gate in version.failed_gates)
        super().__init__(f"{version.path}: {len(version.failed_gates)} quality gate(s) failed "
                         f"({names}); LATEST was not moved")
        self.version = version


@dataclass(frozen=True)
class Version:
    """A published version of a dataset, read from its folder: counts, statistics, gates, files."""

    path: Path
    manifest: dict[str, Any] = field(repr=False)
    stats_document: dict[str, Any] = field(repr=False)

    @classmethod
    def open(cls, path: str | Path) -> Version:
        path = Path(path)
        return cls(path, read_json(path / "manifest.json"), read_json(path / "stats.json"))

    @property
    def name(self) -> str:
        return self.manifest["version"]

    @property
    def dataset(self) -> str:
        return self.manifest["dataset"]

    @property
    def status(self) -> str:
        return self.manifest.get("status", "published")

    @property
    def parent(self) -> str | None:
        return self.manifest.get("parent")

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.manifest["counts"])

    @cached_property
    def stats(self) -> dict[str, FilterStats]:
        """Each step's statistics by label (`langid`, `special_chars#2`), in chain order."""
        return {entry["name"]: FilterStats.from_dict(entry) for entry in self.stats_document["filters"]}

    @property
    def total(self) -> dict[str, Any]:
        return self.stats_document["total"]

    @property
    def gates(self) -> list[GateResult]:
        return [GateResult(**gate) for gate in self.manifest.get("gates", [])]

    @property
    def failed_gates(self) -> list[GateResult]:
        return [gate for gate in self.gates if not gate.passed]

    @property
    def shards(self) -> list[Path]:
        """The kept documents' Parquet files."""
        return self._files("data")

    @property
    def rejects(self) -> list[Path]:
        return self._files("rejects")

    @property
    def quarantine(self) -> list[Path]:
        return self._files("quarantine")

    @property
    def report(self) -> Path:
        return self.path / "report.html"

    @property
    def card(self) -> Path:
        """The dataset card (README.md, with the Hugging Face metadata)."""
        return self.path / "README.md"

    def read(self, kind: str = "data", columns: list[str] | None = None) -> pa.Table:
        """The documents of `data`, `rejects` or `quarantine` as one Table (shards differing in
        columns are unified; a column a shard lacks is null there)."""
        import pyarrow.dataset as ds

        files = [str(path) for path in self._files(kind)]
        if not files:
            return pa.table({})
        schemas = [ds.dataset(path, format="parquet").schema for path in files]
        schema = pa.unify_schemas(schemas)
        return ds.dataset(files, schema=schema, format="parquet").to_table(columns=columns)

    def verify(self, key: bytes | None = None) -> Verification:
        """What `corpus verify` checks: every file, the counts, the digest chain, the signature."""
        return verify_version(self.path, key)

    def _files(self, kind: str) -> list[Path]:
        return [self.path / shard["path"] for shard in self.manifest["shards"].get(kind, [])]


def open_version(ref: str | Path) -> Version:
    """`DIR@vN`, `DIR` (LATEST) or a version folder `DIR/vNNNN`, as the commands take them."""
    store, version = parse_ref(str(ref))
    return Version.open(store.version_path(version))


class Pipeline:
    """A validated pipeline config, ready to run.

    `Pipeline(input="raw/", output="out", dataset="web", filters=[LangID(min_score=0.5), "pii"])`
    takes the config's top-level keys as arguments (`input` and `output` may be a path or the
    section as a dict; any other key, such as `expectations` or `card`, by keyword);
    `from_dict` and `from_yaml` take a config as `corpus run` does. Errors are `ConfigError`s
    naming the key, before any data is read."""

    def __init__(self, input: str | Path | Sequence[str | Path] | Mapping[str, Any],
                 output: str | Path | Mapping[str, Any] = "out", filters: Sequence[FilterEntry] = (),
                 dataset: str = "dataset", **settings: Any) -> None:
        raw = {"dataset": dataset, "input": _section(input, "paths"), "output": _section(output, "root"),
               "filters": filter_entries(filters), **settings}
        self.config = validate_config(raw, source="Pipeline")

    @classmethod
    def from_config(cls, config: PipelineConfig) -> Pipeline:
        pipeline = cls.__new__(cls)
        pipeline.config = config
        return pipeline

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], overrides: Sequence[str] = ()) -> Pipeline:
        """A config as the YAML would hold it; `overrides` as `--set KEY=VALUE`."""
        raw = copy.deepcopy(dict(data))
        raw["filters"] = filter_entries(raw.get("filters") or [])
        for override in overrides:
            apply_override(raw, override)
        return cls.from_config(validate_config(raw, source="from_dict"))

    @classmethod
    def from_yaml(cls, path: str | Path, overrides: Sequence[str] = ()) -> Pipeline:
        return cls.from_config(load_config(path, list(overrides)))

    def validate(self) -> None:
        """What `corpus validate` checks: the columns along the chain and every model file."""
        check_chain(self.config)
        check_resources(self.config)

    def run(self, *, progress: bool = False, allow_failed_gates: bool = False, fresh: bool = False,
            keep_work: bool = False, key_file: str | Path | None = None) -> Version:
        """Run as `corpus run` does and return the published version.

        A version that fails a quality gate is published without moving LATEST and raised as
        `GatesFailed` (its `version` attribute holds it), unless `allow_failed_gates`. The
        version is signed with `key_file`'s key, or CORPUS_SIGNING_KEY's, as `--key`."""
        summary = run_pipeline(self.config, RunProgress(enabled=progress), allow_failed_gates,
                               fresh=fresh, keep_work=keep_work,
                               signing_key=signing_key(Path(key_file) if key_file else None))
        version = Version.open(summary.path)
        if version.failed_gates and not allow_failed_gates:
            raise GatesFailed(version)
        return version


@dataclass
class Filtered:
    """What `apply_filters` returns: the kept documents, the removed ones (with `filter` and
    `reason` columns; None without `keep_rejects`) and each step's statistics by label."""

    kept: pa.Table
    rejects: pa.Table | None
    stats: dict[str, FilterStats]


class FilterChain:
    """The per-document filters of a chain, checked and set up once, applied batch by batch.

    A callable class in the way of Ray Data's stateful transforms:
    `ds.map_batches(FilterChain, fn_constructor_args=(filters,), batch_format="pyarrow", ...)`
    loads the models once per actor and maps each batch to its kept documents. A global filter
    (minhash_dedup, exact_dedup) must see every document before it decides: it is refused here;
    run it in a `Pipeline`, whose store holds its keys and decisions."""

    def __init__(self, filters: Sequence[FilterEntry], keep_rejects: bool = True) -> None:
        config = validate_config({"dataset": "memory", "input": {"paths": ["memory"]},
                                  "filters": filter_entries(filters)}, source="apply_filters")
        problems = [f"apply_filters: filters[{index}].{spec.name} needs every document before it decides "
                    f"(a global filter); run it in a Pipeline"
                    for index, spec in enumerate(config.filters) if issubclass(spec.cls, GlobalFilter)]
        if problems:
            raise ConfigError("\n".join(problems))
        check_chain(config)
        check_resources(config)
        self.steps = label_steps(config.filters)
        for step in self.steps:
            step.filter.setup()
        self.stats = {step.label: FilterStats(step.label) for step in self.steps}
        self.keep_rejects = keep_rejects
        self.rejected: list[pa.RecordBatch] = []

    def __call__(self, batch: pa.Table | pa.RecordBatch) -> pa.Table:
        kept = [self.apply(part) for part in _batches(batch)]
        return pa.Table.from_batches(kept) if kept else pa.table({})

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch's kept documents with the filters' columns; the removed ones go to `rejected`."""
        batch = _documents(batch)
        for step in self.steps:
            if batch.num_rows == 0:
                break
            outcome = step.filter.run(batch, self.stats[step.label])
            if outcome.rejected is not None and self.keep_rejects:
                self.rejected.append(outcome.rejected)
            batch = outcome.kept
        return batch


def apply_filters(data: Any, filters: Sequence[FilterEntry], keep_rejects: bool = True) -> Filtered:
    """Run a chain of per-document filters over Arrow data held in memory.

    `data` is a pyarrow Table or RecordBatch, an iterable of RecordBatches (a RecordBatchReader,
    Ray Data's `iter_batches(batch_format="pyarrow")`), or any object with `__arrow_c_stream__`
    (a polars DataFrame; a pandas one through `pa.Table.from_pandas`). It needs a `text` column;
    other columns pass through (`filter`, `reason` and `__corpus*` are renamed `input_*`, as the
    readers do). Filters are checked as in a config (`ConfigError` naming the key)."""
    chain = FilterChain(filters, keep_rejects)
    kept = [chain.apply(batch) for batch in _stream(data)]
    kept = [batch for batch in kept if batch.num_rows]
    rejects = _concat(chain.rejected) if keep_rejects else None
    return Filtered(_concat(kept), rejects, chain.stats)


def filter_entries(filters: Iterable[FilterEntry]) -> list[Any]:
    """Filters as a config's `filters:` list; a filter object becomes `{name: its params}`."""
    entries = []
    for item in filters:
        if isinstance(item, Filter):
            entries.append({_filter_name(type(item)): item.params.model_dump(mode="json")})
        elif isinstance(item, type) and issubclass(item, Filter):
            entries.append({_filter_name(item): {}})
        else:
            entries.append(item)
    return entries


def _filter_name(cls: type[Filter]) -> str:
    """The config key of a filter class: its registered name, else its `module:Class` reference."""
    for name in (getattr(cls, "name", None), f"{cls.__module__}:{cls.__qualname__}"):
        try:
            if name and get_filter(name) is cls:
                return name
        except UnknownFilter:
            continue
    raise ConfigError(f"filter class {cls.__qualname__} is neither registered nor importable as "
                      f"{cls.__module__}:{cls.__qualname__}: define it at the top level of a module")


def _section(value: Any, key: str) -> Any:
    """`input`/`output` given as a path (or paths) or as the section itself."""
    if isinstance(value, Mapping):
        return dict(value)
    if key == "paths":
        paths = [value] if isinstance(value, str | Path) else list(value)
        return {"paths": [str(path) for path in paths]}
    return {key: str(value)}


def _stream(data: Any) -> Iterator[pa.RecordBatch]:
    if isinstance(data, pa.Table | pa.RecordBatch):
        yield from _batches(data)
    elif hasattr(data, "__arrow_c_stream__"):
        yield from pa.RecordBatchReader.from_stream(data)
    else:
        for item in data:
            yield from _batches(item)


def _batches(data: pa.Table | pa.RecordBatch) -> list[pa.RecordBatch]:
    if isinstance(data, pa.RecordBatch):
        return [data]
    if isinstance(data, pa.Table):
        return data.to_batches(max_chunksize=BATCH_ROWS)
    raise TypeError(f"expected pyarrow Tables or RecordBatches, got {type(data).__name__}")


def _documents(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch as the filters expect documents: a string `text`, other engine names renamed.

    String views (polars' strings) become large strings: the filters' kernels take those."""
    if any(pa.types.is_string_view(column.type) for column in batch.schema):
        batch = batch.cast(pa.schema([pa.field(f.name, pa.large_string(), f.nullable, f.metadata)
                                      if pa.types.is_string_view(f.type) else f for f in batch.schema]))
    names = batch.schema.names
    if TEXT not in names:
        raise ConfigError(f"apply_filters: the data has no {TEXT!r} column (columns: {', '.join(names)})")
    if not (pa.types.is_string(batch.schema.field(TEXT).type)
            or pa.types.is_large_string(batch.schema.field(TEXT).type)):
        raise ConfigError(f"apply_filters: the {TEXT!r} column must be strings, not "
                          f"{batch.schema.field(TEXT).type}")
    renamed = [name if name in (ID, TEXT) or not is_engine_name(name) else input_name(name, names)
               for name in names]
    return batch.rename_columns(renamed) if renamed != names else batch


def _concat(batches: list[pa.RecordBatch]) -> pa.Table:
    """Batches as one Table; their columns may differ (rejects of different steps)."""
    if not batches:
        return pa.table({})
    return pa.concat_tables([pa.Table.from_batches([batch]) for batch in batches],
                            promote_options="default")

"""The pipeline config: a validated model of the YAML, `--set` overrides, and readable errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from corpus.errors import ConfigError
from corpus.tokens import TokenizerProblem, TokenizerRef, check_tokenizer
from corpus.writers import Layout
from filters.base import Filter, FilterParams
from filters.registry import UnknownFilter, get_filter


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputConfig(_Strict):
    paths: list[str] = Field(min_length=1, description="files, folders, globs or fsspec URLs")
    format: Literal["auto", "jsonl", "parquet", "warc", "wet"] = "auto"
    text_field: str = "text"
    id_field: str | None = Field("id", description="input id field; ids are derived where absent")
    batch_rows: int = Field(4096, gt=0, description="documents per Arrow batch")
    batch_bytes: int = Field(64 << 20, gt=0, description="most bytes per Arrow batch (JSONL: the "
                                                        "records' bytes; Parquet: decoded bytes)")
    max_record_bytes: int = Field(16 << 20, gt=0,
                                  description="a record (JSONL line, Parquet value) over this is "
                                              "quarantined as record_too_large, never loaded whole")
    split_bytes: int = Field(256 << 20, gt=0,
                             description="uncompressed JSONL larger than this is read in ranges")


class OutputConfig(_Strict):
    root: str = "out"
    shard_rows: int = Field(Layout.shard_rows, gt=0)
    shard_bytes: int = Field(Layout.shard_bytes, gt=0, description="a shard also closes at this many "
                                                         "uncompressed bytes, whichever comes first")
    row_group_rows: int = Field(Layout.group_rows, gt=0, description="rows per Parquet row group at most")
    row_group_bytes: int = Field(Layout.group_bytes, gt=0,
                                 description="uncompressed bytes per row group at most; also what a "
                                             "task holds of unwritten row groups across its files")
    provenance: bool = Field(True, description="kept and rejected documents carry source_file and "
                                               "source_offset columns")
    keep_rejects: bool = True
    compression: Literal["zstd", "snappy", "gzip", "none"] = "zstd"


class CardConfig(_Strict):
    """What the dataset card (README.md of each version) states beyond what the run measures;
    `license`, `source`, `pretty_name` and `tags` also go into its Hugging Face metadata."""

    license: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9.+-]*$",
                                description="a Hub licence id (apache-2.0, cc-by-4.0, odc-by, other)")
    source: list[str] = Field(default_factory=list,
                              description="where the raw data comes from: Hub dataset ids or URLs")
    pretty_name: str | None = Field(None, description="the dataset's display name (default: dataset)")
    tags: list[str] = Field(default_factory=lambda: ["corpus-engine"], description="Hub tags")

    @field_validator("source", mode="before")
    @classmethod
    def _one_source(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class FilterSpec(BaseModel):
    """One validated entry of `filters:`."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    name: str
    cls: type[Filter]
    params: FilterParams

    def build(self) -> Filter:
        return self.cls(self.params)


class Bounds(_Strict):
    """What a statistic must satisfy for the version to be deliverable."""

    min: float | None = None
    max: float | None = None


class RayConfig(_Strict):
    address: str | None = Field(
        None, description="a running cluster to join (HOST:PORT or auto); none starts a local Ray")
    actors: int | None = Field(
        None, ge=1, description="segment workers (each loads the models once); default: one per "
                                "CPU of the cluster")
    cpus_per_actor: float = Field(
        0.5, gt=0, description="CPUs each actor reserves; below 1 leaves room for other Ray work")
    retries: int = Field(3, ge=0, description="times a task whose worker died is run again")


class PipelineConfig(_Strict):
    dataset: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    input: InputConfig
    output: OutputConfig = OutputConfig()
    executor: Literal["local", "ray"] = "local"
    workers: int = Field(1, ge=1, description="local: worker processes; ray: see ray.actors")
    ray: RayConfig = RayConfig()
    filters: list[FilterSpec] = Field(default_factory=list)
    expectations: dict[str, Bounds] = Field(
        default_factory=dict, description="quality gates, e.g. total.kept_fraction: {min: 0.3}")
    card: CardConfig = CardConfig()
    tokenizer: str | None = Field(
        None, description="a Hugging Face tokenizer.json: every step's statistics then count tokens "
                          "in and out (needs the tokens extra); none: no token counts")
    # Where the config came from (its file), to name in errors found after validation.
    _source: str = PrivateAttr("config")

    @model_validator(mode="after")
    def _gates_name_known_steps(self) -> PipelineConfig:
        labels = {"total", *step_labels([spec.name for spec in self.filters])}
        for name in self.expectations:
            if name.partition(".")[0] not in labels or "." not in name:
                raise ValueError(f"expectation {name!r} must start with total. or a filter of the "
                                 f"chain ({', '.join(sorted(labels - {'total'})) or 'none'})")
            if self.tokenizer is None and name.split(".")[1].startswith("tokens"):
                raise ValueError(f"expectation {name!r} counts tokens: set tokenizer: PATH "
                                 "(a tokenizer.json)")
        return self

    def resolved(self) -> dict[str, Any]:
        """The config with every default filled in, as recorded in the manifest."""
        data = self.model_dump(mode="json", exclude={"filters"})
        data["filters"] = [{f.name: f.params.model_dump(mode="json")} for f in self.filters]
        return data


def step_labels(names: list[str]) -> list[str]:
    """Unique labels of a chain: the name, or name#2, name#3 for repeats (stats use them)."""
    seen: dict[str, int] = {}
    labels = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return labels


def load_config(path: str | Path, overrides: list[str] = ()) -> PipelineConfig:
    """Read, override and validate a YAML config; every problem is a ConfigError."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of settings")
    for override in overrides:
        apply_override(raw, override)
    return validate_config(raw, source=str(path))


def validate_config(raw: dict[str, Any], source: str = "config") -> PipelineConfig:
    filters = [_filter_spec(entry, index, source) for index, entry in
               enumerate(_filter_entries(raw.get("filters"), source))]
    try:
        config = PipelineConfig.model_validate({**raw, "filters": filters})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    config._source = source
    return config


def check_resources(config: PipelineConfig) -> None:
    """Check every model, list and package the filters will load, and the tokenizer; all problems
    in one ConfigError.

    `corpus validate` and `corpus run` call this before any data is read (see
    `Filter.check_resources`), one line per problem naming the key.
    """
    problems = [f"{config._source}: filters[{index}].{spec.name}.{problem}"
                for index, spec in enumerate(config.filters)
                for problem in spec.build().check_resources()]
    try:
        tokenizer_ref(config)
    except ConfigError as exc:
        problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))


def tokenizer_ref(config: PipelineConfig) -> TokenizerRef | None:
    """The configured tokenizer, checked (`corpus.tokens`); None without one."""
    if config.tokenizer is None:
        return None
    try:
        return check_tokenizer(config.tokenizer)
    except TokenizerProblem as exc:
        raise ConfigError(f"{config._source}: tokenizer: {exc}") from None


def apply_override(raw: dict[str, Any], override: str) -> None:
    """Apply `a.b.c=value` (value parsed as YAML); `filters.NAME.key` or `filters.N.key`."""
    key, sep, text = override.partition("=")
    if not sep or not key:
        raise ConfigError(f"--set {override!r}: expected KEY=VALUE")
    value = yaml.safe_load(text)
    parts = key.split(".")
    node: Any = raw
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = _filter_params(node, part, ".".join(parts[: depth + 1]))
        else:
            node = node.setdefault(part, {})
            if node is None:
                node = raw[part] = {}
    if isinstance(node, list):
        raise ConfigError(f"--set {key}: name a parameter of a filter, e.g. filters.NAME.param")
    node[parts[-1]] = value


def _filter_params(filters: list[Any], part: str, where: str) -> dict[str, Any]:
    if part.isdigit() and int(part) < len(filters):
        entry = filters[int(part)]
    else:
        matches = [e for e in filters if isinstance(e, dict) and part in e]
        if len(matches) != 1:
            state = "no" if not matches else "more than one"
            raise ConfigError(f"--set {where}: the config has {state} filter {part!r}")
        entry = matches[0]
    name = next(iter(entry))
    if entry[name] is None:
        entry[name] = {}
    return entry[name]


def _filter_entries(entries: Any, source: str) -> list[Any]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: filters must be a list of one-key mappings")
    return entries


def _filter_spec(entry: Any, index: int, source: str) -> FilterSpec:
    key = f"filters[{index}]"
    where = f"{source}: {key}"
    if isinstance(entry, str):
        entry = {entry: {}}
    if not (isinstance(entry, dict) and len(entry) == 1):
        raise ConfigError(f"{where} must be a one-key mapping: NAME: {{params}}")
    name, params = next(iter(entry.items()))
    try:
        cls = get_filter(name)
    except UnknownFilter as exc:
        raise ConfigError(f"{where}: {exc}") from None
    try:
        validated = cls.Params.model_validate(params or {})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, f"{key}.{name}")) from None
    return FilterSpec(name=name, cls=cls, params=validated)


def _describe(exc: ValidationError, source: str, key: str = "") -> str:
    """One line per problem, each naming the key as a path into the YAML."""
    lines = []
    for error in exc.errors():
        location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        path = (key + location) if key else location.lstrip(".")
        lines.append(f"{source}: {path or '(top level)'}: {error['msg']}")
    return "\n".join(lines)

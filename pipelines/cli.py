"""The `corpus` command line: run, validate, filters, versions, stats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal, get_args, get_origin

import typer
from rich.console import Console
from rich.table import Table

from corpus.errors import UserError
from corpus.funnel import funnel_table
from corpus.store import parse_ref, read_json
from filters.registry import UnknownFilter, get_filter, references
from pipelines.config import load_config
from pipelines.local import StepFailed
from pipelines.progress import RunProgress
from pipelines.run import AccountingError, run_pipeline

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn raw text corpora into clean, deduplicated, versioned datasets.")
out = Console(width=None if Console().is_terminal else 120)
err = Console(stderr=True)

SetOption = Annotated[list[str], typer.Option("--set", help="override a config key: KEY=VALUE")]


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="pipeline config (YAML)")],
    input: Annotated[list[str], typer.Option("--input", help="replace input.paths")] = None,
    output: Annotated[str, typer.Option("--output", help="store root")] = None,
    dataset: Annotated[str, typer.Option("--dataset", help="dataset name")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local")] = None,
    workers: Annotated[int, typer.Option("--workers", help="worker processes")] = None,
    set_: SetOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress display")] = False,
) -> None:
    """Run a pipeline and publish a new version of its dataset."""
    overrides = list(set_ or [])
    overrides += [f"input.paths={_yaml_list(input)}"] if input else []
    for key, value in (("output.root", output), ("dataset", dataset), ("executor", executor),
                       ("workers", workers)):
        if value is not None:
            overrides.append(f"{key}={value}")
    try:
        pipeline = load_config(config, overrides)
        summary = run_pipeline(pipeline, RunProgress(enabled=not quiet, console=err))
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    except (StepFailed, AccountingError) as exc:
        raise _fail(str(exc), 1) from None
    out.print(funnel_table(summary.stats, title=f"{pipeline.dataset} {summary.version}"))
    path = summary.path
    out.print(f"version    {path}", highlight=False)
    out.print(f"data       {path / 'data'}", highlight=False)
    out.print(f"stats      {path / 'stats.json'}", highlight=False)
    out.print(f"rejects    {path / 'rejects'}", highlight=False)
    out.print(f"quarantine {path / 'quarantine'}", highlight=False)
    out.print(f"manifest   {path / 'manifest.json'}", highlight=False)


@app.command()
def validate(
    config: Annotated[Path, typer.Argument(help="pipeline config (YAML)")],
    set_: SetOption = None,
) -> None:
    """Check a config without reading any data."""
    try:
        pipeline = load_config(config, list(set_ or []))
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    names = ", ".join(spec.name for spec in pipeline.filters) or "no filters"
    out.print(f"{config}: valid ({pipeline.dataset}: {names})", highlight=False)


@app.command("filters")
def list_filters(name: Annotated[str, typer.Argument(help="show one filter")] = None) -> None:
    """List the available filters (built-in and plugins) with their parameters."""
    known = references()
    names = [name] if name else sorted(known)
    for item in names:
        try:
            cls = get_filter(item)
        except UnknownFilter as exc:
            raise _fail(str(exc), 2) from None
        table = Table(title=f"{item}  ({known.get(item, item)})", title_justify="left")
        for column in ("parameter", "type", "default", "description"):
            table.add_column(column)
        for field_name, field in cls.Params.model_fields.items():
            default = "" if field.is_required() else repr(field.get_default(call_default_factory=True))
            table.add_row(field_name, _type_name(field.annotation), default, field.description or "")
        out.print(table)
        doc = (cls.__doc__ or "").strip().splitlines()
        if doc:
            out.print(f"  {doc[0]}\n", highlight=False)


@app.command()
def versions(dataset_dir: Annotated[Path, typer.Argument(help="<root>/<dataset>")]) -> None:
    """List the published versions of a dataset."""
    store, _ = parse_ref(str(dataset_dir))
    found = store.versions()
    if not found:
        raise _fail(f"{dataset_dir} has no published version", 2)
    latest = store.latest()
    table = Table()
    for column in ("version", "created", "parent", "read", "kept", "rejected", "quarantined"):
        table.add_column(column)
    for version in found:
        manifest = read_json(store.path / version / "manifest.json")
        counts = manifest["counts"]
        table.add_row(version + (" (LATEST)" if version == latest else ""), manifest["created_at"],
                      manifest.get("parent") or "-", *(f"{counts[k]:,}" for k in
                      ("read", "kept", "rejected", "quarantined")))
    out.print(table)


@app.command()
def stats(ref: Annotated[str, typer.Argument(help="DATASET_DIR[@vN]")]) -> None:
    """Print a version's funnel: per filter in, out, removed, chars removed, time."""
    store, version = parse_ref(ref)
    try:
        path = store.version_path(version)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    out.print(funnel_table(read_json(path / "stats.json"), title=f"{store.path.name} {path.name}"))


def _type_name(annotation) -> str:
    if get_origin(annotation) is Literal:
        return " | ".join(str(value) for value in get_args(annotation))
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _yaml_list(values: list[str]) -> str:
    return json.dumps(values)

"""The `corpus` command line: run and validate pipelines, inspect versions and runs, audit."""

from __future__ import annotations

import gc as collector  # the `gc` name is the `corpus gc` command
import json
from pathlib import Path
from typing import Annotated, Literal, get_args, get_origin

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from corpus.diff import config_changes, count_deltas, filter_deltas
from corpus.errors import UserError
from corpus.escape import terminal, terminal_text
from corpus.funnel import funnel_table
from corpus.store import DatasetStore, parse_ref, read_json, signing_key
from corpus.verify import verify_version
from corpus.writers import describe_shards
from filters.registry import UnknownFilter, get_filter, references
from pipelines.audit import redacted_samples, version_report
from pipelines.config import check_resources, load_config
from pipelines.plan import check_chain
from pipelines.progress import RunProgress
from pipelines.resume import collect, describe
from pipelines.run import AccountingError, DiskFull, run_pipeline
from pipelines.tasks import StepFailed

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn raw text corpora into clean, deduplicated, versioned datasets.")
out = Console(width=None if Console().is_terminal else 120)
err = Console(stderr=True)

SetOption = Annotated[list[str], typer.Option("--set", help="override a config key: KEY=VALUE")]
KeyOption = Annotated[Path, typer.Option(
    "--key", help="file holding the HMAC signing key (default: env CORPUS_SIGNING_KEY)")]


def _fail(message: str, code: int) -> typer.Exit:
    """Print `message` (which may quote paths, ids and plugin errors) as text, never as markup."""
    err.print(Text.assemble(("error:", "bold red"), " ", terminal(message, multiline=True)), soft_wrap=True)
    return typer.Exit(code)


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="pipeline config (YAML)")],
    input: Annotated[list[str], typer.Option("--input", help="replace input.paths")] = None,
    output: Annotated[str, typer.Option("--output", help="store root")] = None,
    dataset: Annotated[str, typer.Option("--dataset", help="dataset name")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local or ray")] = None,
    ray_address: Annotated[str, typer.Option(
        "--ray-address", help="join this Ray cluster (implies --executor ray)")] = None,
    workers: Annotated[int, typer.Option("--workers", help="worker processes")] = None,
    set_: SetOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress display")] = False,
    allow_failed_gates: Annotated[bool, typer.Option(
        "--allow-failed-gates", help="move LATEST even when a quality gate fails")] = False,
    fresh: Annotated[bool, typer.Option(
        "--fresh", help="start over: do not resume a stopped run's finished work")] = False,
    keep_work: Annotated[bool, typer.Option(
        "--keep-work", help="keep the finished units after publishing, for later runs to reuse")
    ] = False,
    key_file: KeyOption = None,
) -> None:
    """Run a pipeline and publish a new version of its dataset."""
    overrides = list(set_ or [])
    overrides += [f"input.paths={_yaml_list(input)}"] if input else []
    if ray_address is not None:
        executor = executor or "ray"
    for key, value in (("output.root", output), ("dataset", dataset), ("executor", executor),
                       ("workers", workers), ("ray.address", ray_address)):
        if value is not None:
            overrides.append(f"{key}={value}")
    try:
        pipeline = load_config(config, overrides)
        summary = run_pipeline(pipeline, RunProgress(enabled=not quiet, console=err), allow_failed_gates,
                               fresh=fresh, keep_work=keep_work, signing_key=signing_key(key_file))
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    except StepFailed as exc:
        raise _fail(f"{exc}\nfinished work is kept: fix the cause and run the same command to "
                    f"resume", 1) from None
    except (DiskFull, AccountingError) as exc:
        raise _fail(str(exc), 1) from None
    out.print(funnel_table(summary.stats, title=f"{pipeline.dataset} {summary.version}"))
    path = summary.path
    for name, item in (("version", path), ("data", path / "data"), ("stats", path / "stats.json"),
                       ("rejects", path / "rejects"), ("quarantine", path / "quarantine"),
                       ("manifest", path / "manifest.json"), ("report", path / "report.html"),
                       ("card", path / "README.md")):
        out.print(terminal_text(f"{name:<10} {item}"), soft_wrap=True)
    out.print(terminal_text(f"{'shards':<10} {describe_shards(path / 'data')}"), soft_wrap=True)
    for gate in summary.gates:
        mark = ("pass", "green") if gate.passed else ("FAIL", "red")
        value = "missing" if gate.value is None else f"{gate.value:.4g}"
        out.print(Text.assemble("gate ", mark, " ", terminal(
            f"{gate.name} = {value} (min {gate.min}, max {gate.max})")), soft_wrap=True)
    if summary.failed_gates:
        message = f"{len(summary.failed_gates)} quality gate(s) failed; {path.name} is marked failed_gates"
        if not allow_failed_gates:
            raise _fail(f"{message} and LATEST was not moved", 1)
        err.print(Text.assemble(("warning:", "yellow"), " ", terminal(
            f"{message}; LATEST moved anyway (--allow-failed-gates)")), soft_wrap=True)
    # The run's models, tables and modules stay reachable until the interpreter exits, whose
    # last collection then walks them all: 0.4-0.6 s after LATEST moved, on a 40,000-document run.
    # Frozen objects are left out of it; memory is returned to the system all the same.
    collector.freeze()


@app.command()
def validate(
    config: Annotated[Path, typer.Argument(help="pipeline config (YAML)")],
    set_: SetOption = None,
) -> None:
    """Check a config without reading any data."""
    try:
        pipeline = load_config(config, list(set_ or []))
        check_chain(pipeline)
        check_resources(pipeline)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    names = ", ".join(spec.name for spec in pipeline.filters) or "no filters"
    out.print(terminal_text(f"{config}: valid ({pipeline.dataset}: {names})"), soft_wrap=True)


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
        table = Table(title=terminal_text(f"{item}  ({known.get(item, item)})"), title_justify="left")
        for column in ("parameter", "type", "default", "description"):
            table.add_column(column)
        for field_name, field in cls.Params.model_fields.items():
            default = "" if field.is_required() else repr(field.get_default(call_default_factory=True))
            table.add_row(*(terminal_text(cell) for cell in (
                field_name, _type_name(field.annotation), default, field.description or "")))
        out.print(table)
        doc = (cls.__doc__ or "").strip().splitlines()
        if doc:
            out.print(terminal_text(f"  {doc[0]}\n", multiline=True))
        for line in getattr(cls, "notes", lambda: [])():  # what the defaults imply (minhash: its S-curve)
            out.print(terminal_text(f"  {line}"), soft_wrap=True)


@app.command()
def versions(dataset_dir: Annotated[str, typer.Argument(help="<root>/<dataset>")]) -> None:
    """List the published versions of a dataset."""
    store = _store(dataset_dir)
    found = store.versions()
    if not found:
        raise _fail(f"{dataset_dir} has no published version", 2)
    try:
        latest = store.latest()
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    table = Table()
    for column in ("version", "status", "created", "parent", "read", "kept", "rejected", "quarantined"):
        table.add_column(column)
    for version in found:
        manifest = read_json(store.path / version / "manifest.json")
        counts = manifest["counts"]
        table.add_row(*(terminal_text(cell) for cell in (
            version + (" (LATEST)" if version == latest else ""), manifest.get("status", "published"),
            manifest["created_at"], manifest.get("parent") or "-",
            *(f"{counts[k]:,}" for k in ("read", "kept", "rejected", "quarantined")))))
    out.print(table)


@app.command()
def runs(dataset_dir: Annotated[str, typer.Argument(help="<root>/<dataset>")]) -> None:
    """List a dataset's staging areas: running, interrupted, failed or kept runs and their work."""
    store = _store(dataset_dir)
    areas = store.staging_areas()
    if not areas:
        out.print(terminal_text(f"{dataset_dir}: no staging areas"), soft_wrap=True)
        return
    table = Table()
    for column in ("run", "status", "engine", "config", "updated", "finished units", "MB", "error"):
        table.add_column(column, overflow="fold")
    for area in areas:
        row = describe(area)
        table.add_row(*(terminal_text(cell) for cell in (
            row["run"], row["status"], row["engine"] or "-", row["config"] or "-", row["updated"] or "-",
            row["units"], f"{row['bytes'] / 1e6:,.1f}", row["error"] or "")))
    out.print(table)


@app.command()
def gc(
    dataset_dir: Annotated[str, typer.Argument(help="<root>/<dataset>")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list what would go")] = False,
) -> None:
    """Remove the staging areas of stopped runs (never one a live run holds) and, on object
    storage, version folders a killed run left without a manifest."""
    store = _store(dataset_dir)
    verb = "would remove" if dry_run else "removed"
    try:
        removed, trash = collect(store, dry_run)
        for area in removed:
            out.print(terminal_text(f"{verb} {area.path} ({area.status})"), soft_wrap=True)
        for name in store.orphans():
            if not dry_run:
                store.remove_orphan(name)
            out.print(terminal_text(f"{verb} {name}/ (never published: no manifest)"), soft_wrap=True)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    if trash:
        out.print(f"{verb} {len(trash)} staging area(s) left half deleted by an interrupted gc",
                  markup=False, highlight=False)
    out.print(f"{verb} {len(removed)} staging area(s)", markup=False, highlight=False)


@app.command()
def stats(ref: Annotated[str, typer.Argument(help="DATASET_DIR[@vN]")]) -> None:
    """Print a version's funnel: per filter in, out, removed, chars removed, time."""
    try:
        path = _version(ref)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    out.print(funnel_table(read_json(path / "stats.json"), title=f"{path.parent.name} {path.name}"))


def _type_name(annotation) -> str:
    if get_origin(annotation) is Literal:
        return " | ".join(str(value) for value in get_args(annotation))
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _yaml_list(values: list[str]) -> str:
    return json.dumps(values)


@app.command()
def report(
    ref: Annotated[str, typer.Argument(help="DATASET_DIR[@vN]")],
    compare: Annotated[str, typer.Option("--compare", help="@vM or DIR@vM: show changes against it")] = None,
    output: Annotated[Path, typer.Option(
        "--output", help="file or folder to write the HTML to (default: the current folder)")] = None,
) -> None:
    """Render a version's report again, or a report set against another version.

    Versions are immutable: the page is written outside the version, by default to
    `<dataset>-<version>[-vs-<other>]-report.html` in the current folder."""
    try:
        path = _version(ref)
        other = _version(compare, beside=path) if compare else None
        name = f"{path.parent.name}-{path.name}{f'-vs-{other.name}' if other else ''}-report.html"
        target = output / name if output is not None and output.is_dir() else output or Path(name)
        if isinstance(path, Path) and target.resolve().is_relative_to(path.parent.resolve()):
            raise UserError(f"{target} is inside the dataset {path.parent}, whose versions are "
                            f"immutable: write the report elsewhere (--output)")
        html = version_report(path, other)
        try:
            target.write_text(html, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write the report to {target}: {exc.strerror}") from None
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    out.print(terminal_text(f"report {target}"), soft_wrap=True)


@app.command()
def sample(
    ref: Annotated[str, typer.Argument(help="DATASET_DIR[@vN]")],
    rejected_by: Annotated[str, typer.Option("--rejected-by", help="filter label, e.g. langid")],
    n: Annotated[int, typer.Option("-n", help="how many documents")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="same seed, same sample")] = 0,
) -> None:
    """Print removed documents of one filter for human review (PII redacted)."""
    try:
        path = _version(ref)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    manifest = read_json(path / "manifest.json")
    labels = [step["label"] for step in manifest.get("filters", [])]
    if rejected_by not in labels:
        raise _fail(f"{path.name} has no filter {rejected_by!r} (filters: {', '.join(labels)})", 2)
    rows = redacted_samples(path, manifest, n, seed, only=rejected_by).get(rejected_by, [])
    if not rows:
        out.print(terminal_text(f"{rejected_by} removed no document in {path.name}"), soft_wrap=True)
    for row in rows:
        score = "" if row["score"] is None else f"  score {row['score']:.3f}"
        out.rule(terminal_text(f"{row['id']}  {row['reason']}{score}"))
        out.print(terminal_text(row["text"], multiline=True))


@app.command()
def diff(
    first: Annotated[str, typer.Argument(help="DATASET_DIR@vA")],
    second: Annotated[str, typer.Argument(help="DATASET_DIR@vB, or @vB for the same dataset")],
) -> None:
    """Print what changed between two versions: config, counts, per-filter figures."""
    try:
        a = _version(first)
        b = _version(second, beside=a)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    old, new = read_json(a / "manifest.json"), read_json(b / "manifest.json")
    changes = config_changes(old["config"], new["config"])
    out.print(Text.assemble(("config", "bold"), terminal(f" {a.name} -> {b.name}: {len(changes)} change(s)")),
              soft_wrap=True)
    for key, before, after in changes:
        out.print(terminal_text(f"  {key}: {json.dumps(before)} -> {json.dumps(after)}"), soft_wrap=True)
    table = Table(title="counts")
    for column in ("count", a.name, b.name, "change"):
        table.add_column(terminal_text(column), justify="left" if column == "count" else "right")
    for key, (before, after) in count_deltas(old, new).items():
        table.add_row(terminal_text(key), f"{before:,}", f"{after:,}", f"{after - before:+,}")
    out.print(table)
    table = Table(title="per filter (documents out, removed)")
    for column in ("filter", f"out {a.name}", f"out {b.name}", f"removed {a.name}", f"removed {b.name}"):
        table.add_column(terminal_text(column), justify="left" if column == "filter" else "right")
    for row in filter_deltas(read_json(a / "stats.json"), read_json(b / "stats.json")):
        table.add_row(terminal_text(row["filter"]),
                      *(_maybe(v) for v in (*row["docs_out"], *row["docs_removed"])))
    out.print(table)


@app.command()
def verify(ref: Annotated[str, typer.Argument(help="DATASET_DIR[@vN]")],
           key_file: KeyOption = None) -> None:
    """Check every file of a version, its counts, its manifest's digest chain and its signature.

    Exits 1 naming each file that changed; with --key (or env CORPUS_SIGNING_KEY) the
    signature is checked, and an unsigned version fails."""
    try:
        path = _version(ref)
        result = verify_version(path, signing_key(key_file))
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    for problem in result.problems:
        err.print(terminal_text(f"changed: {problem}"), soft_wrap=True)
    if result.problems:
        err.print(terminal_text(f"{path}: {len(result.problems)} problem(s); signature: {result.signature}"),
                  soft_wrap=True)
        raise typer.Exit(1)
    out.print(terminal_text(f"{path}: verified"), soft_wrap=True)
    for check, what in (*result.checked.items(), ("signature", result.signature)):
        out.print(terminal_text(f"  {check:<10} {what}"), soft_wrap=True)


@app.command()
def export(
    ref: Annotated[str, typer.Argument(help="DATASET_DIR[@vN]")],
    repo: Annotated[str, typer.Option("--repo", help="Hub dataset repository: NAME or OWNER/NAME")],
    to: Annotated[Literal["hf"], typer.Option("--to", help="where to: hf (the Hugging Face Hub)")] = "hf",
    private: Annotated[bool, typer.Option("--private", help="create the repository private")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list what would be uploaded")] = False,
) -> None:
    """Upload a verified version to a Hugging Face dataset repository, as one commit.

    The token is huggingface_hub's (HF_TOKEN, or `hf auth login`); it is never printed."""
    from pipelines.export import prepare_upload, upload

    try:
        plan = prepare_upload(_version(ref), repo)
        out.print(terminal_text(f"{'would upload' if dry_run else 'uploading'} {len(plan.files)} files "
                                f"({plan.total_bytes:,} bytes) of {plan.folder} to the {to} dataset "
                                f"{plan.repo} in one commit: {plan.message}"), soft_wrap=True)
        if dry_run:
            for path, size in plan.files:
                out.print(terminal_text(f"  {path}  {size:,}"), soft_wrap=True)
            return
        url = upload(plan, private)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    out.print(terminal_text(f"committed {url}"), soft_wrap=True)


def _store(dataset_dir: str) -> DatasetStore:
    """The store of `<root>/<dataset>`; an unreachable remote root ends the command in one line."""
    try:
        return parse_ref(dataset_dir)[0]
    except UserError as exc:
        raise _fail(str(exc), 2) from None


def _version(ref: str, beside: Path | None = None) -> Path:
    """The folder of `DIR[@vN]`; `@vN` alone means another version of `beside`'s dataset."""
    if ref.startswith("@") and beside is not None:
        ref = f"{beside.parent}{ref}"
    store, version = parse_ref(ref)
    return store.version_path(version)


def _maybe(value) -> str:
    return "-" if value is None else f"{value:,}"

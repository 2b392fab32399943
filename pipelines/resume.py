"""Finding a stopped run's staging area to resume, and what `corpus runs` and `corpus gc` show and do."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus.diff import config_changes
from corpus.store import DatasetStore, Staging, StagingArea
from pipelines.ledger import is_finished


def open_staging(store: DatasetStore, signature: dict[str, Any], fresh: bool,
                 say: Callable[[str], None]) -> tuple[Staging, bool]:
    """(staging area, resumed): the newest stopped area of the same engine and inputs, or a new one.

    A staging area of another engine version or other inputs is never adopted; it is named
    once so the user can remove it with `corpus gc`. An adopted area whose config differs
    keeps its work, but only units whose keys still match are reused (the ledger decides),
    and the changed settings are printed.
    """
    if not fresh:
        foreign = []
        for area in reversed(store.staging_areas()):
            if area.active:
                continue
            mismatch = _mismatch(area.state, signature)
            if mismatch:
                foreign.append(f"{area.path.name} ({mismatch})")
                continue
            staging = store.adopt(area)
            if staging is None:
                continue
            changes = config_changes(area.state.get("config", {}), signature["config"])
            detail = "; config changed: " + ", ".join(key for key, _, _ in changes) if changes else ""
            say(f"resuming run {staging.run_id} ({area.status}){detail}")
            staging.update(config=signature["config"], config_sha=signature["config_sha"])
            _say_foreign(foreign, say)
            return staging, True
        _say_foreign(foreign, say)
    return store.start_run(signature), False


def _mismatch(state: dict[str, Any], signature: dict[str, Any]) -> str | None:
    if state.get("engine") != signature["engine"]:
        return f"engine {state.get('engine')}"
    if state.get("inputs") != signature["inputs"]:
        return "other inputs"
    return None


def _say_foreign(foreign: list[str], say: Callable[[str], None]) -> None:
    if foreign:
        say(f"not reusing {len(foreign)} stopped run(s) of another engine or other inputs: "
            f"{', '.join(foreign)}; `corpus gc` removes them")


def describe(area: StagingArea) -> dict[str, Any]:
    """One row of `corpus runs`."""
    units = area.path / "units"
    finished = sum(1 for unit in units.iterdir() if is_finished(unit)) if units.is_dir() else 0
    return {
        "run": area.path.name,
        "status": area.status,
        "engine": area.state.get("engine"),
        "config": (area.state.get("config_sha") or "")[:12],
        "updated": area.state.get("updated_at"),
        "units": finished,
        "bytes": folder_bytes(area.path),
        "error": area.state.get("error"),
    }


def collect(store: DatasetStore, dry_run: bool = False) -> tuple[list[StagingArea], list[Path]]:
    """Remove every staging area no live run holds, and what an interrupted removal left.

    Returns the areas and the trash folders removed (or that would be). Each area is
    removed under its lock (see `DatasetStore.remove_area`); one a run adopted since it was
    listed is left to that run.
    """
    trash = store.trash()
    if not dry_run:
        for folder in trash:
            shutil.rmtree(folder, ignore_errors=True)
    removed = [area for area in store.staging_areas()
               if not area.active and (dry_run or store.remove_area(area.path))]
    return removed, trash


def folder_bytes(path: Path) -> int:
    total = 0
    for file in path.rglob("*"):
        with contextlib.suppress(FileNotFoundError):  # `corpus gc` may be removing the area
            total += file.stat().st_size if file.is_file() else 0
    return total

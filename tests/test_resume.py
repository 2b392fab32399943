"""Resume and fault tolerance: killed, failed and disk-full runs resume to the same version."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import CORPUS, corpus_cli, version_contents, write_jsonl

WORDS = ["river", "town", "evening", "people", "walk", "bridge", "market", "bread", "coffee", "rain",
         "window", "garden", "morning", "letter", "station", "train", "museum", "painting", "music",
         "street", "lamp", "harbour", "ship"]
POINTS = ("read", "filter", "unit", "resolve", "publish", "latest")


def make_inputs(folder: Path, files: int = 4, docs: int = 2500) -> list[Path]:
    """Prose with planted noise and near duplicates, over several files (several units)."""
    rng = random.Random(7)
    paths = []
    for number in range(files):
        records = []
        for i in range(docs):
            words = [rng.choice(WORDS) for _ in range(40)]
            if i % 50 == 0:
                text = "#@$%^&*" * 20
            elif i % 25 == 1 and records:
                text = records[-1]["text"] + " again"
            else:
                text = " ".join(words)
            records.append({"id": f"f{number}-{i}", "text": text})
        paths.append(write_jsonl(folder / f"part-{number}.jsonl", records))
    return paths


def write_config(tmp_path: Path, inputs: list[Path], filters: list[Any], name: str = "config.yaml",
                 **extra: Any) -> Path:
    config = {"dataset": "resume", "workers": 2,
              "input": {"paths": [str(p) for p in inputs], "batch_rows": 256},
              "output": {"root": str(tmp_path / "out"), "shard_rows": 1000},
              "filters": filters, **extra}
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return path


FILTERS = [{"special_chars": {}}, {"minhash_dedup": {"threshold": 0.7}},
           {"special_chars": {"max_ratio": 0.3}}]


def latest(dataset: Path) -> Path:
    return dataset / (dataset / "LATEST").read_text().strip()


@pytest.fixture
def reference(tmp_path):
    inputs = make_inputs(tmp_path / "in")
    config = write_config(tmp_path, inputs, FILTERS)
    corpus_cli("run", str(config), "-q", check=True)
    dataset = tmp_path / "out" / "resume"
    return config, dataset, version_contents(latest(dataset))


def killed(config: Path, point: str) -> subprocess.CompletedProcess:
    return corpus_cli("run", str(config), "-q", env={"CORPUS_KILL_AT": point})


@pytest.mark.slow
@pytest.mark.parametrize("point", ["read:3", "filter:7", "unit:2", "resolve", "publish"])
def test_a_run_killed_at_each_point_resumes_to_the_uninterrupted_version(reference, point):
    config, dataset, expected = reference
    assert killed(config, point).returncode == -signal.SIGKILL
    assert (dataset / "LATEST").read_text().strip() == "v0001"
    runs = corpus_cli("runs", str(dataset), check=True).stdout
    assert "interrupted" in runs
    resumed = corpus_cli("run", str(config), check=True)
    assert "resuming run" in resumed.stderr
    version = latest(dataset)
    assert version.name == "v0002"
    assert version_contents(version) == expected
    assert json.loads((version / "manifest.json").read_text())["run"]["resumed"] == 1
    assert not list((dataset / "_staging").iterdir())
    if point in ("unit:2", "resolve", "publish"):
        assert "reusing" in resumed.stderr


def test_a_run_killed_after_renaming_its_version_is_finished_not_published_twice(tmp_path):
    inputs = make_inputs(tmp_path / "in", files=1, docs=300)
    config = write_config(tmp_path, inputs, FILTERS)
    assert killed(config, "latest").returncode == -signal.SIGKILL
    dataset = tmp_path / "out" / "resume"
    assert (dataset / "v0001").is_dir() and not (dataset / "LATEST").exists()
    rerun = corpus_cli("run", str(config), check=True)
    assert "had already published v0001; finished it" in rerun.stderr
    assert (dataset / "LATEST").read_text().strip() == "v0001"
    assert sorted(p.name for p in dataset.glob("v*")) == ["v0001"]
    assert not list((dataset / "_staging").iterdir())


@pytest.mark.slow
def test_twenty_kills_at_random_points_each_resume_to_the_same_version(reference):
    """kill -9 at a random checkpoint (random pass) or after a random delay; resume; compare."""
    config, dataset, expected = reference
    rng = random.Random(2026)
    for iteration in range(20):
        if iteration % 2:
            process = subprocess.Popen([CORPUS, "run", str(config), "-q"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.5, 6.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
        else:
            point = rng.choice(POINTS)
            hits = rng.randint(1, 12) if point in ("read", "filter") else rng.randint(1, 3)
            killed(config, f"{point}:{hits}")
        corpus_cli("run", str(config), "-q", check=True)
        assert version_contents(latest(dataset)) == expected, f"iteration {iteration} differs"
        assert not list((dataset / "_staging").iterdir())
    assert _orphans(config) == []


def _orphans(config: Path) -> list[str]:
    """Worker processes left behind by a killed run (workers must die with their parent).

    A forked worker has its run's command line, which names the config. An orphan has been
    re-parented to init; workers of other live runs still have their parent and are not counted."""
    found = subprocess.run(["pgrep", "-af", str(config)], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines()
            if "pgrep" not in line and _parent(int(line.split()[0])) == 1]


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None  # the process has ended since pgrep saw it


def test_changing_a_later_filter_reuses_earlier_segments_and_fresh_starts_over(tmp_path):
    inputs = make_inputs(tmp_path / "in", files=2, docs=800)
    first = write_config(tmp_path, inputs, FILTERS)
    corpus_cli("run", str(first), "-q", "--keep-work", check=True)
    changed = FILTERS[:2] + [{"special_chars": {"max_ratio": 0.2}}]
    second = write_config(tmp_path, inputs, changed, name="changed.yaml")
    rerun = corpus_cli("run", str(second), check=True)
    assert "config changed: filters.2.special_chars.max_ratio" in rerun.stderr
    assert "segment 1/2: read > special_chars > sign minhash_dedup: reusing 2 of 2" in rerun.stderr
    assert "resolve minhash_dedup: reusing the finished step" in rerun.stderr
    reused = version_contents(latest(tmp_path / "out" / "resume"))
    fresh = corpus_cli("run", str(second), "--fresh", check=True)
    assert "reusing" not in fresh.stderr
    assert version_contents(latest(tmp_path / "out" / "resume")) == reused


def test_a_filter_that_raises_names_itself_and_the_rerun_resumes_once_fixed(tmp_path, monkeypatch):
    inputs = make_inputs(tmp_path / "in", files=2, docs=600)
    records = [{"id": "boom", "text": "this document makes the plugin raise BOOM"}]
    write_jsonl(tmp_path / "in" / "part-9.jsonl", records)
    inputs.append(tmp_path / "in" / "part-9.jsonl")
    env = {"PYTHONPATH": str(Path(__file__).parent)}
    broken = FILTERS[:2] + [{"faulty_filter:Faulty": {"fail_on": "BOOM"}}]
    config = write_config(tmp_path, inputs, broken, workers=1)
    failed = corpus_cli("run", str(config), env=env)
    assert failed.returncode == 1
    assert "filter 'faulty_filter:Faulty' failed on spill of task 2" in failed.stderr
    assert "ValueError raised at faulty_filter.py" in failed.stderr and "resume" in failed.stderr
    assert "BOOM" not in failed.stderr
    dataset = tmp_path / "out" / "resume"
    assert "failed" in corpus_cli("runs", str(dataset), check=True).stdout
    fixed = write_config(tmp_path, inputs, FILTERS[:2] + [{"faulty_filter:Faulty": {}}], workers=1)
    rerun = corpus_cli("run", str(fixed), env=env, check=True)
    assert "reusing 3 of 3 finished tasks" in rerun.stderr
    manifest = json.loads((latest(dataset) / "manifest.json").read_text())
    assert manifest["counts"]["read"] == 1201 and manifest["run"]["resumed"] == 1


def test_an_input_that_becomes_unreadable_mid_run_is_quarantined(tmp_path, monkeypatch):
    import corpus.readers.jsonl as readers

    inputs = make_inputs(tmp_path / "in", files=2, docs=300)
    real_open = readers.open_binary

    def open_or_fail(uri, *args, **kwargs):
        if uri.endswith("part-1.jsonl"):
            raise PermissionError(13, "Permission denied", uri)
        return real_open(uri, *args, **kwargs)

    monkeypatch.setattr(readers, "open_binary", open_or_fail)
    from pipelines.config import validate_config
    from pipelines.run import run_pipeline

    config = json.loads(write_config(tmp_path, inputs, [{"special_chars": {}}], workers=1).read_text())
    summary = run_pipeline(validate_config(config))
    assert summary.counts["quarantined"] == 1 and summary.counts["read"] == 301
    rows = pq.read_table(summary.path / "quarantine" / "part-00000.parquet").to_pylist()
    assert "part-1.jsonl" in rows[0]["file"] and "Permission denied" in rows[0]["error"]


def test_stopped_runs_are_listed_foreign_ones_are_not_reused_and_gc_removes_them(tmp_path):
    inputs = make_inputs(tmp_path / "in", files=1, docs=300)
    config = write_config(tmp_path, inputs, FILTERS)
    assert killed(config, "publish").returncode == -signal.SIGKILL
    dataset = tmp_path / "out" / "resume"
    (area,) = (dataset / "_staging").iterdir()
    state = json.loads((area / "run.json").read_text())
    (area / "run.json").write_text(json.dumps({**state, "engine": "0.0.1"}))
    rerun = corpus_cli("run", str(config), check=True)
    assert f"not reusing 1 stopped run(s) of another engine or other inputs: {area.name} " \
           f"(engine 0.0.1)" in rerun.stderr
    assert "resuming" not in rerun.stderr
    listing = corpus_cli("runs", str(dataset), check=True).stdout
    assert area.name[:12] in listing and "interrupted" in listing
    assert "would remove" in corpus_cli("gc", str(dataset), "--dry-run", check=True).stdout
    assert area.exists()
    assert "removed 1 staging area(s)" in corpus_cli("gc", str(dataset), check=True).stdout
    assert not area.exists()


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_stops_the_run_with_a_clear_error_and_the_rerun_resumes(tmp_path):
    inputs = make_inputs(tmp_path / "in", files=4, docs=2500)
    reference_config = write_config(tmp_path, inputs, FILTERS, name="reference.yaml")
    corpus_cli("run", str(reference_config), "-q", check=True)
    expected = version_contents(latest(tmp_path / "out" / "resume"))
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], check=True)
    try:
        config = write_config(tmp_path, inputs, FILTERS, output={"root": str(disk), "shard_rows": 1000})
        full = corpus_cli("run", str(config), "-q")
        assert full.returncode == 1
        assert "no space left on the device" in full.stderr and "run the same command again" in full.stderr
        runs = corpus_cli("runs", str(disk / "resume"), check=True).stdout
        assert "failed" in runs
        subprocess.run(["mount", "-o", "remount,size=200m", str(disk)], check=True)
        resumed = corpus_cli("run", str(config), check=True)
        assert "resuming run" in resumed.stderr
        assert version_contents(latest(disk / "resume")) == expected
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)

"""The ray executor on a real two-node cluster: parity with local, lost workers, resume."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import ray
from conftest import CORPUS, corpus_cli, version_contents
from ray_cluster import Cluster

ROOT = Path(__file__).parents[1]
QUICKSTART = ROOT / "configs" / "quickstart.yaml"
BUILTINS = [
    {"special_chars": {}},
    {"exact_dedup": {}},
    {"langid": {"min_score": 0.5}},
    {"toxicity": {"unit": "sentence"}},
    {"pii": {"action": "redact"}},
    {"minhash_dedup": {"threshold": 0.7}},
]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster().start()
    try:
        ray.init(address=cluster.address, log_to_driver=False, logging_level="ERROR")
        deadline = time.time() + 60
        while sum(node["Alive"] for node in ray.nodes()) < 2:
            assert time.time() < deadline, "the second node never joined"
            time.sleep(0.5)
        ray.shutdown()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "corpus"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo_corpus.py"), str(folder),
                    "--with-bad-records"], check=True, capture_output=True)
    return folder


def run_both(tmp_path: Path, inputs: Path, filters: list, cluster: Cluster) -> tuple[dict, dict]:
    config = {"dataset": "parity", "input": {"paths": [str(inputs)], "split_bytes": 200_000},
              "output": {"root": str(tmp_path / "out")}, "filters": filters}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    corpus_cli("run", str(path), "-q", "--dataset", "local", "--workers", "2", check=True)
    result = corpus_cli("run", str(path), "--dataset", "ray", "--ray-address", cluster.address,
                        check=True)
    local = version_contents(tmp_path / "out" / "local" / "v0001")
    # the same progress lines as locally, counting every record read
    assert "segment 1/" in result.stderr
    assert f"{local['counts']['read']:,} docs" in result.stderr and "docs/s" in result.stderr
    return local, version_contents(tmp_path / "out" / "ray" / "v0001")


@pytest.mark.parametrize("spec", BUILTINS, ids=lambda spec: next(iter(spec)))
def test_every_builtin_filter_gives_the_same_result_on_ray_as_locally(tmp_path, demo, cluster, spec):
    local, on_ray = run_both(tmp_path, demo, [spec], cluster)
    assert on_ray == local
    assert local["counts"]["read"] > 3000


def test_the_quickstart_pipeline_on_a_two_node_cluster_matches_local(tmp_path, demo, cluster):
    from pipelines.config import load_config

    filters = json.loads(json.dumps(load_config(QUICKSTART).resolved()["filters"]))
    local, on_ray = run_both(tmp_path, demo, filters, cluster)
    assert on_ray == local
    removed = [row for shard in local["shards"]["rejects"] for row in shard]
    assert any(row["filter"] == "minhash_dedup" and row["duplicate_of"] for row in removed)
    manifest = json.loads((tmp_path / "out" / "ray" / "v0001" / "manifest.json").read_text())
    assert manifest["config"]["executor"] == "ray"


def run_with_a_fault(tmp_path: Path, demo: Path, cluster: Cluster, fault) -> None:
    """A reference run locally, then the same config on the cluster with `fault()` injected once
    three units are finished; the Ray run must still publish the reference version."""
    config = {"dataset": "faults", "input": {"paths": [str(demo)], "split_bytes": 100_000},
              "output": {"root": str(tmp_path / "out")},
              "filters": [{"langid": {"min_score": 0.5}}, {"minhash_dedup": {"threshold": 0.7}}]}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    corpus_cli("run", str(path), "-q", "--dataset", "reference", check=True)
    process = subprocess.Popen([CORPUS, "run", str(path), "--ray-address", cluster.address],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    units = tmp_path / "out" / "faults" / "_staging"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(units.glob("*/units/*/done.json"))) < 3:
        time.sleep(0.1)
    assert cluster.workers_of_node2(), "no worker ran on the second node"
    fault()
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    faulted = version_contents(tmp_path / "out" / "faults" / "v0001")
    reference = version_contents(tmp_path / "out" / "reference" / "v0001")
    assert faulted == reference, differences(faulted, reference)


def differences(got: Any, want: Any, where: str = "") -> list[str]:
    """Where two version contents differ (statistics in full, shards by position only), so an
    intermittent mismatch names its cause."""
    if isinstance(got, dict) and isinstance(want, dict):
        return [line for key in sorted(set(got) | set(want), key=str)
                for line in differences(got.get(key), want.get(key), f"{where}/{key}")]
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return [line for number, (a, b) in enumerate(zip(got, want, strict=True))
                for line in differences(a, b, f"{where}[{number}]")]
    if got == want:
        return []
    shown = "/shards" not in where  # statistics are numbers; shard rows are data
    return [f"{where}: {got!r} != {want!r}" if shown else f"{where} differs"]


def test_killing_the_second_nodes_workers_mid_run_still_publishes_the_same_version(tmp_path, demo,
                                                                                  cluster):
    def kill_workers() -> None:
        for pid in cluster.workers_of_node2():
            subprocess.run(["kill", "-9", str(pid)], check=False)

    run_with_a_fault(tmp_path, demo, cluster, kill_workers)


def test_losing_the_second_node_mid_run_still_publishes_the_same_version(tmp_path, demo, cluster):
    try:
        run_with_a_fault(tmp_path, demo, cluster, cluster.kill_node2)
    finally:
        cluster.start_node()


def test_a_ray_run_killed_in_the_dedup_step_resumes_without_redoing_finished_segments(tmp_path, demo,
                                                                                     cluster):
    config = {"dataset": "resume", "input": {"paths": [str(demo)], "split_bytes": 200_000},
              "output": {"root": str(tmp_path / "out")},
              "filters": [{"special_chars": {}}, {"minhash_dedup": {"threshold": 0.7}}]}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    corpus_cli("run", str(path), "-q", "--dataset", "reference", check=True)
    killed = corpus_cli("run", str(path), "--ray-address", cluster.address,
                        env={"CORPUS_KILL_AT": "resolve"})
    assert killed.returncode == -9
    resumed = corpus_cli("run", str(path), "--ray-address", cluster.address, check=True)
    assert "reusing" in resumed.stderr and "finished tasks" in resumed.stderr
    assert version_contents(tmp_path / "out" / "resume" / "v0001") == \
        version_contents(tmp_path / "out" / "reference" / "v0001")


def test_without_an_address_a_local_ray_starts_and_the_defaults_do_not_deadlock_on_two_cores(
        tmp_path, demo):
    """Default pool on this 2-CPU machine: one actor per CPU at 0.5 CPU each, dedup included."""
    config = {"dataset": "alone", "input": {"paths": [str(demo)], "split_bytes": 300_000},
              "output": {"root": str(tmp_path / "out")}, "executor": "ray",
              "filters": [{"special_chars": {}}, {"minhash_dedup": {"threshold": 0.7}}]}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    result = subprocess.run([CORPUS, "run", str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "segment 2/2" in result.stderr
    manifest = json.loads((tmp_path / "out" / "alone" / "v0001" / "manifest.json").read_text())
    assert manifest["counts"]["read"] > 3000


def test_a_pool_the_cluster_cannot_place_is_a_clear_error_not_a_hang(tmp_path, demo, cluster):
    config = {"dataset": "big", "input": {"paths": [str(demo)]}, "output": {"root": str(tmp_path)},
              "filters": [{"special_chars": {}}]}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    result = corpus_cli("run", str(path), "--ray-address", cluster.address, "--set", "ray.actors=8",
                        "--set", "ray.cpus_per_actor=1")
    assert result.returncode == 2
    assert "ray.actors=8 x ray.cpus_per_actor=1.0 needs 8 CPUs; the cluster has 2" in result.stderr

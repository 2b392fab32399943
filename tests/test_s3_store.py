"""A store root on s3://, against a real S3-compatible server (moto in server mode) on localhost.

The `corpus` command runs as a subprocess that reaches the server through s3fs, configured
only by the environment (AWS_ENDPOINT_URL and dummy credentials), as a cloud run would be.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, corpus_cli, version_contents, write_jsonl

ROOT = Path(__file__).parents[1]

pytest.importorskip("s3fs")
pytest.importorskip("upath")
moto_server = pytest.importorskip("moto.server")

FILTERS = [{"langid": {"min_score": 0.5}}, {"special_chars": {"max_ratio": 0.3}},
           {"exact_dedup": {}}]
WORDS = ["river", "stone", "garden", "window", "market", "winter", "letter", "bridge", "forest",
         "kitchen", "mountain", "evening", "teacher", "village", "morning", "harbour"]


@pytest.fixture(scope="module")
def server():
    """A moto S3 server on a free port, and the environment that points s3fs at it."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    moto = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    previous = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    yield env
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    moto.stop()


@pytest.fixture
def s3(server, tmp_path, monkeypatch):
    """A fresh bucket (its s3:// URL and an s3fs filesystem) and a local staging folder."""
    import s3fs

    monkeypatch.setenv("CORPUS_STAGING_DIR", str(tmp_path / "staging"))
    fs = s3fs.S3FileSystem(skip_instance_cache=True)
    bucket = f"corpus-{secrets.token_hex(4)}"
    fs.mkdir(bucket)
    return f"s3://{bucket}/store", fs


def make_inputs(folder: Path) -> list[Path]:
    """English prose, symbol noise and exact copies over two files."""
    paths = []
    for number in range(2):
        records = []
        for i in range(400):
            words = [WORDS[(i * 7 + k * 3 + number) % len(WORDS)] for k in range(30)]
            text = ("#@$%^&*" * 12 if i % 40 == 0 else
                    records[-1]["text"] if i % 30 == 1 else
                    "The " + " ".join(words) + " is near the old road.")
            records.append({"id": f"f{number}-{i}", "text": text})
        paths.append(write_jsonl(folder / f"part-{number}.jsonl", records))
    return paths


def write_config(tmp_path: Path, root: str, name: str = "config.yaml", **extra: Any) -> Path:
    inputs = make_inputs(tmp_path / "in")
    config = {"dataset": "web", "workers": 1, "input": {"paths": [str(p) for p in inputs]},
              "output": {"root": root, "shard_rows": 300}, "filters": FILTERS, **extra}
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return path


def test_a_run_publishes_to_s3_the_same_version_as_on_disk_and_every_read_command_works(
        tmp_path, s3, server):
    root, fs = s3
    config = write_config(tmp_path, root)
    result = corpus_cli("run", str(config), "-q", env=server, check=True)
    assert f"{root}/web/v0001/manifest.json" in result.stdout
    corpus_cli("run", str(config), "-q", "--output", str(tmp_path / "local"), check=True)

    bucket_path = root.removeprefix("s3://")
    remote = fs.find(f"{bucket_path}/web")
    assert f"{bucket_path}/web/_latest/v0001" in remote and f"{bucket_path}/web/_claims/v0001" in remote
    download = tmp_path / "download"
    fs.get(f"{bucket_path}/web/v0001/", str(download), recursive=True)
    assert version_contents(download) == version_contents(tmp_path / "local" / "web" / "v0001")
    assert not (tmp_path / "staging").exists() or not any((tmp_path / "staging").rglob("*"))

    dataset = f"{root}/web"
    versions = corpus_cli("versions", dataset, env=server, check=True).stdout
    assert "v0001 (LATEST)" in versions
    stats = corpus_cli("stats", dataset, env=server, check=True).stdout
    assert "special_chars" in stats and "exact_dedup" in stats
    assert "verified" in corpus_cli("verify", f"{dataset}@v1", env=server, check=True).stdout
    sample = corpus_cli("sample", dataset, "--rejected-by", "special_chars", "-n", "2", env=server,
                        check=True).stdout
    assert "#@$%^&*" in sample
    report = corpus_cli("report", dataset, "--output", str(tmp_path), env=server, check=True)
    assert (tmp_path / "web-v0001-report.html").stat().st_size > 10_000, report.stdout

    corpus_cli("run", str(config), "-q", "--set", "filters.special_chars.max_ratio=0.5", env=server,
               check=True)
    assert "v0002 (LATEST)" in corpus_cli("versions", dataset, env=server, check=True).stdout
    diff = corpus_cli("diff", f"{dataset}@v1", "@v2", env=server, check=True).stdout
    assert "filters.1.special_chars.max_ratio: 0.3 -> 0.5" in diff
    manifest = json.loads(fs.cat_file(f"{bucket_path}/web/v0002/manifest.json"))
    assert manifest["parent"] == "v0001"
    assert "verified" in corpus_cli("verify", dataset, env=server, check=True).stdout
    assert "no staging areas" in corpus_cli("runs", dataset, env=server, check=True).stdout


def test_verify_names_a_shard_rewritten_on_the_server(tmp_path, s3, server):
    root, fs = s3
    corpus_cli("run", str(write_config(tmp_path, root)), "-q", env=server, check=True)
    shard = f"{root.removeprefix('s3://')}/web/v0001/data/part-00000.parquet"
    fs.pipe_file(shard, fs.cat_file(shard)[:-8] + b"\0" * 8)
    result = corpus_cli("verify", f"{root}/web", env=server)
    assert result.returncode == 1
    assert "data/part-00000.parquet was changed" in result.stderr


def test_two_concurrent_runs_publish_two_versions(tmp_path, s3, server):
    root, fs = s3
    config = write_config(tmp_path, root)
    runs = [subprocess.Popen([CORPUS, "run", str(config), "-q", "--fresh"], env={**os.environ, **server},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    published = sorted(line.split()[-1].rsplit("/", 2)[-2] for out, _ in outputs
                       for line in out.splitlines() if line.startswith("manifest"))
    assert published == ["v0001", "v0002"]
    versions = corpus_cli("versions", f"{root}/web", env=server, check=True).stdout
    assert "v0002 (LATEST)" in versions and "v0001 " in versions


def test_two_concurrent_claims_of_one_number_exactly_one_wins(s3):
    from corpus.remote import RemoteStore

    root, _ = s3
    stores = [RemoteStore(root, "web") for _ in range(8)]
    start = threading.Barrier(len(stores))
    won: list[bool] = [False] * len(stores)

    def claim(index: int) -> None:
        start.wait()
        won[index] = stores[index]._create(f"{stores[index].path.path}/_claims/v0001", f"run {index}")

    threads = [threading.Thread(target=claim, args=(index,)) for index in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(won) == 1
    assert [store._claim("later") for store in stores[:2]] == ["v0002", "v0003"]


def test_a_version_folder_without_a_manifest_is_ignored_and_its_number_skipped(tmp_path, s3, server):
    root, fs = s3
    bucket_path = root.removeprefix("s3://")
    fs.pipe_file(f"{bucket_path}/web/v0001/data/part-00000.parquet", b"half uploaded")
    result = corpus_cli("versions", f"{root}/web", env=server)
    assert result.returncode == 2 and "has no published version" in result.stderr
    corpus_cli("run", str(write_config(tmp_path, root)), "-q", env=server, check=True)
    assert "v0002 (LATEST)" in corpus_cli("versions", f"{root}/web", env=server, check=True).stdout


def test_a_missing_bucket_is_one_line_naming_it(tmp_path, server):
    root = f"s3://no-such-bucket-{secrets.token_hex(4)}/store"
    for args in (("versions", f"{root}/web"), ("run", str(write_config(tmp_path, root)), "-q")):
        result = corpus_cli(*args, env=server)
        assert result.returncode == 2, result.stderr
        assert "does not exist" in result.stderr and root.split("/")[2] in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_denied_access_is_one_line_without_the_credentials(tmp_path, s3, server, monkeypatch):
    import boto3
    import moto.settings

    root, _ = s3
    iam = boto3.client("iam")
    user = f"reader-{secrets.token_hex(3)}"
    iam.create_user(UserName=user)  # no policy: every S3 request is denied
    key = iam.create_access_key(UserName=user)["AccessKey"]
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # enforce IAM from now on
    env = {**server, "AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    for args in (("versions", f"{root}/web"), ("run", str(write_config(tmp_path, root)), "-q")):
        result = corpus_cli(*args, env=env)
        assert result.returncode == 2, result.stderr
        assert f"access denied to {root}" in result.stderr and "Traceback" not in result.stderr
        assert key["SecretAccessKey"] not in result.stderr + result.stdout
        assert key["AccessKeyId"] not in result.stderr + result.stdout


def test_credentials_in_the_store_url_are_refused_and_never_echoed(tmp_path, server):
    result = corpus_cli("versions", "s3://AKIDEXAMPLE:s3cr3t@bucket/store/web", env=server)
    assert result.returncode == 2 and "carries credentials" in result.stderr
    assert "s3cr3t" not in result.stderr and "AKIDEXAMPLE" not in result.stderr


def test_runs_killed_before_during_and_after_the_upload_resume_to_the_version_a_local_run_makes(
        tmp_path, s3, server):
    root, fs = s3
    config = write_config(tmp_path, root)
    for point in ("publish", "upload", "latest"):
        killed = corpus_cli("run", str(config), "-q", env={**server, "CORPUS_KILL_AT": point})
        assert killed.returncode == -9
    # v0001 was claimed and never uploaded, v0002 holds files but no manifest (killed
    # mid-upload), v0003 is complete but LATEST does not mark it yet.
    versions = corpus_cli("versions", f"{root}/web", env=server, check=True).stdout
    assert "v0003" in versions and "v0002" not in versions and "(LATEST)" not in versions
    resumed = corpus_cli("run", str(config), env=server, check=True)
    assert "had already published v0003" in resumed.stderr
    assert "v0003 (LATEST)" in corpus_cli("versions", f"{root}/web", env=server, check=True).stdout
    assert "verified" in corpus_cli("verify", f"{root}/web", env=server, check=True).stdout
    assert not any((tmp_path / "staging").rglob("*.parquet"))
    corpus_cli("run", str(config), "-q", "--output", str(tmp_path / "local"), check=True)
    fs.get(f"{root.removeprefix('s3://')}/web/v0003/", str(tmp_path / "download"), recursive=True)
    assert version_contents(tmp_path / "download") == version_contents(tmp_path / "local" / "web" / "v0001")


def test_an_unreachable_endpoint_and_missing_credentials_are_one_line_each(server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    nowhere = {**server, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}", "AWS_MAX_ATTEMPTS": "1"}
    anonymous = {**server, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                 "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent",
                 "AWS_EC2_METADATA_DISABLED": "true"}
    for env, expected in ((nowhere, "Could not connect"), (anonymous, "Unable to locate credentials")):
        result = corpus_cli("versions", "s3://bucket/store/web", env=env)
        assert result.returncode == 2, result.stderr
        assert f"cannot reach s3://bucket/store: {expected}" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_without_conditional_writes_a_claim_read_back_after_settling_has_one_owner(monkeypatch):
    """memory:// has no conditional create (fsspec checks, then writes): two runs that both
    pass the check both write, and the read-back leaves exactly one owner."""
    import fsspec

    from corpus import remote

    monkeypatch.setattr(remote, "CLAIM_SETTLE", 0.3)
    bucket = f"bucket-{secrets.token_hex(4)}"
    fsspec.filesystem("memory").mkdir(bucket)
    stores = [remote.RemoteStore(f"memory://{bucket}/store", "web") for _ in range(2)]
    both_checked = threading.Barrier(2)
    exists = type(stores[0].fs).exists

    def racing_exists(fs, path, **kwargs):
        found = exists(fs, path, **kwargs)
        if path.endswith("_claims/v0001"):
            both_checked.wait(timeout=10)  # neither writes before both have looked
        return found

    monkeypatch.setattr(type(stores[0].fs), "exists", racing_exists)
    won = [False, False]

    def claim(index: int) -> None:
        won[index] = stores[index]._create(f"{stores[index].path.path}/_claims/v0001", f"run {index}")

    threads = [threading.Thread(target=claim, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, True]


def test_a_run_killed_on_one_machine_resumes_on_another_from_the_units_on_the_store(tmp_path, s3, server):
    """Machine A is killed in the dedup step; machine B (its own staging folder, nothing of A's
    disk) adopts the run from the store once A's heartbeat lease ran out, reuses A's finished
    units and publishes the version a local run makes."""
    root, fs = s3
    config = write_config(tmp_path, root)
    lease = {"CORPUS_RUN_LEASE": "2"}
    machine_a = {**server, **lease, "CORPUS_STAGING_DIR": str(tmp_path / "a")}
    machine_b = {**server, **lease, "CORPUS_STAGING_DIR": str(tmp_path / "b")}
    killed = corpus_cli("run", str(config), "-q", env={**machine_a, "CORPUS_KILL_AT": "resolve"})
    assert killed.returncode == -9
    area = fs.ls(f"{root.removeprefix('s3://')}/web/_staging")
    assert len(area) == 1 and len(fs.glob(f"{area[0]}/units/*/done.json")) == 2
    time.sleep(2.5)  # the lease: until then A's run counts as live
    assert "interrupted" in corpus_cli("runs", f"{root}/web", env=machine_b, check=True).stdout
    resumed = corpus_cli("run", str(config), env=machine_b, check=True)
    assert "resuming run" in resumed.stderr
    assert "reusing 2 of 2 finished tasks" in resumed.stderr
    corpus_cli("run", str(config), "-q", "--output", str(tmp_path / "local"), check=True)
    fs.get(f"{root.removeprefix('s3://')}/web/v0001/", str(tmp_path / "download"), recursive=True)
    assert version_contents(tmp_path / "download") == version_contents(tmp_path / "local" / "web" / "v0001")
    fs.invalidate_cache()
    assert not fs.find(f"{root.removeprefix('s3://')}/web/_staging")  # removed once published
    assert not any(path.is_file() for path in (tmp_path / "b").rglob("*"))


@pytest.mark.slow
def test_the_quickstart_through_ray_on_two_nodes_without_a_shared_folder_matches_a_local_run(
        tmp_path, s3, server):
    """The driver shares the head node's staging folder (as when it runs there); the second node
    has its own: its workers pull what they read from the store and push what they write, and
    every dedup map call syncs through the store. Nothing stays on the nodes' disks."""
    from ray_cluster import ENV, RAY, Cluster

    from pipelines.config import load_config

    pytest.importorskip("ray")

    class OwnDisks(Cluster):
        """The test cluster, each node with its own CORPUS_STAGING_DIR and the S3 environment."""

        def _ray(self, *args: str) -> None:
            node = "head" if "--head" in args else "node2"
            env = {**ENV, **server, "CORPUS_STAGING_DIR": str(self.root / f"staging-{node}")}
            result = subprocess.run([RAY, *args], capture_output=True, text=True, env=env, timeout=120)
            assert result.returncode == 0, result.stderr

    root, fs = s3
    demo = tmp_path / "demo"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo_corpus.py"), str(demo)],
                   check=True, capture_output=True)
    filters = json.loads(json.dumps(load_config(ROOT / "configs" / "quickstart.yaml").resolved()["filters"]))
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({"dataset": "web", "input": {"paths": [str(demo)], "split_bytes": 300_000},
                                  "output": {"root": root}, "filters": filters}))
    corpus_cli("run", str(config), "-q", "--output", str(tmp_path / "local"), check=True)
    cluster = OwnDisks().start()
    try:
        head, node2 = cluster.root / "staging-head", cluster.root / "staging-node2"
        result = corpus_cli("run", str(config), "--ray-address", cluster.address, "--keep-work",
                            env={**server, "CORPUS_STAGING_DIR": str(head)})
        assert result.returncode == 0, result.stderr
        assert "segment 2/2" in result.stderr
        assert any(node2.glob("*/web")), "the second node's workers never used their staging folder"
        leftovers = [path for path in [*head.rglob("*"), *node2.rglob("*")]
                     if path.is_file() and "/_staging/" not in path.as_posix()]
        driver = [path.relative_to(head).as_posix() for path in head.rglob("*.parquet")]
    finally:
        cluster.stop()
    assert leftovers == []  # every worker uploaded and deleted what it wrote
    bucket = root.removeprefix("s3://")
    fs.get(f"{bucket}/web/v0001/", str(tmp_path / "download"), recursive=True)
    assert version_contents(tmp_path / "download") == version_contents(tmp_path / "local" / "web" / "v0001")
    # every unit is on the store; the units the second node ran never reached the driver's disk
    stored = {name.split("/units/")[1].split("/")[0] for name in fs.find(f"{bucket}/web/_staging")
              if "/spill/" in name}
    here = {name.split("/units/")[1].split("/")[0] for name in driver if "/spill/" in name}
    assert stored and here < stored


def test_gc_removes_a_killed_uploads_orphan_and_stopped_areas_but_never_a_live_runs(tmp_path, s3, server):
    root, fs = s3
    bucket = root.removeprefix("s3://")
    config = write_config(tmp_path, root)
    corpus_cli("run", str(config), "-q", env=server, check=True)
    killed = corpus_cli("run", str(config), "-q", "--fresh", env={**server, "CORPUS_KILL_AT": "upload"})
    assert killed.returncode == -9
    # A run on another machine, uploading v0009 now: its heartbeat is fresh.
    live = {"run": "20991231T000000-1-live", "status": "running", "alive_at": time.time(), "holder": "x"}
    fs.pipe_file(f"{bucket}/web/_staging/{live['run']}/run.json", json.dumps(live).encode())
    fs.pipe_file(f"{bucket}/web/_claims/v0009", json.dumps({"run": live["run"]}).encode())
    fs.pipe_file(f"{bucket}/web/v0009/data/part-00000.parquet", b"being uploaded")
    fs.invalidate_cache()
    assert fs.find(f"{bucket}/web/v0002") and not fs.exists(f"{bucket}/web/v0002/manifest.json")

    dry = corpus_cli("gc", f"{root}/web", "--dry-run", env=server, check=True).stdout
    assert "would remove v0002/" in dry and "v0009" not in dry
    result = corpus_cli("gc", f"{root}/web", env=server, check=True).stdout
    assert "removed v0002/ (never published: no manifest)" in result
    assert "(interrupted)" in result and "removed 1 staging area(s)" in result
    fs.invalidate_cache()
    assert not fs.find(f"{bucket}/web/v0002")
    assert fs.exists(f"{bucket}/web/v0009/data/part-00000.parquet")
    assert [name.rsplit("/", 1)[-1] for name in fs.ls(f"{bucket}/web/_staging")] == [live["run"]]
    assert "verified" in corpus_cli("verify", f"{root}/web@v1", env=server, check=True).stdout
    assert "v0001 (LATEST)" in corpus_cli("versions", f"{root}/web", env=server, check=True).stdout
    assert not any((tmp_path / "staging").rglob("*.parquet"))


@pytest.mark.parametrize("spec", [{"exact_dedup": {"partitions": 4}},
                                  {"minhash_dedup": {"threshold": 0.7, "partitions": 4, "verify": "exact"}}],
                         ids=["exact_dedup", "minhash_dedup"])
def test_a_dedup_step_whose_workers_share_no_disk_with_the_driver_decides_as_on_one_disk(
        tmp_path, monkeypatch, spec):
    """The driver's key files are only on the store (memory://) and every mapped call runs with
    another staging root, as on a Ray node without the driver's disk: the decision files
    and statistics equal those of the same step on one local folder."""
    import fsspec
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corpus import mirror
    from corpus.schema import ID, ORDER, TEXT, order_key
    from corpus.stats import FilterStats
    from filters.base import Keys, serial_map
    from filters.decisions import decision_files
    from pipelines.config import validate_config
    from pipelines.plan import label_steps

    url = f"memory://bucket-{secrets.token_hex(4)}/store"
    monkeypatch.setenv("CORPUS_STAGING_DIR", str(tmp_path / "driver"))
    home = tmp_path / "driver" / "area"
    remote = mirror.Mirror(url, "web", "run", home)
    step = label_steps(validate_config({"dataset": "web", "input": {"paths": ["x"]},
                                        "filters": [spec]}).filters)[0]
    step.filter.setup()
    files, reference = [], []
    for task in range(3):
        texts = [" ".join(WORDS[(i * 5 + k + task * (i % 3 == 0)) % len(WORDS)] for k in range(40))
                 for i in range(60)]
        batch = pa.record_batch({ID: [f"t{task}-{i}" for i in range(60)], TEXT: texts,
                                 ORDER: pa.array([order_key(task, i) for i in range(60)], pa.int64())})
        keys = pa.table({ORDER: batch.column(ORDER), ID: batch.column(ID), **step.filter.sign(batch)})
        unit = home / "units" / f"u{task}"
        (unit / "keys").mkdir(parents=True)
        pq.write_table(keys, unit / "keys" / "k.parquet")
        (unit / "done.json").write_text("{}")
        (tmp_path / "ref").mkdir(exist_ok=True)
        pq.write_table(keys, tmp_path / "ref" / f"k{task}.parquet")
        remote.push_unit(unit)
        files.append(unit / "keys" / "k.parquet")
        reference.append(tmp_path / "ref" / f"k{task}.parquet")
    shutil.rmtree(home / "units")  # the driver never held them: Ray workers wrote them elsewhere

    expected = FilterStats(step.label)
    step.filter.resolve(Keys(reference, serial_map, [tmp_path / "ref" / f"d{n}.parquet" for n in range(3)]),
                        expected, tmp_path / "ref" / "work")
    monkeypatch.setenv("CORPUS_STAGING_DIR", str(tmp_path / "worker"))  # the workers' root
    decisions = [path for task in range(3) for path in decision_files(home / "units" / "r", task, 1)]
    found = FilterStats(step.label)
    work = home / "units" / "r" / "work"

    def each_on_a_fresh_worker(function, items):  # nothing of an earlier call's disk is left
        results = []
        for item in items:
            mirror.release()
            results.append(function(item))
        return results

    step.filter.resolve(Keys(files, remote.mapper(each_on_a_fresh_worker), decisions), found, work)
    mirror.release()

    store = fsspec.filesystem("memory")
    for number, path in enumerate(decisions):
        got = pq.read_table(path) if path.exists() else pq.read_table(store.open(remote.remote(path)))
        assert got.equals(pq.read_table(tmp_path / "ref" / f"d{number}.parquet"))
    assert found.counters == expected.counters and expected.counters
    assert not any(path.is_file() for path in (tmp_path / "worker").rglob("*"))


def test_a_work_file_another_worker_deletes_while_a_call_syncs_is_skipped(tmp_path, monkeypatch):
    """Workers consume and delete their partitions' files concurrently: one listed and gone
    before its download is as if deleted before the listing."""
    import fsspec

    from corpus import mirror

    monkeypatch.setenv("CORPUS_STAGING_DIR", str(tmp_path / "worker"))
    remote = mirror.Mirror(f"memory://bucket-{secrets.token_hex(4)}/store", "web", "run", tmp_path / "area")
    source = remote.remote(tmp_path / "area" / "units" / "r" / "work")
    fsspec.filesystem("memory").pipe_file(f"{source}/bands-00001-000000.arrow", b"kept")
    listing = mirror.Mirror._listing
    monkeypatch.setattr(mirror.Mirror, "_listing", lambda self, prefix: {
        **listing(self, prefix), "bands-00000-000000.arrow": 4})  # listed, then consumed elsewhere
    state = remote._sync(source, tmp_path / "here")
    assert [path.name for path in state] == ["bands-00001-000000.arrow"]
    assert (tmp_path / "here" / "bands-00001-000000.arrow").read_bytes() == b"kept"
    mirror.release()

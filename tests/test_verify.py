"""Tamper-evident versions: `corpus verify` names every changed file; LATEST stays inside its
dataset; reports are written outside the immutable versions; `corpus gc` never pulls a
staging area from under a run that adopts it."""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import corpus_cli, run, write_jsonl

from corpus.store import DatasetStore, sha256_file
from pipelines.resume import collect, open_staging

WORDS = ["river", "town", "evening", "people", "walk", "bridge", "market", "bread", "coffee",
         "rain", "window", "garden", "morning", "letter", "station", "train", "museum", "music"]
FILTERS = [{"special_chars": {}}, {"minhash_dedup": {"threshold": 0.7}}]
KEY = "correct horse battery staple"


def write_input(path: Path) -> Path:
    """Prose, symbol junk (special_chars removes it), near duplicates (minhash removes them)
    and one line that is not JSON (quarantined)."""
    rng = random.Random(3)
    records = []
    for i in range(60):
        if i % 10 == 0:
            text = "#@$%^&*" * 20
        elif i % 10 == 3:
            text = records[-1]["text"] + " again"
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(40))
        records.append({"id": f"doc-{i}", "text": text})
    write_jsonl(path, records)
    with open(path, "a") as handle:
        handle.write('{"id": "broken", "text": \n')
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A dataset with two versions (v0001 and its child v0002) with data, rejects, quarantine
    and a dedup index."""
    root = tmp_path_factory.mktemp("published")
    source = write_input(root / "in" / "a.jsonl")
    for _ in range(2):
        summary = run(root, [source], FILTERS, output={"keep_rejects": True})
    counts = summary.counts
    assert counts["kept"] and counts["rejected"] and counts["quarantined"] == 1
    dataset = summary.path.parent
    assert sorted(p.name for p in dataset.glob("v*")) == ["v0001", "v0002"]
    assert list((dataset / "v0001" / "index").glob("*.parquet"))
    return dataset


@pytest.fixture
def dataset(published, tmp_path) -> Path:
    """A fresh copy of the published dataset to tamper with."""
    copy = tmp_path / "out" / "test"
    shutil.copytree(published, copy)
    return copy


def verify(*args: str, key: str | None = None):
    env = {"CORPUS_SIGNING_KEY": key} if key is not None else {"CORPUS_SIGNING_KEY": ""}
    return corpus_cli("verify", *args, env=env)


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def rewrite_shard(version: Path, name: str, update_digest: bool) -> None:
    """Replace a shard with one that drops a row, and update the manifest (sha256, bytes, rows)
    as a careful forger would; with `update_digest`, manifest.sha256 too."""
    shard = version / name
    table = pq.read_table(shard)
    pq.write_table(table.slice(1), shard)
    sha, size = sha256_file(shard), shard.stat().st_size

    def forge(manifest):
        manifest["files"][name] = {"sha256": sha, "bytes": size}
        for entry in manifest["shards"][name.split("/")[0]]:
            if entry["path"] == name:
                entry.update(sha256=sha, bytes=size, rows=table.num_rows - 1)
        manifest["counts"]["kept"] -= 1
        manifest["counts"]["read"] -= 1

    edit_json(version / "manifest.json", forge)
    edit_json(version / "stats.json", lambda stats: stats["total"].update(
        kept=stats["total"]["kept"] - 1, read=stats["total"]["read"] - 1))
    stats = version / "stats.json"
    edit_json(version / "manifest.json", lambda m: m["files"]["stats.json"].update(
        sha256=sha256_file(stats), bytes=stats.stat().st_size))
    if update_digest:
        (version / "manifest.sha256").write_text(
            f"{sha256_file(version / 'manifest.json')}  manifest.json\n")


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


TAMPERINGS = {
    "flipped byte in a data shard": (
        lambda v: flip_byte(v / "data" / "part-00000.parquet"), "data/part-00000.parquet was changed"),
    "flipped byte in the dedup index": (
        lambda v: flip_byte(v / "index" / "part-00000.parquet"), "index/part-00000.parquet was changed"),
    "deleted rejects shard": (
        lambda v: (v / "rejects" / "part-00000.parquet").unlink(), "rejects/part-00000.parquet is missing"),
    "extra data shard": (
        lambda v: shutil.copy(v / "data" / "part-00000.parquet", v / "data" / "part-00001.parquet"),
        "data/part-00001.parquet is not in the manifest"),
    "stats.json edited": (
        lambda v: edit_json(v / "stats.json", lambda s: s["total"].update(kept=10**6)),
        "stats.json was changed"),
    "stats.json deleted": (lambda v: (v / "stats.json").unlink(), "stats.json is missing"),
    "manifest counts edited": (
        lambda v: edit_json(v / "manifest.json", lambda m: m["counts"].update(read=m["counts"]["read"] + 5)),
        "manifest.json counts break the accounting"),
    "manifest config edited": (
        lambda v: edit_json(v / "manifest.json",
                            lambda m: m["config"]["filters"][0]["special_chars"].update(max_ratio=0.99)),
        "manifest.json config does not match its config_sha256"),
    "script appended to report.html": (
        lambda v: (v / "report.html").write_text((v / "report.html").read_text()
                                                 + "<script>alert(1)</script>"),
        "report.html was changed"),
    "card edited": (
        lambda v: (v / "README.md").write_text((v / "README.md").read_text().replace("test", "best")),
        "README.md was changed"),
    "shard and its sha256 rewritten in the manifest": (
        lambda v: rewrite_shard(v, "data/part-00000.parquet", update_digest=False),
        "manifest.json does not match manifest.sha256"),
    "shard, manifest and manifest.sha256 rewritten (the child's record catches it)": (
        lambda v: rewrite_shard(v, "data/part-00000.parquet", update_digest=True),
        "v0002/manifest.json records a different digest for v0001/manifest.json"),
    "quarantine shard emptied, manifest and digest rewritten (the counts catch it)": (
        lambda v: (pq.write_table(pq.read_table(v / "quarantine" / "part-00000.parquet").slice(0, 0),
                                  v / "quarantine" / "part-00000.parquet"),
                   _forge_seal(v)),
        "quarantine/ shards hold 0 rows, but manifest.json counts imply 1"),
}


def _forge_seal(version: Path) -> None:
    """Update `files` and shards for every changed file, then the digest: a consistent forgery."""
    def forge(manifest):
        for name, entry in manifest["files"].items():
            entry.update(sha256=sha256_file(version / name), bytes=(version / name).stat().st_size)
        for shards in manifest["shards"].values():
            for shard in shards:
                shard.update(manifest["files"][shard["path"]],
                             rows=pq.ParquetFile(version / shard["path"]).metadata.num_rows)
    edit_json(version / "manifest.json", forge)
    (version / "manifest.sha256").write_text(f"{sha256_file(version / 'manifest.json')}  manifest.json\n")


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_verify_fails_on_each_tampering_and_names_the_file(dataset, name):
    tamper, expected = TAMPERINGS[name]
    version = dataset / "v0001"
    assert verify(str(version)).returncode == 0
    tamper(version)
    result = verify(f"{dataset}@v1")
    assert result.returncode == 1, result.stdout
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "signature: unsigned" in result.stderr


def test_intact_versions_verify_and_say_what_was_checked(published):
    result = verify(str(published))
    assert result.returncode == 0, result.stderr
    for line in ("v0002: verified", "manifest.json matches manifest.sha256",
                 "8 files (5 shards", "the shards' rows and stats.json agree",
                 "the config matches config_sha256",
                 "parent v0001's manifest matches the digest recorded here",
                 "unsigned (no manifest.sig)"):
        assert line in result.stdout, result.stdout
    assert "1 later version(s) record this manifest's digest" in verify(f"{published}@v1").stdout


@pytest.mark.parametrize(("latest", "expected"), [
    ("../../other/v0001", "LATEST holds '../../other/v0001', which is not a version folder"),
    ("v9999", "LATEST holds 'v9999', which is not a published version"),
])
def test_latest_outside_the_dataset_or_missing_is_refused_by_every_command(dataset, latest, expected):
    other = dataset.parent.parent / "other"
    shutil.copytree(dataset / "v0001", other / "v0001")  # an intact version of another dataset
    (dataset / "LATEST").write_text(latest + "\n")
    for command in (["verify", str(dataset)], ["stats", str(dataset)], ["versions", str(dataset)],
                    ["report", str(dataset)], ["sample", str(dataset), "--rejected-by", "x"]):
        result = corpus_cli(*command, cwd=dataset.parent.parent)
        assert result.returncode == 2, (command, result.stderr)
        assert expected in result.stderr and str(dataset) in result.stderr
        assert "Traceback" not in result.stderr


def test_a_version_folder_that_links_out_of_the_dataset_is_refused(dataset):
    other = dataset.parent.parent / "other" / "v0001"
    shutil.copytree(dataset / "v0001", other)
    (dataset / "v0003").symlink_to(other)
    result = verify(f"{dataset}@v3")
    assert result.returncode == 2 and "v0003, which is not a version folder" in result.stderr


def test_signed_version_verifies_with_the_key_and_fails_with_a_wrong_one(published, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({
        "dataset": "signed", "input": {"paths": [str(published.parents[1] / "in" / "a.jsonl")]},
        "output": {"root": str(tmp_path / "out")}, "filters": FILTERS}))
    ran = corpus_cli("run", str(config), "-q", "--key", str(key_file), check=True)
    version = tmp_path / "out" / "signed" / "v0001"
    signature = json.loads((version / "manifest.sig").read_text())
    assert signature["algorithm"] == "hmac-sha256"
    for file in version.rglob("*"):
        assert not file.is_file() or KEY.encode() not in file.read_bytes()
    assert KEY not in ran.stdout + ran.stderr

    checked = verify(str(version), "--key", str(key_file))
    assert checked.returncode == 0 and "hmac-sha256 signature checked: valid" in checked.stdout
    assert "signature checked: valid" in verify(str(version), key=KEY).stdout
    unchecked = verify(str(version))
    assert unchecked.returncode == 0 and "signed, signature NOT checked" in unchecked.stdout

    wrong = verify(str(version), key="not the key")
    assert wrong.returncode == 1 and "manifest.sig does not match" in wrong.stderr
    assert "not the key" not in wrong.stdout + wrong.stderr

    unsigned = verify(str(published), key=KEY)
    assert unsigned.returncode == 1 and "manifest.sig is missing" in unsigned.stderr


def test_a_forged_shard_manifest_and_digest_in_the_newest_version_fail_only_the_signature(
        tmp_path, published):
    """The newest version has no child to witness its digest: the signature is what catches it."""
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({
        "dataset": "signed", "input": {"paths": [str(published.parents[1] / "in" / "a.jsonl")]},
        "output": {"root": str(tmp_path / "out")}, "filters": FILTERS}))
    corpus_cli("run", str(config), "-q", env={"CORPUS_SIGNING_KEY": KEY}, check=True)
    version = tmp_path / "out" / "signed" / "v0001"
    rewrite_shard(version, "data/part-00000.parquet", update_digest=True)
    assert verify(str(version)).returncode == 0  # what an unsigned digest cannot see
    result = verify(str(version), key=KEY)
    assert result.returncode == 1 and "manifest.sig does not match" in result.stderr


def test_report_is_written_outside_the_version_which_stays_intact(dataset, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = corpus_cli("report", f"{dataset}@v1", cwd=work, check=True)
    page = work / "test-v0001-report.html"
    assert f"report {page.name}" in result.stdout
    assert page.read_bytes() == (dataset / "v0001" / "report.html").read_bytes()
    compared = corpus_cli("report", str(dataset), "--compare", "@v1", "--output", str(work),
                          check=True)
    assert (work / "test-v0002-vs-v0001-report.html").is_file() and "vs-v0001" in compared.stdout
    inside = corpus_cli("report", str(dataset), "--output", str(dataset / "v0002" / "r.html"))
    assert inside.returncode == 2 and "immutable" in inside.stderr
    assert not (dataset / "v0002" / "r.html").exists()
    assert verify(f"{dataset}@v1").returncode == 0 and verify(f"{dataset}@v2").returncode == 0


SIGNATURE = {"engine": "test", "dataset": "ds", "inputs": "abc", "config": {}, "config_sha": "c"}


def stopped_area(store: DatasetStore) -> Path:
    staging = store.start_run(SIGNATURE)
    (staging.folder("units") / "u1").mkdir()
    staging.release()
    return staging.path


def test_gc_does_not_remove_an_area_a_run_adopted_after_gc_listed_it(tmp_path):
    store = DatasetStore(tmp_path, "ds")
    path = stopped_area(store)
    (listed,) = store.staging_areas()  # gc sees the area stopped...
    assert not listed.active
    staging = store.adopt(listed)  # ...a resuming run adopts it...
    assert staging is not None
    assert store.remove_area(listed.path) is False  # ...and gc leaves it to the run
    staging.update(status="running")
    assert (path / "units" / "u1").is_dir()
    staging.release()


def test_a_run_resuming_while_gc_holds_the_area_starts_afresh_without_crashing(tmp_path, monkeypatch):
    store = DatasetStore(tmp_path, "ds")
    path = stopped_area(store)
    holding, resumed_done = threading.Event(), threading.Event()
    real_rename = os.rename

    def slow_rename(source, target):
        if Path(source) == path:  # gc holds the area's lock here, about to move it away
            holding.set()
            assert resumed_done.wait(30)
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", slow_rename)
    notes: list[str] = []
    with ThreadPoolExecutor(1) as pool:
        gc = pool.submit(collect, DatasetStore(tmp_path, "ds"))
        assert holding.wait(30)
        staging, resumed = open_staging(store, SIGNATURE, fresh=False, say=notes.append)
        resumed_done.set()
        removed, trash = gc.result()
    assert not resumed and staging.path != path
    staging.update(status="running")
    assert [area.path for area in removed] == [path] and not path.exists()
    assert [area.path for area in store.staging_areas()] == [staging.path]
    staging.release()


def test_a_lock_won_after_gc_moved_the_area_away_is_not_an_adoption(tmp_path, monkeypatch):
    store = DatasetStore(tmp_path, "ds")
    path = stopped_area(store)
    (area,) = store.staging_areas()
    real_flock = fcntl.flock

    def gc_first(handle, operation):
        # The run has opened the area's lock file; gc locks, moves and deletes the area
        # before the run's flock, which then locks the deleted file.
        monkeypatch.setattr(fcntl, "flock", real_flock)
        assert store.remove_area(path)
        real_flock(handle, operation)

    monkeypatch.setattr(fcntl, "flock", gc_first)
    assert store.adopt(area) is None
    staging, resumed = open_staging(store, SIGNATURE, fresh=False, say=print)
    assert not resumed and staging.path.is_dir()
    staging.release()


def test_runs_and_adoption_ignore_trash_and_gc_removes_what_a_crash_left(tmp_path):
    store = DatasetStore(tmp_path, "ds")
    path = stopped_area(store)
    trash = path.with_name(".trash-" + path.name + "-abc123")
    shutil.copytree(path, trash)  # a gc killed between the rename and the deletion
    (area,) = store.staging_areas()
    assert area.path == path
    listing = corpus_cli("runs", str(store.path), check=True).stdout
    assert path.name[:12] in listing and ".trash" not in listing
    result = corpus_cli("gc", str(store.path), check=True).stdout
    assert "removed 1 staging area(s)" in result and "left half deleted" in result
    assert not list((store.path / "_staging").iterdir())

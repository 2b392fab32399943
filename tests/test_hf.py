"""A version is a Hugging Face dataset: its card's metadata, `datasets.load_dataset`, and `corpus export`."""

from __future__ import annotations

import socket

import pytest
import yaml
from conftest import corpus_cli, run, write_jsonl

from corpus.store import list_files
from corpus.verify import verify_version

datasets = pytest.importorskip("datasets")
huggingface_hub = pytest.importorskip("huggingface_hub")

# A display name that is YAML, Markdown and a front-matter end all at once.
HOSTILE_NAME = "web: [ko]\n---\n# <img src=x onerror=alert(1)> 'quoted' \"double\" \u2028"
# English that langid keeps and special_chars removes.
SYMBOLS = "The river runs through the old town, and people walk along it every evening. "


@pytest.fixture(scope="module")
def version(tmp_path_factory, prose_records_module):
    """A version where langid and special_chars both remove documents (their rejects differ in columns)."""
    tmp = tmp_path_factory.mktemp("hf")
    records = prose_records_module + [{"id": f"symbols-{i}", "text": SYMBOLS + "*" * (80 + 20 * i)}
                                      for i in range(3)]
    source = write_jsonl(tmp / "raw" / "docs.jsonl", records)
    summary = run(tmp, [source], [{"langid": {"min_score": 0.5, "languages": ["en", "ko", "de", "fr", "ja"]}},
                                  {"special_chars": {"max_ratio": 0.5}}],
                  dataset="web", card={"license": "cc-by-4.0", "source": "https://example.org/crawl",
                                       "pretty_name": HOSTILE_NAME, "tags": ["web", "한국어"]})
    return summary


@pytest.fixture(scope="module")
def prose_records_module():
    texts = {
        "en": "The river runs through the old town, and people walk along it every evening.",
        "ko": "강물은 오래된 마을을 지나 흐르고, 사람들은 매일 저녁 그 길을 따라 걷는다.",
        "de": "Der Fluss fließt durch die Altstadt, und jeden Abend gehen die Leute daran entlang.",
        "fr": "La rivière traverse la vieille ville, et les gens s'y promènent chaque soir.",
        "ja": "川は古い町を流れ、人々は毎晩その川沿いを散歩します。",
        "ru": "Река течёт через старый город, и люди каждый вечер гуляют вдоль неё.",
        "el": "Το ποτάμι διασχίζει την παλιά πόλη και οι άνθρωποι περπατούν δίπλα του κάθε βράδυ.",
    }
    return [{"id": f"prose-{lang}", "text": text} for lang, text in texts.items()]


def metadata(version):
    return huggingface_hub.DatasetCard.load(version.path / "README.md").data.to_dict()


def test_the_card_carries_the_hub_metadata(version):
    data = metadata(version)
    assert data["pretty_name"] == HOSTILE_NAME  # dumped by yaml.safe_dump: the exact string back
    assert data["license"] == "cc-by-4.0" and data["source_datasets"] == ["https://example.org/crawl"]
    assert data["tags"] == ["web", "한국어"] and data["size_categories"] == ["n<1K"]
    assert set(data["language"]) >= {"en", "ko", "de"} and data["multilinguality"] == "multilingual"
    configs = {config["config_name"]: config for config in data["configs"]}
    assert configs["default"]["data_files"] == [{"split": "train", "path": "data/part-*.parquet"}]
    assert configs["default"]["default"] is True and "columns" not in configs["default"]
    # langid's rejects lack special_chars' column: the config loads the columns both have
    assert "special_char_ratio" not in configs["rejects"]["columns"]
    assert {"id", "text", "lang", "filter", "reason"} <= set(configs["rejects"]["columns"])
    text = version.path.joinpath("README.md").read_text()
    body = text.split("\n---\n", 1)[1]
    assert "<img" not in body and "Licence: `cc-by-4.0`." in body


def test_the_card_is_sealed_with_the_version(version):
    assert verify_version(version.path).problems == []
    assert "README.md" in yaml.safe_load((version.path / "manifest.json").read_text())["files"]


def test_datasets_loads_the_kept_data_and_the_rejects(version, tmp_path):
    counts = version.counts
    assert counts["kept"] and counts["rejected"] >= 4
    kept = datasets.load_dataset(str(version.path), split="train", cache_dir=str(tmp_path / "cache"))
    assert kept.num_rows == counts["kept"] and "lang" in kept.column_names
    rejects = datasets.load_dataset(str(version.path), "rejects", split="train",
                                    cache_dir=str(tmp_path / "cache"))
    assert rejects.num_rows == counts["rejected"]
    assert set(rejects["filter"]) == {"langid", "special_chars"}
    plain = datasets.load_dataset("parquet", data_dir=str(version.path / "data"), split="train",
                                  cache_dir=str(tmp_path / "cache"))
    assert sorted(plain["id"]) == sorted(kept["id"])


def test_export_dry_run_lists_every_file_of_the_version(version):
    result = corpus_cli("export", f"{version.path.parent}@{version.version}", "--to", "hf",
                        "--repo", "someone/web", "--dry-run", check=True)
    files = list_files(version.path)
    assert f"would upload {len(files)} files" in result.stdout and "someone/web" in result.stdout
    for path in files:
        assert f"  {path}  " in result.stdout


def test_export_without_a_token_stops_after_preparing(version, tmp_path):
    result = corpus_cli("export", str(version.path), "--repo", "someone/web",
                        env={"HF_TOKEN": "", "HF_HOME": str(tmp_path / "hf-home")})
    assert result.returncode == 2
    assert "no Hugging Face token" in result.stderr and "nothing was uploaded" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_to_an_unreachable_hub_is_one_clear_error_without_the_token(version, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "hf_secretsecretsecretsecret"
    result = corpus_cli("export", str(version.path), "--repo", "someone/web",
                        env={"HF_TOKEN": token, "HF_HOME": str(tmp_path / "hf-home"),
                             "HF_ENDPOINT": f"http://127.0.0.1:{port}"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"upload to http://127.0.0.1:{port} dataset someone/web failed" in result.stderr
    assert "nothing was committed" in result.stderr and "Traceback" not in result.stderr
    assert token not in result.stdout + result.stderr


def test_export_commits_every_file_in_one_commit(version, monkeypatch):
    from pipelines.export import prepare_upload, upload

    calls = []
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    monkeypatch.setattr(huggingface_hub.HfApi, "create_repo",
                        lambda self, repo_id, **options: calls.append(("repo", repo_id, options)))

    def create_commit(self, repo_id, operations, **options):
        calls.append(("commit", repo_id, [(op.path_in_repo, op.path_or_fileobj) for op in operations],
                      options))
        return huggingface_hub.CommitInfo(commit_url=f"https://huggingface.co/datasets/{repo_id}/commit/1",
                                          commit_message="", commit_description="", oid="1")

    monkeypatch.setattr(huggingface_hub.HfApi, "create_commit", create_commit)
    assert upload(prepare_upload(version.path, "someone/web")) == "https://huggingface.co/datasets/someone/web/commit/1"
    (_, repo, options), (_, commit_repo, operations, commit) = calls
    assert repo == commit_repo == "someone/web" and options["repo_type"] == "dataset"
    assert [path for path, _ in operations] == list_files(version.path)
    assert all(source == str(version.path / path) for path, source in operations)
    assert commit == {"commit_message": "web v0001 (corpus-engine)", "repo_type": "dataset"}


def test_export_refuses_a_version_that_does_not_verify(version, tmp_path):
    import shutil

    copy = tmp_path / "web" / version.version
    shutil.copytree(version.path, copy)
    (copy / "stats.json").write_text("{}\n")
    result = corpus_cli("export", str(copy), "--repo", "someone/web", "--dry-run")
    assert result.returncode == 2 and "does not verify" in result.stderr


def test_a_version_that_kept_nothing_never_loads_its_rejects_as_the_data(tmp_path, prose_records_module):
    source = write_jsonl(tmp_path / "raw" / "docs.jsonl", prose_records_module)
    summary = run(tmp_path, [source], [{"langid": {"languages": ["zu"]}}], dataset="none")
    assert summary.counts["kept"] == 0
    configs = {config["config_name"]: config for config in metadata(summary)["configs"]}
    assert configs["default"]["data_files"][0]["path"] == "data/part-*.parquet"
    # datasets resolves every config's files: with no data/ it loads nothing rather than the rejects
    for name in (None, "rejects"):
        with pytest.raises(FileNotFoundError, match="No .*data files found"):
            datasets.load_dataset(str(summary.path), name, split="train", cache_dir=str(tmp_path / "cache"))
    rejects = datasets.load_dataset("parquet", data_dir=str(summary.path / "rejects"), split="train",
                                    cache_dir=str(tmp_path / "cache"))
    assert rejects.num_rows == len(prose_records_module)

"""Config checks cover what a run will load: models, word lists and spaCy packages, before any data."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_cli, write_jsonl

import filters.fasttext_model as fasttext_model
from filters.base import ResourceProblem
from filters.fasttext_model import bundled_lid_model, check_model, load_model
from filters.langid import LangID
from filters.pii import PII
from filters.toxicity import Toxicity
from filters.toxicity_backends import MAX_WORDLIST_BYTES

CONFIGS = Path(__file__).parent.parent / "configs"
# The truncated lid model once grew a run past 4 GB within 11 s; a config error costs far less.
MAX_RSS_KB = 600 << 10


@pytest.fixture(scope="module")
def bad_models(tmp_path_factory) -> dict[str, str]:
    """Model files a user could name by mistake, or an attacker on purpose."""
    folder = tmp_path_factory.mktemp("models")
    original = bundled_lid_model().read_bytes()
    (folder / "truncated.ftz").write_bytes(original[:100 * 1024])
    flipped = bytearray(original)
    flipped[0] ^= 0xFF
    (folder / "flipped.ftz").write_bytes(bytes(flipped))
    (folder / "a-folder.bin").mkdir()
    return {
        "missing": str(folder / "missing.bin"),
        "directory": str(folder / "a-folder.bin"),
        "passwd": "/etc/passwd",
        "truncated": str(folder / "truncated.ftz"),
        "flipped": str(folder / "flipped.ftz"),
    }


EXPECTED = {
    "missing": "does not exist",
    "directory": "is a directory, not a file",
    "passwd": "is not a fastText model (bad magic number)",
    "truncated": "is truncated (it ends inside the dictionary)",
    "flipped": "is not a fastText model (bad magic number)",
}


def config_file(tmp_path: Path, filters: list) -> Path:
    source = write_jsonl(tmp_path / "in" / "a.jsonl",
                         [{"id": f"d{i}", "text": f"The river runs through the old town {i}."}
                          for i in range(20)])
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps({"dataset": "checks", "input": {"paths": [str(source)]},
                                "output": {"root": str(tmp_path / "out")}, "filters": filters}))
    return path


def assert_config_error(tmp_path: Path, config: Path, expected: str) -> None:
    """`corpus validate` and `corpus run` both fail with exit 2, the key, no traceback, no version."""
    for command in ("validate", "run"):
        result = corpus_cli(command, str(config))
        assert result.returncode == 2, (command, result.stderr)
        assert expected in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr
    store = tmp_path / "out" / "checks"
    assert not (store / "LATEST").exists() and not list(store.glob("v*"))


@pytest.mark.parametrize("case", sorted(EXPECTED))
@pytest.mark.parametrize("name", ["langid", "toxicity"])
def test_a_bad_model_path_is_a_config_error_before_any_data(tmp_path, bad_models, name, case):
    path = bad_models[case]
    config = config_file(tmp_path, [{"special_chars": {}}, {name: {"model_path": path}}])
    assert_config_error(tmp_path, config,
                        f"config.yaml: filters[1].{name}.model_path: {path} {EXPECTED[case]}")


def peak_rss_kb(*args: str) -> tuple[subprocess.CompletedProcess, int, float]:
    """Run the CLI from a fresh parent and report the peak RSS of its largest process."""
    probe = ("import resource, subprocess, sys, json\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(json.dumps([done.returncode, done.stderr,"
             " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")
    started = time.perf_counter()
    probed = subprocess.run([sys.executable, "-c", probe, CORPUS, *args], capture_output=True, text=True,
                            timeout=120, check=True)
    code, stderr, rss = json.loads(probed.stdout)
    return subprocess.CompletedProcess(args, code, "", stderr), rss, time.perf_counter() - started


def test_a_truncated_lid_model_stops_the_run_at_once_in_little_memory(tmp_path, bad_models):
    config = config_file(tmp_path, [{"langid": {"model_path": bad_models["truncated"]}}])
    result, rss, seconds = peak_rss_kb("run", str(config))
    assert result.returncode == 2 and "filters[0].langid.model_path" in result.stderr
    assert rss < MAX_RSS_KB, f"peak RSS {rss >> 10} MB"
    assert seconds < 30


def test_a_missing_word_list_is_a_config_error(tmp_path):
    missing = tmp_path / "words" / "nl.txt"
    config = config_file(tmp_path, [{"toxicity": {"backend": "wordlist", "wordlists": {"nl": str(missing)}}}])
    assert_config_error(tmp_path, config, f"filters[0].toxicity.wordlists.nl: {missing} does not exist")


def test_a_binary_word_list_is_a_config_error(tmp_path):
    binary = tmp_path / "nl.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    config = config_file(tmp_path, [{"toxicity": {"wordlists": {"nl": str(binary)}}}])
    assert_config_error(tmp_path, config,
                        f"filters[0].toxicity.wordlists.nl: {binary} is a binary file, not a UTF-8 word list")


def test_word_lists_must_be_utf8_text_of_bounded_size(tmp_path):
    latin1 = tmp_path / "de.txt"
    latin1.write_bytes("schei\xdfe\n".encode("latin-1"))
    huge = tmp_path / "fr.txt"
    with huge.open("wb") as handle:
        handle.truncate(MAX_WORDLIST_BYTES + 1)
    good = tmp_path / "it.txt"
    good.write_text("# a comment\nparolaccia\n", encoding="utf-8")
    problems = Toxicity(Toxicity.Params(backend="wordlist", wordlists={
        "de": str(latin1), "fr": str(huge), "it": str(good)})).check_resources()
    assert problems == [
        f"wordlists.de: {latin1} is not UTF-8 text (invalid byte at offset 5)",
        f"wordlists.fr: {huge} holds {MAX_WORDLIST_BYTES + 1} bytes; a word list may hold at most 16 MiB",
    ]


def test_an_uninstalled_spacy_model_is_a_config_error(tmp_path):
    config = config_file(tmp_path, [{"pii": {"nlp_model": "xx_nonexistent_model"}}])
    assert_config_error(tmp_path, config, "filters[0].pii.nlp_model: xx_nonexistent_model is not an "
                                          "installed spaCy model package")


@pytest.mark.parametrize("name", ["xx_nonexistent_model", "numpy", "os.path", "../en_core_web_sm"])
def test_only_spacy_model_packages_count_as_installed(name):
    assert PII(PII.Params(nlp_model=name)).check_resources() == [
        f"nlp_model: {name} is not an installed spaCy model package; install it first (python -m spacy "
        f"download {name}): a run never downloads models"]


def test_presidio_never_starts_a_spacy_download(monkeypatch):
    """Even when the config check is bypassed (the Python API), setup refuses instead of downloading."""
    import spacy.cli

    from corpus.errors import ConfigError
    from filters.pii_recognizers import build_analyzer

    downloads = []
    monkeypatch.setattr(spacy.cli, "download", lambda *args, **kwargs: downloads.append(args))
    flt = PII(PII.Params(nlp_model="xx_nonexistent_model"))
    with pytest.raises(ConfigError, match="xx_nonexistent_model is not an installed spaCy model"):
        flt.setup()
    with pytest.raises(ConfigError):
        build_analyzer(("US",), True, "xx_nonexistent_model")
    assert downloads == []


def test_an_installed_spacy_model_package_passes_and_loads(tmp_path, monkeypatch):
    """A model package found the way spaCy finds one (distribution metadata, meta.json) is used."""
    name = "xx_corpus_check_model"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("import spacy\n\n\ndef load(**overrides):\n"
                                         "    return spacy.blank('en')\n")
    (package / "meta.json").write_text(json.dumps({"lang": "en", "name": "corpus_check_model",
                                                   "version": "0.0.1"}))
    info = tmp_path / f"{name}-0.0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.0.1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    flt = PII(PII.Params(nlp_model=name, action="annotate"))
    assert flt.check_resources() == []
    flt.setup()
    assert flt.analyzer.nlp_engine.nlp["en"].lang == "en"


def test_the_bundled_model_and_the_shipped_configs_validate():
    assert LangID().check_resources() == []
    assert Toxicity().check_resources() == []
    for name in ("quickstart.yaml", "web-ko.yaml"):
        result = corpus_cli("validate", str(CONFIGS / name))
        assert result.returncode == 0, result.stderr
        assert "valid" in result.stdout


@pytest.fixture(scope="module")
def classifier_model(tmp_path_factory) -> str:
    """A real fastText supervised model with the labels toxic and clean."""
    import fasttext

    rng = random.Random(0)
    lines = []
    for _ in range(600):
        label = "toxic" if rng.random() < 0.5 else "clean"
        words = ["idiot", "moron"] if label == "toxic" else ["garden", "river"]
        lines.append(f"__label__{label} " + " ".join(rng.choice([*words, "you", "the", "and"])
                                                     for _ in range(12)))
    folder = tmp_path_factory.mktemp("classifier")
    (folder / "train.txt").write_text("\n".join(lines) + "\n")
    # Stock fasttext 0.9.3 leaves the input matrix uninitialised when thread <= 10.
    model = fasttext.train_supervised(input=str(folder / "train.txt"), epoch=5, dim=16, minCount=1,
                                      thread=11, seed=1, verbose=0)
    model.save_model(str(folder / "toxic.bin"))
    return str(folder / "toxic.bin")


def test_a_trained_model_passes_and_its_labels_are_checked(classifier_model):
    labels = check_model(classifier_model).labels
    assert sorted(labels) == ["__label__clean", "__label__toxic"]
    assert Toxicity(Toxicity.Params(backend="fasttext", model_path=classifier_model)).check_resources() == []
    problems = Toxicity(Toxicity.Params(backend="fasttext", model_path=classifier_model,
                                        label="__label__nsfw")).check_resources()
    assert problems == [f"label: {classifier_model} has no label __label__nsfw (it has {', '.join(labels)})"]


def test_every_truncation_and_trailing_bytes_are_found_without_loading(tmp_path, classifier_model):
    data = Path(classifier_model).read_bytes()
    damaged = tmp_path / "damaged.bin"
    for size in sorted(set(random.Random(1).sample(range(8, len(data)), 60)) | {8, 60, len(data) - 1}):
        damaged.write_bytes(data[:size])
        with pytest.raises(ResourceProblem, match="is truncated"):
            load_model(str(damaged))
    damaged.write_bytes(data + b"\0")
    with pytest.raises(ResourceProblem, match="goes on 1 bytes past the end"):
        check_model(str(damaged))


def test_a_word_vector_model_is_not_a_classifier(tmp_path, classifier_model):
    import fasttext

    vectors = fasttext.train_unsupervised(input=str(Path(classifier_model).parent / "train.txt"),
                                          model="skipgram", epoch=1, dim=8, minCount=1, thread=2, verbose=0)
    vectors.save_model(str(tmp_path / "vectors.bin"))
    with pytest.raises(ResourceProblem, match="is a fastText word-vector model, not a classifier"):
        check_model(str(tmp_path / "vectors.bin"))


def test_the_load_runs_in_a_child_under_a_memory_and_time_bound(monkeypatch):
    path = str(bundled_lid_model())
    monkeypatch.setattr(fasttext_model, "_CHECKED", {})
    monkeypatch.setattr(fasttext_model, "LOAD_MEMORY_BASE", 24 << 20)
    monkeypatch.setattr(fasttext_model, "LOAD_MEMORY_PER_BYTE", 0)
    with pytest.raises(ResourceProblem, match=f"{path} (needs more than 24 MiB|could not be loaded)"):
        check_model(path)
    monkeypatch.setattr(fasttext_model, "LOAD_MEMORY_BASE", 1 << 30)
    monkeypatch.setattr(fasttext_model, "LOAD_SECONDS_BASE", 0.001)
    with pytest.raises(ResourceProblem, match=f"{path} did not load within"):
        check_model(path)


@pytest.fixture(autouse=True)
def model_cache(tmp_path, monkeypatch) -> Path:
    """A cache folder of this test's own: no model counts as loaded before it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "corpus" / "fasttext-loaded"


def test_a_successful_load_is_remembered_for_the_same_content(tmp_path, monkeypatch, classifier_model,
                                                               model_cache):
    copy = tmp_path / "model.bin"
    copy.write_bytes(Path(classifier_model).read_bytes())
    loads = []
    original = fasttext_model._load_bounded
    monkeypatch.setattr(fasttext_model, "_load_bounded", lambda *args: (loads.append(args), original(*args)))
    check_model(str(copy))
    check_model(str(copy))
    assert len(loads) == 1
    [marker] = model_cache.iterdir()
    assert marker.name.startswith(fasttext_model.file_sha256(str(copy)))
    monkeypatch.setattr(fasttext_model, "_CHECKED", {})  # a later run: its layout is read, no child
    later = copy.stat().st_mtime_ns + 1_000_000_000
    os.utime(copy, ns=(later, later))
    check_model(str(copy))
    assert len(loads) == 1
    truncated = tmp_path / "truncated.bin"  # other content is never taken for the remembered one
    truncated.write_bytes(copy.read_bytes()[:-8])
    with pytest.raises(ResourceProblem, match="corrupt|truncated|past the end"):
        check_model(str(truncated))
    marker.unlink()
    monkeypatch.setattr(fasttext_model, "_CHECKED", {})
    check_model(str(copy))
    assert len(loads) == 2

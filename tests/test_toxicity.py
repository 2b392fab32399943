"""toxicity: the shipped classifier, a real fastText model trained here, word lists, and routing."""

from __future__ import annotations

import gzip
import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from conftest import read_rows, run, write_jsonl

from corpus.errors import ConfigError
from corpus.stats import FilterStats
from filters.toxicity import Toxicity
from pipelines.config import validate_config

CLEAN = [
    "Thank you so much for your help with the garden this weekend.",
    "The museum opens at nine and the guided tour starts at ten.",
    "We cooked pasta with fresh tomatoes and basil for dinner.",
    "Please remember to bring your library books back on Monday.",
]
OFFENSIVE = [
    "Shut up, you stupid idiot, nobody wants to hear your crap.",
    "You are a worthless moron and a fucking loser.",
    "Go to hell, you pathetic piece of shit.",
    "What a dumb ass bitch, get lost you jerk.",
]


def batch_of(texts: list[str], **columns) -> pa.RecordBatch:
    """A batch as readers make them: text is large_string."""
    return pa.RecordBatch.from_pydict({"id": [str(i) for i in range(len(texts))],
                                       "text": pa.array(texts, pa.large_string()), **columns})


def scored(params: dict, texts: list[str], **columns) -> tuple[np.ndarray, FilterStats]:
    flt = Toxicity(Toxicity.Params(mode="annotate", **params))
    flt.setup()
    stats = FilterStats("toxicity")
    outcome = flt.run(batch_of(texts, **columns), stats)
    return np.array(outcome.kept.column("toxicity_score").to_pylist(), dtype=float), stats


def test_classifier_separates_clean_from_offensive_english():
    scores, stats = scored({"backend": "classifier"}, CLEAN + OFFENSIVE)
    assert scores[:4].max() < 0.3 < 0.8 < scores[4:].min()
    assert stats.counters["docs_by_backend"] == {"classifier": 8}


def test_classifier_batched_scores_equal_one_by_one_scores():
    batched, _ = scored({"backend": "classifier"}, CLEAN + OFFENSIVE)
    alone = [scored({"backend": "classifier"}, [text])[0][0] for text in CLEAN + OFFENSIVE]
    assert np.allclose(batched, alone, atol=1e-6)


def real_sentences(limit: int, per_file: int = 30) -> list[str]:
    """Distinct English sentences on this machine: Debian's changelogs and the installed Python
    packages' descriptions, cut at line breaks and sentence ends (at most `per_file` a file)."""
    site = Path(pytest.__file__).parents[1]
    sources = sorted(Path("/usr/share/doc").glob("*/changelog*.gz"))
    sources += sorted(site.glob("*.dist-info/METADATA"))
    found: dict[str, None] = {}
    for path in sources:
        try:
            data = path.read_bytes()
            text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")
        except (OSError, EOFError):
            continue
        pieces = [p.strip() for p in re.split(r"(?<=[.!?])\s+|\n", text) if len(p.strip()) >= 12]
        found.update(dict.fromkeys(pieces[:per_file]))
        if len(found) >= limit:
            break
    return list(found)[:limit]


@pytest.fixture(scope="module")
def shipped():
    """alt-profanity-check's unpickled vectoriser and model, and texts to score: real sentences,
    the same with the model's most offensive terms in them, and tricky cases."""
    import joblib

    from filters.toxicity_backends import CLASSIFIER_FILES, _profanity_data

    vectorizer, model = (joblib.load(_profanity_data() / name) for name in CLASSIFIER_FILES)
    weights = np.mean([c.estimator.coef_[0] for c in model.calibrated_classifiers_], axis=0)
    terms = sorted(vectorizer.vocabulary_, key=lambda term: weights[vectorizer.vocabulary_[term]])
    sentences = real_sentences(4000)
    assert len(sentences) >= 1500, "too little English text on this machine"
    rng = random.Random(7)
    offensive = [f"{rng.choice(sentences)} {term}" for term in terms[-300:]]
    offensive += [f"You {a.upper()} {b}, {c}!"
                  for a, b, c in zip(terms[-90::3], terms[-89::3], terms[-88::3], strict=True)]
    # Prose in 20 languages, repeats, case, stop words only, Greek final sigma, NUL, underscores,
    # digits, one-letter words, an empty text and a text with no word.
    from langid_samples import SAMPLES

    texts = sentences + offensive
    texts += [t for groups in SAMPLES.values() for items in groups.values() for t in items]
    texts += CLEAN + OFFENSIVE + OFFENSIVE + [
        "", "!!! ... ???", "the and of to a in", "ΟΔΟΣ ΣΟΦΙΑΣ Σ", "a\x00b shit\x00fuck",
        "__init__ x_y 42 4242", "SHUT UP Shut Up shut up", "I a b c d e", "Idiot-idiot_idiot idiot's idiots"]
    return vectorizer, model, texts


def test_classifier_scores_equal_scikit_learns_predict_proba_bit_for_bit(shipped):
    from filters.toxicity_backends import ClassifierScorer

    vectorizer, model, texts = shipped
    scorer = ClassifierScorer()
    theirs = vectorizer.transform(texts)
    rows, columns, counts = scorer.counts(texts)
    values = scorer.tfidf(rows, columns, counts, len(texts))
    assert len(values) > 10_000
    assert np.array_equal(np.bincount(rows, minlength=len(texts)), np.diff(theirs.indptr))
    assert np.array_equal(columns, theirs.indices)
    assert np.array_equal(values, theirs.data)
    expected = model.predict_proba(theirs)[:, 1]
    assert expected.min() < 0.05 and expected.max() > 0.99
    assert np.array_equal(scorer.probabilities(texts), expected)
    scores = scorer.score(pa.array(texts, pa.large_string()))
    assert scores.dtype == np.float32
    assert np.array_equal(scores, expected.astype(np.float32))


@pytest.mark.parametrize("settings", [
    {"lowercase": False, "sublinear_tf": True, "norm": "l1"},
    {"binary": True, "use_idf": False, "norm": None, "token_pattern": r"(?u)\b\w+\b"},
])
def test_classifier_follows_other_vectoriser_settings(shipped, settings):
    """A model trained here with other settings, scored as scikit-learn scores it."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from filters.toxicity_backends import ClassifierScorer, extract_classifier

    _, _, texts = shipped
    train, test = texts[:2000], texts[2000:]
    labels = [int("You " in text or len(text) % 3 == 0) for text in train]
    vectorizer = TfidfVectorizer(stop_words="english", **settings)
    model = CalibratedClassifierCV(LinearSVC(dual=False), cv=3, method="sigmoid")
    model.fit(vectorizer.fit_transform(train), labels)
    scorer = ClassifierScorer(extract_classifier(vectorizer, model))
    expected = model.predict_proba(vectorizer.transform(test))[:, 1]
    assert expected.std() > 0.01
    assert np.array_equal(scorer.probabilities(test), expected)


@pytest.mark.parametrize(("part", "name", "value", "message"), [
    ("vectorizer", "strip_accents", "unicode", "vectorizer strip_accents is 'unicode'"),
    ("vectorizer", "ngram_range", (1, 2), r"vectorizer ngram_range is \(1, 2\)"),
    ("model", "method", "isotonic", "model method is 'isotonic'"),
])
def test_a_model_of_another_structure_is_refused_naming_what_differs(shipped, part, name, value, message):
    import copy

    from filters.base import ResourceProblem
    from filters.toxicity_backends import extract_classifier

    objects = dict(zip(("vectorizer", "model"), copy.deepcopy(shipped[:2]), strict=True))
    setattr(objects[part], name, value)
    with pytest.raises(ResourceProblem, match=message):
        extract_classifier(objects["vectorizer"], objects["model"])


def test_a_classifier_with_another_calibration_is_refused(shipped):
    import copy

    from filters.base import ResourceProblem
    from filters.toxicity_backends import extract_classifier

    vectorizer, model = copy.deepcopy(shipped[:2])
    model.calibrated_classifiers_[2].calibrators.append(model.calibrated_classifiers_[2].calibrators[0])
    with pytest.raises(ResourceProblem, match=r"calibrated_classifiers_\[2\]\.calibrators len is 2"):
        extract_classifier(vectorizer, model)


@pytest.fixture
def model_cache(tmp_path, monkeypatch):
    """The classifier's cache file in a fresh cache folder, built by a first scorer."""
    from filters.toxicity_backends import CLASSIFIER_CACHE, ClassifierScorer, classifier_model

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    classifier_model.cache_clear()
    ClassifierScorer()
    classifier_model.cache_clear()
    (path,) = (tmp_path / "corpus" / CLASSIFIER_CACHE).glob("*.npz")
    yield path
    classifier_model.cache_clear()


def test_a_scorer_built_from_the_cache_imports_no_scikit_learn(model_cache):
    from filters.toxicity_backends import ClassifierScorer

    texts = CLEAN + OFFENSIVE
    expected = ClassifierScorer().score(pa.array(texts)).tolist()
    script = (
        "import json, sys, pyarrow as pa\n"
        "from filters.toxicity_backends import ClassifierScorer\n"
        f"scores = ClassifierScorer().score(pa.array({texts!r})).tolist()\n"
        "print(json.dumps([scores, [m for m in ('sklearn', 'scipy', 'joblib') if m in sys.modules]]))\n")
    before = model_cache.stat().st_mtime_ns
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parents[1])
    scores, imported = json.loads(done.stdout)
    assert imported == []
    assert scores == expected
    assert model_cache.stat().st_mtime_ns == before


@pytest.mark.parametrize("damage", ["truncated", "empty", "not a zip", "other key", "other shape"])
def test_a_damaged_or_stale_cache_file_is_rebuilt_not_trusted(model_cache, damage):
    from filters.toxicity_backends import ClassifierModel, ClassifierScorer, _classifier_key, _profanity_data

    key = _classifier_key(_profanity_data())
    assert model_cache.stem == key
    good = ClassifierModel.load(model_cache, key)
    expected = ClassifierScorer(good).score(pa.array(CLEAN + OFFENSIVE))
    data = model_cache.read_bytes()
    if damage == "truncated":
        model_cache.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        model_cache.write_bytes(b"")
    elif damage == "not a zip":
        model_cache.write_bytes(b"\x93NUMPY" + data[7:1000])
    elif damage == "other key":
        good.save(model_cache, key.replace("scikit-learn", "scikit-learn-0"))
    else:
        with np.load(model_cache) as stored:
            members = {name: stored[name] for name in stored.files}
        np.savez(model_cache, **{**members, "coef": members["coef"][:, :-1]})
    with pytest.raises((ValueError, EOFError, zipfile.BadZipFile)):
        ClassifierModel.load(model_cache, key)
    assert np.array_equal(ClassifierScorer().score(pa.array(CLEAN + OFFENSIVE)), expected)
    rebuilt = ClassifierModel.load(model_cache, key)
    assert np.array_equal(rebuilt.coef, good.coef) and rebuilt.terms == good.terms


def test_nfkc_equals_pyarrows_utf8_normalize_on_every_code_point_and_real_text():
    """The word lists' folding skips utf8_normalize on rows Python finds normalized: same output."""
    import sys

    import pyarrow.compute as pc
    from langid_samples import SAMPLES

    from filters.text import nfkc

    points = [chr(p) for p in range(sys.maxunicode + 1) if not 0xD800 <= p <= 0xDFFF]
    texts = points + [f"a{c}\u0301" for c in points] + [
        t for groups in SAMPLES.values() for items in groups.values() for t in items] + [
        None, "", "ﬁne Ｆｕｌｌ ①", "\u1100\u1161\u11a8", "e\u0301\u0323", "\U0001e030 new in Unicode 15"]
    for kind in (pa.string(), pa.large_string()):
        text = pa.array(texts, kind)
        expected = pc.utf8_normalize(text, "NFKC")
        got = nfkc(text)
        assert got.type == kind
        assert got.equals(expected)
    chunked = pa.chunked_array([texts[:5], [], texts[-10:]])
    assert nfkc(chunked).equals(pc.utf8_normalize(chunked, "NFKC"))
    assert nfkc(pa.array(["plain ascii", "déjà vu"])).to_pylist() == ["plain ascii", "déjà vu"]


@pytest.fixture(scope="module")
def fasttext_model(tmp_path_factory) -> str:
    """A real fastText supervised model, trained here on generated lines."""
    import fasttext

    rng = random.Random(0)
    insults = ["idiot", "moron", "stupid", "loser", "jerk", "dumb", "pathetic", "worthless"]
    neutral = ["garden", "museum", "dinner", "library", "river", "morning", "music", "bicycle", "window"]
    filler = ["you", "are", "a", "the", "and", "with", "my", "this", "very", "really"]
    lines = []
    for _ in range(600):
        pool, label = (insults, "toxic") if rng.random() < 0.5 else (neutral, "clean")
        words = [rng.choice(pool if rng.random() < 0.5 else filler) for _ in range(12)]
        lines.append(f"__label__{label} {' '.join(words)}")
    folder = tmp_path_factory.mktemp("fasttext")
    (folder / "train.txt").write_text("\n".join(lines) + "\n")
    # Stock fasttext 0.9.3 leaves the input matrix uninitialised when thread <= 10 and then
    # fails with "Encountered NaN" (fixed upstream in fasttext-community #14): use 11 threads.
    model = fasttext.train_supervised(input=str(folder / "train.txt"), epoch=25, lr=0.5, dim=16,
                                      minCount=1, thread=11, seed=1, verbose=0)
    path = folder / "toxic.bin"
    model.save_model(str(path))
    return str(path)


def test_fasttext_backend_scores_with_a_model_trained_here(fasttext_model):
    texts = ["you stupid worthless moron", "a morning in the museum garden with music"]
    scores, stats = scored({"backend": "fasttext", "model_path": fasttext_model}, texts)
    assert scores[0] > 0.9 and scores[1] < 0.1
    assert stats.counters["docs_by_backend"] == {"fasttext": 2}


def test_fasttext_backend_through_a_pipeline_run(tmp_path, fasttext_model):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "bad", "text": "you are a stupid pathetic loser and an idiot"},
        {"id": "good", "text": "my bicycle is by the window this morning"}])
    summary = run(tmp_path, [source], [{"toxicity": {
        "backend": "fasttext", "model_path": fasttext_model, "max_score": 0.5}}])
    assert [r["id"] for r in read_rows(summary.path / "data")] == ["good"]
    rejects = read_rows(summary.path / "rejects")
    assert [(r["id"], r["reason"]) for r in rejects] == [("bad", "toxic")]
    manifest = json.loads((summary.path / "manifest.json").read_text())
    assert manifest["filters"][0]["versions"]["fasttext"]["model_sha256"]


def test_a_fasttext_model_without_the_label_is_refused(fasttext_model):
    flt = Toxicity(Toxicity.Params(backend="fasttext", model_path=fasttext_model, label="__label__nsfw"))
    with pytest.raises(ValueError, match="no label '__label__nsfw'"):
        flt.setup()


def test_fasttext_backend_without_model_path_is_a_config_error():
    with pytest.raises(ConfigError, match=r"filters\[0\]\.toxicity.*model_path"):
        validate_config({"dataset": "x", "input": {"paths": ["a.jsonl"]},
                         "filters": [{"toxicity": {"backend": "fasttext"}}]})


def test_user_word_list_covers_another_language(tmp_path):
    words = tmp_path / "nl.txt"
    words.write_text("# Dutch test list\nsukkel\nrotzak\n")
    texts = ["Jij bent een sukkel en een rotzak", "Het weer is vandaag heel mooi in de stad"]
    scores, stats = scored({"backend": "wordlist", "wordlists": {"nl": str(words)}}, texts,
                           lang=["nl", "nl"])
    assert scores[0] == 1.0 and scores[1] == 0.0
    assert stats.counters["docs_by_lang.wordlist"] == {"nl": 2}


def test_word_pairs_and_saturation(tmp_path):
    words = tmp_path / "en.txt"
    words.write_text("shut up\n")
    texts = ["please shut up now", "the shutter is up " + "word " * 96]
    scores, _ = scored({"backend": "wordlist", "wordlists": {"en": str(words)},
                        "wordlist_saturation": 0.5}, texts, lang=["en", "en"])
    assert scores.tolist() == [0.5, 0.0]  # 1 flagged pair of 4 words = 0.25 share, / 0.5


def test_auto_routes_by_the_lang_column_and_counts_unscored_languages(tmp_path):
    words = tmp_path / "de.txt"
    words.write_text("dummkopf\n")
    texts = [OFFENSIVE[0], "Du bist ein Dummkopf", "Bu metin tamamen normal bir cümledir"]
    scores, stats = scored({"wordlists": {"de": str(words)}}, texts, lang=["en", "de", "tr"])
    assert scores[0] > 0.8 and scores[1] == 1.0 and np.isnan(scores[2])
    assert stats.counters["docs_by_backend"] == {"classifier": 1, "wordlist": 1, "none": 1}
    assert stats.counters["docs_by_lang.none"] == {"tr": 1}


def test_auto_identifies_languages_itself_without_a_lang_column():
    texts = [OFFENSIVE[1], "오늘은 날씨가 정말 좋아서 공원에 산책을 갔습니다"]
    _, stats = scored({}, texts)
    assert stats.counters["docs_by_lang.classifier"] == {"en": 1}
    assert "ko" in stats.counters["docs_by_lang.wordlist"]


BUILTIN = ["en", "de", "fr", "es", "it", "ru", "ko", "ja", "zh"]


@pytest.mark.parametrize("lang", BUILTIN)
def test_builtin_word_lists_flag_their_terms_and_pass_clean_prose(lang):
    from langid_samples import SAMPLES

    from filters.toxicity_backends import builtin_wordlists, read_wordlist

    terms = sorted(read_wordlist(builtin_wordlists()[lang]))
    assert len(terms) >= 90
    clean = SAMPLES[lang]["short"] + SAMPLES[lang]["long"]
    joiner = "" if lang in ("ja", "zh") else " "
    flagged = [joiner.join([clean[0], term]) for term in terms[:: max(1, len(terms) // 10)]]
    texts = clean + flagged
    scores, stats = scored({"backend": "wordlist"}, texts, lang=[lang] * len(texts))
    assert scores[: len(clean)].max() == 0.0, [t for t, s in zip(clean, scores, strict=False) if s]
    assert scores[len(clean):].min() > 0.0
    assert stats.counters["docs_by_lang.wordlist"] == {lang: len(texts)}


def test_word_lists_score_a_batch_of_mixed_languages_as_each_language_alone():
    """One batch folds and splits every language's texts together; each score must be the one
    its language's texts get on their own (ragged word lists, pairs across document edges)."""
    from langid_samples import SAMPLES

    from filters.toxicity_backends import builtin_wordlists, read_wordlist

    texts, langs = [], []
    for lang in ["de", "ko", "fr", "ja", "ru", "es", "zh", "it"]:
        terms = sorted(read_wordlist(builtin_wordlists()[lang]))
        clean = SAMPLES[lang]["short"] + SAMPLES[lang]["long"]
        joiner = "" if lang in ("ja", "zh") else " "
        own = clean + [joiner.join([clean[0], *terms[i::17]]) for i in range(3)] + ["", "…"]
        texts += own
        langs += [lang] * len(own)
    order = np.random.default_rng(3).permutation(len(texts))
    texts, langs = [texts[i] for i in order], [langs[i] for i in order]
    mixed, _ = scored({"backend": "wordlist"}, texts, lang=langs)
    for lang in set(langs):
        rows = [i for i, code in enumerate(langs) if code == lang]
        alone, _ = scored({"backend": "wordlist"}, [texts[i] for i in rows], lang=[lang] * len(rows))
        assert mixed[rows].tolist() == alone.tolist(), lang
    assert (mixed > 0).sum() >= 16


def test_sentence_unit_finds_one_toxic_sentence_in_long_prose():
    prose = " ".join(CLEAN * 5)
    texts = [prose + " " + OFFENSIVE[1] + " " + prose, prose]
    by_document, _ = scored({"backend": "classifier"}, texts)
    by_sentence, _ = scored({"backend": "classifier", "unit": "sentence"}, texts)
    assert by_document[0] < 0.8 < by_sentence[0]
    assert by_sentence[1] < 0.3


@pytest.fixture
def fresh_unicode_cache(tmp_path, monkeypatch):
    """An empty cache folder and no class of unassigned code points in memory."""
    from filters.text import _unassigned_or_mark

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _unassigned_or_mark.cache_clear()
    yield tmp_path / "corpus" / "unicode"
    _unassigned_or_mark.cache_clear()


def test_nfkc_reads_its_class_of_unassigned_code_points_back_from_the_cache(fresh_unicode_cache, monkeypatch):
    import filters.text as text

    built = text._unassigned_or_mark()
    assert built.startswith(r"[\p{M}\x{378}-\x{379}")  # U+0378, U+0379: unassigned since Unicode 1
    (path,) = fresh_unicode_cache.glob("*.txt")
    text._unassigned_or_mark.cache_clear()
    monkeypatch.setattr(text, "_built_unassigned_or_mark", lambda: pytest.fail("built again"))
    assert text._unassigned_or_mark() == built
    sample = pa.array(["e\u0301", "caf\u00e9", "\u0378x", "plain"])
    import pyarrow.compute as pc

    assert text.nfkc(sample).equals(pc.utf8_normalize(sample, "NFKC"))


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_class_of_unassigned_code_points_is_built_again(fresh_unicode_cache, damage):
    import filters.text as text

    built = text._unassigned_or_mark()
    (path,) = fresh_unicode_cache.glob("*.txt")
    text._unassigned_or_mark.cache_clear()
    content = path.read_text()
    path.write_text({"truncate": content[:500], "flip": content.replace("378", "377", 1),
                     "empty": ""}[damage])
    assert text._unassigned_or_mark() == built
    assert path.read_text() == content  # written again, whole

"""Toxicity scorers: the shipped English classifier, any fastText classifier, and per-language word lists."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import importlib.util
import itertools
import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpus.store import atomic_save_arrays, cache_folder
from filters.base import ResourceProblem, regular_file
from filters.fasttext_model import file_sha256, load_predictor, predict
from filters.text import fold, model_text, remove_whitespace, words_only

BUILTIN_WORDLISTS = Path(__file__).parent / "wordlists"
# Every worker reads a word list whole and compiles it into one pattern: real lists are a
# few hundred KB at most, so anything far larger is a mistake, not a list.
MAX_WORDLIST_BYTES = 16 << 20
# alt-profanity-check's pickles, in its data folder.
CLASSIFIER_FILES = ("vectorizer.joblib", "model.joblib")
# The cache folder (corpus.store.cache_folder) of the classifier's extraction.
CLASSIFIER_CACHE = "toxicity-model"
# The cache files' layout: bumped whenever what is extracted or how it is stored changes, so
# a file an older engine wrote is rebuilt rather than misread.
CLASSIFIER_CACHE_FORMAT = 1
# What reading a missing, damaged or foreign cache file raises: it is then rebuilt.
UNREADABLE_CACHE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


class ClassifierScorer:
    """alt-profanity-check's trained English model (TF-IDF + linear SVM, sigmoid-calibrated),
    scored with numpy alone.

    What scoring needs is extracted from the pickles once per installation and cached
    (`classifier_model`), so a run imports no scikit-learn (about 1.3 s). Each batch is scored
    over its distinct texts (sentences repeat: a third of the bench corpus's English
    sentences) with the vectoriser's preprocessing and tokenizer and the arithmetic of
    `model.predict_proba(vectorizer.transform(texts))`, in the same order, so the scores are
    the same bits (tests/test_toxicity.py holds them equal).
    """

    name = "classifier"

    def __init__(self, model: ClassifierModel | None = None) -> None:
        self.model = model if model is not None else classifier_model()
        self.tokenize = re.compile(self.model.token_pattern).findall
        self.vocabulary = dict(zip(self.model.terms, self.model.columns.tolist(), strict=True))

    def score(self, texts: pa.Array) -> np.ndarray:
        if not len(texts):
            return np.zeros(0, np.float32)
        distinct = pc.dictionary_encode(texts)
        scores = self.probabilities(distinct.dictionary.to_pylist()).astype(np.float32)
        return scores[distinct.indices.to_numpy()]

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """The offensive class's probability per text, as `predict_proba(...)[:, 1]`."""
        model = self.model
        rows, columns, counts = self.counts(texts)
        values = self.tfidf(rows, columns, counts, len(texts))
        # LinearSVC.decision_function per calibrated classifier: scipy's CSR product sums each
        # row's products in column order from 0.0, as bincount does.
        decisions = np.stack([np.bincount(rows, values * coef[columns], len(texts))
                              for coef in model.coef]) + model.intercept[:, None]
        # _SigmoidCalibration.predict: expit(-(a * d + b)) = 1 / (1 + exp(a * d + b)), with the C
        # library's exp as scipy's expit: numpy's own exp differs by an ulp on about 2 % of values.
        exponent = (model.sigmoid_a[:, None] * decisions + model.sigmoid_b[:, None]).ravel()
        sigmoid = 1.0 / (1.0 + np.fromiter(map(math.exp, exponent.tolist()), np.float64, exponent.size))
        # CalibratedClassifierCV.predict_proba: the classifiers' mean, summed in their order.
        total = np.zeros(len(texts))
        for part in sigmoid.reshape(decisions.shape):
            total += part
        return total / len(model.coef)

    def counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The vectoriser's term counts as (row, column, count) cells, ordered by row then column
        as its CSR matrix holds them."""
        lower = self.model.lowercase
        tokens = [self.tokenize(text.lower() if lower else text) for text in texts]
        # -1: a token outside the vocabulary (dict.get with a default: no Python call per miss).
        columns = np.fromiter(map(self.vocabulary.get, itertools.chain.from_iterable(tokens),
                                  itertools.repeat(-1)), np.int64)
        rows = np.repeat(np.arange(len(texts)), np.fromiter(map(len, tokens), np.int64, len(tokens)))
        known = columns >= 0
        width = len(self.model.idf)
        cells, counts = np.unique(rows[known] * width + columns[known], return_counts=True)
        return cells // width, cells % width, counts

    def tfidf(self, rows: np.ndarray, columns: np.ndarray, counts: np.ndarray, n_texts: int) -> np.ndarray:
        """The cells' values after TfidfTransformer.transform (and the vectoriser's `binary`)."""
        model = self.model
        values = np.ones(len(counts)) if model.binary else counts.astype(np.float64)
        if model.sublinear_tf:
            values = np.log(values) + 1.0
        values *= model.idf[columns]
        # sklearn's row normalisation sums each row in order from 0.0, as bincount does.
        if model.norm == "l2":
            values /= np.sqrt(np.bincount(rows, values * values, n_texts))[rows]
        elif model.norm == "l1":
            values /= np.bincount(rows, np.abs(values), n_texts)[rows]
        return values


@dataclass(frozen=True)
class ClassifierModel:
    """What scoring with alt-profanity-check's model needs, as plain values and arrays: the
    vectoriser's settings, its vocabulary without stop words (`terms` and their `columns`) and
    idf (ones without use_idf), and per calibrated classifier the linear SVM's coefficients
    and intercept and the sigmoid's A and B."""

    token_pattern: str
    lowercase: bool
    binary: bool
    sublinear_tf: bool
    norm: str | None
    terms: list[str]
    columns: np.ndarray
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    sigmoid_a: np.ndarray
    sigmoid_b: np.ndarray

    SETTINGS: ClassVar[tuple[str, ...]] = ("token_pattern", "lowercase", "binary", "sublinear_tf",
                                          "norm", "terms")
    ARRAYS: ClassVar[tuple[str, ...]] = ("columns", "idf", "coef", "intercept", "sigmoid_a", "sigmoid_b")

    def __post_init__(self) -> None:
        shapes = {name: getattr(self, name).shape for name in self.ARRAYS}
        classifiers, width = shapes["coef"] if len(shapes["coef"]) == 2 else (0, -1)
        if not (classifiers and shapes["idf"] == (width,) and shapes["columns"] == (len(self.terms),)
                and shapes["intercept"] == shapes["sigmoid_a"] == shapes["sigmoid_b"] == (classifiers,)
                and 0 <= self.columns.min(initial=0) <= self.columns.max(initial=0) < width):
            raise ValueError(f"the toxicity classifier's arrays do not fit together: shapes {shapes}, "
                             f"{len(self.terms)} terms")

    def save(self, path: Path, key: str) -> None:
        """Write the model to `path` as one .npz (its settings and `key` as JSON bytes), atomically."""
        settings = json.dumps({"key": key, **{name: getattr(self, name) for name in self.SETTINGS}})
        atomic_save_arrays(path, {"settings": np.frombuffer(settings.encode(), np.uint8),
                                  **{name: getattr(self, name) for name in self.ARRAYS}})

    @classmethod
    def load(cls, path: Path, key: str) -> ClassifierModel:
        """The model saved at `path` under `key`; one of UNREADABLE_CACHE if the file is missing,
        damaged, saved under another key or inconsistent."""
        with np.load(path, allow_pickle=False) as stored:
            settings = json.loads(stored["settings"].tobytes())
            if settings["key"] != key:
                raise ValueError("saved for other model files or another scikit-learn")
            return cls(**{name: settings[name] for name in cls.SETTINGS},
                       **{name: stored[name] for name in cls.ARRAYS})


def extract_classifier(vectorizer: Any, model: Any) -> ClassifierModel:
    """What scoring needs from an unpickled TfidfVectorizer and CalibratedClassifierCV;
    ResourceProblem naming the first thing that differs from what this engine scores."""
    _expect("vectorizer", vectorizer, {
        "type": "TfidfVectorizer", "input": "content", "analyzer": "word", "ngram_range": (1, 1),
        "preprocessor": None, "tokenizer": None, "strip_accents": None, "dtype": np.float64})
    if vectorizer.norm not in ("l1", "l2", None):
        raise ResourceProblem(f"alt-profanity-check's vectorizer norm is {vectorizer.norm!r}, "
                              "where this engine scores only 'l1', 'l2' or None")
    width = len(vectorizer.vocabulary_)
    _expect("model", model, {"type": "CalibratedClassifierCV", "method": "sigmoid"})
    _expect("model.classes_", model.classes_, {"len": 2})
    for index, calibrated in enumerate(model.calibrated_classifiers_):
        where = f"model.calibrated_classifiers_[{index}]"
        _expect(where, calibrated, {"type": "_CalibratedClassifier", "method": "sigmoid"})
        _expect(f"{where}.estimator", calibrated.estimator, {
            "type": "LinearSVC", "coef_.shape": (1, width), "intercept_.shape": (1,)})
        _expect(f"{where}.calibrators", calibrated.calibrators, {"len": 1})
        _expect(f"{where}.calibrators[0]", calibrated.calibrators[0], {"type": "_SigmoidCalibration"})
    stop_words = vectorizer.get_stop_words() or frozenset()
    vocabulary = {term: column for term, column in vectorizer.vocabulary_.items() if term not in stop_words}
    calibrated = model.calibrated_classifiers_
    return ClassifierModel(
        token_pattern=vectorizer.token_pattern, lowercase=bool(vectorizer.lowercase),
        binary=bool(vectorizer.binary), sublinear_tf=bool(vectorizer.sublinear_tf), norm=vectorizer.norm,
        terms=list(vocabulary), columns=np.array(list(vocabulary.values()), np.int64),
        idf=np.asarray(vectorizer.idf_, np.float64) if vectorizer.use_idf else np.ones(width),
        coef=np.stack([c.estimator.coef_[0] for c in calibrated]).astype(np.float64),
        intercept=np.array([c.estimator.intercept_[0] for c in calibrated], np.float64),
        sigmoid_a=np.array([c.calibrators[0].a_ for c in calibrated], np.float64),
        sigmoid_b=np.array([c.calibrators[0].b_ for c in calibrated], np.float64))


def _expect(what: str, found: Any, expected: dict[str, Any]) -> None:
    """ResourceProblem unless each expected property of `found` (its type's name, its length,
    an attribute or an attribute's shape) has the expected value."""
    for name, value in expected.items():
        if name == "type":
            actual = type(found).__name__
        elif name == "len":
            actual = len(found)
        elif name.endswith(".shape"):
            actual = getattr(getattr(found, name.removesuffix(".shape"), None), "shape", None)
        else:
            actual = getattr(found, name, None)
        if actual != value:
            raise ResourceProblem(f"alt-profanity-check's {what} {name} is {actual!r}, where this "
                                  f"engine scores only {value!r} (another release of the package?)")


@functools.cache
def classifier_model() -> ClassifierModel:
    """alt-profanity-check's model as ClassifierScorer needs it.

    Read from this user's cache folder when it holds the extraction of these model files
    (sha256) by this scikit-learn release, else extracted from the pickles (importing
    scikit-learn) and cached there; a damaged or stale cache file is rebuilt, never trusted.
    """
    folder = _profanity_data()
    key = _classifier_key(folder)
    path = cache_folder(CLASSIFIER_CACHE) / f"{key}.npz"
    with contextlib.suppress(*UNREADABLE_CACHE):
        return ClassifierModel.load(path, key)
    import joblib  # only here: unpickling imports scikit-learn and scipy (about 1.3 s)

    model = extract_classifier(*(joblib.load(folder / name) for name in CLASSIFIER_FILES))
    with contextlib.suppress(OSError):  # no writable cache folder: extracted again next run
        model.save(path, key)
    return model


def _classifier_key(folder: Path) -> str:
    """The cache key of the model files in `folder`: their sha256s, the scikit-learn that
    unpickles them and the cache format."""
    digest = hashlib.sha256()
    for name in CLASSIFIER_FILES:
        digest.update(file_sha256(str(folder / name)).encode())
    return (f"{digest.hexdigest()}-scikit-learn-{importlib.metadata.version('scikit-learn')}"
            f"-format-{CLASSIFIER_CACHE_FORMAT}")


class FastTextScorer:
    """A fastText supervised classifier: the score is the probability of the toxic `label`."""

    name = "fasttext"

    def __init__(self, model_path: str, label: str, text_chars: int) -> None:
        self.model_path, self.label, self.text_chars = model_path, label, text_chars
        self.model = load_predictor(model_path)
        if label not in self.model.labels:
            raise ValueError(f"{model_path} has no label {label!r} (it has {list(self.model.labels)})")

    def score(self, texts: pa.Array) -> np.ndarray:
        labels, probabilities = predict(self.model, model_text(texts, self.text_chars), k=-1)
        scores = np.zeros(len(labels), np.float32)
        for row, (names, values) in enumerate(zip(labels, probabilities, strict=True)):
            for name, value in zip(names, values, strict=True):
                if name == self.label:
                    scores[row] = value
        return np.clip(scores, 0.0, 1.0)


class WordlistScorer:
    """Share of a document's words that are flagged terms of its language, scaled to 0..1.

    Languages written with spaces: the NFKC, lower-cased text is cut into words at
    everything that is not a letter, mark or number, and words and word pairs are looked up
    in the list. Languages in `chars_per_word` (Chinese, Japanese, Korean, Thai): entries
    are counted as substrings of the text without whitespace, and the word count is
    estimated as characters / chars_per_word. score = min(1, share / saturation).
    """

    name = "wordlist"

    def __init__(self, files: dict[str, str], saturation: float,
                 chars_per_word: dict[str, float]) -> None:
        self.files = {**builtin_wordlists(), **files}
        self.saturation = saturation
        self.chars_per_word = chars_per_word
        self.terms = {lang: read_wordlist(path) for lang, path in self.files.items()}
        # A non-ASCII row builds fold's code point table (0.2 s) here, before a local pool forks.
        fold(pa.array(["\u00e9"]))

    def covers(self, lang: str) -> bool:
        return lang in self.terms

    def score(self, texts: pa.Array, langs: np.ndarray) -> np.ndarray:
        """The score of each text in its language (`langs`, codes this scorer covers).

        The whole batch is folded, and the texts of the languages written with spaces are cut
        into words, in one pass each: Arrow compiles the Unicode classes of those patterns on
        every call (about 5 ms), which a call per language paid again and again."""
        scores = np.zeros(len(texts), np.float32)
        text = fold(texts)
        spaced = np.array([code not in self.chars_per_word for code in langs], bool)
        if spaced.any():
            rows = np.flatnonzero(spaced)
            words = pc.utf8_split_whitespace(words_only(text.take(pa.array(rows))))
            for code in np.unique(langs[rows]):
                part = langs[rows] == code
                flagged, count = _word_counts(words.filter(pa.array(part)), self.terms[code])
                scores[rows[part]] = self._scaled(flagged, count)
        for code in np.unique(langs[~spaced]):
            rows = np.flatnonzero(langs == code)
            flagged, count = self._substring_counts(text.take(pa.array(rows)), self.terms[code],
                                                    self.chars_per_word[code])
            scores[rows] = self._scaled(flagged, count)
        return scores

    def _scaled(self, flagged: np.ndarray, words: np.ndarray) -> np.ndarray:
        share = np.divide(flagged, words, out=np.zeros(len(flagged)), where=words > 0)
        return np.minimum(1.0, share / self.saturation).astype(np.float32)

    @staticmethod
    def _substring_counts(text: pa.Array, terms: frozenset[str], chars_per_word: float):
        compact = remove_whitespace(text)
        flagged = pc.count_substring_regex(compact, _alternation(terms)).to_numpy(zero_copy_only=False)
        words = pc.utf8_length(compact).to_numpy(zero_copy_only=False) / chars_per_word
        return flagged.astype(np.float64), words


def classifier_versions() -> dict[str, Any]:
    folder = _profanity_data()
    return {"package": f"alt-profanity-check {importlib.metadata.version('alt-profanity-check')}",
            "model_sha256": file_sha256(str(folder / "model.joblib"))}


def fasttext_versions(model_path: str, label: str) -> dict[str, Any]:
    return {"model": model_path, "model_sha256": file_sha256(model_path), "label": label}


def wordlist_versions(files: dict[str, str]) -> dict[str, Any]:
    merged = {**builtin_wordlists(), **files}
    return {lang: {"file": path, "sha256": file_sha256(path), "entries": len(read_wordlist(path))}
            for lang, path in sorted(merged.items())}


def builtin_wordlists() -> dict[str, str]:
    """The lists this project ships: filters/wordlists/<lang>.txt."""
    return {path.stem: str(path) for path in sorted(BUILTIN_WORDLISTS.glob("*.txt"))}


def check_wordlist(path: str) -> None:
    """Check that `path` is a UTF-8 text file of at most MAX_WORDLIST_BYTES; ResourceProblem if not."""
    size = regular_file(path).st_size
    if size > MAX_WORDLIST_BYTES:
        raise ResourceProblem(f"{path} holds {size} bytes; a word list may hold at most "
                              f"{MAX_WORDLIST_BYTES >> 20} MiB")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_WORDLIST_BYTES + 1)
    except OSError as exc:
        raise ResourceProblem(f"cannot read {path}: {exc.strerror}") from None
    if b"\0" in data:
        raise ResourceProblem(f"{path} is a binary file, not a UTF-8 word list")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResourceProblem(f"{path} is not UTF-8 text (invalid byte at offset {exc.start})") from None


def check_classifier() -> None:
    """Check that alt-profanity-check's model files are installed; ResourceProblem if not."""
    try:
        folder = _profanity_data()
    except FileNotFoundError as exc:
        raise ResourceProblem(str(exc)) from None
    for name in CLASSIFIER_FILES:
        regular_file(str(folder / name))


@functools.cache
def read_wordlist(path: str) -> frozenset[str]:
    """Entries of a word-list file: one per line, `#` comments and blank lines ignored."""
    entries = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if entry:
            entries.add(" ".join(entry.split()))
    return frozenset(entries)


def _word_counts(words: pa.ListArray, terms: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    """(flagged words and word pairs, words) per document, counted over its list of words."""
    flat = pc.list_flatten(words)
    parents = pc.list_parent_indices(words).to_numpy()
    singles, pairs = _split_terms(terms)
    hits = pc.is_in(flat, value_set=singles.cast(flat.type)).to_numpy(zero_copy_only=False)
    flagged = np.bincount(parents[hits], minlength=len(words)).astype(np.float64)
    if len(pairs) and len(flat) > 1:
        same_doc = parents[:-1] == parents[1:]
        joined = pc.binary_join_element_wise(flat.slice(0, len(flat) - 1), flat.slice(1),
                                             pa.scalar(" ", flat.type))
        pair_hits = pc.is_in(joined, value_set=pairs.cast(flat.type)).to_numpy(zero_copy_only=False)
        pair_hits &= same_doc
        flagged += np.bincount(parents[:-1][pair_hits], minlength=len(words))
    return flagged, pc.list_value_length(words).to_numpy(zero_copy_only=False).astype(np.float64)


@functools.cache
def _split_terms(terms: frozenset[str]) -> tuple[pa.Array, pa.Array]:
    singles = sorted(t for t in terms if " " not in t)
    pairs = sorted(t for t in terms if t.count(" ") == 1)
    return pa.array(singles, pa.string()), pa.array(pairs, pa.string())


@functools.cache
def _alternation(terms: frozenset[str]) -> str:
    compact = {term.replace(" ", "") for term in terms}
    return "|".join(re.escape(term) for term in sorted(compact, key=len, reverse=True))


def _profanity_data() -> Path:
    spec = importlib.util.find_spec("profanity_check")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("alt-profanity-check is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


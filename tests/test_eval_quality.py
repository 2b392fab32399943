"""scripts/eval_quality.py: the labelled noise-and-prose evaluation runs and reports clearly."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "eval_quality.py"
sys.path.insert(0, str(ROOT / "scripts"))

import eval_quality  # noqa: E402


@pytest.mark.slow
def test_eval_prints_recall_per_noise_kind_and_loss_per_language():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--split", "dev", "--per-kind", "25", "--per-lang", "25",
         "--languages", "en,ko,ja,zh"],
        capture_output=True, text=True, timeout=600,
    )
    if "is not installed" in done.stderr or "install Debian's" in done.stderr:
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for kind in eval_quality.NOISE:
        row = next(line for line in out.splitlines() if line.startswith(f"| {kind} |"))
        # every kind fills its bucket, or holds all its split has (source maps: 24 on some machines)
        assert eval_quality.MIN_DOCS <= int(row.split("|")[2]) <= 25, row
        assert row.split("|")[6].strip().endswith("%"), row  # the chain on 20-400 character prefixes
    for lang in ("en", "ko", "ja", "zh"):
        row = next(line for line in out.splitlines() if line.startswith(f"| {lang} |")).split("|")
        # documents and short texts (Korean has fewer pages than a bucket asks for)
        assert 10 <= int(row[2]) <= 25 and 20 <= int(row[5]) <= 25, row
        assert all(cell.strip().endswith("%") for cell in row[3:5] + row[6:9]), row
    assert "quality filters added: gopher_quality" in out
    assert "Traceback" not in done.stderr


def test_short_noise_is_each_noise_documents_prefix_of_20_to_400_characters():
    docs = [eval_quality.Document("x" * 3000, "hex dumps", True, False, "a"),
            eval_quality.Document("prose " * 100, "en", False, False, "b")] * 50
    shorts = eval_quality.short_noise(docs, seed=1)
    assert len(shorts) == 50 and all(d.noise and d.short and d.label == "hex dumps" for d in shorts)
    lengths = [len(d.text) for d in shorts]
    assert min(lengths) >= 20 and max(lengths) <= 400 and len(set(lengths)) > 10


def test_missing_manual_pages_name_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.setattr(eval_quality, "MAN", tmp_path)
    with pytest.raises(eval_quality.SourceMissing, match="man-db"):
        eval_quality.manual_pages("ko")


def test_accented_roff_escapes_become_letters_and_pages_become_paragraphs(tmp_path, monkeypatch):
    folder = tmp_path / "pt" / "man1"
    folder.mkdir(parents=True)
    page = (".TH T 1\n.SH NOME\n.PP\nO programa est\\('a a terminar com um c\\('odigo de erro e "
            "uma notifica\\(,c\\(~ao de prontid\\(~ao.\n")
    for i in range(4):
        with gzip.open(folder / f"t{i}.1.gz", "wt") as handle:
            handle.write(page.replace("programa", f"programa {i}"))
    monkeypatch.setattr(eval_quality, "MAN", tmp_path)
    pages = eval_quality.manual_pages("pt")
    assert len(pages) == 4
    assert all(p == [p[0]] and "está" in p[0] and "notificação de prontidão" in p[0] for p in pages.values())


def test_a_config_that_cannot_be_read_is_one_sentence(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--config", str(tmp_path / "none.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert done.stderr.startswith("eval_quality: cannot read") and "Traceback" not in done.stderr


def test_index_entries_and_text_without_the_languages_script_are_not_prose():
    assert not eval_quality.is_prose("org.freedesktop.resolve1.ResourceRecordTypeUnsupported "
                                     "org.freedesktop.resolve1(5)", "de")
    assert eval_quality.is_prose("Die Einstellungen beschreibt systemd.unit(5) ausführlich.", "de")
    assert not eval_quality.is_prose("reload-or-restart PATTERN...", "zh")
    assert not eval_quality.is_prose("Hoverstalld loptext med adressat i position T4.", "ja")
    assert eval_quality.is_prose("Can't stat file 通常意味著它不存在.", "zh")
    assert not eval_quality.is_prose("translate the character sequences into UTF-8 and then", "ru")


def test_blocks_of_a_file_alternate_between_splits_and_files_keep_theirs():
    name = "site-packages/pkg/static/main.css"
    assert {eval_quality.split_of(f"{name}#{block}") for block in range(2)} == {"dev", "test"}
    splits = [eval_quality.split_of(f"{name}#{block}") for block in range(4)]
    assert splits[0] == splits[2] == eval_quality.split_of(name) != splits[1] == splits[3]


def test_a_text_repeated_across_pages_is_labelled_once():
    docs = [eval_quality.Document(text, "fr", False, True, source)
            for text, source in (("a", "p1"), ("b", "p1"), ("a", "p2"))]
    assert [(d.text, d.source) for d in eval_quality.distinct(docs)] == [("a", "p1"), ("b", "p1")]

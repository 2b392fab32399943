"""PII never leaks: not through review samples (values crossing the preview cut, ids), nor any
file of a version, the staging area or any command's output (pii.scope, pii.columns)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from conftest import corpus_cli, read_rows, run, write_jsonl
from test_pii import iban, korean_rrn, luhn_card

from corpus.readers.base import RAW_PREVIEW_BYTES
from corpus.samples import PREVIEW_CHARS
from corpus.schema import ORDER
from corpus.stats import FilterStats
from filters.pii import PII
from filters.pii_policy import PIIRedactor


def _secrets() -> dict[str, str]:
    return {"email": "john.doe.secret@example.com", "card": luhn_card("411111111111111"),
            "rrn": korean_rrn("900101", "123456"), "phone": "+1 415-555-0132"}


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    """The secrets found in `text`, raw or as their digits alone (separators stripped)."""
    digits = re.sub(r"\D", "", text)
    found = [name for name, value in secrets.items() if value in text]
    found += [f"{name} (digits)" for name, value in secrets.items()
              if len(re.sub(r"\D", "", value)) >= 9 and re.sub(r"\D", "", value) in digits]
    return found


def test_samples_redact_values_that_cross_the_preview_cut_and_ids(tmp_path):
    secrets = _secrets()
    records = []
    for name, value in secrets.items():
        # The value starts a few characters before the cut, so cutting first would show a part of it.
        lead = "Plain prose before the contact details. " * 20
        text = lead[:PREVIEW_CHARS - 8] + f" {value} and more prose after it."
        records.append({"id": value, "text": text, "kind": name})
    path = write_jsonl(tmp_path / "in" / "docs.jsonl", records)
    summary = run(tmp_path, [path], [{"special_chars": {"max_ratio": 0.0}}])
    assert summary.counts["rejected"] == len(records)
    html = (summary.path / "report.html").read_text()
    assert _leaks(html, secrets) == []
    result = corpus_cli("sample", str(summary.path), "--rejected-by", "special_chars", "-n", "10",
                        check=True)
    assert _leaks(result.stdout + result.stderr, secrets) == []
    assert "<EMAIL_ADDRESS>  too_many_special_chars" in result.stdout  # the id, redacted


def _every_type() -> dict[str, str]:
    """A real-looking value of every default entity type (cards pass Luhn, the RRN its check digit)."""
    return {"email": "john.doe.secret@example.com", "phone": "+1 415-555-0132",
            "kr_phone": "010-2345-6789", "card": luhn_card("453914880343646"),
            "iban": iban("DE", "370400440532013000"), "ip": "203.0.113.45", "ssn": "536-22-1234",
            "rrn": korean_rrn("900101", "123456")}


def _planted_corpus(folder: Path, secrets: dict[str, str]) -> Path:
    """Documents that carry every value in the text, the id and passthrough columns (flat and
    nested), documents special_chars removes before pii, a near duplicate, and malformed lines."""
    prose = ["The river runs through the old town and people walk along it every evening.",
             "Markets open early on the bridge, and the bakers sell bread until noon.",
             "An old library keeps maps of the valley drawn two centuries ago by monks.",
             "Children learn to swim in the lake while their parents read on the shore.",
             "The night train crosses three borders before it reaches the northern coast.",
             "Gardeners plant tulips in autumn so that the square is bright in spring.",
             "A small museum shows tools that farmers used before the railway arrived.",
             "Fishermen mend their nets on the pier and talk about the weather all day."]
    everything = " ".join(f"{value} ," for value in secrets.values())
    records = []
    for (name, value), sentence in zip(secrets.items(), prose, strict=True):
        records.append({"id": value, "text": f"{sentence} Contact: {value} today. {sentence}",
                        "email": secrets["email"], "phone": secrets["phone"],
                        "title": f"Notes for {value}", "author": f"{value} ({name})",
                        "meta": {"contact": value, "tags": [value, "plain"]}})
        symbols = "#$%^&*{}|~<>" * 30 + f" Contact: {value} today. " + "#$%^&*" * 20
        records.append({"id": f"symbols-{name}", "text": symbols, "email": value,
                        "title": f"Spam for {value}"})
    records.append({"id": f"copy of {secrets['email']}", "text": records[0]["text"],
                    "author": secrets["card"]})
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    lines.append('{"id": "broken", "text": "write to ' + everything + '" "oops')
    # A malformed line whose raw prefix is cut by the reader right inside a card number.
    long = '{"id": "long", "text": "' + "filler words " * 200
    cut = RAW_PREVIEW_BYTES - len(long.encode()) - 9
    lines.append(long[:len(long) + cut] + " " + secrets["card"] + " more text} broken")
    path = folder / "in" / "docs.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def _decoded(path: Path) -> str:
    """A file as text: Parquet decoded row by row (bytes as UTF-8), anything else as it is."""
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
        return json.dumps(rows, ensure_ascii=False, default=lambda v: v.decode("utf-8", "replace"))
    return path.read_bytes().decode("utf-8", "replace")


def _file_leaks(folder: Path, secrets: dict[str, str]) -> dict[str, list[str]]:
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        leaks = _leaks(_decoded(path), secrets)
        if leaks:
            found[str(path.relative_to(folder))] = leaks
    return found


def _config(tmp_path: Path, source: Path, pii: dict) -> Path:
    config = {"dataset": "leaks", "input": {"paths": [str(source)]},
              "output": {"root": str(tmp_path / "out"), "shard_rows": 5},
              "filters": [{"special_chars": {"max_ratio": 0.3}}, {"pii": pii},
                          {"minhash_dedup": {"threshold": 0.7}}]}
    path = tmp_path / "leaks.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_no_value_reaches_any_file_staging_area_or_command_output(tmp_path):
    secrets = _every_type()
    source = _planted_corpus(tmp_path, secrets)
    config = _config(tmp_path, source, {"action": "redact"})
    dataset = tmp_path / "out" / "leaks"
    outputs = [corpus_cli("run", str(config), "--keep-work", check=True),
               corpus_cli("run", str(config), "--keep-work", "--set",
                          "filters.special_chars.max_ratio=0.35", check=True)]
    report = tmp_path / "report.html"
    for args in (["stats", str(dataset)], ["sample", str(dataset), "--rejected-by", "special_chars"],
                 ["sample", str(dataset), "--rejected-by", "minhash_dedup"],
                 ["diff", f"{dataset}@v0001", f"{dataset}@v0002"], ["verify", str(dataset)],
                 ["report", str(dataset), "--compare", "@v0001", "--output", str(report)],
                 ["runs", str(dataset)], ["versions", str(dataset)]):
        outputs.append(corpus_cli(*args, check=True))
    for result in outputs:
        assert _leaks(result.stdout + result.stderr, secrets) == [], result.args

    version = dataset / "v0001"
    assert _file_leaks(version, secrets) == {}
    assert _file_leaks(dataset / "_staging", secrets) == {}
    assert _leaks(report.read_text(), secrets) == []
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["counts"] == {"read": 19, "kept": 8, "rejected": 9, "quarantined": 2}
    assert manifest["redaction"]["scope"] == "everything"

    # The values were there, and are replaced by their tags wherever they were.
    data = read_rows(version / "data")
    assert {row["author"].split(" (")[0] for row in data} >= {"<EMAIL_ADDRESS>", "<KR_RRN>",
                                                               "<CREDIT_CARD>", "<IBAN_CODE>"}
    assert all(row["email"] == "<EMAIL_ADDRESS>" and row["meta"]["tags"][1] == "plain" for row in data)
    ids = [row["id"] for row in data]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"<[A-Z_]+>~0:\d+", i) for i in ids), ids
    rejects = {row["filter"]: row for row in read_rows(version / "rejects")}
    assert "<" in rejects["special_chars"]["text"] and rejects["special_chars"]["pii"]
    assert rejects["minhash_dedup"]["duplicate_of"] in ids
    quarantine = read_rows(version / "quarantine")
    broken = [row["raw"].decode() for row in quarantine]
    assert "<EMAIL_ADDRESS>" in broken[0] and "<KR_RRN>" in broken[0] and "<CREDIT_CARD>" in broken[0]
    assert broken[1].startswith('{"id": "long"') and "4539" not in broken[1]

    stats = json.loads((version / "stats.json").read_text())
    pii = next(entry for entry in stats["filters"] if entry["filter"] == "pii")
    assert pii["info"]["scope"] == "everything"
    by_column = pii["counters"]["docs_with_pii_by_column"]
    # The near duplicate reaches pii too (dedup comes after it), with only a text, an id and an author.
    assert by_column == {"text": 9, "id": 9, "author": 9, "email": 8, "phone": 8, "title": 8, "meta": 8}
    assert pii["counters"]["spans_by_column"]["meta:KR_RRN"] == 2  # the contact and the tag
    assert pii["counters"]["policy"]["rejects_with_pii"] == 8
    # The cut prefix lost its partial card with its tail: nothing left to redact in it.
    assert pii["counters"]["policy"]["quarantine_rows"] == 2
    assert pii["counters"]["policy"]["quarantine_raw_redacted"] == 1
    assert pii["counters"]["policy_rejects_docs_with_pii_by_column"]["email"] == 8
    assert "scope `everything`" in (version / "README.md").read_text()


def test_scope_delivered_keeps_earlier_rejects_raw_and_the_card_says_so(tmp_path):
    secrets = _every_type()
    source = _planted_corpus(tmp_path, secrets)
    summary = run(tmp_path, [source], [{"special_chars": {"max_ratio": 0.3}},
                                       {"pii": {"scope": "delivered"}}])
    card = (summary.path / "README.md").read_text()
    assert "scope `delivered`" in card
    assert "the rejects of the filters before it and the raw prefixes in `quarantine/` may hold " \
           "personal information" in card
    assert _file_leaks(summary.path / "data", secrets) == {}
    assert "rejects" in " ".join(_file_leaks(summary.path, secrets))  # as the card says
    stats = json.loads((summary.path / "stats.json").read_text())
    assert stats["filters"][1]["info"]["scope"] == "delivered"
    assert "policy" not in stats["filters"][1]["counters"]


def test_dedup_before_pii_has_its_rejects_redacted_and_marked(tmp_path):
    secrets = _every_type()
    text = "The river runs through the old town and people walk along it every evening " * 3
    records = [{"id": "first", "text": f"{text} {secrets['rrn']}"},
               {"id": secrets["email"], "text": f"{text} {secrets['rrn']}", "phone": secrets["phone"]}]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    summary = run(tmp_path, [source], [{"minhash_dedup": {"threshold": 0.7}}, {"pii": {}}])
    assert summary.counts["rejected"] == 1
    assert _file_leaks(summary.path, secrets) == {}
    (reject,) = read_rows(summary.path / "rejects")
    assert reject["filter"] == "minhash_dedup" and reject["phone"] == "<PHONE_NUMBER>"
    assert [span["type"] for span in reject["pii"]] == ["KR_RRN"]  # redacted by the policy


def _detector(**params) -> PII:
    detector = PII(PII.Params(**params))
    detector.setup()
    return detector


def test_nested_dictionary_and_listed_columns_are_redacted_in_place():
    email, rrn = "jane.roe@example.com", korean_rrn("851231", "234567")
    batch = pa.RecordBatch.from_pydict({
        "id": ["a", "b", "c"],
        "text": pa.array(["nothing here", f"mail {email}", "plain"], pa.large_string()),
        "meta": pa.array([{"who": email, "tags": [rrn, "x"]}, None, {"who": "nobody", "tags": None}]),
        "source": pa.array([email, "web", email]).dictionary_encode(),
        "title": [email, None, "t"],
    })
    stats = FilterStats("pii")
    kept = _detector().run(batch, stats).kept
    assert kept.schema.field("meta").type == batch.schema.field("meta").type
    assert kept.column("meta").to_pylist() == [{"who": "<EMAIL_ADDRESS>", "tags": ["<KR_RRN>", "x"]},
                                               None, {"who": "nobody", "tags": None}]
    assert kept.column("source").type == batch.schema.field("source").type
    assert kept.column("source").to_pylist() == ["<EMAIL_ADDRESS>", "web", "<EMAIL_ADDRESS>"]
    assert kept.column("title").to_pylist() == ["<EMAIL_ADDRESS>", None, "t"]
    assert stats.counters["docs_with_pii_by_column"] == {"text": 1, "meta": 1, "source": 2, "title": 1}
    assert stats.counters["spans_by_column"]["meta:KR_RRN"] == 1
    assert stats.counters["documents"]["with_pii"] == 3
    # Only the named columns are scanned when `columns` lists them.
    only = _detector(columns=["text"]).run(batch, FilterStats("pii")).kept
    assert only.column("title").to_pylist() == [email, None, "t"]


def test_ids_holding_pii_stay_unique_with_their_input_position():
    batch = pa.RecordBatch.from_pydict({
        "id": ["a@example.com", "b@example.com", "plain-id"], "text": ["x", "y", "z"],
        ORDER: pa.array([(2 << 40) | 10, (2 << 40) | 57, 3], pa.int64())})
    kept = _detector().run(batch, FilterStats("pii")).kept
    assert kept.column("id").to_pylist() == ["<EMAIL_ADDRESS>~2:10", "<EMAIL_ADDRESS>~2:57", "plain-id"]


def test_quarantine_prefixes_are_redacted_cut_back_or_dropped():
    card = luhn_card("453914880343646")
    cut = ("x" * (RAW_PREVIEW_BYTES - 12) + " " + card).encode()[:RAW_PREVIEW_BYTES]
    rows = pa.RecordBatch.from_pylist([
        {"file": "a.jsonl", "offset": 0, "error": "bad json", "raw": f'{{"t": "call {card}'.encode()},
        {"file": "a.jsonl", "offset": 9, "error": "bad json", "raw": b"\xff\xfe binary " + card.encode()},
        {"file": "a.jsonl", "offset": 20, "error": "too long", "raw": cut},
        {"file": "a.jsonl", "offset": 30, "error": "empty", "raw": None}],
        schema=pa.schema([("file", pa.string()), ("offset", pa.int64()), ("error", pa.string()),
                          ("raw", pa.binary())]))
    stats = FilterStats("pii")
    out = PIIRedactor(_detector()).quarantine(rows, stats).to_pylist()
    assert out[0]["raw"] == b'{"t": "call <CREDIT_CARD>'
    assert out[1]["raw"] is None  # not UTF-8: it cannot be scanned, so it is not kept
    # Cut inside the card, and no token boundary before it: nothing of the prefix is kept.
    assert out[2]["raw"] == b"" and out[3]["raw"] is None
    assert [row["file"] for row in out] == ["a.jsonl"] * 4
    assert stats.counters["policy"]["quarantine_raw_dropped"] == 1

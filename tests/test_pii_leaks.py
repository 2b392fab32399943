"""PII never leaks through review samples: values crossing the preview cut and ids are redacted."""

from __future__ import annotations

import re

from conftest import corpus_cli, run, write_jsonl
from test_pii import korean_rrn, luhn_card

from corpus.samples import PREVIEW_CHARS


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

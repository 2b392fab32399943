"""pii: the spans and redacted text of a fixed set of texts stay what they were.

tests/fixtures/pii_regression.jsonl.gz holds windows of the bench's web corpus
(`scripts/bench.py --pipeline quickstart`), a few of every combination of the triggers a
window holds and the entity types found in it (phones in many formats next to dates,
versions, ISBNs, CSS, ids...), a few whole documents and ids, each with the spans the filter
found when the file was written. Changes that only make the filter faster must keep them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa

from corpus.stats import FilterStats
from filters.pii import PII

FIXTURE = Path(__file__).parent / "fixtures" / "pii_regression.jsonl.gz"


def test_spans_and_redacted_text_of_the_fixed_texts_are_unchanged():
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as handle:
        cases = [json.loads(line) for line in handle]
    texts = [case["text"] for case in cases]
    pii = PII(PII.Params(action="redact"))
    pii.setup()
    batch = pa.RecordBatch.from_pydict({"id": [f"t{i}" for i in range(len(texts))], "text": texts})
    kept = pii.run(batch, FilterStats("pii")).kept.to_pydict()
    assert sum(bool(case["spans"]) for case in cases) > 200  # the file holds what it should
    for text, case, found, redacted in zip(texts, cases, kept["pii"], kept["text"], strict=True):
        spans = [[s["type"], s["start"], s["end"], round(s["score"], 4)] for s in found]
        assert spans == case["spans"], text
        expected, position = [], 0
        for entity, start, end, _ in case["spans"]:
            expected += [text[position:start], f"<{entity}>"]
            position = end
        assert redacted == "".join(expected) + text[position:]

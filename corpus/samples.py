"""Samples of removed documents for review: seeded, per filter, from a version's rejects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from corpus.remote import arrow_files
from corpus.schema import ID, REJECT_FILTER, REJECT_REASON, TEXT

PREVIEW_CHARS = 600
# Samples are read this far past the preview so a PII value that crosses the cut is still whole
# when it is redacted; the caller cuts to PREVIEW_CHARS after redacting (see `preview`).
REDACTION_MARGIN = 1000


def sample_rejects(version: Path, n: int, seed: int = 0, only: str | None = None,
                   score_columns: dict[str, str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Up to `n` removed documents per filter (or only `only`), the same for the same seed.

    Each sample holds id, reason, the filter's score (from `score_columns[filter]` where the
    rejected row has that column) and the text cut to PREVIEW_CHARS + REDACTION_MARGIN
    characters. Texts and ids are returned as stored: callers that show them redact PII first,
    then cut the text with `preview`.
    """
    files = sorted((version / "rejects").glob("*.parquet"))
    if not files:
        return {}
    filesystem, paths = arrow_files(files)  # local, or on object storage (corpus.remote)
    # Rejects of different filters carry different annotation columns: unify the schemas.
    schema = pa.unify_schemas([pq.read_schema(f, filesystem=filesystem) for f in paths],
                              promote_options="permissive")
    dataset = ds.dataset(paths, filesystem=filesystem, format="parquet", schema=schema)
    labels = dataset.to_table(columns=[REJECT_FILTER]).column(REJECT_FILTER)
    rng = np.random.default_rng(seed)
    samples: dict[str, list[dict[str, Any]]] = {}
    for label in sorted(set(labels.to_pylist())):
        if only is not None and label != only:
            continue
        rows = np.flatnonzero(pc.equal(labels, label).to_numpy(zero_copy_only=False))
        chosen = np.sort(rng.choice(rows, size=min(n, len(rows)), replace=False))
        samples[label] = _rows(dataset, chosen, (score_columns or {}).get(label))
    return samples


def _rows(dataset: ds.Dataset, rows: np.ndarray, score_column: str | None) -> list[dict[str, Any]]:
    names = dataset.schema.names
    columns = [ID, TEXT, REJECT_REASON] + ([score_column] if score_column in names else [])
    table = dataset.take(pa.array(rows), columns=columns)
    out = []
    for record in table.to_pylist():
        score = record.get(score_column) if score_column else None
        out.append({"id": record[ID], "reason": record[REJECT_REASON],
                    "score": float(score) if isinstance(score, int | float) else None,
                    "text": record[TEXT][:PREVIEW_CHARS + REDACTION_MARGIN]})
    return out


def preview(text: str) -> str:
    """A redacted sample text cut to what the report and `corpus sample` show."""
    return text[:PREVIEW_CHARS]

"""Shared text helpers over whole Arrow string columns."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa


def utf8_buffer(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(bytes, offsets) of a string column: document i is bytes[offsets[i]:offsets[i + 1]].

    Zero-copy for large_string columns; nulls read as empty strings.
    """
    text = text.cast(pa.large_string()) if not pa.types.is_large_string(text.type) else text
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    data = text.buffers()[2]
    values = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return values, offsets


def utf8_values(text: pa.Array) -> Iterator[memoryview]:
    """The UTF-8 bytes of each document as memoryviews, without building Python strings."""
    values, offsets = utf8_buffer(text)
    data = memoryview(values)
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        yield data[start:end]


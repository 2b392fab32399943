"""Language codes read from data, checked against a closed set before they are used or counted.

A `lang` column that comes from the input holds whatever the input holds (an email, markup,
a sentence): its values must never become statistics keys or routing decisions as they
are. `language_codes` keeps the values that are language tags langcodes knows (ISO 639 in
the IANA registry), written the way langid writes them (ISO 639-1 where one exists), and
reports every other value as `other`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import langcodes
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

OTHER = "other"
MISSING = "missing"
VALID = "valid"
# The longest tag worth parsing: a language, script and region subtag and a few variants.
MAX_TAG_CHARS = 35
UNDETERMINED = "und"


@dataclass
class LanguageCodes:
    """One batch's languages: `codes[i]` is a language code or None (missing or `other`)."""

    codes: np.ndarray
    missing: int
    other: int


def language_codes(column: pa.Array, known: frozenset[str] = frozenset()) -> LanguageCodes:
    """Each row's language code from a column of unchecked values.

    A value is kept when it is a valid language tag (its language subtag, ISO 639-1 where
    one exists: `eng`, `EN`, `en-US` -> `en`) or one of `known` (codes the config names);
    null, empty and `und` count as missing, anything else as `other`. Distinct values are
    checked once per batch.
    """
    try:
        column = column.cast(pa.string()) if not pa.types.is_string(column.type) else column
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # lists, structs: no value is a code
        unusable = column.is_null().to_numpy(zero_copy_only=False)
        return LanguageCodes(codes=np.full(len(column), None, dtype=object), missing=int(unusable.sum()),
                             other=int((~unusable).sum()))
    distinct = pc.unique(column)
    values = distinct.to_pylist()
    index = pc.index_in(column, value_set=distinct).fill_null(0).to_numpy(zero_copy_only=False)
    codes = np.array([None if value is None else _code(value, known) for value in values] + [None],
                     dtype=object)[index]
    # null, "" and "und" say nothing; any other value without a code is foreign to the set
    silent = np.array([value is None or value.strip() in ("", UNDETERMINED) for value in values] + [True],
                      dtype=bool)[index]
    unusable = codes == None  # noqa: E711 - elementwise comparison with None
    return LanguageCodes(codes=codes, missing=int((unusable & silent).sum()),
                         other=int((unusable & ~silent).sum()))


def _code(value: str, known: frozenset[str]) -> str | None:
    value = value.strip()
    if value in known:
        return value
    return _standard(value)


@functools.lru_cache(maxsize=4096)
def _standard(value: str) -> str | None:
    """The ISO 639 code of a language tag, or None; cached, as a column repeats few values."""
    if not value or len(value) > MAX_TAG_CHARS or not value.isascii():
        return None
    try:
        if not langcodes.tag_is_valid(value):
            return None
        language = langcodes.Language.get(langcodes.standardize_tag(value, macro=True)).language
    except (ValueError, LookupError):
        return None
    return None if language in (None, UNDETERMINED) else language
